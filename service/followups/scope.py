"""Which follow-ups a key may see: a coordinator only those of her partner's trainees' placements, an employer's
key none."""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, select

from service.auth.models import ApiKey
from service.followups.models import Followup
from service.placements.models import Placement
from service.records.resource import Scope
from service.trainees.models import Trainee


def visible(key: ApiKey) -> list[Any]:
    """SQL conditions restricting follow-ups to the rows this key may see."""
    if key.role == "coordinator":
        if key.partner_org is None:
            return [false()]
        partner_trainees = select(Trainee.external_id).where(Trainee.partner_org == key.partner_org)
        placements = select(Placement.external_id).where(Placement.trainee_external_id.in_(partner_trainees))
        return [Followup.placement_external_id.in_(placements)]
    if key.role == "employer":
        return [false()]
    return []


SCOPE = Scope(visible=visible)
