"""Follow-up rows: which a key may see (a coordinator only those of her partner's trainees' placements, an
employer's key none), and the statements that read them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, false
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
