"""Recording changes and reading them back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ScalarSelect, func, select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from service.core import bulk
from service.core.db import table_of
from service.core.models import utcnow
from service.records.models import Change

ERASURE = "erasure"  # logged under a pseudonym: the index reloads its trainees
# what the match index holds or depends on, and what values it keeps are derived from (market signals: the demand
# model fitted on request)
TRACKED = {"trainee", "employer", "opening", "model", "market_signal", ERASURE}


def record(*, session: Session, entity: str, external_ids: Iterable[str]) -> None:
    """Note that these records changed (in the caller's transaction, so a rollback forgets it too)."""
    if entity not in TRACKED:
        return
    now = utcnow()
    rows = [{"entity": entity, "external_id": external_id, "changed_at": now} for external_id in external_ids]
    if rows:
        bulk.insert_rows(session, table_of(Change), rows)


def latest_id() -> ScalarSelect[Any]:
    """The newest change id (NULL when nothing was ever recorded), as a column of a larger statement: the
    authentication gate reads it with the key, in the same round trip."""
    return select(func.max(col(Change.id))).scalar_subquery()


def latest(*, session: Session) -> int:
    """The newest change id (0 when nothing was ever recorded)."""
    return session.execute(select(func.max(col(Change.id)))).scalar_one() or 0


def since(*, session: Session, after: int, upto: int) -> dict[str, set[str]]:
    """External ids changed after one change id up to another, by entity."""
    changed: dict[str, set[str]] = {}
    rows = session.execute(select(col(Change.entity), col(Change.external_id))
                           .where(col(Change.id) > after, col(Change.id) <= upto))
    for entity, external_id in rows:
        changed.setdefault(entity, set()).add(external_id)
    return changed


def forget(*, session: Session, entity: str, external_id: str, pseudonym: str) -> None:
    """Erasure: the log's rows naming this record name a pseudonym instead, and an 'erasure' change (under the
    pseudonym) tells every index to reload that table, since it can no longer learn which id went."""
    session.execute(update(Change).where(col(Change.entity) == entity, col(Change.external_id) == external_id)
                    .values(external_id=pseudonym))
    record(session=session, entity=ERASURE, external_ids=[pseudonym])
