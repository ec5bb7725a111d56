"""Scores for allowed pairs: how likely a placement is to be good and to last.

A :class:`Scorer` turns the feature arrays of many pairs into a score in 0..1
per pair and, per named factor, the contribution that explains it. Scores are
on the probability scale and contributions on the logit scale, with
``sum(contributions) == logit(score)`` (the ``"baseline"`` contribution holds
the intercept), so that a calibrated outcome model trained on placement
history (logistic regression, or gradient boosting with SHAP contributions)
can replace :class:`WeightedScorer` behind the same interface.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["BASELINE", "FACTOR_NAMES", "ScoreWeights", "Scorer", "WeightedScorer", "logit", "sigmoid"]

#: The contribution holding the intercept.
BASELINE = "baseline"
#: The factors of :class:`WeightedScorer`, in the order their contributions are added.
FACTOR_NAMES: tuple[str, ...] = (
    "skill_fit", "commute", "relocation", "wage", "wage_over_minimum", "shift", "transport", "preferred_sector",
    "language", "demand", "attendance", "dependents", "training_track",
)
_LOGIT_CLIP = 30.0


@runtime_checkable
class Scorer(Protocol):
    version: str

    def predict(self, features: Mapping[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Score in 0..1 per pair and per-factor contributions (logit scale, summing to the score's logit)."""
        ...


def sigmoid(z: np.ndarray) -> np.ndarray:
    z = np.clip(np.asarray(z, dtype=np.float64), -_LOGIT_CLIP, _LOGIT_CLIP)
    return 1.0 / (1.0 + np.exp(-z))


def logit(p: np.ndarray) -> np.ndarray:
    p = np.asarray(p, dtype=np.float64)
    return np.log(p) - np.log1p(-p)


@dataclass(frozen=True)
class ScoreWeights:
    """Weights of the transparent default scorer, one per factor (logit scale).

    Each factor is ``weight × g(feature)`` where ``g`` puts the feature on a
    comparable scale, zero meaning "neutral or unknown":

    - ``skill_fit`` 3.0, ``g = fit − 0.5``: being able to do the job is the
      first condition of keeping it; full fit adds 1.5, no fit removes 1.5.
    - ``commute`` 1.2, ``g = −min(minutes / her limit, 1.5)`` (0 when she
      relocates): long daily journeys are the most common reason placements
      end early, and they cost women time and safety.
    - ``relocation`` −1.2, ``g = 1`` when she would move into employer
      accommodation: as heavy as a commute at her limit. Allowed, and sometimes
      best, but moving away from her home and support network is a bigger step
      than a daily journey, so a job she can reach from home comes first when it
      fits as well.
    - ``wage`` 2.0, ``g = clip(ln(wage / her expected wage), −0.5, 0.5)``
      (0 when unknown): a job that does not pay what she needs does not last;
      pay far above it adds little more.
    - ``wage_over_minimum`` 1.0, ``g = clip(ln(wage / statutory minimum), 0, 0.4)``:
      well-paying employers tend to be better employers.
    - ``shift`` −0.3, ``g = 1`` for night or rotating shifts (only ever allowed
      with her consent and employer transport, still harder to sustain).
    - ``transport`` 0.2, ``g = 1`` when the employer provides transport.
    - ``preferred_sector`` 0.6, ``g = 1`` when the sector is one she prefers.
    - ``language`` 1.5, ``g = share of required languages she speaks − 1``.
    - ``demand`` 1.0, ``g = clip(yearly growth of postings, −0.5, 0.5)``: growing
      occupations offer more security and a next job.
    - ``attendance`` 1.0, ``g = attendance rate − 0.8`` (0 when unknown): regular
      attendance in training predicts regular attendance at work.
    - ``dependents`` −0.5, ``g = min(minutes / limit, 1.5)`` (1 when relocating)
      for a woman caring for children or elders: distance weighs more for her.
    - ``training_track`` 0.5, ``g = 1`` when she trained for this occupation.
    - ``intercept`` 0.0: the weights are not calibrated probabilities; scores
      order pairs and are comparable between trainees, not outcome rates.
    """

    intercept: float = 0.0
    skill_fit: float = 3.0
    commute: float = 1.2
    relocation: float = -1.2
    wage: float = 2.0
    wage_over_minimum: float = 1.0
    shift: float = -0.3
    transport: float = 0.2
    preferred_sector: float = 0.6
    language: float = 1.5
    demand: float = 1.0
    attendance: float = 1.0
    dependents: float = -0.5
    training_track: float = 0.5

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def _f(features: Mapping[str, np.ndarray], name: str) -> np.ndarray:
    return np.asarray(features[name], dtype=np.float64)


def _known(values: np.ndarray, default: float = 0.0) -> np.ndarray:
    return np.where(np.isnan(values), default, values)


def _clipped_log(values: np.ndarray, low: float, high: float) -> np.ndarray:
    out = np.zeros(values.shape, dtype=np.float64)
    ok = np.isfinite(values) & (values > 0)
    out[ok] = np.clip(np.log(values[ok]), low, high)
    out[np.isfinite(values) & (values <= 0)] = low
    return out


def factor_inputs(features: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``g(feature)`` of every factor (see :class:`ScoreWeights`), before weighting."""
    relocating = np.asarray(features["relocation"], dtype=bool)
    ratio = np.minimum(_known(_f(features, "commute_ratio"), 1.5), 1.5)
    distance_load = np.where(relocating, 1.0, ratio)
    return {
        "skill_fit": _f(features, "skill_fit") - 0.5,
        "commute": np.where(relocating, 0.0, -ratio),
        "relocation": relocating.astype(np.float64),
        "wage": _clipped_log(_f(features, "wage_ratio"), -0.5, 0.5),
        "wage_over_minimum": _clipped_log(_f(features, "wage_over_minimum"), 0.0, 0.4),
        "shift": _f(features, "night_or_rotating"),
        "transport": _f(features, "transport_provided"),
        "preferred_sector": _known(_f(features, "preferred_sector_match")),
        "language": _known(_f(features, "language_match"), 1.0) - 1.0,
        "demand": np.clip(_known(_f(features, "demand_growth")), -0.5, 0.5),
        "attendance": _known(_f(features, "attendance_rate") - 0.8),
        "dependents": _f(features, "has_dependents") * distance_load,
        "training_track": _known(_f(features, "training_track_match")),
    }


class WeightedScorer:
    """The transparent default scorer: ``score = sigmoid(intercept + Σ weight_f × g_f(feature))``."""

    version = "weighted-v1"

    def __init__(self, weights: ScoreWeights | None = None):
        self.weights = weights or ScoreWeights()

    def predict(self, features: Mapping[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        inputs = factor_inputs(features)
        n = next(iter(inputs.values())).shape[0]
        contributions: dict[str, np.ndarray] = {BASELINE: np.full(n, self.weights.intercept, dtype=np.float64)}
        total = contributions[BASELINE].copy()
        for name in FACTOR_NAMES:
            value = getattr(self.weights, name) * inputs[name]
            contributions[name] = value
            total += value
        return sigmoid(total), contributions

    def __repr__(self) -> str:
        return f"WeightedScorer({self.version})"
