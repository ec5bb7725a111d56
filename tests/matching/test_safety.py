"""Safety rules: no proposed match ever breaks one, and every blocked result names exactly the rules it breaks.

The property tests re-check each rule with plain scalar logic written here, independently of the
engine's rule classes.
"""

from __future__ import annotations

import datetime
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.commute import CommuteModel
from matching.engine import MatchEngine
from matching.features import PairContext
from matching.reference import MinimumWageLookupError, Site, Taxonomy, default_data_dir, load_site, load_taxonomy
from matching.safety import SAFETY_RULES, RuleViolation, SafetyRule, evaluate_rules, format_money
from matching.tables import OpeningTable, TraineeTable

TAXONOMY: Taxonomy = load_taxonomy(default_data_dir() / "taxonomy.json")
SITE: Site = load_site(default_data_dir() / "sites" / "west_bengal")
ENGINE = MatchEngine(taxonomy=TAXONOMY, site=SITE)
MODEL = CommuteModel()
AS_OF = datetime.date(2026, 3, 1)
CODES = {rule.code for rule in SAFETY_RULES}

DISTRICTS = ["Kolkata", "Calcutta", "Howrah", "North 24 Parganas", "N 24 Pgs", "Hooghly", "Nadia", "Purulia",
             "Darjeeling", "South 24 Parganas"]
EMPLOYERS = ["E1", "E2", "E3", "E4"]
OCCUPATIONS = [None, "cashier", "domestic_worker", "domestic_data_entry_operator", "kitchen_helper"]
SKILLS = ["pos_billing", "cash_handling", "housekeeping", "cooking", "data_entry", "kitchen_assistance",
          "hygiene_safety"]


# --------------------------------------------------------------------------- independent scalar checks


def _year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:                       # 29 February
        return datetime.date(day.year - 1, 2, 28)


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # An independent oracle, like the other helpers here: written out rather than imported from matching.geo,
    # so that the rules are checked against a second implementation of the distance.
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def _rate(area: str) -> float:
    return {"metro": MODEL.metro_minutes_per_km, "urban": MODEL.urban_minutes_per_km,
            "rural": MODEL.rural_minutes_per_km}[area]


def _place(record: dict) -> tuple[str, float, float, str, str]:
    district = SITE.gazetteer.resolve(record["district"])
    lat, lon = record.get("lat"), record.get("lon")
    if lat is None:
        lat, lon = district.lat, district.lon
    return district.name, lat, lon, district.zone, district.area_type


def expected_violations(trainee: dict, opening: dict, employers: dict, as_of: datetime.date) -> set[str] | None:
    """The rules a pair breaks, by plain logic; None when the commute sits on its limit (rounding decides)."""
    broken = set()
    available = trainee.get("available_from")
    if trainee["status"] != "job_ready" or (available is not None and available > as_of):
        broken.add("trainee_not_ready")
    if (opening["status"] != "open" or (opening["posted_on"] is not None and opening["posted_on"] > as_of)
            or (opening["closes_on"] is not None and opening["closes_on"] < as_of) or opening["positions"] <= 0):
        broken.add("opening_not_open")
    employer = employers.get(opening["employer_external_id"])
    if (employer is None or not employer["vetted"] or employer["vetted_on"] is None
            or employer["vetted_on"] > as_of or employer["vetted_on"] < _year_before(as_of)):
        broken.add("employer_not_vetted")
    o_name, o_lat, o_lon, zone, o_area = _place(opening)
    code = opening["occupation_code"]
    category = TAXONOMY.occupations[code].skill_category if code else "unskilled"
    try:
        minimum = SITE.minimum_wages.minimum(skill_category=category, zone=zone, on=as_of)
    except MinimumWageLookupError:
        minimum = None
    if minimum is None or opening["monthly_wage_inr"] < minimum:
        broken.add("below_minimum_wage")
    if opening["shift"] in ("night", "rotating") and not (trainee["night_shift_ok"] and opening["transport_provided"]):
        broken.add("night_shift_unsafe")
    if opening["employer_external_id"] in trainee["excluded_employers"]:
        broken.add("excluded_employer")
    if o_name in {SITE.gazetteer.resolve(d).name for d in trainee["excluded_districts"]}:
        broken.add("excluded_district")
    _, t_lat, t_lon, _, t_area = _place(trainee)
    road = _distance_km(t_lat, t_lon, o_lat, o_lon) * MODEL.detour_factor
    local = min(road, MODEL.local_km)
    minutes = (MODEL.wait_minutes + local * (_rate(t_area) + _rate(o_area)) / 2
               + (road - local) * MODEL.intercity_minutes_per_km)
    relocating = trainee["willing_to_relocate"] and opening["accommodation_provided"]
    if abs(minutes - trainee["max_commute_minutes"]) < 1e-6 and not relocating:
        return None
    if minutes > trainee["max_commute_minutes"] and not relocating:
        broken.add("commute_too_long")
    if not _qualified(trainee, opening):
        broken.add("not_qualified")
    return broken


