"""The default scorer: scores in 0..1, contributions that add up, sensible directions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.features import FEATURE_NAMES
from matching.scoring import BASELINE, FACTOR_NAMES, Scorer, ScoreWeights, WeightedScorer, logit, sigmoid


def features(n: int = 1, **values) -> dict[str, np.ndarray]:
    base = {"skill_fit": 0.8, "skills_required": 3, "skills_met": 2, "skills_partial": 1, "distance_km": 5.0,
            "commute_minutes": 30.0, "max_commute_minutes": 60.0, "commute_ratio": 0.5, "relocation": False,
            "monthly_wage": 11500.0, "expected_wage": 10500.0, "minimum_wage": 10329.0,
            "wage_ratio": 11500 / 10500, "wage_over_minimum": 11500 / 10329, "night_or_rotating": False,
            "transport_provided": False, "accommodation_provided": False, "preferred_sector_match": 1.0,
            "language_match": 1.0, "demand_growth": 0.1, "attendance_rate": 0.9, "has_dependents": False,
            "training_track_match": 1.0}
    base.update(values)
    assert set(base) == set(FEATURE_NAMES)
    return {k: np.repeat(np.asarray(v), n) if np.ndim(v) == 0 else np.asarray(v) for k, v in base.items()}


finite = st.floats(-5, 5, allow_nan=False)
maybe = st.one_of(st.just(float("nan")), st.floats(0, 3, allow_nan=False))


@settings(max_examples=200, deadline=None)
@given(skill_fit=st.floats(0, 1), ratio=st.one_of(st.just(float("nan")), st.floats(0, 10)), relocation=st.booleans(),
       wage_ratio=maybe, over=maybe, night=st.booleans(), sector=st.sampled_from([0.0, 1.0, float("nan")]),
       language=st.floats(0, 1), growth=finite, attendance=st.one_of(st.just(float("nan")), st.floats(0, 1)),
       dependents=st.booleans(), track=st.sampled_from([0.0, 1.0, float("nan")]))
def test_scores_are_probabilities_and_contributions_add_up(**kw) -> None:
    values = features(skill_fit=kw["skill_fit"], commute_ratio=kw["ratio"], relocation=kw["relocation"],
                      wage_ratio=kw["wage_ratio"], wage_over_minimum=kw["over"], night_or_rotating=kw["night"],
                      preferred_sector_match=kw["sector"], language_match=kw["language"],
                      demand_growth=kw["growth"], attendance_rate=kw["attendance"], has_dependents=kw["dependents"],
                      training_track_match=kw["track"])
    score, contributions = WeightedScorer().predict(values)
    assert score.shape == (1,) and 0.0 <= score[0] <= 1.0 and np.isfinite(score[0])
    assert set(contributions) == {BASELINE, *FACTOR_NAMES}
    assert all(np.isfinite(c).all() for c in contributions.values())
    assert sum(c[0] for c in contributions.values()) == pytest.approx(float(logit(score)[0]), abs=1e-9)


def test_scorer_protocol_and_version() -> None:
    scorer = WeightedScorer()
    assert isinstance(scorer, Scorer)
    assert scorer.version == "weighted-v1"


@pytest.mark.parametrize("feature, low, high", [
    ("skill_fit", 0.2, 0.9),
    ("commute_ratio", 0.9, 0.3),
    ("wage_ratio", 0.9, 1.2),
    ("language_match", 0.5, 1.0),
    ("demand_growth", -0.2, 0.2),
    ("attendance_rate", 0.6, 0.95),
    ("preferred_sector_match", 0.0, 1.0),
    ("training_track_match", 0.0, 1.0),
    ("night_or_rotating", True, False),
])
def test_directions(feature: str, low, high) -> None:
    scorer = WeightedScorer()
    worse, _ = scorer.predict(features(**{feature: low}))
    better, _ = scorer.predict(features(**{feature: high}))
    assert better[0] > worse[0]


def test_unknown_values_are_neutral() -> None:
    scorer = WeightedScorer()
    _, contributions = scorer.predict(features(wage_ratio=np.nan, attendance_rate=np.nan,
                                               preferred_sector_match=np.nan, training_track_match=np.nan))
    for name in ("wage", "attendance", "preferred_sector", "training_track"):
        assert contributions[name][0] == 0.0


def test_relocation_replaces_the_commute_factor() -> None:
    _, contributions = WeightedScorer().predict(features(relocation=True, commute_ratio=4.0, has_dependents=True))
    assert contributions["commute"][0] == 0.0
    assert contributions["relocation"][0] == ScoreWeights().relocation
    assert contributions["dependents"][0] == ScoreWeights().dependents


def test_vectorised_and_weights_configurable() -> None:
    values = features(5, skill_fit=np.linspace(0, 1, 5))
    score, contributions = WeightedScorer().predict(values)
    assert score.shape == (5,) and np.all(np.diff(score) > 0)
    assert all(c.shape == (5,) for c in contributions.values())
    flat, _ = WeightedScorer(ScoreWeights(skill_fit=0.0)).predict(values)
    assert np.allclose(flat, flat[0])
    assert ScoreWeights().as_dict()["skill_fit"] == 3.0


def test_sigmoid_and_logit() -> None:
    z = np.array([-3.0, 0.0, 2.5])
    assert np.allclose(logit(sigmoid(z)), z)
    assert sigmoid(np.array([1e6]))[0] <= 1.0 and sigmoid(np.array([-1e6]))[0] >= 0.0
