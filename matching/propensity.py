"""Who was placed: how likely a pair was to be chosen, and weights that correct the outcome model for it.

Past placements are a selected sample. Coordinators proposed the women they judged fit (trained for the job,
living near it, with the skills), so the history says much about pairs like those and little about the other
pairs the rules allow, which the service is asked to score every day. An outcome model fitted on the history
alone learns the world of chosen pairs and extrapolates to the rest.

**The sample** (:func:`selection_sample`). Each past placement (trainee, opening, start day) that was feasible
that day is a *case*; its *controls* are pairs that could have been chosen instead that day: other women for the
same opening and other openings for the same woman, drawn at random (``random_state``) and kept when they were
*feasible*:

- the safety rules of :mod:`matching.safety` on that day, except those that read the records as they are
  now rather than as they were then (:data:`HISTORY_EXEMPT_RULES`: her status and availability, the opening's
  status and positions, the employer's latest check, the exclusions she has recorded since);
- a woman was a candidate if she is not in training now, her training began (her cohort's month) at least
  :data:`MIN_TRAINING_DAYS` before, and she was not in another placement that day;
- an opening was a candidate if it was posted within :data:`OPENING_WINDOW_DAYS` before that day.

**The propensity** (:class:`SelectionModel`). An L2-penalised logistic regression of case against control on
the outcome model's terms (skill fit, journey, pay, shift, preferences, training track, her attendance...):
``π(x) = P(case | x)`` in the sample. The odds ``π / (1 − π)`` are, up to a constant, how much more often a pair
like ``x`` was chosen than it was feasible; a pair with low odds is *unlike* past placements.

**The weights** (:meth:`SelectionModel.weights`, :func:`correct_selection`). Each feasible placement counts
``((1 − π) / π) ** flatten``: the inverse odds are the density of feasible pairs over that of chosen ones at ``x``,
and flattening them (``flatten`` 0.5 by default; 1 corrects fully) trades the correction against the variance a few
heavily weighted placements bring, which costs more than it corrects where the outcome model already holds the
features the choice was made on. They are stabilised to a mean of 1 over the feasible placements and clipped to
``[1 / max_weight, max_weight]`` (then stabilised again), so that a handful of unusual placements cannot carry the
whole fit. Placements the rules would not allow (older
history often has journeys beyond her limit, or pay below today's minimum) are outside the pairs the service
scores, and the propensity says nothing about them; they count once each, as they still show how the factors
act. Fitted with these weights (:meth:`~matching.outcome_model.OutcomeModel.fit`), the outcome model describes
the feasible pairs as a whole rather than the kind coordinators chose among them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.metrics import roc_auc_score

from .constrained_logit import fit_logistic
from .engine import MatchEngine
from .features import features_from_context
from .outcome_data import OutcomeTrainingSet
from .outcome_metrics import _json_safe
from .outcome_model import TERMS
from .safety import narrow
from .tables import OpeningTable, TraineeTable, to_day

__all__ = ["HISTORY_EXEMPT_RULES", "MIN_TRAINING_DAYS", "OPENING_WINDOW_DAYS", "SelectionCorrection", "SelectionModel",
           "SelectionSample", "correct_selection", "selection_sample"]

#: Rules that read the records as they are now, not as they were on a past placement's day.
HISTORY_EXEMPT_RULES = frozenset({"trainee_not_ready", "opening_not_open", "employer_not_vetted",
                                  "excluded_employer"})
#: Below this many feasible placements or controls the propensity is not estimated (every placement counts once).
MIN_SELECTION_ROWS = 20
#: A woman was a candidate this many days after her cohort's month began (training takes months).
MIN_TRAINING_DAYS = 60
#: An opening was a candidate for this many days after it was posted.
OPENING_WINDOW_DAYS = 90
_CASE, _OTHER_WOMAN, _OTHER_OPENING = 0, 1, 2
_COHORT_MONTH = re.compile(r"(\d{4})-(\d{2})\s*$")
#: The propensity's terms: the outcome model's, less the employer's observed retention (an outcome).
SELECTION_TERMS = tuple((name, fn) for name, _, fn in TERMS if fn is not None)


@dataclass(frozen=True, eq=False)
class SelectionSample:
    """Cases (past placements feasible on their day) and their feasible controls: pair ``features``, ``chosen``
    (True for cases), ``case`` (the placement each row belongs to, its position in ``placement_ids``), the
    ``trainee_ids`` and ``opening_ids`` of each row and the ``days`` it was judged on (datetime64[D]);
    ``feasible`` says, per placement of ``placement_ids``, whether the rules allowed it on its day (those not
    are left out of the sample)."""

    features: dict[str, np.ndarray]
    chosen: np.ndarray
    case: np.ndarray
    placement_ids: np.ndarray
    feasible: np.ndarray
    trainee_ids: np.ndarray
    opening_ids: np.ndarray
    days: np.ndarray

    def __len__(self) -> int:
        return int(self.chosen.shape[0])

    @property
    def n_cases(self) -> int:
        return int(np.count_nonzero(self.chosen))

    @property
    def n_controls(self) -> int:
        return len(self) - self.n_cases

    @property
    def infeasible(self) -> int:
        return int(np.count_nonzero(~self.feasible))

    def feasible_placements(self, placement_ids: Sequence[Any]) -> np.ndarray:
        """Per placement id, whether it was in the sample and feasible on its day."""
        ok = {str(p) for p, f in zip(self.placement_ids.tolist(), self.feasible.tolist()) if f}
        return np.array([str(p) in ok for p in placement_ids], dtype=bool)


def _cohort_start(cohort: Any) -> datetime.date | None:
    found = _COHORT_MONTH.search(str(cohort or ""))
    if found is None:
        return None
    year, month = int(found.group(1)), int(found.group(2))
    return datetime.date(year, month, 1) if 1 <= month <= 12 else None


def _days(values: Sequence[Any]) -> np.ndarray:
    return np.array([np.datetime64(d, "D") if d is not None else np.datetime64("NaT") for d in values],
                    dtype="datetime64[D]")


class _Busy:
    """Which women were in a placement on a day (from the placement records)."""

    def __init__(self, placements: Sequence[Mapping[str, Any]], row_of: Mapping[str, int]):
        spans: dict[int, list[tuple[datetime.date, datetime.date | None]]] = {}
        for record in placements:
            row, start = row_of.get(str(record.get("trainee_external_id"))), to_day(record.get("started_on"))
            if row is not None and start is not None:
                spans.setdefault(row, []).append((start, to_day(record.get("ended_on"))))
        self.spans = spans

    def on(self, row: int, day: datetime.date) -> bool:
        return any(start <= day and (end is None or day < end) for start, end in self.spans.get(row, ()))


def selection_sample(*, engine: MatchEngine, trainees: Sequence[Mapping[str, Any]],
                     openings: Sequence[Mapping[str, Any]], employers: Mapping[str, Mapping[str, Any]],
                     placements: Sequence[Mapping[str, Any]], as_of: Any, controls: int = 8,
                     draws: int = 200, random_state: int | None = 0) -> SelectionSample:
    """Past placements started on or before ``as_of`` that were feasible on their day, and up to ``controls``
    feasible controls each (half other women for the same opening, half other openings for the same woman), found
    among ``draws`` random women and ``draws // 2`` random openings per placement; see the module docstring.

    Controls are drawn uniformly and kept when feasible, so that they are a random sample of the feasible pairs.
    Records are plain dicts as :func:`~matching.outcome_data.build_training_set` takes them. Placements whose
    trainee or opening is unknown are left out; ``infeasible`` counts those the rules would not allow.
    Pairs are judged on the first day of their placement's month.
    """
    day = to_day(as_of)
    if day is None:
        raise ValueError("as_of is required")
    trainee_table = TraineeTable.from_records(trainees, taxonomy=engine.taxonomy, site=engine.site)
    opening_table = OpeningTable.from_records(openings, employers=employers, taxonomy=engine.taxonomy,
                                              site=engine.site)
    t_row = {str(r["external_id"]): k for k, r in enumerate(trainees)}
    o_row = {str(r["external_id"]): k for k, r in enumerate(openings)}
    found = [(t_row[str(p["trainee_external_id"])], o_row[str(p["opening_external_id"])], start,
              str(p.get("external_id")))
             for p in placements
             if (start := to_day(p.get("started_on"))) is not None and start <= day
             and str(p.get("trainee_external_id")) in t_row and str(p.get("opening_external_id")) in o_row]
    n_cases = len(found)
    case_t = np.array([f[0] for f in found], dtype=np.int64)
    case_o = np.array([f[1] for f in found], dtype=np.int64)
    case_day = np.array([f[2] for f in found], dtype="datetime64[D]")
    rng = np.random.default_rng(random_state)

    # other women for the same opening: in the programme's pool that day (not her, not in training now, trained long
    # enough); whether she was in another placement is checked on the feasible ones only (it is slower)
    began = [_cohort_start(r.get("cohort")) for r in trainees]
    ready_from = _days([None if d is None else d + datetime.timedelta(days=MIN_TRAINING_DAYS) for d in began])
    in_training = np.array([str(r.get("status") or "").strip().casefold() == "in_training" for r in trainees])
    n_women = draws if len(trainee_table) else 0
    w_case = np.repeat(np.arange(n_cases), n_women)
    w_t = rng.integers(0, max(len(trainee_table), 1), n_cases * n_women)
    ok = (~in_training[w_t]) & (w_t != case_t[w_case]) & ~(ready_from[w_t] > case_day[w_case]) if w_t.size \
        else np.zeros(0, dtype=bool)
    w_case, w_t = w_case[ok], w_t[ok]

    # other openings for the same woman: posted within the window before that day
    posted = _days([to_day(r.get("posted_on")) for r in openings])
    by_posting = np.argsort(posted, kind="stable")
    posted_sorted = posted[by_posting]
    lo = np.searchsorted(posted_sorted, case_day - np.timedelta64(OPENING_WINDOW_DAYS, "D"), side="left")
    hi = np.searchsorted(posted_sorted, case_day, side="right")
    n_openings = max(draws // 2, 1)
    o_case = np.repeat(np.arange(n_cases), n_openings)
    span = (hi - lo)[o_case]
    o_j = by_posting[np.minimum(lo[o_case] + np.floor(rng.random(o_case.size) * span).astype(np.int64),
                                max(len(opening_table) - 1, 0))] if len(opening_table) else np.zeros(0, np.int64)
    ok = (span > 0) & (o_j != case_o[o_case]) if o_j.size else np.zeros(0, dtype=bool)
    o_case, o_j = o_case[ok], o_j[ok]

    case = np.concatenate([np.arange(n_cases), w_case, o_case])
    kind = np.concatenate([np.full(n_cases, _CASE), np.full(w_case.size, _OTHER_WOMAN),
                           np.full(o_case.size, _OTHER_OPENING)])
    t_idx = np.concatenate([case_t, w_t, case_t[o_case]])
    o_idx = np.concatenate([case_o, case_o[w_case], o_j])
    order = np.lexsort((kind, case))  # case by case: the placement, then its controls in the order drawn
    case, kind, t_idx, o_idx = case[order], kind[order], t_idx[order], o_idx[order]
    months = case_day.astype("datetime64[M]")[case] if n_cases else np.zeros(0, dtype="datetime64[M]")
    feasible = _feasible(engine, trainee_table, opening_table, t_idx, o_idx, months)
    busy = _Busy(placements, t_row)
    for k in np.flatnonzero(feasible & (kind == _OTHER_WOMAN)).tolist():
        feasible[k] = not busy.on(int(t_idx[k]), found[int(case[k])][2])

    women_each, openings_each = controls - controls // 2, controls // 2
    cases_ok = np.zeros(n_cases, dtype=bool)
    cases_ok[case[feasible & (kind == _CASE)]] = True
    keep = (kind == _CASE) & feasible
    for code, quota in ((_OTHER_WOMAN, women_each), (_OTHER_OPENING, openings_each)):
        candidates = np.flatnonzero((kind == code) & feasible & cases_ok[case])
        keep[candidates[_rank_within(case[candidates]) < quota]] = True
    kept = np.flatnonzero(keep)
    features = _features_by_month(engine, trainee_table, opening_table, t_idx[kept], o_idx[kept], months[kept])
    return SelectionSample(features=features, chosen=kind[kept] == _CASE, case=case[kept],
                           placement_ids=np.array([f[3] for f in found], dtype=object), feasible=cases_ok,
                           trainee_ids=trainee_table.external_id[t_idx[kept]],
                           opening_ids=opening_table.external_id[o_idx[kept]],
                           days=months[kept].astype("datetime64[D]"))


def _month_groups(months: np.ndarray) -> list[tuple[datetime.date, np.ndarray]]:
    return [(month.astype("datetime64[D]").item(), np.flatnonzero(months == month)) for month in np.unique(months)]


def _feasible(engine: MatchEngine, trainees: TraineeTable, openings: OpeningTable, t_idx: np.ndarray,
              o_idx: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Per pair, whether the rules of its month (less :data:`HISTORY_EXEMPT_RULES`) allow it."""
    rules = [rule for rule in engine.rules if rule.code not in HISTORY_EXEMPT_RULES]
    feasible = np.zeros(t_idx.size, dtype=bool)
    for day, group in _month_groups(months):
        ctx = engine.context(trainees, t_idx[group], openings, o_idx[group], as_of=day)
        feasible[group[narrow(ctx, rules)[0]]] = True
    return feasible