def _qualified(trainee: dict, opening: dict) -> bool:
    """The default policy by hand: half the required skills (rounded up) held at the level asked or one below
    (but held), and every essential one at the level asked."""
    held = {item["skill"]: item["level"] for item in trainee.get("skills", [])}
    asked = {item["skill"]: item["level"] for item in opening["required_skills"]}
    essential = {item["skill"] for item in opening["required_skills"] if item.get("essential")}
    if not asked and opening["occupation_code"]:
        asked = dict(TAXONOMY.occupations[opening["occupation_code"]].core_skills)
    near = sum(1 for skill, level in asked.items() if held.get(skill, 0) >= max(1, level - 1))
    return 2 * near >= len(asked) and all(held.get(skill, 0) >= asked[skill] for skill in essential)


# --------------------------------------------------------------------------- strategies

DISTRICTS_NEAR = ["Kolkata", "Calcutta", "Howrah", "North 24 Parganas", "N 24 Pgs", "South 24 Parganas"]


def mostly(safe, other):
    """``safe`` four times in five, else a draw from ``other``: most pairs pass most rules, so that
    allowed pairs are common and each rule is still broken often, alone and together."""
    return st.one_of(st.just(safe), st.just(safe), st.just(safe), st.just(safe), other)


def offset(as_of: datetime.date, low: int, high: int):
    return st.integers(low, high).map(lambda d: as_of + datetime.timedelta(days=d))


@st.composite
def place(draw) -> dict:
    district = draw(st.one_of(st.sampled_from(DISTRICTS_NEAR), st.sampled_from(DISTRICTS)))
    if draw(st.booleans()):
        return {"district": district}
    found = SITE.gazetteer.resolve(district)
    return {"district": district, "lat": found.lat + draw(st.floats(-0.2, 0.2)),
            "lon": found.lon + draw(st.floats(-0.2, 0.2))}


