"""Employer routes: list, get, create or replace (PUT), change (PATCH), delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from service.auth.deps import CurrentKey, Permission
from service.core.deps import PageDep, ReferenceDep
from service.core.errors import problem_responses
from service.core.http import ExternalIdPath, IfMatch, etag, parse_if_match
from service.employers import service
from service.employers.models import EmployerCreate, EmployerPublic, EmployersPublic, EmployerUpdate
from service.employers.service import EmployerFilters
from service.records.unit_of_work import SessionDep

router = APIRouter(prefix="/v1/employers", tags=["employers"], responses=problem_responses(401, 403, 422, 429))


@router.get("", response_model=EmployersPublic, summary="List employers", dependencies=[Permission("employer:read")])
def list_employers(session: SessionDep, page: PageDep, filters: Annotated[EmployerFilters, Query()], caller: CurrentKey
                   ) -> EmployersPublic:
    return service.list(session=session, filters=filters, page=page, caller=caller)


@router.get("/{external_id}", response_model=EmployerPublic, summary="Get a employer",
            responses=problem_responses(404), dependencies=[Permission("employer:read")])
def get_employer(external_id: ExternalIdPath, session: SessionDep, response: Response, caller: CurrentKey
                 ) -> EmployerPublic:
    employer = service.get(session=session, external_id=external_id, caller=caller)
    response.headers["ETag"] = etag(employer)
    return employer


@router.put("/{external_id}", response_model=EmployerPublic, summary="Create or replace a employer",
            responses={201: {"model": EmployerPublic, "description": "Created"}, **problem_responses(404, 409, 412)},
            dependencies=[Permission("employer:write")])
def put_employer(external_id: ExternalIdPath, body: EmployerCreate, session: SessionDep, reference: ReferenceDep,
                 response: Response, caller: CurrentKey, if_match: IfMatch = None) -> EmployerPublic:
    employer, created = service.upsert(session=session, reference=reference, external_id=external_id, body=body,
                                       if_match=parse_if_match(if_match), caller=caller)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["ETag"] = etag(employer)
    return employer


@router.patch("/{external_id}", response_model=EmployerPublic, summary="Change some fields of a employer",
              responses=problem_responses(404, 409, 412), dependencies=[Permission("employer:write")])
def patch_employer(external_id: ExternalIdPath, body: EmployerUpdate, session: SessionDep, reference: ReferenceDep,
                   response: Response, caller: CurrentKey, if_match: IfMatch = None) -> EmployerPublic:
    employer = service.patch(session=session, reference=reference, external_id=external_id, body=body,
                             if_match=parse_if_match(if_match), caller=caller)
    response.headers["ETag"] = etag(employer)
    return employer


@router.delete("/{external_id}", status_code=204, summary="Delete a employer",
               responses=problem_responses(404, 409, 412), dependencies=[Permission("employer:write")])
def delete_employer(external_id: ExternalIdPath, session: SessionDep, caller: CurrentKey, if_match: IfMatch = None
                    ) -> Response:
    service.delete(session=session, external_id=external_id, if_match=parse_if_match(if_match), caller=caller)
    return Response(status_code=204)
