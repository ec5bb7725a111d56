"""GET /v1/market/cohort-plan and /v1/trainer-candidates."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from service.auth.deps import CurrentKey, Permission
from service.cohorts import service
from service.cohorts.models import CohortPlanPublic, TrainerCandidatesPublic
from service.core.deps import ReferenceDep, SettingsDep
from service.core.errors import problem_responses
from service.core.models import Code, ShortText
from service.market.router import DemandDep
from service.records.unit_of_work import SessionDep, today

router = APIRouter(tags=["cohorts"], responses=problem_responses(401, 403, 404, 422, 429))


Partner = Annotated[Code | None, Query(description="A partner organisation; a coordinator's key bound to one: hers.")]


@router.get("/v1/market/cohort-plan", response_model=CohortPlanPublic,
            summary="How many women to train in which track next, and the trainers those cohorts need",
            dependencies=[Permission("market:read")])
def cohort_plan(model: DemandDep, session: SessionDep, reference: ReferenceDep, settings: SettingsDep,
                caller: CurrentKey,
                site: Annotated[Code | None, Query(description="The site (default: the key's own, else the default "
                                                               "site).")] = None,
                partner: Partner = None,
                months: Annotated[int, Query(ge=1, le=24, description="Months ahead.")] = 6) -> Any:
    forecaster, version, _ = model
    return service.plan(session=session, reference=reference, data_dir=settings.data_dir, model=forecaster,
                        model_version=version, site=site, partner=partner, months=months, today=today(session),
                        caller=caller)


@router.get("/v1/trainer-candidates", response_model=TrainerCandidatesPublic,
            summary="Graduates who could teach the next cohorts of a track, ranked by the programme's rules",
            dependencies=[Permission("trainer_candidate:read")])
def trainer_candidates(session: SessionDep, reference: ReferenceDep, settings: SettingsDep, caller: CurrentKey,
                       track: Annotated[ShortText, Query(description="The training track (an occupation code).")],
                       partner: Partner = None) -> Any:
    return service.trainer_candidates(session=session, reference=reference, data_dir=settings.data_dir, track=track,
                                      partner=partner, today=today(session), caller=caller)
