"""Recording a trainee's consent to be introduced to an employer, and reading it back."""

from __future__ import annotations

from sqlmodel import Session, select

from service.audit import service as audit
from service.auth.models import ApiKey
from service.consents.models import Consent, ConsentCreate
from service.core import crud
from service.core.errors import Unresolvable
from service.employers.models import Employer


def list(*, session: Session, trainee_external_id: str) -> list[Consent]:  # noqa: A001
    """Her consent history, oldest first."""
    return [*session.exec(select(Consent).where(Consent.trainee_external_id == trainee_external_id)
                          .order_by(Consent.id))]


def record(*, session: Session, trainee_external_id: str, body: ConsentCreate, caller: ApiKey) -> Consent:
    """Append a consent (given or withdrawn) for one employer."""
    if crud.find(session=session, table=Employer, key={"external_id": body.employer_external_id}) is None:
        raise Unresolvable("Unknown employer.", errors=[{"loc": ["body", "employer_external_id"],
                                                         "reason": f"no employer '{body.employer_external_id}'"}])
    consent = Consent(**body.model_dump(), trainee_external_id=trainee_external_id, key_id=caller.id)
    session.add(consent)
    audit.record(session=session, caller=caller, action=f"consent_{body.status}", entity="trainee",
                 external_ids=[trainee_external_id])
    session.commit()
    session.refresh(consent)
    return consent


def given(*, session: Session, trainee_external_id: str, employer_external_id: str) -> bool:
    """Whether her latest word for this employer is consent."""
    latest = session.exec(select(Consent.status).where(Consent.trainee_external_id == trainee_external_id,
                                                       Consent.employer_external_id == employer_external_id)
                          .order_by(Consent.id.desc()).limit(1)).first()
    return latest == "given"