@st.composite
def case(draw) -> tuple[list[dict], dict, list[dict], datetime.date]:
    as_of = draw(mostly(AS_OF, st.sampled_from([datetime.date(2024, 12, 31), datetime.date(2025, 6, 30),
                                                datetime.date(2025, 7, 1), datetime.date(2028, 2, 29),
                                                datetime.date(2027, 1, 15)])))
    cutoff = _year_before(as_of)
    employers = {}
    for employer in EMPLOYERS[:-1]:                       # the last one is unknown to the programme
        edge = st.one_of(
            st.none(),
            st.sampled_from([cutoff, cutoff - datetime.timedelta(days=1), cutoff + datetime.timedelta(days=1),
                             as_of, as_of + datetime.timedelta(days=1)]),
            offset(as_of, -800, 10))
        recent, older = as_of - datetime.timedelta(days=30), as_of - datetime.timedelta(days=200)
        vetted_on = draw(mostly(recent, mostly(older, edge)))
        employers[employer] = {"vetted": draw(mostly(True, st.just(False))), "vetted_on": vetted_on}
    openings = []
    for k in range(draw(st.integers(1, 6))):
        occupation = draw(st.sampled_from(OCCUPATIONS))
        where = draw(place())
        zone = SITE.gazetteer.resolve(where["district"]).zone
        category = TAXONOMY.occupations[occupation].skill_category if occupation else "unskilled"
        try:
            minimum = SITE.minimum_wages.minimum(skill_category=category, zone=zone, on=as_of)
        except MinimumWageLookupError:
            minimum = 10_000
        openings.append({
            "external_id": f"O{k}", "employer_external_id": draw(mostly("E1", st.sampled_from(EMPLOYERS))),
            "title": "t", "occupation": occupation or "something else", "occupation_code": occupation,
            "required_skills": draw(mostly([], st.lists(st.fixed_dictionaries({
                "label": st.just("x"), "skill": st.sampled_from(SKILLS), "level": st.integers(1, 3),
                "essential": st.booleans()}), max_size=3, unique_by=lambda item: item["skill"]))), **where,
            "monthly_wage_inr": minimum + draw(mostly(500, st.sampled_from([-1000, -1, 0, 1, 3000]))),
            "positions": draw(mostly(1, st.integers(0, 2))),
            "shift": draw(mostly("day", st.sampled_from(["day", "night", "rotating"]))),
            "accommodation_provided": draw(st.booleans()), "transport_provided": draw(st.booleans()),
            "status": draw(mostly("open", st.just("closed"))),
            "posted_on": draw(mostly(None, offset(as_of, -40, 5))),
            "closes_on": draw(mostly(None, offset(as_of, -5, 40))),
        })
    trainees = []
    for k in range(draw(st.integers(1, 4))):
        trainees.append({
            "external_id": f"T{k}",
            "status": draw(mostly("job_ready", st.sampled_from(["in_training", "placed", "exited"]))),
            **draw(place()), "max_commute_minutes": draw(mostly(240, st.integers(0, 240))),
            "willing_to_relocate": draw(st.booleans()), "night_shift_ok": draw(st.booleans()),
            "excluded_employers": draw(mostly([], st.lists(st.sampled_from(EMPLOYERS), max_size=2, unique=True))),
            "excluded_districts": draw(mostly([], st.lists(st.sampled_from(DISTRICTS), max_size=2, unique=True))),
            "available_from": draw(mostly(None, offset(as_of, -40, 40))),
            "is_survivor": draw(st.booleans()),
            "skills": draw(mostly([{"label": code, "skill": code, "level": 2} for code in SKILLS],
                                  st.lists(st.fixed_dictionaries({"label": st.just("x"), "skill": st.sampled_from(SKILLS),
                                                                  "level": st.integers(1, 3)}),
                                           max_size=4, unique_by=lambda item: item["skill"]))),
        })
    return trainees, employers, openings, as_of


def _tables(trainees, employers, openings):
    return (TraineeTable.from_records(trainees, taxonomy=TAXONOMY, site=SITE),
            OpeningTable.from_records(openings, employers=employers, taxonomy=TAXONOMY, site=SITE))


# --------------------------------------------------------------------------- properties


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case())
def test_proposed_matches_never_break_a_rule(data) -> None:
    trainees, employers, openings, as_of = data
    trainee_table, opening_table = _tables(trainees, employers, openings)
    for i, trainee in enumerate(trainees):
        for match in ENGINE.rank_openings(trainee_table, i, opening_table, as_of=as_of, limit=None):
            expected = expected_violations(trainee, openings[opening_table.index_of(match.external_id)], employers,
                                           as_of)
            assert match.blocked_by == []
            assert expected is None or expected == set(), (match.external_id, expected)
    for j, opening in enumerate(openings):
        for match in ENGINE.rank_trainees(opening_table, j, trainee_table, as_of=as_of, limit=None):
            expected = expected_violations(trainees[trainee_table.index_of(match.external_id)], opening, employers,
                                           as_of)
            assert expected is None or expected == set(), (match.external_id, expected)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case())
