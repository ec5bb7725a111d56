"""Follow-up routes, addressed by placement and month: list, get, create or replace (PUT), change (PATCH),
delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from service.auth.deps import CurrentKey, Permission
from service.core.deps import PageDep, ReferenceDep
from service.core.errors import problem_responses
from service.core.http import ExternalIdPath, IfMatch, etag, parse_if_match
from service.followups import service
from service.followups.models import FollowupCreate, FollowupPublic, FollowupsPublic, FollowupUpdate
from service.followups.service import FOLLOWUP_MONTHS, FollowupFilters
from service.records.unit_of_work import SessionDep

router = APIRouter(prefix="/v1/followups", tags=["followups"], responses=problem_responses(401, 403, 422, 429))
ITEM = "/{placement_external_id}/{month}"


def followup_month(month: Annotated[int, Path(json_schema_extra={"enum": list(FOLLOWUP_MONTHS)},
                                              description="Months since the start: 1, 3, 6 or 12.")]) -> int:
    """A follow-up's month in a path: 1, 3, 6 or 12."""
    return service.check_month(month)


Month = Annotated[int, Depends(followup_month)]


@router.get("", response_model=FollowupsPublic, summary="List follow-ups", dependencies=[Permission("followup:read")])
def list_followups(session: SessionDep, page: PageDep, filters: Annotated[FollowupFilters, Query()],
                   caller: CurrentKey) -> FollowupsPublic:
    return service.list(session=session, filters=filters, page=page, caller=caller)


@router.get(ITEM, response_model=FollowupPublic, summary="Get a follow-up", responses=problem_responses(404),
            dependencies=[Permission("followup:read")])
def get_followup(placement_external_id: ExternalIdPath, month: Month, session: SessionDep, response: Response,
                 caller: CurrentKey) -> FollowupPublic:
    followup = service.get(session=session, placement_external_id=placement_external_id, month=month, caller=caller)
    response.headers["ETag"] = etag(followup)
    return followup


@router.put(ITEM, response_model=FollowupPublic, summary="Create or replace a follow-up",
            responses={201: {"model": FollowupPublic, "description": "Created"}, **problem_responses(404, 409, 412)},
            dependencies=[Permission("followup:write")])
def put_followup(placement_external_id: ExternalIdPath, month: Month, body: FollowupCreate, session: SessionDep,
                 reference: ReferenceDep, response: Response, caller: CurrentKey, if_match: IfMatch = None
                 ) -> FollowupPublic:
    followup, created = service.upsert(session=session, reference=reference,
                                       placement_external_id=placement_external_id, month=month, body=body,
                                       if_match=parse_if_match(if_match), caller=caller)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["ETag"] = etag(followup)
    return followup


@router.patch(ITEM, response_model=FollowupPublic, summary="Change some fields of a follow-up",
              responses=problem_responses(404, 409, 412), dependencies=[Permission("followup:write")])
def patch_followup(placement_external_id: ExternalIdPath, month: Month, body: FollowupUpdate, session: SessionDep,
                   reference: ReferenceDep, response: Response, caller: CurrentKey, if_match: IfMatch = None
                   ) -> FollowupPublic:
    followup = service.patch(session=session, reference=reference, placement_external_id=placement_external_id,
                             month=month, body=body, if_match=parse_if_match(if_match), caller=caller)
    response.headers["ETag"] = etag(followup)
    return followup


@router.delete(ITEM, status_code=204, summary="Delete a follow-up", responses=problem_responses(404, 409, 412),
               dependencies=[Permission("followup:write")])
def delete_followup(placement_external_id: ExternalIdPath, month: Month, session: SessionDep, caller: CurrentKey,
                    if_match: IfMatch = None) -> Response:
    service.delete(session=session, placement_external_id=placement_external_id, month=month,
                   if_match=parse_if_match(if_match), caller=caller)
    return Response(status_code=204)
