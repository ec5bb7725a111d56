"""Correcting for who was placed: the selection sample, the propensity, the weights, and what they do to the fit."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.base import clone

from demo.generator import generate_bundle
from demo.truth import TruthModel
from matching.engine import MatchEngine
from matching.outcome_data import OutcomeTrainingSet, build_training_set, read_bundle_records
from matching.outcome_model import OutcomeModel
from matching.propensity import HISTORY_EXEMPT_RULES, SelectionCorrection, correct_selection
from matching.reference import Taxonomy
from matching.safety import evaluate_rules
from matching.tables import OpeningTable, TraineeTable

MAX_WEIGHT = 10.0


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("selection") / "bundle"
    generate_bundle(out, seed=5, trainees=1500, openings=300)
    return out


@pytest.fixture(scope="module")
def records(bundle: Path, taxonomy: Taxonomy) -> Any:
    return read_bundle_records(bundle, taxonomy=taxonomy)


@pytest.fixture(scope="module")
def data(engine: MatchEngine, records: Any, bundle: Path) -> OutcomeTrainingSet:
    return build_training_set(engine=engine, trainees=records.trainees, openings=records.openings,
                              employers=records.employers, placements=records.placements,
                              followups=records.followups, as_of=TruthModel.load(bundle).reference_date)


@pytest.fixture(scope="module")
def correction(engine: MatchEngine, records: Any, data: OutcomeTrainingSet) -> SelectionCorrection:
    return correct_selection(engine=engine, trainees=records.trainees, openings=records.openings,
                             employers=records.employers, placements=records.placements, data=data,
                             max_weight=MAX_WEIGHT)


def _raw(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["external_id"]: row for row in csv.DictReader(handle)}


def true_probability(bundle: Path, trainee_ids: list[str], opening_ids: list[str]) -> np.ndarray:
    """The generator's hidden 12-month retention of aligned pairs."""
    raw_t, raw_o, raw_e = (_raw(bundle / name) for name in ("trainees.csv", "openings.csv", "employers.csv"))
    number = ("lat", "lon", "expected_wage_inr", "attendance_rate", "monthly_wage_inr")

    def columns(rows: list[dict[str, str]]) -> dict[str, np.ndarray]:
        return {k: np.array([float(r[k]) if k in number else r[k] for r in rows]) for k in rows[0]}

    o_rows = [raw_o[j] for j in opening_ids]
    o_cols = columns(o_rows)
    o_cols["vetted"] = np.array([raw_e[r["employer_external_id"]]["vetted"] for r in o_rows])
    return TruthModel.load(bundle).retention_probability(columns([raw_t[i] for i in trainee_ids]), o_cols)


def test_the_sample_is_placements_and_pairs_feasible_that_day(correction: SelectionCorrection, engine: MatchEngine,
                                                              records: Any) -> None:
    sample = correction.sample
    # up to 8 alternatives each; the qualification rule leaves fewer women feasible beside a placement
    assert sample.n_cases > 50 and sample.n_controls > 3 * sample.n_cases
    assert sample.infeasible > 0  # older history broke rules that hold today: those are not cases
    assert np.bincount(sample.case[~sample.chosen]).max() <= 8
    # every control passes the rules of its day (those reading the records as they are now aside)
    rules = [rule for rule in engine.rules if rule.code not in HISTORY_EXEMPT_RULES]
    trainees = TraineeTable.from_records(records.trainees, taxonomy=engine.taxonomy, site=engine.site)
    openings = OpeningTable.from_records(records.openings, employers=records.employers, taxonomy=engine.taxonomy,
                                         site=engine.site)
    controls = np.flatnonzero(~sample.chosen)
    t_idx = np.array([trainees.index_of(str(i)) for i in sample.trainee_ids[controls]])
    o_idx = np.array([openings.index_of(str(j)) for j in sample.opening_ids[controls]])
    for day in np.unique(sample.days[controls]):
        on = sample.days[controls] == day
        context = engine.context(trainees, t_idx[on], openings, o_idx[on], as_of=day.item())
        assert not evaluate_rules(context, rules).any()
    assert {"commute_too_long", "below_minimum_wage", "night_shift_unsafe"} <= {rule.code for rule in rules}


