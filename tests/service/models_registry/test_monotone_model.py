"""What is known to be true holds in the trained, saved and loaded outcome model: more skill fit, a shorter journey
and a wage further above what she needs never lower the predicted probability that she stays.

The model is trained as `jobmatch train` trains it (selection weights, the training's penalty), on a small generated
programme, saved to registry bytes and loaded back with the trusted types only; the properties are checked on
that loaded artefact, for pairs drawn from the programme and values drawn by hypothesis."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo.generator import generate_bundle
from demo.truth import TruthModel
from matching.engine import MatchEngine
from matching.features import features_from_context
from matching.outcome_data import build_training_set, read_bundle_records
from matching.outcome_model import OutcomeModel
from matching.propensity import correct_selection
from matching.reference import default_data_dir, load_site, load_taxonomy
from matching.tables import OpeningTable, TraineeTable
from service.models_registry import service as registry
from service.models_registry.models import ModelVersion
from service.models_registry.training import OUTCOME_C

PAIRS = 300
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    bundle = tmp_path_factory.mktemp("monotone") / "bundle"
    generate_bundle(bundle, seed=8, trainees=1500, openings=300)
    taxonomy = load_taxonomy(default_data_dir() / "taxonomy.json")
    site = load_site(default_data_dir() / "sites" / "west_bengal")
    engine = MatchEngine(taxonomy=taxonomy, site=site)
    records = read_bundle_records(bundle, taxonomy=taxonomy)
    as_of = TruthModel.load(bundle).reference_date
    data = build_training_set(engine=engine, trainees=records.trainees, openings=records.openings,
                              employers=records.employers, placements=records.placements,
                              followups=records.followups, as_of=as_of)
    correction = correct_selection(engine=engine, trainees=records.trainees, openings=records.openings,
                                   employers=records.employers, placements=records.placements, data=data)
    trained = OutcomeModel(C=OUTCOME_C).fit(data, sample_weight=correction.weights)
    artefact = registry.dumps(trained)
    row = ModelVersion(kind="outcome", version="outcome-monotone-test", as_of=as_of, data_fingerprint="0" * 64,
                       artefact_sha256=hashlib.sha256(artefact).hexdigest(), artefact=artefact)
    loaded = registry.load(row)
    # pairs of job-ready women and open openings, whatever the rules say: the model must hold everywhere
    trainees = TraineeTable.from_records([r for r in records.trainees if r["status"] == "job_ready"],
                                         taxonomy=taxonomy, site=site)
    openings = OpeningTable.from_records([r for r in records.openings if r["status"] == "open"],
                                         employers=records.employers, taxonomy=taxonomy, site=site)
    rng = np.random.default_rng(8)
    context = engine.context(trainees, rng.integers(0, len(trainees), PAIRS), openings,
                             rng.integers(0, len(openings), PAIRS), as_of=as_of)
    return {"trained": trained, "model": loaded, "features": features_from_context(context),
            "correction": correction}


def one_pair(features: dict[str, np.ndarray], i: int, **changes: float) -> dict[str, np.ndarray]:
    row = {name: values[i:i + 1].copy() for name, values in features.items()}
    for name, value in changes.items():
        row[name] = np.array([value], dtype=np.float64)
    return row


def p12(model: OutcomeModel, features: dict[str, np.ndarray]) -> float:
    return float(model.predict_proba_12(features)[0])


def test_the_loaded_artefact_is_the_trained_model(programme: dict[str, Any]) -> None:
    trained, loaded, features = programme["trained"], programme["model"], programme["features"]
    assert not loaded.is_prior_ and loaded.monotone
    assert loaded.metrics_["selection"]["weighted"]  # trained as production trains it
    np.testing.assert_array_equal(loaded.predict_proba_12(features), trained.predict_proba_12(features))


@PROPERTY
@given(i=st.integers(0, PAIRS - 1), low=st.floats(0.0, 1.0), high=st.floats(0.0, 1.0))
def test_more_skill_fit_never_lowers_the_probability(programme: dict[str, Any], i: int, low: float,
                                                     high: float) -> None:
    low, high = sorted((low, high))
    model, features = programme["model"], programme["features"]
    assert p12(model, one_pair(features, i, skill_fit=high)) >= p12(model, one_pair(features, i, skill_fit=low))


@PROPERTY
@given(i=st.integers(0, PAIRS - 1), short=st.floats(5.0, 300.0), long=st.floats(5.0, 300.0))
def test_a_shorter_journey_never_lowers_the_probability(programme: dict[str, Any], i: int, short: float,
                                                        long: float) -> None:
    short, long = sorted((short, long))
    model, features = programme["model"], programme["features"]
    limit = float(features["max_commute_minutes"][i])

    def journey(minutes: float) -> dict[str, np.ndarray]:
        ratio = min(minutes / limit, 10.0) if limit > 0 else 10.0
        return one_pair(features, i, commute_minutes=minutes, commute_ratio=ratio)

    assert p12(model, journey(short)) >= p12(model, journey(long))


@PROPERTY
@given(i=st.integers(0, PAIRS - 1), lower=st.floats(0.4, 3.0), higher=st.floats(0.4, 3.0))
def test_a_wage_further_above_her_need_never_lowers_the_probability(programme: dict[str, Any], i: int,
                                                                    lower: float, higher: float) -> None:
    lower, higher = sorted((lower, higher))
    model, features = programme["model"], programme["features"]

    def paid(factor: float) -> dict[str, np.ndarray]:  # the same opening paying `factor` times its wage
        return one_pair(features, i, monthly_wage=float(features["monthly_wage"][i]) * factor,
                        wage_ratio=float(features["wage_ratio"][i]) * factor,
                        wage_over_minimum=float(features["wage_over_minimum"][i]) * factor)

    assert p12(model, paid(higher)) >= p12(model, paid(lower))


def test_the_known_directions_are_not_flat(programme: dict[str, Any]) -> None:
    """The properties hold because the effects point the right way, not because they are nil."""
    model, features = programme["model"], programme["features"]
    n = PAIRS
    fit = [model.predict_proba_12({**features, "skill_fit": np.full(n, v)}) for v in (0.0, 1.0)]
    assert (fit[1] > fit[0]).mean() > 0.95 and np.mean(fit[1] - fit[0]) > 0.05
    limit = features["max_commute_minutes"]
    near, far = ({**features, "commute_minutes": np.full(n, m), "commute_ratio": np.minimum(m / limit, 10.0)}
                 for m in (15.0, 120.0))
    assert np.mean(model.predict_proba_12(near) - model.predict_proba_12(far)) > 0.02
    evidence = model.evidence(features)
    assert ((evidence.weight >= 0) & (evidence.weight < 1)).all() and evidence.similar.max() > 0


def test_training_is_weighted_for_who_was_placed(programme: dict[str, Any]) -> None:
    summary = programme["correction"].summary()
    assert summary["applied"] and summary["placements_feasible"] > 20 and summary["controls"] > 100
    assert 1 / 10 <= summary["weight_min"] < 1 < summary["weight_max"] <= 10
