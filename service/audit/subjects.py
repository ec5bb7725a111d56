"""Pseudonyms for trainees in the audit log.

Audit events are append-only, so they must not name her: an event stores a keyed hash of her external id, and
`audit_subject` links that token to the id. Erasure deletes the link; the events stay (who read what, when) but
no longer lead to her."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import CTE
from sqlmodel import col

from service.audit.models import AuditSubject
from service.core import secrets
from service.core.db import table_of

SECRET = "audit_subjects"
ENTITY = "trainee"  # the entity whose ids are personal data
ERASED = "erased"  # what the log shows once the link is gone


def token(*, session: Session, external_id: str) -> str:
    """Her pseudonym: HMAC-SHA256 of her external id under the service secret, 160 bits in base32."""
    digest = hmac.new(secrets.get(session=session, name=SECRET), external_id.encode(), hashlib.sha256).digest()
    return "AS-" + base64.b32encode(digest[:20]).decode()


def link(*, session: Session, external_ids: Iterable[str]) -> dict[str, str]:
    """Tokens for these ids, with their links stored (in the caller's transaction); id -> token."""
    tokens = {external_id: token(session=session, external_id=external_id) for external_id in set(external_ids)}
    # Her link almost always exists already: look first, so that a read of her record takes no row lock (an
    # insert that meets another request's uncommitted insert of the same token would wait for its commit).
    known = set(session.execute(select(col(AuditSubject.token))
                                .where(col(AuditSubject.token).in_(sorted(tokens.values())))).scalars())
    missing = [{"token": t, "external_id": external_id} for external_id, t in sorted(tokens.items()) if t not in known]
    if missing:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(dialect.insert(table_of(AuditSubject)).on_conflict_do_nothing(), missing)
    return tokens


def link_part() -> CTE:
    """PostgreSQL: a statement part that stores the link of a token (parameter `external_id`, as the event names
    her) to her id (parameter `subject`) if it is missing, for an event's insert to carry: an existing link then
    costs no read and takes no row lock."""
    return (postgresql.insert(table_of(AuditSubject))
            .values(token=bindparam("external_id"), external_id=bindparam("subject"))
            .on_conflict_do_nothing().cte("stored_link"))


def link_one(*, session: Session, external_id: str) -> tuple[str, bool]:
    """Her token for one event (the path of every audited read), and whether the caller must store her link with
    the event (`link_part`, on PostgreSQL); elsewhere the link is stored at once."""
    if session.get_bind().dialect.name != "postgresql":
        return link(session=session, external_ids=[external_id])[external_id], False
    return token(session=session, external_id=external_id), True


def names(*, session: Session, tokens: Iterable[str]) -> dict[str, str]:
    """The external ids still linked to these tokens; token -> id."""
    wanted = sorted(set(tokens))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 1000):
        found.update(session.execute(select(col(AuditSubject.token), col(AuditSubject.external_id))
                                     .where(col(AuditSubject.token).in_(wanted[start:start + 1000]))).all())
    return found


def linked_token(*, session: Session, external_id: str) -> str | None:
    """Her token while the link exists: once she is erased, knowing her id no longer finds her events (the
    hash would, so the filter goes through the link, not the hash)."""
    return session.execute(select(col(AuditSubject.token)).where(col(AuditSubject.external_id) == external_id)).scalar()


def unlink(*, session: Session, external_id: str) -> None:
    """Forget which trainee a token stands for (erasure)."""
    session.execute(delete(AuditSubject).where(col(AuditSubject.external_id) == external_id))
