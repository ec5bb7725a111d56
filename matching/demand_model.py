"""Market demand: forecasts of monthly job postings per district x occupation, 1-6 months ahead.

The programme watches monthly counts of job postings per (district, occupation)
(``market_signals.csv``). :class:`DemandForecaster` learns from them

* how postings move through the year, per sector (the Durga Puja peak in
  apparel, retail and hospitality, the winter wedding season in beauty),
* how fast each series grows, and
* where each series stands now,

and forecasts the coming months with an interval. Its :meth:`~DemandForecaster.growth`
makes a fitted model a :class:`matching.demand.DemandSignal` for the match score.

The model
---------
Postings of series ``s`` (district ``d``, occupation ``o`` in sector ``k``) in
month ``t`` are counts with mean

    mu[s, t] = level[s] * exp(trend[s] * (t - T)) * season[k, month(t)]

where ``T`` is the last month the model knows (``as_of_period``). It is fitted by
Poisson likelihood on the observed months only (a missing month is missing, not
a zero; a series that starts late simply has fewer months), alternating between

1. ``level`` and ``trend`` of every series, given the seasonal profiles (one
   Newton step on the profile likelihood of ``trend``, ``level`` in closed form);
2. the seasonal profile of each sector, pooled over all its series and shrunk
   towards the profile of all series by empirical Bayes. The prior of a sector
   is the all-series profile scaled by how strongly the sector follows it (a
   precision-weighted regression over the twelve months: about 1 for a sector
   with the common Puja peak, about 0 for a flat one); the sector keeps its own
   departure from that prior in proportion to its reliability, so a month
   backed by few postings, or a sector whose departures are no larger than
   their noise, takes the prior. The all-series profile is itself flattened
   where it is no stronger than its noise (a handful of series make no season).
   Profiles have geometric mean 1 over the year.

Then the trends are pooled hierarchically. A series' own slope is noisy (short
series, few postings), so it is shrunk towards the slope of its district x
sector, which is shrunk towards the sector's, which is shrunk towards the
overall slope. At every level the weights are precisions: the series' own
(its Poisson information times the sector's over-dispersion, so long and busy
series keep more of their own slope) against the spread between units at that
level, estimated from the data (DerSimonian-Laird moments). ``shrinkage``
scales the pull of every prior (1 = empirical Bayes, 0 = no pooling).

Finally the level is re-estimated from the recent months (weights halving every
``level_halflife`` months) given the pooled trend and the seasonal profile,
so that it follows the series where it is now.

A forecast ``h`` months ahead damps the trend (``trend_damping`` per month):

    forecast[s, T+h] = level[s] * exp(trend[s] * sum_{j=1..h} damping**j) * season[k, month(T+h)]

Its interval comes from a negative binomial with the forecast as mean and a
variance made of the sector's over-dispersed count noise plus the uncertainty
of the level and of the trend (growing with ``h``).

Everything is closed form or a fixed number of vectorised iterations: the fit is
deterministic and takes milliseconds for a few hundred series. The optional
``own_openings`` (the programme's own openings per month) add evidence to the
trend of their district x sector, weighted by their precision; they are not
forecast themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .demand_fitting import (
    _MAX_ITER,
    _MAX_SLOPE,
    _MIN_TAU2,
    _SEASON_PSEUDO,
    _TOL,
    _between_variance,
    _count_interval,
    _dispersion,
    _level_slope_step,
    _pooled,
    _posterior,
)
from .demand_signals import SignalFrame, _as_frame, _openings_frame, period_index, period_label

__all__ = [
    "OTHER_SECTOR",
    "TRUSTED_TYPES",
    "DemandForecaster",
    "ForecastRow",
    "SignalFrame",
    "period_index",
    "period_label",
]

#: The fully qualified names of this module's types held by a fitted :class:`DemandForecaster`;
#: pass them as ``trusted`` to ``skops.io.load``. Everything else it holds is numpy arrays and builtins.
TRUSTED_TYPES: list[str] = ["matching.demand_model.DemandForecaster"]

#: The sector given to occupations that ``sector_of`` does not know.
OTHER_SECTOR = "other"


def _sector(sector_of: Mapping[str, str], occupation: str) -> str:
    """The sector of an occupation code (:data:`OTHER_SECTOR` when ``sector_of`` does not know it)."""
    return str(sector_of.get(occupation, OTHER_SECTOR) or OTHER_SECTOR)


# --------------------------------------------------------------------------- output


@dataclass(frozen=True)
class ForecastRow:
    """Forecast postings of one series in one month, with an interval (``DemandForecaster.interval``)."""

    district: str
    occupation: str
    period: str
    postings: float
    lower: float
    upper: float


# --------------------------------------------------------------------------- the estimator


class DemandForecaster(BaseEstimator):
    """Forecasts monthly job postings per (district, occupation) from market-signal counts.

    Parameters
    ----------
    horizon:
        Months forecast by :meth:`predict` when it is not given a horizon.
    seasonal_period:
        Length of the seasonal cycle in months (12: calendar months).
    shrinkage:
        Strength of the pooling, as a multiple of the empirical-Bayes prior precision, for both the
        seasonal profiles (sector towards all series) and the trends (series towards district x
        sector towards sector towards all). 0 fits every sector profile and every series' slope on
        its own data alone; larger values pool more.
    trend_damping:
        Per-month damping of the trend over the forecast horizon (1 = none).
    level_halflife:
        Months after which a past month's weight in the current level halves; ``None`` weighs the
        whole history equally.
    min_history:
        Series with fewer observed months are not modelled (no forecast; growth 0).
    interval:
        Coverage of the forecast intervals (``lower``, ``upper``).
    own_openings_weight:
        Weight of the programme's own openings as evidence on district x sector trends
        (multiplies their precision; 0 ignores them).
    random_state:
        Accepted for the scikit-learn conventions. The fit is closed form and uses no random
        numbers, so every value gives the same, deterministic model.

    Attributes
    ----------
    series_: list of ``(district, occupation)``, sorted; the rows of every per-series array.
    n_series_: number of series.
    sectors_: sector codes (rows of ``seasonal_``); ``series_sector_`` indexes them per series.
    seasonal_: ``(n_sectors, seasonal_period)`` multiplicative profiles, column ``i`` = calendar month
        ``i + 1`` (for 12), geometric mean 1 per row; ``seasonal_all_`` the all-series profile.
    level_: deseasonalised postings per month of each series at ``last_period_``.
    trend_: pooled monthly log-slope of each series; ``growth_ = exp(12 * trend_) - 1`` per year.
    level_var_, trend_var_: variances of ``log(level_)`` and of ``trend_``.
    dispersion_: over-dispersion of the counts per sector (>= 1; 1 = Poisson).
    trend_spread_: estimated spread (variance) of slopes between series within a district x sector,
        between districts within a sector and between sectors.
    n_observed_: observed months per series.
    last_period_: the last month of the data used (``YYYY-MM``); forecasts start the month after.
    n_iter_: backfitting rounds run.
    """

    def __init__(self, *, horizon: int = 6, seasonal_period: int = 12, shrinkage: float = 1.0,
                 trend_damping: float = 0.98, level_halflife: float | None = 12.0, min_history: int = 3,
                 interval: float = 0.8, own_openings_weight: float = 1.0, random_state: int | None = 0):
        self.horizon = horizon
        self.seasonal_period = seasonal_period
        self.shrinkage = shrinkage
        self.trend_damping = trend_damping
        self.level_halflife = level_halflife
        self.min_history = min_history
        self.interval = interval
        self.own_openings_weight = own_openings_weight
        self.random_state = random_state

    # ------------------------------------------------------------------ fit

    def _check_params(self) -> None:
        problems = []
        if not isinstance(self.horizon, (int, np.integer)) or self.horizon < 1:
            problems.append("horizon must be an integer >= 1")
        if not isinstance(self.seasonal_period, (int, np.integer)) or self.seasonal_period < 1:
            problems.append("seasonal_period must be an integer >= 1")
        if not (isinstance(self.shrinkage, (int, float)) and self.shrinkage >= 0):
            problems.append("shrinkage must be >= 0")
        if not (isinstance(self.trend_damping, (int, float)) and 0 < self.trend_damping <= 1):
            problems.append("trend_damping must be in (0, 1]")
        if self.level_halflife is not None and not (isinstance(self.level_halflife, (int, float))
                                                    and self.level_halflife > 0):
            problems.append("level_halflife must be > 0 or None")
        if not isinstance(self.min_history, (int, np.integer)) or self.min_history < 1:
            problems.append("min_history must be an integer >= 1")
        if not (isinstance(self.interval, (int, float)) and 0 < self.interval < 1):
            problems.append("interval must be in (0, 1)")
        if not (isinstance(self.own_openings_weight, (int, float)) and self.own_openings_weight >= 0):
            problems.append("own_openings_weight must be >= 0")
        if self.random_state is not None and not isinstance(self.random_state, (int, np.integer)):
            problems.append("random_state must be an integer or None")
        if problems:
            raise ValueError("; ".join(problems))

    def fit(self, signals: SignalFrame | Sequence[Mapping[str, Any]], *, sector_of: Mapping[str, str],
            own_openings: Sequence[Mapping[str, Any]] | None = None,
            as_of_period: str | None = None) -> DemandForecaster:
        """Learn from posting counts up to ``as_of_period`` (default: the last month in the data).

        ``signals``: a :class:`SignalFrame` or records with ``district``, ``occupation`` (taxonomy
        code), ``period`` (``YYYY-MM``) and ``postings``; rows of several sources for the same month
        are summed. Rows after ``as_of_period`` are ignored, as are own openings posted after it.
        ``sector_of`` maps occupation codes to sector codes (others fall in :data:`OTHER_SECTOR`).
        ``own_openings``: the programme's openings (``district``, ``occupation``, ``posted_on``).
        """
        self._check_params()
        period = int(self.seasonal_period)
        first, last, keys, y, observed, n_obs = _observed_series(_as_frame(signals), as_of_period,
                                                                 self.min_history)
        months = np.arange(first, last + 1)
        x = (months - last).astype(np.float64)
        phase = months % period
        sectors = sorted({_sector(sector_of, o) for _, o in keys})
        sector_index = {s: i for i, s in enumerate(sectors)}
        series_sector = np.array([sector_index[_sector(sector_of, o)] for _, o in keys], dtype=np.int64)
        n, n_sectors = len(keys), len(sectors)

        # --- 1. level, slope and pooled seasonal profiles, by backfitting
        slope, log_season, log_season_all, phi, n_iter = self._backfit(y, observed, x, phase, series_sector,
                                                                       n_sectors)
        seasonal = np.exp(log_season[series_sector][:, phase])
        for _ in range(3):  # settle the slopes on the final profiles
            level, slope, information = _level_slope_step(y, observed, seasonal, x, slope)
        level, slope, information = _level_slope_step(y, observed, seasonal, x, slope, fixed=True)
        slope_var = np.where(information > 0, phi[series_sector] / np.where(information > 0, information, 1.0),
                             np.inf)

        # --- 2. hierarchical pooling of the slopes
        aux = None
        if own_openings is not None and self.own_openings_weight > 0:
            aux = self._own_openings_slopes(own_openings, sector_of, sector_index, log_season, first, last, period)
        trend, trend_var, spread = self._pool_trends(keys, series_sector, n_sectors, slope, slope_var, aux)

        # --- 3. the current level, from recent months, given the pooled trend
        level, level_var = self._current_level(y, observed, seasonal, x, trend, phi[series_sector])

        self.series_ = [(str(d), str(o)) for d, o in keys]
        self.n_series_ = n
        self.sectors_ = list(sectors)
        self.series_sector_ = series_sector
        self.seasonal_ = np.exp(log_season)
        self.seasonal_all_ = np.exp(log_season_all)
        self.level_ = level
        self.level_var_ = level_var
        self.trend_ = trend
        self.trend_var_ = trend_var
        self.growth_ = np.expm1(12.0 * trend)
        self.dispersion_ = phi
        self.trend_spread_ = spread
        self.n_observed_ = n_obs.astype(np.int64)
        self.first_period_ = period_label(first)
        self.last_period_ = period_label(last)
        self.n_iter_ = int(n_iter)
        return self

    def _backfit(self, y: np.ndarray, observed: np.ndarray, x: np.ndarray, phase: np.ndarray,
                 series_sector: np.ndarray, n_sectors: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
        """Alternate level and slope of every series with the pooled seasonal profiles until they settle.

        Returns ``(slope, log_season, log_season_all, dispersion per sector, rounds run)``.
        """
        period = int(self.seasonal_period)
        onehot = (phase[:, None] == np.arange(period)[None, :]).astype(np.float64)  # (months, period)
        sector_onehot = (series_sector[None, :] == np.arange(n_sectors)[:, None]).astype(np.float64)
        y_phase = sector_onehot @ (y @ onehot)  # postings per sector and phase
        y_phase_all = y_phase.sum(axis=0)
        log_season = np.zeros((n_sectors, period))
        log_season_all = np.zeros(period)
        slope = np.zeros(y.shape[0])
        phi = np.ones(n_sectors)
        n_iter = 0
        for rounds in range(1, _MAX_ITER + 1):
            n_iter = rounds
            seasonal = np.exp(log_season[series_sector][:, phase])
            level, new_slope, _ = _level_slope_step(y, observed, seasonal, x, slope)
            base = np.where(observed, level[:, None] * np.exp(new_slope[:, None] * x[None, :]), 0.0)
            e_phase = sector_onehot @ (base @ onehot)
            raw_all = np.log((y_phase_all + _SEASON_PSEUDO) / (e_phase.sum(axis=0) + _SEASON_PSEUDO))
            raw_all -= raw_all.mean()
            raw = np.log((y_phase + _SEASON_PSEUDO) / (e_phase + _SEASON_PSEUDO))
            raw -= raw.mean(axis=1, keepdims=True)
            new_log_season, new_log_all = self._shrink_seasons(raw, raw_all, y_phase, phi)
            mu = base * np.exp(new_log_season[series_sector][:, phase])
            phi = _dispersion(y, mu, observed, series_sector, n_sectors, 2.0, float(period - 1))
            change = max(float(np.max(np.abs(new_slope - slope), initial=0.0)),
                         float(np.max(np.abs(new_log_season - log_season), initial=0.0)))
            slope, log_season, log_season_all = new_slope, new_log_season, new_log_all
            if change < _TOL:
                break
        return slope, log_season, log_season_all, phi, n_iter

    def _current_level(self, y: np.ndarray, observed: np.ndarray, seasonal: np.ndarray, x: np.ndarray,
                       trend: np.ndarray, dispersion: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Level of every series now (recent months weigh more), given its trend; and the variance of its log."""
        if self.level_halflife is None:
            weight = np.ones_like(x)
        else:
            weight = 0.5 ** (-x / float(self.level_halflife))
        shape = np.where(observed, seasonal * np.exp(trend[:, None] * x[None, :]), 0.0)
        exposure = (shape * weight).sum(axis=1)
        level = np.where(exposure > 0, (y * weight).sum(axis=1) / np.where(exposure > 0, exposure, 1.0), 0.0)
        mu = level[:, None] * shape
        s_w = (weight * mu).sum(axis=1)
        s_ww = (weight * weight * mu).sum(axis=1)
        level_var = np.where(s_w > 0, dispersion * s_ww / np.where(s_w > 0, s_w, 1.0) ** 2, 0.0)
        return level, level_var

    def _shrink_seasons(self, raw: np.ndarray, raw_all: np.ndarray, counts: np.ndarray, phi: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
        """Sector profiles shrunk towards the all-series profile by empirical Bayes (log scale).

        The all-series profile is first shrunk towards flat the same way (a month-to-month pattern
        no stronger than its noise is not a season). Each sector's prior is that profile scaled by
        how strongly the sector follows it (``beta``, a precision-weighted regression over the
        months: about 1 for a sector with the common peak, about 0 for a flat one). The sector's own
        departure from that prior is kept in proportion to its reliability: ``tau2 / (tau2 + shrinkage * v)``,
        with ``v`` the sampling variance of the month (over-dispersion / postings) and ``tau2`` the sector's
        spread of true departures, estimated from its months (a sector whose departures are no larger than noise
        takes the prior).
        """
        variance = phi[:, None] / (counts + _SEASON_PSEUDO)
        if self.shrinkage == 0:
            return raw, raw_all
        # the all-series profile itself is flattened where it is no stronger than its noise
        all_counts = counts.sum(axis=0)
        all_variance = float(np.average(phi, weights=counts.sum(axis=1) + 1.0)) / (all_counts + _SEASON_PSEUDO)
        all_tau2 = max(float(np.mean(raw_all ** 2 - all_variance)), 0.0)
        raw_all = raw_all * (all_tau2 / (all_tau2 + self.shrinkage * all_variance))
        raw_all = raw_all - raw_all.mean()
        precision = 1.0 / variance
        denominator = (precision * raw_all[None, :] ** 2).sum(axis=1)
        beta = np.where(denominator > 0, (precision * raw * raw_all[None, :]).sum(axis=1)
                        / np.where(denominator > 0, denominator, 1.0), 0.0)
        prior = beta[:, None] * raw_all[None, :]
        departure = raw - prior
        tau2 = np.maximum(np.mean(departure ** 2 - variance, axis=1), 0.0)
        weight = tau2[:, None] / (tau2[:, None] + self.shrinkage * variance)
        shrunk = prior + weight * departure
        return shrunk - shrunk.mean(axis=1, keepdims=True), raw_all

    def _own_openings_slopes(self, records: Sequence[Mapping[str, Any]], sector_of: Mapping[str, str],
                             sector_index: Mapping[str, int], log_season: np.ndarray, first: int, last: int,
                             period: int) -> tuple[list[tuple[str, int]], np.ndarray, np.ndarray] | None:
        """Slopes (and their variances) of the programme's own monthly openings per district x sector."""
        frame = _openings_frame(records).until(last)
        if len(frame) == 0:
            return None
        sectors = [sector_index.get(_sector(sector_of, o), -1) for o in frame.occupation.tolist()]
        totals: dict[tuple[str, int, int], float] = {}
        for d, k, p, v in zip(frame.district.tolist(), sectors, frame.period.tolist(), frame.postings.tolist()):
            if k >= 0 and p >= first:  # sectors without market series have nothing to inform
                totals[(d, k, p)] = totals.get((d, k, p), 0.0) + v
        if not totals:
            return None
        keys = sorted({(d, k) for d, k, _ in totals})
        row_of = {key: i for i, key in enumerate(keys)}
        y = np.zeros((len(keys), last - first + 1))
        for (d, k, p), v in totals.items():
            y[row_of[(d, k)], p - first] = v
        # the programme knows the months it posted nothing, from its first recorded opening on
        start = int(frame.period[frame.period >= first].min()) - first
        observed = np.zeros_like(y, dtype=bool)
        observed[:, start:] = True
        months = np.arange(first, last + 1)
        x = (months - last).astype(np.float64)
        group = np.array([k for _, k in keys], dtype=np.int64)
        seasonal = np.exp(log_season[group][:, months % period])
        slope = np.zeros(len(keys))
        for _ in range(25):
            level, slope, information = _level_slope_step(y, observed, seasonal, x, slope)
        level, slope, information = _level_slope_step(y, observed, seasonal, x, slope, fixed=True)
        mu = level[:, None] * seasonal * np.exp(slope[:, None] * x[None, :])
        phi = float(_dispersion(y, mu, observed, np.zeros(len(keys), dtype=np.int64), 1, 2.0, 0.0)[0])
        ok = (information > 0) & (y.sum(axis=1) >= 2)
        variance = np.where(ok, phi / np.where(ok, information, 1.0) / self.own_openings_weight, np.inf)
        return keys, slope, variance

    def _pool_trends(self, keys: Sequence[tuple[str, str]], series_sector: np.ndarray, n_sectors: int,
                     slope: np.ndarray, variance: np.ndarray,
                     aux: tuple[list[tuple[str, int]], np.ndarray, np.ndarray] | None
                     ) -> tuple[np.ndarray, np.ndarray, tuple[float, float, float]]:
        """Slopes shrunk series -> district x sector -> sector -> all, with moment-estimated spreads."""
        cells = sorted({(d, int(k)) for (d, _), k in zip(keys, series_sector)}
                       | ({(d, k) for d, k in aux[0]} if aux is not None else set()))
        cell_index = {c: i for i, c in enumerate(cells)}
        cell = np.array([cell_index[(d, int(k))] for (d, _), k in zip(keys, series_sector)], dtype=np.int64)
        cell_sector = np.array([k for _, k in cells], dtype=np.int64)
        n_cells = len(cells)
        informative = np.isfinite(variance)

        # within a district x sector: spread of series slopes (market series only)
        tau2_series = _between_variance(slope[informative], variance[informative], cell[informative], n_cells)
        est, var, grp = slope[informative], variance[informative] + tau2_series, cell[informative]
        if aux is not None:
            aux_keys, aux_slope, aux_var = aux
            aux_ok = np.isfinite(aux_var)
            aux_cell = np.array([cell_index[k] for k in aux_keys], dtype=np.int64)
            est = np.concatenate([est, aux_slope[aux_ok]])
            var = np.concatenate([var, aux_var[aux_ok] + tau2_series])
            grp = np.concatenate([grp, aux_cell[aux_ok]])
        cell_mean, cell_var = _pooled(est, var, grp, n_cells)

        # districts within a sector
        known = np.isfinite(cell_var)
        tau2_cell = _between_variance(cell_mean[known], cell_var[known], cell_sector[known], n_sectors)
        sector_mean, sector_var = _pooled(cell_mean[known], cell_var[known] + tau2_cell, cell_sector[known],
                                          n_sectors)

        # sectors around the overall slope
        known_sector = np.isfinite(sector_var)
        tau2_sector = _between_variance(sector_mean[known_sector], sector_var[known_sector],
                                        np.zeros(int(known_sector.sum()), dtype=np.int64), 1)
        if known_sector.any():
            overall, _ = _pooled(sector_mean[known_sector], sector_var[known_sector] + tau2_sector,
                                 np.zeros(int(known_sector.sum()), dtype=np.int64), 1)
            overall_mean = float(overall[0])
        else:
            overall_mean = 0.0

        s = float(self.shrinkage)
        if s == 0:
            trend = np.where(informative, slope, 0.0)
            return trend, np.where(informative, variance, 0.0), (tau2_series, tau2_cell, tau2_sector)
        sector_post, _ = _posterior(sector_mean, sector_var, np.full(n_sectors, overall_mean),
                                    s / max(tau2_sector, _MIN_TAU2))
        cell_post, _ = _posterior(cell_mean, cell_var, sector_post[cell_sector], s / max(tau2_cell, _MIN_TAU2))
        trend, trend_var = _posterior(slope, variance, cell_post[cell], s / max(tau2_series, _MIN_TAU2))
        trend = np.clip(trend, -_MAX_SLOPE, _MAX_SLOPE)
        return trend, trend_var, (tau2_series, tau2_cell, tau2_sector)

    # ------------------------------------------------------------------ predict

    def _rows(self, series: Sequence[tuple[str, str]] | None) -> np.ndarray:
        if series is None:
            return np.arange(self.n_series_)
        row_of = {key: i for i, key in enumerate(self.series_)}
        rows = [row_of.get((str(d), str(o))) for d, o in series]
        return np.array([r for r in rows if r is not None], dtype=np.int64)

    def forecast_arrays(self, *, horizon: int | None = None, series: Sequence[tuple[str, str]] | None = None
                        ) -> tuple[list[tuple[str, str]], list[str], np.ndarray, np.ndarray, np.ndarray]:
        """``(series, periods, mean, lower, upper)``; the arrays are ``(len(series), horizon)``.

        Pairs in ``series`` that the model does not know are left out.
        """
        check_is_fitted(self, "level_")
        horizon = int(self.horizon if horizon is None else horizon)
        if horizon < 1:
            raise ValueError("horizon must be >= 1")
        rows = self._rows(series)
        last = period_index(self.last_period_)
        months = last + np.arange(1, horizon + 1)
        damping = float(self.trend_damping) ** np.arange(1, horizon + 1)
        steps = np.cumsum(damping)
        sector = self.series_sector_[rows]
        seasonal = self.seasonal_[sector][:, months % int(self.seasonal_period)]
        trend = self.trend_[rows]
        mean = self.level_[rows, None] * np.exp(trend[:, None] * steps[None, :]) * seasonal
        rel_var = self.level_var_[rows, None] + self.trend_var_[rows, None] * steps[None, :] ** 2
        variance = self.dispersion_[sector][:, None] * mean + mean * mean * rel_var
        lower, upper = _count_interval(mean, variance, float(self.interval))
        keys = [self.series_[i] for i in rows.tolist()]
        return keys, [period_label(m) for m in months.tolist()], mean, lower, upper

    def predict(self, *, horizon: int | None = None, series: Sequence[tuple[str, str]] | None = None
                ) -> list[ForecastRow]:
        """Forecasts for the ``horizon`` months after ``last_period_``, by series then month.

        ``series`` restricts the output to those (district, occupation) pairs; pairs the model
        does not know are left out.
        """
        keys, periods, mean, lower, upper = self.forecast_arrays(horizon=horizon, series=series)
        return [ForecastRow(d, o, p, float(mean[i, j]), float(lower[i, j]), float(upper[i, j]))
                for i, (d, o) in enumerate(keys) for j, p in enumerate(periods)]

    # ------------------------------------------------------------------ growth (DemandSignal)

    def growth_table(self) -> dict[tuple[str, str], float]:
        """``(district, occupation) -> yearly growth`` of every modelled series."""
        check_is_fitted(self, "growth_")
        return {key: float(g) for key, g in zip(self.series_, self.growth_.tolist())}

    def get(self, district: str | None, occupation: str | None) -> float:
        """Yearly growth of one series; 0.0 for a series the model does not know."""
        if district is None or occupation is None:  # no series has an unknown district or occupation
            return 0.0
        return self.growth_table().get((district, occupation), 0.0)

    def growth(self, district: np.ndarray, occupation: np.ndarray) -> np.ndarray:
        """Yearly growth (``+0.12`` = 12 % a year) for aligned arrays of district names and occupation codes.

        The current, undamped rate of the pooled trend; 0.0 for series the model does not know.
        """
        district = np.asarray(district, dtype=object).reshape(-1)
        occupation = np.asarray(occupation, dtype=object).reshape(-1)
        if district.shape != occupation.shape:
            raise ValueError("district and occupation must be aligned")
        table = self.growth_table()
        return np.fromiter((table.get(key, 0.0) for key in zip(district.tolist(), occupation.tolist())),
                           dtype=np.float64, count=district.shape[0])


def _observed_series(frame: SignalFrame, as_of_period: str | None, min_history: int
                     ) -> tuple[int, int, list[tuple[str, str]], np.ndarray, np.ndarray, np.ndarray]:
    """The series with at least ``min_history`` observed months up to ``as_of_period`` (default: the last).

    Returns ``(first month, last month, series, postings, observed, observed months per series)``.
    """
    last = period_index(as_of_period) if as_of_period is not None else (
        int(frame.period.max()) if len(frame) else None)
    if last is None:
        raise ValueError("no market signals to learn from")
    frame = frame.until(last)
    if len(frame) == 0:
        raise ValueError(f"no market signals up to {period_label(last)}")
    first = int(frame.period.min())
    keys = frame.series()
    y, observed = frame.dense(keys, first, last)
    n_obs = observed.sum(axis=1)
    keep = n_obs >= min_history
    if not keep.any():
        raise ValueError(f"no series has {min_history} observed months up to {period_label(last)}")
    keys = [k for k, kept in zip(keys, keep) if kept]
    return first, last, keys, y[keep], observed[keep], n_obs[keep]
