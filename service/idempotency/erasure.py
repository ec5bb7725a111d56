"""Forgetting stored answers that name a trainee, so that erasure leaves none behind and none is replayed."""

from __future__ import annotations

import re

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from service.idempotency.models import IdempotencyRecord

_ID_CHAR = r"A-Za-z0-9._:\-"


def forget(*, session: Session, external_id: str) -> int:
    """Delete the idempotency records whose path or stored answer names this id (in the caller's transaction)."""
    # LIKE narrows the rows (its '_' wildcard may over-match); the exact check keeps 'TR-1' from hitting 'TR-10'.
    exact = re.compile(rf"(?<![{_ID_CHAR}]){re.escape(external_id)}(?![{_ID_CHAR}])".encode())
    pattern = f"%{external_id}%"
    rows = session.execute(
        select(col(IdempotencyRecord.id), col(IdempotencyRecord.path), col(IdempotencyRecord.body))
        # LIKE on the stored bytes: spelled as an operator, since the binary type declares no string operators.
        .where(or_(col(IdempotencyRecord.path).like(pattern), col(IdempotencyRecord.body).op("LIKE")(pattern.encode())))
    ).all()
    doomed = [row.id for row in rows if exact.search(row.path.encode()) or exact.search(bytes(row.body))]
    if doomed:
        session.execute(delete(IdempotencyRecord).where(col(IdempotencyRecord.id).in_(doomed)))
    return len(doomed)
