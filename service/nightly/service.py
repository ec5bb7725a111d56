"""Reading runs and proposals, and what follows a proposal: accept (a placement and its follow-ups) or decline."""

from __future__ import annotations

import csv
import datetime
import io
import secrets
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from service.audit import service as audit
from service.auth.models import ApiKey
from service.core.errors import Conflict, NotFound
from service.core.models import Day, FreeText, Page
from service.followups.schedule import schedule
from service.imports.cells import escape_formula
from service.nightly import repository
from service.nightly.models import DeclineReason, MatchRun, Proposal
from service.placements.models import Placement
from service.placements.repository import open_placement
from service.records import crud, unit_of_work, writes
from service.trainees import repository as trainee_repository
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
    return repository.page_of_runs(session=session, page=page)


def get_run(*, session: Session, run_id: int) -> MatchRun:
    run = repository.find_run(session=session, run_id=run_id)
    if run is None:
        raise NotFound(f"No match run {run_id}.")
    return run


def latest_run(*, session: Session, as_of: datetime.date | None = None) -> MatchRun:
    """The newest complete run (for a day, when given): readers never see a running or killed one."""
    run = repository.newest_complete_run(session=session, as_of=as_of)
    if run is None:
        raise NotFound("No complete match run yet.")
    return run


def proposals(*, session: Session, run: MatchRun, caller: ApiKey, kind: str | None, page: Page | None
              ) -> tuple[list[Proposal], int]:
    """A run's proposals (and alternatives) the caller may see, by trainee."""
    return repository.page_of_proposals(session=session, run_id=run.id, caller=caller, kind=kind, page=page)


def _proposal(session: Session, proposal_id: int, caller: ApiKey) -> Proposal:
    row = repository.find_decidable_proposal(session=session, proposal_id=proposal_id, caller=caller)
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
    claimed = repository.claim_proposal(session=session, proposal_id=proposal_id, values=values)
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
                        conditions=trainee_repository.visible(caller))
    if trainee is None:
        raise NotFound(f"No proposal {proposal_id}.")
    if (placed := _already_placed(session, row.trainee_external_id)) is not None:
        raise placed
    started = decision.started_on or unit_of_work.today(session)
    placement_id = f"PL-{started:%Y%m%d}-{secrets.token_hex(4)}"
    try:
        _claim(session, proposal_id, status="accepted", placement_external_id=placement_id)
        placement = Placement(external_id=placement_id, trainee_external_id=row.trainee_external_id,
                              opening_external_id=row.opening_external_id, started_on=started)
        writes.insert(session=session, row=placement, action="proposal_accepted")
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


CSV_COLUMNS = ["trainee_external_id", "opening_external_id", "kind", "score", "rank_in_her_list", "alternative_rank",
               "status"]


def proposals_csv(rows: Sequence[Proposal]) -> str:
    """Proposals as a spreadsheet: one row each, cells made formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([escape_formula(str(getattr(row, column))) if getattr(row, column) is not None else ""
                         for column in CSV_COLUMNS])
    return buffer.getvalue()
