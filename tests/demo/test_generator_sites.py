"""The generator on other sites than West Bengal: Cambodia's bundle (neutral money columns, Khmer labels, its
provinces and partners) and a made-up site with no programme profile of its own."""

from __future__ import annotations

import csv
import filecmp
import json
import shutil
from pathlib import Path

import pytest

from demo.generator import BUNDLE_FILES, bundle_columns, generate_bundle
from demo.profiles import CAMBODIA
from demo.truth import TruthModel
from matching.reference import default_data_dir, load_site, load_taxonomy
from matching.skills import SkillNormaliser, parse_skill_list

DATA = default_data_dir()
SHIPPED = DATA / "demo-cambodia"


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cambodia")
    truth = json.loads((SHIPPED / "_truth" / "truth.json").read_text(encoding="utf-8"))["generator"]
    generate_bundle(out, seed=truth["seed"], trainees=truth["trainees"], openings=truth["openings"],
                    site="cambodia")
    return out


def test_the_shipped_cambodia_bundle_is_what_the_generator_writes(bundle: Path) -> None:
    names = [*BUNDLE_FILES, "_truth/truth.json", "_truth/journeys.csv", "_truth/journeys.json"]
    match, mismatch, errors = filecmp.cmpfiles(bundle, SHIPPED, names, shallow=False)
    assert (mismatch, errors) == ([], [])


def test_money_columns_take_their_neutral_names(bundle: Path) -> None:
    for name, columns in BUNDLE_FILES.items():
        header = next(csv.reader(open(bundle / name, encoding="utf-8")))
        assert tuple(header) == bundle_columns(columns, neutral_money=True)
        assert not any(column.endswith("_inr") for column in header)


def test_the_bundle_reads_against_the_cambodia_reference(bundle: Path) -> None:
    taxonomy = load_taxonomy(DATA / "taxonomy.json")
    site = load_site(DATA / "sites" / "cambodia", taxonomy=taxonomy)
    skills = SkillNormaliser(taxonomy, kind="skill", site=site)
    occupations = SkillNormaliser(taxonomy, kind="occupation", site=site)
    trainees, openings = _read(bundle / "trainees.csv"), _read(bundle / "openings.csv")
    employers = _read(bundle / "employers.csv")
    for row in [*trainees, *openings, *employers]:
        assert site.gazetteer.resolve(row["district"]) is not None, row["district"]
    assert {row["partner_org"] for row in trainees} == set(site.training_centres)
    assert {row["languages"] for row in trainees} <= {"km", "en", "km;en"}
    known_unknown = set(CAMBODIA.unknown_skill_labels)
    khmer = 0
    for text in [row["skills"] for row in trainees] + [row["required_skills"] for row in openings]:
        for label, _ in parse_skill_list(text):
            assert skills.match(label).matched or label in known_unknown, label
            khmer += any("\u1780" <= ch <= "\u17ff" for ch in label)
    assert khmer > 50  # a Cambodian bundle writes some skills in Khmer
    for row in openings:
        assert occupations.match(row["occupation"]).matched, row["occupation"]
        assert 100 < int(row["monthly_wage"]) < 400  # US dollars a month
    assert {row["sector"] for row in openings} <= {s for s, w in CAMBODIA.sector_weights.items() if w > 0}


def test_below_minimum_openings_in_the_truth_follow_the_sector(bundle: Path) -> None:
    truth = TruthModel.load(bundle)
    assert truth.minimum_wage("semi_skilled", "KH", "2026-06-01", "apparel") == 210
    assert truth.minimum_wage("semi_skilled", "KH", "2024-06-01", "retail") == 204
    rows = _read(bundle / "openings.csv")
    below = [truth.is_below_minimum(r["occupation"], r["district"], float(r["monthly_wage"]), r["posted_on"])
             for r in rows]
    assert 0 < sum(below) < len(rows) / 4


def test_a_site_without_a_profile_of_its_own(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "sites").mkdir(parents=True)
    shutil.copy(DATA / "taxonomy.json", data / "taxonomy.json")
    folder = data / "sites" / "lakeland"
    shutil.copytree(DATA / "sites" / "cambodia", folder)
    doc = json.loads((folder / "site.json").read_text(encoding="utf-8"))
    doc.update(code="lakeland", name="Lakeland")
    (folder / "site.json").write_text(json.dumps(doc), encoding="utf-8")
    counts = generate_bundle(tmp_path / "out", seed=1, trainees=200, openings=40, data_dir=data, site="lakeland")
    assert counts["trainees.csv"] == 200
    trainees = _read(tmp_path / "out" / "trainees.csv")
    assert {row["partner_org"] for row in trainees} == {"phnom_penh_partner", "siem_reap_partner"}
    assert "expected_wage" in trainees[0]
