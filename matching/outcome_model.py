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

Calibration is checked on out-of-fold predictions (five folds grouped by
trainee) for placements whose 12-month outcome is known; with ``calibrate="auto"``
a Platt step ``logit p' = a + b·logit p`` is added when a likelihood-ratio test
rejects the identity at the 1 % level (``"platt"``: always; ``"isotonic"``:
an isotonic map; None: never).

Explanations: per factor (:data:`TERMS` grouped into the engine's factor
names), the contribution is ``β_j z_j`` mapped onto the 12-month logit by the
pair's secant slope ``(L(η) − L(0)) / η`` (``L`` the survival model's 12-month
logit as a function of the hazard predictor ``η = βᵀz``, times ``b`` after a
Platt step); ``"baseline"`` holds the rest, which is the average placement's
logit (the same for every pair) except after an isotonic step, whose
adjustment it also carries. Contributions add up to ``logit(score)`` exactly.

With little history (fewer than ``min_placements`` usable placements, fewer than
``min_events`` women who left, or no woman yet followed through every interval)
nothing is fitted: the model is a prior, the history's base rate (pooled
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

from .outcome_data import INTERVALS, N_INTERVALS, OutcomeTrainingSet
from .outcome_metrics import _json_safe, _summary, brier_score, reliability_table
from .scoring import BASELINE, ScoreWeights, WeightedScorer, logit, sigmoid

