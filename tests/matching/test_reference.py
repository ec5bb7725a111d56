"""Reference data: the shipped West Bengal site and taxonomy, and the loaders' validation."""

from __future__ import annotations

import datetime
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from matching.reference import (
    AREA_TYPES,
    SKILL_CATEGORIES,
    District,
    Gazetteer,
    MinimumWageTable,
    QualificationPolicy,
    ReferenceDataError,
    Site,
    Taxonomy,
    available_sites,
    default_data_dir,
    load_gazetteer,
    load_minimum_wages,
    load_site,
    load_taxonomy,
)

DATA = default_data_dir()
WB = DATA / "sites" / "west_bengal"

DISTRICT_NAMES = [
    "Alipurduar", "Bankura", "Birbhum", "Cooch Behar", "Dakshin Dinajpur", "Darjeeling", "Hooghly", "Howrah",
    "Jalpaiguri", "Jhargram", "Kalimpong", "Kolkata", "Malda", "Murshidabad", "Nadia", "North 24 Parganas",
    "Paschim Bardhaman", "Paschim Medinipur", "Purba Bardhaman", "Purba Medinipur", "Purulia",
    "South 24 Parganas", "Uttar Dinajpur",
]

SECTOR_CODES = {"apparel", "handicrafts", "beauty_wellness", "retail", "healthcare", "it_ites", "hospitality",
                "food_processing", "domestic_services"}

REQUIRED_OCCUPATIONS = {
    "sewing_machine_operator": ("AMH/Q0301", "apparel"),
    "hand_embroiderer": ("AMH/Q1001", None),
    "kantha_embroiderer": (None, "handicrafts"),
    "jute_products_artisan": (None, "handicrafts"),
    "assistant_beauty_therapist": ("BWS/Q0101", "beauty_wellness"),
    "retail_sales_associate": ("RAS/Q0104", "retail"),
    "general_duty_assistant": ("HSS/Q5101", "healthcare"),
    "home_health_aide": ("HSS/Q5102", "healthcare"),
    "domestic_data_entry_operator": ("SSC/Q2212", "it_ites"),
    "fnb_service_associate": ("THC/Q0301", "hospitality"),
    "housekeeping_attendant": (..., "hospitality"),
    "food_packaging_helper": (None, "food_processing"),
    "domestic_worker": (None, "domestic_services"),
    "cashier": (None, "retail"),
}


@pytest.fixture(scope="module")
def site() -> Site:
    return load_site(WB)


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy(DATA / "taxonomy.json")


# --------------------------------------------------------------------------- shipped site


def test_site_metadata(site: Site) -> None:
    assert (site.code, site.name, site.country) == ("west_bengal", "West Bengal", "IN")
    assert (site.currency, site.currency_symbol, site.timezone) == ("INR", "₹", "Asia/Kolkata")
    assert "west_bengal" in available_sites(DATA)


def test_gazetteer_has_the_23_districts(site: Site) -> None:
    districts = site.gazetteer.districts
    assert len(districts) == 23
    assert sorted(d.name for d in districts) == sorted(DISTRICT_NAMES)
    assert len({d.code for d in districts}) == 23
    for d in districts:
        assert d.code == re.sub(r"[^a-z0-9]+", "_", d.name.lower())
        assert 21.5 < d.lat < 27.3 and 85.8 < d.lon < 89.9, d  # inside West Bengal
        assert d.zone in {"A", "B"}
        assert d.area_type in AREA_TYPES
        assert d.headquarters