def _features_by_month(engine: MatchEngine, trainees: TraineeTable, openings: OpeningTable, t_idx: np.ndarray,
                       o_idx: np.ndarray, months: np.ndarray) -> dict[str, np.ndarray]:
    """The pair features, each pair as of the first day of its month."""
    out: dict[str, np.ndarray] = {}
    for day, group in _month_groups(months):
        ctx = engine.context(trainees, t_idx[group], openings, o_idx[group], as_of=day)
        for name, values in features_from_context(ctx, demand=engine.demand).items():
            values = np.asarray(values)
            if name not in out:
                out[name] = np.empty(t_idx.size, dtype=values.dtype)
            elif out[name].dtype != values.dtype:
                out[name] = out[name].astype(np.result_type(out[name].dtype, values.dtype))
            out[name][group] = values
    return out


def _rank_within(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2... within each run of equal values of ``groups`` (sorted, as the rows are)."""
    if not groups.size:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    lengths = np.diff(np.r_[starts, groups.size])
    return np.arange(groups.size) - np.repeat(starts, lengths)


class SelectionModel(BaseEstimator):
    """The propensity of a pair to have been chosen among the feasible ones, and the weights correcting for it.

    Parameters: ``C`` (inverse L2 penalty), ``flatten`` (the inverse odds are raised to this power before they
    are stabilised: 1 corrects fully, 0 not at all; in between trades the correction against the variance a few
    heavily weighted placements bring), ``max_weight`` (the weights are clipped to ``[1 / max_weight,
    max_weight]`` around a mean of 1). Learned attributes: ``feature_names_``, ``mean_``,
    ``scale_``, ``coef_`` (per standardised term: positive means chosen more often), ``intercept_``,
    ``metrics_`` (cases, controls, the in-sample AUC of telling them apart).
    """

    def __init__(self, *, C: float = 1.0, flatten: float = 0.5, max_weight: float = 10.0):
        self.C = C
        self.flatten = flatten
        self.max_weight = max_weight

    def fit(self, sample: SelectionSample) -> SelectionModel:
        if self.max_weight < 1:
            raise ValueError(f"max_weight must be at least 1, not {self.max_weight!r}")
        if not 0 <= self.flatten <= 1:
            raise ValueError(f"flatten must be between 0 and 1, not {self.flatten!r}")
        raw = self._raw(sample.features)
        names, means, scales, columns = [], [], [], []
        for (name, _), column in zip(SELECTION_TERMS, raw.T):
            known = np.isfinite(column)
            if not known.any() or not float(column[known].std()) > 1e-9:
                continue
            mean, scale = float(column[known].mean()), float(column[known].std())
            names.append(name)
            means.append(mean)
            scales.append(scale)
            columns.append(np.where(known, (column - mean) / scale, 0.0))
        self.feature_names_ = names
        self.mean_, self.scale_ = np.array(means), np.array(scales)
        z = np.column_stack(columns) if columns else np.zeros((len(sample), 0))
        fitted = fit_logistic(z, sample.chosen, C=float(self.C))
        self.coef_, self.intercept_ = fitted.coef, fitted.intercept
        score = self.intercept_ + z @ self.coef_
        both = sample.chosen.any() and not sample.chosen.all()
        self.metrics_ = _json_safe({
            "n_cases": sample.n_cases, "n_controls": sample.n_controls,
            "auc": float(roc_auc_score(sample.chosen, score)) if both else float("nan"),
            "terms": dict(zip(names, (round(float(c), 4) for c in self.coef_)))})
        return self

    @staticmethod
    def _raw(features: Mapping[str, np.ndarray]) -> np.ndarray:
        n = next((int(np.shape(v)[0]) for v in features.values()), 0)
        return np.column_stack([np.asarray(fn(features), dtype=np.float64).reshape(n)
                                for _, fn in SELECTION_TERMS]) if n else np.zeros((0, len(SELECTION_TERMS)))

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise RuntimeError("the selection model is not fitted yet: call fit() first")

    def log_odds(self, features: Mapping[str, np.ndarray]) -> np.ndarray:
        """``log(π / (1 − π))`` per pair: how much more often pairs like it were chosen (up to a constant)."""
        self._check_fitted()
        raw = self._raw(features)
        out = np.full(raw.shape[0], float(self.intercept_))
        columns = [name for name, _ in SELECTION_TERMS]
        for j, name in enumerate(self.feature_names_):
            z = (raw[:, columns.index(name)] - self.mean_[j]) / self.scale_[j]
            out += np.where(np.isfinite(z), z, 0.0) * self.coef_[j]
        return out

    def propensity(self, features: Mapping[str, np.ndarray]) -> np.ndarray:
        """``π(x)``, the probability that a pair like this one is a placement rather than a control."""
        return 1.0 / (1.0 + np.exp(-self.log_odds(features)))

    def weights(self, features: Mapping[str, np.ndarray], feasible: np.ndarray | None = None) -> np.ndarray:
        """Inverse-odds weights of the placements with these features: mean 1, within ``[1 / max_weight,
        max_weight]``. With ``feasible`` (per placement, whether the rules allowed it on its day), only the
        feasible ones are weighted so; the others count once each (the propensity says nothing about pairs outside
        the feasible ones, yet they still show how the factors act)."""
        n = next((int(np.shape(v)[0]) for v in features.values()), 0)
        mask = np.ones(n, dtype=bool) if feasible is None else np.asarray(feasible, dtype=bool)
        out = np.ones(n)
        raw = np.exp(-float(self.flatten) * np.clip(self.log_odds(features)[mask], -30.0, 30.0))
        if raw.size:
            out[mask] = self._stabilised(raw)
        return out

    def _stabilised(self, raw: np.ndarray) -> np.ndarray:
        low, high = 1.0 / float(self.max_weight), float(self.max_weight)
        w = raw / raw.mean()
        for _ in range(50):  # clip and stabilise until both hold (a few rounds)
            w = np.clip(w, low, high)
            w = w / w.mean()
            if w.min() >= low - 1e-9 and w.max() <= high + 1e-9:
                break
        return np.clip(w, low, high)


@dataclass(frozen=True, eq=False)
class SelectionCorrection:
    """The weights of a training set's placements (``weights``, aligned with it), and what they came from
    (``model`` and ``sample``; None when there was too little to estimate the propensity)."""

    weights: np.ndarray
    model: SelectionModel | None
    sample: SelectionSample

    def summary(self) -> dict[str, Any]:
        """What the correction did, for the model's metrics (plain JSON values)."""
        w = self.weights
        return _json_safe({
            "applied": self.model is not None, "placements_feasible": int(np.count_nonzero(self.sample.feasible)),
            "placements_infeasible": self.sample.infeasible, "controls": self.sample.n_controls,
            "propensity_auc": None if self.model is None else self.model.metrics_["auc"],
            "max_weight": None if self.model is None else float(self.model.max_weight),
            "flatten": None if self.model is None else float(self.model.flatten),
            "weight_min": float(w.min()) if w.size else None, "weight_max": float(w.max()) if w.size else None})


def correct_selection(*, engine: MatchEngine, trainees: Sequence[Mapping[str, Any]],
                      openings: Sequence[Mapping[str, Any]], employers: Mapping[str, Mapping[str, Any]],
                      placements: Sequence[Mapping[str, Any]], data: OutcomeTrainingSet, controls: int = 8,
                      draws: int = 200, flatten: float = 0.5, max_weight: float = 10.0,
                      random_state: int | None = 0) -> SelectionCorrection:
    """Weights correcting ``data`` (built from the same records) for who was placed: the selection sample as of
    ``data.as_of``, the propensity fitted on it, and each placement's weight (see the module docstring)."""
    sample = selection_sample(engine=engine, trainees=trainees, openings=openings, employers=employers,
                              placements=placements, as_of=data.as_of, controls=controls, draws=draws,
                              random_state=random_state)
    if sample.n_cases < MIN_SELECTION_ROWS or sample.n_controls < MIN_SELECTION_ROWS:
        return SelectionCorrection(weights=np.ones(len(data)), model=None, sample=sample)
    model = SelectionModel(flatten=flatten, max_weight=max_weight).fit(sample)
    weights = model.weights(data.features, feasible=sample.feasible_placements(data.placement_ids.tolist()))
    return SelectionCorrection(weights=weights, model=model, sample=sample)
