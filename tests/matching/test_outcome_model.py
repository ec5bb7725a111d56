"""The outcome model: learning from censored follow-ups, explanations, calibration, the prior, saving, the engine;
what is known to be true, falling back to the prior where history is thin, weighted placements."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import json
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from scipy.stats import spearmanr
from sklearn.base import clone
from sklearn.metrics import roc_auc_score

from demo.generator import generate_bundle
from demo.truth import TruthModel
from matching.engine import MatchEngine
from matching.features import features_from_context
from matching.outcome_data import OutcomeTrainingSet, build_training_set, read_bundle_records
from matching.outcome_model import (
    DEFAULT_BASE_RATE,
    FACTORS,
    HAZARD_SIGNS,
    TRUSTED_TYPES,
    OutcomeModel,
    brier_score,
    employer_history,
)
from matching.reference import Site, Taxonomy, default_data_dir
from matching.scoring import BASELINE, Scorer, logit
from matching.shrinkage import evidence_sentence, history_weight
from matching.tables import OpeningTable, TraineeTable

DEMO = default_data_dir() / "demo"
SENSITIVE = "is_survivor"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("outcome") / "bundle"
    generate_bundle(out, seed=5, trainees=3000, openings=600)
    return out


@pytest.fixture(scope="module")
def truth(bundle: Path) -> TruthModel:
    return TruthModel.load(bundle)


@pytest.fixture(scope="module")
def records(bundle: Path, taxonomy: Taxonomy):
    return read_bundle_records(bundle, taxonomy=taxonomy)


def training_set(engine: MatchEngine, records, as_of: datetime.date, **changes) -> OutcomeTrainingSet:
    values = {"trainees": records.trainees, "openings": records.openings, "employers": records.employers,
              "placements": records.placements, "followups": records.followups}
    values.update(changes)
    return build_training_set(engine=engine, as_of=as_of, **values)


@pytest.fixture(scope="module")
def data(engine: MatchEngine, records, truth: TruthModel) -> OutcomeTrainingSet:
    return training_set(engine, records, truth.reference_date)


@pytest.fixture(scope="module")
def model(data: OutcomeTrainingSet) -> OutcomeModel:
    return OutcomeModel().fit(data)


def assert_contributions_add_up(scorer: OutcomeModel, features: dict) -> None:
    score, contributions = scorer.predict(features)
    assert ((score > 0) & (score < 1)).all()
    assert BASELINE in contributions
    total = np.sum(list(contributions.values()), axis=0)
    np.testing.assert_allclose(total, logit(score), rtol=0, atol=1e-9)


# --------------------------------------------------------------------------- learning


def test_learns_from_censored_history(model: OutcomeModel, data: OutcomeTrainingSet) -> None:
    assert not model.is_prior_ and "learnt from" in model.reason_
    m = model.metrics_
    assert m["n_placements"] == int(data.usable.sum()) and m["n_events"] == data.n_events >= 15
    # censored placements count: more placements than those with a known 12-month outcome
    assert m["n_placements"] > m["n_twelve_month_known"] + 100
    assert len(model.intercepts_) == 4 and len(model.coef_) == len(model.feature_names_)
    assert 0.3 < model.base_rate_ < 0.8
    assert len(m["reliability"]) == 10 and sum(n for _, _, n in m["reliability"]) == m["n"]
    coef = dict(zip(model.feature_names_, model.coef_))
    # hazard scale: negative means she stays longer
    assert coef["skill_fit"] < 0 and coef["employer_history"] < 0 and coef["log_wage_ratio"] < 0
    assert isinstance(model, Scorer) and model.version == "outcome-untrained"
    json.dumps(m, allow_nan=False)  # the service stores the metrics as JSON


def test_training_twice_gives_the_same_model(data: OutcomeTrainingSet, model: OutcomeModel) -> None:
    again = OutcomeModel().fit(data)
    np.testing.assert_array_equal(again.coef_, model.coef_)
    np.testing.assert_array_equal(again.intercepts_, model.intercepts_)
    assert again.employer_retention_ == model.employer_retention_
    assert again.metrics_["brier"] == model.metrics_["brier"]
    np.testing.assert_array_equal(again.predict_proba_12(data.features), model.predict_proba_12(data.features))


def test_survivor_status_changes_nothing(engine: MatchEngine, records, truth: TruthModel,
                                         data: OutcomeTrainingSet, model: OutcomeModel) -> None:
    assert all(SENSITIVE in r for r in records.trainees)
    flipped = [{**r, SENSITIVE: str(r[SENSITIVE]).lower() != "true"} for r in records.trainees]
    other = training_set(engine, records, truth.reference_date, trainees=flipped)
    refit = OutcomeModel().fit(other)
    np.testing.assert_array_equal(refit.coef_, model.coef_)
    np.testing.assert_array_equal(refit.predict_proba_12(other.features), model.predict_proba_12(data.features))
    np.testing.assert_array_equal(model.predict_proba_12(other.features), model.predict_proba_12(data.features))


def test_employer_history_leaves_each_placement_out(data: OutcomeTrainingSet) -> None:
    usable = data.subset(data.usable)
    loo, rates = employer_history(usable, 10.0)
    employers, counts = np.unique(usable.employer.astype(str), return_counts=True)
    busy = employers[np.argmax(counts)]
    rows = np.flatnonzero(usable.employer == busy)
    i, j = rows[0], rows[1]
    flipped = dataclasses.replace(usable, left=usable.left.copy(), periods=usable.periods.copy())
    flipped.left[i] = not usable.left[i]
    flipped.periods[i] = 4 if usable.left[i] else usable.periods[i]
    loo2, rates2 = employer_history(flipped, 10.0)
    assert loo2[i] == pytest.approx(loo[i], abs=1e-12)      # her own outcome never reaches her
    assert loo2[j] != pytest.approx(loo[j], abs=1e-9)       # it does reach the employer's other placements
    assert rates2[busy] != pytest.approx(rates[busy], abs=1e-9)
    # shrinkage: a very strong prior pulls every employer to the overall rate
    _, flat = employer_history(usable, 1e9)
    assert np.ptp(list(flat.values())) < 1e-6


# --------------------------------------------------------------------------- explanations


@pytest.mark.parametrize("calibrate", ["auto", "platt", "isotonic", None])
def test_contributions_add_up_to_the_logit(calibrate: str | None, data: OutcomeTrainingSet,
                                           model: OutcomeModel) -> None:
    scorer = model if calibrate == "auto" else OutcomeModel(calibrate=calibrate).fit(data)
    assert scorer.calibration_ == (calibrate if calibrate in ("platt", "isotonic") else scorer.calibration_)
    assert_contributions_add_up(scorer, data.features)
    contributions = scorer.contributions(data.features)
    assert set(contributions) - {BASELINE} <= set(FACTORS)
    assert {"skill_fit", "commute", "wage", "shift", "employer_history", "attendance", "dependents"} \
        <= set(contributions)
    if calibrate != "isotonic":  # the baseline is the same for every pair with the same weight of history
        weight = scorer.evidence(data.features).weight
        for value in np.unique(weight):
            assert np.ptp(contributions[BASELINE][weight == value]) < 1e-6


def test_contributions_follow_the_features(model: OutcomeModel, data: OutcomeTrainingSet) -> None:
    features = {k: v[:50].copy() for k, v in data.features.items()}
    low, high = dict(features), dict(features)
    low["skill_fit"] = np.full(50, 0.2)
    high["skill_fit"] = np.full(50, 1.0)
    assert (model.predict_proba_12(high) > model.predict_proba_12(low)).all()
    assert (model.contributions(high)["skill_fit"] > model.contributions(low)["skill_fit"]).all()


# --------------------------------------------------------------------------- calibration and accuracy


def test_calibrated_on_the_demo_data(engine: MatchEngine, taxonomy: Taxonomy) -> None:
    demo = read_bundle_records(DEMO, taxonomy=taxonomy)
    data = training_set(engine, demo, datetime.date(2026, 11, 1))
    fitted = OutcomeModel().fit(data)
    m = fitted.metrics_
    print(f"\ndemo data: {m['n_placements']} placements, {m['n_events']} events; out-of-fold Brier {m['brier']:.4f}"
          f" (uncalibrated {m['uncalibrated']['brier']:.4f}) vs base rate {m['brier_base_rate']:.4f};"
          f" calibration {fitted.calibration_}")
    assert not fitted.is_prior_
    assert m["brier"] < m["brier_base_rate"]
    assert abs(m["mean_predicted"] - m["observed_rate"]) < 0.05


def test_held_out_women_brier_beats_the_base_rate(data: OutcomeTrainingSet) -> None:
    women = np.unique(data.trainee_ids.astype(str))
    held = set(np.random.default_rng(3).choice(women, size=len(women) // 4, replace=False).tolist())
    test = np.array([t in held for t in data.trainee_ids.tolist()])
    fitted = OutcomeModel().fit(data.subset(~test))
    result = fitted.evaluation(data.subset(test))
    base = brier_score(np.full(result["n"], fitted.base_rate_),
                       data.twelve_month_retained[test & data.twelve_month_known])
    print(f"\nheld-out women: {result['n']} placements with a known outcome; Brier {result['brier']:.4f} vs base rate"
          f" {base:.4f}; AUC {result['auc']:.3f}")
    assert result["brier"] < base
    assert result["auc"] > 0.65
    assert len(result["reliability"]) == 10


def _raw(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["external_id"]: row for row in csv.DictReader(handle)}


def test_agrees_with_the_true_model_on_unseen_pairs(model: OutcomeModel, records, bundle: Path,
                                                     truth: TruthModel, taxonomy: Taxonomy, site: Site) -> None:
    trainees = TraineeTable.from_records(records.trainees, taxonomy=taxonomy, site=site)
    openings = OpeningTable.from_records([r for r in records.openings if r["status"] == "open"],
                                         employers=records.employers, taxonomy=taxonomy, site=site)
    placed = {(p["trainee_external_id"], p["opening_external_id"]) for p in records.placements}
    rng = np.random.default_rng(17)
    t_idx, o_idx = rng.integers(0, len(trainees), 4000), rng.integers(0, len(openings), 4000)
    fresh = np.array([(trainees.external_id[i], openings.external_id[j]) not in placed
                      for i, j in zip(t_idx.tolist(), o_idx.tolist())])
    t_idx, o_idx = t_idx[fresh], o_idx[fresh]
    scored = MatchEngine(taxonomy=taxonomy, site=site, scorer=model).score_pairs(
        trainees, t_idx, openings, o_idx, as_of=truth.reference_date)

    raw_t, raw_o, raw_e = _raw(bundle / "trainees.csv"), _raw(bundle / "openings.csv"), _raw(bundle / "employers.csv")
    t_rows = [raw_t[trainees.external_id[i]] for i in t_idx]
    o_rows = [raw_o[openings.external_id[j]] for j in o_idx]
    number = ("lat", "lon", "expected_wage_inr", "attendance_rate", "monthly_wage_inr")

    def columns(rows: list[dict[str, str]]) -> dict[str, np.ndarray]:
        return {k: np.array([float(r[k]) if k in number else r[k] for r in rows]) for k in rows[0]}

    o_cols = columns(o_rows)
    o_cols["vetted"] = np.array([raw_e[r["employer_external_id"]]["vetted"] for r in o_rows])
    true_p = truth.retention_probability(columns(t_rows), o_cols)
    auc = roc_auc_score(true_p > np.median(true_p), scored.score)
    rho = spearmanr(scored.score, true_p).statistic
    print(f"\nunseen pairs ({len(t_idx)}): AUC against the truth above its median {auc:.3f}, Spearman {rho:.3f}")
    assert auc > 0.65
    assert rho > 0.5


# --------------------------------------------------------------------------- little history: the prior


def test_prior_with_little_history(engine: MatchEngine, records, truth: TruthModel) -> None:
    few = training_set(engine, records, truth.reference_date, placements=records.placements[:40])
    prior = OutcomeModel().fit(few)
    assert prior.is_prior_
    assert "prior" in prior.reason_ and "placements" in prior.reason_ and "60" in prior.reason_
    assert_contributions_add_up(prior, few.features)
    usable = few.subset(few.usable)
    score = prior.predict_proba_12(usable.features)
    assert np.mean(logit(score)) == pytest.approx(logit(np.array(prior.base_rate_)), abs=1e-6)
    # the weighted score's shape: a better skill fit scores higher
    better = {**usable.features, "skill_fit": np.ones(len(usable))}
    assert (prior.predict_proba_12(better) >= score).all()


def test_prior_with_few_events(data: OutcomeTrainingSet) -> None:
    prior = OutcomeModel(min_events=10**6).fit(data)
    assert prior.is_prior_ and "left their job" in prior.reason_
    assert prior.base_rate_ == pytest.approx(OutcomeModel().fit(data).base_rate_)


def test_prior_without_any_history(engine: MatchEngine, records, truth: TruthModel) -> None:
    nothing = training_set(engine, records, truth.reference_date, placements=[])
    prior = OutcomeModel().fit(nothing)
    assert prior.is_prior_ and prior.base_rate_ == DEFAULT_BASE_RATE
    assert "0 placements" in prior.reason_
    json.dumps(prior.metrics_, allow_nan=False)
    assert prior.metrics_["auc"] is None


def test_no_year_of_history_yet_is_a_prior(data: OutcomeTrainingSet) -> None:
    young = dataclasses.replace(data, periods=np.minimum(data.periods, 3),
                                left=data.left & (data.periods <= 3))
    prior = OutcomeModel().fit(young)
    assert prior.is_prior_ and "(6,12]" in prior.reason_


# --------------------------------------------------------------------------- conventions, saving, the engine


def test_estimator_conventions(model: OutcomeModel, data: OutcomeTrainingSet) -> None:
    params = model.get_params()
    assert params == {"C": 1.0, "employer_prior_strength": 10.0, "prior_strength": 15.0, "monotone": True,
                      "min_placements": 60, "min_events": 15, "calibrate": "auto", "random_state": 0}
    fresh = clone(model)
    assert not hasattr(fresh, "coef_")
    with pytest.raises(RuntimeError):
        fresh.predict(data.features)
    with pytest.raises(ValueError):
        OutcomeModel(calibrate="magic").fit(data)


@pytest.mark.parametrize("kind", ["fitted", "platt", "prior"])
def test_skops_round_trip(kind: str, model: OutcomeModel, data: OutcomeTrainingSet) -> None:
    scorer = {"fitted": model, "platt": None, "prior": None}[kind]
    if kind == "platt":
        scorer = OutcomeModel(calibrate="platt").fit(data)
    elif kind == "prior":
        scorer = OutcomeModel(min_placements=10**6).fit(data)
    scorer = clone(scorer).fit(data) if kind == "fitted" else scorer
    scorer.version = "outcome-2026-11-29-ab12cd"
    blob = sio.dumps(scorer)
    assert set(sio.get_untrusted_types(data=blob)) <= set(TRUSTED_TYPES)
    loaded = sio.loads(blob, trusted=TRUSTED_TYPES)
    assert loaded.version == scorer.version and loaded.is_prior_ == scorer.is_prior_
    score, contributions = scorer.predict(data.features)
    score2, contributions2 = loaded.predict(data.features)
    np.testing.assert_array_equal(score2, score)
    assert contributions2.keys() == contributions.keys()
    for name in contributions:
        np.testing.assert_array_equal(contributions2[name], contributions[name])


def test_the_engine_ranks_with_the_model(model: OutcomeModel, records, truth: TruthModel,
                                         taxonomy: Taxonomy, site: Site) -> None:
    engine = MatchEngine(taxonomy=taxonomy, site=site, scorer=model)
    assert engine.scorer_version == model.version
    trainees = TraineeTable.from_records([r for r in records.trainees if r["status"] == "job_ready"][:40],
                                         taxonomy=taxonomy, site=site)
    openings = OpeningTable.from_records([r for r in records.openings if r["status"] == "open"],
                                         employers=records.employers, taxonomy=taxonomy, site=site)
    as_of = truth.reference_date
    seen, last = 0, None
    for i in range(len(trainees)):
        matches = engine.rank_openings(trainees, i, openings, as_of=as_of, limit=5)
        if not matches:
            continue
        last = matches[0].external_id
        rows = np.array([openings.index_of(m.external_id) for m in matches])
        ctx = engine.context(trainees, np.full(len(rows), i), openings, rows, as_of=as_of)
        expected = model.predict_proba_12(features_from_context(ctx, demand=engine.demand))
        np.testing.assert_allclose([m.score for m in matches], expected, rtol=0, atol=1e-12)
        assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
        for match in matches:
            assert match.reasons
            assert sum(match.factors.values()) == pytest.approx(float(logit(np.array(match.score))), abs=1e-9)
            assert "employer_history" in match.factors
        seen += 1
    assert seen >= 10
    j = openings.index_of(last)
    ranked = engine.rank_trainees(openings, j, trainees, as_of=as_of, limit=3)
    assert ranked and all(m.reasons and 0 < m.score < 1 for m in ranked)


# --------------------------------------------------------------------------- what is known; thin history


def test_known_directions_are_held_whatever_the_history_says(data: OutcomeTrainingSet) -> None:
    # a history in which better-qualified women seem to leave sooner: the constrained model refuses the reversal
    reversed_fit = dataclasses.replace(data, features={**data.features, "skill_fit": 1 - data.features["skill_fit"]})
    free = OutcomeModel(monotone=False).fit(reversed_fit)
    held = OutcomeModel().fit(reversed_fit)
    assert dict(zip(free.feature_names_, free.coef_))["skill_fit"] > 0.1      # more fit, more leaving
    assert dict(zip(held.feature_names_, held.coef_))["skill_fit"] == 0.0     # held at "no effect"
    coef = dict(zip(held.feature_names_, held.coef_))
    for name, sign in HAZARD_SIGNS.items():
        assert name not in coef or coef[name] * sign >= 0
    low, high = ({**data.features, "skill_fit": np.full(len(data), v)} for v in (0.0, 1.0))
    assert (held.predict_proba_12(high) >= held.predict_proba_12(low)).all()
    assert (free.predict_proba_12(high) < free.predict_proba_12(low)).any()


def test_thin_history_falls_back_to_the_prior(model: OutcomeModel, data: OutcomeTrainingSet) -> None:
    features = {k: v[:200].copy() for k, v in data.features.items()}
    unseen = {**features, "opening_occupation": np.full(200, "an_occupation_never_placed", dtype=object)}
    evidence = model.evidence(unseen)
    assert (evidence.similar == 0).all() and (evidence.weight == 0).all()
    # no similar placements: the score is the prior's, whatever the learnt model says
    prior_only = clone(model).set_params(prior_strength=1e15).fit(data)
    np.testing.assert_allclose(model.predict_proba_12(unseen), prior_only.predict_proba_12(unseen), atol=1e-9)
    assert_contributions_add_up(model, unseen)
    # the more similar placements, the more the learnt model counts
    seen = model.evidence(features)
    order = np.argsort(seen.similar)
    assert np.all(np.diff(seen.weight[order]) >= 0) and seen.weight.max() > 0.5
    assert seen.at(int(order[-1])).sentence.startswith(f"based on {seen.similar.max()} similar past placements")
    assert evidence.at(0).sentence.startswith("no similar past placements")


def test_evidence_sentences() -> None:
    assert evidence_sentence(12, 0.44) == "little history: mostly the programme's prior (12 similar past placements)"
    assert evidence_sentence(1, 0.6) == "based on 1 similar past placement (same occupation and kind of area)"
    assert evidence_sentence(40, 0.0, learnt=False).startswith("too little history to learn from yet")
    assert history_weight(np.array([0, 15, 45]), 15.0).tolist() == [0.0, 0.5, 0.75]


def test_a_prior_model_says_it_learnt_nothing(engine: MatchEngine, records, truth: TruthModel) -> None:
    few = training_set(engine, records, truth.reference_date, placements=records.placements[:40])
    evidence = OutcomeModel().fit(few).evidence(few.features)
    assert (evidence.weight == 0).all() and not evidence.learnt
    assert evidence.at(0).sentence.startswith("too little history to learn from yet")


def test_placement_weights_change_the_fit(data: OutcomeTrainingSet, model: OutcomeModel) -> None:
    weights = np.where(data.features["training_track_match"] == 1, 0.5, 2.0)
    weighted = OutcomeModel().fit(data, sample_weight=weights)
    assert weighted.metrics_["selection"]["weighted"] and not model.metrics_["selection"]["weighted"]
    assert not np.allclose(weighted.coef_, model.coef_)
    np.testing.assert_array_equal(OutcomeModel().fit(data.with_weights(weights)).coef_, weighted.coef_)
    with pytest.raises(ValueError, match="weights"):
        OutcomeModel().fit(data, sample_weight=np.ones(3))