def test_blocked_results_name_exactly_the_rules_broken(data) -> None:
    trainees, employers, openings, as_of = data
    trainee_table, opening_table = _tables(trainees, employers, openings)
    for i, trainee in enumerate(trainees):
        results = ENGINE.rank_openings(trainee_table, i, opening_table, as_of=as_of, limit=None, include_blocked=True)
        assert sorted(m.external_id for m in results) == sorted(o["external_id"] for o in openings)
        for match in results:
            expected = expected_violations(trainee, openings[opening_table.index_of(match.external_id)], employers,
                                           as_of)
            codes = [v.code for v in match.blocked_by]
            assert len(codes) == len(set(codes)) and set(codes) <= CODES
            assert all(v.sentence for v in match.blocked_by)
            if expected is None:
                continue
            assert set(codes) == expected, (match.external_id, codes, expected)
            assert match.allowed == (not expected)


# --------------------------------------------------------------------------- one example per rule

CASHIER_SKILLS = [{"label": "POS billing", "skill": "pos_billing", "level": 2},
                  {"label": "Cash handling", "skill": "cash_handling", "level": 2}]
BASE_TRAINEE = {"external_id": "T1", "status": "job_ready", "district": "Kolkata", "max_commute_minutes": 90,
                "night_shift_ok": False, "willing_to_relocate": False, "excluded_employers": [],
                "excluded_districts": [], "skills": CASHIER_SKILLS}
BASE_OPENING = {"external_id": "O1", "employer_external_id": "E1", "title": "Cashier", "occupation": "cashier",
                "occupation_code": "cashier", "sector": "retail", "required_skills": [], "district": "Kolkata",
                "monthly_wage_inr": 13_000, "positions": 1, "shift": "day", "status": "open",
                "posted_on": datetime.date(2026, 2, 1), "closes_on": datetime.date(2026, 3, 31)}
BASE_EMPLOYER = {"vetted": True, "vetted_on": datetime.date(2025, 9, 1)}


def violations(trainee: dict | None = None, opening: dict | None = None, employer: dict | None = None,
               as_of: datetime.date = AS_OF) -> list[RuleViolation]:
    trainees = [dict(BASE_TRAINEE, **(trainee or {}))]
    openings = [dict(BASE_OPENING, **(opening or {}))]
    employers = {"E1": dict(BASE_EMPLOYER, **(employer or {}))}
    trainee_table, opening_table = _tables(trainees, employers, openings)
    [match] = ENGINE.rank_openings(trainee_table, 0, opening_table, as_of=as_of, include_blocked=True)
    return match.blocked_by


def test_the_base_pair_is_allowed() -> None:
    assert violations() == []


@pytest.mark.parametrize("employer, sentence", [
    ({"vetted": False}, "The employer has not passed the programme's safety check"),
    ({"vetted_on": None}, "The employer's safety check has no date, so it cannot be shown to be current"),
    ({"vetted_on": datetime.date(2025, 2, 28)},
     "The employer's safety check of 2025-02-28 is older than 12 months (it lapsed after 2026-02-28)"),
    ({"vetted_on": datetime.date(2026, 3, 2)}, "The employer's safety check is dated 2026-03-02, after 2026-03-01"),
])
def test_employer_not_vetted(employer: dict, sentence: str) -> None:
    assert violations(employer=employer) == [RuleViolation("employer_not_vetted", sentence)]


def test_a_check_exactly_twelve_months_old_is_still_valid() -> None:
    assert violations(employer={"vetted_on": datetime.date(2025, 3, 1)}) == []
    assert violations(employer={"vetted_on": datetime.date(2026, 3, 1)}) == []
    leap = {"posted_on": None, "closes_on": None}
    assert violations(opening=leap, employer={"vetted_on": datetime.date(2027, 2, 28)},
                      as_of=datetime.date(2028, 2, 29)) == []
    assert [v.code for v in violations(opening=leap, employer={"vetted_on": datetime.date(2027, 2, 27)},
                                       as_of=datetime.date(2028, 2, 29))] == ["employer_not_vetted"]


