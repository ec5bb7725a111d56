"""Market-signal routes, addressed by district, occupation and period (and the source, a query parameter): list,
get, create or replace (PUT), change (PATCH), delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from service.auth.deps import CurrentKey, Permission
from service.core.deps import PageDep, ReferenceDep
from service.core.errors import problem_responses
from service.core.http import IfMatch, etag, parse_if_match
from service.core.models import ONE_LINE
from service.market_signals import service
from service.market_signals.models import (
    PERIOD,
    MarketSignalCreate,
    MarketSignalPublic,
    MarketSignalsPublic,
    MarketSignalUpdate,
)
from service.market_signals.service import MarketSignalFilters
from service.records.unit_of_work import SessionDep

router = APIRouter(prefix="/v1/market-signals", tags=["market-signals"],
                   responses=problem_responses(401, 403, 422, 429))
ITEM = "/{district}/{occupation}/{period}"
Segment = Annotated[str, Path(min_length=1, max_length=200, pattern=ONE_LINE)]
PeriodPath = Annotated[str, Path(pattern=PERIOD, description="YYYY-MM")]
Source = Annotated[str, Query(max_length=200, pattern=ONE_LINE, description="Where the count comes from.")]


@router.get("", response_model=MarketSignalsPublic, summary="List market signals",
            dependencies=[Permission("market_signal:read")])
def list_market_signals(session: SessionDep, page: PageDep, filters: Annotated[MarketSignalFilters, Query()],
                        caller: CurrentKey) -> MarketSignalsPublic:
    return service.list(session=session, filters=filters, page=page, caller=caller)


@router.get(ITEM, response_model=MarketSignalPublic, summary="Get a market signal", responses=problem_responses(404),
            dependencies=[Permission("market_signal:read")])
def get_market_signal(district: Segment, occupation: Segment, period: PeriodPath, session: SessionDep,
                      response: Response, caller: CurrentKey, source: Source = "") -> MarketSignalPublic:
    signal = service.get(session=session, district=district, occupation=occupation, period=period, source=source,
                         caller=caller)
    response.headers["ETag"] = etag(signal)
    return signal


@router.put(ITEM, response_model=MarketSignalPublic, summary="Create or replace a market signal",
            responses={201: {"model": MarketSignalPublic, "description": "Created"},
                       **problem_responses(404, 409, 412)},
            dependencies=[Permission("market_signal:write")])
def put_market_signal(district: Segment, occupation: Segment, period: PeriodPath, body: MarketSignalCreate,
                      session: SessionDep, reference: ReferenceDep, response: Response, caller: CurrentKey,
                      source: Source = "", if_match: IfMatch = None) -> MarketSignalPublic:
    signal, created = service.upsert(session=session, reference=reference, district=district, occupation=occupation,
                                     period=period, source=source, body=body, if_match=parse_if_match(if_match),
                                     caller=caller)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["ETag"] = etag(signal)
    return signal


@router.patch(ITEM, response_model=MarketSignalPublic, summary="Change some fields of a market signal",
              responses=problem_responses(404, 409, 412), dependencies=[Permission("market_signal:write")])
def patch_market_signal(district: Segment, occupation: Segment, period: PeriodPath, body: MarketSignalUpdate,
                        session: SessionDep, reference: ReferenceDep, response: Response, caller: CurrentKey,
                        source: Source = "", if_match: IfMatch = None) -> MarketSignalPublic:
    signal = service.patch(session=session, reference=reference, district=district, occupation=occupation,
                           period=period, source=source, body=body, if_match=parse_if_match(if_match), caller=caller)
    response.headers["ETag"] = etag(signal)
    return signal


@router.delete(ITEM, status_code=204, summary="Delete a market signal", responses=problem_responses(404, 409, 412),
               dependencies=[Permission("market_signal:write")])
def delete_market_signal(district: Segment, occupation: Segment, period: PeriodPath, session: SessionDep,
                         caller: CurrentKey, source: Source = "", if_match: IfMatch = None) -> Response:
    service.delete(session=session, district=district, occupation=occupation, period=period, source=source,
                   if_match=parse_if_match(if_match), caller=caller)
    return Response(status_code=204)
