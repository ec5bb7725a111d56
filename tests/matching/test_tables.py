"""Building opening and trainee tables from stored records."""

from __future__ import annotations

import datetime

import numpy as np
import pytest

from matching.reference import Site, Taxonomy
from matching.skills import SkillNormaliser
from matching.tables import OpeningTable, TraineeTable, categorise, to_day

EMPLOYERS = {"E1": {"vetted": True, "vetted_on": datetime.date(2025, 11, 2)},
             "E2": {"vetted": False, "vetted_on": None},
             "E3": {"vetted": "yes", "vetted_on": "2025-06-30"}}


def opening(**fields) -> dict:
    record = {"external_id": "O1", "employer_external_id": "E1", "title": "Cashier", "occupation": "cashier",
              "occupation_code": "cashier", "sector": "retail", "district": "Kolkata", "monthly_wage_inr": 12000,
              "positions": 2, "shift": "day", "status": "open",
              "required_skills": [{"label": "POS billing", "level": 2, "skill": "pos_billing"}]}
    record.update(fields)
    return record


def trainee(**fields) -> dict:
    record = {"external_id": "T1", "partner_org": "p", "status": "job_ready", "district": "Howrah"}
    record.update(fields)
    return record


def test_opening_columns(taxonomy: Taxonomy, site: Site) -> None:
    records = [
        opening(),
        opening(external_id="O2", employer_external_id="E2", district="Calcutta", lat=22.60, lon=88.40,
                shift="Night", status="closed", posted_on="2026-01-05", closes_on=datetime.date(2026, 2, 1),
                languages_required=["BN", "hi"], accommodation_provided=True, transport_provided="true",
                required_skills=[{"label": "tailoring", "level": 1, "skill": "machine_stitching"},
                                 {"label": "silai", "level": 3, "skill": "machine_stitching"},
                                 {"label": "xyzzy", "level": 2, "skill": None}]),
        opening(external_id="O3", employer_external_id="E404", district="Purulia", occupation="tailor",
                occupation_code=None, sector=None, required_skills=[]),
    ]
    table = OpeningTable.from_records(records, employers=EMPLOYERS, taxonomy=taxonomy, site=site)
    assert len(table) == 3
    assert table.external_id.tolist() == ["O1", "O2", "O3"]
    assert table.employer_vetted.tolist() == [True, False, False]
    assert table.employer_vetted_on.dtype == np.dtype("datetime64[D]")
    assert str(table.employer_vetted_on[0]) == "2025-11-02" and np.isnat(table.employer_vetted_on[1:]).all()
    assert table.district.tolist() == ["Kolkata", "Kolkata", "Purulia"]
    assert table.zone.tolist() == ["A", "A", "B"]
    assert table.area_type.tolist() == ["metro", "metro", "rural"]
    kolkata = site.gazetteer.get("Kolkata")
    assert (table.lat[0], table.lon[0]) == (kolkata.lat, kolkata.lon)          # the district's centre
    assert (table.lat[1], table.lon[1]) == (22.60, 88.40)                      # given coordinates kept
    assert table.occupation_code.tolist() == ["cashier", "cashier", None]
    assert table.sector.tolist() == ["retail", "retail", None]
    assert table.minimum_wage_category.tolist() == ["semi_skilled", "semi_skilled", "unskilled"]
    assert table.shift.tolist() == ["day", "night", "day"]
    assert table.is_open.tolist() == [True, False, True]
    assert table.positions_left.tolist() == [2, 2, 2]
    assert table.accommodation_provided.tolist() == [False, True, False]
    assert table.transport_provided.tolist() == [False, True, False]
    assert table.languages_required == (frozenset(), frozenset({"bn", "hi"}), frozenset())
    assert str(table.posted_on[1]) == "2026-01-05" and str(table.closes_on[1]) == "2026-02-01"
    assert np.isnat(table.posted_on[0]) and np.isnat(table.closes_on[0])
    # Required levels: highest level per skill, unknown labels ignored, nothing required when nothing is known
    skill = taxonomy.skill_index
    assert table.required.shape == (3, len(skill))
    assert table.required[0, skill["pos_billing"]] == 2
    assert table.required[1, skill["machine_stitching"]] == 3 and table.required[1].nnz == 1
    assert table.required[2].nnz == 0
    assert table.index_of("O2") == 1


