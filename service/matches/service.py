"""Ranking openings for a trainee and candidates for an opening, over the live index: what the match routes call.
Scoring reads nothing from the database, so the request's connection goes back to the pool before it
(`release_connection`); the summaries of the rows returned are read after it, in bulk, and the audit entries
written last, stored by the request's one commit."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import numpy as np
from sqlmodel import Session

from matching.engine import Match, MatchEngine
from matching.tables import OpeningTable, TraineeTable
from service.audit import service as audit
from service.auth import policy
from service.auth.models import ApiKey
from service.consents import service as consents
from service.core import secrets
from service.core.clock import site_today
from service.core.errors import Forbidden, NotFound
from service.core.reference import Reference
from service.journeys import repository as journeys
from service.matches import loader, repository, summaries
from service.matches.index import MatchIndex, Segment, SiteIndexes
from service.matches.models import (
    BlockedRule,
    Candidate,
    CandidateDetail,
    CandidateProfile,
    Evidence,
    Introduction,
    OpeningCandidates,
    OpeningMatch,
    OpeningMatches,
    ProfilePreview,
    SkillShown,
)
from service.openings import service as openings
from service.records.resource import raise_findings
from service.records.unit_of_work import release_connection
from service.trainees import repository as trainee_repository
from service.trainees import service as trainees

SCORE_DECIMALS = 12
BLOCKED_REVEALS = frozenset({"lat", "lon", "excluded_employers", "excluded_districts"})  # commute and exclusions


def merge(segments: list[Segment], run: Callable[[Any, int], list[Match]], *, limit: int,
          include_blocked: bool) -> list[Match]:
    """Rank over every segment of the index, drop rows a segment no longer answers for, merge and re-rank."""
    allowed: list[Match] = []
    blocked: list[Match] = []
    for segment in segments:
        if not len(segment.table):
            continue
        for match in run(segment.table, limit + len(segment.stale)):
            if match.external_id in segment.stale:
                continue
            (blocked if match.blocked_by else allowed).append(match)
    allowed.sort(key=lambda m: (-round(m.score, SCORE_DECIMALS), m.external_id))
    blocked.sort(key=lambda m: (len(m.blocked_by), not all(v.near_miss for v in m.blocked_by), m.external_id))
    ranked = allowed[:limit] + (blocked[:limit] if include_blocked else [])
    return [Match(external_id=m.external_id, rank=rank, score=m.score, factors=m.factors, reasons=m.reasons,
                  blocked_by=m.blocked_by, evidence=m.evidence) for rank, m in enumerate(ranked, 1)]


def allowed_in(segments: list[Segment], allowed: Callable[[Any], np.ndarray]) -> tuple[set[str], int]:
    """The ids of the rows the safety rules allow, over every segment (rows a segment no longer answers for left
    out), and how many rows they block: what a list's `count` counts, without scoring anything."""
    ids: set[str] = set()
    blocked = 0
    for segment in segments:
        if not len(segment.table):
            continue
        external_ids = segment.table.external_id
        live = ~np.isin(external_ids, list(segment.stale)) if segment.stale else np.ones(len(external_ids), bool)
        mask = allowed(segment.table)
        ids.update(external_ids[mask & live].tolist())
        blocked += int((~mask & live).sum())
    return ids, blocked


def ranked_rows(found: dict[int, np.ndarray]) -> Callable[[Any], np.ndarray]:
    """The mask of the rows the rules allow in a segment's table, as its ranking found them (keyed by the table's
    id): a list's count reuses the ranking's pass over the rules."""
    def allowed(table: Any) -> np.ndarray:
        mask = np.zeros(len(table), dtype=bool)
        mask[found[id(table)]] = True
        return mask
    return allowed


