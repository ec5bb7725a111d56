"""Reading openings and trainees from the database into the matching library's columnar tables."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matching.tables import OpeningTable, TraineeTable
from service.employers.models import Employer
from service.openings.models import Opening
from service.placements.models import Placement
from service.core.reference import Reference
from service.trainees.models import Trainee

CHUNK = 1000


def _rows(session: Session, statement, column, ids: Collection[str] | None):  # noqa: ANN001, ANN202
    """Rows of a statement, all of them or only those whose column is among ids (in chunks)."""
    if ids is None:
        yield from session.execute(statement).mappings()
        return
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield from session.execute(statement.where(column.in_(ordered[start:start + CHUNK]))).mappings()


def opening_records(session: Session, *, ids: Collection[str] | None = None, open_only: bool = True) -> list[dict]:
    """Opening rows as dicts, with positions_left = positions minus placements still running in them."""
    statement = select(Opening.__table__)
    if open_only:
        statement = statement.where(Opening.status == "open")
    records = [dict(row) for row in _rows(session, statement, Opening.external_id, ids)]
    if records:
        running = select(Placement.opening_external_id, func.count()).where(Placement.ended_on.is_(None)) \
            .group_by(Placement.opening_external_id)
        if ids is not None and len(records) <= CHUNK:  # a few openings: count only theirs
            running = running.where(Placement.opening_external_id.in_([r["external_id"] for r in records]))
        taken = dict(session.execute(running).all())
        for record in records:
            record["positions_left"] = max(0, record["positions"] - taken.get(record["external_id"], 0))
    return records


def employer_vetting_records(session: Session) -> list[dict]:
    return [dict(row) for row in session.execute(
        select(Employer.external_id, Employer.vetted, Employer.vetted_on)).mappings()]


def employer_vetting(session: Session) -> dict[str, dict]:
    """Every employer's vetting state (a few thousand rows at most)."""
    return {row.external_id: {"vetted": row.vetted, "vetted_on": row.vetted_on}
            for row in session.execute(select(Employer.external_id, Employer.vetted, Employer.vetted_on))}


def opening_table(session: Session, reference: Reference, records: list[dict]) -> OpeningTable:
    return OpeningTable.from_records(records, employers=employer_vetting(session), taxonomy=reference.taxonomy,
                                     site=reference.site)


def load_openings(session: Session, reference: Reference, *, ids: Collection[str] | None = None,
                  open_only: bool = True) -> OpeningTable:
    """Open openings (all, or those with these ids) as a table."""
    return opening_table(session, reference, opening_records(session, ids=ids, open_only=open_only))


def trainee_records(session: Session, *, ids: Collection[str] | None = None, job_ready_only: bool = True,
                    conditions: Sequence[Any] = (), include_erased: bool = False) -> list[dict]:
    """Trainee rows as dicts (job-ready ones by default; the erased stubs only for learning from outcomes)."""
    statement = select(Trainee.__table__).where(*conditions)
    if not include_erased:
        statement = statement.where(Trainee.erased_at.is_(None))
    if job_ready_only and ids is None:
        statement = statement.where(Trainee.status == "job_ready")
    records = [dict(row) for row in _rows(session, statement, Trainee.external_id, ids)]
    # With ids, the status is checked here: a status condition would steer the database to the status index.
    return [r for r in records if r["status"] == "job_ready"] if job_ready_only and ids is not None else records


def trainee_table(reference: Reference, records: list[dict]) -> TraineeTable:
    return TraineeTable.from_records(records, taxonomy=reference.taxonomy, site=reference.site)


def load_trainees(session: Session, reference: Reference, *, ids: Collection[str] | None = None) -> TraineeTable:
    """Job-ready trainees (all, or those with these ids) as a table."""
    return trainee_table(reference, trainee_records(session, ids=ids))
