"""The outcome training set: how placements and follow-ups become censored survival records."""

from __future__ import annotations

import datetime

import numpy as np
import pytest

from matching.engine import MatchEngine
from matching.features import FEATURE_NAMES, OUTCOME_FEATURE_NAMES
from matching.outcome_data import (
    BOUNDARIES,
    FOLLOWUP_GRACE_DAYS,
    add_months,
    build_training_set,
    code_placement,
    read_bundle_records,
)
from matching.reference import Taxonomy, default_data_dir

DEMO = default_data_dir() / "demo"
START = datetime.date(2025, 1, 10)


def checks(*pairs: tuple[int, bool], start: datetime.date = START) -> list[dict]:
    return [{"month": m, "employed": e, "checked_on": add_months(start, m) + datetime.timedelta(days=4)}
            for m, e in pairs]


def months_later(months: int, days: int = 0) -> datetime.date:
    return add_months(START, months) + datetime.timedelta(days=days)


# --------------------------------------------------------------------------- coding one placement


def test_left_at_month_three_is_an_event_in_the_second_interval() -> None:
    coded = code_placement(START, None, checks((1, True), (3, False)), as_of=months_later(14))
    assert (coded.periods, coded.left, coded.duration) == (2, True, 3.0)
    assert coded.twelve_month_known and not coded.twelve_month_retained


def test_end_date_without_follow_ups_is_an_event() -> None:
    ended = START + datetime.timedelta(days=75)  # about 2.5 months
    coded = code_placement(START, ended, [], as_of=months_later(14))
    assert (coded.periods, coded.left) == (2, True)
    assert coded.duration == pytest.approx(75 / (365.25 / 12))


def test_still_employed_and_young_is_censored_not_dropped() -> None:
    coded = code_placement(START, None, checks((1, True), (3, True)), as_of=months_later(4, 5))
    assert (coded.periods, coded.left, coded.duration) == (2, False, 3.0)
    assert not coded.twelve_month_known and not coded.unconfirmed


def test_confirmed_through_month_six_and_ten_months_old() -> None:
    coded = code_placement(START, None, checks((1, True), (3, True), (6, True)), as_of=months_later(10))
    assert (coded.periods, coded.left, coded.duration) == (3, False, 6.0)


def test_retained_at_twelve_months() -> None:
    coded = code_placement(START, None, checks((1, True), (3, True), (6, True), (12, True)), as_of=months_later(13))
    assert (coded.periods, coded.left) == (4, False)
    assert coded.twelve_month_known and coded.twelve_month_retained


def test_leaving_after_a_year_is_retention() -> None:
    coded = code_placement(START, months_later(15), checks((1, True)), as_of=months_later(20))
    assert (coded.periods, coded.left) == (4, False)
    assert coded.twelve_month_retained


def test_no_follow_up_confirms_nothing() -> None:
    """An empty end date alone is not a confirmation: the rule chosen for placements without follow-ups."""
    coded = code_placement(START, None, [], as_of=months_later(8))
    assert (coded.periods, coded.left, coded.unconfirmed) == (0, False, True)
    young = code_placement(START, None, [], as_of=START + datetime.timedelta(days=20))
    assert (young.periods, young.unconfirmed) == (0, False)


def test_a_missed_follow_up_is_covered_by_a_later_one() -> None:
    coded = code_placement(START, None, checks((3, True)), as_of=months_later(5))
    assert coded.periods == 2


def test_events_count_only_once_their_interval_has_closed() -> None:
    """She left at month 7 and the placement is 8 months old: her (6,12] interval has not closed, so she is
    censored at month 6 like the women of her cohort who stayed."""
    coded = code_placement(START, months_later(7), checks((1, True), (3, True), (6, True)), as_of=months_later(8))
    assert (coded.periods, coded.left, coded.duration) == (3, False, 6.0)
    assert not coded.twelve_month_known
    closed = code_placement(START, months_later(7), checks((1, True), (3, True), (6, True)),
                            as_of=months_later(12, FOLLOWUP_GRACE_DAYS))
    assert (closed.periods, closed.left) == (4, True)