@pytest.mark.parametrize("text, code", [
    ("north_24_parganas", "north_24_parganas"),
    ("North 24 Parganas", "north_24_parganas"),
    ("N 24 Parganas", "north_24_parganas"),
    ("North 24 Pgs", "north_24_parganas"),
    ("n24pgs", "north_24_parganas"),
    ("Uttar 24 Pargana", "north_24_parganas"),
    ("Barasat", "north_24_parganas"),
    ("  SOUTH 24-PARGANAS  ", "south_24_parganas"),
    ("S. 24 Pgs.", "south_24_parganas"),
    ("Calcutta", "kolkata"),
    ("kolkata", "kolkata"),
    ("Koch Bihar", "cooch_behar"),
    ("Cooch-Behar", "cooch_behar"),
    ("Hugli", "hooghly"),
    ("Hooghly District", "hooghly"),
    ("Haora", "howrah"),
    ("West Midnapore", "paschim_medinipur"),
    ("East Burdwan", "purba_bardhaman"),
    ("Paschim Bardhaman", "paschim_bardhaman"),
    ("Berhampore", "murshidabad"),
    ("English Bazar", "malda"),
    ("Darjiling", "darjeeling"),
    ("South Dinajpur", "dakshin_dinajpur"),
    ("Alipurduars", "alipurduar"),
])
def test_resolve_names_codes_and_aliases(site: Site, text: str, code: str) -> None:
    district = site.gazetteer.resolve(text)
    assert district is not None and district.code == code
    assert site.gazetteer.get(text) is district


@pytest.mark.parametrize("text", ["Midnapore", "Medinipur", "Bardhaman", "Burdwan", "24 Parganas", "Siliguri",
                                  "Dhaka", "", "   ", "district"])
def test_ambiguous_or_unknown_names_do_not_resolve(site: Site, text: str) -> None:
    assert site.gazetteer.resolve(text) is None
    with pytest.raises(KeyError):
        site.gazetteer.get(text)


def test_zones_and_area_types(site: Site) -> None:
    g = site.gazetteer
    for code in ("kolkata", "howrah", "north_24_parganas"):
        assert g.get(code).area_type == "metro"
        assert g.get(code).zone == "A"
    assert g.get("paschim_bardhaman").area_type == "urban"
    assert g.get("darjeeling").area_type == "urban"
    for code in ("purulia", "bankura", "jhargram", "uttar_dinajpur"):
        assert g.get(code).area_type == "rural"
        assert g.get(code).zone == "B"
    assert g.zones() == ("A", "B")


def test_headquarters_coordinates(site: Site) -> None:
    kolkata = site.gazetteer.get("Kolkata")
    assert (kolkata.headquarters, kolkata.lat, kolkata.lon) == ("Kolkata", 22.5726, 88.3639)
    assert site.gazetteer.get("Dakshin Dinajpur").headquarters == "Balurghat"
    assert site.gazetteer.nearest(22.58, 88.36).code == "kolkata"
    assert site.gazetteer.nearest(26.7, 88.4).code in {"darjeeling", "jalpaiguri"}


# --------------------------------------------------------------------------- minimum wages

JULY_2025 = {("unskilled", "A"): 10329, ("unskilled", "B"): 9760, ("semi_skilled", "A"): 11363,
             ("semi_skilled", "B"): 10733, ("skilled", "A"): 12499, ("skilled", "B"): 11807}


@pytest.mark.parametrize("category, zone", sorted(JULY_2025))
def test_wage_in_force_from_july_2025(site: Site, category: str, zone: str) -> None:
    wages = site.minimum_wages
    for day in (datetime.date(2025, 7, 1), datetime.date(2026, 3, 15)):
        assert wages.minimum(skill_category=category, zone=zone, on=day) == JULY_2025[(category, zone)]


def test_earlier_table_applies_before_july(site: Site) -> None:
    wages = site.minimum_wages
    for (category, zone), july in JULY_2025.items():
        june = wages.minimum(skill_category=category, zone=zone, on=datetime.date(2025, 6, 30))
        january = wages.minimum(skill_category=category, zone=zone, on=datetime.date(2025, 1, 1))
        assert june == january
        assert 0.95 * july < june < july
    assert wages.effective_dates() == (datetime.date(2025, 1, 1), datetime.date(2025, 7, 1))
    assert "July 2025" in wages.rate(skill_category="skilled", zone="A", on=datetime.date(2025, 8, 1)).notification


