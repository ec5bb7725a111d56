"""Calibrating the commute rates on recorded journeys: known rates are recovered, thin data stays near the defaults,
the range holds about eight journeys in ten, and a confirmed journey replaces the estimate."""

from __future__ import annotations

import datetime

import numpy as np
import pytest

from matching.commute import DEFAULT_COMMUTE_MODEL, CommuteModel
from matching.commute_calibration import CommuteCalibration, journey_table, recorded_journeys
from matching.engine import MatchEngine
from matching.tables import OpeningTable, TraineeTable

AREAS = np.array(["metro", "urban", "rural"], dtype=object)
TRUE = CommuteModel(wait_minutes=14.0, metro_minutes_per_km=5.0, urban_minutes_per_km=3.5, rural_minutes_per_km=2.5,
                    unknown_minutes_per_km=3.5, intercity_minutes_per_km=1.8)


def journeys(n: int, seed: int = 3, noise: float = 0.1, wrong: float = 0.0):
    rng = np.random.default_rng(seed)
    X = {"distance_km": rng.gamma(2.0, 5.0, n), "area_type_origin": AREAS[rng.integers(0, 3, n)],
         "area_type_dest": AREAS[rng.integers(0, 3, n)]}
    minutes = TRUE.minutes(X["distance_km"], X["area_type_origin"], X["area_type_dest"]) * rng.lognormal(0, noise, n)
    minutes[: int(wrong * n)] *= 4  # journeys noted wrongly
    return X, minutes


def test_recovers_known_rates_despite_wrongly_noted_journeys():
    X, minutes = journeys(3000, wrong=0.02)
    fitted = CommuteCalibration().fit(X, minutes)
    assert fitted.wait_minutes_ == pytest.approx(14.0, abs=1.0)
    assert fitted.rates_ == pytest.approx({"metro": 5.0, "urban": 3.5, "rural": 2.5}, abs=0.15)
    assert fitted.intercity_minutes_per_km_ == pytest.approx(1.8, abs=0.15)
    assert fitted.metrics_["calibrated_median_abs_error"] < fitted.metrics_["fixed_median_abs_error"] / 2
    model = fitted.commute_model("commute-test")
    assert model.version == "commute-test" and model.metro_minutes_per_km == fitted.rates_["metro"]


def test_the_range_holds_about_eight_journeys_in_ten():
    X, minutes = journeys(3000, seed=4, noise=0.15)
    fitted = CommuteCalibration().fit(X, minutes)
    assert fitted.low_factor_ < 1 < fitted.high_factor_
    later_X, later = journeys(3000, seed=5, noise=0.15)
    estimate = fitted.predict(later_X)
    inside = (later >= estimate * fitted.low_factor_) & (later <= estimate * fitted.high_factor_)
    assert 0.72 <= inside.mean() <= 0.88


def test_three_journeys_barely_move_the_defaults():
    X, minutes = journeys(3, seed=6)
    fitted = CommuteCalibration().fit(X, minutes)
    assert max(fitted.weights_.values()) <= 3 / 23 + 1e-9
    assert fitted.wait_minutes_ == pytest.approx(DEFAULT_COMMUTE_MODEL.wait_minutes, abs=1.0)
    for area in ("metro", "urban", "rural"):
        assert fitted.rates_[area] == pytest.approx(DEFAULT_COMMUTE_MODEL.rate(area), abs=0.3)
    assert fitted.low_factor_ == pytest.approx(DEFAULT_COMMUTE_MODEL.low_factor, abs=0.08)
    empty = CommuteCalibration().fit({"distance_km": [], "area_type_origin": [], "area_type_dest": []}, [])
    assert empty.commute_model().minutes(10.0, "metro", "metro") == DEFAULT_COMMUTE_MODEL.minutes(10.0, "metro", "metro")


def test_recorded_journeys_come_from_followups_and_the_training_centre(site):
    trainees = [{"external_id": "T1", "district": "Kolkata", "lat": 22.61, "lon": 88.41, "partner_org": "kolkata_metro",
                 "training_commute_minutes": 35},
                {"external_id": "T2", "district": "Malda", "partner_org": "nowhere", "training_commute_minutes": 20}]
    openings = [{"external_id": "O1", "district": "Howrah"}]
    placements = [{"external_id": "P1", "trainee_external_id": "T1", "opening_external_id": "O1"}]
    followups = [{"placement_external_id": "P1", "commute_minutes": 55}, {"placement_external_id": "P1"}]
    found = recorded_journeys(trainees=trainees, openings=openings, placements=placements, followups=followups,
                              centres=site.training_centres)
    assert [(j["source"], j["minutes"]) for j in found] == [("followup", 55), ("training_centre", 35)]
    X, y = journey_table(found, site)
    assert y.tolist() == [55.0, 35.0] and list(X["area_type_origin"]) == ["metro", "metro"]
    assert 5 < X["distance_km"][0] < 20


def test_a_confirmed_journey_replaces_the_estimate_in_the_rule_and_the_reasons(taxonomy, site):
    day = datetime.date(2026, 11, 1)
    opening = {"external_id": "O1", "employer_external_id": "E1", "occupation": "sewing_machine_operator",
               "district": "Howrah", "monthly_wage_inr": 14000, "positions": 1, "status": "open",
               "posted_on": "2026-10-01", "required_skills": [{"label": "x", "level": 1, "skill": "machine_stitching"}]}
    openings = OpeningTable.from_records([opening], employers={"E1": {"vetted": True, "vetted_on": "2026-06-01"}},
                                         taxonomy=taxonomy, site=site)
    her = {"external_id": "T1", "status": "job_ready", "district": "Kolkata", "lat": 22.61, "lon": 88.41,
           "skills": [{"label": "x", "level": 2, "skill": "machine_stitching"}], "max_commute_minutes": 30}
    engine = MatchEngine(taxonomy=taxonomy, site=site)

    def ranked(**changes):
        trainees = TraineeTable.from_records([{**her, **changes}], taxonomy=taxonomy, site=site)
        [match] = engine.rank_openings(trainees, 0, openings, as_of=day, include_blocked=True)
        return match

    estimated = ranked()
    assert [v.code for v in estimated.blocked_by] == ["commute_too_long"]
    assert "(" in estimated.reasons[0] and estimated.reasons[0].endswith("each way; her limit is 30 min")
    confirmed = ranked(confirmed_journeys={"O1": 25})
    assert confirmed.allowed
    assert "confirmed journey 25 min each way, her limit is 30 min" in confirmed.reasons
    longer = ranked(max_commute_minutes=120, confirmed_journeys={"O1": 150})
    assert [v.sentence for v in longer.blocked_by] == ["Confirmed journey 2.5 hours each way; her limit is 120 min"]
    assert ranked(max_commute_minutes=120).allowed
    # another opening's confirmed journey changes nothing here
    assert not ranked(confirmed_journeys={"O2": 10}).allowed
