"""GET /v1/market/demand and /v1/market/training-priorities."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from matching.demand_model import DemandForecaster, ForecastRow
from matching.training_priorities import Priority
from service.auth.deps import CurrentKey, Permission
from service.core.deps import PageDep, ReferenceDep
from service.core.errors import problem_responses
from service.core.models import Code, ShortText
from service.keys.sites import site_for
from service.market import service
from service.matches.index import MatchIndex
from service.matches.router import IndexesDep
from service.records.unit_of_work import SessionDep

router = APIRouter(prefix="/v1/market", tags=["market"], responses=problem_responses(401, 403, 404, 422, 429))


class DemandPage(BaseModel):
    model_version: str
    horizon: int
    data: list[ForecastRow]
    count: int


class PrioritiesPublic(BaseModel):
    model_version: str
    horizon: int
    data: list[Priority]
    count: int


SiteQuery = Annotated[Code | None, Query(description="The site (default: the key's own, else the default site).")]


def site_index(session: SessionDep, reference: ReferenceDep, caller: CurrentKey, indexes: IndexesDep,
               site: SiteQuery = None) -> MatchIndex:
    """The index of the site asked about (the key's own by default), brought up to date."""
    return indexes.current(site_for(session=session, key=caller, reference=reference, asked=site), session)


SiteIndexDep = Annotated[MatchIndex, Depends(site_index)]


def demand_model(session: SessionDep, index: SiteIndexDep) -> tuple[DemandForecaster | None, str, MatchIndex]:
    """The active demand model, or one fitted on request (see `service.demand_model`), and the site's index."""
    return (*service.demand_model(session=session, index=index, reference=index.reference), index)


DemandDep = Annotated[tuple[DemandForecaster | None, str, MatchIndex], Depends(demand_model)]
Horizon = Annotated[int, Query(ge=1, le=24, description="Months ahead.")]


@router.get("/demand", response_model=DemandPage, summary="Forecast monthly postings per district × occupation",
            dependencies=[Permission("market:read")])
def demand(model: DemandDep, page: PageDep, district: Annotated[Code | None, Query()] = None,
           occupation: Annotated[ShortText | None, Query()] = None,
           horizon: Horizon = 6) -> Any:
    forecaster, version, index = model
    rows = service.forecast(model=forecaster, horizon=horizon, district=district, occupation=occupation,
                            reference=index.reference) if forecaster is not None else []
    window = rows[page.offset:page.offset + page.limit]
    return DemandPage(model_version=version, horizon=horizon, count=len(rows),
                      data=window)


@router.get("/training-priorities", response_model=PrioritiesPublic,
            summary="What the next cohort should learn: occupations by forecast demand against local supply",
            dependencies=[Permission("market:read")])
def training_priorities(model: DemandDep, session: SessionDep,
                        district: Annotated[Code | None, Query(description="A district; all when empty.")] = None,
                        horizon: Horizon = 6) -> Any:
    forecaster, version, index = model
    reference = index.reference
    found = reference.site.gazetteer.resolve(district) if district else None
    ranked = service.priorities(session=session, index=index, reference=reference, model=forecaster,
                                district=found.name if found else district, horizon=horizon) \
        if forecaster is not None else []
    return PrioritiesPublic(model_version=version, horizon=horizon, count=len(ranked),
                            data=ranked)