def openings_for(*, session: Session, indexes: Sequence[MatchIndex], trainee: dict, as_of: date, limit: int,
                 include_blocked: bool) -> tuple[list[OpeningMatch], int]:
    """The best open openings for one trainee (stored or a preview profile) in the sites' indexes given (her own
    first; each current), each with its summary, and how many there are in all (the blocked ones too with
    include_blocked). Each site's openings are scored by that site's engine (its wage law, its places)."""
    allowed_rows: dict[int, np.ndarray] = {}  # per segment's table (by id): the rows the rules allow, when ranked
    scoring: dict[int, tuple[MatchEngine, TraineeTable]] = {}  # per segment's table (by id): its site's engine
    segments: list[Segment] = []
    for index in indexes:
        trainees = loader.trainee_table(index.reference, [trainee])
        for segment in index.openings.segments():  # one consistent set, should another request update it meanwhile
            scoring[id(segment.table)] = (index.matcher, trainees)
            segments.append(segment)

    def run(openings: OpeningTable, size: int) -> list[Match]:
        engine, trainees = scoring[id(openings)]
        ranked, allowed_rows[id(openings)] = engine.rank_openings_and_allowed(
            trainees, 0, openings, as_of=as_of, limit=size, include_blocked=include_blocked, blocked_limit=size)
        return ranked

    ranked = merge(segments, run, limit=limit, include_blocked=include_blocked)
    ids, blocked = allowed_in(segments, ranked_rows(allowed_rows))
    found = summaries.kept_opening_summaries(session, indexes[0], [m.external_id for m in ranked])
    # An opening deleted since the index read it has no summary: left out, as the next answer would.
    shown = [m for m in ranked if m.external_id in found]
    return [OpeningMatch(opening_external_id=m.external_id, opening=found[m.external_id], rank=rank, score=m.score,
                         factors=m.factors, reasons=m.reasons, blocked=bool(m.blocked_by),
                         blocked_by=[BlockedRule(rule=v.code, sentence=v.sentence, near_miss=v.near_miss)
                                     for v in m.blocked_by],
                         evidence=evidence_of(m))
            for rank, m in enumerate(shown, 1)], len(ids) + (blocked if include_blocked else 0)


def evidence_of(match: Match) -> Evidence | None:
    """How much history stands behind a match's score, as the answer shows it (None: no trained model)."""
    if match.evidence is None:
        return None
    return Evidence(similar_placements=match.evidence.similar_placements,
                    weight_of_history=match.evidence.weight_of_history)


def handle(*, session: Session, employer_external_id: str, trainee_external_id: str) -> str:
    """A pseudonym for a trainee, stable for one employer and different for every other."""
    digest = hmac.new(secrets.get(session=session, name="candidate_handles"),
                      f"{employer_external_id}\x1f{trainee_external_id}".encode(), hashlib.sha256).digest()
    return "C-" + base64.b32encode(digest[:10]).decode().rstrip("=")


def profile(reference: Reference, trainee: dict) -> CandidateProfile:
    """The anonymised view: taxonomy skills (never free text), district, languages, availability, track."""
    skills = reference.taxonomy.skills
    best: dict[str, int] = {}
    for item in trainee["skills"]:
        if item.get("skill") in skills:
            best[item["skill"]] = max(best.get(item["skill"], 0), item["level"])
    return CandidateProfile(skills=[SkillShown(skill=code, name=skills[code].name, level=level)
                                    for code, level in sorted(best.items())],
                            district=trainee["district"], languages=trainee["languages"],
                            available_from=trainee["available_from"], training_track=trainee["training_track"])


def candidates_for(*, session: Session, index: MatchIndex, engine: MatchEngine, reference: Reference,
                   opening: dict, as_of: date, limit: int, caller: ApiKey) -> tuple[list[tuple[str, Candidate]], int]:
    """The best job-ready trainees for one opening (her id, and what the caller may see: anonymised for an
    employer's key), and how many the caller may see in all."""
    openings = loader.opening_table(session, reference, [opening])
    allowed_rows: dict[int, np.ndarray] = {}  # per segment's table (by id): the rows the rules allow, when ranked

    def run(trainees: TraineeTable, size: int) -> list[Match]:
        ranked, allowed_rows[id(trainees)] = engine.rank_trainees_and_allowed(openings, 0, trainees, as_of=as_of,
                                                                              limit=size)
        return ranked

    # A coordinator sees only her partner's trainees: rank deeper until enough of them are found.
    visible = trainee_repository.candidate_pool(caller)
    segments = index.trainees.segments()  # one consistent set, should another request update the index meanwhile
    size = limit
    while True:
        ranked = merge(segments, run, limit=size, include_blocked=False)
        records = {r["external_id"]: r for r in loader.trainee_records(
            session, ids=[m.external_id for m in ranked], conditions=visible)}
        if len(records) >= limit or len(ranked) < size:
            break
        size *= 4
    ranked = [m for m in ranked if m.external_id in records][:limit]
    allowed, _ = allowed_in(segments, ranked_rows(allowed_rows))
    count = trainee_repository.count_job_ready(session=session, ids=allowed, conditions=visible) if allowed else 0
    staff = policy.allows(caller, "candidate:identify")
    employer = opening["employer_external_id"]
    handles = {m.external_id: handle(session=session, employer_external_id=employer, trainee_external_id=m.external_id)
               for m in ranked}
    repository.store_handles(session=session, employer_external_id=employer,
                             handles={issued: trainee_id for trainee_id, issued in handles.items()})
    return [(m.external_id,
             Candidate(handle=handles[m.external_id],
                       trainee_external_id=m.external_id if staff else None, rank=rank, score=m.score,
                       factors=m.factors if staff else None, reasons=m.reasons if staff else None,
                       evidence=evidence_of(m) if staff else None, profile=profile(reference, records[m.external_id])))
            for rank, m in enumerate(ranked, 1)], max(count, len(ranked))


