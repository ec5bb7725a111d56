"""Reading runs and proposals, and what follows a proposal: accept (a placement and its follow-ups) or decline."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from service.audit import service as audit
from service.auth.models import ApiKey
from service.auth.policy import allows
from service.core.errors import Conflict, NotFound
from service.core.models import Day, FreeText, Page
from service.followups.schedule import schedule
from service.matches import summaries
from service.matches.models import OpeningSummary, ScoreMeaning
from service.nightly import repository, sheets
from service.nightly.models import (
    DecidedProposal,
    DeclineReason,
    FairnessReportPublic,
    MatchRun,
    Proposal,
    ProposalPublic,
    ProposalsPublic,
)
from service.placements.models import Placement
from service.placements.repository import open_placement
from service.records import crud, unit_of_work, writes
from service.trainees import repository as trainee_repository
from service.trainees.models import Trainee


class Decision(BaseModel):
    """Accepting a proposal: every field optional, so no body at all (or `{}`) accepts it as of today."""

    model_config = ConfigDict(extra="forbid")

    started_on: Day | None = Field(default=None, description="Her first day (default: today, site time).")


class Decline(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: DeclineReason
    note: FreeText | None = None


def list_runs(*, session: Session, page: Page, caller: ApiKey | None = None, site: str | None = None
              ) -> tuple[list[MatchRun], int]:
    """Runs of the sites this key works in (of one site, when given), newest first."""
    conditions = [] if caller is None else repository.runs_visible(caller)
    if site is not None:
        conditions.append(MatchRun.site == site)
    return repository.page_of_runs(session=session, page=page, conditions=conditions)


def get_run(*, session: Session, run_id: int, caller: ApiKey | None = None) -> MatchRun:
    """One run, if it is of a site this key works in."""
    run = repository.find_run(session=session, run_id=run_id)
    if run is None or (caller is not None and not repository.run_visible(session=session, run=run, key=caller)):
        raise NotFound(f"No match run {run_id}.")
    return run


def latest_run(*, session: Session, as_of: datetime.date | None = None, site: str | None = None) -> MatchRun:
    """The newest complete run (for a day, of a site, when given): readers never see a running or killed one."""
    run = repository.newest_complete_run(session=session, as_of=as_of, site=site)
    if run is None:
        raise NotFound("No complete match run yet.")
    return run


def fairness_report(*, session: Session, run_id: int, caller: ApiKey) -> FairnessReportPublic:
    """A run's fairness report; the survivors' aggregate only for admins."""
    run = get_run(session=session, run_id=run_id, caller=caller)  # 404 for a run of another site
    stored = repository.find_fairness_report(session=session, run_id=run_id)
    if stored is None:
        raise NotFound(f"Match run {run_id} has no fairness report (it ran before runs had one).")
    survivors = stored.survivors if allows(caller, "match_run:read_survivors") else None
    return FairnessReportPublic.model_validate({**stored.report, "run_id": run_id, "as_of": run.as_of,
                                                "fairness": run.fairness, "survivors": survivors})


def run_score_meaning(run: MatchRun) -> ScoreMeaning:
    """What the scores of this run are (from the version of the scorer it used)."""
    return summaries.score_meaning(run.model_versions.get("score"))


def public(row: Proposal, openings: dict[str, OpeningSummary]) -> ProposalPublic:
    """A stored proposal as answered: its score rounded, its opening summarised."""
    return ProposalPublic.model_validate({**row.model_dump(), "opening": openings.get(row.opening_external_id)})


TraineeRows = repository.TraineeRows


def trainee_rows(*, session: Session, run: MatchRun, caller: ApiKey, waiting_only: bool, offset: int, limit: int
                 ) -> TraineeRows:
    """One page of the women a run has rows for that the caller may see (or only those waiting for a decision),
    and how many there are."""
    assert run.id is not None  # a stored run has its id
    return repository.trainee_rows(session=session, run_id=run.id, caller=caller, waiting_only=waiting_only,
                                   offset=offset, limit=limit)


def trainee_of_proposal(*, session: Session, run: MatchRun, proposal_id: int, caller: ApiKey) -> str | None:
    """Whose a proposal of the run is, if the caller may see it."""
    assert run.id is not None  # a stored run has its id
    return repository.trainee_of_proposal(session=session, run_id=run.id, proposal_id=proposal_id, caller=caller)


def proposal_counts(*, session: Session, run: MatchRun, caller: ApiKey) -> tuple[int, int]:
    """How many proposals of a run the caller sees, and how many of them wait for a decision."""
    assert run.id is not None  # a stored run has its id
    return repository.proposal_counts(session=session, run_id=run.id, caller=caller)


def proposals_of(*, session: Session, run: MatchRun, caller: ApiKey, trainee_external_ids: Sequence[str]
                 ) -> list[Proposal]:
    """A run's rows for these trainees that the caller may see, by trainee."""
    assert run.id is not None  # a stored run has its id
    return repository.proposals_of(session=session, run_id=run.id, caller=caller,
                                   trainee_external_ids=trainee_external_ids)