__all__ = ["DEFAULT_BASE_RATE", "FACTORS", "TERMS", "TRUSTED_TYPES", "OutcomeModel", "brier_score",
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


def _pooled_hazard(data: OutcomeTrainingSet) -> tuple[np.ndarray, np.ndarray]:
    """Overall hazard per interval and the rows at risk in it (hazard 0 where nobody was at risk)."""
    events, at_risk = _own_counts(data)
    d, n = events.sum(axis=0), at_risk.sum(axis=0)
    return np.divide(d, n, out=np.zeros(N_INTERVALS), where=n > 0), n


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


# --------------------------------------------------------------------------- the model


class OutcomeModel(BaseEstimator):
    """P(still in the job at 12 months) for trainee × opening pairs; a :class:`~matching.scoring.Scorer`.

    See the module docstring. Learned attributes: ``coef_`` (per term in ``feature_names_``, on the
    hazard scale: positive means more leaving), ``intercepts_`` (α per interval), ``feature_names_``
    and ``feature_factors_``, ``mean_`` and ``scale_`` (standardisation), ``employer_retention_``
    (employer id → shrunk 12-month retention) and ``employer_logit_`` (its logit, the term's raw value;
    ``default_employer_logit_`` for employers without history), ``base_rate_`` and ``pooled_hazard_``
    (per interval), ``calibration_`` (None, ``"platt"`` or ``"isotonic"``) with ``platt_`` (a, b) /
    ``isotonic_x_``, ``isotonic_y_``, ``is_prior_``, ``reason_`` and ``metrics_`` (counts; ``brier``,
    ``brier_base_rate``, ``auc``, ``reliability`` [(mean predicted, observed, n)] on out-of-fold
    predictions for the placements with a known 12-month outcome; ``uncalibrated`` the same before the
    calibration step; ``calibration_test``). In prior mode, ``prior_weights_`` and ``prior_centre_``.
    Set ``version`` after training (``"outcome-untrained"`` until then).
    """

    version: str = "outcome-untrained"

    def __init__(self, *, C: float = 1.0, employer_prior_strength: float = 10.0, min_placements: int = 60,
                 min_events: int = 15, calibrate: str | None = "auto", random_state: int | None = 0):
        self.C = C
        self.employer_prior_strength = employer_prior_strength
        self.min_placements = min_placements
        self.min_events = min_events
        self.calibrate = calibrate
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting

    def fit(self, data: OutcomeTrainingSet) -> OutcomeModel:
        # The regressions are small: one BLAS thread is much faster than several contending for them.
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit(data)

    def _fit(self, data: OutcomeTrainingSet) -> OutcomeModel:
        if self.calibrate not in (None, "auto", "platt", "isotonic"):
            raise ValueError(f"calibrate must be None, 'auto', 'platt' or 'isotonic', not {self.calibrate!r}")
        usable = data.subset(data.usable)
        hazard, at_risk = _pooled_hazard(usable)
        every_interval = bool(len(usable)) and bool((at_risk > 0).all())
        self.base_rate_ = float(np.prod(1.0 - hazard)) if every_interval else DEFAULT_BASE_RATE
        self.pooled_hazard_ = hazard
        n_events = usable.n_events
        self.metrics_ = {"n_placements": len(usable), "n_records": len(data), "n_events": n_events,
                         "n_person_periods": int(usable.periods.sum()),
                         "events_by_interval": [int(v) for v in _own_counts(usable)[0].sum(axis=0)],
                         "at_risk_by_interval": [int(v) for v in at_risk],
                         "n_twelve_month_known": int(usable.twelve_month_known.sum()),
                         "n_unconfirmed": int(data.unconfirmed.sum()), "skipped": dict(data.skipped),
                         "as_of": data.as_of.isoformat() if data.as_of else None, "base_rate": self.base_rate_}
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
            return self._fit_prior(usable, reason)

        self.is_prior_ = False
        self.reason_ = (f"learnt from {len(usable)} placements ({n_events} left within 12 months)")
        fitted = self._fit_hazards(usable)
        self._set(fitted)
        self.calibration_: str | None = None
        self.platt_ = np.array([0.0, 1.0])
        self.isotonic_x_ = np.zeros(0)
        self.isotonic_y_ = np.zeros(0)
        known = usable.twelve_month_known
        if known.sum() >= MIN_KNOWN_FOR_CALIBRATION:
            oof = self._out_of_fold(usable)
            p, y = oof[known], usable.twelve_month_retained[known]
            self.metrics_["uncalibrated"] = _summary(p, y, self.base_rate_)
            self._calibrate(p, y)
            p = self._apply_calibration(p)
            self.metrics_.update(_summary(p, y, self.base_rate_))
            self.metrics_["evaluated_on"] = f"out-of-fold predictions ({CV_FOLDS} folds grouped by trainee)"
        else:
            p = self.predict_proba_12(usable.features)[known] if known.any() else np.zeros(0)
            self.metrics_.update(_summary(p, usable.twelve_month_retained[known], self.base_rate_))
            self.metrics_["evaluated_on"] = "training placements (in-sample)"
        self.metrics_["calibration"] = self.calibration_
        self.metrics_ = _json_safe(self.metrics_)
        return self

    def _fit_prior(self, usable: OutcomeTrainingSet, reason: str) -> OutcomeModel:
        self.is_prior_ = True
        self.reason_ = (f"prior, not learnt: {reason}; scores are the base rate ({self.base_rate_:.0%}) shaped by the "
                        "transparent weighted score")
        self.prior_weights_ = ScoreWeights().as_dict()
        if len(usable):
            total = logit(_clip_p(WeightedScorer(ScoreWeights(**self.prior_weights_)).predict(usable.features)[0]))
            self.prior_centre_ = float(np.mean(total))
        else:
            self.prior_centre_ = 0.0
        self.coef_ = np.zeros(0)
        self.intercepts_ = np.zeros(0)
        self.feature_names_: list[str] = []
        self.feature_factors_: list[str] = []
        self.mean_ = np.zeros(0)
        self.scale_ = np.zeros(0)
        self.employer_retention_: dict[str, float] = {}
        self.employer_logit_: dict[str, float] = {}
        self.default_employer_logit_ = float(logit(_clip_p(np.array(self.base_rate_))))
        self.calibration_ = None
        self.platt_ = np.array([0.0, 1.0])
        self.isotonic_x_ = np.zeros(0)
        self.isotonic_y_ = np.zeros(0)
        known = usable.twelve_month_known
        p = self.predict_proba_12(usable.features)[known] if known.any() else np.zeros(0)
        self.metrics_.update(_summary(p, usable.twelve_month_retained[known], self.base_rate_))
        self.metrics_["evaluated_on"] = "training placements (in-sample)"
        self.metrics_["calibration"] = None
        self.metrics_["prior"] = True
        self.metrics_ = _json_safe(self.metrics_)
        return self

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
        regression = LogisticRegression(C=float(self.C), solver="lbfgs", max_iter=5000, tol=1e-10)
        regression.fit(design, event.astype(np.int64))
        coef = regression.coef_.ravel()
        alpha = float(regression.intercept_[0]) + np.concatenate([[0.0], coef[:N_INTERVALS - 1]])
        return {"coef": coef[N_INTERVALS - 1:].copy(), "alpha": alpha, "names": names, "factors": factors,
                "mean": np.array(means), "scale": np.array(scales), "employer_retention": employer_retention,
                        "employer_logit": employer_logit,
                "default_employer_logit": float(logit(_clip_p(np.array(base_rate)))),
                "n_iter": int(regression.n_iter_[0])}

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

    def _out_of_fold(self, data: OutcomeTrainingSet) -> np.ndarray:
        """Uncalibrated P12 of every placement from a model fitted without her (folds grouped by trainee)."""
        trainees, codes = np.unique(data.trainee_ids.astype(str), return_inverse=True)
        rng = np.random.default_rng(self.random_state)
        fold_of = np.empty(len(trainees), dtype=np.int64)
        fold_of[rng.permutation(len(trainees))] = np.arange(len(trainees)) % CV_FOLDS
        fold = fold_of[codes]
        out = np.full(len(data), np.nan)
        for k in range(CV_FOLDS):
            test = fold == k
            if not test.any() or test.all():
                continue
            fitted = self._fit_hazards(data.subset(~test))
            out[test] = self._survival(data.subset(test).features, fitted)
        return out

    def _calibrate(self, p: np.ndarray, y: np.ndarray) -> None:
        self.metrics_["calibration_test"] = None
        if y.all() or not y.any():
            return
        x = logit(_clip_p(p))
        platt = LogisticRegression(C=np.inf, solver="lbfgs", max_iter=1000, tol=1e-10)
        platt.fit(x[:, None], y.astype(np.int64))
        a, b = float(platt.intercept_[0]), float(platt.coef_[0, 0])
        q_identity, q_platt = _clip_p(sigmoid(x)), _clip_p(sigmoid(a + b * x))

        def loglik(q: np.ndarray) -> float:
            return float(np.sum(np.where(y, np.log(q), np.log1p(-q))))

        statistic = 2.0 * (loglik(q_platt) - loglik(q_identity))
        p_value = float(chi2.sf(max(statistic, 0.0), df=2))
        self.metrics_["calibration_test"] = {"platt_intercept": a, "platt_slope": b, "lr_statistic": statistic,
                                             "p_value": p_value}
        if self.calibrate is None:
            return
        if self.calibrate == "isotonic":
            iso = IsotonicRegression(y_min=_EPS, y_max=1 - _EPS, out_of_bounds="clip").fit(p, y.astype(np.float64))
            self.calibration_ = "isotonic"
            self.isotonic_x_ = np.asarray(iso.X_thresholds_, dtype=np.float64)
            self.isotonic_y_ = np.asarray(iso.y_thresholds_, dtype=np.float64)
        elif self.calibrate == "platt" or (self.calibrate == "auto" and p_value < CALIBRATION_ALPHA and b > 0):
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

    def predict(self, features: Features) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Scores and contributions (the :class:`~matching.scoring.Scorer` protocol)."""
        self._check_fitted()
        n = _size(features)
        if self.is_prior_:
            weighted, parts = WeightedScorer(ScoreWeights(**self.prior_weights_)).predict(features)
            shift = float(logit(_clip_p(self.base_rate_))) - self.prior_centre_
            score = _clip_p(sigmoid(logit(_clip_p(weighted)) + shift))
            contributions = {name: np.asarray(v, dtype=np.float64) for name, v in parts.items() if name != BASELINE}
            return score, self._with_baseline(score, contributions)
        terms = self._hazard_terms(features, self._fitted())
        eta = terms.sum(axis=1)
        log_s = _log_survival(self.intercepts_, eta)
        score = self._apply_calibration(np.exp(log_s))
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
