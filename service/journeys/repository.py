"""Confirmed journey rows and the statements on them (which trainees a key may see is the trainees' answer)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlmodel import Session, col, delete, select

from service.journeys.models import ConfirmedJourney

CHUNK = 1000  # ids per IN (...) list


def find(*, session: Session, trainee_external_id: str, opening_external_id: str) -> ConfirmedJourney | None:
    """Her confirmed journey to that opening, if one is recorded."""
    return session.exec(select(ConfirmedJourney).where(
        col(ConfirmedJourney.trainee_external_id) == trainee_external_id,
        col(ConfirmedJourney.opening_external_id) == opening_external_id)).one_or_none()


def list_of_trainee(*, session: Session, trainee_external_id: str) -> Sequence[ConfirmedJourney]:
    """Her confirmed journeys, by opening."""
    return session.exec(select(ConfirmedJourney).where(col(ConfirmedJourney.trainee_external_id)
                                                       == trainee_external_id)
                        .order_by(col(ConfirmedJourney.opening_external_id))).all()


def minutes_by_trainee(*, session: Session, trainee_external_ids: Collection[str] | None = None
                       ) -> dict[str, dict[str, int]]:
    """{trainee: {opening: minutes}} for these trainees (every trainee with one when None)."""
    statement = select(col(ConfirmedJourney.trainee_external_id), col(ConfirmedJourney.opening_external_id),
                       col(ConfirmedJourney.minutes))
    if trainee_external_ids is None:
        rows = [*session.exec(statement)]
    else:
        ordered = sorted(trainee_external_ids)
        rows = [row for start in range(0, len(ordered), CHUNK) for row in session.exec(
            statement.where(col(ConfirmedJourney.trainee_external_id).in_(ordered[start:start + CHUNK])))]
    found: dict[str, dict[str, int]] = {}
    for trainee, opening, minutes in rows:
        found.setdefault(trainee, {})[opening] = minutes
    return found


def rows_of_trainees(*, session: Session, trainee_external_ids: Collection[str]) -> list[dict[str, Any]]:
    """The stored confirmed journeys of these trainees, each as a mapping of its columns."""
    ordered = sorted(trainee_external_ids)
    table = ConfirmedJourney.__table__  # type: ignore[attr-defined]
    return [dict(row) for start in range(0, len(ordered), CHUNK) for row in session.execute(
        select(table).where(table.c.trainee_external_id.in_(ordered[start:start + CHUNK]))).mappings()]


def delete_of_trainee(*, session: Session, trainee_external_id: str) -> None:
    """Remove all her confirmed journeys (erasure)."""
    session.exec(delete(ConfirmedJourney).where(col(ConfirmedJourney.trainee_external_id) == trainee_external_id))