def allowed_today(*, session: Session, engine: MatchEngine, reference: Reference, opening: dict, trainee: dict,
                  as_of: date) -> bool:
    """Whether the safety rules allow this one pair on this day (the engine and rules the candidate list uses)."""
    openings = loader.opening_table(session, reference, [opening])
    ranked = engine.rank_trainees(openings, 0, loader.trainee_table(reference, [trainee]), as_of=as_of, limit=1)
    return any(match.allowed for match in ranked)


def candidate(*, session: Session, engine: MatchEngine, reference: Reference, opening: dict, candidate_handle: str,
              as_of: date, caller: ApiKey) -> tuple[str, CandidateDetail]:
    """One candidate by handle, only while the safety rules allow the pair (otherwise unknown, like a wrong
    handle); her identity is introduced only after her recorded consent for this employer. The handle is resolved
    by one lookup in the handle map its candidate list filled."""
    employer = opening["employer_external_id"]
    external_id = repository.find_trainee(session=session, employer_external_id=employer, handle=candidate_handle)
    # The map only ever holds handles it was given; the check keeps it honest should the handle secret change.
    if external_id is not None and handle(session=session, employer_external_id=employer,
                                          trainee_external_id=external_id) == candidate_handle:
        found = loader.trainee_records(session, ids=[external_id], conditions=trainee_repository.candidate_pool(caller))
        if found and allowed_today(session=session, engine=engine, reference=reference, opening=opening,
                                   trainee=found[0], as_of=as_of):
            record = found[0]
            introduction = None
            if consents.given(session=session, trainee_external_id=external_id, employer_external_id=employer):
                introduction = Introduction(trainee_external_id=external_id, partner_org=record["partner_org"],
                                            message="She agreed to be introduced; arrange it through her partner.")
            return external_id, CandidateDetail(
                handle=candidate_handle, profile=profile(reference, record),
                trainee_external_id=external_id if policy.allows(caller, "candidate:identify") else None,
                introduction=introduction)
    raise NotFound("No candidate with that handle for this opening.")


def confirmed_journeys(*, session: Session, index: MatchIndex, external_id: str) -> dict[str, Any]:
    """Her confirmed journeys ({opening: minutes}): from the index when it holds her, else read."""
    found = index.confirmed_journeys(external_id)
    if found is not None:
        return found
    return journeys.minutes_by_trainee(session=session, trainee_external_ids=[external_id]).get(external_id, {})


def site_indexes(*, session: Session, indexes: SiteIndexes, reference: Reference, values: dict) -> list[MatchIndex]:
    """The current indexes of the sites whose openings she is matched to: her own site's first."""
    sites = reference.matched_sites(values["site"], willing_to_relocate=bool(values.get("willing_to_relocate")))
    return [indexes.current(site, session) for site in sites]


def rank_openings(*, session: Session, indexes: SiteIndexes, reference: Reference, external_id: str,
                  as_of: date | None, limit: int, include_blocked: bool, caller: ApiKey) -> OpeningMatches:
    """What she should be offered: ranked openings with reasons (and, on request, the blocked ones and why), from
    her site's openings (and, when she is willing to relocate and both sites allow it, other sites')."""
    trainee = trainees.find(session=session, external_id=external_id, caller=caller)
    if include_blocked and not BLOCKED_REVEALS <= policy.sensitive_fields(caller, partner_org=trainee.partner_org):
        raise Forbidden("Why an opening is blocked tells where she lives and whom she excludes; this key may not "
                        "read that.")
    values = {name: getattr(trainee, name) for name in type(trainee).model_fields}
    found_indexes = site_indexes(session=session, indexes=indexes, reference=reference, values=values)
    engine = found_indexes[0].matcher
    values["confirmed_journeys"] = confirmed_journeys(session=session, index=found_indexes[0],
                                                   external_id=trainee.external_id)
    release_connection(session)  # while scoring; the session takes one again to read the summaries
    day = as_of or site_today(found_indexes[0].reference.site.timezone)
    data, count = openings_for(session=session, indexes=found_indexes, trainee=values, as_of=day, limit=limit,
                               include_blocked=include_blocked)
    audit.record(session=session, caller=caller, action="match", entity="trainee", external_ids=[external_id])
    return OpeningMatches(trainee_external_id=external_id, as_of=day, model_version=engine.scorer_version, data=data,
                          count=count, **summaries.score_meaning(engine.scorer_version).model_dump())


