"""The Market screen: for one district, a small chart per leading occupation (postings month by month, then the
forecast with its interval) and the training priorities of that community, from the market services (the same
demand model and priorities as `GET /v1/market/demand` and `/training-priorities`)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from matching.demand_model import ForecastRow
from service.auth import policy
from service.console.charts import Month, demand_chart
from service.console.views import occupation_name
from service.console.web import ConsoleRoute, Page, PageDep
from service.core.errors import Forbidden, InvalidInput
from service.market import service as market
from service.records.unit_of_work import today as site_today

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
HISTORY_MONTHS = 24
TOP_OCCUPATIONS = 6
TOP_PRIORITIES = 10
HORIZONS = (3, 6, 12)


def month_start(day: datetime.date, back: int = 0) -> datetime.date:
    """The first day of the month `back` months before `day`'s."""
    months = day.year * 12 + day.month - 1 - back
    return datetime.date(months // 12, months % 12 + 1, 1)


def chosen_horizon(value: str | None) -> int:
    if not value:
        return 6
    if not value.isdigit() or int(value) not in HORIZONS:
        raise InvalidInput("Some filters are not valid.",
                           errors=[{"loc": ["query", "horizon"], "reason": "must be 3, 6 or 12 months"}])
    return int(value)


def chosen_district(page: Page, value: str | None, forecasts: list[ForecastRow]) -> str:
    """The district asked for (by name, code or alias), else the one with the most forecast postings."""
    if value:
        found = page.reference.site.gazetteer.resolve(value)
        if found is None:
            raise InvalidInput("Some filters are not valid.",
                               errors=[{"loc": ["query", "district"], "reason": f"no district called {value!r}"}])
        return found.name
    totals: dict[str, float] = defaultdict(float)
    for row in forecasts:
        totals[row.district] += row.postings
    if not totals:
        return page.reference.site.gazetteer.districts[0].name
    return max(sorted(totals), key=lambda name: totals[name])


def chart_of(page: Page, *, district: str, occupation: str, months: list[Month]) -> dict[str, Any]:
    """One occupation's chart, its text alternative and its numbers."""
    t, name = page.t, occupation_name(page.reference, occupation)
    counted = [m.actual for m in months if m.actual is not None]
    ahead = [m for m in months if m.forecast is not None]
    seen = [m.period for m in months if m.actual is not None]
    past = t("market.chart_past", first=seen[0] if seen else "", last=seen[-1] if seen else "",
             low=f"{min(counted):,}", high=f"{max(counted):,}", latest=f"{counted[-1]:,}") if counted \
        else t("market.chart_no_past")
    future = t("market.chart_future", start=ahead[0].period, end=ahead[-1].period,
               mean=f"{round(sum(m.forecast or 0 for m in ahead) / len(ahead)):,}",
               lower=f"{round(min(m.lower or 0 for m in ahead)):,}",
               upper=f"{round(max(m.upper or 0 for m in ahead)):,}") if ahead else ""
    rows = [{"period": m.period, "actual": "" if m.actual is None else f"{m.actual:,}",
             "forecast": "" if m.forecast is None else f"{round(m.forecast):,}",
             "interval": "" if m.forecast is None else f"{round(m.lower or 0):,}–{round(m.upper or 0):,}"}
            for m in months if m.actual is not None or m.forecast is not None]
    return {"occupation": occupation, "name": name, "chart": demand_chart(months),
            "title": t("market.chart_title", occupation=name, district=district),
            "summary": f"{past} {future}".strip(), "rows": rows}


def charts(page: Page, *, district: str, forecasts: list[ForecastRow]) -> list[dict[str, Any]]:
    """A chart for each of the district's occupations with the most forecast postings: the counted months of the
    last two years, then the forecast."""
    ahead: dict[str, list[ForecastRow]] = defaultdict(list)
    for row in forecasts:
        ahead[row.occupation].append(row)
    leading = sorted(ahead, key=lambda code: (-sum(r.postings for r in ahead[code]), code))[:TOP_OCCUPATIONS]
    last = market.last_complete_day(site_today(page.session))
    since = month_start(last, HISTORY_MONTHS - 1)
    counted: dict[str, dict[str, int]] = defaultdict(dict)
    for record in market.signal_records(page.session, since=since, until=last, district=district):
        counted[record["occupation"]][record["period"]] = record["postings"]
    periods = [f"{month_start(last, back):%Y-%m}" for back in range(HISTORY_MONTHS - 1, -1, -1)]
    found = []
    for code in leading:
        forecast = {row.period: row for row in ahead[code]}
        months = [Month(period=period, actual=counted[code].get(period),
                        forecast=forecast[period].postings if period in forecast else None,
                        lower=forecast[period].lower if period in forecast else None,
                        upper=forecast[period].upper if period in forecast else None)
                  for period in sorted(set(periods) | set(forecast))]
        found.append(chart_of(page, district=district, occupation=code, months=months))
    return found


def market_page(page: Page) -> dict[str, Any]:
    """The Market screen for one district: demand charts and training priorities."""
    if not policy.allows(page.key, "market:read"):
        raise Forbidden("This key may not read market forecasts.")
    params = page.request.query_params
    horizon = chosen_horizon(params.get("horizon"))
    districts = sorted(district.name for district in page.reference.site.gazetteer.districts)
    model, version = market.demand_model(session=page.session, index=page.index, reference=page.reference)
    base = {"districts": districts, "horizons": HORIZONS, "horizon": horizon, "model_version": version}
    if model is None:
        return {**base, "district": params.get("district") or "", "charts": [], "priorities": [],
                "no_model": version.removeprefix("none: ")}
    every = market.forecast(model=model, horizon=horizon, reference=page.reference)
    district = chosen_district(page, params.get("district"), every)
    here = [row for row in every if row.district == district]
    ranked = market.priorities(session=page.session, index=page.index, reference=page.reference, model=model,
                               district=district, horizon=horizon)
    priorities = [{"rank": p.rank, "name": p.occupation_name, "forecast": f"{round(p.forecast_postings):,}",
                   "supply": f"{round(p.supply):,}", "gap": f"{round(p.gap):,}",
                   "growth": f"{round(p.growth * 100):+d}%", "skills": ", ".join(p.skill_names)}
                  for p in ranked[:TOP_PRIORITIES]]
    return {**base, "district": district, "charts": charts(page, district=district, forecasts=here),
            "priorities": priorities, "priorities_total": len(ranked), "no_model": None}


@router.get("/market", response_class=HTMLResponse)
def market_screen(page: PageDep) -> Response:
    return page.render("market.html", market_page(page), fragment="market_results.html")
