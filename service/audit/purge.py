"""Removing old audit events: the one way past the database's refusal to delete them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col

from service.audit import service as audit
from service.audit.models import AuditEvent, AuditPurge
from service.core.errors import InvalidInput
from service.core.models import utcnow


def purge(*, session: Session, before: datetime) -> int:
    """Delete the events older than the cutoff and record that it happened, in one transaction: a permit row
    lets the database's delete trigger through only while this unit of work holds it."""
    if before > utcnow():
        raise InvalidInput(f"The cutoff {before.isoformat()} is in the future; purge only what is already old.")
    permit = AuditPurge()
    session.add(permit)
    session.flush()
    deleted = session.exec(delete(AuditEvent).where(col(AuditEvent.at) < before)).rowcount
    session.delete(permit)
    session.flush()
    audit.record(session=session, caller=None, action="purge", entity="audit_event",
                 external_ids=[f"before={before.isoformat()};deleted={deleted}"])
    return deleted