def preview(*, session: Session, indexes: SiteIndexes, reference: Reference, body: ProfilePreview,
            as_of: date | None, limit: int, include_blocked: bool) -> OpeningMatches:
    """The open openings ranked for a profile that is not stored (her site from her partner or district)."""
    values, findings = trainees.prepare(values={**body.model_dump(), "external_id": "preview"}, reference=reference)
    raise_findings(findings)
    found_indexes = site_indexes(session=session, indexes=indexes, reference=reference, values=values)
    engine = found_indexes[0].matcher
    release_connection(session)  # while scoring; the session takes one again to read the summaries
    day = as_of or site_today(found_indexes[0].reference.site.timezone)
    data, count = openings_for(session=session, indexes=found_indexes, trainee=values, as_of=day, limit=limit,
                               include_blocked=include_blocked)
    return OpeningMatches(trainee_external_id=None, as_of=day, model_version=engine.scorer_version, data=data,
                          count=count, **summaries.score_meaning(engine.scorer_version).model_dump())


def candidate_day(*, as_of: date | None, caller: ApiKey, reference: Reference) -> date:
    """The day the rules are checked for: an employer's key always sees today (site time), so that a lapsed
    vetting or a back-dated opening cannot be stepped around by choosing the date."""
    if as_of is not None and not policy.allows(caller, "candidate:choose_day"):
        raise Forbidden("An employer key may not choose as_of: candidates are always for today (site time). "
                        "Leave the parameter out.")
    return as_of or site_today(reference.site.timezone)


def _opening(session: Session, external_id: str, caller: ApiKey) -> dict:
    """The opening as the ranking reads it, if this key may see it (404 otherwise)."""
    openings.find(session=session, external_id=external_id, caller=caller)
    return loader.opening_records(session, ids=[external_id], open_only=False)[0]


def rank_candidates(*, session: Session, indexes: SiteIndexes, external_id: str, as_of: date | None, limit: int,
                    caller: ApiKey) -> OpeningCandidates:
    """Who fits an opening: ranked job-ready trainees of its site (and women willing to relocate where both sites
    allow it), anonymised for an employer's key; each view audited."""
    opening = _opening(session, external_id, caller)
    index = indexes.current(opening["site"], session)
    engine, reference = index.matcher, index.reference
    summary = summaries.summarise_openings(session, [opening])[external_id]
    release_connection(session)  # while scoring; the session takes one again only to read records
    day = candidate_day(as_of=as_of, caller=caller, reference=reference)
    found, count = candidates_for(session=session, index=index, engine=engine, reference=reference, opening=opening,
                                  as_of=day, limit=limit, caller=caller)
    audit.record(session=session, caller=caller, action="candidate_view", entity="trainee",
                 external_ids=[trainee_id for trainee_id, _ in found])
    return OpeningCandidates(opening_external_id=external_id, opening=summary, as_of=day,
                             model_version=engine.scorer_version, data=[c for _, c in found], count=count,
                             **summaries.score_meaning(engine.scorer_version).model_dump())


def get_candidate(*, session: Session, indexes: SiteIndexes, external_id: str, candidate_handle: str,
                  as_of: date | None, caller: ApiKey) -> CandidateDetail:
    """One candidate of an opening by handle; her identity only after her recorded consent (audited)."""
    opening = _opening(session, external_id, caller)
    index = indexes.current(opening["site"], session)
    engine, reference = index.matcher, index.reference
    day = candidate_day(as_of=as_of, caller=caller, reference=reference)
    trainee_id, detail = candidate(session=session, engine=engine, reference=reference, opening=opening,
                                   candidate_handle=candidate_handle, as_of=day, caller=caller)
    audit.record(session=session, caller=caller, action="candidate_detail", entity="trainee", external_ids=[trainee_id])
    return detail
