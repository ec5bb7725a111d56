"""The second, differently shaped truth (``truth="interactions"``) and the journeys of the demo world."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from demo import BUNDLE_FILES, TruthModel, generate_bundle
from demo.journeys import JourneyWorld, read_recorded_journeys
from demo.truth_interactions import INTERACTION_FEATURES, InteractionsTruth
from matching.commute import commute_minutes
from matching.geo import haversine_km
from matching.reference import default_data_dir, load_site

REF = date(2026, 11, 1)
HIDDEN = {"_truth/truth.json", "_truth/journeys.json", "_truth/journeys.csv"}


def read(bundle: Path, name: str) -> list[dict[str, str]]:
    with open(bundle / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def by_id(bundle: Path, name: str) -> dict[str, dict[str, str]]:
    return {r["external_id"]: r for r in read(bundle, name)}


def _bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def site():
    return load_site(default_data_dir() / "sites" / "west_bengal")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("interactions") / "bundle"
    generate_bundle(out, seed=21, trainees=2000, openings=400, truth="interactions")
    return out


@pytest.fixture(scope="module")
def truth(bundle) -> InteractionsTruth:
    loaded = TruthModel.load(bundle)
    assert isinstance(loaded, InteractionsTruth)
    return loaded


@pytest.fixture(scope="module")
def rows(bundle):
    return {"trainees": by_id(bundle, "trainees.csv"), "openings": by_id(bundle, "openings.csv"),
            "employers": by_id(bundle, "employers.csv"), "placements": read(bundle, "placements.csv")}


@pytest.fixture(scope="module")
def placement_probabilities(rows, truth) -> np.ndarray:
    t, o, e = rows["trainees"], rows["openings"], rows["employers"]
    return np.array([truth.pair_probability_from_rows(t[p["trainee_external_id"]], o[p["opening_external_id"]],
                                                      e[o[p["opening_external_id"]]["employer_external_id"]])
                     for p in rows["placements"]])


# ------------------------------------------------------------------ the parameter


def test_same_people_another_truth_and_each_is_reproducible(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate_bundle(a, seed=3, trainees=150, openings=40, truth="interactions")
    generate_bundle(b, seed=3, trainees=150, openings=40, truth="interactions")
    generate_bundle(c, seed=3, trainees=150, openings=40)
    files_a, files_b, files_c = _bytes(a), _bytes(b), _bytes(c)
    assert set(files_a) == set(files_c) == {*BUNDLE_FILES, *HIDDEN}
    assert files_a == files_b
    # the same employers and openings; only what the truth shapes differs
    assert files_a["employers.csv"] == files_c["employers.csv"]
    assert files_a["openings.csv"] == files_c["openings.csv"]
    assert files_a["_truth/truth.json"] != files_c["_truth/truth.json"]
    assert files_a["placements.csv"] != files_c["placements.csv"]
    assert json.loads(files_a["_truth/truth.json"])["form"] == "interactions"
    assert "form" not in json.loads(files_c["_truth/truth.json"])  # the default's file is as it always was


def test_unknown_truth_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown truth 'linear': choose one of additive, interactions"):
        generate_bundle(tmp_path, seed=3, trainees=50, openings=10, truth="linear")


def test_no_personal_names_in_the_hidden_files(bundle):
    params = json.loads((bundle / "_truth" / "truth.json").read_text(encoding="utf-8"))
    assert all(key.startswith("TR-") for key in params["commute_tolerance"])
    assert all(key.startswith("TR-") for key in params["true_skills"])
    journeys = json.loads((bundle / "_truth" / "journeys.json").read_text(encoding="utf-8"))
    assert all(key.startswith("TR-") for key in journeys["pace"])
    assert {"pace", "district_area", "hill_districts", "model"} == set(journeys) - {"description"}


# ------------------------------------------------------------------ what the second truth hides


def test_a_share_of_recorded_skill_levels_is_one_off(bundle, rows, truth):
    mislabelled = truth.true_skills
    share = len(mislabelled) / len(rows["trainees"])
    assert 0.11 <= share <= 0.19
    for trainee_id, true_text in mislabelled.items():
        recorded = truth.skill_levels(rows["trainees"][trainee_id]["skills"])
        true = truth.skill_levels(true_text)
        assert recorded.keys() == true.keys()
        assert all(abs(recorded[code] - true[code]) == 1 for code in true)


def test_each_woman_bears_her_own_journey_length(rows, truth):
    ids = list(rows["trainees"])
    stated = np.array([float(rows["trainees"][i]["max_commute_minutes"]) for i in ids])
    tolerance = np.array([truth.commute_tolerance[i] for i in ids])
    ratio = np.log(tolerance / stated)
    assert 0.25 < ratio.std() < 0.45
    assert abs(np.median(ratio)) < 0.1
    assert np.corrcoef(stated, tolerance)[0, 1] > 0.3


def test_employers_differ_in_how_long_women_stay(truth):
    effects = np.array(list(truth.employer_effects.values()))
    assert effects.std() > 0.55


def _base(n: int = 1, **changes) -> dict[str, np.ndarray]:
    base = {
        "skill_fit": 0.8, "commute_km": 8.0, "wage_ratio": 1.0, "night": 0.0, "rotating": 0.0, "transport": 0.0,
        "accommodation": 0.0, "has_dependents": 1.0, "night_shift_ok": 1.0, "willing_to_relocate": 0.0,
        "preferred_sector_match": 1.0, "attendance_rate": 0.8, "unvetted": 0.0, "below_minimum": 0.0,
        "employer_effect": 0.0, "journey_minutes": 40.0, "commute_tolerance": 60.0,
    }
    assert set(base) == set(INTERACTION_FEATURES)
    base.update(changes)
    return {k: np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy() for k, v in base.items()}


def test_pay_matters_through_her_skill(truth):
    logit = truth.linear_predictor
    fit = np.array([0.55, 1.0])
    gain = logit(_base(2, skill_fit=fit, wage_ratio=1.4)) - logit(_base(2, skill_fit=fit))
    assert gain[1] > 1.5 * gain[0] > 0


def test_below_half_the_skills_she_leaves_fast(truth):
    p = truth.probability_from_features(_base(5, skill_fit=np.array([0.1, 0.3, 0.5, 0.7, 0.9])))
    steps = np.diff(p)
    assert (steps > 0).all()
    assert steps[0] > 1.5 * steps[3] and steps[1] > 1.5 * steps[2]


def test_odd_hours_drive_out_women_with_caring_duties(truth):
    p = truth.probability_from_features
    deps = np.array([0.0, 1.0])
    drop = p(_base(2, has_dependents=deps, transport=1.0)) - p(_base(2, has_dependents=deps, transport=1.0, night=1.0))
    assert drop[1] > 0.1
    assert drop[0] < 0.02


def test_the_journey_counts_against_her_own_tolerance(truth):
    p = truth.probability_from_features
    same_journey = p(_base(2, journey_minutes=70.0, commute_tolerance=np.array([90.0, 45.0])))
    assert same_journey[0] - same_journey[1] > 0.15
    within = p(_base(2, journey_minutes=np.array([30.0, 40.0]), commute_tolerance=90.0))
    assert 0 < within[0] - within[1] < 0.05
    # employer accommodation: no daily journey
    housed = p(_base(2, journey_minutes=np.array([30.0, 200.0]), accommodation=1.0, willing_to_relocate=1.0))
    assert housed[0] == pytest.approx(housed[1])


def test_vectorised_and_row_paths_agree(rows, truth, placement_probabilities):
    placements = rows["placements"][:150]
    t_rows = [rows["trainees"][p["trainee_external_id"]] for p in placements]
    o_rows = [rows["openings"][p["opening_external_id"]] for p in placements]
    trainees = {k: np.array([r[k] for r in t_rows]) for k in t_rows[0]}
    openings = {k: np.array([r[k] for r in o_rows]) for k in o_rows[0]}
    for k in ("lat", "lon", "expected_wage_inr", "attendance_rate"):
        trainees[k] = trainees[k].astype(float)
    for k in ("lat", "lon", "monthly_wage_inr"):
        openings[k] = openings[k].astype(float)
    vector = truth.retention_probability(trainees, openings)
    np.testing.assert_allclose(vector, placement_probabilities[:150], rtol=1e-12)
    features = truth.pair_features(trainees, openings)
    assert set(features) == set(INTERACTION_FEATURES)
    np.testing.assert_allclose(truth.probability_from_features(features), vector, rtol=1e-12)
    without_ids = {k: v for k, v in trainees.items() if k != "external_id"}
    with pytest.raises(KeyError, match="external_id"):
        truth.retention_probability(without_ids, openings)


# ------------------------------------------------------------------ the history it generated


def test_observed_12_month_retention_matches_the_truth(bundle, rows, placement_probabilities):
    followups = defaultdict(list)
    for r in read(bundle, "followups.csv"):
        followups[r["placement_external_id"]].append(r)
    stayed, probs = [], []
    for p, prob in zip(rows["placements"], placement_probabilities):
        if date.fromisoformat(p["started_on"]) > REF - timedelta(days=380):
            continue
        last = followups[p["external_id"]][-1]
        stayed.append(last["month"] == "12" and last["employed"] == "true")
        probs.append(prob)
    assert len(stayed) > 500
    assert abs(np.mean(stayed) - np.mean(probs)) < 0.05
    assert 0.45 <= np.mean(probs) <= 0.65


def _placed(bundle: Path, truth: TruthModel, site) -> tuple[np.ndarray, np.ndarray]:
    """What coordinators could read of every past placement: the skill fit (recorded levels), and whether the
    estimated journey was within her stated limit (placements without accommodation)."""
    t, o = by_id(bundle, "trainees.csv"), by_id(bundle, "openings.csv")
    placed = [(t[p["trainee_external_id"]], o[p["opening_external_id"]]) for p in read(bundle, "placements.csv")]
    fit = np.array([truth.skill_fit(a["skills"], b["required_skills"]) for a, b in placed])
    daily = [(a, b) for a, b in placed if b["accommodation_provided"] == "false"]
    km = np.array([haversine_km(float(a["lat"]), float(a["lon"]), float(b["lat"]), float(b["lon"])) for a, b in daily])
    area = {d.name: d.area_type for d in site.gazetteer.districts}
    estimate = commute_minutes(km, np.array([area[a["district"]] for a, _ in daily], dtype=object),
                               np.array([area[b["district"]] for _, b in daily], dtype=object))
    return fit, estimate <= np.array([float(a["max_commute_minutes"]) for a, _ in daily])


def test_coordinators_placed_mostly_pairs_the_prior_favours(bundle, rows, truth, site, tmp_path):
    fit, within = _placed(bundle, truth, site)
    t, o = rows["trainees"], rows["openings"]
    rng = np.random.default_rng(3)
    open_ids = [i for i, r in o.items() if r["status"] == "open"]
    some = zip(rng.choice(list(t), 2000), rng.choice(open_ids, 2000))
    random_fit = np.array([truth.skill_fit(t[a]["skills"], o[b]["required_skills"]) for a, b in some])
    assert fit.mean() > 0.65 > 0.2 > random_fit.mean()
    assert (fit < 0.5).mean() < 0.25
    assert within.mean() > 0.65
    # more selected than the default truth's history of the same programme
    generate_bundle(tmp_path, seed=21, trainees=2000, openings=400)
    default_fit, default_within = _placed(tmp_path, truth, site)
    assert fit.mean() > default_fit.mean() + 0.1
    assert (fit < 0.5).mean() < (default_fit < 0.5).mean() - 0.1
    assert within.mean() > default_within.mean() + 0.1


# ------------------------------------------------------------------ journeys (both truths)


def test_journeys_are_recorded_for_placements_she_travelled_to(bundle, rows):
    recorded = read_recorded_journeys(bundle)
    placements = {p["external_id"]: p for p in rows["placements"]}
    daily = {i for i, p in placements.items()
             if rows["openings"][p["opening_external_id"]]["accommodation_provided"] == "false"}
    assert {r["placement_external_id"] for r in recorded} == daily
    for r in recorded:
        p = placements[r["placement_external_id"]]
        assert (r["trainee_external_id"], r["opening_external_id"]) == (p["trainee_external_id"],
                                                                        p["opening_external_id"])
        assert int(r["journey_minutes"]) % 5 == 0 and int(r["journey_minutes"]) >= 5


def test_recorded_journeys_follow_the_world_not_the_fixed_formula(bundle, rows, site):
    world = JourneyWorld.load(bundle)
    recorded = read_recorded_journeys(bundle)
    t = [rows["trainees"][r["trainee_external_id"]] for r in recorded]
    o = [rows["openings"][r["opening_external_id"]] for r in recorded]

    def col(items, key, kind=float):
        return np.array([kind(x[key]) for x in items], dtype=object if kind is str else float)

    true = world.minutes(col(t, "external_id", str), col(t, "lat"), col(t, "lon"), col(t, "district", str),
                         col(o, "lat"), col(o, "lon"), col(o, "district", str))
    minutes = np.array([float(r["journey_minutes"]) for r in recorded])
    short = true > 20  # rounding to 5 minutes dominates the shortest journeys
    assert 0.95 < np.median(minutes[short] / true[short]) < 1.05
    assert 0.08 < np.std(np.log(minutes[short] / true[short])) < 0.2
    area = {d.name: d.area_type for d in site.gazetteer.districts}
    km = haversine_km(col(t, "lat"), col(t, "lon"), col(o, "lat"), col(o, "lon"))
    estimate = commute_minutes(km, np.array([area[x["district"]] for x in t], dtype=object),
                               np.array([area[x["district"]] for x in o], dtype=object))
    assert np.median(estimate - minutes) < -3  # the formula knows neither the waits, the hills nor her pace


def test_a_slower_pace_and_the_hills_make_journeys_longer():
    world = JourneyWorld(district_area={"Hooghly": "urban", "Darjeeling": "urban"}, hill_districts=["Darjeeling"],
                         pace={"TR-000001": 1.0, "TR-000002": 1.3})
    ids = np.array(["TR-000001", "TR-000002", "TR-000001", "TR-009999"], dtype=object)
    districts = np.array(["Hooghly", "Hooghly", "DARJEELING", "Nowhere"], dtype=object)
    lat, lon = np.full(4, 22.9), np.full(4, 88.4)
    minutes = world.minutes(ids, lat, lon, districts, lat + 0.09, lon, districts)
    assert minutes[1] == pytest.approx(1.3 * minutes[0])
    assert minutes[2] > 1.3 * minutes[0]  # hill roads wind: a longer detour for the same straight line
    assert minutes[3] == pytest.approx(minutes[0])  # unknown district: urban; unknown woman: the typical pace