def test_required_skills_default_to_the_occupations_core_skills(taxonomy: Taxonomy, site: Site) -> None:
    table = OpeningTable.from_records([opening(required_skills=[])], employers=EMPLOYERS, taxonomy=taxonomy,
                                      site=site)
    core = dict(taxonomy.occupations["cashier"].core_skills)
    assert {taxonomy.skill_codes[c]: int(v) for c, v in zip(table.required.indices, table.required.data)} == core
    bare = OpeningTable.from_records([opening(required_skills=[])], employers=EMPLOYERS, taxonomy=taxonomy,
                                     site=site, core_skills_when_empty=False)
    assert bare.required.nnz == 0


def test_labels_without_codes_may_be_mapped(taxonomy: Taxonomy, site: Site) -> None:
    records = [opening(occupation="GDA", occupation_code=None,
                       required_skills=[{"label": "silai", "level": 2}, {"label": "Kantha stitch", "level": 1}])]
    plain = OpeningTable.from_records(records, employers=EMPLOYERS, taxonomy=taxonomy, site=site)
    assert plain.occupation_code.tolist() == [None]
    mapped = OpeningTable.from_records(records, employers=EMPLOYERS, taxonomy=taxonomy, site=site,
                                       skill_normaliser=SkillNormaliser(taxonomy),
                                       occupation_normaliser=SkillNormaliser(taxonomy, kind="occupation"))
    assert mapped.occupation_code.tolist() == ["general_duty_assistant"]
    assert mapped.minimum_wage_category.tolist() == ["semi_skilled"]
    codes = {taxonomy.skill_codes[c]: int(v) for c, v in zip(mapped.required.indices, mapped.required.data)}
    assert codes == {"machine_stitching": 2, "kantha_embroidery": 1}


def test_unknown_district_uses_the_nearest_district_for_zone_and_area(taxonomy: Taxonomy, site: Site) -> None:
    records = [opening(district="Salt Lake Sector V", lat=22.5697, lon=88.4330), opening(external_id="O2",
                                                                                        district="Nowhere")]
    table = OpeningTable.from_records(records, employers=EMPLOYERS, taxonomy=taxonomy, site=site)
    assert table.district.tolist() == ["Salt Lake Sector V", "Nowhere"]
    assert table.zone.tolist() == ["A", None] and table.area_type.tolist() == ["metro", None]
    assert np.isnan(table.lat[1]) and np.isnan(table.lon[1])


