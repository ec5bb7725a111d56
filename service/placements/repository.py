"""Placement rows: which a key may see and create (a coordinator only her partner's trainees', an employer's key
none), and the statements that read them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import false
from sqlmodel import Session, col, func, select

from service.auth.models import ApiKey
from service.placements.models import Placement
from service.records.resource import Scope
from service.trainees.models import Trainee

CHUNK = 1000  # ids per IN (...) list


def visible(key: ApiKey) -> list[Any]:
    """SQL conditions restricting placements to the rows this key may see."""
    if key.role == "coordinator":
        if key.partner_org is None:
            return [false()]
        partner_trainees = select(Trainee.external_id).where(Trainee.partner_org == key.partner_org)
        return [col(Placement.trainee_external_id).in_(partner_trainees)]
    if key.role == "employer":
        return [false()]
    return []


def may_create(key: ApiKey, external_id: str) -> bool:
    """Whether a key may create a placement under this (unused) external id: a coordinator only in her
    partner's namespace ('<partner>:...'), so that an id she cannot see answers as an unused one would."""
    prefix = f"{key.partner_org}:" if key.role == "coordinator" else None
    return prefix is None or (external_id.startswith(prefix) and len(external_id) > len(prefix))


SCOPE = Scope(visible=visible, may_create=may_create)


def open_placement(session: Session, trainee_external_id: str, *, other_than: str | None = None) -> str | None:
    """The external id of her open placement (other than this one), if she has one."""
    statement = select(Placement.external_id).where(Placement.trainee_external_id == trainee_external_id,
                                                    col(Placement.ended_on).is_(None))
    if other_than is not None:
        statement = statement.where(Placement.external_id != other_than)
    return session.exec(statement.limit(1)).one_or_none()


def exists_for_trainee(*, session: Session, trainee_external_id: str) -> bool:
    """Whether any placement (open or ended) is hers."""
    return session.exec(select(Placement.id).where(Placement.trainee_external_id == trainee_external_id)
                        .limit(1)).first() is not None


def count_running(*, session: Session, opening_external_ids: Collection[str] | None = None) -> dict[str, int]:
    """How many placements still running each opening has (all openings, or only these)."""
    statement = select(Placement.opening_external_id, func.count()).where(col(Placement.ended_on).is_(None)) \
        .group_by(col(Placement.opening_external_id))
    if opening_external_ids is not None:
        statement = statement.where(col(Placement.opening_external_id).in_(opening_external_ids))
    return dict(session.exec(statement).all())


def map_trainees(*, session: Session, placement_external_ids: Collection[str]) -> dict[str, str]:
    """Whose each of these placements is: placement id -> trainee id."""
    ordered = sorted(placement_external_ids)
    owners: dict[str, str] = {}
    for start in range(0, len(ordered), CHUNK):
        owners.update(session.exec(select(Placement.external_id, Placement.trainee_external_id)
                                   .where(col(Placement.external_id).in_(ordered[start:start + CHUNK]))).all())
    return owners


def map_trainees_and_flags(*, session: Session, placement_external_ids: Collection[str]
                           ) -> dict[str, tuple[str, bool]]:
    """Whose each of these placements is, and whether a risk flag is open on her record."""
    if not placement_external_ids:
        return {}
    return {placement: (trainee, flag) for placement, trainee, flag in session.exec(
        select(Placement.external_id, Trainee.external_id, Trainee.risk_flag)
        .join(Trainee, col(Trainee.external_id) == col(Placement.trainee_external_id))
        .where(col(Placement.external_id).in_(placement_external_ids)))}
