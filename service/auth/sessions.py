"""Console sessions kept in the database: opened at sign-in, looked up on every page, deleted at sign-out (and
with their key)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, delete

from service.auth.models import SignedInSession
from service.core.models import utcnow


def open(*, session: Session, session_id: str, key_id: int, hours: int) -> datetime:
    """Keep a new session for a key; when it expires. Sessions already expired are cleared on the way."""
    now = utcnow()
    session.exec(delete(SignedInSession).where(col(SignedInSession.expires_at) <= now))
    expires = now + timedelta(hours=hours)
    session.add(SignedInSession(id=session_id, key_id=key_id, expires_at=expires))
    return expires


def is_open(*, session: Session, session_id: str, key_id: int) -> bool:
    """Whether this key's session is still open (not signed out, not expired)."""
    found = session.get(SignedInSession, session_id)
    return found is not None and found.key_id == key_id and found.expires_at > utcnow()


def close(*, session: Session, session_id: str) -> None:
    """End a session: its cookie, or any copy of it, no longer signs anyone in."""
    session.exec(delete(SignedInSession).where(col(SignedInSession.id) == session_id))