def test_trainee_columns(taxonomy: Taxonomy, site: Site) -> None:
    records = [
        trainee(skills=[{"label": "Tailoring", "level": 2, "skill": "machine_stitching"},
                        {"label": "stitching", "level": 3, "skill": "machine_stitching"},
                        {"label": "POS", "level": 1, "skill": "pos_billing"}],
                languages=["bn", "HI"], preferred_sectors=["apparel"], max_commute_minutes=45,
                willing_to_relocate=True, night_shift_ok=False, has_dependents=True, attendance_rate=0.85,
                expected_wage_inr=10500, excluded_employers=["E2"], excluded_districts=["Calcutta", "Atlantis"],
                available_from="2026-04-01", training_track="sewing_machine_operator", is_survivor=True),
        trainee(external_id="T2", status="in_training", district="N 24 Pgs", lat=22.7, lon=88.5),
    ]
    table = TraineeTable.from_records(records, taxonomy=taxonomy, site=site)
    assert len(table) == 2
    assert table.status.tolist() == ["job_ready", "in_training"]
    assert table.district.tolist() == ["Howrah", "North 24 Parganas"]
    assert table.area_type.tolist() == ["metro", "metro"]
    assert (table.lat[1], table.lon[1]) == (22.7, 88.5)
    skill = taxonomy.skill_index
    assert table.skills[0, skill["machine_stitching"]] == 3 and table.skills[0, skill["pos_billing"]] == 1
    assert table.skills[1].nnz == 0
    assert table.languages == (frozenset({"bn", "hi"}), frozenset())
    assert table.preferred_sectors == (frozenset({"apparel"}), frozenset())
    assert table.max_commute_minutes.tolist() == [45.0, 60.0]                 # 60 when not given
    assert table.willing_to_relocate.tolist() == [True, False]
    assert table.has_dependents.tolist() == [True, False]
    assert table.attendance_rate[0] == 0.85 and np.isnan(table.attendance_rate[1])
    assert table.expected_wage[0] == 10500 and np.isnan(table.expected_wage[1])
    assert table.excluded_employers == (frozenset({"E2"}), frozenset())
    assert table.excluded_districts == (frozenset({"Kolkata", "Atlantis"}), frozenset())
    assert str(table.available_from[0]) == "2026-04-01" and np.isnat(table.available_from[1])
    assert table.training_track.tolist() == ["sewing_machine_operator", None]
    assert table.levels_dense().shape == (2, len(skill)) and table.levels_dense().dtype == np.int8


def test_is_survivor_is_not_kept(taxonomy: Taxonomy, site: Site) -> None:
    table = TraineeTable.from_records([trainee(is_survivor=True)], taxonomy=taxonomy, site=site)
    assert not any("survivor" in name for name in vars(table))
    assert "survivor" not in repr(table)


def test_a_single_profile(taxonomy: Taxonomy, site: Site) -> None:
    table = TraineeTable.from_records([trainee()], taxonomy=taxonomy, site=site)
    assert len(table) == 1 and table.skills.shape == (1, len(taxonomy.skill_index))


def test_subset_keeps_rows_and_codes(taxonomy: Taxonomy, site: Site) -> None:
    records = [opening(external_id=f"O{k}", district=d, languages_required=[lang])
               for k, (d, lang) in enumerate([("Kolkata", "bn"), ("Howrah", "hi"), ("Purulia", "bn")])]
    table = OpeningTable.from_records(records, employers=EMPLOYERS, taxonomy=taxonomy, site=site)
    districts = table.categorical("district")
    assert districts.labels == ("Kolkata", "Howrah", "Purulia") and districts.codes.tolist() == [0, 1, 2]
    part = table.subset(np.array([2, 0]))
    assert part.external_id.tolist() == ["O2", "O0"]
    assert part.district.tolist() == ["Purulia", "Kolkata"]
    assert part.languages_required == (frozenset({"bn"}), frozenset({"bn"}))
    assert part.required.shape == (2, table.required.shape[1])
    assert part.categorical("district").codes.tolist() == [2, 0]
    masked = table.subset(np.array([True, False, True]))
    assert masked.external_id.tolist() == ["O0", "O2"]
    assert masked.taxonomy is taxonomy and masked.site is site


def test_helpers() -> None:
    cat = categorise(["b", None, "a", "b"])
    assert cat.labels == ("b", None, "a") and cat.codes.tolist() == [0, 1, 2, 0]
    assert cat.code_of("a") == 2 and cat.code_of("zz") == -1
    assert to_day("2026-03-01") == datetime.date(2026, 3, 1)
    assert to_day(datetime.datetime(2026, 3, 1, 23, 59)) == datetime.date(2026, 3, 1)
    assert to_day(np.datetime64("NaT")) is None and to_day("") is None and to_day(None) is None
    with pytest.raises(TypeError):
        to_day(3.5)
