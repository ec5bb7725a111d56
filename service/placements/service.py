"""Placements: checks on input, the filters coordinators use, and the operations the placement routes call, each
scoped to the calling key (`service.placements.repository`)."""

from __future__ import annotations

import builtins
from collections.abc import Collection
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col

from service.auth.models import ApiKey
from service.core import prepare as prep
from service.core.models import ExternalId, Instant, Page
from service.core.reference import Reference
from service.followups.schedule import schedule
from service.openings import repository as openings
from service.openings.models import Opening
from service.placements import repository
from service.placements.models import Placement, PlacementCreate, PlacementPublic, PlacementsPublic, PlacementUpdate
from service.records import resource
from service.trainees import repository as trainees
from service.trainees.models import Trainee


class PlacementFilters(BaseModel):
    trainee_external_id: ExternalId | None = None
    opening_external_id: ExternalId | None = None
    active: bool | None = None
    updated_since: Instant | None = None


def prepare(*, values: dict[str, Any], reference: Reference) -> tuple[dict[str, Any], prep.Findings]:
    """A placement cannot end before it starts."""
    del reference  # every record's prepare is given it; a placement maps nothing onto the reference data
    findings = prep.Findings()
    if values.get("ended_on") and values["ended_on"] < values["started_on"]:
        findings.error("ended_on", "ends before it started")
    return dict(values), findings


def conditions(filters: PlacementFilters) -> builtins.list[Any]:
    """SQL conditions for the list filters."""
    found: builtins.list[Any] = []
    if filters.trainee_external_id:
        found.append(Placement.trainee_external_id == filters.trainee_external_id)
    if filters.opening_external_id:
        found.append(Placement.opening_external_id == filters.opening_external_id)
    if filters.active is not None:
        found.append(col(Placement.ended_on).is_(None) if filters.active else col(Placement.ended_on).is_not(None))
    if filters.updated_since:
        found.append(Placement.updated_at >= filters.updated_since)
    return found


def after_write(session: Session, row: Placement) -> None:
    """A placement is followed up at 1, 3, 6 and 12 months."""
    schedule(session=session, placements=[(row.external_id, row.started_on, row.ended_on)])


def explain_conflict(session: Session, values: dict[str, Any]) -> str | None:
    """One woman, one open placement: say which one she has."""
    current = repository.open_placement(session, values.get("trainee_external_id", ""),
                                        other_than=values.get("external_id"))
    if current is None:
        return None
    return (f"She already has an open placement ({current}); end it (ended_on) before starting another, "
            "so that she is never counted as placed twice.")


RESOURCE = resource.Resource(label="placement", table=Placement, create=PlacementCreate, prepare=prepare,
                             scope=repository.SCOPE, references={"trainee_external_id": (Trainee, trainees.SCOPE),
                                                                 "opening_external_id": (Opening, openings.SCOPE)})


def list(*, session: Session, filters: PlacementFilters, page: Page, caller: ApiKey
         ) -> PlacementsPublic:
    """A page of the placements this key may see that match the filters."""
    rows, count = resource.list(session=session, resource=RESOURCE, conditions=conditions(filters), page=page,
                                caller=caller)
    return PlacementsPublic(data=[PlacementPublic.model_validate(row) for row in rows], count=count)


def map_openings(*, session: Session, external_ids: Collection[str], caller: ApiKey) -> dict[str, str]:
    """The opening of each of these placements this key may see, by placement external id."""
    if not external_ids:
        return {}
    rows, _ = resource.list(session=session, resource=RESOURCE,
                            conditions=[col(Placement.external_id).in_(sorted(set(external_ids)))],
                            page=Page(offset=0, limit=len(set(external_ids))), caller=caller)
    return {row.external_id: row.opening_external_id for row in rows}


def get(*, session: Session, external_id: str, caller: ApiKey) -> PlacementPublic:
    """One placement this key may see."""
    row = resource.read(session=session, resource=RESOURCE, ident={"external_id": external_id}, caller=caller)
    return PlacementPublic.model_validate(row)


def upsert(*, session: Session, reference: Reference, external_id: str, body: PlacementCreate, if_match: int | None,
           caller: ApiKey) -> tuple[PlacementPublic, bool]:
    """Create or replace a placement (and schedule its follow-ups); returns it and whether it was created."""
    row, created = resource.upsert(session=session, resource=RESOURCE, reference=reference,
                                   ident={"external_id": external_id}, body=body, if_match=if_match, caller=caller,
                                   after_write=after_write, explain_conflict=explain_conflict)
    return PlacementPublic.model_validate(row), created


def patch(*, session: Session, reference: Reference, external_id: str, body: PlacementUpdate, if_match: int | None,
          caller: ApiKey) -> PlacementPublic:
    """Change some fields of a placement (and re-schedule its follow-ups)."""
    row = resource.patch(session=session, resource=RESOURCE, reference=reference, ident={"external_id": external_id},
                         body=body, if_match=if_match, caller=caller, after_write=after_write,
                         explain_conflict=explain_conflict)
    return PlacementPublic.model_validate(row)


def delete(*, session: Session, external_id: str, if_match: int | None, caller: ApiKey) -> None:
    """Delete a placement no other record refers to."""
    resource.delete(session=session, resource=RESOURCE, ident={"external_id": external_id}, if_match=if_match,
                    caller=caller)