def test_below_minimum_wage() -> None:
    # cashier: semi-skilled; Kolkata: zone A; 11,363 from July 2025
    assert violations(opening={"monthly_wage_inr": 11_362}) == [RuleViolation(
        "below_minimum_wage", "₹11,362 a month is below the statutory minimum of ₹11,363 for semi-skilled work"
                              " in zone A (as usual for cashier; in force from 2025-07-01)")]
    assert violations(opening={"monthly_wage_inr": 11_363}) == []
    # the January 2025 table was lower
    assert violations(opening={"monthly_wage_inr": 11_100, "posted_on": None, "closes_on": None},
                      employer={"vetted_on": datetime.date(2025, 1, 1)}, as_of=datetime.date(2025, 6, 30)) == []
    # Purulia is zone B: 10,733 for semi-skilled work
    moving = {"willing_to_relocate": True}
    assert violations(opening={"monthly_wage_inr": 10_733, "district": "Purulia", "accommodation_provided": True},
                      trainee=moving) == []
    assert [v.code for v in violations(opening={"monthly_wage_inr": 10_732, "district": "Purulia",
                                                "accommodation_provided": True}, trainee=moving)] == [
        "below_minimum_wage"]
    # an opening whose occupation is unknown is held to the unskilled rate (10,329 in zone A)
    unknown = {"occupation": "something new", "occupation_code": None}
    assert violations(opening=dict(unknown, monthly_wage_inr=10_329)) == []
    assert [v.code for v in violations(opening=dict(unknown, monthly_wage_inr=10_328))] == ["below_minimum_wage"]
    before = violations(opening={"posted_on": None, "closes_on": None},
                        employer={"vetted_on": datetime.date(2024, 6, 1)}, as_of=datetime.date(2024, 12, 1))
    assert [v.code for v in before] == ["below_minimum_wage"]
    assert before[0].sentence.startswith("No statutory minimum wage is known for this workplace on 2024-12-01")


@pytest.mark.parametrize("trainee, opening, sentence", [
    ({}, {"shift": "night", "transport_provided": True}, "Night shift: she has not agreed to night shifts"),
    ({"night_shift_ok": True}, {"shift": "rotating"}, "Rotating shift: the employer provides no transport"),
    ({}, {"shift": "night"},
     "Night shift: she has not agreed to night shifts and the employer provides no transport"),
])
def test_night_shift_unsafe(trainee: dict, opening: dict, sentence: str) -> None:
    assert violations(trainee=trainee, opening=opening) == [RuleViolation("night_shift_unsafe", sentence)]


def test_night_shift_with_consent_and_transport_is_allowed() -> None:
    assert violations(trainee={"night_shift_ok": True}, opening={"shift": "night", "transport_provided": True}) == []


def test_excluded_employer() -> None:
    assert violations(trainee={"excluded_employers": ["E1"]}) == [RuleViolation(
        "excluded_employer", "The employer is on her list of employers she must never be matched with")]
    assert violations(trainee={"excluded_employers": ["E2"]}) == []


def test_excluded_district_any_spelling() -> None:
    expected = [RuleViolation("excluded_district", "The workplace is in Kolkata, a district she must never be sent to")]
    assert violations(trainee={"excluded_districts": ["Calcutta"]}) == expected
    assert violations(trainee={"excluded_districts": ["kolkata district"]},
                      opening={"district": "Calcutta"}) == expected
    assert violations(trainee={"excluded_districts": ["Howrah"]}) == []


def test_commute_too_long_and_the_relocation_exemption() -> None:
    far = {"district": "Purulia", "monthly_wage_inr": 13_000}
    [violation] = violations(opening=far)
    assert violation.code == "commute_too_long"
    assert violation.sentence == "About 8 hours (6.5–10 hours) each way; her limit is 90 min"  # Kolkata to Purulia
    [violation] = violations(opening=far, trainee={"willing_to_relocate": True})
    assert violation.sentence.endswith("her limit is 90 min (she would relocate, but the employer provides no"
                                       " accommodation)")
    [violation] = violations(opening={"district": "Howrah"}, trainee={"max_commute_minutes": 30})
    assert violation.sentence == "About 65 min (50–85) each way; her limit is 30 min"
    # accommodation alone does not lift her limit: she must be willing to move
    assert [v.code for v in violations(opening=dict(far, accommodation_provided=True))] == ["commute_too_long"]
    assert violations(opening=dict(far, accommodation_provided=True), trainee={"willing_to_relocate": True}) == []
    assert [v.code for v in violations(trainee={"max_commute_minutes": 0})] == ["commute_too_long"]


