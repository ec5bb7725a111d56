"""The outcome model: P(she is still in the job 12 months after starting) for any trainee × opening pair.

A discrete-time survival model learnt from the programme's placement history
(:mod:`matching.outcome_data`): over the intervals (0,1], (1,3], (3,6] and
(6,12] months, the hazard of leaving in interval ``k`` is logistic,

    h_k(x) = sigmoid(α_k + βᵀz(x)),     P12(x) = Π_k (1 − h_k(x)),

fitted by L2-penalised logistic regression on person-period rows (one row per
interval a woman was observed at risk through), so that placements younger
than a year count for the months they were followed, not dropped.

Features ``z`` are the standardised terms of :data:`TERMS`, built from the
matching engine's pair features (skill fit, journey, pay, shift, transport,
preferences, languages, demand, attendance, dependents and their interactions
with night work, training track, vetting) and from the employer's history: the
12-month retention of the employer's past placements, shrunk towards the
overall rate by empirical Bayes (weight ``n / (n + employer_prior_strength)``
per interval, ``n`` the employer's women at risk), and leave-one-placement-out
while training so that a placement never sees its own outcome. Unknown values
are imputed with the training mean (they contribute nothing). Whether a trainee
is a survivor is not a feature: the records' field is never read.

**What is known to be true.** More skill fit, a shorter journey and a wage
further above what she needs (or above the statutory minimum) never lower the
predicted probability: with ``monotone`` (the default) the coefficients of those
terms (:data:`HAZARD_SIGNS`) are held to their sign while fitting
(:mod:`matching.constrained_logit`), every term grows or falls with its feature
only, a calibration step never reverses the order, and the prior below has the
same directions. History that seems to say otherwise (coordinators placed few
women on long journeys, and chose those for good reasons) gives a coefficient of
zero, not a reversed one.

**Correcting for who was placed.** ``fit(data, sample_weight=...)`` weights each
placement, typically by the inverse of its propensity to have been chosen among
the pairs that were feasible that day (:mod:`matching.propensity`), so that the
hazards, the base rate and the calibration describe all the pairs the rules
allow rather than the kind coordinators chose.

**Falling back to the prior where history is thin.** The learnt estimate is
shrunk towards the transparent prior on the logit scale,
``logit p = w·logit p_learnt + (1 − w)·logit p_prior`` with ``w = n / (n +
prior_strength)``, ``n`` the similar past placements (same occupation and kind of
area; :mod:`matching.shrinkage`). The prior is the
:class:`~matching.scoring.WeightedScorer` shifted so that the average placement
gets the base rate. :meth:`OutcomeModel.evidence` says, per pair, how much history
stands behind the estimate.

Calibration is checked on out-of-fold predictions (five folds grouped by
trainee) for placements whose 12-month outcome is known; with ``calibrate="auto"``
a Platt step ``logit p' = a + b·logit p`` (``b > 0``) is added to the learnt
estimate when a likelihood-ratio test rejects the identity at the 1 % level
(``"platt"``: always; ``"isotonic"``: an isotonic map; None: never).

Explanations: per factor (:data:`TERMS` grouped into the engine's factor
names), the learnt contribution is ``β_j z_j`` mapped onto the 12-month logit by the
pair's secant slope ``(L(η) − L(0)) / η`` (``L`` the survival model's 12-month
logit as a function of the hazard predictor ``η = βᵀz``, times ``b`` after a
Platt step), times ``w``, plus ``1 − w`` times the prior's contribution to the
factor; ``"baseline"`` holds the rest, which is the same for every pair with the
same weight of history except after an isotonic step, whose adjustment it also
carries. Contributions add up to ``logit(score)`` exactly.

With little history overall (fewer than ``min_placements`` usable placements, fewer than
``min_events`` women who left, or no woman yet followed through every interval)
nothing is fitted: the model is the prior alone, the history's base rate (pooled
discrete-time estimate; :data:`DEFAULT_BASE_RATE` when there is none) combined
with the shape of the transparent :class:`~matching.scoring.WeightedScorer`
(``is_prior_`` True and ``reason_`` saying why).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from itertools import repeat
from typing import Any

import numpy as np
from scipy.stats import chi2
from sklearn.base import BaseEstimator
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from .constrained_logit import fit_logistic
from .outcome_data import INTERVALS, N_INTERVALS, OutcomeTrainingSet
from .outcome_metrics import _json_safe, _summary, brier_score, reliability_table
from .scoring import BASELINE, ScoreWeights, WeightedScorer, logit, sigmoid
from .shrinkage import HistoryEvidence, count_cells, history_weight, similar_counts

__all__ = ["DEFAULT_BASE_RATE", "FACTORS", "HAZARD_SIGNS", "TERMS", "TRUSTED_TYPES", "OutcomeModel", "brier_score",
           "employer_history", "reliability_table"]

#: 12-month retention assumed when the history gives no base rate at all.
DEFAULT_BASE_RATE = 0.5
#: Scores are kept this far from 0 and 1 so that their logits are finite.
_EPS = 1e-6
#: Out-of-fold predictions for calibration and metrics: folds grouped by trainee.
CV_FOLDS = 5
#: Calibration and metrics need at least this many placements with a known 12-month outcome.
MIN_KNOWN_FOR_CALIBRATION = 50
#: Significance of the likelihood-ratio test that adds the Platt step under ``calibrate="auto"``.
CALIBRATION_ALPHA = 0.01
#: Inverse penalty of the prior's level and scale: barely penalised (two numbers, plenty of rows).
PRIOR_SCALE_C = 100.0

Features = Mapping[str, np.ndarray]


def _size(features: Features) -> int:
    for name in ("skill_fit", "commute_ratio", "wage_ratio"):
        if name in features:
            return int(np.shape(features[name])[0])
    return int(np.shape(next(iter(features.values())))[0]) if features else 0


def _get(features: Features, name: str) -> np.ndarray:
    """A feature as float64 (NaN when the caller's features do not have it)."""
    if name not in features:
        return np.full(_size(features), np.nan)
    return np.asarray(features[name], dtype=np.float64)


def _clip_log(values: np.ndarray, low: float, high: float) -> np.ndarray:
    out = np.full(values.shape, np.nan)
    ok = np.isfinite(values)
    out[ok] = np.log(np.clip(values[ok], low, high))
    return out


def _not(values: np.ndarray) -> np.ndarray:
    return 1.0 - values


def _commute_ratio(f: Features) -> np.ndarray:
    return np.minimum(_get(f, "commute_ratio"), 3.0) * _not(_get(f, "relocation"))


def _rotating(f: Features) -> np.ndarray:
    return _get(f, "night_or_rotating") * _not(_get(f, "night_shift"))


def _below(f: Features) -> np.ndarray:
    over = _get(f, "wage_over_minimum")
    return np.where(np.isnan(over), np.nan, (over < 1.0).astype(np.float64))


#: The model's terms: (name, factor it is explained under, value from the pair features; NaN unknown).
#: ``employer_history`` is looked up from the employer's id (see the module docstring).
TERMS: tuple[tuple[str, str, Callable[[Features], np.ndarray] | None], ...] = (
    ("skill_fit", "skill_fit", lambda f: _get(f, "skill_fit")),
    ("commute_minutes", "commute",
     lambda f: np.minimum(_get(f, "commute_minutes"), 180.0) * _not(_get(f, "relocation"))),
    ("commute_ratio", "commute", _commute_ratio),
    ("relocation", "relocation", lambda f: _get(f, "relocation")),
    ("accommodation", "relocation", lambda f: _get(f, "accommodation_provided")),
    ("log_wage_ratio", "wage", lambda f: _clip_log(_get(f, "wage_ratio"), 0.5, 2.0)),
    ("log_wage_over_minimum", "wage_over_minimum", lambda f: _clip_log(_get(f, "wage_over_minimum"), 0.5, 2.0)),
    ("below_minimum", "wage_over_minimum", _below),
    ("night", "shift", lambda f: _get(f, "night_shift")),
    ("rotating", "shift", _rotating),
    ("odd_hours_no_transport", "shift", lambda f: _get(f, "night_or_rotating") * _not(_get(f, "transport_provided"))),
    ("night_not_ok", "shift", lambda f: _get(f, "night_shift") * _not(_get(f, "night_shift_ok"))),
    ("transport", "transport", lambda f: _get(f, "transport_provided")),
    ("preferred_sector", "preferred_sector", lambda f: _get(f, "preferred_sector_match")),
    ("language_match", "language", lambda f: _get(f, "language_match")),
    ("languages_count", "language", lambda f: _get(f, "languages_count")),
    ("demand_growth", "demand", lambda f: np.clip(_get(f, "demand_growth"), -1.0, 1.0)),
    ("attendance", "attendance", lambda f: _get(f, "attendance_rate")),
    ("education", "education", lambda f: _get(f, "education_level")),
    ("has_dependents", "dependents", lambda f: _get(f, "has_dependents")),
    ("night_dependents", "dependents", lambda f: _get(f, "night_shift") * _get(f, "has_dependents")),
    ("rotating_dependents", "dependents", lambda f: _rotating(f) * _get(f, "has_dependents")),
    ("commute_dependents", "dependents", lambda f: np.minimum(_commute_ratio(f), 1.5) * _get(f, "has_dependents")),
    ("training_track", "training_track", lambda f: _get(f, "training_track_match")),
    ("employer_vetted", "vetting", lambda f: _get(f, "employer_vetted")),
    ("employer_history", "employer_history", None),
)
_TERM_FUNCTIONS = {name: fn for name, _, fn in TERMS}
#: The factors contributions are reported under, in order (besides ``"baseline"``).
FACTORS: tuple[str, ...] = tuple(dict.fromkeys(group for _, group, _ in TERMS))


#: Terms whose direction is known to be true (hazard scale): ``-1`` the hazard of leaving never rises as the term
#: grows, ``+1`` it never falls. More skill fit, a shorter journey and a wage further above what she needs (or above
#: the statutory minimum) never lower the predicted probability that she stays.
HAZARD_SIGNS: dict[str, int] = {"skill_fit": -1, "commute_minutes": 1, "commute_ratio": 1, "commute_dependents": 1,
                                "log_wage_ratio": -1, "log_wage_over_minimum": -1, "below_minimum": 1}


# --------------------------------------------------------------------------- survival pieces


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def _log_survival(alpha: np.ndarray, eta: np.ndarray) -> np.ndarray:
    """log P12 = Σ_k log(1 − sigmoid(α_k + η)) = −Σ_k softplus(α_k + η)."""
    eta = np.asarray(eta, dtype=np.float64)
    return -_softplus(eta[..., None] + alpha).sum(axis=-1)


def _logit_from_log(log_s: np.ndarray) -> np.ndarray:
    # logit(S) = log S − log(1 − S), with log(1 − S) = log(−expm1(log S)) computed stably
    return log_s - np.log(-np.expm1(np.minimum(log_s, -1e-300)))


def _logit_survival(alpha: np.ndarray, eta: np.ndarray) -> np.ndarray:
    return _logit_from_log(_log_survival(alpha, eta))


def _interval_counts(data: OutcomeTrainingSet, codes: np.ndarray, n_codes: int) -> tuple[np.ndarray, np.ndarray]:
    """``(events, at risk)`` per employer code and interval."""
    rows, interval, event = data.person_periods()
    events = np.zeros((n_codes, N_INTERVALS))
    at_risk = np.zeros((n_codes, N_INTERVALS))
    np.add.at(events, (codes[rows], interval), event.astype(np.float64))
    np.add.at(at_risk, (codes[rows], interval), 1.0)
    return events, at_risk


def _own_counts(data: OutcomeTrainingSet) -> tuple[np.ndarray, np.ndarray]:
    k = np.arange(N_INTERVALS)
    at_risk = (k[None, :] < data.periods[:, None]).astype(np.float64)
    events = (data.left[:, None] & (k[None, :] == data.periods[:, None] - 1)).astype(np.float64)
    return events, at_risk


def _pooled_hazard(data: OutcomeTrainingSet, *, weighted: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Overall hazard per interval (each placement counting for its weight when ``weighted``; 0 where nobody was
    at risk) and the placements at risk in it."""
    events, at_risk = _own_counts(data)
    n = at_risk.sum(axis=0)
    if weighted:
        events, at_risk = events * data.row_weights[:, None], at_risk * data.row_weights[:, None]
    d, m = events.sum(axis=0), at_risk.sum(axis=0)
    return np.divide(d, m, out=np.zeros(N_INTERVALS), where=m > 0), n


def _shrunk_retention(events: np.ndarray, at_risk: np.ndarray, hazard: np.ndarray, strength: float) -> np.ndarray:
    h = (events + strength * hazard) / np.maximum(at_risk + strength, 1e-12)
    return np.prod(1.0 - np.clip(h, 0.0, 1.0), axis=-1)


def employer_history(data: OutcomeTrainingSet, strength: float) -> tuple[np.ndarray, dict[str, float]]:
    """Employers' 12-month retention from ``data``'s person-period rows, shrunk towards the overall rate.

    Per interval, the employer's hazard is ``(events + strength × overall hazard) / (at risk + strength)``,
    that is its own rate weighted ``n / (n + strength)``; retention is the product of ``1 − hazard``.
    Returns each placement's value leaving that placement out (what training sees) and every
    employer's value from all its placements (what prediction uses).
    """
    hazard, _ = _pooled_hazard(data)
    employers, codes = np.unique(data.employer.astype(str), return_inverse=True)
    events, at_risk = _interval_counts(data, codes, len(employers))
    own_events, own_at_risk = _own_counts(data)
    # leaving her out of the overall rate too, so that her outcome does not reach her even through it
    others_events, others_at_risk = events.sum(axis=0) - own_events, at_risk.sum(axis=0) - own_at_risk
    others_hazard = np.divide(others_events, others_at_risk, out=np.broadcast_to(hazard, own_events.shape).copy(),
                              where=others_at_risk > 0)
    loo = _shrunk_retention(events[codes] - own_events, at_risk[codes] - own_at_risk, others_hazard, strength)
    retention = _shrunk_retention(events, at_risk, hazard, strength)
    return loo, {str(e): float(r) for e, r in zip(employers.tolist(), retention.tolist())}


def _clip_p(p: np.ndarray | float) -> np.ndarray:
    return np.clip(np.asarray(p, dtype=np.float64), _EPS, 1.0 - _EPS)


def _blend(p_learnt: np.ndarray, prior_logit: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``sigmoid(w·logit(learnt) + (1 − w)·prior)``: the learnt estimate shrunk towards the prior."""
    return _clip_p(sigmoid(weight * logit(_clip_p(p_learnt)) + (1.0 - weight) * prior_logit))


def _weight_summary(data: OutcomeTrainingSet) -> dict[str, Any]:
    if data.weights is None or not len(data):
        return {"weighted": False}
    w = data.weights
    return {"weighted": True, "min": float(w.min()), "max": float(w.max()),
            "effective_placements": float(w.sum() ** 2 / max(float(np.dot(w, w)), 1e-12))}


# --------------------------------------------------------------------------- the model


class OutcomeModel(BaseEstimator):
    """P(still in the job at 12 months) for trainee × opening pairs; a :class:`~matching.scoring.Scorer`.

    See the module docstring. Parameters: ``C`` (inverse L2 penalty of the hazards), ``employer_prior_strength``
    (pseudo-placements pulling an employer's retention to the overall rate), ``prior_strength`` (``k`` in the
    learnt model's weight ``n / (n + k)`` against the prior, ``n`` the similar past placements; 0 trusts any
    history fully), ``monotone`` (hold the terms of :data:`HAZARD_SIGNS` to their sign), ``min_placements`` and
    ``min_events`` (below them, only the prior), ``calibrate``, ``random_state`` (the folds).

    Learned attributes: ``coef_`` (per term in ``feature_names_``, on the
    hazard scale: positive means more leaving), ``intercepts_`` (α per interval), ``feature_names_``
    and ``feature_factors_``, ``mean_`` and ``scale_`` (standardisation), ``employer_retention_``
    (employer id → shrunk 12-month retention) and ``employer_logit_`` (its logit, the term's raw value;
    ``default_employer_logit_`` for employers without history), ``base_rate_`` and ``pooled_hazard_``
    (per interval, each placement counting for its weight), ``history_counts_`` (usable placements per
    occupation × area type of the opening, :mod:`matching.shrinkage`), ``prior_weights_``, ``prior_centre_``,
    ``prior_part_means_``, ``prior_intercepts_`` and ``prior_slope_`` (the prior: the transparent score's shape,
    its level and scale; no intercepts when the model is the prior alone), ``calibration_`` (None, ``"platt"``
    or ``"isotonic"``) with ``platt_`` (a, b) / ``isotonic_x_``, ``isotonic_y_``, ``is_prior_``, ``reason_``
    and ``metrics_`` (counts; ``brier``,
    ``brier_base_rate``, ``auc``, ``reliability`` [(mean predicted, observed, n)] on out-of-fold
    predictions for the placements with a known 12-month outcome; ``uncalibrated`` the same before the
    calibration step, ``learnt_only`` before shrinking towards the prior; ``calibration_test``; ``selection``,
    the weights the placements were fitted with). :meth:`evidence` tells, per pair, how much history stands behind
    its estimate. Set ``version`` after training (``"outcome-untrained"`` until then).
    """

    version: str = "outcome-untrained"

    def __init__(self, *, C: float = 1.0, employer_prior_strength: float = 10.0, prior_strength: float = 15.0,
                 monotone: bool = True, min_placements: int = 60, min_events: int = 15,
                 calibrate: str | None = "auto", random_state: int | None = 0):
        self.C = C
        self.employer_prior_strength = employer_prior_strength
        self.prior_strength = prior_strength
        self.monotone = monotone
        self.min_placements = min_placements
        self.min_events = min_events
        self.calibrate = calibrate
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting

    def fit(self, data: OutcomeTrainingSet, sample_weight: np.ndarray | None = None) -> OutcomeModel:
        """Fit on ``data``'s placements; ``sample_weight`` (one per placement, or the set's own ``weights``) says
        what each counts for, such as inverse-propensity weights (:mod:`matching.propensity`)."""
        if sample_weight is not None:
            data = data.with_weights(sample_weight)
        # The regressions are small: one BLAS thread is much faster than several contending for them.
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit(data)

    def _fit(self, data: OutcomeTrainingSet) -> OutcomeModel:
        if self.calibrate not in (None, "auto", "platt", "isotonic"):
            raise ValueError(f"calibrate must be None, 'auto', 'platt' or 'isotonic', not {self.calibrate!r}")
        usable = data.subset(data.usable)
        if usable.weights is not None:
            total = float(usable.weights.sum())
            usable = usable.with_weights(usable.weights * (len(usable) / total) if total > 0 else None)
        hazard, at_risk = _pooled_hazard(usable)
        every_interval = bool(len(usable)) and bool((at_risk > 0).all())
        history_rate = float(np.prod(1.0 - hazard)) if every_interval else DEFAULT_BASE_RATE
        weighted_hazard, _ = _pooled_hazard(usable, weighted=True)
        self.base_rate_ = float(np.prod(1.0 - weighted_hazard)) if every_interval else DEFAULT_BASE_RATE
        self.pooled_hazard_ = weighted_hazard
        self.history_counts_ = count_cells(usable.features, len(usable))
        self.prior_weights_ = ScoreWeights().as_dict()
        self.prior_centre_ = self._prior_centre(usable)
        n_events = usable.n_events
        self.metrics_: dict[str, Any] = {
            "n_placements": len(usable), "n_records": len(data), "n_events": n_events,
            "n_person_periods": int(usable.periods.sum()),
            "events_by_interval": [int(v) for v in _own_counts(usable)[0].sum(axis=0)],
            "at_risk_by_interval": [int(v) for v in at_risk],
            "n_twelve_month_known": int(usable.twelve_month_known.sum()),
            "n_unconfirmed": int(data.unconfirmed.sum()), "skipped": dict(data.skipped),
            "as_of": data.as_of.isoformat() if data.as_of else None, "base_rate": self.base_rate_,
            "history_base_rate": history_rate, "selection": _weight_summary(usable),
            "history_weight": {"prior_strength": float(self.prior_strength), "cells": len(self.history_counts_)}}
        reason = None
        if len(usable) < self.min_placements:
            reason = (f"only {len(usable)} placements with follow-up history (at least {self.min_placements} "
                      "needed)")
        elif n_events < self.min_events:
            reason = f"only {n_events} women left their job in the history (at least {self.min_events} needed)"
        elif not every_interval:
            missing = ", ".join(f"({a},{b}]" for (a, b), n in zip(INTERVALS, at_risk) if n == 0)
            reason = f"no placement has been followed through the months {missing} yet"
        if reason is not None:
            return self._fit_prior(usable, reason, history_rate)

        self.is_prior_ = False
        self.reason_ = (f"learnt from {len(usable)} placements ({n_events} left within 12 months)")
        fitted = self._fit_hazards(usable)
        self._set(fitted)
        self.calibration_: str | None = None
        self.platt_ = np.array([0.0, 1.0])
        self.isotonic_x_ = np.zeros(0)
        self.isotonic_y_ = np.zeros(0)
        similar = similar_counts(usable.features, len(usable), self.history_counts_)
        self.metrics_["history_weight"]["mean"] = float(np.mean(history_weight(similar, self.prior_strength)))
        known = usable.twelve_month_known
        if known.sum() >= MIN_KNOWN_FOR_CALIBRATION:
            raw, prior_logit, weight = self._out_of_fold(usable)
            p, y, w = raw[known], usable.twelve_month_retained[known], usable.row_weights[known]
            prior_logit, weight = prior_logit[known], weight[known]
            self.metrics_["uncalibrated"] = _summary(_blend(p, prior_logit, weight), y, history_rate)
            self._calibrate(p, y, w)
            p = self._apply_calibration(p)
            self.metrics_["learnt_only"] = _summary(p, y, history_rate)
            self.metrics_.update(_summary(_blend(p, prior_logit, weight), y, history_rate))
            self.metrics_["evaluated_on"] = f"out-of-fold predictions ({CV_FOLDS} folds grouped by trainee)"
        else:
            p = self.predict_proba_12(usable.features)[known] if known.any() else np.zeros(0)
            self.metrics_.update(_summary(p, usable.twelve_month_retained[known], history_rate))
            self.metrics_["evaluated_on"] = "training placements (in-sample)"
        self.metrics_["calibration"] = self.calibration_
        self.metrics_ = _json_safe(self.metrics_)
        return self

    def _transparent_logit(self, features: Features) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The transparent score's logit per pair and its factors' parts (which add up to it)."""
        weighted, parts = WeightedScorer(ScoreWeights(**self.prior_weights_)).predict(features)
        return logit(_clip_p(weighted)), {name: np.asarray(v, dtype=np.float64) for name, v in parts.items()
                                          if name != BASELINE}

    def _prior_centre(self, data: OutcomeTrainingSet) -> float:
        """The (weighted) mean logit of the transparent score over ``data``'s placements: the prior is centred
        there, so that the average placement gets the base rate."""
        if not len(data):
            return 0.0
        return float(np.average(self._transparent_logit(data.features)[0], weights=data.row_weights))

    def _fit_prior_hazards(self, data: OutcomeTrainingSet) -> dict[str, Any]:
        """The prior's level and scale: hazards ``sigmoid(α_k + γ·x)`` with ``x`` the transparent score's centred
        logit, ``γ ≤ 0`` so that a better score never lowers the probability. Two kinds of number the history
        always has enough of; the score's shape (its weights) stays the programme's."""
        total, parts = self._transparent_logit(data.features)
        centre = float(np.average(total, weights=data.row_weights)) if len(data) else 0.0
        x = total - centre
        rows, interval, event = data.person_periods()
        dummies = (interval[:, None] == np.arange(1, N_INTERVALS)[None, :]).astype(np.float64)
        design = np.hstack([dummies, x[rows, None]])
        upper = np.full(N_INTERVALS, np.inf)
        upper[-1] = 0.0
        fitted = fit_logistic(design, event, C=PRIOR_SCALE_C, sample_weight=data.row_weights[rows], upper=upper)
        alpha = fitted.intercept + np.concatenate([[0.0], fitted.coef[:N_INTERVALS - 1]])
        return {"centre": centre, "alpha": alpha, "gamma": float(fitted.coef[-1]),
                "part_means": {name: float(np.average(v, weights=data.row_weights)) if len(data) else 0.0
                               for name, v in parts.items()}}

    def _prior_spec(self) -> dict[str, Any]:
        return {"centre": self.prior_centre_, "alpha": getattr(self, "prior_intercepts_", np.zeros(0)),
                "gamma": float(getattr(self, "prior_slope_", 0.0)),
                "part_means": getattr(self, "prior_part_means_", {}),
                "base_logit": float(logit(_clip_p(self.base_rate_)))}

    def _fit_prior(self, usable: OutcomeTrainingSet, reason: str, history_rate: float) -> OutcomeModel:
        self.is_prior_ = True
        self.reason_ = (f"prior, not learnt: {reason}; scores are the base rate ({self.base_rate_:.0%}) shaped by the "
                        "transparent weighted score")
        self.coef_ = np.zeros(0)
        self.intercepts_ = np.zeros(0)
        self.feature_names_: list[str] = []
        self.feature_factors_: list[str] = []
        self.prior_intercepts_ = np.zeros(0)
        self.prior_slope_ = 0.0
        self.prior_part_means_: dict[str, float] = {}
        self.mean_ = np.zeros(0)
        self.scale_ = np.zeros(0)
        self.employer_retention_: dict[str, float] = {}
        self.employer_logit_: dict[str, float] = {}
        self.default_employer_logit_ = float(logit(_clip_p(np.array(self.base_rate_))))
        self.calibration_ = None
        self.platt_ = np.array([0.0, 1.0])
        self.isotonic_x_ = np.zeros(0)
        self.isotonic_y_ = np.zeros(0)
        self.metrics_["history_weight"]["mean"] = 0.0
        known = usable.twelve_month_known
        p = self.predict_proba_12(usable.features)[known] if known.any() else np.zeros(0)
        self.metrics_.update(_summary(p, usable.twelve_month_retained[known], history_rate))
        self.metrics_["evaluated_on"] = "training placements (in-sample)"
        self.metrics_["calibration"] = None
        self.metrics_["prior"] = True
        self.metrics_ = _json_safe(self.metrics_)
        return self

    def _bounds(self, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Bounds of the regression's coefficients: the interval dummies free, the terms of :data:`HAZARD_SIGNS`
        held to their sign when ``monotone``."""
        lower = np.full(N_INTERVALS - 1 + len(names), -np.inf)
        upper = np.full(N_INTERVALS - 1 + len(names), np.inf)
        if self.monotone:
            for j, name in enumerate(names, start=N_INTERVALS - 1):
                sign = HAZARD_SIGNS.get(name, 0)
                if sign > 0:
                    lower[j] = 0.0
                elif sign < 0:
                    upper[j] = 0.0
        return lower, upper

    def _fit_hazards(self, data: OutcomeTrainingSet) -> dict[str, Any]:
        """Fit the hazards on ``data`` (usable placements); a dict of what prediction needs."""
        hazard, _ = _pooled_hazard(data)
        base_rate = float(np.prod(1.0 - hazard))
        loo, employer_retention = employer_history(data, float(self.employer_prior_strength))

        raw = self._terms(data.features, employer_value=logit(_clip_p(loo)))
        employer_logit = {e: float(logit(_clip_p(np.array(r)))) for e, r in employer_retention.items()}
        names, factors, columns, means, scales = [], [], [], [], []
        for (name, factor, _), column in zip(TERMS, raw.T):
            known = np.isfinite(column)
            if not known.any():
                continue
            mean = float(column[known].mean())
            scale = float(column[known].std())
            if not scale > 1e-9:
                continue
            names.append(name)
            factors.append(factor)
            columns.append(np.where(known, (column - mean) / scale, 0.0))
            means.append(mean)
            scales.append(scale)
        z = np.column_stack(columns) if columns else np.zeros((len(data), 0))
        rows, interval, event = data.person_periods()
        dummies = (interval[:, None] == np.arange(1, N_INTERVALS)[None, :]).astype(np.float64)
        design = np.hstack([dummies, z[rows]])
        lower, upper = self._bounds(names)
        regression = fit_logistic(design, event, C=float(self.C), sample_weight=data.row_weights[rows],
                                  lower=lower, upper=upper)
        coef = regression.coef
        alpha = regression.intercept + np.concatenate([[0.0], coef[:N_INTERVALS - 1]])
        return {"coef": coef[N_INTERVALS - 1:].copy(), "alpha": alpha, "names": names, "factors": factors,
                "mean": np.array(means), "scale": np.array(scales), "employer_retention": employer_retention,
                "employer_logit": employer_logit,
                "default_employer_logit": float(logit(_clip_p(np.array(base_rate)))),
                "n_iter": regression.n_iter, "counts": count_cells(data.features, len(data)),
                "prior": self._fit_prior_hazards(data)}

    def _set(self, fitted: dict[str, Any]) -> None:
        self.coef_ = fitted["coef"]
        self.intercepts_ = fitted["alpha"]
        self.feature_names_ = list(fitted["names"])
        self.feature_factors_ = list(fitted["factors"])
        self.mean_ = fitted["mean"]
        self.scale_ = fitted["scale"]
        self.employer_retention_ = dict(sorted(fitted["employer_retention"].items()))
        self.employer_logit_ = dict(sorted(fitted["employer_logit"].items()))
        self.default_employer_logit_ = fitted["default_employer_logit"]
        self.n_iter_ = fitted["n_iter"]
        self.prior_centre_ = fitted["prior"]["centre"]
        self.prior_intercepts_ = fitted["prior"]["alpha"]
        self.prior_slope_ = fitted["prior"]["gamma"]
        self.prior_part_means_ = dict(fitted["prior"]["part_means"])

    def _out_of_fold(self, data: OutcomeTrainingSet) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per placement, from a model fitted without her (folds grouped by trainee): the uncalibrated learnt
        P12, the prior's logit and the learnt model's weight against it."""
        trainees, codes = np.unique(data.trainee_ids.astype(str), return_inverse=True)
        rng = np.random.default_rng(self.random_state)
        fold_of = np.empty(len(trainees), dtype=np.int64)
        fold_of[rng.permutation(len(trainees))] = np.arange(len(trainees)) % CV_FOLDS
        fold = fold_of[codes]
        raw, prior, weight = (np.full(len(data), np.nan) for _ in range(3))
        for k in range(CV_FOLDS):
            test = fold == k
            if not test.any() or test.all():
                continue
            fitted = self._fit_hazards(data.subset(~test))
            features = data.subset(test).features
            raw[test] = self._survival(features, fitted)
            prior[test] = self._prior(features, fitted["prior"])[0]
            weight[test] = history_weight(similar_counts(features, int(test.sum()), fitted["counts"]),
                                          self.prior_strength)
        return raw, prior, weight

    def _calibrate(self, p: np.ndarray, y: np.ndarray, w: np.ndarray) -> None:
        self.metrics_["calibration_test"] = None
        if y.all() or not y.any():
            return
        x = logit(_clip_p(p))
        platt = LogisticRegression(C=np.inf, solver="lbfgs", max_iter=1000, tol=1e-10)
        platt.fit(x[:, None], y.astype(np.int64), sample_weight=w)
        a, b = float(platt.intercept_[0]), float(platt.coef_[0, 0])
        q_identity, q_platt = _clip_p(sigmoid(x)), _clip_p(sigmoid(a + b * x))

        def loglik(q: np.ndarray) -> float:
            return float(np.sum(w * np.where(y, np.log(q), np.log1p(-q))))

        statistic = 2.0 * (loglik(q_platt) - loglik(q_identity))
        p_value = float(chi2.sf(max(statistic, 0.0), df=2))
        self.metrics_["calibration_test"] = {"platt_intercept": a, "platt_slope": b, "lr_statistic": statistic,
                                             "p_value": p_value}
        if self.calibrate is None:
            return
        if self.calibrate == "isotonic":
            iso = IsotonicRegression(y_min=_EPS, y_max=1 - _EPS, out_of_bounds="clip").fit(
                p, y.astype(np.float64), sample_weight=w)
            self.calibration_ = "isotonic"
            self.isotonic_x_ = np.asarray(iso.X_thresholds_, dtype=np.float64)
            self.isotonic_y_ = np.asarray(iso.y_thresholds_, dtype=np.float64)
        # a slope of 0 or below would reverse the order the hazards give: never applied
        elif b > 0 and (self.calibrate == "platt" or (self.calibrate == "auto" and p_value < CALIBRATION_ALPHA)):
            self.calibration_ = "platt"
            self.platt_ = np.array([a, b])

    # ------------------------------------------------------------------ prediction

    def _terms(self, features: Features, *, employer_value: np.ndarray) -> np.ndarray:
        """Raw values ``(n, len(TERMS))`` of every term, NaN where unknown (training)."""
        n = _size(features)
        columns = [np.asarray(employer_value if fn is None else fn(features), dtype=np.float64).reshape(n)
                   for _, _, fn in TERMS]
        return np.column_stack(columns) if columns else np.zeros((n, 0))

    @staticmethod
    def _employer_column(features: Features, logits: Mapping[str, float], default: float) -> np.ndarray:
        """Each pair's employer history (logit of the shrunk retention; ``default`` for employers not seen)."""
        n = _size(features)
        ids = features.get("employer_external_id")
        if ids is None or not logits:
            return np.full(n, default)
        id_list = np.asarray(ids, dtype=object).reshape(n).tolist()
        return np.fromiter(map(logits.get, id_list, repeat(default, n)), dtype=np.float64, count=n)

    def _hazard_terms(self, features: Features, fitted: dict[str, Any]) -> np.ndarray:
        """``β_j z_j`` per pair and kept term ``(n, p)``; unknown values count as the training mean (0)."""
        n = _size(features)
        out = np.zeros((n, len(fitted["names"])))
        for j, name in enumerate(fitted["names"]):
            fn = _TERM_FUNCTIONS[name]
            raw = (self._employer_column(features, fitted["employer_logit"], fitted["default_employer_logit"])
                   if fn is None else np.asarray(fn(features), dtype=np.float64).reshape(n))
            z = (raw - fitted["mean"][j]) / fitted["scale"][j]
            out[:, j] = np.where(np.isfinite(z), z, 0.0) * fitted["coef"][j]
        return out

    def _fitted(self) -> dict[str, Any]:
        return {"coef": self.coef_, "alpha": self.intercepts_, "names": self.feature_names_,
                "factors": self.feature_factors_, "mean": self.mean_, "scale": self.scale_,
                "employer_logit": self.employer_logit_, "default_employer_logit": self.default_employer_logit_}

    def _survival(self, features: Features, fitted: dict[str, Any]) -> np.ndarray:
        eta = self._hazard_terms(features, fitted).sum(axis=1)
        return np.exp(_log_survival(fitted["alpha"], eta))

    def _prior(self, features: Features, spec: Mapping[str, Any]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The prior's 12-month logit per pair and its factors' parts of it. Without fitted hazards (``alpha``
        empty) the transparent score's centred logit ``x`` is put on the base rate; with them, the logit of
        ``Π_k (1 − sigmoid(α_k + γ·x))``, each part taken from the average placement's and scaled by the pair's
        secant slope (as the learnt terms are)."""
        total, parts = self._transparent_logit(features)
        x = total - spec["centre"]
        alpha = np.asarray(spec["alpha"], dtype=np.float64)
        if not alpha.size:
            return spec["base_logit"] + x, parts
        gamma = float(spec["gamma"])
        g = _logit_survival(alpha, gamma * x)
        h = 1e-6
        at = _logit_survival(alpha, np.array([0.0, gamma * h, -gamma * h]))
        small = np.abs(x) < 1e-8
        slope = np.where(small, (at[1] - at[2]) / (2 * h), (g - at[0]) / np.where(small, 1.0, x))
        means = spec["part_means"]
        return g, {name: slope * (values - means.get(name, 0.0)) for name, values in parts.items()}

    def _apply_calibration(self, p: np.ndarray) -> np.ndarray:
        if self.calibration_ == "platt":
            a, b = self.platt_
            return _clip_p(sigmoid(a + b * logit(_clip_p(p))))
        if self.calibration_ == "isotonic":
            return _clip_p(np.interp(p, self.isotonic_x_, self.isotonic_y_))
        return _clip_p(p)

    def _check_fitted(self) -> None:
        if not hasattr(self, "is_prior_"):
            raise RuntimeError("the outcome model is not fitted yet: call fit() first")

    def predict_proba_12(self, features: Features) -> np.ndarray:
        """P(still in the job 12 months after starting) per pair."""
        return self.predict(features)[0]

    def contributions(self, features: Features) -> dict[str, np.ndarray]:
        """Per factor (and ``"baseline"``), contributions on the logit scale adding up to ``logit(score)``."""
        return self.predict(features)[1]

    def evidence(self, features: Features) -> HistoryEvidence:
        """How much history stands behind each pair's estimate: its similar past placements and the learnt
        model's weight against the prior (0 when the model is the prior alone)."""
        self._check_fitted()
        n = _size(features)
        counts = getattr(self, "history_counts_", None)
        if counts is None:  # saved before estimates were shrunk towards the prior: the learnt model alone
            return HistoryEvidence(similar=np.zeros(n, dtype=np.int64), weight=np.ones(n), learnt=True)
        similar = similar_counts(features, n, counts)
        weight = np.zeros(n) if self.is_prior_ else history_weight(similar, self.prior_strength)
        return HistoryEvidence(similar=similar, weight=weight, learnt=not self.is_prior_)

    def predict(self, features: Features) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Scores and contributions (the :class:`~matching.scoring.Scorer` protocol)."""
        self._check_fitted()
        n = _size(features)
        if self.is_prior_:
            prior_logit, parts = self._prior(features, self._prior_spec())
            score = _clip_p(sigmoid(prior_logit))
            return score, self._with_baseline(score, parts)
        terms = self._hazard_terms(features, self._fitted())
        eta = terms.sum(axis=1)
        log_s = _log_survival(self.intercepts_, eta)
        learnt = self._apply_calibration(np.exp(log_s))
        # secant slope of the 12-month logit in η: exact, and the derivative where η is (nearly) zero
        g = _logit_from_log(log_s)
        g0, slope0 = self._logit_at_zero()
        small = np.abs(eta) < 1e-8
        slope = np.where(small, slope0, (g - g0) / np.where(small, 1.0, eta))
        if self.calibration_ == "platt":
            slope = slope * float(self.platt_[1])
        contributions = {factor: np.zeros(n) for factor in FACTORS if factor in self.feature_factors_}
        for j, factor in enumerate(self.feature_factors_):
            contributions[factor] += slope * terms[:, j]
        if not hasattr(self, "history_counts_"):  # saved before estimates were shrunk towards the prior
            return learnt, self._with_baseline(learnt, contributions)
        weight = self.evidence(features).weight
        prior_logit, prior_parts = self._prior(features, self._prior_spec())
        score = _blend(learnt, prior_logit, weight)
        for factor in contributions:
            contributions[factor] = weight * contributions[factor]
        for factor, values in prior_parts.items():
            contributions[factor] = contributions.get(factor, 0.0) + (1.0 - weight) * values
        return score, self._with_baseline(score, contributions)

    def _logit_at_zero(self) -> tuple[float, float]:
        """The 12-month logit of the average pair (η = 0) and its derivative in η there."""
        h = 1e-6
        at = _logit_survival(self.intercepts_, np.array([0.0, h, -h]))
        return float(at[0]), float((at[1] - at[2]) / (2 * h))

    @staticmethod
    def _with_baseline(score: np.ndarray, contributions: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        total = logit(score)
        rest = np.zeros(score.shape[0])
        for values in contributions.values():
            rest = rest + values
        return {BASELINE: total - rest, **contributions}

    # ------------------------------------------------------------------ evaluation

    def evaluation(self, data: OutcomeTrainingSet) -> dict[str, Any]:
        """Brier score (model and base rate), AUC and reliability on ``data``'s placements with a known
        12-month outcome, scored as new placements (employer history from the fit)."""
        self._check_fitted()
        known = data.twelve_month_known
        p = self.predict_proba_12(data.subset(known).features) if known.any() else np.zeros(0)
        return _summary(p, data.twelve_month_retained[known], self.base_rate_)

    def __repr__(self) -> str:
        state = ("unfitted" if not hasattr(self, "is_prior_") else "prior" if self.is_prior_
                 else f"{len(self.feature_names_)} terms")
        return f"OutcomeModel({self.version}, {state})"


#: Fully-qualified names of the types skops must trust to load a saved :class:`OutcomeModel`.
TRUSTED_TYPES: list[str] = ["matching.outcome_model.OutcomeModel"]
