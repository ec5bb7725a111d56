"""Market signals, addressed by district, occupation, period and source."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import BaseModel

from service.core.models import Code, Instant, ONE_LINE, ShortText
from service.core import prepare as prep
from service.core.resource import Resource
from service.market_signals.models import (MarketSignal, MarketSignalCreate, MarketSignalPublic, MarketSignalsPublic,
                                           MarketSignalUpdate, PERIOD, Period)
from service.core.reference import Reference

Segment = Annotated[str, Path(min_length=1, max_length=200, pattern=ONE_LINE)]


class MarketSignalFilters(BaseModel):
    district: Code | None = None
    occupation: ShortText | None = None
    source: ShortText | None = None
    period_from: Period | None = None
    period_to: Period | None = None
    updated_since: Instant | None = None


def key(district: Segment, occupation: Segment,
        period: Annotated[str, Path(pattern=PERIOD, description="YYYY-MM")],
        source: Annotated[str, Query(max_length=200, pattern=ONE_LINE, description="Where the count comes from.")] = ""
        ) -> dict[str, Any]:
    """A signal is addressed by district, occupation and period (and its source)."""
    return {"district": district, "occupation": occupation, "period": period, "source": source}


def prepare(*, values: dict[str, Any], reference: Reference) -> tuple[dict[str, Any], prep.Findings]:
    """Resolve the district and map the occupation onto the taxonomy."""
    findings = prep.Findings()
    values = dict(values)
    values["district"] = prep.district(reference, values["district"], findings)
    values["occupation_code"] = prep.occupation(reference, values["occupation"], findings)
    return values, findings


def conditions(filters: MarketSignalFilters) -> list[Any]:
    """SQL conditions for the list filters; an occupation matches the code or the text as given."""
    found: list[Any] = []
    if filters.district:
        found.append(MarketSignal.district == filters.district)
    if filters.occupation:
        found.append((MarketSignal.occupation_code == filters.occupation) |
                     (MarketSignal.occupation == filters.occupation))
    if filters.source is not None:
        found.append(MarketSignal.source == filters.source)
    if filters.period_from:
        found.append(MarketSignal.period >= filters.period_from)
    if filters.period_to:
        found.append(MarketSignal.period <= filters.period_to)
    if filters.updated_since:
        found.append(MarketSignal.updated_at >= filters.updated_since)
    return found


RESOURCE = Resource(label="market signal", path="/market-signals", table=MarketSignal, create=MarketSignalCreate,
                    update=MarketSignalUpdate, public=MarketSignalPublic, page=MarketSignalsPublic,
                    filters=MarketSignalFilters, conditions=conditions, prepare=prepare,
                    key_path="/{district}/{occupation}/{period}", key=key,
                    order_by=("district", "occupation", "period", "source"))
