"""Trainee routes: list, get, create or replace (PUT), change (PATCH), erase (DELETE)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from service.auth.deps import CurrentKey, Permission
from service.core.deps import PageDep, ReferenceDep
from service.core.errors import problem_responses
from service.core.http import ExternalIdPath, IfMatch, etag, parse_if_match
from service.records.unit_of_work import SessionDep
from service.trainees import service
from service.trainees.models import TraineeCreate, TraineePublic, TraineesPublic, TraineeUpdate
from service.trainees.service import TraineeFilters

router = APIRouter(prefix="/v1/trainees", tags=["trainees"], responses=problem_responses(401, 403, 422, 429))


@router.get("", response_model=TraineesPublic, summary="List trainees", dependencies=[Permission("trainee:read")])
def list_trainees(session: SessionDep, page: PageDep, filters: Annotated[TraineeFilters, Query()],
                  caller: CurrentKey) -> TraineesPublic:
    return service.list(session=session, filters=filters, page=page, caller=caller)


@router.get("/{external_id}", response_model=TraineePublic, summary="Get a trainee", responses=problem_responses(404),
            dependencies=[Permission("trainee:read")])
def get_trainee(external_id: ExternalIdPath, session: SessionDep, response: Response, caller: CurrentKey
                ) -> TraineePublic:
    trainee = service.get(session=session, external_id=external_id, caller=caller)
    response.headers["ETag"] = etag(trainee)
    return trainee


@router.put("/{external_id}", response_model=TraineePublic, summary="Create or replace a trainee",
            responses={201: {"model": TraineePublic, "description": "Created"}, **problem_responses(404, 409, 412)},
            dependencies=[Permission("trainee:write")])
def put_trainee(external_id: ExternalIdPath, body: TraineeCreate, session: SessionDep, reference: ReferenceDep,
                response: Response, caller: CurrentKey, if_match: IfMatch = None) -> TraineePublic:
    trainee, created = service.upsert(session=session, reference=reference, external_id=external_id, body=body,
                                      if_match=parse_if_match(if_match), caller=caller)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["ETag"] = etag(trainee)
    return trainee


@router.patch("/{external_id}", response_model=TraineePublic, summary="Change some fields of a trainee",
              responses=problem_responses(404, 409, 412), dependencies=[Permission("trainee:write")])
def patch_trainee(external_id: ExternalIdPath, body: TraineeUpdate, session: SessionDep, reference: ReferenceDep,
                  response: Response, caller: CurrentKey, if_match: IfMatch = None) -> TraineePublic:
    trainee = service.patch(session=session, reference=reference, external_id=external_id, body=body,
                            if_match=parse_if_match(if_match), caller=caller)
    response.headers["ETag"] = etag(trainee)
    return trainee


@router.delete("/{external_id}", status_code=204, summary="Delete a trainee",
               responses=problem_responses(404, 409, 412), dependencies=[Permission("trainee:write")])
def delete_trainee(external_id: ExternalIdPath, session: SessionDep, reference: ReferenceDep, caller: CurrentKey,
                   if_match: IfMatch = None) -> Response:
    service.delete(session=session, reference=reference, external_id=external_id, if_match=parse_if_match(if_match),
                   caller=caller)
    return Response(status_code=204)