def test_grace_days_before_an_interval_closes() -> None:
    almost = code_placement(START, None, checks((1, True)), as_of=months_later(1, FOLLOWUP_GRACE_DAYS - 1))
    assert almost.periods == 0
    closed = code_placement(START, None, checks((1, True)), as_of=months_later(1, FOLLOWUP_GRACE_DAYS))
    assert closed.periods == 1
    assert code_placement(START, None, checks((1, True)), as_of=months_later(1, 4), grace_days=0).periods == 1


def test_the_earliest_evidence_of_leaving_wins() -> None:
    coded = code_placement(START, months_later(5), checks((1, True), (3, False)), as_of=months_later(14))
    assert (coded.periods, coded.left, coded.duration) == (2, True, 3.0)
    coded = code_placement(START, START + datetime.timedelta(days=50), checks((1, True), (6, True)),
                           as_of=months_later(14))
    assert (coded.periods, coded.left) == (2, True)


def test_records_after_as_of_are_not_seen() -> None:
    as_of = months_later(4, 10)
    rows = checks((1, True)) + [{"month": 3, "employed": False, "checked_on": as_of + datetime.timedelta(days=3)}]
    coded = code_placement(START, as_of + datetime.timedelta(days=5), rows, as_of=as_of)
    assert (coded.periods, coded.left, coded.unconfirmed) == (1, False, True)
    seen = code_placement(START, as_of + datetime.timedelta(days=5), rows, as_of=as_of + datetime.timedelta(days=5))
    assert (seen.periods, seen.left) == (2, True)


def test_follow_ups_as_strings_and_off_schedule_months() -> None:
    rows = [{"month": "1", "employed": "true", "checked_on": "2025-02-12"},
            {"month": "2", "employed": "false", "checked_on": ""},
            {"month": "3", "employed": "", "checked_on": "2025-04-10"}]
    coded = code_placement("2025-01-10", "", rows, as_of="2025-12-01")
    assert (coded.periods, coded.left, coded.duration) == (2, True, 3.0)


def test_add_months_keeps_the_day_or_the_month_end() -> None:
    assert add_months(datetime.date(2025, 1, 31), 1) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2025, 11, 15), 3) == datetime.date(2026, 2, 15)
    assert BOUNDARIES == (0, 1, 3, 6, 12)


# --------------------------------------------------------------------------- the training set


def small_records() -> dict:
    trainees = [
        {"external_id": "T1", "district": "Kolkata", "skills": [{"label": "Sewing", "level": 2, "skill": None}],
         "languages": ["bn", "hi"], "education": "secondary", "has_dependents": True, "attendance_rate": 0.9,
         "expected_wage_inr": 10000, "max_commute_minutes": 60},
        {"external_id": "T2", "district": "Howrah", "skills": [], "languages": "bn", "attendance_rate": None,
         "expected_wage_inr": 9000},
    ]
    employers = {"E1": {"vetted": True, "vetted_on": "2024-06-01"}, "E2": {"vetted": False, "vetted_on": None}}
    openings = [
        {"external_id": "O1", "employer_external_id": "E1", "occupation_code": None, "sector": "apparel",
         "district": "Kolkata", "monthly_wage_inr": 12000, "shift": "night", "transport_provided": True,
         "status": "closed"},
        {"external_id": "O2", "employer_external_id": "E2", "sector": "retail", "district": "Howrah",
         "monthly_wage_inr": 11000, "shift": "day", "status": "open"},
    ]
    placements = [
        {"external_id": "P1", "trainee_external_id": "T1", "opening_external_id": "O1", "started_on": "2024-03-01",
         "ended_on": "2024-05-10"},
        {"external_id": "P2", "trainee_external_id": "T2", "opening_external_id": "O2",
         "started_on": datetime.date(2025, 6, 1), "ended_on": None},
        {"external_id": "P3", "trainee_external_id": "T2", "opening_external_id": "O1", "started_on": "2025-06-01"},
        {"external_id": "P4", "trainee_external_id": "T9", "opening_external_id": "O1", "started_on": "2025-01-01"},
        {"external_id": "P5", "trainee_external_id": "T1", "opening_external_id": "O9", "started_on": "2025-01-01"},
        {"external_id": "P6", "trainee_external_id": "T1", "opening_external_id": "O2", "started_on": "2027-01-01"},
    ]
    followups = [
        {"placement_external_id": "P2", "month": 1, "employed": True, "checked_on": "2025-07-03"},
        {"placement_external_id": "P2", "month": 3, "employed": True, "checked_on": "2025-09-02"},
        {"placement_external_id": "P3", "month": 1, "employed": False, "checked_on": "2025-07-02"},
    ]
    return {"trainees": trainees, "employers": employers, "openings": openings, "placements": placements,
            "followups": followups}


