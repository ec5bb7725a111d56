"""Match runs and their proposals in the database: every statement on match_run and proposal, and which
proposals a key may see (a coordinator only her partner's trainees')."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, case, delete, func, insert, update
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from service.auth.models import ApiKey
from service.core.models import Page, utcnow
from service.keys.sites import within_key_sites
from service.nightly.models import DeclineReason, FairnessReport, MatchRun, Proposal
from service.records import crud

PROPOSAL_TABLE = Proposal.metadata.tables["proposal"]
DECIDABLE = ("complete", "superseded")  # a proposal can be decided once its run has been complete
DeclineRow = tuple[str, str, DeclineReason | None, datetime.datetime | None]
EXPORT_BATCH = 5_000  # rows the export holds in memory at once


def visible(key: ApiKey) -> list[ColumnElement[bool]]:
    """SQL conditions restricting proposals to the rows this key may see."""
    return [col(Proposal.partner_org) == key.partner_org] if key.role == "coordinator" else []


# --------------------------------------------------------------------------- runs


def runs_visible(key: ApiKey) -> list[Any]:
    """SQL conditions restricting runs to those of the sites this key works in."""
    return within_key_sites(MatchRun.site, key)


def run_visible(*, session: Session, run: MatchRun, key: ApiKey) -> bool:
    """Whether this key works in the run's site."""
    conditions = runs_visible(key)
    return not conditions or session.exec(select(MatchRun.id).where(MatchRun.id == run.id, *conditions)).first() \
        is not None


def page_of_runs(*, session: Session, page: Page, conditions: Sequence[Any] = ()) -> tuple[list[MatchRun], int]:
    """One page of runs (those the conditions allow), newest first, and how many there are."""
    return crud.list(session=session, table=MatchRun, conditions=list(conditions), page=page,
                     order_by=[col(MatchRun.id).desc()])


def find_run(*, session: Session, run_id: int) -> MatchRun | None:
    return session.get(MatchRun, run_id)


def newest_complete_run(*, session: Session, as_of: datetime.date | None = None, site: str | None = None
                        ) -> MatchRun | None:
    """The newest complete run (for a day, of a site, when given)."""
    statement = select(MatchRun).where(col(MatchRun.status) == "complete")
    if site is not None:
        statement = statement.where(col(MatchRun.site) == site)
    if as_of is not None:
        statement = statement.where(col(MatchRun.as_of) == as_of)
    return session.exec(statement.order_by(col(MatchRun.finished_at).desc(), col(MatchRun.id).desc())
                        .limit(1)).one_or_none()


def clear_stale_runs(session: Session) -> int:
    """Runs left 'running' (by a version that wrote runs in steps, killed mid-way): their rows go and the run is
    marked failed. A run now appears whole, in one transaction, or not at all."""
    stale = session.exec(select(MatchRun.id).where(col(MatchRun.status) == "running")).all()
    if stale:
        session.exec(delete(Proposal).where(col(Proposal.run_id).in_(stale)))
        session.exec(delete(FairnessReport).where(col(FairnessReport.run_id).in_(stale)))
        session.exec(update(MatchRun).where(col(MatchRun.id).in_(stale)).values(status="failed", finished_at=utcnow()))
    return len(stale)


def supersede_complete_runs(session: Session, as_of: datetime.date, site: str) -> None:
    """The site's complete runs of the day become superseded (by the run being written)."""
    session.exec(update(MatchRun).where(col(MatchRun.as_of) == as_of, col(MatchRun.status) == "complete",
                                        col(MatchRun.site) == site)
                 .values(status="superseded"))


def save_run(session: Session, run: MatchRun) -> None:
    """Store the run (new or changed) and flush it, so that a new run has its id."""
    session.add(run)
    session.flush()


def save_fairness_report(session: Session, report: FairnessReport) -> None:
    """Store a run's fairness report (in the unit of work that writes the run)."""
    session.add(report)
    session.flush()


def find_fairness_report(*, session: Session, run_id: int) -> FairnessReport | None:
    return session.get(FairnessReport, run_id)


# --------------------------------------------------------------------------- proposals


def insert_proposals(session: Session, run_id: int | None, rows: Sequence[Mapping[str, Any]]) -> None:
    """Proposal rows of a run, in one multi-row insert."""
    session.execute(insert(PROPOSAL_TABLE), [{**row, "run_id": run_id} for row in rows])


def page_of_proposals(*, session: Session, run_id: int | None, caller: ApiKey, kind: str | None,
                      page: Page | None) -> tuple[list[Proposal], int]:
    """A run's proposals (and alternatives) the caller may see, by trainee, and how many there are."""
    conditions = [col(Proposal.run_id) == run_id, *visible(caller)]
    if kind:
        conditions.append(col(Proposal.kind) == kind)
    total = session.exec(select(func.count()).select_from(Proposal).where(*conditions)).one()
    statement = select(Proposal).where(*conditions).order_by(col(Proposal.trainee_external_id),
                                                             col(Proposal.kind).desc(),
                                                             col(Proposal.alternative_rank))
    if page is not None:
        statement = statement.offset(page.offset).limit(page.limit)
    return [*session.exec(statement)], total


def proposal_counts(*, session: Session, run_id: int, caller: ApiKey) -> tuple[int, int]:
    """How many proposals (not alternatives) of a run the caller may see, and how many of them wait for a decision."""
    total, waiting = session.execute(
        select_columns(func.count(), func.coalesce(func.sum(case((col(Proposal.status) == "proposed", 1), else_=0)), 0))
        .select_from(Proposal)
        .where(col(Proposal.run_id) == run_id, col(Proposal.kind) == "proposal", *visible(caller))).one()
    return int(total), int(waiting)


