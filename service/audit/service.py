"""Writing audit events (in the caller's transaction) and listing them for admins."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session
from sqlmodel import col

from service.audit import subjects
from service.audit.models import AuditEvent, AuditEventPublic
from service.core import bulk
from service.core.actor import Actor
from service.core.db import table_of
from service.core.models import MAX_ID, ONE_LINE, Code, Instant, Page, utcnow


class AuditFilters(BaseModel):
    key_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    role: Code | None = None
    action: Code | None = None
    entity: Code | None = None
    external_id: Annotated[str, StringConstraints(max_length=200, pattern=ONE_LINE)] | None = None
    since: Instant | None = None
    until: Instant | None = None


# The statement of one event, built once: every audited read of a trainee sends it.
_ONE_EVENT = insert(table_of(AuditEvent)).values(
    {name: bindparam(name) for name in ("key_id", "key_prefix", "role", "at", "action", "entity", "external_id")})
_ONE_EVENT_WITH_LINK = _ONE_EVENT.add_cte(subjects.link_part())


def record(*, session: Session, caller: Actor | None, action: str, entity: str, external_ids: Iterable[str]) -> None:
    """Append one event per record; committed with the caller's transaction. Trainees are named by pseudonym."""
    external_ids = [*external_ids]
    who = {"key_id": caller.id if caller else None, "key_prefix": caller.prefix if caller else None,
           "role": caller.role if caller else "cli"}
    event = {**who, "at": utcnow(), "action": action, "entity": entity}
    if entity == subjects.ENTITY and len(external_ids) == 1:  # one read of her record: one statement
        pseudonym, with_link = subjects.link_one(session=session, external_id=external_ids[0])
        session.execute(_ONE_EVENT_WITH_LINK if with_link else _ONE_EVENT,
                        {**event, "external_id": pseudonym, "subject": external_ids[0]})
        return
    if entity == subjects.ENTITY:
        tokens = subjects.link(session=session, external_ids=external_ids)
        external_ids = [tokens[external_id] for external_id in external_ids]
    if external_ids:
        bulk.insert_rows(session, table_of(AuditEvent), [{**event, "external_id": external_id}
                                                         for external_id in external_ids])


def list(*, session: Any, filters: AuditFilters, page: Page) -> tuple[builtins.list[AuditEventPublic], int]:
    """Events matching the filters, newest first; a trainee's pseudonym shown as her id while it is linked
    ('erased' once erasure removed the link)."""
    conditions = [getattr(AuditEvent, name) == value for name, value in
                  filters.model_dump(exclude={"since", "until", "external_id"}, exclude_none=True).items()]
    if filters.external_id is not None:  # a trainee's events are stored under her pseudonym, found while linked
        linked = subjects.linked_token(session=session, external_id=filters.external_id)
        conditions.append(col(AuditEvent.external_id).in_([filters.external_id, *([linked] if linked else [])]))
    if filters.since:
        conditions.append(col(AuditEvent.at) >= filters.since)
    if filters.until:
        conditions.append(col(AuditEvent.at) < filters.until)
    count = session.execute(select(func.count()).select_from(AuditEvent).where(*conditions)).scalar_one()
    rows = session.execute(select(AuditEvent).where(*conditions).order_by(col(AuditEvent.id).desc())
                           .offset(page.offset).limit(page.limit)).scalars().all()
    names = subjects.names(session=session, tokens=[row.external_id for row in rows if row.entity == subjects.ENTITY])
    return [AuditEventPublic.model_validate(row).model_copy(update={
        "external_id": names.get(row.external_id, subjects.ERASED)} if row.entity == subjects.ENTITY else {})
        for row in rows], count
