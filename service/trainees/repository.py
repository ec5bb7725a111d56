"""Trainee rows: which a key may see, create and write, and the statements that read them."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, inspect, or_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from service.auth.models import ApiKey
from service.core.errors import Forbidden
from service.records.resource import Scope
from service.trainees.models import Trainee

CHUNK = 1000  # ids per IN (...) list


def visible(key: ApiKey) -> list[Any]:
    """SQL conditions restricting trainees to the rows this key may see: a coordinator only her partner's, an
    employer's key none. Erased trainees' anonymised stubs are statistics, not records: nobody reads them here."""
    erased = [col(Trainee.erased_at).is_(None)]
    if key.role == "coordinator":
        return erased + ([Trainee.partner_org == key.partner_org] if key.partner_org is not None else [false()])
    if key.role == "employer":
        return erased + [false()]
    return erased


def namespace(key: ApiKey) -> str | None:
    """The external-id prefix under which a key creates new trainees (None: no restriction). A key may create
    records only in its own namespace, so that creating an id it cannot see answers exactly as another party's
    existing id does (404), never telling which ids exist."""
    return f"{key.partner_org}:" if key.role == "coordinator" else None


def may_create(key: ApiKey, external_id: str) -> bool:
    """Whether a key may create a trainee under this (unused) external id."""
    prefix = namespace(key)
    return prefix is None or (external_id.startswith(prefix) and len(external_id) > len(prefix))


def check_ownership(key: ApiKey, values: Mapping[str, Any]) -> None:
    """A coordinator may only create or move trainees into her own partner."""
    if key.role == "coordinator" and values.get("partner_org") != key.partner_org:
        raise Forbidden(f"This key works for partner '{key.partner_org}'; partner_org must be that.")


def candidate_pool(key: ApiKey) -> list[Any]:
    """Which trainees a key may see as candidates for an opening: a coordinator only her partner's; admin, batch
    and employer keys every job-ready trainee (employers only ever in the anonymised view)."""
    return visible(key) if key.role == "coordinator" else [col(Trainee.erased_at).is_(None)]


SCOPE = Scope(visible=visible, may_create=may_create, check_ownership=check_ownership)


def matched_in_site(site: str, relocating_from: Collection[str] = ()) -> list[Any]:
    """SQL conditions keeping the trainees matched to one site's openings: her own site's, and women willing to
    relocate from the sites named (those that, like this one, allow matching across sites)."""
    if not relocating_from:
        return [col(Trainee.site) == site]
    return [or_(col(Trainee.site) == site,
                and_(col(Trainee.willing_to_relocate).is_(True), col(Trainee.site).in_(sorted(relocating_from))))]


def list_records(*, session: Session, ids: Collection[str] | None = None, job_ready_only: bool = True,
                 conditions: Sequence[Any] = (), include_erased: bool = False) -> list[dict[str, Any]]:
    """Trainee rows as dicts, all of them or those with these ids (job-ready ones by default; the erased stubs
    only for learning from outcomes)."""
    statement = sql_select(inspect(Trainee).local_table).where(*conditions)
    if not include_erased:
        statement = statement.where(col(Trainee.erased_at).is_(None))
    if job_ready_only and ids is None:
        statement = statement.where(col(Trainee.status) == "job_ready")
    if ids is None:
        records = [dict(row) for row in session.execute(statement).mappings()]
    else:
        ordered = sorted(ids)
        records = [dict(row) for start in range(0, len(ordered), CHUNK) for row in session.execute(
            statement.where(col(Trainee.external_id).in_(ordered[start:start + CHUNK]))).mappings()]
    # With ids, the status is checked here: a status condition would steer the database to the status index.
    return [r for r in records if r["status"] == "job_ready"] if job_ready_only and ids is not None else records


def count_job_ready(*, session: Session, ids: Collection[str], conditions: Sequence[Any] = ()) -> int:
    """How many of these trainees are job-ready and meet the conditions (a key's candidate pool)."""
    ordered = sorted(ids)
    # As in list_records: the status is checked here, not by the database, so that it keeps to the id index.
    return sum(status == "job_ready" for start in range(0, len(ordered), CHUNK) for status in session.exec(
        select(Trainee.status).where(col(Trainee.external_id).in_(ordered[start:start + CHUNK]), *conditions)))


def list_expired(*, session: Session, cutoff: datetime) -> Sequence[Trainee]:
    """Trainees who exited and whose record has not changed since the cutoff (not yet erased)."""
    return session.exec(select(Trainee).where(Trainee.status == "exited", col(Trainee.erased_at).is_(None),
                                              col(Trainee.updated_at) < cutoff)).all()


def id_contains(text: str) -> ColumnElement[bool]:
    """The SQL condition for trainees whose id contains this text (case ignored; % and _ are plain characters)."""
    return func.lower(col(Trainee.external_id)).contains(text.strip().lower(), autoescape=True)


def list_partners(*, session: Session, conditions: Sequence[Any]) -> list[str]:
    """The partner organisations named by the trainees these conditions allow, in order."""
    return [*session.exec(select(Trainee.partner_org).where(*conditions).distinct().order_by(Trainee.partner_org))]
