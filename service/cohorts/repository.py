"""The reads the cohort plan and the trainer pipeline make across trainees, placements, follow-ups and openings."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, select
from sqlmodel import Session, col

from service.followups.models import Followup
from service.openings.models import Opening
from service.placements.models import Placement
from service.trainees.models import Trainee

#: Employer records of the partner organisations, whose openings are the trainer roles: `partner:<partner_org>`.
PARTNER_EMPLOYER_PREFIX = "partner:"
GRADUATE_STATUSES = ("job_ready", "placed", "exited")


def partner_employer_id(partner_org: str) -> str:
    """The external id of a partner organisation's own employer record."""
    return f"{PARTNER_EMPLOYER_PREFIX}{partner_org}"


def _of_partner(partner_org: str | None, site: str | None = None) -> list[Any]:
    return ([col(Trainee.erased_at).is_(None)] + ([Trainee.partner_org == partner_org] if partner_org else [])
            + ([Trainee.site == site] if site else []))


def count_by_track(*, session: Session, partner_org: str | None, site: str | None, since: datetime.date,
                   until: datetime.date) -> Iterator[tuple[str, str, bool, bool, int]]:
    """``(track, status, graduated in [since, until], ever placed, trainees)`` for a partner's (or a site's) trainee
    with a track; a graduate's day is her ``available_from``."""
    placed = exists().where(col(Placement.trainee_external_id) == col(Trainee.external_id))
    recent = case((and_(col(Trainee.available_from) >= since, col(Trainee.available_from) <= until), literal(True)),
                  else_=literal(False))
    statement = (select(col(Trainee.training_track), col(Trainee.status), recent, placed, func.count())
                 .where(*_of_partner(partner_org, site), col(Trainee.training_track).is_not(None))
                 .group_by(col(Trainee.training_track), col(Trainee.status), recent, placed))
    for track, status, is_recent, was_placed, n in session.execute(statement):
        yield str(track), str(status), bool(is_recent), bool(was_placed), int(n)


def list_partner_districts(*, session: Session, partner_org: str) -> list[str]:
    """The districts where a partner's trainees live, as stored."""
    statement = select(col(Trainee.district)).where(*_of_partner(partner_org)).distinct()
    return sorted(str(d) for d in session.execute(statement).scalars())


def list_partners(*, session: Session) -> list[str]:
    """The partner organisations the stored trainees name."""
    statement = select(col(Trainee.partner_org)).where(col(Trainee.erased_at).is_(None)).distinct()
    return sorted(str(p) for p in session.execute(statement).scalars() if p)


def count_trainers_on_staff(*, session: Session, partner_org: str | None, occupations: Collection[str]
                            ) -> dict[str, int] | None:
    """Trainer occupation -> women now working in a partner's (or every partner's) trainer openings; None when no
    partner has an employer record, so nobody knows."""
    employer = col(Opening.employer_external_id)
    partner = employer == partner_employer_id(partner_org) if partner_org else \
        employer.startswith(PARTNER_EMPLOYER_PREFIX)
    if session.execute(select(col(Opening.id)).where(partner).limit(1)).first() is None:
        return None
    statement = (select(col(Opening.occupation_code), func.count())
                 .join(Placement, col(Placement.opening_external_id) == col(Opening.external_id))
                 .where(partner, col(Placement.ended_on).is_(None),
                        col(Opening.occupation_code).in_(sorted(occupations)))
                 .group_by(col(Opening.occupation_code)))
    return {str(code): int(n) for code, n in session.execute(statement)}


@dataclass(frozen=True)
class GraduateRow:
    external_id: str
    cohort: str | None
    status: str
    skills: list[dict[str, Any]]
    attendance_rate: float | None
    risk_flag: bool
    trainer_consent: bool
    training_track: str | None


def list_consenting_graduates(*, session: Session, partner_org: str, track: str, statuses: Collection[str]
                              ) -> list[GraduateRow]:
    """A partner's trainees of a track, with one of the statuses, who agreed to be considered as trainers."""
    statement = select(col(Trainee.external_id), col(Trainee.cohort), col(Trainee.status), col(Trainee.skills),
                       col(Trainee.attendance_rate), col(Trainee.risk_flag), col(Trainee.trainer_consent),
                       col(Trainee.training_track)).where(
        *_of_partner(partner_org), col(Trainee.training_track) == track, col(Trainee.status).in_(sorted(statuses)),
        col(Trainee.trainer_consent).is_(True)).order_by(col(Trainee.external_id))
    return [GraduateRow(*row) for row in session.execute(statement)]


def map_work_spans(*, session: Session, trainee_external_ids: Collection[str]
                   ) -> dict[str, list[tuple[datetime.date, datetime.date | None]]]:
    """Trainee -> her placements' (started_on, ended_on)."""
    spans: dict[str, list[tuple[datetime.date, datetime.date | None]]] = {}
    if not trainee_external_ids:
        return spans
    statement = select(col(Placement.trainee_external_id), col(Placement.started_on), col(Placement.ended_on)).where(
        col(Placement.trainee_external_id).in_(sorted(trainee_external_ids)))
    for trainee, started, ended in session.execute(statement):
        spans.setdefault(str(trainee), []).append((started, ended))
    return spans


def list_followup_year_completed(*, session: Session, trainee_external_ids: Collection[str]) -> set[str]:
    """Of these trainees, those with a 12-month follow-up recorded in work."""
    if not trainee_external_ids:
        return set()
    statement = (select(col(Placement.trainee_external_id))
                 .join(Followup, col(Followup.placement_external_id) == col(Placement.external_id))
                 .where(col(Placement.trainee_external_id).in_(sorted(trainee_external_ids)), col(Followup.month) == 12,
                        col(Followup.checked_on).is_not(None), col(Followup.employed).is_(True)))
    return {str(t) for t in session.execute(statement).scalars()}


def list_trainer_openings(*, session: Session, partner_org: str, occupation: str) -> list[Opening]:
    """A partner's open openings for a trainer occupation."""
    statement = select(Opening).where(col(Opening.employer_external_id) == partner_employer_id(partner_org),
                                      col(Opening.occupation_code) == occupation, col(Opening.status) == "open"
                                      ).order_by(col(Opening.external_id))
    return list(session.execute(statement).scalars())
