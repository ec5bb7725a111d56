"""Consents of a trainee: GET her history, POST a new given/withdrawn record."""

from __future__ import annotations

from fastapi import APIRouter, status

from service.auth.deps import CurrentKey, Permission
from service.consents import service
from service.consents.models import Consent, ConsentCreate, ConsentPublic, ConsentsPublic
from service.core.errors import problem_responses
from service.core.http import ExternalIdPath
from service.records.unit_of_work import SessionDep

router = APIRouter(prefix="/v1/trainees/{external_id}/consents", tags=["consents"],
                   responses=problem_responses(401, 403, 404, 422, 429))


@router.get("", response_model=ConsentsPublic, summary="Her consents to introductions, oldest first",
            dependencies=[Permission("consent:read")])
def list_consents(external_id: ExternalIdPath, session: SessionDep, caller: CurrentKey) -> ConsentsPublic:
    rows = service.list(session=session, trainee_external_id=external_id, caller=caller)
    return ConsentsPublic(data=[ConsentPublic.model_validate(row) for row in rows], count=len(rows))


@router.post("", response_model=ConsentPublic, status_code=status.HTTP_201_CREATED,
             summary="Record that she gave or withdrew consent to be introduced to an employer",
             dependencies=[Permission("consent:write")])
def record_consent(external_id: ExternalIdPath, body: ConsentCreate, session: SessionDep, caller: CurrentKey
                   ) -> Consent:
    return service.record(session=session, trainee_external_id=external_id, body=body, caller=caller)