def test_zone_a_pays_at_least_zone_b_and_categories_rise(site: Site) -> None:
    wages = site.minimum_wages
    day = datetime.date(2025, 9, 1)
    previous = 0
    for category in wages.categories():
        a = wages.minimum(skill_category=category, zone="A", on=day)
        b = wages.minimum(skill_category=category, zone="B", on=day)
        assert a >= b > previous
        previous = b


def test_highly_skilled_falls_back_to_skilled(site: Site) -> None:
    day = datetime.date(2025, 9, 1)
    wages = site.minimum_wages
    assert wages.minimum(skill_category="highly_skilled", zone="A", on=day) == \
        wages.minimum(skill_category="skilled", zone="A", on=day)


def test_accepts_datetime(site: Site) -> None:
    assert site.minimum_wages.minimum(skill_category="unskilled", zone="A",
                                      on=datetime.datetime(2025, 7, 1, 9, 30)) == 10329


def test_date_before_any_table_is_an_error(site: Site) -> None:
    with pytest.raises(ValueError, match="no minimum-wage table is in force on 2024-12-31"):
        site.minimum_wages.minimum(skill_category="unskilled", zone="A", on=datetime.date(2024, 12, 31))
    with pytest.raises(KeyError):
        site.minimum_wages.minimum(skill_category="unskilled", zone="A", on=datetime.date(2000, 1, 1))


def test_unknown_category_or_zone_is_an_error(site: Site) -> None:
    day = datetime.date(2025, 9, 1)
    with pytest.raises(KeyError, match="unknown skill category 'expert'"):
        site.minimum_wages.minimum(skill_category="expert", zone="A", on=day)
    with pytest.raises(ValueError, match="zone 'C'"):
        site.minimum_wages.minimum(skill_category="skilled", zone="C", on=day)


def test_later_table_replaces_earlier_whatever_the_row_order(tmp_path: Path) -> None:
    path = tmp_path / "wages.csv"
    path.write_text(
        "effective_from,notification,skill_category,zone,monthly_wage_inr\n"
        "2026-01-01,Later table,unskilled,A,200\n"
        "2025-01-01,Earlier table,unskilled,A,100\n",
        encoding="utf-8")
    table = load_minimum_wages(path)
    assert table.minimum(skill_category="unskilled", zone="A", on=datetime.date(2025, 12, 31)) == 100
    assert table.minimum(skill_category="unskilled", zone="A", on=datetime.date(2026, 1, 1)) == 200
    assert table.categories() == ("unskilled",)


# --------------------------------------------------------------------------- shipped taxonomy


def test_taxonomy_shape(taxonomy: Taxonomy) -> None:
    assert taxonomy.version == "2026-11"
    assert set(taxonomy.sectors) == SECTOR_CODES
    assert 14 <= len(taxonomy.trades) <= 20  # and a trainer role for every few trades
    assert all(o.trainer for code, o in taxonomy.occupations.items() if code not in taxonomy.trades)
    assert 35 <= len(taxonomy.skills) <= 60
    for occupation in taxonomy.occupations.values():
        assert occupation.sector in SECTOR_CODES
        assert occupation.skill_category in SKILL_CATEGORIES
        assert 3 <= len(occupation.core_skills) <= 6
        for skill, level in occupation.core_skills:
            assert skill in taxonomy.skills and level in (1, 2, 3)
    for skill in taxonomy.skills.values():
        for other, weight in skill.related.items():
            assert other in taxonomy.skills and other != skill.code
            assert 0 < weight < 1
    for code in ("customer_communication", "basic_english", "basic_numeracy", "hygiene_safety",
                 "digital_literacy"):
        assert code in taxonomy.skills


@pytest.mark.parametrize("code", sorted(REQUIRED_OCCUPATIONS))
def test_required_occupations(taxonomy: Taxonomy, code: str) -> None:
    nsqf, sector = REQUIRED_OCCUPATIONS[code]
    occupation = taxonomy.occupations[code]
    if nsqf is not ...:
        assert occupation.nsqf_code == nsqf
    if sector is not None:
        assert occupation.sector == sector


