"""Market signals, addressed by district, occupation, period and source: how input maps onto the reference data,
the list filters, and the operations the market-signal routes call (`service.market_signals.repository`)."""

from __future__ import annotations

import builtins
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from service.auth.models import ApiKey
from service.core import prepare as prep
from service.core.models import Code, Instant, Page, ShortText
from service.core.reference import Reference
from service.keys.sites import check_within_key_sites
from service.market_signals import repository
from service.market_signals.models import (
    MarketSignal,
    MarketSignalCreate,
    MarketSignalPublic,
    MarketSignalsPublic,
    MarketSignalUpdate,
    Period,
)
from service.records import resource


class MarketSignalFilters(BaseModel):
    district: Code | None = None
    occupation: ShortText | None = None
    source: ShortText | None = None
    period_from: Period | None = None
    period_to: Period | None = None
    updated_since: Instant | None = None


def prepare(*, values: dict[str, Any], reference: Reference) -> tuple[dict[str, Any], prep.Findings]:
    """Resolve the district and map the occupation onto the taxonomy."""
    findings = prep.Findings()
    values = dict(values)
    reference = prep.site(reference, values, findings)
    values["district"] = prep.district(reference, values["district"], findings)
    values["occupation_code"] = prep.occupation(reference, values["occupation"], findings)
    return values, findings


def conditions(filters: MarketSignalFilters) -> builtins.list[Any]:
    """SQL conditions for the list filters; an occupation matches the code or the text as given."""
    found: builtins.list[Any] = []
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


RESOURCE = resource.Resource(label="market signal", table=MarketSignal, create=MarketSignalCreate, prepare=prepare,
                             scope=repository.SCOPE, order_by=("district", "occupation", "period", "source"))


def _ident(district: str, occupation: str, period: str, source: str) -> dict[str, Any]:
    return {"district": district, "occupation": occupation, "period": period, "source": source}


def list(*, session: Session, filters: MarketSignalFilters, page: Page, caller: ApiKey
         ) -> MarketSignalsPublic:
    """A page of the market signals that match the filters."""
    rows, count = resource.list(session=session, resource=RESOURCE, conditions=conditions(filters), page=page,
                                caller=caller)
    return MarketSignalsPublic(data=[MarketSignalPublic.model_validate(row) for row in rows], count=count)


def get(*, session: Session, district: str, occupation: str, period: str, source: str, caller: ApiKey
        ) -> MarketSignalPublic:
    """One market signal."""
    row = resource.read(session=session, resource=RESOURCE, ident=_ident(district, occupation, period, source),
                        caller=caller)
    return MarketSignalPublic.model_validate(row)


def upsert(*, session: Session, reference: Reference, district: str, occupation: str, period: str, source: str,
           body: MarketSignalCreate, if_match: int | None, caller: ApiKey) -> tuple[MarketSignalPublic, bool]:
    """Create or replace a market signal; returns it and whether it was created."""
    row, created = resource.upsert(session=session, resource=RESOURCE, reference=reference,
                                   ident=_ident(district, occupation, period, source), body=body, if_match=if_match,
                                   caller=caller, before_write=check_within_key_sites)
    return MarketSignalPublic.model_validate(row), created


def patch(*, session: Session, reference: Reference, district: str, occupation: str, period: str, source: str,
          body: MarketSignalUpdate, if_match: int | None, caller: ApiKey) -> MarketSignalPublic:
    """Change some fields of a market signal."""
    row = resource.patch(session=session, resource=RESOURCE, reference=reference,
                         ident=_ident(district, occupation, period, source), body=body, if_match=if_match,
                         caller=caller, before_write=check_within_key_sites)
    return MarketSignalPublic.model_validate(row)


def delete(*, session: Session, district: str, occupation: str, period: str, source: str, if_match: int | None,
           caller: ApiKey) -> None:
    """Delete a market signal."""
    resource.delete(session=session, resource=RESOURCE, ident=_ident(district, occupation, period, source),
                    if_match=if_match, caller=caller)
