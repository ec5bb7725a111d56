"""Recording a trainee's consent to be introduced to an employer, and reading it back."""

from __future__ import annotations

import builtins

from sqlmodel import Session

from service.audit import service as audit
from service.auth import policy
from service.auth.models import ApiKey
from service.consents import repository
from service.consents.models import Consent, ConsentCreate
from service.core.errors import NotFound, Unresolvable
from service.employers.models import Employer
from service.records import crud
from service.trainees import repository as trainees
from service.trainees.models import Trainee


def _trainee(session: Session, trainee_external_id: str, caller: ApiKey) -> Trainee:
    """Her record, if this key may read her consents: they are a sensitive field, so a key that may not read them
    learns nothing, as for another partner's trainee (404)."""
    trainee = crud.get(session=session, table=Trainee, key={"external_id": trainee_external_id}, label="trainee",
                       conditions=trainees.visible(caller))
    if "consents" not in policy.sensitive_fields(caller, partner_org=trainee.partner_org):
        raise NotFound(f"No trainee with external_id={trainee.external_id}.")
    return trainee


def list(*, session: Session, trainee_external_id: str, caller: ApiKey) -> builtins.list[Consent]:
    """Her consent history, oldest first (reading it is a read of her record, and audited as one)."""
    trainee = _trainee(session, trainee_external_id, caller)
    audit.record(session=session, caller=caller, action="read", entity="trainee", external_ids=[trainee.external_id])
    return [*repository.list_of_trainee(session=session, trainee_external_id=trainee.external_id)]


def record(*, session: Session, trainee_external_id: str, body: ConsentCreate, caller: ApiKey) -> Consent:
    """Append a consent (given or withdrawn) for one employer."""
    trainee_external_id = _trainee(session, trainee_external_id, caller).external_id
    if crud.find(session=session, table=Employer, key={"external_id": body.employer_external_id}) is None:
        raise Unresolvable("Unknown employer.", errors=[{"loc": ["body", "employer_external_id"],
                                                         "reason": f"no employer '{body.employer_external_id}'"}])
    consent = Consent(**body.model_dump(), trainee_external_id=trainee_external_id, key_id=caller.id)
    repository.add(session=session, consent=consent)
    audit.record(session=session, caller=caller, action=f"consent_{body.status}", entity="trainee",
                 external_ids=[trainee_external_id])
    session.flush()
    return consent


def given(*, session: Session, trainee_external_id: str, employer_external_id: str) -> bool:
    """Whether her latest word for this employer is consent."""
    return repository.find_latest_status(session=session, trainee_external_id=trainee_external_id,
                                         employer_external_id=employer_external_id) == "given"


def withdraw_excluded(*, session: Session, exclusions: dict[str, builtins.list[str]], caller: ApiKey | None) -> int:
    """Withdraw any standing consent to an employer she now excludes (same transaction); returns how many."""
    pairs = {(trainee, employer) for trainee, employers in exclusions.items() for employer in employers or ()}
    if not pairs:
        return 0
    latest = repository.map_latest_statuses(session=session, trainee_external_ids={t for t, _ in pairs})
    standing = sorted(pair for pair in pairs if latest.get(pair) == "given")
    for trainee, employer in standing:
        repository.add(session=session, consent=Consent(
            trainee_external_id=trainee, employer_external_id=employer, status="withdrawn",
            recorded_by="jobmatch: employer excluded", key_id=caller.id if caller else None,
            note="She excluded this employer; an exclusion withdraws consent."))
        audit.record(session=session, caller=caller, action="consent_withdrawn", entity="trainee",
                     external_ids=[trainee])
    return len(standing)
