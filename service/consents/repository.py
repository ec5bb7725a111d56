"""Consent rows: a trainee's append-only log of consents given and withdrawn, and the statements on it."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlmodel import Session, col, delete, select

from service.consents.models import Consent


def list_of_trainee(*, session: Session, trainee_external_id: str) -> Sequence[Consent]:
    """Her consent history, oldest first."""
    return session.exec(select(Consent).where(Consent.trainee_external_id == trainee_external_id)
                        .order_by(col(Consent.id))).all()


def find_latest_status(*, session: Session, trainee_external_id: str, employer_external_id: str) -> str | None:
    """Her latest word for this employer ('given' or 'withdrawn'), if she gave one."""
    return session.exec(select(Consent.status).where(Consent.trainee_external_id == trainee_external_id,
                                                     Consent.employer_external_id == employer_external_id)
                        .order_by(col(Consent.id).desc()).limit(1)).first()


def map_latest_statuses(*, session: Session, trainee_external_ids: Collection[str]) -> dict[tuple[str, str], str]:
    """These trainees' latest word for each employer they named: (trainee, employer) -> status."""
    rows = session.exec(select(Consent.trainee_external_id, Consent.employer_external_id, Consent.status)
                        .where(col(Consent.trainee_external_id).in_(sorted(trainee_external_ids)))
                        .order_by(col(Consent.id))).all()
    return {(trainee, employer): status for trainee, employer, status in rows}  # the last word wins


def add(*, session: Session, consent: Consent) -> None:
    """Append a consent to the log (stored with the unit of work)."""
    session.add(consent)


def delete_of_trainee(*, session: Session, trainee_external_id: str) -> None:
    """Remove her whole consent log (erasure)."""
    session.exec(delete(Consent).where(col(Consent.trainee_external_id) == trainee_external_id))
