"""Opening routes: list, get, create or replace (PUT), change (PATCH), delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from service.auth.deps import CurrentKey, Permission
from service.core.deps import PageDep, ReferenceDep
from service.core.errors import problem_responses
from service.core.http import ExternalIdPath, IfMatch, etag, parse_if_match
from service.openings import service
from service.openings.models import OpeningCreate, OpeningPublic, OpeningsPublic, OpeningUpdate
from service.openings.service import OpeningFilters
from service.records.unit_of_work import SessionDep

router = APIRouter(prefix="/v1/openings", tags=["openings"], responses=problem_responses(401, 403, 422, 429))


@router.get("", response_model=OpeningsPublic, summary="List openings", dependencies=[Permission("opening:read")])
def list_openings(session: SessionDep, page: PageDep, filters: Annotated[OpeningFilters, Query()], caller: CurrentKey
                  ) -> OpeningsPublic:
    return service.list(session=session, filters=filters, page=page, caller=caller)


@router.get("/{external_id}", response_model=OpeningPublic, summary="Get a opening",
            responses=problem_responses(404), dependencies=[Permission("opening:read")])
def get_opening(external_id: ExternalIdPath, session: SessionDep, response: Response, caller: CurrentKey
                ) -> OpeningPublic:
    opening = service.get(session=session, external_id=external_id, caller=caller)
    response.headers["ETag"] = etag(opening)
    return opening


@router.put("/{external_id}", response_model=OpeningPublic, summary="Create or replace a opening",
            responses={201: {"model": OpeningPublic, "description": "Created"}, **problem_responses(404, 409, 412)},
            dependencies=[Permission("opening:write")])
def put_opening(external_id: ExternalIdPath, body: OpeningCreate, session: SessionDep, reference: ReferenceDep,
                response: Response, caller: CurrentKey, if_match: IfMatch = None) -> OpeningPublic:
    opening, created = service.upsert(session=session, reference=reference, external_id=external_id, body=body,
                                      if_match=parse_if_match(if_match), caller=caller)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["ETag"] = etag(opening)
    return opening


@router.patch("/{external_id}", response_model=OpeningPublic, summary="Change some fields of a opening",
              responses=problem_responses(404, 409, 412), dependencies=[Permission("opening:write")])
def patch_opening(external_id: ExternalIdPath, body: OpeningUpdate, session: SessionDep, reference: ReferenceDep,
                  response: Response, caller: CurrentKey, if_match: IfMatch = None) -> OpeningPublic:
    opening = service.patch(session=session, reference=reference, external_id=external_id, body=body,
                            if_match=parse_if_match(if_match), caller=caller)
    response.headers["ETag"] = etag(opening)
    return opening


@router.delete("/{external_id}", status_code=204, summary="Delete a opening",
               responses=problem_responses(404, 409, 412), dependencies=[Permission("opening:write")])
def delete_opening(external_id: ExternalIdPath, session: SessionDep, caller: CurrentKey, if_match: IfMatch = None
                   ) -> Response:
    service.delete(session=session, external_id=external_id, if_match=parse_if_match(if_match), caller=caller)
    return Response(status_code=204)