def test_skill_index_is_stable_and_vectorisable(taxonomy: Taxonomy) -> None:
    codes = sorted(taxonomy.skills)
    assert list(taxonomy.skill_index) == codes
    assert [taxonomy.skill_index[c] for c in codes] == list(range(len(codes)))
    matrix = taxonomy.related_matrix()
    assert matrix.shape == (len(codes), len(codes))
    assert np.all(np.diag(matrix) == 1.0)
    i, j = taxonomy.skill_index["machine_stitching"], taxonomy.skill_index["hand_stitching"]
    assert matrix[i, j] == taxonomy.skills["machine_stitching"].related["hand_stitching"]
    vector = taxonomy.skill_vector({"machine_stitching": 2})
    assert vector.sum() == 2 and vector[i] == 2


def test_taxonomy_objects_are_frozen(taxonomy: Taxonomy) -> None:
    skill = taxonomy.skills["machine_stitching"]
    with pytest.raises(AttributeError):
        skill.name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        taxonomy.skills["new"] = skill  # type: ignore[index]
    assert hash(skill) == hash(taxonomy.skills["machine_stitching"])


# --------------------------------------------------------------------------- validation errors


def _copy_site(tmp_path: Path) -> Path:
    target = tmp_path / "west_bengal"
    shutil.copytree(WB, target)
    return target


