"""Erasing a trainee's personal data while keeping what her placements teach the outcome model."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, select

from service.audit import subjects as audit_subjects
from service.records import changes, writes
from service.consents.models import Consent
from service.core.models import utcnow
from service.idempotency import erasure as idempotency
from service.nightly.models import Proposal
from service.placements.models import Placement
from service.trainees.models import Trainee

WAGE_STEP = 500  # expected wage is kept only to the nearest ₹500 (or the site's currency unit)


def anonymised_copy(trainee: Trainee, gazetteer) -> Trainee:  # noqa: ANN001
    """A stub with only coarse facts, under a new random id that links to nothing outside the database."""
    centre = gazetteer.resolve(trainee.district)
    return Trainee(
        external_id=f"ERASED-{secrets.token_hex(8)}", partner_org=trainee.partner_org, status="exited",
        district=trainee.district, lat=centre.lat if centre else None, lon=centre.lon if centre else None,
        skills=[{"label": item["skill"], "level": item["level"], "skill": item["skill"]}
                for item in trainee.skills if item.get("skill")],
        languages=trainee.languages, education=trainee.education, preferred_sectors=trainee.preferred_sectors,
        max_commute_minutes=trainee.max_commute_minutes, willing_to_relocate=trainee.willing_to_relocate,
        night_shift_ok=trainee.night_shift_ok, has_dependents=trainee.has_dependents,
        attendance_rate=round(trainee.attendance_rate, 1) if trainee.attendance_rate is not None else None,
        expected_wage_inr=(round(trainee.expected_wage_inr / WAGE_STEP) * WAGE_STEP
                           if trainee.expected_wage_inr is not None else None),
        training_track=trainee.training_track, is_survivor=False, erased_at=utcnow())


def erase(*, session: Session, trainee: Trainee, gazetteer) -> str | None:  # noqa: ANN001
    """Erase her record and every mention of her id, in the caller's unit of work (all or nothing); returns the
    anonymised stub's id when placements keep outcome statistics."""
    her = trainee.external_id
    session.execute(delete(Consent).where(Consent.trainee_external_id == her))
    has_placements = session.execute(select(Placement.id).where(Placement.trainee_external_id == her).limit(1)).first()
    stub_id = None
    if has_placements:
        stub = writes.insert(session=session, row=anonymised_copy(trainee, gazetteer), action="anonymise")
        writes.update_where(session=session, table=Placement, where=[Placement.trainee_external_id == her],
                            values={"trainee_external_id": stub.external_id}, action="anonymise")
        stub_id = stub.external_id
    pseudonym = stub_id or f"ERASED-{secrets.token_hex(8)}"
    # Proposals (declines included) stay for learning, under the stub's id or a fresh one linking to nothing.
    session.execute(update(Proposal).where(Proposal.trainee_external_id == her).values(trainee_external_id=pseudonym))
    idempotency.forget(session=session, external_id=her)  # her consents POSTs etc. are never replayed
    writes.delete(session=session, row=trainee, action="erase")
    changes.forget(session=session, entity="trainee", external_id=her, pseudonym=pseudonym)
    audit_subjects.unlink(session=session, external_id=her)  # her audit events (this erasure too) lead nowhere
    return stub_id


def erase_expired(*, session: Session, retention_days: int, today: date, gazetteer) -> int:  # noqa: ANN001
    """Erase trainees who exited and whose record has not changed for the retention period."""
    cutoff = datetime.combine(today - timedelta(days=retention_days), time(), UTC)
    expired = session.exec(select(Trainee).where(Trainee.status == "exited", Trainee.erased_at.is_(None),
                                                 Trainee.updated_at < cutoff)).all()
    for trainee in expired:
        erase(session=session, trainee=trainee, gazetteer=gazetteer)
    return len(expired)
