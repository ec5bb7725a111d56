"""What an answer says about the other side of each row, and what its scores mean: built here once for every
answer that needs it (matches, candidates, proposals, CSV files), with the rows looked up in bulk."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlmodel import Session

from matching.formatting import SCORE_MEANINGS, score_kind
from service.employers import repository as employers
from service.matches import loader
from service.matches.index import MatchIndex
from service.matches.models import OpeningSummary, ScoreMeaning

# What an opening's summary reads: its row, its employer's name and its running placements (a placement's change
# is logged as a change of its opening), so one kept summary is good until one of these kinds changes.
SUMMARY_READS = ("opening", "employer")


def score_meaning(scorer_version: str | None) -> ScoreMeaning:
    """What the scores given by this scorer version are, as a code and a sentence."""
    kind = score_kind(scorer_version)
    return ScoreMeaning(score_kind=kind, score_meaning=SCORE_MEANINGS[kind])


def opening_summary(record: Mapping[str, Any], employer_name: str | None) -> OpeningSummary:
    """One opening's summary from its record (as `loader.opening_records` reads it, positions left included)."""
    return OpeningSummary(title=record["title"], employer_external_id=record["employer_external_id"],
                          employer_name=employer_name or record["employer_external_id"], district=record["district"],
                          monthly_wage_inr=record["monthly_wage_inr"], shift=record["shift"],
                          positions_left=record["positions_left"], site=record["site"])


def summarise_openings(session: Session, records: Collection[Mapping[str, Any]]) -> dict[str, OpeningSummary]:
    """Summaries of these opening records by external id, their employers' names read in one query."""
    names = employers.names(session=session, external_ids={r["employer_external_id"] for r in records})
    return {r["external_id"]: opening_summary(r, names.get(r["employer_external_id"])) for r in records}


def opening_summaries(session: Session, external_ids: Collection[str]) -> dict[str, OpeningSummary]:
    """The summaries of these openings by external id (those that still exist): the openings, their employers'
    names and their running placements are each read in one query (per thousand ids), whatever their number."""
    if not external_ids:
        return {}
    return summarise_openings(session, loader.opening_records(session, ids=set(external_ids), open_only=False))


def kept_opening_summaries(session: Session, index: MatchIndex, external_ids: Collection[str]
                           ) -> dict[str, OpeningSummary]:
    """As `opening_summaries`, each read once and kept by the index until an opening or employer changes (the index
    must be current first); only the ones not kept yet are read."""
    kept: dict[str, OpeningSummary] = index.derived("opening summaries", dict, day=None, reads=SUMMARY_READS)
    missing = [external_id for external_id in external_ids if external_id not in kept]
    if missing:
        kept.update(opening_summaries(session, missing))
    return {external_id: kept[external_id] for external_id in external_ids if external_id in kept}
