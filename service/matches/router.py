"""Routes: ranked openings for a trainee, ranked candidates for an opening, and a preview for a profile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlmodel import Session

from service.auth.deps import CurrentKey, Permission
from service.core.actor import change_seen
from service.core.deps import ReferenceDep
from service.core.errors import problem_responses
from service.core.http import ExternalIdPath
from service.core.models import Day
from service.matches import service
from service.matches.index import SiteIndexes
from service.matches.models import CandidateDetail, OpeningCandidates, OpeningMatches, ProfilePreview
from service.records.unit_of_work import RequestWork, RequestWorkDep

router = APIRouter(tags=["matches"], responses=problem_responses(401, 403, 404, 422, 429))
T = TypeVar("T")


def get_indexes(request: Request) -> SiteIndexes:
    """The live indexes, one per site; the service brings the one it uses up to date."""
    return request.app.state.index


def request_indexes(request: Request) -> SiteIndexes:
    """The live indexes for this request: each brought up to the newest change (records and models) the request's
    key was read with, which saves reading it again."""
    return get_indexes(request).seeing(change_seen(request.scope))


async def on_request_thread(work: RequestWork, do: Callable[[Session], T]) -> T:
    """A match route's whole blocking part (the index brought up to date, ranking, summaries, audit) and its commit
    on one thread, in the request's unit of work."""
    return await work.run(do)


IndexesDep = Annotated[SiteIndexes, Depends(get_indexes)]
AsOf = Annotated[Day | None, Query(description="The day every date rule uses; today (site time) by default.")]
CandidateAsOf = Annotated[Day | None, Query(description="The day every date rule uses; today (site time) by "
                                                        "default. Staff keys only: an employer key gets 403.")]
Limit = Annotated[int, Query(ge=1, le=200)]
IncludeBlocked = Annotated[bool, Query(description="Also the openings a safety rule removed.")]


@router.get("/v1/trainees/{external_id}/matches", response_model=OpeningMatches,
            summary="What should this trainee be offered: ranked openings, with reasons (and why not)",
            dependencies=[Permission("match:read")])
async def trainee_matches(request: Request, external_id: ExternalIdPath, work: RequestWorkDep,
                          reference: ReferenceDep, caller: CurrentKey, as_of: AsOf = None, limit: Limit = 10,
                          include_blocked: IncludeBlocked = False) -> OpeningMatches:
    return await on_request_thread(work, lambda session: service.rank_openings(
        session=session, indexes=request_indexes(request), reference=reference, external_id=external_id,
        as_of=as_of, limit=limit, include_blocked=include_blocked, caller=caller))


@router.post("/v1/matches/preview", response_model=OpeningMatches,
             summary="Rank the open openings for a profile without storing it",
             dependencies=[Permission("match:preview")])
async def preview(request: Request, body: ProfilePreview, work: RequestWorkDep, reference: ReferenceDep,
                  as_of: AsOf = None, limit: Limit = 10, include_blocked: IncludeBlocked = False) -> OpeningMatches:
    return await on_request_thread(work, lambda session: service.preview(
        session=session, indexes=request_indexes(request), reference=reference, body=body, as_of=as_of,
        limit=limit, include_blocked=include_blocked))


@router.get("/v1/openings/{external_id}/candidates", response_model=OpeningCandidates,
            response_model_exclude_none=True,
            summary="Who fits this opening: ranked job-ready trainees (anonymised for employers)",
            dependencies=[Permission("candidate:read")])
async def opening_candidates(request: Request, external_id: ExternalIdPath, work: RequestWorkDep,
                             caller: CurrentKey, as_of: CandidateAsOf = None, limit: Limit = 20) -> OpeningCandidates:
    return await on_request_thread(work, lambda session: service.rank_candidates(
        session=session, indexes=request_indexes(request), external_id=external_id, as_of=as_of, limit=limit,
        caller=caller))


@router.get("/v1/openings/{external_id}/candidates/{handle}", response_model=CandidateDetail,
            response_model_exclude_none=True,
            summary="One candidate; her identity only after her recorded consent to this employer",
            dependencies=[Permission("candidate:read")])
async def opening_candidate(request: Request, external_id: ExternalIdPath,
                            handle: Annotated[str, Path(pattern=r"^C-[A-Z2-7]{16}$")], work: RequestWorkDep,
                            caller: CurrentKey, as_of: CandidateAsOf = None) -> CandidateDetail:
    return await on_request_thread(work, lambda session: service.get_candidate(
        session=session, indexes=request_indexes(request), external_id=external_id, candidate_handle=handle,
        as_of=as_of, caller=caller))
