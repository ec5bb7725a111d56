"""The hidden true outcome model: loadable, coherent, and what generated the history."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from demo import TruthModel, generate_bundle
from demo.truth import FEATURE_NAMES, skill_fit_from_levels

REF = date(2026, 11, 1)


def read(bundle: Path, name: str) -> list[dict[str, str]]:
    with open(bundle / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("truth_bundle")
    generate_bundle(out, seed=21, trainees=4000, openings=600)
    return out


@pytest.fixture(scope="module")
def truth(bundle) -> TruthModel:
    return TruthModel.load(bundle)


@pytest.fixture(scope="module")
def history(bundle, truth):
    trainees = {r["external_id"]: r for r in read(bundle, "trainees.csv")}
    openings = {r["external_id"]: r for r in read(bundle, "openings.csv")}
    employers = {r["external_id"]: r for r in read(bundle, "employers.csv")}
    placements = read(bundle, "placements.csv")
    followups = defaultdict(list)
    for r in read(bundle, "followups.csv"):
        followups[r["placement_external_id"]].append(r)
    probs = np.array([
        truth.pair_probability_from_rows(trainees[p["trainee_external_id"]], openings[p["opening_external_id"]],
                                         employers[openings[p["opening_external_id"]]["employer_external_id"]])
        for p in placements
    ])
    return {"trainees": trainees, "openings": openings, "employers": employers, "placements": placements,
                "followups": followups, "probs": probs}


def test_truth_file_is_written_beside_the_bundle(bundle, truth):
    path = bundle / "_truth" / "truth.json"
    params = json.loads(path.read_text(encoding="utf-8"))
    assert TruthModel.load(path).params == params == truth.params
    for key in ("intercept", "coefficients", "noise_sd", "hazard_shape", "employer_effects", "skill_aliases",
                "minimum_wages", "demand_growth", "reference_date"):
        assert key in params
    employers = read(bundle, "employers.csv")
    assert set(params["employer_effects"]) == {r["external_id"] for r in employers}
    assert set(params["unvetted_employers"]) == {r["external_id"] for r in employers if r["vetted"] == "false"}
    # some employers keep women much longer than others
    effects = np.array(list(params["employer_effects"].values()))
    assert effects.std() > 0.4


def test_probabilities_are_in_the_open_unit_interval(history):
    probs = history["probs"]
    assert np.all((probs > 0) & (probs < 1))
    assert 0.45 <= probs.mean() <= 0.60
    assert probs.std() > 0.1


def test_observed_12_month_retention_matches_the_truth(history):
    """Among placements old enough for the 12-month follow-up, the share still there ≈ mean P."""
    stayed, probs = [], []
    for p, prob in zip(history["placements"], history["probs"]):
        if date.fromisoformat(p["started_on"]) > REF - timedelta(days=380):
            continue
        last = history["followups"][p["external_id"]][-1]
        stayed.append(last["month"] == "12" and last["employed"] == "true")
        probs.append(prob)
    assert len(stayed) > 800
    assert abs(np.mean(stayed) - np.mean(probs)) < 0.05
    # and it discriminates: the women the truth favours stay more often
    probs, stayed = np.array(probs), np.array(stayed)
    high = probs > np.median(probs)
    assert stayed[high].mean() - stayed[~high].mean() > 0.15


def test_survival_within_the_year_follows_the_hazard(history, truth):
    for month in (1, 3, 6):
        alive, expected = [], []
        for p, prob in zip(history["placements"], history["probs"]):
            if date.fromisoformat(p["started_on"]) > REF - timedelta(days=int(month * 30.44) + 15):
                continue
            rows = {int(r["month"]): r for r in history["followups"][p["external_id"]]}
            earlier_left = any(r["employed"] == "false" for m, r in rows.items() if m < month)
            alive.append(not earlier_left and rows[month]["employed"] == "true")
            expected.append(float(truth.survival(prob, month)))
        assert abs(np.mean(alive) - np.mean(expected)) < 0.05, month


def test_vectorised_and_row_paths_agree(history, truth):
    placements = history["placements"][:200]
    t_rows = [history["trainees"][p["trainee_external_id"]] for p in placements]
    o_rows = [history["openings"][p["opening_external_id"]] for p in placements]
    trainees = {k: np.array([r[k] for r in t_rows]) for k in t_rows[0]}
    openings = {k: np.array([r[k] for r in o_rows]) for k in o_rows[0]}
    for k in ("lat", "lon", "expected_wage_inr", "attendance_rate"):
        trainees[k] = trainees[k].astype(float)
    for k in ("lat", "lon", "monthly_wage_inr"):
        openings[k] = openings[k].astype(float)
    vector = truth.retention_probability(trainees, openings)
    np.testing.assert_allclose(vector, history["probs"][:200], rtol=1e-12)
    # precomputed features give the same answer
    features = truth.pair_features(trainees, openings)
    assert set(features) == set(FEATURE_NAMES)
    again = truth.retention_probability(
        {k: features[k] for k in ("has_dependents", "attendance_rate", "night_shift_ok", "willing_to_relocate")},
        {k: features[k] for k in FEATURE_NAMES if k not in ("has_dependents", "attendance_rate", "night_shift_ok",
                                                             "willing_to_relocate", "employer_effect")},
        employer_effect=features["employer_effect"])
    np.testing.assert_allclose(again, vector, rtol=1e-12)


def _base(n: int = 1) -> dict[str, np.ndarray]:
    return {
        "skill_fit": np.full(n, 0.8), "commute_km": np.full(n, 10.0), "wage_ratio": np.full(n, 1.0),
        "night": np.zeros(n), "rotating": np.zeros(n), "transport": np.zeros(n), "accommodation": np.zeros(n),
        "has_dependents": np.ones(n), "night_shift_ok": np.zeros(n), "willing_to_relocate": np.zeros(n),
        "preferred_sector_match": np.ones(n), "attendance_rate": np.full(n, 0.8), "unvetted": np.zeros(n),
        "below_minimum": np.zeros(n), "employer_effect": np.zeros(n),
    }


@pytest.mark.parametrize("feature, value, direction", [
    ("skill_fit", 0.2, -1), ("commute_km", 45.0, -1), ("wage_ratio", 1.2, +1), ("night", 1.0, -1),
    ("rotating", 1.0, -1), ("transport", 1.0, +1), ("preferred_sector_match", 0.0, -1),
    ("attendance_rate", 0.95, +1), ("unvetted", 1.0, -1), ("below_minimum", 1.0, -1), ("employer_effect", 0.8, +1),
])
def test_direction_of_each_effect(truth, feature, value, direction):
    base = _base()
    changed = dict(base, **{feature: np.array([value])})
    p0 = truth.probability_from_features(base)[0]
    p1 = truth.probability_from_features(changed)[0]
    assert np.sign(p1 - p0) == direction


def test_night_shift_hurts_women_with_dependents_more(truth):
    night = dict(_base(2), night=np.ones(2), has_dependents=np.array([0.0, 1.0]))
    day = dict(_base(2), has_dependents=np.array([0.0, 1.0]))
    drop = truth.probability_from_features(day) - truth.probability_from_features(night)
    assert drop[1] > drop[0] > 0


def test_skill_fit_gives_partial_credit():
    have = np.array([[2, 1, 0], [2, 2, 0], [0, 0, 0]])
    need = np.array([[2, 2, 0], [2, 2, 0], [0, 0, 0]])
    np.testing.assert_allclose(skill_fit_from_levels(have, need), [0.75, 1.0, 1.0])


def test_skill_fit_reads_synonyms_and_odd_case(truth):
    assert truth.skill_fit("SILAI:2;overlock:1", "Machine stitching:2;Overlock & interlock machine operation:2") == 0.75
    assert truth.skill_fit("candle making:3", "Machine stitching:2") == 0.0


def test_demand_growth(bundle, truth):
    rows = read(bundle, "market_signals.csv")
    series = defaultdict(list)
    for r in rows:
        series[(r["district"], r["occupation"])].append(r)
    growth = {key: truth.demand_growth(*key) for key in series}
    assert all(-0.10 <= g <= 0.25 for g in growth.values())
    (district, occupation), g = next(iter(sorted(growth.items())))
    assert truth.demand_growth(district.upper(), occupation) == g  # names are matched case-insensitively
    # the yearly growth is recoverable from the long, busy series
    fitted, true = [], []
    for key, rs in series.items():
        y = np.array([int(r["postings"]) for r in rs], dtype=float)
        if len(rs) < 30 or y.mean() < 12:
            continue
        t = np.array([int(r["period"][:4]) * 12 + int(r["period"][5:]) for r in rs]) / 12.0
        fitted.append(np.exp(np.polyfit(t, np.log(y + 0.5), 1)[0]) - 1)
        true.append(growth[key])
    assert len(fitted) >= 10
    assert np.corrcoef(fitted, true)[0, 1] > 0.6
    with pytest.raises(KeyError):
        truth.demand_growth("Nowhere", "not_an_occupation")
