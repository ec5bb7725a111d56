"""Charts computed on the server: numbers in, SVG coordinates out. The templates draw them as inline SVG (no
script, no chart library), each with a text alternative and a table of its numbers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Month:
    """One month of a series: what was posted (None: no count) and what is forecast, with its interval."""

    period: str  # YYYY-MM
    actual: int | None = None
    forecast: float | None = None
    lower: float | None = None
    upper: float | None = None


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    at: float  # x for the month axis, y for the value axis
    label: str


@dataclass(frozen=True)
class DemandChart:
    """A monthly chart: bars for what was posted, a line for the forecast over its interval band."""

    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: list[Bar]
    forecast: str  # polyline points "x,y x,y ..."
    band: str  # polygon points: the upper bound left to right, then the lower bound back
    forecast_from: float | None  # x where the forecast starts (a dotted divider)
    value_ticks: list[Tick]
    month_ticks: list[Tick]


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 or 10 times a power of ten that is at least `value` (at least 1)."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def whole(value: float) -> str:
    """A count as shown on an axis: whole, thousands separated."""
    return f"{round(value):,}"


def demand_chart(months: Sequence[Month], *, width: int = 360, height: int = 180) -> DemandChart:
    """Lay out a monthly series: one slot per month, bars for actual counts, the forecast line and its band from
    the last counted month on (so the line continues the bars)."""
    left, right, top, bottom = 44.0, width - 8.0, 10.0, height - 26.0
    slot = (right - left) / max(1, len(months))
    highest = max([m.actual or 0 for m in months] + [m.upper or m.forecast or 0 for m in months])
    scale_top = nice_ceiling(highest)

    def x(index: int) -> float:
        return round(left + slot * (index + 0.5), 1)

    def y(value: float) -> float:
        return round(bottom - (bottom - top) * max(0.0, value) / scale_top, 1)

    bars = [Bar(x=round(x(i) - slot * 0.35, 1), y=y(m.actual), width=round(slot * 0.7, 1),
                height=round(bottom - y(m.actual), 1)) for i, m in enumerate(months) if m.actual is not None]
    forecast = [(i, m) for i, m in enumerate(months) if m.forecast is not None]
    line: list[tuple[float, float]] = []
    upper: list[tuple[float, float]] = []
    lower: list[tuple[float, float]] = []
    if forecast:
        first = forecast[0][0]
        if first > 0 and months[first - 1].actual is not None and months[first - 1].forecast is None:
            start = months[first - 1].actual or 0
            line.append((x(first - 1), y(start)))
            upper.append((x(first - 1), y(start)))
            lower.append((x(first - 1), y(start)))
        for i, m in forecast:
            assert m.forecast is not None
            line.append((x(i), y(m.forecast)))
            upper.append((x(i), y(m.upper if m.upper is not None else m.forecast)))
            lower.append((x(i), y(m.lower if m.lower is not None else m.forecast)))
    points = " ".join(f"{px},{py}" for px, py in line)
    band = " ".join(f"{px},{py}" for px, py in [*upper, *reversed(lower)])
    forecast_from = round(left + slot * forecast[0][0], 1) if forecast else None
    value_ticks = [Tick(at=y(value), label=whole(value)) for value in (0, scale_top / 2, scale_top)]
    januaries = [i for i, m in enumerate(months) if m.period.endswith("-01")]
    labelled = januaries if januaries and januaries[0] < 5 else [0, *januaries]  # labels must not overlap
    month_ticks = [Tick(at=x(i), label=months[i].period) for i in labelled if months]
    return DemandChart(width=width, height=height, left=left, right=right, top=top, bottom=bottom, bars=bars,
                       forecast=points, band=band, forecast_from=forecast_from, value_ticks=value_ticks,
                       month_ticks=month_ticks)
