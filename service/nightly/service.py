"""Reading runs and proposals, and what follows a proposal: accept (a placement and its follow-ups) or decline."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from service.audit import service as audit
from service.auth.models import ApiKey
from service.records import crud, unit_of_work, writes
from service.core.errors import Conflict, NotFound
from service.core.models import Day, FreeText, Page, utcnow
from service.followups.schedule import schedule
from service.nightly import scope
from service.nightly.models import DeclineReason, MatchRun, Proposal
from service.placements.models import Placement
from service.placements.repository import open_placement
from service.trainees import repository as trainee_scope
from service.trainees.models import Trainee


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    started_on: Day | None = Field(default=None, description="Accept: her first day (default: today).")


class Decline(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: DeclineReason
    note: FreeText | None = None


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


def proposals(*, session: Session, run: MatchRun, caller: ApiKey, kind: str | None, page: Page | None
              ) -> tuple[list[Proposal], int]:
    """A run's proposals (and alternatives) the caller may see, by trainee."""
    conditions = [Proposal.run_id == run.id, *scope.visible(caller)]
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
                                 *scope.visible(caller))).scalar_one_or_none()
    if row is None:
        raise NotFound(f"No proposal {proposal_id}.")
    if row.status != "proposed":
        raise Conflict(f"Proposal {proposal_id} was already {row.status}.")
    return row


def _claim(session: Session, proposal_id: int, **values: Any) -> None:
    """Decide a proposal only if it is still undecided, in one statement: of simultaneous decisions exactly one
    changes the row (PostgreSQL locks it and re-checks the status once the first commits; SQLite's write lock
    serialises them), and every other gets a Conflict."""
    # Nothing is written yet: end the read transaction so that the claim starts a fresh one (SQLite refuses to
    # upgrade a read snapshot that another writer has since moved past).
    unit_of_work.release_connection(session)
    claimed = session.execute(update(Proposal).where(Proposal.id == proposal_id, Proposal.status == "proposed")
                              .values(decided_at=utcnow(), **values)).rowcount
    if claimed != 1:
        raise Conflict(f"Proposal {proposal_id} was already decided.")


def _already_placed(session: Session, trainee_external_id: str) -> Conflict | None:
    current = open_placement(session, trainee_external_id)
    if current is None:
        return None
    return Conflict(f"She already has an open placement ({current}); end it before accepting another proposal.")


def accept(*, session: Session, proposal_id: int, decision: Decision, caller: ApiKey) -> Proposal:
    """Accepting creates her placement and its follow-ups due at 1, 3, 6 and 12 months; she is now placed."""
    row = _proposal(session, proposal_id, caller)
    trainee = crud.find(session=session, table=Trainee, key={"external_id": row.trainee_external_id},
                        conditions=trainee_scope.visible(caller))
    if trainee is None:
        raise NotFound(f"No proposal {proposal_id}.")
    if (placed := _already_placed(session, row.trainee_external_id)) is not None:
        raise placed
    started = decision.started_on or unit_of_work.today(session)
    placement_id = f"PL-{started:%Y%m%d}-{secrets.token_hex(4)}"
    try:
        _claim(session, proposal_id, status="accepted", placement_external_id=placement_id)
        writes.insert(session=session, row=Placement(external_id=placement_id, trainee_external_id=row.trainee_external_id,
                                                     opening_external_id=row.opening_external_id, started_on=started),
                      action="proposal_accepted")
        schedule(session=session, placements=[(placement_id, started, None)])
        writes.update(session=session, row=trainee, values={"status": "placed"}, action="proposal_accepted")
    except IntegrityError as exc:  # another proposal of hers was accepted meanwhile: the unique indexes refuse
        session.rollback()
        raise _already_placed(session, row.trainee_external_id) or Conflict(
            f"Proposal {proposal_id} conflicts with a decision taken meanwhile.") from exc
    session.refresh(row)
    return row


def decline(*, session: Session, proposal_id: int, body: Decline, caller: ApiKey) -> Proposal:
    """A decline and its reason are kept: for learning, and shown (and not proposed again) in later runs."""
    row = _proposal(session, proposal_id, caller)
    _claim(session, proposal_id, status="declined", decline_reason=body.reason, decline_note=body.note)
    audit.record(session=session, caller=caller, action="proposal_declined", entity="trainee",
                 external_ids=[row.trainee_external_id])
    session.refresh(row)
    return row
