"""Consents of a trainee: GET her history, POST a new given/withdrawn record."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from service.consents import service
from service.consents.models import ConsentCreate, ConsentPublic, ConsentsPublic
from service.core import resource
from service.auth import policy
from service.auth.models import ApiKey
from service.core.errors import NotFound, problem_responses
from service.core.resource import ExternalIdPath
from service.auth.deps import Authorized, CurrentKey
from service.records.unit_of_work import SessionDep
from service.trainees.models import Trainee
from service.trainees.service import RESOURCE as TRAINEES

router = APIRouter(prefix="/v1/trainees/{external_id}/consents", tags=["consents"], dependencies=[Authorized],
                   responses=problem_responses(401, 403, 404, 422, 429))


def readable(trainee: Trainee, caller: ApiKey) -> None:
    """Consents are a sensitive field: a key that may not read them learns nothing, as for another's record."""
    if "consents" not in policy.sensitive_fields(caller, partner_org=trainee.partner_org):
        raise NotFound(f"No trainee with external_id={trainee.external_id}.")


@router.get("", response_model=ConsentsPublic, summary="Her consents to introductions, oldest first")
def list_consents(external_id: ExternalIdPath, session: SessionDep, caller: CurrentKey) -> Any:
    trainee = resource.read(session=session, resource=TRAINEES, ident={"external_id": external_id}, caller=caller)
    readable(trainee, caller)
    rows = service.list(session=session, trainee_external_id=trainee.external_id)
    return ConsentsPublic(data=[ConsentPublic.model_validate(row) for row in rows], count=len(rows))


@router.post("", response_model=ConsentPublic, status_code=status.HTTP_201_CREATED,
             summary="Record that she gave or withdrew consent to be introduced to an employer")
def record_consent(external_id: ExternalIdPath, body: ConsentCreate, session: SessionDep, caller: CurrentKey) -> Any:
    trainee = resource.get(session=session, resource=TRAINEES, ident={"external_id": external_id}, caller=caller)
    readable(trainee, caller)
    return service.record(session=session, trainee_external_id=trainee.external_id, body=body, caller=caller)
