"""GET /v1/market/demand and /v1/market/training-priorities."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from matching.demand_model import DemandForecaster, ForecastRow
from matching.training_priorities import Priority
from service.auth.deps import Permission
from service.core.deps import PageDep, ReferenceDep
from service.core.errors import problem_responses
from service.core.models import Code, ShortText
from service.market import service
from service.matches.router import IndexDep
from service.records.unit_of_work import SessionDep

router = APIRouter(prefix="/v1/market", tags=["market"], responses=problem_responses(401, 403, 422, 429))


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


def demand_model(request: Request, session: SessionDep, reference: ReferenceDep
                 ) -> tuple[DemandForecaster | None, str]:
    """The active demand model, or one fitted on request (see `service.demand_model`)."""
    return service.demand_model(session=session, index=request.app.state.index.current(session), reference=reference)


DemandDep = Annotated[tuple[DemandForecaster | None, str], Depends(demand_model)]
Horizon = Annotated[int, Query(ge=1, le=24, description="Months ahead.")]


@router.get("/demand", response_model=DemandPage, summary="Forecast monthly postings per district × occupation",
            dependencies=[Permission("market:read")])
def demand(model: DemandDep, page: PageDep, district: Annotated[Code | None, Query()] = None,
           occupation: Annotated[ShortText | None, Query()] = None,
           horizon: Horizon = 6) -> Any:
    forecaster, version = model
    rows = service.forecast(model=forecaster, horizon=horizon, district=district, occupation=occupation) \
        if forecaster is not None else []
    window = rows[page.offset:page.offset + page.limit]
    return DemandPage(model_version=version, horizon=horizon, count=len(rows),
                      data=window)


@router.get("/training-priorities", response_model=PrioritiesPublic,
            summary="What the next cohort should learn: occupations by forecast demand against local supply",
            dependencies=[Permission("market:read")])
def training_priorities(model: DemandDep, session: SessionDep, reference: ReferenceDep, index: IndexDep,
                        district: Annotated[Code | None, Query(description="A district; all when empty.")] = None,
                        horizon: Horizon = 6) -> Any:
    forecaster, version = model
    found = reference.site.gazetteer.resolve(district) if district else None
    ranked = service.priorities(session=session, index=index, reference=reference, model=forecaster,
                                district=found.name if found else district, horizon=horizon) \
        if forecaster is not None else []
    return PrioritiesPublic(model_version=version, horizon=horizon, count=len(ranked),
                            data=ranked)