def _replace_line(path: Path, line: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_unknown_zone_names_gazetteer_file_and_line(tmp_path: Path) -> None:
    folder = _copy_site(tmp_path)
    gazetteer = folder / "gazetteer.csv"
    _replace_line(gazetteer, 5, "cooch_behar,Cooch Behar,Koch Bihar,Cooch Behar,26.3240,89.4510,C,rural")
    with pytest.raises(ReferenceDataError) as info:
        load_site(folder)
    message = str(info.value)
    assert f"{gazetteer}:5:" in message and "unknown zone 'C'" in message
    assert info.value.problems[0][:2] == (str(gazetteer), 5)


@pytest.mark.parametrize("row, line, problem", [
    ("bankura,Bankura,,Bankura,123.0,87.0,B,rural", 3, "lat '123.0'"),
    ("bankura,Bankura,,Bankura,23.2,87.0,B,village", 3, "area_type 'village'"),
    ("Bankura!,Bankura,,Bankura,23.2,87.0,B,rural", 3, "code 'Bankura!' is not a lowercase slug"),
    ("bankura,Bankura,,Bankura,23.2,87.0,B", 3, "7 fields, expected 8"),
    ("alipurduar,Bankura,,Bankura,23.2,87.0,B,rural", 3, "duplicate district code 'alipurduar' (first on line 2)"),
    # Kolkata (line 13) claims an alias already taken on line 3.
    ("bankura,Bankura,Calcutta,Bankura,23.2,87.0,B,rural", 13,
     "label 'Calcutta' of 'kolkata' already names district 'bankura' (line 3)"),
])
def test_bad_gazetteer_rows(tmp_path: Path, row: str, line: int, problem: str) -> None:
    folder = _copy_site(tmp_path)
    path = folder / "gazetteer.csv"
    _replace_line(path, 3, row)
    with pytest.raises(ValueError) as info:
        load_gazetteer(path)
    assert f"{path}:{line}: {problem}" in str(info.value)


def test_missing_gazetteer_column(tmp_path: Path) -> None:
    path = tmp_path / "gazetteer.csv"
    path.write_text("code,name,lat,lon\nx,X,1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"gazetteer.csv:1: missing column\(s\): aliases, headquarters"):
        load_gazetteer(path)


def test_gazetteer_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "gazetteer.csv"
    path.write_text("code,name,aliases,headquarters,lat,lon,zone,area_type\n\n"
                    "a,A,,A,1,2,A,rural\n\nb,B,,B,1,2,A,town\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"gazetteer.csv:5: area_type 'town'"):
        load_gazetteer(path)


@pytest.mark.parametrize("row, line, problem", [
    ("2025-07-01,Memo,unskilled,A,ten thousand", 8, "monthly_wage_inr 'ten thousand'"),
    ("2025-13-01,Memo,unskilled,A,10329", 8, "effective_from '2025-13-01'"),
    ("2025-07-01,Memo,expert,A,10329", 8, "skill_category 'expert'"),
    ("2025-07-01,Memo,unskilled,B,9760", 9, "duplicate row for unskilled/B from 2025-07-01 (first on line 8)"),
    ("2025-07-01,,unskilled,A,10329", 8, "notification is empty"),
])
def test_bad_wage_rows(tmp_path: Path, row: str, line: int, problem: str) -> None:
    folder = _copy_site(tmp_path)
    path = folder / "minimum_wages.csv"
    _replace_line(path, 8, row)
    with pytest.raises(ValueError) as info:
        load_minimum_wages(path)
    assert f"{path}:{line}: {problem}" in str(info.value)


def test_incomplete_wage_table(tmp_path: Path) -> None:
    path = tmp_path / "wages.csv"
    path.write_text("effective_from,notification,skill_category,zone,monthly_wage_inr\n"
                    "2025-07-01,Memo,unskilled,A,100\n2025-07-01,Memo,skilled,B,120\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"wages.csv:2: table effective 2025-07-01 has no row for skilled/A, "
                                         r"unskilled/B"):
        load_minimum_wages(path)


def test_site_json_problems(tmp_path: Path) -> None:
    folder = _copy_site(tmp_path)
    doc = json.loads((folder / "site.json").read_text(encoding="utf-8"))
    doc.update(currency="rupees", gazetteer="missing.csv", extra=1)
    (folder / "site.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    with pytest.raises(ValueError) as info:
        load_site(folder)
    message = str(info.value)
    assert "site.json:1: unknown key 'extra'" in message
    doc.pop("extra")
    (folder / "site.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    with pytest.raises(ValueError) as info:
        load_site(folder)
    message = str(info.value)
    assert "currency 'rupees'" in message and "gazetteer file 'missing.csv' not found" in message


def test_second_site_needs_only_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "sites" / "test_region"
    folder.mkdir(parents=True)
    (folder / "site.json").write_text(json.dumps({
        "code": "test_region", "name": "Test Region", "country": "NP", "currency": "NPR",
        "currency_symbol": "Rs", "timezone": "Asia/Kathmandu", "gazetteer": "districts.csv",
        "minimum_wages": "wages.csv"}), encoding="utf-8")
    (folder / "districts.csv").write_text(
        "code,name,aliases,headquarters,lat,lon,zone,area_type\n"
        "east,East District,Purba,Town E,27.1,87.3,I,urban\nwest,West District,,Town W,28.2,83.9,II,rural\n",
        encoding="utf-8")
    wages = ("effective_from,notification,skill_category,zone,monthly_wage\n"
             "2025-07-01,Test notification,unskilled,I,17000\n2025-07-01,Test notification,unskilled,II,16000\n")
    (folder / "wages.csv").write_text(wages, encoding="utf-8")
    site = load_site(folder)
    assert available_sites(tmp_path) == ("test_region",)
    assert site.gazetteer.get("purba").code == "east"
    assert site.minimum_wages.minimum(skill_category="unskilled", zone="II", on=datetime.date(2025, 8, 1)) == 16000
    # The rupee column name is refused on a site paid in another currency.
    (folder / "wages.csv").write_text(wages.replace("monthly_wage", "monthly_wage_inr", 1), encoding="utf-8")
    with pytest.raises(ValueError, match=r"wages.csv:1: the column monthly_wage_inr is for sites paid in INR;"
                                         r" this site's currency is NPR: name the column monthly_wage"):
        load_site(folder)


def _write_taxonomy(tmp_path: Path, mutate) -> Path:
    doc = json.loads((DATA / "taxonomy.json").read_text(encoding="utf-8"))
    mutate(doc)
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_related_skill_not_in_taxonomy(tmp_path: Path) -> None:
    def mutate(doc):
        doc["skills"][1]["related"] = {"basket_weaving": 0.5}
    path = _write_taxonomy(tmp_path, mutate)
    with pytest.raises(ValueError) as info:
        load_taxonomy(path)
    line = _line_of(path, '"basket_weaving"') - 1  # the "related" object opens on the line before
    assert f"{path}:{line}: skill 'hand_stitching': related skill 'basket_weaving' is not in the taxonomy" \
        in str(info.value)


def test_duplicate_occupation_code(tmp_path: Path) -> None:
    def mutate(doc):
        doc["occupations"][2]["code"] = doc["occupations"][0]["code"]
    path = _write_taxonomy(tmp_path, mutate)
    with pytest.raises(ValueError, match=r"taxonomy.json:\d+: duplicate occupation code 'sewing_machine_operator'"):
        load_taxonomy(path)


@pytest.mark.parametrize("mutate, problem", [
    (lambda d: d["occupations"][0].update(sector="mining"), "unknown sector 'mining'"),
    (lambda d: d["occupations"][0].update(skill_category="expert"), "skill_category 'expert'"),
    (lambda d: d["occupations"][0].update(nsqf_code="AMH-0301"), "nsqf_code 'AMH-0301'"),
    (lambda d: d["occupations"][0]["core_skills"][0].update(level=4), "level 4 of 'machine_stitching'"),
    (lambda d: d["occupations"][0]["core_skills"][0].update(skill="juggling"), "core skill 'juggling'"),
    (lambda d: d["skills"][0]["related"].update(hand_stitching=1.5), "must be between 0 and 1"),
    (lambda d: d["skills"][1]["synonyms"].append("silai"), "skill label 'silai' of 'hand_stitching' already"),
    (lambda d: d["skills"][0].update(synonym=["x"]), "skill has unknown key 'synonym'"),
    (lambda d: d.update(sectors=[]), "'sectors' must be a non-empty list"),
])
def test_bad_taxonomy(tmp_path: Path, mutate, problem: str) -> None:
    path = _write_taxonomy(tmp_path, mutate)
    with pytest.raises(ValueError) as info:
        load_taxonomy(path)
    assert problem in str(info.value)
    assert all(path_ == str(path) and line > 0 for path_, line, _ in info.value.problems)


def test_invalid_json_names_line(tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.json"
    path.write_text('{\n  "version": "x",\n  "sectors": [,]\n}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"taxonomy.json:3: not valid JSON"):
        load_taxonomy(path)


def test_gazetteer_and_wage_table_in_memory() -> None:
    d = District(code="x", name="X", headquarters="X", lat=1.0, lon=2.0, zone="A", area_type="rural")
    assert Gazetteer([d]).resolve("X") == d
    with pytest.raises(ValueError):
        Gazetteer([d, d])
    assert MinimumWageTable([]).categories() == ()


def test_site_qualification_policy(tmp_path: Path) -> None:
    site = load_site(DATA / "sites" / "west_bengal")
    assert site.qualification == QualificationPolicy(share_of_required=0.5, levels_below=1, essential_levels_below=0,
                                                     short_course_levels=2)
    folder = _copy_site(tmp_path)
    doc = json.loads((folder / "site.json").read_text(encoding="utf-8"))
    doc["qualification"] = {"share_of_required": 0.75, "levels_below": 0}
    (folder / "site.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    assert load_site(folder).qualification == QualificationPolicy(share_of_required=0.75, levels_below=0)
    doc.pop("qualification")
    (folder / "site.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    assert load_site(folder).qualification == QualificationPolicy()          # every key has a default
    doc["qualification"] = {"share_of_required": 0, "levels_below": 1.5, "short_course_levels": "two", "level": 1}
    (folder / "site.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    with pytest.raises(ValueError) as info:
        load_site(folder)
    message = str(info.value)
    line = _line_of(folder / "site.json", '"qualification"')
    assert f"site.json:{line}: qualification: unknown key 'level'" in message
    assert "share_of_required must be above 0" in message
    assert "levels_below must be a whole number from 0 to 2, got 1.5" in message
    assert "short_course_levels must be a whole number from 0 to 9, got 'two'" in message
