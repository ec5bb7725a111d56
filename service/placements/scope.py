"""Which placements a key may see and create: a coordinator only her partner's trainees', an employer's key none."""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, select

from service.auth.models import ApiKey
from service.placements.models import Placement
from service.records.resource import Scope
from service.trainees.models import Trainee


def visible(key: ApiKey) -> list[Any]:
    """SQL conditions restricting placements to the rows this key may see."""
    if key.role == "coordinator":
        if key.partner_org is None:
            return [false()]
        partner_trainees = select(Trainee.external_id).where(Trainee.partner_org == key.partner_org)
        return [Placement.trainee_external_id.in_(partner_trainees)]
    if key.role == "employer":
        return [false()]
    return []


def may_create(key: ApiKey, external_id: str) -> bool:
    """Whether a key may create a placement under this (unused) external id: a coordinator only in her
    partner's namespace ('<partner>:...'), so that an id she cannot see answers as an unused one would."""
    prefix = f"{key.partner_org}:" if key.role == "coordinator" else None
    return prefix is None or (external_id.startswith(prefix) and len(external_id) > len(prefix))


SCOPE = Scope(visible=visible, may_create=may_create)
