"""How good are the demand forecasts? A rolling-origin backtest against two simple baselines.

For each forecast origin (a past month) the model is fitted on the data up to
that month only, and forecasts the next months; the forecasts are compared with
what was then observed. Two baselines forecast the same points:

* **seasonal naive** (:func:`seasonal_naive`): the value of the same calendar
  month a year earlier (two years earlier if that month is missing; the mean of
  the last 12 months if both are);
* **last-12-month mean** (:func:`last_12_month_mean`): the mean of the observed
  months among the last 12 (of all history if none).

Accuracy is the WAPE (:func:`wape`), ``sum |actual - forecast| / sum |actual|``,
pooled over all series, origins and horizons (and per horizon). Only points
observed in the actuals, of series the model forecasts, are scored, and every
method is scored on exactly the same points.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .demand_model import DemandForecaster, SignalFrame, period_index, period_label
from .demand_signals import _as_frame

__all__ = [
    "METHODS",
    "BacktestReport",
    "last_12_month_mean",
    "rolling_origin_backtest",
    "seasonal_naive",
    "wape",
]

#: The methods a report compares, in table order.
METHODS = ("model", "seasonal_naive", "last_12_month_mean")


def wape(actual: Any, forecast: Any) -> float:
    """Weighted absolute percentage error ``sum |a - f| / sum |a|`` (NaN when ``sum |a|`` is 0)."""
    actual = np.asarray(actual, dtype=np.float64)
    forecast = np.asarray(forecast, dtype=np.float64)
    if actual.shape != forecast.shape:
        raise ValueError("actual and forecast must have the same shape")
    denominator = float(np.abs(actual).sum())
    return float(np.abs(actual - forecast).sum() / denominator) if denominator > 0 else float("nan")


def _history(history: Any) -> np.ndarray:
    values = np.asarray(history, dtype=np.float64).reshape(-1)
    if values.size == 0:
        raise ValueError("history is empty")
    return values


def last_12_month_mean(history: Any, horizon: int) -> np.ndarray:
    """The mean of the observed values among the last 12 months of ``history``, for every horizon.

    ``history`` is monthly values ending at the forecast origin, NaN for a missing month. With no
    value in the last 12 months, the mean of all of the history (NaN if it has none).
    """
    values = _history(history)
    recent = values[-12:]
    seen = recent[~np.isnan(recent)]
    if seen.size == 0:
        seen = values[~np.isnan(values)]
    level = float(seen.mean()) if seen.size else float("nan")
    return np.full(int(horizon), level)


def seasonal_naive(history: Any, horizon: int, period: int = 12) -> np.ndarray:
    """The value ``period`` months before each forecast month.

    ``history`` is monthly values ending at the forecast origin, NaN for a missing month. Where
    that month is missing (or before the history), the value two periods before; failing that, the
    last-12-month mean. Months after the origin are never used (``horizon`` beyond ``period``
    repeats the last cycle).
    """
    values = _history(history)
    n = values.size
    fallback = last_12_month_mean(values, 1)[0]
    out = np.empty(int(horizon))
    for h in range(1, int(horizon) + 1):
        value = float("nan")
        lag = period * ((h - 1) // period + 1)  # the most recent same month at or before the origin
        for back in (lag, lag + period):
            index = n - 1 + h - back
            if 0 <= index < n and not np.isnan(values[index]):
                value = float(values[index])
                break
        out[h - 1] = fallback if np.isnan(value) else value
    return out


@dataclass(frozen=True)
class BacktestReport:
    """Results of :func:`rolling_origin_backtest`.

    ``wape`` maps each method (:data:`METHODS`) to its overall WAPE; ``wape_by_horizon`` to
    ``{horizon: WAPE}``. ``improvement`` is the model's relative improvement over seasonal naive,
    in percent (``100 * (1 - model / seasonal_naive)``). ``coverage`` is the share of actuals inside
    the model's intervals. ``fit_seconds`` is the mean time of one fit.
    """

    origins: tuple[str, ...]
    horizons: tuple[int, ...]
    wape: dict[str, float]
    wape_by_horizon: dict[str, dict[int, float]]
    n_points: int
    n_points_by_horizon: dict[int, int]
    n_series: int
    coverage: float
    interval: float
    fit_seconds: float
    per_sector: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def improvement(self) -> float:
        return 100.0 * (1.0 - self.wape["model"] / self.wape["seasonal_naive"])

    @property
    def improvement_over_last_12(self) -> float:
        return 100.0 * (1.0 - self.wape["model"] / self.wape["last_12_month_mean"])

    def as_dict(self) -> dict[str, Any]:
        return {
            "origins": list(self.origins), "horizons": list(self.horizons), "wape": dict(self.wape),
            "wape_by_horizon": {m: {str(h): v for h, v in d.items()} for m, d in self.wape_by_horizon.items()},
            "n_points": self.n_points, "n_points_by_horizon": {str(h): v for h, v in self.n_points_by_horizon.items()},
            "n_series": self.n_series, "coverage": self.coverage, "interval": self.interval,
            "fit_seconds": self.fit_seconds, "improvement_over_seasonal_naive_pct": self.improvement,
            "improvement_over_last_12_month_mean_pct": self.improvement_over_last_12,
            "per_sector": self.per_sector,
        }

    def table(self) -> str:
        """The WAPE table as aligned text: one row per horizon and one overall."""
        header = f"{'horizon':>8} {'points':>7} {'model':>8} {'seas.naive':>11} {'last12mean':>11} {'vs naive':>9}"
        lines = [header, "-" * len(header)]

        def row(label: str, points: int, values: Mapping[str, float]) -> str:
            gain = 100.0 * (1.0 - values["model"] / values["seasonal_naive"])
            return (f"{label:>8} {points:>7} {values['model']:>8.3f} {values['seasonal_naive']:>11.3f} "
                    f"{values['last_12_month_mean']:>11.3f} {gain:>8.1f}%")

        for h in self.horizons:
            lines.append(row(str(h), self.n_points_by_horizon[h], {m: self.wape_by_horizon[m][h] for m in METHODS}))
        lines.append("-" * len(header))
        lines.append(row("all", self.n_points, self.wape))
        lines.append(f"origins {self.origins[0]}..{self.origins[-1]} ({len(self.origins)}), "
                     f"{self.n_series} series; {round(100 * self.interval)}% interval coverage "
                     f"{100 * self.coverage:.1f}%; fit {1000 * self.fit_seconds:.0f} ms")
        return "\n".join(lines)


def _origins(frame: SignalFrame, origins: Sequence[str] | int, max_horizon: int, step: int) -> list[int]:
    if isinstance(origins, bool):
        raise TypeError("origins must be a number of origins or a sequence of months, not a bool")
    if isinstance(origins, (int, np.integer)):
        if origins < 1:
            raise ValueError("origins must be >= 1")
        latest = int(frame.period.max()) - max_horizon
        found = [latest - step * i for i in range(int(origins))][::-1]
    else:
        found = sorted(period_index(o) for o in origins)
    if not found:
        raise ValueError("no forecast origin")
    if found[0] <= int(frame.period.min()):
        raise ValueError(f"origin {period_label(found[0])} leaves no history to learn from")
    return found


def rolling_origin_backtest(signals: SignalFrame | Sequence[Mapping[str, Any]], *, sector_of: Mapping[str, str],
                            origins: Sequence[str] | int = 6, horizons: Sequence[int] = (1, 2, 3, 4, 5, 6),
                            model_factory: Callable[[], DemandForecaster] = DemandForecaster,
                            own_openings: Sequence[Mapping[str, Any]] | None = None,
                            step: int = 1) -> BacktestReport:
    """Fit on the data up to each origin, forecast ``horizons`` months ahead, score against the baselines.

    ``origins``: months (``YYYY-MM``), or a number ``n``: the ``n`` latest origins ``step`` months
    apart for which every horizon has been observed. ``model_factory()`` builds a fresh, unfitted
    model per origin (its fit sees no data after the origin). Returns a :class:`BacktestReport`.
    """
    frame = _as_frame(signals)
    if len(frame) == 0:
        raise ValueError("no market signals")
    horizons = tuple(sorted({int(h) for h in horizons}))
    if not horizons or horizons[0] < 1:
        raise ValueError("horizons must be >= 1")
    max_h = horizons[-1]
    origin_list = _origins(frame, origins, max_h, int(step))
    first = int(frame.period.min())
    data_last = int(frame.period.max())
    all_keys = frame.series()
    values, observed = frame.dense(all_keys, first, max(data_last, origin_list[-1] + max_h))
    values = np.where(observed, values, np.nan)
    row_of = {key: i for i, key in enumerate(all_keys)}
    sector_names = {o: sector_of.get(o, "other") for _, o in all_keys}

    collected: dict[str, list[float]] = {m: [] for m in (*METHODS, "actual", "lower", "upper")}
    point_h: list[int] = []
    point_sector: list[str] = []
    fit_seconds: list[float] = []
    modelled: set[tuple[str, str]] = set()
    for origin in origin_list:
        model = model_factory()
        started = time.perf_counter()
        model.fit(frame, sector_of=sector_of, own_openings=own_openings, as_of_period=period_label(origin))
        fit_seconds.append(time.perf_counter() - started)
        keys, periods, mean, lower, upper = model.forecast_arrays(horizon=max_h)
        modelled.update(keys)
        for i, key in enumerate(keys):
            row = row_of[key]
            history = values[row, : origin - first + 1]
            naive = seasonal_naive(history, max_h)
            flat = last_12_month_mean(history, max_h)
            for h in horizons:
                actual = values[row, origin - first + h] if origin - first + h < values.shape[1] else np.nan
                if np.isnan(actual) or np.isnan(naive[h - 1]) or np.isnan(flat[h - 1]):
                    continue
                collected["actual"].append(float(actual))
                collected["model"].append(float(mean[i, h - 1]))
                collected["seasonal_naive"].append(float(naive[h - 1]))
                collected["last_12_month_mean"].append(float(flat[h - 1]))
                collected["lower"].append(float(lower[i, h - 1]))
                collected["upper"].append(float(upper[i, h - 1]))
                point_h.append(h)
                point_sector.append(sector_names[key[1]])

    return _report(collected, point_h, point_sector, horizons=horizons, origin_list=origin_list,
                   n_series=len(modelled), fit_seconds=fit_seconds, model_factory=model_factory)


def _report(collected: Mapping[str, list[float]], point_h: list[int], point_sector: list[str], *,
            horizons: tuple[int, ...], origin_list: list[int], n_series: int, fit_seconds: list[float],
            model_factory: Callable[[], DemandForecaster]) -> BacktestReport:
    """WAPE of every method overall, per horizon and per sector, and the intervals' coverage, of the points scored."""
    arrays = {name: np.array(v, dtype=np.float64) for name, v in collected.items()}
    if arrays["actual"].size == 0:
        raise ValueError("no observed point to score: are the origins too late?")
    h_arr = np.array(point_h)
    sector_arr = np.array(point_sector, dtype=object)
    actual = arrays["actual"]
    overall = {m: wape(actual, arrays[m]) for m in METHODS}
    by_h = {m: {h: wape(actual[h_arr == h], arrays[m][h_arr == h]) for h in horizons} for m in METHODS}
    per_sector = {}
    for sector in sorted(set(point_sector)):
        sel = sector_arr == sector
        per_sector[sector] = {m: wape(actual[sel], arrays[m][sel]) for m in METHODS}
        per_sector[sector]["points"] = float(sel.sum())
    inside = (actual >= arrays["lower"]) & (actual <= arrays["upper"])
    probe = model_factory()
    return BacktestReport(
        origins=tuple(period_label(o) for o in origin_list),
        horizons=horizons,
        wape=overall,
        wape_by_horizon=by_h,
        n_points=int(actual.size),
        n_points_by_horizon={h: int((h_arr == h).sum()) for h in horizons},
        n_series=n_series,
        coverage=float(inside.mean()),
        interval=float(getattr(probe, "interval", float("nan"))),
        fit_seconds=float(np.mean(fit_seconds)),
        per_sector=per_sector,
    )
