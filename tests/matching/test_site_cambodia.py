"""The Cambodia site: its provinces, its wages (the garment sector's legal minimum and the programme's floor
elsewhere), its Khmer labels; and a third, made-up site read from its files alone."""

from __future__ import annotations

import csv
import datetime
import json
from pathlib import Path

import pytest

from matching.engine import MatchEngine
from matching.reference import (
    ReferenceDataError,
    Site,
    Taxonomy,
    available_sites,
    default_data_dir,
    load_site,
    load_taxonomy,
)
from matching.safety import RuleViolation
from matching.skills import SkillNormaliser
from matching.tables import OpeningTable, TraineeTable

DATA = default_data_dir()
FOLDER = DATA / "sites" / "cambodia"
TAXONOMY: Taxonomy = load_taxonomy(DATA / "taxonomy.json")
SITE: Site = load_site(FOLDER, taxonomy=TAXONOMY)
AS_OF = datetime.date(2026, 3, 1)


def _rows(name: str) -> list[dict[str, str]]:
    with open(FOLDER / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_site_metadata() -> None:
    assert (SITE.code, SITE.country, SITE.currency, SITE.currency_symbol, SITE.timezone) == (
        "cambodia", "KH", "USD", "$", "Asia/Phnom_Penh")
    assert SITE.languages == ("km", "en")
    assert SITE.relocation_across_sites is False
    assert "cambodia" in available_sites(DATA)
    assert set(SITE.training_centres) == {"phnom_penh_partner", "siem_reap_partner"}


def test_the_capital_and_24_provinces() -> None:
    names = {d.name for d in SITE.gazetteer}
    assert len(SITE.gazetteer) == 25
    assert {"Phnom Penh", "Tboung Khmum", "Kep", "Pailin", "Oddar Meanchey", "Preah Sihanouk"} <= names
    for district in SITE.gazetteer:
        # every provincial capital lies within Cambodia's bounding box
        assert 10.0 < district.lat < 14.7 and 102.3 < district.lon < 107.7, district.code
    assert SITE.gazetteer.get("Phnom Penh").area_type == "metro"
    assert SITE.gazetteer.get("Tboung Khmum").headquarters == "Suong"
    assert SITE.gazetteer.nearest(13.36, 103.86).code == "siem_reap"


@pytest.mark.parametrize("row", _rows("gazetteer.csv"), ids=lambda row: row["code"])
def test_every_province_resolves_by_code_name_and_alias(row: dict[str, str]) -> None:
    for text in (row["code"], row["name"], row["name"].upper(), *row["aliases"].split(";")):
        assert SITE.gazetteer.resolve(text).code == row["code"], text


@pytest.mark.parametrize("text, code", [
    ("Kompong Cham", "kampong_cham"), ("Sihanoukville", "preah_sihanouk"), ("Siemreap", "siem_reap"),
    ("ភ្នំពេញ", "phnom_penh"), ("Takeo", "takeo"), ("Kratie", "kratie"), ("Tbong Khmum", "tboung_khmum"),
])
def test_common_spellings(text: str, code: str) -> None:
    assert SITE.gazetteer.resolve(text).code == code


# --------------------------------------------------------------------------- wages

def test_the_garment_minimum_is_statutory_and_elsewhere_the_programme_floor_holds() -> None:
    wages = SITE.minimum_wages
    garment = wages.rate(skill_category="semi_skilled", zone="KH", on=AS_OF, sector="apparel")
    assert (garment.monthly_wage, garment.kind, garment.sector) == (210, "statutory", "apparel")
    assert "garment" in garment.notification
    retail = wages.rate(skill_category="semi_skilled", zone="KH", on=AS_OF, sector="retail")
    assert (retail.monthly_wage, retail.kind, retail.sector) == (210, "programme_floor", None)
    assert not retail.is_statutory
    assert wages.minimum(skill_category="unskilled", zone="KH", on=datetime.date(2025, 6, 1), sector="apparel") == 208
    assert wages.minimum(skill_category="skilled", zone="KH", on=datetime.date(2024, 6, 1), sector="apparel") == 204
    assert wages.sectors() == ("apparel",)


CASHIER = {"external_id": "O1", "employer_external_id": "E1", "title": "Cashier", "occupation": "cashier",
           "occupation_code": "cashier", "sector": "retail", "required_skills": [], "district": "Phnom Penh",
           "monthly_wage": 230, "positions": 1, "shift": "day", "status": "open",
           "posted_on": datetime.date(2026, 2, 1), "closes_on": datetime.date(2026, 3, 31)}
SEWING = dict(CASHIER, title="Sewing machine operator", occupation="sewing_machine_operator",
              occupation_code="sewing_machine_operator", sector="apparel")
TRAINEE = {"external_id": "T1", "status": "job_ready", "district": "Phnom Penh", "max_commute_minutes": 90,
           "night_shift_ok": False, "willing_to_relocate": False, "excluded_employers": [],
           "excluded_districts": [], "skills": [{"label": "ការលក់", "skill": "pos_billing", "level": 2},
                                                {"label": "cash", "skill": "cash_handling", "level": 2},
                                                {"label": "ដេរម៉ាស៊ីន", "skill": "machine_stitching", "level": 2},
                                                {"label": "overlock", "skill": "overlock_operation", "level": 2},
                                                {"label": "cutting", "skill": "measurement_cutting", "level": 2}]}


def _wage_violations(opening: dict) -> list[RuleViolation]:
    employers = {"E1": {"vetted": True, "vetted_on": datetime.date(2025, 9, 1)}}
    trainees = TraineeTable.from_records([TRAINEE], taxonomy=TAXONOMY, site=SITE)
    openings = OpeningTable.from_records([opening], employers=employers, taxonomy=TAXONOMY, site=SITE)
    engine = MatchEngine(taxonomy=TAXONOMY, site=SITE)
    [match] = engine.rank_openings(trainees, 0, openings, as_of=AS_OF, include_blocked=True)
    return [v for v in match.blocked_by if v.code == "below_minimum_wage"]


def test_a_garment_job_below_the_legal_minimum_is_refused_with_the_law_as_reason() -> None:
    assert _wage_violations(dict(SEWING, monthly_wage=210)) == []
    [violation] = _wage_violations(dict(SEWING, monthly_wage=205))
    assert violation.sentence.startswith("$205 a month is below the legal minimum of $210 for the Apparel &"
                                         " garments sector (Ministry of Labour and Vocational Training:")
    assert violation.sentence.endswith("in force from 2026-01-01)")


def test_a_retail_job_below_the_programme_floor_is_refused_with_the_floor_as_reason() -> None:
    assert _wage_violations(dict(CASHIER, monthly_wage=210)) == []
    assert _wage_violations(dict(CASHIER, monthly_wage=209)) == [RuleViolation(
        "below_minimum_wage", "$209 a month is below the programme's floor of $210 (no legal minimum applies to"
                              " Retail jobs; in force from 2026-01-01)")]


# --------------------------------------------------------------------------- Khmer labels

def _used_codes() -> set[str]:
    """The skills and occupations the Cambodia demo programme writes."""
    from demo.world import _load_reference
    ref = _load_reference(DATA, datetime.date(2026, 11, 1), "cambodia")
    skills = {ref.skills[i] for core in ref.occ_core for i, _ in core}
    skills |= {ref.skills[i] for i in ref.life_skills.tolist()}
    skills |= {ref.skills[i] for related in ref.skill_related for i, _ in related}
    return skills | set(ref.occupations)


def test_every_skill_and_occupation_of_the_demo_has_a_khmer_label() -> None:
    labelled = {label.code for label in SITE.skill_labels if label.language == "km"}
    assert _used_codes() <= labelled
    [label] = SITE.labels_for("machine_stitching", "km")
    assert (label.label, label.transliteration) == ("ដេរម៉ាស៊ីន", "der masin")


@pytest.mark.parametrize("text", ["ដេរម៉ាស៊ីន", "der masin", "Der Masin", "Machine stitching"])
def test_khmer_label_and_transliteration_name_the_skill(text: str) -> None:
    assert SkillNormaliser(TAXONOMY, kind="skill", site=SITE).match(text).code == "machine_stitching"


def test_khmer_occupation_labels() -> None:
    occupations = SkillNormaliser(TAXONOMY, kind="occupation", site=SITE)
    assert occupations.match("អ្នករត់តុ").code == "fnb_service_associate"
    assert occupations.match("belakar").code == "cashier"
    # without the site, the Khmer label is unknown
    assert SkillNormaliser(TAXONOMY, kind="skill").match("ដេរម៉ាស៊ីន").code is None


# --------------------------------------------------------------------------- West Bengal is unchanged

def test_west_bengal_has_one_statutory_layer_and_no_labels() -> None:
    west_bengal = load_site(DATA / "sites" / "west_bengal", taxonomy=TAXONOMY)
    assert west_bengal.skill_labels == ()
    assert west_bengal.minimum_wages.sectors() == ()
    rate = west_bengal.minimum_wages.rate(skill_category="semi_skilled", zone="A", on=AS_OF, sector="apparel")
    assert (rate.monthly_wage, rate.kind, rate.sector) == (11363, "statutory", None)


# --------------------------------------------------------------------------- a third site from files alone

def _third_site(root: Path, wages: str, labels: str) -> Path:
    folder = root / "sites" / "lakeland"
    folder.mkdir(parents=True)
    (folder / "site.json").write_text(json.dumps({
        "code": "lakeland", "name": "Lakeland", "country": "ZZ", "currency": "XTS", "currency_symbol": "¤",
        "timezone": "Africa/Nairobi", "gazetteer": "districts.csv", "minimum_wages": "wages.csv",
        "skill_labels": "labels.csv", "languages": ["sw", "en"]}), encoding="utf-8")
    (folder / "districts.csv").write_text(
        "code,name,aliases,headquarters,lat,lon,zone,area_type\n"
        "north_shore,North Shore,Kaskazini,Port North,-1.00,33.00,U,urban\n"
        "south_hills,South Hills,,Hilltown,-2.00,34.00,R,rural\n", encoding="utf-8")
    (folder / "wages.csv").write_text(wages, encoding="utf-8")
    (folder / "labels.csv").write_text(labels, encoding="utf-8")
    return folder


WAGES = ("effective_from,notification,skill_category,zone,monthly_wage,sector,kind\n"
         "2025-01-01,Made-up wage order for hotels,unskilled,U,900,hospitality,statutory\n"
         "2025-01-01,Made-up wage order for hotels,unskilled,R,800,hospitality,\n"
         "2025-01-01,The programme's floor,unskilled,U,700,,programme_floor\n"
         "2025-01-01,The programme's floor,unskilled,R,650,,programme_floor\n")
LABELS = "code,language,label,transliteration\ncooking,sw,upishi,\nkitchen_helper,sw,msaidizi jikoni,\n"


def test_a_third_site_from_files_alone(tmp_path: Path) -> None:
    site = load_site(_third_site(tmp_path, WAGES, LABELS), taxonomy=TAXONOMY)
    assert available_sites(tmp_path) == ("lakeland",)
    assert site.gazetteer.get("Kaskazini").code == "north_shore"
    on = datetime.date(2025, 6, 1)
    hotel = site.minimum_wages.rate(skill_category="unskilled", zone="R", on=on, sector="hospitality")
    assert (hotel.monthly_wage, hotel.kind) == (800, "statutory")  # an empty kind is statutory
    shop = site.minimum_wages.rate(skill_category="unskilled", zone="U", on=on, sector="retail")
    assert (shop.monthly_wage, shop.kind) == (700, "programme_floor")
    assert SkillNormaliser(TAXONOMY, site=site).match("Upishi").code == "cooking"
    assert SkillNormaliser(TAXONOMY, kind="occupation", site=site).match("msaidizi jikoni").code == "kitchen_helper"


@pytest.mark.parametrize("wages, labels, problem", [
    (WAGES.replace(",hospitality,statutory", ",hotels,statutory"), LABELS,
     "wages.csv:2: sector 'hotels' is not a taxonomy sector"),
    (WAGES.replace("programme_floor", "guideline", 1), LABELS,
     "wages.csv:4: kind 'guideline' is not one of statutory, programme_floor"),
    (WAGES.replace("monthly_wage", "monthly_wage_inr", 1), LABELS,
     "wages.csv:1: the column monthly_wage_inr is for sites paid in INR"),
    (WAGES.replace("monthly_wage,", "monthly_wage,monthly_wage_inr,", 1), LABELS,
     "wages.csv:1: give exactly one of the columns monthly_wage, monthly_wage_inr"),
    (WAGES, LABELS + "no_such_skill,sw,kitu,\n", "labels.csv:4: code 'no_such_skill' is neither a skill nor an"),
    (WAGES, LABELS + "cooking,km,ចម្អិន,\n", "labels.csv:4: language 'km' is not one of the site's languages"),
    (WAGES, LABELS + "laundry,sw,upishi,\n", "labels.csv:4: 'upishi' of 'laundry' already names the skill 'cooking'"),
])
def test_a_third_site_with_bad_files(tmp_path: Path, wages: str, labels: str, problem: str) -> None:
    with pytest.raises(ReferenceDataError) as info:
        load_site(_third_site(tmp_path, wages, labels), taxonomy=TAXONOMY)
    assert problem in str(info.value)