def latest_proposals(*, session: Session, caller: ApiKey, as_of: datetime.date | None, kind: str | None,
                     page: Page, site: str | None = None) -> ProposalsPublic:
    """One page of the site's newest complete run's proposals (and alternatives) the caller may see, by trainee,
    each with its opening's summary."""
    run = latest_run(session=session, as_of=as_of, site=site)
    assert run.id is not None  # a stored run has its id
    rows, count = repository.page_of_proposals(session=session, run_id=run.id, caller=caller, kind=kind, page=page)
    openings = summaries.opening_summaries(session, {row.opening_external_id for row in rows})
    return ProposalsPublic(run_id=run.id, as_of=run.as_of, data=[public(row, openings) for row in rows], count=count,
                           **run_score_meaning(run).model_dump())


def latest_proposals_csv(*, session: Session, caller: ApiKey, as_of: datetime.date | None, kind: str | None,
                         site: str | None = None) -> tuple[str, str]:
    """Every proposal of the site's newest complete run the caller may see as a spreadsheet, and its file name."""
    run = latest_run(session=session, as_of=as_of, site=site)
    rows, _ = repository.page_of_proposals(session=session, run_id=run.id, caller=caller, kind=kind, page=None)
    openings = summaries.opening_summaries(session, {row.opening_external_id for row in rows})
    return (sheets.text((row.model_dump() for row in rows), openings, run_score_meaning(run).score_kind),
            f"proposals-{run.as_of}.csv")


def decided(session: Session, row: Proposal) -> DecidedProposal:
    """A proposal just decided, as answered: with its opening and what its score is."""
    run = get_run(session=session, run_id=row.run_id)
    openings = summaries.opening_summaries(session, [row.opening_external_id])
    return DecidedProposal.model_validate({**public(row, openings).model_dump(), **run_score_meaning(run).model_dump()})


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


def accept(*, session: Session, proposal_id: int, decision: Decision | None, caller: ApiKey) -> DecidedProposal:
    """Accepting creates her placement and its follow-ups due at 1, 3, 6 and 12 months; she is now placed."""
    decision = decision or Decision()
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
    return decided(session, row)


def decline(*, session: Session, proposal_id: int, body: Decline, caller: ApiKey) -> DecidedProposal:
    """A decline and its reason are kept: for learning, and shown (and not proposed again) in later runs."""
    row = _proposal(session, proposal_id, caller)
    _claim(session, proposal_id, status="declined", decline_reason=body.reason, decline_note=body.note)
    audit.record(session=session, caller=caller, action="proposal_declined", entity="trainee",
                 external_ids=[row.trainee_external_id])
    session.refresh(row)
    return decided(session, row)
