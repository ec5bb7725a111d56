"""Reading openings and trainees from the database (through their repositories) into the matching library's
columnar tables."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlmodel import Session

from matching.tables import OpeningTable, TraineeTable
from service.core.reference import Reference
from service.employers import repository as employers
from service.journeys import repository as journeys
from service.openings import repository as openings
from service.placements import repository as placements
from service.trainees import repository as trainees

FEW = 1000  # openings asked for by id: with this many or fewer, only their running placements are counted


def opening_conditions(reference: Reference) -> list[Any]:
    """Which openings one site's tables hold: that site's."""
    return openings.of_site(reference.code)


def trainee_conditions(reference: Reference) -> list[Any]:
    """Which trainees one site's tables hold: her own site's, and, where this site and hers both allow matching
    across sites, women willing to relocate."""
    relocating = [code for code in reference.relocation_sites() if code != reference.code]
    return trainees.matched_in_site(reference.code, relocating if reference.site.relocation_across_sites else ())


def opening_records(session: Session, *, ids: Collection[str] | None = None, open_only: bool = True,
                    conditions: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Opening rows as dicts, with positions_left = positions minus placements still running in them."""
    records = openings.list_records(session=session, ids=ids, open_only=open_only, conditions=conditions)
    if records:
        few = ids is not None and len(records) <= FEW
        taken = placements.count_running(session=session,
                                         opening_external_ids=[r["external_id"] for r in records] if few else None)
        for record in records:
            record["positions_left"] = max(0, record["positions"] - taken.get(record["external_id"], 0))
    return records


def employer_vetting_records(session: Session) -> list[dict[str, Any]]:
    """Every employer's external id and vetting state."""
    return employers.list_vetting(session=session)


def employer_vetting(session: Session) -> dict[str, dict[str, Any]]:
    """Every employer's vetting state by external id (a few thousand rows at most)."""
    return {row["external_id"]: {"vetted": row["vetted"], "vetted_on": row["vetted_on"]}
            for row in employers.list_vetting(session=session)}


def opening_table(session: Session, reference: Reference, records: list[dict[str, Any]]) -> OpeningTable:
    return OpeningTable.from_records(records, employers=employer_vetting(session), taxonomy=reference.taxonomy,
                                     site=reference.site)


def load_openings(session: Session, reference: Reference, *, ids: Collection[str] | None = None,
                  open_only: bool = True) -> OpeningTable:
    """One site's open openings (all, or those with these ids) as a table."""
    return opening_table(session, reference, opening_records(session, ids=ids, open_only=open_only,
                                                             conditions=opening_conditions(reference)))


def trainee_records(session: Session, *, ids: Collection[str] | None = None, job_ready_only: bool = True,
                    conditions: Sequence[Any] = (), include_erased: bool = False) -> list[dict[str, Any]]:
    """Trainee rows as dicts (job-ready ones by default; the erased stubs only for learning from outcomes), each
    with her ``confirmed_journeys`` ({opening: minutes}, which replace the estimates for those openings)."""
    records = trainees.list_records(session=session, ids=ids, job_ready_only=job_ready_only, conditions=conditions,
                                    include_erased=include_erased)
    if records:
        confirmed = journeys.minutes_by_trainee(session=session, trainee_external_ids=(
            None if ids is None else [r["external_id"] for r in records]))
        for record in records:
            record["confirmed_journeys"] = confirmed.get(record["external_id"], {})
    return records


def trainee_table(reference: Reference, records: list[dict[str, Any]]) -> TraineeTable:
    return TraineeTable.from_records(records, taxonomy=reference.taxonomy, site=reference.site)


def load_trainees(session: Session, reference: Reference, *, ids: Collection[str] | None = None) -> TraineeTable:
    """The job-ready trainees one site's openings are matched with (all, or those with these ids) as a table."""
    return trainee_table(reference, trainee_records(session, ids=ids, conditions=trainee_conditions(reference)))
