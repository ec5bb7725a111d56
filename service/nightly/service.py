"""Reading runs and proposals, and what follows a proposal: accept (a placement and its follow-ups) or decline."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlmodel import Session

from service.audit import service as audit
from service.auth import policy
from service.auth.models import ApiKey
from service.changes import service as changes
from service.core import crud
from service.core.errors import Conflict, NotFound
from service.core.models import Page, utcnow
from service.followups.schedule import schedule
from service.nightly.models import DeclineReason, MatchRun, Proposal
from service.placements.models import Placement
from service.trainees.models import Trainee


class Decision(BaseModel):
    started_on: datetime.date | None = Field(default=None, description="Accept: her first day (default: today).")


class Decline(BaseModel):
    reason: DeclineReason
    note: str | None = Field(default=None, max_length=500)


def list_runs(*, session: Session, page: Page) -> tuple[list[MatchRun], int]:
    """Runs, newest first."""
    return crud.list(session=session, table=MatchRun, conditions=[], page=page, order_by=[MatchRun.id.desc()])


def get_run(*, session: Session, run_id: int) -> MatchRun:
    run = session.get(MatchRun, run_id)
    if run is None:
        raise NotFound(f"No match run {run_id}.")
    return run


def latest_run(*, session: Session, as_of: datetime.date | None = None) -> MatchRun:
    """The newest complete run (for a day, when given): readers never see a running or killed one."""
    statement = select(MatchRun).where(MatchRun.status == "complete")
    if as_of is not None:
        statement = statement.where(MatchRun.as_of == as_of)
    run = session.execute(statement.order_by(MatchRun.finished_at.desc(), MatchRun.id.desc()).limit(1)).scalar_one_or_none()
    if run is None:
        raise NotFound("No complete match run yet.")
    return run


def _scope(caller: ApiKey) -> list[Any]:
    return [Proposal.partner_org == caller.partner_org] if caller.role == "coordinator" else []


def proposals(*, session: Session, run: MatchRun, caller: ApiKey, kind: str | None, page: Page | None
              ) -> tuple[list[Proposal], int]:
    """A run's proposals (and alternatives) the caller may see, by trainee."""
    conditions = [Proposal.run_id == run.id, *_scope(caller)]
    if kind:
        conditions.append(Proposal.kind == kind)
    total = session.execute(select(func.count()).select_from(Proposal).where(*conditions)).scalar_one()
    statement = select(Proposal).where(*conditions).order_by(Proposal.trainee_external_id, Proposal.kind.desc(),
                                                             Proposal.alternative_rank)
    if page is not None:
        statement = statement.offset(page.offset).limit(page.limit)
    return [*session.execute(statement).scalars()], total


def _proposal(session: Session, proposal_id: int, caller: ApiKey) -> Proposal:
    row = session.execute(select(Proposal).join(MatchRun, MatchRun.id == Proposal.run_id)
                          .where(Proposal.id == proposal_id, MatchRun.status.in_(("complete", "superseded")),
                                 *_scope(caller))).scalar_one_or_none()
    if row is None:
        raise NotFound(f"No proposal {proposal_id}.")
    if row.status != "proposed":
        raise Conflict(f"Proposal {proposal_id} was already {row.status}.")
    return row


def accept(*, session: Session, proposal_id: int, decision: Decision, caller: ApiKey) -> Proposal:
    """Accepting creates her placement and its follow-ups due at 1, 3, 6 and 12 months; she is now placed."""
    row = _proposal(session, proposal_id, caller)
    trainee = crud.find(session=session, table=Trainee, key={"external_id": row.trainee_external_id},
                        conditions=policy.visible(caller, Trainee))
    if trainee is None:
        raise NotFound(f"No proposal {proposal_id}.")
    started = decision.started_on or datetime.date.today()
    placement = Placement(external_id=f"PL-{started:%Y%m%d}-{secrets.token_hex(4)}",
                          trainee_external_id=row.trainee_external_id,
                          opening_external_id=row.opening_external_id, started_on=started)
    session.add(placement)
    session.flush()
    schedule(session=session, placements=[(placement.external_id, started, None)])
    crud.apply(trainee, {"status": "placed"})
    row.status, row.decided_at, row.placement_external_id = "accepted", utcnow(), placement.external_id
    changes.record(session=session, entity="trainee", external_ids=[trainee.external_id])
    changes.record(session=session, entity="opening", external_ids=[row.opening_external_id])
    audit.record(session=session, caller=caller, action="proposal_accepted", entity="trainee",
                 external_ids=[trainee.external_id])
    session.commit()
    return row


def decline(*, session: Session, proposal_id: int, body: Decline, caller: ApiKey) -> Proposal:
    """A decline and its reason are kept: for learning, and shown (and not proposed again) in later runs."""
    row = _proposal(session, proposal_id, caller)
    row.status, row.decided_at, row.decline_reason, row.decline_note = "declined", utcnow(), body.reason, body.note
    audit.record(session=session, caller=caller, action="proposal_declined", entity="trainee",
                 external_ids=[row.trainee_external_id])
    session.commit()
    return row