def test_training_set_from_records(engine: MatchEngine) -> None:
    data = build_training_set(engine=engine, as_of=datetime.date(2025, 11, 1), **small_records())
    assert list(data.placement_ids) == ["P1", "P2", "P3"]
    assert data.skipped == {"unknown_trainee": 1, "unknown_opening": 1, "started_after_as_of": 1}
    assert list(data.periods) == [2, 2, 1]  # P2's (3,6] interval has not closed yet
    assert list(data.left) == [True, False, True]
    assert list(data.employer) == ["E1", "E2", "E1"]
    assert list(data.trainee_ids) == ["T1", "T2", "T2"]
    assert list(data.twelve_month_known) == [True, False, False]
    assert data.n_events == 2 and len(data) == 3
    rows, interval, event = data.person_periods()
    assert list(rows) == [0, 0, 1, 1, 2]
    assert list(interval) == [0, 1, 0, 1, 0]
    assert list(event) == [False, True, False, False, True]
    assert set(FEATURE_NAMES) | set(OUTCOME_FEATURE_NAMES) <= set(data.features)
    f = data.features
    assert list(f["employer_external_id"]) == ["E1", "E2", "E1"]
    assert list(f["night_shift"]) == [True, False, True]
    assert list(f["languages_count"]) == [2.0, 1.0, 1.0]
    assert list(f["employer_vetted"]) == [True, False, True]
    # the statutory minimum in force at each start: the site's wage table begins in 2025
    assert np.isnan(f["minimum_wage"][0]) and np.isfinite(f["minimum_wage"][1])
    sub = data.subset(np.array([False, True, True]))
    assert list(sub.placement_ids) == ["P2", "P3"] and list(sub.features["employer_external_id"]) == ["E2", "E1"]


def test_an_earlier_as_of_sees_only_what_was_known_then(engine: MatchEngine) -> None:
    data = build_training_set(engine=engine, as_of=datetime.date(2025, 8, 1), **small_records())
    assert list(data.placement_ids) == ["P1", "P2", "P3"]
    assert list(data.periods) == [2, 1, 1]
    assert list(data.left) == [True, False, True]


def test_no_placements_gives_an_empty_training_set(engine: MatchEngine) -> None:
    records = small_records()
    records["placements"] = []
    data = build_training_set(engine=engine, as_of=datetime.date(2025, 11, 1), **records)
    assert len(data) == 0 and data.n_events == 0
    assert all(v.shape == (0,) for v in data.features.values())


def test_demo_bundle(engine: MatchEngine, taxonomy: Taxonomy) -> None:
    records = read_bundle_records(DEMO, taxonomy=taxonomy)
    assert len(records.placements) == 200 and records.followups and records.employers
    assert all(isinstance(item, dict) and "skill" in item for r in records.trainees for item in r["skills"])
    data = build_training_set(engine=engine, trainees=records.trainees, openings=records.openings,
                              employers=records.employers, placements=records.placements,
                              followups=records.followups, as_of=datetime.date(2026, 11, 1))
    assert len(data) == 200 and not data.skipped
    assert np.isfinite(data.features["skill_fit"]).all()
    assert data.features["skill_fit"].mean() > 0.5
    # every event is a placement that ended or a follow-up that found her gone
    ended = {p["external_id"] for p in records.placements if p["ended_on"]}
    gone = {f["placement_external_id"] for f in records.followups if f["employed"] is False}
    assert set(data.placement_ids[data.left]) <= ended | gone
    assert data.twelve_month_known.sum() > 50
    assert (data.durations[data.left] <= 12.0 + 1e-9).all()
