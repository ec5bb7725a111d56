"""Placements: checks on input and the filters coordinators use."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from service.core import prepare as prep
from service.core.resource import Resource
from service.followups.schedule import schedule
from service.openings.models import Opening
from service.placements.models import (Placement, PlacementCreate, PlacementPublic, PlacementsPublic,
                                       PlacementUpdate)
from service.reference import Reference
from service.trainees.models import Trainee


class PlacementFilters(BaseModel):
    trainee_external_id: str | None = None
    opening_external_id: str | None = None
    active: bool | None = None
    updated_since: datetime | None = None


def prepare(*, values: dict[str, Any], reference: Reference) -> tuple[dict[str, Any], prep.Findings]:
    """A placement cannot end before it starts."""
    findings = prep.Findings()
    if values.get("ended_on") and values["ended_on"] < values["started_on"]:
        findings.error("ended_on", "ends before it started")
    return dict(values), findings


def conditions(filters: PlacementFilters) -> list[Any]:
    """SQL conditions for the list filters."""
    found: list[Any] = []
    if filters.trainee_external_id:
        found.append(Placement.trainee_external_id == filters.trainee_external_id)
    if filters.opening_external_id:
        found.append(Placement.opening_external_id == filters.opening_external_id)
    if filters.active is not None:
        found.append(Placement.ended_on.is_(None) if filters.active else Placement.ended_on.is_not(None))
    if filters.updated_since:
        found.append(Placement.updated_at >= filters.updated_since)
    return found


def after_write(session: Session, row: Placement) -> None:
    """A placement is followed up at 1, 3, 6 and 12 months."""
    schedule(session=session, placements=[(row.external_id, row.started_on, row.ended_on)])


RESOURCE = Resource(label="placement", path="/placements", table=Placement, create=PlacementCreate,
                    update=PlacementUpdate, public=PlacementPublic, page=PlacementsPublic, filters=PlacementFilters,
                    conditions=conditions, prepare=prepare,
                    references={"trainee_external_id": Trainee, "opening_external_id": Opening},
                    after_write=after_write)