class TraineeRows(NamedTuple):
    """One page of the women a run has rows for, and how many there are, in all and still waiting."""

    trainee_external_ids: list[str]
    total: int
    waiting: int


def trainee_rows(*, session: Session, run_id: int, caller: ApiKey, waiting_only: bool, offset: int, limit: int
                 ) -> TraineeRows:
    """The women of a run the caller may see, by programme id (one page; only those whose rows wait for a decision
    when asked: her first row — the proposal, or else her first alternative, rank 1 — undecided, none accepted)."""
    def any_row(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.max(case((condition, 1), else_=0))

    proposal, status = col(Proposal.kind) == "proposal", col(Proposal.status)
    first_undecided = (any_row(proposal & (status == "proposed")) == 1) | (
        (any_row(proposal) == 0)
        & (any_row((col(Proposal.alternative_rank) == 1) & (status == "proposed")) == 1))
    women = select_columns(col(Proposal.trainee_external_id).label("trainee"),
                           case((first_undecided & (any_row(status == "accepted") == 0), 1), else_=0).label("waits")) \
        .where(col(Proposal.run_id) == run_id, *visible(caller)) \
        .group_by(col(Proposal.trainee_external_id)).subquery()
    # one pass: the counts over every woman beside each row; waiting women first when only they are asked for
    order = (women.c.waits.desc(), women.c.trainee) if waiting_only else (women.c.trainee,)
    found = session.execute(select_columns(women.c.trainee, women.c.waits, func.count().over(),
                                           func.sum(women.c.waits).over())
                            .order_by(*order).offset(offset).limit(limit)).all()
    if not found:
        total, waiting = session.execute(select_columns(func.count(), func.coalesce(func.sum(women.c.waits), 0))
                                         ).one()
        return TraineeRows(trainee_external_ids=[], total=int(total), waiting=int(waiting))
    ids = [trainee for trainee, waits, _, _ in found if waits or not waiting_only]
    return TraineeRows(trainee_external_ids=ids, total=int(found[0][2]), waiting=int(found[0][3]))


def trainee_of_proposal(*, session: Session, run_id: int, proposal_id: int, caller: ApiKey) -> str | None:
    """Whose this proposal of a run is, if the caller may see it."""
    return session.execute(select_columns(col(Proposal.trainee_external_id)).where(
        col(Proposal.run_id) == run_id, col(Proposal.id) == proposal_id, *visible(caller))).scalar_one_or_none()


def proposals_of(*, session: Session, run_id: int, caller: ApiKey, trainee_external_ids: Sequence[str]
                 ) -> list[Proposal]:
    """The rows of a run for these trainees that the caller may see, by trainee (her proposal, then alternatives)."""
    rows: list[Proposal] = []
    for start in range(0, len(trainee_external_ids), 1000):
        chunk = trainee_external_ids[start:start + 1000]
        rows += session.exec(select(Proposal).where(
            col(Proposal.run_id) == run_id, col(Proposal.trainee_external_id).in_(chunk),
            *visible(caller)).order_by(col(Proposal.trainee_external_id), col(Proposal.kind).desc(),
                                       col(Proposal.alternative_rank)))
    return rows


def find_decidable_proposal(*, session: Session, proposal_id: int, caller: ApiKey) -> Proposal | None:
    """The proposal, if the caller may see it and its run has been complete (decided or not)."""
    return session.exec(select(Proposal).join(MatchRun, col(MatchRun.id) == col(Proposal.run_id))
                        .where(col(Proposal.id) == proposal_id, col(MatchRun.status).in_(DECIDABLE),
                               *visible(caller))).one_or_none()


def claim_proposal(*, session: Session, proposal_id: int, values: Mapping[str, Any]) -> int:
    """Decide a proposal only if it is still undecided, in one statement; the number of rows changed (0 or 1)."""
    return session.exec(update(Proposal).where(col(Proposal.id) == proposal_id, col(Proposal.status) == "proposed")
                        .values(decided_at=utcnow(), **values)).rowcount


def declines(session: Session) -> list[DeclineRow]:
    """Every declined proposal: (trainee, opening, reason, when), newest first."""
    return [(trainee, opening, reason, when) for trainee, opening, reason, when in session.exec(
        select(col(Proposal.trainee_external_id), col(Proposal.opening_external_id), col(Proposal.decline_reason),
               col(Proposal.decided_at)).where(col(Proposal.status) == "declined")
        .order_by(col(Proposal.decided_at).desc()))]


EXPORT_COLUMNS = ("id", "status", "kind", "trainee_external_id", "opening_external_id", "score", "rank_in_her_list",
                  "alternative_rank", "reasons")


def export_rows(session: Session, run_id: int, kind: str) -> Iterator[dict[str, Any]]:
    """A run's proposals of one kind as mappings of EXPORT_COLUMNS, by trainee, streamed in batches."""
    statement = (select_columns(*(PROPOSAL_TABLE.c[name] for name in EXPORT_COLUMNS))
                 .where(col(Proposal.run_id) == run_id, col(Proposal.kind) == kind)
                 .order_by(col(Proposal.trainee_external_id), col(Proposal.alternative_rank))
                 .execution_options(yield_per=EXPORT_BATCH))
    return (dict(row) for row in session.execute(statement).mappings())


def opening_ids_of_run(session: Session, run_id: int) -> set[str]:
    """The openings a run proposes (or offers as alternatives)."""
    return set(session.exec(select(Proposal.opening_external_id).where(col(Proposal.run_id) == run_id).distinct()))


def repoint_trainee(session: Session, external_id: str, pseudonym: str) -> None:
    """Her proposals (declines included) stay for learning, under another id: the erasure's pseudonym."""
    session.exec(update(Proposal).where(col(Proposal.trainee_external_id) == external_id)
                 .values(trainee_external_id=pseudonym))
