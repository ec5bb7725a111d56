"""Follow-up rows: which a key may see (a coordinator only those of her partner's trainees' placements, an
employer's key none), and the statements that read them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, false, func
from sqlmodel import Session, col, select

from service.auth.models import ApiKey
from service.followups.models import Followup
from service.placements.models import Placement
from service.records.resource import Scope
from service.trainees.models import Trainee

CHUNK = 1000  # ids per IN (...) list


def visible(key: ApiKey) -> list[Any]:
    """SQL conditions restricting follow-ups to the rows this key may see."""
    if key.role == "coordinator":
        if key.partner_org is None:
            return [false()]
        partner_trainees = select(Trainee.external_id).where(Trainee.partner_org == key.partner_org)
        placements = select(Placement.external_id).where(col(Placement.trainee_external_id).in_(partner_trainees))
        return [col(Followup.placement_external_id).in_(placements)]
    if key.role == "employer":
        return [false()]
    return []


SCOPE = Scope(visible=visible)


def filter_by_partner(*, partner_org: str) -> ColumnElement[bool]:
    """The SQL condition for the follow-ups of this partner's trainees (a list filter, not a scope)."""
    partner = select(Placement.external_id) \
        .join(Trainee, col(Trainee.external_id) == col(Placement.trainee_external_id)) \
        .where(Trainee.partner_org == partner_org)
    return col(Followup.placement_external_id).in_(partner)


def list_scheduled(*, session: Session, placement_external_ids: Collection[str]) -> set[tuple[str, int]]:
    """The (placement, month) follow-ups these placements already have."""
    ordered = sorted(placement_external_ids)
    existing: set[tuple[str, int]] = set()
    for start in range(0, len(ordered), CHUNK):
        existing.update((placement, month) for placement, month in session.exec(
            select(Followup.placement_external_id, Followup.month)
            .where(col(Followup.placement_external_id).in_(ordered[start:start + CHUNK]))))
    return existing


@dataclass(frozen=True)
class DueCounts:
    """How many follow-ups are due (overdue ones included), how many of them overdue, and on flagged records."""

    total: int
    overdue: int
    flagged: int


def due(*, session: Session, caller: ApiKey, day: date, before: date, limit: int
        ) -> tuple[list[tuple[Followup, str | None, bool]], DueCounts]:
    """Follow-ups the key may see, not yet done and due before a day: the first `limit` with whose each is and
    whether her record has an open risk flag (flagged first, then the longest overdue), and the counts of all."""
    flagged = func.coalesce(col(Trainee.risk_flag), False)
    where = [col(Followup.checked_on).is_(None), col(Followup.due_on) < before, *visible(caller)]

    def joined(statement: Any) -> Any:
        return statement \
            .outerjoin(Placement, col(Placement.external_id) == col(Followup.placement_external_id)) \
            .outerjoin(Trainee, col(Trainee.external_id) == col(Placement.trainee_external_id)).where(*where)

    rows = [(row, trainee, bool(flag)) for row, trainee, flag in session.exec(joined(
        select(Followup, col(Trainee.external_id), flagged))
        .order_by(case((flagged, 0), else_=1), col(Followup.due_on), col(Followup.placement_external_id),
                  col(Followup.month)).limit(limit))]
    total, overdue, on_flagged = session.exec(joined(select(
        func.count(), func.coalesce(func.sum(case((col(Followup.due_on) < day, 1), else_=0)), 0),
        func.coalesce(func.sum(case((flagged, 1), else_=0)), 0)).select_from(Followup))).one()
    return rows, DueCounts(total=int(total), overdue=int(overdue), flagged=int(on_flagged))
