"""Ranking openings for a trainee and candidates for an opening, over the live index."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from datetime import date

from sqlmodel import Session

from matching.engine import Match, MatchEngine
from service.auth import policy
from service.auth.models import ApiKey
from service.consents import service as consents
from service.core import secrets
from service.core.errors import NotFound
from service.matches import loader
from service.matches.index import MatchIndex, Segment
from service.matches.models import (BlockedRule, Candidate, CandidateDetail, CandidateProfile, Introduction,
                                    OpeningMatch, SkillShown)
from service.core.reference import Reference

SCORE_DECIMALS = 12


def merge(segments: list[Segment], run: Callable[[object, int], list[Match]], *, limit: int,
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
    blocked.sort(key=lambda m: (len(m.blocked_by), m.external_id))
    ranked = allowed[:limit] + (blocked[:limit] if include_blocked else [])
    return [Match(external_id=m.external_id, rank=rank, score=m.score, factors=m.factors, reasons=m.reasons,
                  blocked_by=m.blocked_by) for rank, m in enumerate(ranked, 1)]


def openings_for(*, session: Session, index: MatchIndex, engine: MatchEngine, reference: Reference,
                 trainee: dict, as_of: date, limit: int, include_blocked: bool) -> list[OpeningMatch]:
    """The best open openings for one trainee (stored or a preview profile)."""
    trainees = loader.trainee_table(reference, [trainee])  # the index is current: the route's dependency saw to it

    def run(openings, size):  # noqa: ANN001, ANN202
        return engine.rank_openings(trainees, 0, openings, as_of=as_of, limit=size, include_blocked=include_blocked,
                                    blocked_limit=size)

    return [OpeningMatch(opening_external_id=m.external_id, rank=m.rank, score=m.score, factors=m.factors,
                         reasons=m.reasons, blocked=bool(m.blocked_by),
                         blocked_by=[BlockedRule(rule=v.code, sentence=v.sentence) for v in m.blocked_by])
            for m in merge(index.openings.segments(), run, limit=limit, include_blocked=include_blocked)]


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
                   opening: dict, as_of: date, limit: int, caller: ApiKey) -> list[tuple[str, Candidate]]:
    """The best job-ready trainees for one opening (her id, and what the caller may see: anonymised for an
    employer's key)."""
    openings = loader.opening_table(session, reference, [opening])

    def run(trainees, size):  # noqa: ANN001, ANN202
        return engine.rank_trainees(openings, 0, trainees, as_of=as_of, limit=size)

    # A coordinator sees only her partner's trainees: rank deeper until enough of them are found.
    visible = policy.candidate_pool(caller)
    size = limit
    while True:
        ranked = merge(index.trainees.segments(), run, limit=size, include_blocked=False)
        records = {r["external_id"]: r for r in loader.trainee_records(
            session, ids=[m.external_id for m in ranked], conditions=visible)}
        if len(records) >= limit or len(ranked) < size:
            break
        size *= 4
    ranked = [m for m in ranked if m.external_id in records][:limit]
    staff = caller.role != "employer"
    return [(m.external_id,
             Candidate(handle=handle(session=session, employer_external_id=opening["employer_external_id"],
                                     trainee_external_id=m.external_id),
                       trainee_external_id=m.external_id if staff else None, rank=rank, score=m.score,
                       factors=m.factors if staff else None, reasons=m.reasons if staff else None,
                       profile=profile(reference, records[m.external_id])))
            for rank, m in enumerate(ranked, 1)]


def allowed_today(*, session: Session, engine: MatchEngine, reference: Reference, opening: dict, trainee: dict,
                  as_of: date) -> bool:
    """Whether the safety rules allow this one pair on this day (the engine and rules the candidate list uses)."""
    openings = loader.opening_table(session, reference, [opening])
    ranked = engine.rank_trainees(openings, 0, loader.trainee_table(reference, [trainee]), as_of=as_of, limit=1)
    return any(match.allowed for match in ranked)


def candidate(*, session: Session, index: MatchIndex, engine: MatchEngine, reference: Reference, opening: dict,
              candidate_handle: str, as_of: date, caller: ApiKey) -> tuple[str, CandidateDetail]:
    """One candidate by handle, only while the safety rules allow the pair (otherwise unknown, like a wrong
    handle); her identity is introduced only after her recorded consent for this employer."""
    employer = opening["employer_external_id"]
    index.current(session)
    for segment in index.trainees.segments():
        for external_id in segment.table.external_id.tolist():
            if external_id in segment.stale:
                continue
            if handle(session=session, employer_external_id=employer, trainee_external_id=external_id) \
                    == candidate_handle:
                found = loader.trainee_records(session, ids=[external_id], conditions=policy.candidate_pool(caller))
                if not found or not allowed_today(session=session, engine=engine, reference=reference,
                                                  opening=opening, trainee=found[0], as_of=as_of):
                    break
                record = found[0]
                introduction = None
                if consents.given(session=session, trainee_external_id=external_id, employer_external_id=employer):
                    introduction = Introduction(trainee_external_id=external_id, partner_org=record["partner_org"],
                                                message="She agreed to be introduced; arrange it through her partner.")
                return external_id, CandidateDetail(
                    handle=candidate_handle, profile=profile(reference, record),
                    trainee_external_id=external_id if caller.role != "employer" else None, introduction=introduction)
    raise NotFound("No candidate with that handle for this opening.")
