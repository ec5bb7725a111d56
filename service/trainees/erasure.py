"""Erasing a trainee's personal data while keeping what her placements teach the outcome model."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlmodel import Session, col

from matching.reference import Gazetteer
from service.audit import subjects as audit_subjects
from service.consents import repository as consents
from service.core.models import utcnow
from service.core.reference import Reference
from service.idempotency import erasure as idempotency
from service.journeys import repository as journeys
from service.matches import repository as handles
from service.nightly import repository as nightly_repository
from service.placements import repository as placements
from service.placements.models import Placement
from service.records import changes, writes
from service.trainees import repository
from service.trainees.models import Trainee

WAGE_STEP = 500  # expected wage is kept only to the nearest ₹500 (or the site's currency unit)


def anonymised_copy(trainee: Trainee, gazetteer: Gazetteer) -> Trainee:
    """A stub with only coarse facts, under a new random id that links to nothing outside the database."""
    centre = gazetteer.resolve(trainee.district)
    stored: list[dict[str, Any]] = cast(list[Any], trainee.skills)  # a row's JSON column holds dicts as stored
    skills: list[Any] = [{"label": item["skill"], "level": item["level"], "skill": item["skill"]}
                         for item in stored if item.get("skill")]
    return Trainee(
        external_id=f"ERASED-{secrets.token_hex(8)}", partner_org=trainee.partner_org, status="exited",
        district=trainee.district, lat=centre.lat if centre else None, lon=centre.lon if centre else None,
        skills=skills, languages=trainee.languages, education=trainee.education,
        preferred_sectors=trainee.preferred_sectors,
        max_commute_minutes=trainee.max_commute_minutes, willing_to_relocate=trainee.willing_to_relocate,
        night_shift_ok=trainee.night_shift_ok, has_dependents=trainee.has_dependents,
        attendance_rate=round(trainee.attendance_rate, 1) if trainee.attendance_rate is not None else None,
        expected_wage_inr=(round(trainee.expected_wage_inr / WAGE_STEP) * WAGE_STEP
                           if trainee.expected_wage_inr is not None else None),
        training_track=trainee.training_track, is_survivor=False, erased_at=utcnow(), site=trainee.site)


def erase(*, session: Session, trainee: Trainee, reference: Reference) -> str | None:
    """Erase her record and every mention of her id, in the caller's unit of work (all or nothing); returns the
    anonymised stub's id when placements keep outcome statistics."""
    gazetteer = (reference.of(trainee.site) if trainee.site in reference.served() else reference).site.gazetteer
    her = trainee.external_id
    consents.delete_of_trainee(session=session, trainee_external_id=her)
    journeys.delete_of_trainee(session=session, trainee_external_id=her)
    handles.delete_of_trainee(session=session, trainee_external_id=her)  # no handle leads to her any more
    stub_id = None
    if placements.exists_for_trainee(session=session, trainee_external_id=her):
        stub = writes.insert(session=session, row=anonymised_copy(trainee, gazetteer), action="anonymise")
        writes.update_where(session=session, table=Placement, where=[col(Placement.trainee_external_id) == her],
                            values={"trainee_external_id": stub.external_id}, action="anonymise")
        stub_id = stub.external_id
    pseudonym = stub_id or f"ERASED-{secrets.token_hex(8)}"
    # Proposals (declines included) stay for learning, under the stub's id or a fresh one linking to nothing.
    nightly_repository.repoint_trainee(session, her, pseudonym)
    idempotency.forget(session=session, external_id=her)  # her consents POSTs etc. are never replayed
    writes.delete(session=session, row=trainee, action="erase")
    changes.forget(session=session, entity="trainee", external_id=her, pseudonym=pseudonym)
    audit_subjects.unlink(session=session, external_id=her)  # her audit events (this erasure too) lead nowhere
    return stub_id


def erase_expired(*, session: Session, retention_days: int, today: date, reference: Reference) -> int:
    """Erase trainees who exited and whose record has not changed for the retention period."""
    cutoff = datetime.combine(today - timedelta(days=retention_days), time(), UTC)
    expired = repository.list_expired(session=session, cutoff=cutoff)
    for trainee in expired:
        erase(session=session, trainee=trainee, reference=reference)
    return len(expired)
