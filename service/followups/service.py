"""Follow-ups, addressed by placement and month."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel

from service.core import prepare as prep
from service.core.errors import InvalidInput
from service.core.resource import ExternalIdPath, Resource
from service.followups.models import (Followup, FollowupCreate, FollowupMonth, FollowupPublic, FollowupsPublic,
                                      FollowupUpdate)
from service.placements.models import Placement
from service.reference import Reference


class FollowupFilters(BaseModel):
    placement_external_id: str | None = None
    month: FollowupMonth | None = None
    employed: bool | None = None
    risk_flag: bool | None = None
    updated_since: datetime | None = None


FOLLOWUP_MONTHS = (1, 3, 6, 12)


def key(placement_external_id: ExternalIdPath,
        month: Annotated[int, Path(ge=1, le=12, description="Months since the start: 1, 3, 6 or 12.")]) -> dict[str, Any]:
    """A follow-up is addressed by its placement and month."""
    if month not in FOLLOWUP_MONTHS:
        raise InvalidInput("Follow-ups are at 1, 3, 6 and 12 months.",
                           errors=[{"loc": ["path", "month"], "reason": "must be 1, 3, 6 or 12"}])
    return {"placement_external_id": placement_external_id, "month": month}


def prepare(*, values: dict[str, Any], reference: Reference) -> tuple[dict[str, Any], prep.Findings]:
    """Nothing to map: follow-up fields are plain values."""
    return dict(values), prep.Findings()


def conditions(filters: FollowupFilters) -> list[Any]:
    """SQL conditions for the list filters."""
    found = [getattr(Followup, name) == value
             for name, value in filters.model_dump(exclude={"updated_since"}, exclude_none=True).items()]
    if filters.updated_since:
        found.append(Followup.updated_at >= filters.updated_since)
    return found


RESOURCE = Resource(label="follow-up", path="/followups", table=Followup, create=FollowupCreate,
                    update=FollowupUpdate, public=FollowupPublic, page=FollowupsPublic, filters=FollowupFilters,
                    conditions=conditions, prepare=prepare, references={"placement_external_id": Placement},
                    key_path="/{placement_external_id}/{month}", key=key, order_by=("placement_external_id", "month"))
