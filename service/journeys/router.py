"""A trainee's confirmed journeys: list, get, confirm (PUT: create or replace) and remove, by opening."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from service.auth.deps import CurrentKey, Permission
from service.core.deps import ReferenceDep
from service.core.errors import problem_responses
from service.core.http import ExternalIdPath, IfMatch, etag, parse_if_match
from service.journeys import service
from service.journeys.models import ConfirmedJourneyBody, ConfirmedJourneyPublic, ConfirmedJourneysPublic
from service.records.unit_of_work import SessionDep

router = APIRouter(prefix="/v1/trainees/{external_id}/journeys", tags=["journeys"],
                   responses=problem_responses(401, 403, 404, 422, 429))
ITEM = "/{opening_external_id}"


@router.get("", response_model=ConfirmedJourneysPublic, summary="Her confirmed journeys, by opening",
            dependencies=[Permission("journey:read")])
def list_journeys(external_id: ExternalIdPath, session: SessionDep, caller: CurrentKey) -> ConfirmedJourneysPublic:
    rows = service.list(session=session, trainee_external_id=external_id, caller=caller)
    return ConfirmedJourneysPublic(data=[ConfirmedJourneyPublic.model_validate(row, from_attributes=True)
                                         for row in rows], count=len(rows))


@router.get(ITEM, response_model=ConfirmedJourneyPublic, summary="Her confirmed journey to an opening",
            dependencies=[Permission("journey:read")])
def get_journey(external_id: ExternalIdPath, opening_external_id: ExternalIdPath, session: SessionDep,
                response: Response, caller: CurrentKey) -> ConfirmedJourneyPublic:
    journey = service.get(session=session, trainee_external_id=external_id, opening_external_id=opening_external_id,
                          caller=caller)
    response.headers["ETag"] = etag(journey)
    return ConfirmedJourneyPublic.model_validate(journey, from_attributes=True)


@router.put(ITEM, response_model=ConfirmedJourneyPublic,
            summary="Confirm her one-way journey time to an opening (it replaces the estimate in the rules and score)",
            responses={201: {"model": ConfirmedJourneyPublic, "description": "Created"},
                       **problem_responses(409, 412)},
            dependencies=[Permission("journey:write")])
def put_journey(external_id: ExternalIdPath, opening_external_id: ExternalIdPath, body: ConfirmedJourneyBody,
                session: SessionDep, reference: ReferenceDep, response: Response, caller: CurrentKey,
                if_match: IfMatch = None) -> ConfirmedJourneyPublic:
    journey, created = service.confirm(session=session, reference=reference, trainee_external_id=external_id,
                                       opening_external_id=opening_external_id, body=body,
                                       if_match=parse_if_match(if_match), caller=caller)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["ETag"] = etag(journey)
    return ConfirmedJourneyPublic.model_validate(journey, from_attributes=True)


@router.delete(ITEM, status_code=204, summary="Remove a confirmed journey (the estimate applies again)",
               responses=problem_responses(409, 412), dependencies=[Permission("journey:write")])
def delete_journey(external_id: ExternalIdPath, opening_external_id: ExternalIdPath, session: SessionDep,
                   caller: CurrentKey, if_match: IfMatch = None) -> Response:
    service.remove(session=session, trainee_external_id=external_id, opening_external_id=opening_external_id,
                   if_match=parse_if_match(if_match), caller=caller)
    return Response(status_code=204)
