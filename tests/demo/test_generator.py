"""The demo-data generator: contract, consistency, plausibility and reproducibility."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from demo import BUNDLE_FILES, generate_bundle
from demo.generator import DEFAULT_EMPLOYER_WORDS, EMPLOYER_WORDS
from matching.reference import default_data_dir, load_site, load_taxonomy

REF = date(2026, 11, 1)
REPO = Path(__file__).resolve().parents[2]
DEMO_DIR = REPO / "data" / "demo"
DEMO_ARGS = {"seed": 7, "trainees": 400, "openings": 120}


def read(bundle: Path, name: str) -> list[dict[str, str]]:
    with open(bundle / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def site():
    return load_site(default_data_dir() / "sites" / "west_bengal")


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy(default_data_dir() / "taxonomy.json")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    generate_bundle(out, seed=11, trainees=1500, openings=400)
    return out


@pytest.fixture(scope="module")
def tables(bundle):
    return {name: read(bundle, name) for name in BUNDLE_FILES}


def _bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_arguments_give_identical_bytes_and_seed_matters(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    counts = generate_bundle(a, seed=3, trainees=150, openings=40)
    assert generate_bundle(b, seed=3, trainees=150, openings=40) == counts
    generate_bundle(c, seed=4, trainees=150, openings=40)
    files_a, files_b, files_c = _bytes(a), _bytes(b), _bytes(c)
    assert set(files_a) == {*BUNDLE_FILES, "_truth/truth.json", "_truth/journeys.json", "_truth/journeys.csv"}
    assert files_a == files_b
    assert all(files_a[name] != files_c[name] for name in files_a)


def test_counts_match_rows_and_progress_is_reported(tmp_path):
    seen: list[tuple[str, int]] = []
    counts = generate_bundle(tmp_path, seed=5, trainees=120, openings=30, progress=lambda s, n: seen.append((s, n)))
    for name in BUNDLE_FILES:
        assert counts[name] == len(read(tmp_path, name))
        assert (name, counts[name]) in seen
    assert counts["trainees.csv"] == 120
    assert counts["employers.csv"] == 20
    assert sum(r["status"] == "open" for r in read(tmp_path, "openings.csv")) == 30
    assert counts["placements.csv"] == 60


def test_every_contract_column_in_order(bundle):
    for name, columns in BUNDLE_FILES.items():
        with open(bundle / name, encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        assert tuple(header) == columns, name
    trainee_cols = BUNDLE_FILES["trainees.csv"]
    assert trainee_cols[-4:] == ("is_survivor", "training_track", "training_commute_minutes", "trainer_consent")
    assert BUNDLE_FILES["followups.csv"][-1] == "commute_minutes"


def test_ids_and_formats(tables):
    assert all(re.fullmatch(r"TR-\d{6}", r["external_id"]) for r in tables["trainees.csv"])
    assert all(re.fullmatch(r"EM-\d{5}", r["external_id"]) for r in tables["employers.csv"])
    assert all(re.fullmatch(r"OP-\d{6}", r["external_id"]) for r in tables["openings.csv"])
    assert all(re.fullmatch(r"PL-\d{6}", r["external_id"]) for r in tables["placements.csv"])
    for name, rows in tables.items():
        ids = [r["external_id"] for r in rows] if "external_id" in rows[0] else []
        assert len(ids) == len(set(ids)), name
    bools = {"true", "false"}
    for r in tables["trainees.csv"]:
        for col in ("willing_to_relocate", "night_shift_ok", "has_dependents", "is_survivor"):
            assert r[col] in bools
        assert re.fullmatch(r"-?\d+\.\d{4}", r["lat"]) and re.fullmatch(r"-?\d+\.\d{4}", r["lon"])
        assert re.fullmatch(r"[01]\.\d{2}", r["attendance_rate"])
        assert set(r["languages"].split(";")) <= {"bn", "hi", "en", "ne"} and r["languages"]
        assert r["education"] in {"none", "primary", "secondary", "higher_secondary", "graduate"}
        assert re.fullmatch(r"(KOL|NB)-\d{4}-\d{2}", r["cohort"])
        for part in r["skills"].split(";"):
            label, level = part.rsplit(":", 1)
            assert label and level in {"1", "2", "3"}
    for r in tables["followups.csv"]:
        assert r["employed"] in bools and r["risk_flag"] in bools and r["wellbeing"] in set("12345")
    for r in tables["market_signals.csv"]:
        assert re.fullmatch(r"\d{4}-\d{2}", r["period"]) and r["source"] in {"job_board", "employer_survey"}


def test_references_resolve(tables):
    trainees = {r["external_id"] for r in tables["trainees.csv"]}
    employers = {r["external_id"] for r in tables["employers.csv"]}
    openings = {r["external_id"]: r for r in tables["openings.csv"]}
    placements = {r["external_id"] for r in tables["placements.csv"]}
    assert all(r["employer_external_id"] in employers for r in openings.values())
    for r in tables["placements.csv"]:
        assert r["trainee_external_id"] in trainees
        assert openings[r["opening_external_id"]]["status"] == "closed"
    assert all(r["placement_external_id"] in placements for r in tables["followups.csv"])
    for r in tables["trainees.csv"]:
        assert all(e in employers for e in r["excluded_employers"].split(";") if e)


def test_districts_are_gazetteer_names(tables, site):
    names = {d.name for d in site.gazetteer.districts}
    for name in ("trainees.csv", "employers.csv", "openings.csv", "market_signals.csv"):
        assert {r["district"] for r in tables[name]} <= names, name
    for r in tables["trainees.csv"]:
        assert all(d in names for d in r["excluded_districts"].split(";") if d)
        assert r["district"] not in r["excluded_districts"].split(";")
    partners = Counter((r["partner_org"], r["district"]) for r in tables["trainees.csv"])
    kolkata = {"Kolkata", "Howrah", "North 24 Parganas", "South 24 Parganas", "Hooghly"}
    assert all((p == "kolkata_metro") == (d in kolkata) for p, d in partners)


def test_coordinates_are_near_the_district_headquarters(tables, site):
    hq = {d.name: (d.lat, d.lon) for d in site.gazetteer.districts}
    for name in ("trainees.csv", "employers.csv", "openings.csv"):
        for r in tables[name]:
            lat0, lon0 = hq[r["district"]]
            dy = (float(r["lat"]) - lat0) * 111.32
            dx = (float(r["lon"]) - lon0) * 111.32 * np.cos(np.radians(lat0))
            assert np.hypot(dx, dy) <= 12.5, (name, r["external_id"])


def test_followups_are_censored_and_consistent_with_ended_on(tables):
    placements = {r["external_id"]: r for r in tables["placements.csv"]}
    by_placement = defaultdict(list)
    for r in tables["followups.csv"]:
        by_placement[r["placement_external_id"]].append(r)
    for pid, p in placements.items():
        started = date.fromisoformat(p["started_on"])
        assert started < REF
        ended = date.fromisoformat(p["ended_on"]) if p["ended_on"] else None
        assert ended is None or started < ended <= REF
        rows = by_placement.get(pid, [])
        months = [int(r["month"]) for r in rows]
        assert months == [1, 3, 6, 12][: len(months)]
        checked = [date.fromisoformat(r["checked_on"]) for r in rows]
        assert checked == sorted(checked) and all(c <= REF for c in checked)
        assert all(c > started for c in checked)
        employed = [r["employed"] == "true" for r in rows]
        # once she has left, that follow-up is the last one
        assert all(employed[:-1])
        for c, e, r in zip(checked, employed, rows):
            if e:
                assert ended is None or ended > c
                assert int(r["monthly_wage_inr"]) > 0
            else:
                assert ended is not None and ended <= c
                assert r["monthly_wage_inr"] == ""
        # every follow-up due well before the reference date was done (unless she had left)
        if not rows or employed[-1]:
            next_month = [1, 3, 6, 12][len(months)] if len(months) < 4 else None
            if next_month is not None:
                assert started + timedelta(days=round(next_month * 30.44) + 11) > REF
    # wages drift up while she stays
    drift = [int(b["monthly_wage_inr"]) - int(a["monthly_wage_inr"])
             for rows in by_placement.values() for a, b in zip(rows, rows[1:]) if b["employed"] == "true"]
    assert drift and min(drift) >= 0 and np.mean(drift) > 0
    assert 0.005 < np.mean([r["risk_flag"] == "true" for r in tables["followups.csv"]]) < 0.05


def test_history_spans_three_years_and_status_agrees_with_it(tables):
    trainees = {r["external_id"]: r for r in tables["trainees.csv"]}
    placements = tables["placements.csv"]
    starts = [date.fromisoformat(p["started_on"]) for p in placements]
    assert min(starts) >= REF - timedelta(days=3 * 366) and min(starts) < REF - timedelta(days=900)
    assert len(placements) == len(trainees) // 2
    open_placement = {p["trainee_external_id"] for p in placements if not p["ended_on"]}
    assert open_placement == {t for t, r in trainees.items() if r["status"] == "placed"}
    with_history = {p["trainee_external_id"] for p in placements}
    assert not any(trainees[t]["status"] == "in_training" for t in with_history)
    per_trainee = Counter(p["trainee_external_id"] for p in placements)
    assert max(per_trainee.values()) <= 2
    by_trainee = defaultdict(list)
    for p in placements:
        by_trainee[p["trainee_external_id"]].append(p)
    for rows in by_trainee.values():
        if len(rows) == 2:  # her placements never overlap
            first, second = sorted(rows, key=lambda r: r["started_on"])
            assert first["ended_on"] and first["ended_on"] < second["started_on"]
    # an open placement is never at an excluded employer or in an excluded district
    openings = {r["external_id"]: r for r in tables["openings.csv"]}
    for p in placements:
        t = trainees[p["trainee_external_id"]]
        o = openings[p["opening_external_id"]]
        assert o["district"] not in t["excluded_districts"].split(";")
        if not p["ended_on"]:
            assert o["employer_external_id"] not in t["excluded_employers"].split(";")


def test_trainee_shares(tables, taxonomy):
    rows = tables["trainees.csv"]
    n = len(rows)

    def share(pred):
        return sum(1 for r in rows if pred(r)) / n

    assert 0.15 < share(lambda r: r["status"] == "in_training") < 0.25
    assert 0.03 < share(lambda r: r["status"] == "exited") < 0.08
    assert 0.12 < share(lambda r: r["status"] == "placed") < 0.35
    assert 0.40 < share(lambda r: r["status"] == "job_ready") < 0.70
    assert 0.06 < share(lambda r: r["willing_to_relocate"] == "true") < 0.15
    assert 0.18 < share(lambda r: r["night_shift_ok"] == "true") < 0.32
    assert 0.48 < share(lambda r: r["has_dependents"] == "true") < 0.62
    assert 0.10 < share(lambda r: r["excluded_employers"] != "") < 0.22
    assert 0.06 < share(lambda r: r["excluded_districts"] != "") < 0.14
    assert 0.53 < share(lambda r: r["is_survivor"] == "true") < 0.67
    assert 0.55 < share(lambda r: r["partner_org"] == "kolkata_metro") < 0.70
    assert share(lambda r: "bn" in r["languages"].split(";")) > 0.75
    hills = [r for r in rows if r["district"] in ("Darjeeling", "Kalimpong")]
    plains = [r for r in rows if r["district"] not in ("Darjeeling", "Kalimpong")]
    ne = lambda rs: np.mean(["ne" in r["languages"].split(";") for r in rs])  # noqa: E731
    assert ne(hills) > 0.4 > 0.1 > ne(plains)
    assert all(30 <= int(r["max_commute_minutes"]) <= 90 for r in rows)
    avail = [(date.fromisoformat(r["available_from"]) - REF).days for r in rows]
    assert min(avail) >= -60 and max(avail) <= 45
    assert {r["training_track"] for r in rows} <= set(taxonomy.occupations)
    # skills: the track's core skills with levels 1-3, mostly 2
    levels = Counter(p.rsplit(":", 1)[1] for r in rows for p in r["skills"].split(";"))
    assert levels["2"] == max(levels.values())
    counts = [len(r["skills"].split(";")) for r in rows]
    assert 3 <= np.mean(counts) <= 9


def test_expected_wage_around_the_semi_skilled_minimum(tables, site):
    zone = {d.name: d.zone for d in site.gazetteer.districts}
    ratios = [int(r["expected_wage_inr"]) / site.minimum_wages.minimum(
        skill_category="semi_skilled", zone=zone[r["district"]], on=REF) for r in tables["trainees.csv"]]
    assert 0.83 <= min(ratios) and max(ratios) <= 1.17 and abs(np.mean(ratios) - 1.0) < 0.03


def test_employers(tables, site, taxonomy):
    rows = tables["employers.csv"]
    assert len(rows) == 50  # max(20, 400 / 8)
    assert {r["sector"] for r in rows} == set(taxonomy.sectors)
    unvetted = [r for r in rows if r["vetted"] == "false"]
    assert 0.04 <= len(unvetted) / len(rows) <= 0.12 and all(r["vetted_on"] == "" for r in unvetted)
    ages = [(REF - date.fromisoformat(r["vetted_on"])).days for r in rows if r["vetted"] == "true"]
    stale = sum(a > 365 for a in ages) / len(rows)
    assert 0.04 <= stale <= 0.12 and min(ages) >= 0


def test_employer_names_are_obviously_synthetic(tables, site):
    places = sorted({re.escape(d.headquarters) for d in site.gazetteer.districts}, key=len, reverse=True)
    words = sorted({re.escape(w) for ws in (*EMPLOYER_WORDS.values(), DEFAULT_EMPLOYER_WORDS) for w in ws},
                   key=len, reverse=True)
    pattern = re.compile(rf"({'|'.join(places)}) ({'|'.join(words)}) \d+")
    names = [r["name"] for r in tables["employers.csv"]]
    assert all(pattern.fullmatch(n) for n in names), [n for n in names if not pattern.fullmatch(n)]
    assert len(set(names)) == len(names)


def test_no_personal_names_anywhere(bundle):
    # the only free text is employer names, titles and skill labels: none looks like "Firstname Lastname"
    text = "\n".join((bundle / name).read_text(encoding="utf-8") for name in BUNDLE_FILES)
    for word in ("Mrs", "Smt", "Shrimati", "Kumari", "Devi", "Begum", "Khatun", "Sk.", "Md."):
        assert not re.search(rf"\b{re.escape(word)}\b", text)


def test_open_openings(tables, site, taxonomy):
    zone = {d.name: d.zone for d in site.gazetteer.districts}
    employers = {r["external_id"]: r for r in tables["employers.csv"]}
    rows = [r for r in tables["openings.csv"] if r["status"] == "open"]
    assert len(rows) == 400
    posted = [(REF - date.fromisoformat(r["posted_on"])).days for r in rows]
    assert 0 <= min(posted) and max(posted) <= 60
    closes = np.array([(date.fromisoformat(r["closes_on"]) - REF).days for r in rows])
    assert 0.01 < np.mean(closes < 0) < 0.10 and np.mean((closes >= 15) & (closes <= 90)) > 0.88
    positions = Counter(int(r["positions"]) for r in rows)
    assert set(positions) <= {1, 2, 3, 4, 5} and positions[1] + positions[2] > 0.65 * len(rows)
    shifts = Counter(r["shift"] for r in rows)
    assert 0.07 < shifts["night"] / len(rows) < 0.18 and 0.04 < shifts["rotating"] / len(rows) < 0.13
    night = [r for r in rows if r["shift"] == "night"]
    assert 0.25 < np.mean([r["transport_provided"] == "false" for r in night]) < 0.75
    assert 0.05 < np.mean([r["accommodation_provided"] == "true" for r in rows]) < 0.16
    langs = Counter(r["languages_required"] for r in rows)
    assert (langs["bn"] + langs[""]) / len(rows) > 0.65
    below = []
    for r in rows:
        occ = taxonomy.occupations.get(r["occupation"])
        assert r["employer_external_id"] in employers
        assert r["sector"] == employers[r["employer_external_id"]]["sector"]
        assert r["district"] == employers[r["employer_external_id"]]["district"]
        if occ is None:
            continue
        assert occ.sector == r["sector"]
        minimum = site.minimum_wages.minimum(skill_category=occ.skill_category, zone=zone[r["district"]],
                                             on=date.fromisoformat(r["posted_on"]))
        ratio = int(r["monthly_wage_inr"]) / minimum
        below.append(ratio < 1.0)
        assert 0.75 <= ratio <= 1.41
        n_req = len(r["required_skills"].split(";"))
        assert 2 <= n_req <= 5
    assert 0.03 < np.mean(below) < 0.12
    labels = Counter("code" if r["occupation"] in taxonomy.occupations else "other" for r in rows)
    assert 0.7 < labels["code"] / len(rows) < 0.9


def test_labels_are_mostly_known_with_synonyms_and_rare_unknowns(tables, taxonomy):
    from matching.skills import SkillNormaliser, parse_skill_list

    skills = SkillNormaliser(taxonomy, kind="skill")
    occupations = SkillNormaliser(taxonomy, kind="occupation")
    names = {s.name for s in taxonomy.skills.values()}
    methods = Counter()
    labels = [label for r in tables["trainees.csv"] for label, _ in parse_skill_list(r["skills"])]
    labels += [label for r in tables["openings.csv"] for label, _ in parse_skill_list(r["required_skills"])]
    for label in labels:
        match = skills.match(label)
        methods["unknown" if match.code is None else "name" if label in names else "other"] += 1
    n = len(labels)
    assert 0.002 < methods["unknown"] / n < 0.03
    assert 0.55 < methods["name"] / n < 0.8 and methods["other"] / n > 0.15
    assert all(occupations.match(r["occupation"]).code for r in tables["openings.csv"])


def test_market_signals(tables, taxonomy, site):
    rows = tables["market_signals.csv"]
    periods = sorted({r["period"] for r in rows})
    assert len(periods) == 36 and periods[-1] == "2026-10" and periods[0] == "2023-11"
    series = defaultdict(list)
    for r in rows:
        series[(r["district"], r["occupation"])].append(r)
        assert int(r["postings"]) >= 0 and r["occupation"] in taxonomy.occupations
    combos = len(site.gazetteer.districts) * len(taxonomy.trades)
    assert 0.3 < len(series) / combos < 0.5
    assert 0.01 < 1 - len(rows) / (36 * len(series)) < 0.12
    assert all(len({r["source"] for r in rs}) == 1 for rs in series.values())
    assert any(min(r["period"] for r in rs) > "2024-04" for rs in series.values())


@pytest.mark.parametrize("sector", ["apparel", "retail", "hospitality"])
def test_durga_puja_peak(tables, taxonomy, sector):
    totals = Counter()
    for r in tables["market_signals.csv"]:
        if taxonomy.occupations[r["occupation"]].sector == sector:
            totals[r["period"]] += int(r["postings"])
    for year in ("2024", "2025", "2026"):
        months = {p: v for p, v in totals.items() if p.startswith(year)}
        mean = np.mean(list(months.values()))
        assert months[f"{year}-09"] > mean and months[f"{year}-10"] > 1.2 * mean


def test_wedding_season_bump_for_beauty(tables, taxonomy):
    totals = defaultdict(int)
    for r in tables["market_signals.csv"]:
        if taxonomy.occupations[r["occupation"]].sector == "beauty_wellness":
            totals[int(r["period"][5:])] += int(r["postings"])
    winter = np.mean([totals[m] for m in (11, 12, 1)])
    summer = np.mean([totals[m] for m in (5, 6, 7)])
    assert winter > 1.1 * summer


def test_shipped_demo_bundle_equals_a_fresh_generation(tmp_path):
    assert DEMO_DIR.is_dir(), "data/demo is missing: regenerate it with generate_bundle(data/demo, seed=7, ...)"
    generate_bundle(tmp_path, **DEMO_ARGS)
    fresh, shipped = _bytes(tmp_path), _bytes(DEMO_DIR)
    shipped = {k: v for k, v in shipped.items() if k in fresh or k.endswith(".csv") or k.startswith("_truth/")}
    assert fresh.keys() == shipped.keys()
    for name in fresh:
        assert fresh[name] == shipped[name], f"data/demo/{name} differs from a fresh generation"
    assert sum(len(v) for v in shipped.values()) < 1_500_000