@pytest.mark.parametrize("opening, sentence", [
    ({"status": "closed"}, "The opening is closed"),
    ({"posted_on": datetime.date(2026, 3, 2)}, "The opening is only posted from 2026-03-02"),
    ({"closes_on": datetime.date(2026, 2, 28)}, "The opening closed on 2026-02-28"),
    ({"positions": 0}, "The opening has no positions left"),
    ({"positions_left": 0}, "The opening has no positions left"),
    ({"status": "closed", "positions": 0}, "The opening is closed; The opening has no positions left"),
])
def test_opening_not_open(opening: dict, sentence: str) -> None:
    assert violations(opening=opening) == [RuleViolation("opening_not_open", sentence)]


def test_opening_open_on_its_first_and_last_day() -> None:
    assert violations(opening={"posted_on": AS_OF, "closes_on": AS_OF}) == []


@pytest.mark.parametrize("trainee, sentence", [
    ({"status": "in_training"}, "She is not job-ready yet (status: in training)"),
    ({"status": "placed"}, "She is not job-ready yet (status: placed)"),
    ({"available_from": datetime.date(2026, 3, 2)}, "She can start only from 2026-03-02"),
])
def test_trainee_not_ready(trainee: dict, sentence: str) -> None:
    assert violations(trainee=trainee) == [RuleViolation("trainee_not_ready", sentence)]


def test_all_rules_broken_at_once_are_all_reported_in_rule_order() -> None:
    found = violations(
        trainee={"status": "exited", "excluded_employers": ["E1"], "excluded_districts": ["Purulia"],
                 "max_commute_minutes": 5, "skills": []},
        opening={"status": "closed", "district": "Purulia", "monthly_wage_inr": 5_000, "shift": "night"},
        employer={"vetted": False})
    assert [v.code for v in found] == [rule.code for rule in SAFETY_RULES]


def test_an_openings_own_wage_category_sets_its_minimum() -> None:
    # cashier is semi-skilled (11,363 in zone A from July 2025); the opening is classed skilled (12,499)
    skilled = {"monthly_wage_inr": 12_000, "wage_category": "skilled"}
    assert violations(opening=skilled) == [RuleViolation(
        "below_minimum_wage", "₹12,000 a month is below the statutory minimum of ₹12,499 for skilled work in zone A"
                              " (the opening's wage category; in force from 2025-07-01)")]
    assert violations(opening=dict(skilled, monthly_wage_inr=12_499)) == []
    assert violations(opening={"monthly_wage_inr": 12_000}) == []           # the occupation's category
    # no highly skilled rates are shipped: held to the skilled minimum at least
    assert [v.code for v in violations(opening=dict(skilled, wage_category="highly_skilled"))] == [
        "below_minimum_wage"]
    unknown = {"occupation": "something new", "occupation_code": None, "monthly_wage_inr": 10_000}
    [violation] = violations(opening=unknown)
    assert violation.sentence.endswith("for unskilled work in zone A (its occupation is not known;"
                                       " in force from 2025-07-01)")


def test_not_qualified_names_the_skills_she_lacks_and_the_way_forward() -> None:
    # cashier asks POS billing 2, cash handling 2, basic numeracy 1, customer communication 1: two are needed
    one = [{"label": "POS billing", "skill": "pos_billing", "level": 1}]
    assert violations(trainee={"skills": one}) == [RuleViolation(
        "not_qualified",
        "Not qualified: she has 1 of the 4 required skills at or one level below the level asked (2 needed);"
        " short of Basic numeracy (level 1 asked, she has none), Cash handling (level 2 asked, she has none),"
        " Customer communication (level 1 asked, she has none); could qualify after a short course:"
        " Basic numeracy to level 1 (basic)", near_miss=True)]
    assert violations(trainee={"skills": [dict(one[0], level=1), {"skill": "cash_handling", "level": 1,
                                                                   "label": "Cash handling"}]}) == []
    assert [v.sentence for v in violations(trainee={"skills": []})] == [
        "Not qualified: she has 0 of the 4 required skills at or one level below the level asked (2 needed);"
        " short of Basic numeracy (level 1 asked, she has none), Cash handling (level 2 asked, she has none),"
        " Customer communication (level 1 asked, she has none), POS billing (level 2 asked, she has none);"
        " could qualify after a short course: Basic numeracy to level 1 (basic), Cash handling to level 1 (basic)"]


