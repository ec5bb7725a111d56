"""Follow-ups, addressed by placement and month: the filters coordinators use, the risk flags they raise, and the
operations the follow-up routes call, each scoped to the calling key (`service.followups.repository`)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, col

from matching.dates import FOLLOWUP_MONTHS
from service.auth.models import ApiKey
from service.core import prepare as prep
from service.core.errors import InvalidInput
from service.core.models import Code, Day, ExternalId, Instant, Page
from service.core.reference import Reference
from service.followups import repository
from service.followups.models import (
    Followup,
    FollowupCreate,
    FollowupMonthQuery,
    FollowupPublic,
    FollowupsPublic,
    FollowupUpdate,
)
from service.followups.repository import DueCounts
from service.placements import repository as placements
from service.placements.models import Placement
from service.records import resource, unit_of_work, writes
from service.trainees.models import Trainee


class FollowupFilters(BaseModel):
    due_before: Day | None = Field(default=None, description="Only checks not yet done and due before this day.")
    partner_org: Code | None = Field(default=None, description="Only her partner's follow-ups.")
    placement_external_id: ExternalId | None = None
    month: FollowupMonthQuery | None = None
    employed: bool | None = None
    risk_flag: bool | None = None
    updated_since: Instant | None = None


def check_month(month: int) -> int:
    """A follow-up's month: 1, 3, 6 or 12 (the checks after a placement starts)."""
    if month not in FOLLOWUP_MONTHS:
        raise InvalidInput("Follow-ups are at 1, 3, 6 and 12 months.",
                           errors=[{"loc": ["path", "month"], "reason": "must be 1, 3, 6 or 12"}])
    return month


def prepare(*, values: dict[str, Any], reference: Reference) -> tuple[dict[str, Any], prep.Findings]:
    """Nothing to map: follow-up fields are plain values."""
    del reference  # every record's prepare is given it; a follow-up maps nothing onto the reference data
    return dict(values), prep.Findings()


def conditions(filters: FollowupFilters) -> builtins.list[Any]:
    """SQL conditions for the list filters."""
    found = [getattr(Followup, name) == value for name, value in
             filters.model_dump(exclude={"updated_since", "due_before", "partner_org"}, exclude_none=True).items()]
    if filters.due_before:
        found += [col(Followup.checked_on).is_(None), col(Followup.due_on) < filters.due_before]
    if filters.partner_org:
        found.append(repository.filter_by_partner(partner_org=filters.partner_org))
    if filters.updated_since:
        found.append(Followup.updated_at >= filters.updated_since)
    return found


def after_write(session: Session, row: Followup) -> None:
    """A risk flag in a follow-up is raised on her record too, where every coordinator sees it."""
    raise_risk_flags(session, [(row.placement_external_id, row.checked_on)] if row.risk_flag else [])


def raise_risk_flags(session: Session, flagged: builtins.list[tuple[str, date | None]]) -> None:
    """Raise the flag on the trainees of these placements, dated by their latest flagged check."""
    latest: dict[str, date] = {}
    owners = placements.map_trainees(session=session, placement_external_ids={pid for pid, _ in flagged})
    for pid, checked_on in flagged:
        if pid in owners:
            day = checked_on or unit_of_work.today(session)
            latest[owners[pid]] = max(day, latest.get(owners[pid], day))
    writes.update_each(session=session, table=Trainee, action="risk_flag", values_by_external_id={
        trainee_id: {"risk_flag": True, "risk_flagged_on": day} for trainee_id, day in latest.items()})


def enrich(session: Session, rows: Sequence[Followup]) -> builtins.list[FollowupPublic]:
    """Each follow-up with whose it is and whether a risk flag is open on her record."""
    owners = placements.map_trainees_and_flags(session=session, placement_external_ids=sorted(
        {row.placement_external_id for row in rows}))
    return [FollowupPublic.model_validate(row).model_copy(update={
        "trainee_external_id": owners.get(row.placement_external_id, (None, None))[0],
        "trainee_risk_flag": owners.get(row.placement_external_id, (None, None))[1]}) for row in rows]


RESOURCE = resource.Resource(label="follow-up", table=Followup, create=FollowupCreate, prepare=prepare,
                             scope=repository.SCOPE, order_by=("placement_external_id", "month"),
                             references={"placement_external_id": (Placement, placements.SCOPE)})


def _ident(placement_external_id: str, month: int) -> dict[str, Any]:
    return {"placement_external_id": placement_external_id, "month": month}


def list(*, session: Session, filters: FollowupFilters, page: Page, caller: ApiKey) -> FollowupsPublic:
    """A page of the follow-ups this key may see that match the filters, each with whose it is."""
    rows, count = resource.list(session=session, resource=RESOURCE, conditions=conditions(filters), page=page,
                                caller=caller)
    return FollowupsPublic(data=enrich(session, rows), count=count)


def due(*, session: Session, caller: ApiKey, day: date, before: date, limit: int
        ) -> tuple[builtins.list[FollowupPublic], DueCounts]:
    """Checks not yet done and due before a day, those on a record with an open risk flag first, then the longest
    overdue (the first `limit`), each with whose it is; and how many are due, overdue and flagged in all."""
    rows, counts = repository.due(session=session, caller=caller, day=day, before=before, limit=limit)
    return [FollowupPublic.model_validate(row).model_copy(update={
        "trainee_external_id": trainee, "trainee_risk_flag": flag}) for row, trainee, flag in rows], counts


def get(*, session: Session, placement_external_id: str, month: int, caller: ApiKey) -> FollowupPublic:
    """One follow-up this key may see."""
    row = resource.read(session=session, resource=RESOURCE, ident=_ident(placement_external_id, month), caller=caller)
    return enrich(session, [row])[0]


def upsert(*, session: Session, reference: Reference, placement_external_id: str, month: int, body: FollowupCreate,
           if_match: int | None, caller: ApiKey) -> tuple[FollowupPublic, bool]:
    """Create or replace a follow-up (raising any risk flag on her record); returns it and whether it is new."""
    row, created = resource.upsert(session=session, resource=RESOURCE, reference=reference,
                                   ident=_ident(placement_external_id, month), body=body, if_match=if_match,
                                   caller=caller, after_write=after_write)
    return enrich(session, [row])[0], created


def patch(*, session: Session, reference: Reference, placement_external_id: str, month: int, body: FollowupUpdate,
          if_match: int | None, caller: ApiKey) -> FollowupPublic:
    """Change some fields of a follow-up (a risk flag is raised on her record too)."""
    row = resource.patch(session=session, resource=RESOURCE, reference=reference,
                         ident=_ident(placement_external_id, month), body=body, if_match=if_match, caller=caller,
                         after_write=after_write)
    return enrich(session, [row])[0]


def delete(*, session: Session, placement_external_id: str, month: int, if_match: int | None, caller: ApiKey) -> None:
    """Delete a follow-up."""
    resource.delete(session=session, resource=RESOURCE, ident=_ident(placement_external_id, month), if_match=if_match,
                    caller=caller)