def test_weights_are_applied_and_bounded(correction: SelectionCorrection, data: OutcomeTrainingSet) -> None:
    weights = correction.weights
    feasible = correction.sample.feasible_placements(data.placement_ids.tolist())
    assert weights.shape == (len(data),) and feasible.any() and not feasible.all()
    assert (weights[~feasible] == 1.0).all()                  # outside the feasible pairs: once each
    w = weights[feasible]
    assert w.mean() == pytest.approx(1.0, abs=1e-6)            # stabilised
    assert 1 / MAX_WEIGHT - 1e-9 <= w.min() and w.max() <= MAX_WEIGHT + 1e-9   # clipped
    assert np.ptp(w) > 1.0                                     # and not all alike
    # chosen more often (trained for the occupation): weighted less
    track = data.features["training_track_match"][feasible]
    assert w[track == 1].mean() < w[track == 0].mean()
    summary = correction.summary()
    assert summary["applied"] and 0.6 < summary["propensity_auc"] < 1.0


def test_weights_give_the_feasible_pairs_mix(correction: SelectionCorrection, bundle: Path) -> None:
    """Past placements were better bets than the pairs feasible beside them; weighted, they are not."""
    sample, model = correction.sample, correction.model
    assert model is not None
    truth = true_probability(bundle, [str(i) for i in sample.trainee_ids], [str(j) for j in sample.opening_ids])
    cases = sample.chosen
    weights = model.weights({k: v[cases] for k, v in sample.features.items()})
    feasible_mean, placed_mean = truth[~cases].mean(), truth[cases].mean()
    weighted_mean = np.average(truth[cases], weights=weights)
    assert placed_mean > feasible_mean + 0.05
    assert abs(weighted_mean - feasible_mean) < abs(placed_mean - feasible_mean) * 0.75


@pytest.mark.xfail(strict=True, reason="with the qualification rule among the feasibility rules, the weighted fit's base "
                   "rate no longer moves towards the feasible pairs' on this programme (0.488 vs 0.494 unweighted, "
                   "truth 0.547): the correction is being re-examined")
def test_the_weighted_fit_moves_towards_the_feasible_pairs(correction: SelectionCorrection,
                                                           data: OutcomeTrainingSet, bundle: Path) -> None:
    sample = correction.sample
    controls = ~sample.chosen
    feasible_truth = true_probability(bundle, [str(i) for i in sample.trainee_ids[controls]],
                                      [str(j) for j in sample.opening_ids[controls]]).mean()
    before = OutcomeModel(C=0.03).fit(data)
    after = OutcomeModel(C=0.03).fit(data, sample_weight=correction.weights)
    assert after.metrics_["selection"]["weighted"] and not before.metrics_["selection"]["weighted"]
    # the base rate is what the fit expects of an average pair: from the placements' towards the feasible pairs'
    assert abs(after.base_rate_ - feasible_truth) < abs(before.base_rate_ - feasible_truth)


def test_the_same_records_give_the_same_weights(engine: MatchEngine, records: Any, data: OutcomeTrainingSet,
                                                correction: SelectionCorrection) -> None:
    again = correct_selection(engine=engine, trainees=records.trainees, openings=records.openings,
                              employers=records.employers, placements=records.placements, data=data,
                              max_weight=MAX_WEIGHT)
    np.testing.assert_array_equal(again.weights, correction.weights)
    assert correction.model is not None
    flat = clone(correction.model).set_params(flatten=0.0).fit(correction.sample)
    np.testing.assert_allclose(flat.weights(data.features), 1.0)  # no correction at all
    with pytest.raises(ValueError, match="flatten"):
        clone(correction.model).set_params(flatten=2.0).fit(correction.sample)
