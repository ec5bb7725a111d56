"""Placement routes: list, get, create or replace (PUT), change (PATCH), delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from service.auth.deps import CurrentKey, Permission
from service.core.deps import PageDep, ReferenceDep
from service.core.errors import problem_responses
from service.core.http import ExternalIdPath, IfMatch, etag, parse_if_match
from service.placements import service
from service.placements.models import PlacementCreate, PlacementPublic, PlacementsPublic, PlacementUpdate
from service.placements.service import PlacementFilters
from service.records.unit_of_work import SessionDep

router = APIRouter(prefix="/v1/placements", tags=["placements"], responses=problem_responses(401, 403, 422, 429))


@router.get("", response_model=PlacementsPublic, summary="List placements", dependencies=[Permission("placement:read")])
def list_placements(session: SessionDep, page: PageDep, filters: Annotated[PlacementFilters, Query()],
                    caller: CurrentKey) -> PlacementsPublic:
    return service.list(session=session, filters=filters, page=page, caller=caller)


@router.get("/{external_id}", response_model=PlacementPublic, summary="Get a placement",
            responses=problem_responses(404), dependencies=[Permission("placement:read")])
def get_placement(external_id: ExternalIdPath, session: SessionDep, response: Response, caller: CurrentKey
                  ) -> PlacementPublic:
    placement = service.get(session=session, external_id=external_id, caller=caller)
    response.headers["ETag"] = etag(placement)
    return placement


@router.put("/{external_id}", response_model=PlacementPublic, summary="Create or replace a placement",
            responses={201: {"model": PlacementPublic, "description": "Created"}, **problem_responses(404, 409, 412)},
            dependencies=[Permission("placement:write")])
def put_placement(external_id: ExternalIdPath, body: PlacementCreate, session: SessionDep, reference: ReferenceDep,
                  response: Response, caller: CurrentKey, if_match: IfMatch = None) -> PlacementPublic:
    placement, created = service.upsert(session=session, reference=reference, external_id=external_id, body=body,
                                        if_match=parse_if_match(if_match), caller=caller)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["ETag"] = etag(placement)
    return placement


@router.patch("/{external_id}", response_model=PlacementPublic, summary="Change some fields of a placement",
              responses=problem_responses(404, 409, 412), dependencies=[Permission("placement:write")])
def patch_placement(external_id: ExternalIdPath, body: PlacementUpdate, session: SessionDep, reference: ReferenceDep,
                    response: Response, caller: CurrentKey, if_match: IfMatch = None) -> PlacementPublic:
    placement = service.patch(session=session, reference=reference, external_id=external_id, body=body,
                              if_match=parse_if_match(if_match), caller=caller)
    response.headers["ETag"] = etag(placement)
    return placement


@router.delete("/{external_id}", status_code=204, summary="Delete a placement",
               responses=problem_responses(404, 409, 412), dependencies=[Permission("placement:write")])
def delete_placement(external_id: ExternalIdPath, session: SessionDep, caller: CurrentKey, if_match: IfMatch = None
                     ) -> Response:
    service.delete(session=session, external_id=external_id, if_match=parse_if_match(if_match), caller=caller)
    return Response(status_code=204)