def test_essential_skills_are_needed_at_the_level_asked() -> None:
    asked = [{"label": "POS billing", "skill": "pos_billing", "level": 2},
             {"label": "Cash handling", "skill": "cash_handling", "level": 3, "essential": True}]
    [violation] = violations(opening={"required_skills": asked})
    assert violation.sentence == (
        "Not qualified: short of essential Cash handling (level 3 asked, she has level 2); could qualify after a"
        " short course: Cash handling to level 3 (proficient)")
    far = [{"label": "Tailoring", "skill": "machine_stitching", "level": 3, "essential": True},
           {"label": "Embroidery", "skill": "hand_embroidery", "level": 3, "essential": True}]
    [violation] = violations(opening={"required_skills": far})
    assert violation.sentence.endswith("; more than a short course away (6 skill levels to gain)")
    assert not violation.near_miss
    assert violation.sentence.startswith("Not qualified: she has 0 of the 2 required skills")
    assert ("; short of essential Hand embroidery (level 3 asked, she has none), Machine stitching (level 3 asked,"
            " she has none);") in violation.sentence
    assert violations(opening={"required_skills": [dict(asked[1], level=2)]}) == []


def test_unknown_workplace_cannot_pass_the_wage_or_commute_rules() -> None:
    found = violations(opening={"district": "Atlantis"})
    assert [v.code for v in found] == ["below_minimum_wage", "commute_too_long"]
    assert found[1].sentence.startswith("The distance to the workplace is not known")


# --------------------------------------------------------------------------- the rule list


def test_rules_follow_the_protocol_and_have_unique_codes() -> None:
    assert len({rule.code for rule in SAFETY_RULES}) == len(SAFETY_RULES) == 9
    assert all(isinstance(rule, SafetyRule) for rule in SAFETY_RULES)
    assert {getattr(rule, "scope", "pair") for rule in SAFETY_RULES} <= {"pair", "opening", "trainee"}


def test_a_new_rule_is_one_small_class() -> None:
    class NoOpeningsInHooghly:
        code = "hooghly_paused"

        def violated(self, ctx: PairContext) -> np.ndarray:
            return ctx.o_map("district", lambda d: d == "Hooghly")

        def sentence(self, ctx: PairContext, i: int) -> str:
            return "Placements in Hooghly are paused"

    engine = MatchEngine(taxonomy=TAXONOMY, site=SITE, rules=(*SAFETY_RULES, NoOpeningsInHooghly()))
    trainee_table, opening_table = _tables([dict(BASE_TRAINEE, willing_to_relocate=True)], {"E1": BASE_EMPLOYER},
                                           [BASE_OPENING, dict(BASE_OPENING, external_id="O2", district="Hooghly",
                                                               accommodation_provided=True)])
    results = engine.rank_openings(trainee_table, 0, opening_table, as_of=AS_OF, include_blocked=True)
    assert [(m.external_id, [v.code for v in m.blocked_by]) for m in results][-1] == ("O2", ["hooghly_paused"])
    ctx = PairContext.for_trainee(trainee_table, 0, opening_table, as_of=AS_OF)
    assert evaluate_rules(ctx, engine.rules)[:, -1].tolist() == [False, True]


def test_money_is_grouped_the_indian_way() -> None:
    assert format_money(11500, "₹") == "₹11,500"
    assert format_money(115000, "₹") == "₹1,15,000"
    assert format_money(12345678, "₹") == "₹1,23,45,678"
    assert format_money(999, "₹") == "₹999"
    assert format_money(115000, "$", indian=False) == "$115,000"
    assert format_money(float("nan"), "₹") == "unknown"
