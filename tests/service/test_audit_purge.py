"""The audit log cannot be deleted, except by the one audited purge command."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError

from service.audit.models import AuditEvent
from tests.service.test_cli import jobmatch


def _add_event(engine, at: str, external_id: str) -> None:
    with engine.begin() as connection:  # through the model's column type, as the service stores timestamps
        connection.execute(insert(AuditEvent.__table__).values(
            at=datetime.fromisoformat(at), role="cli", action="read", entity="employer", external_id=external_id))


def _events(engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text("SELECT action, external_id FROM audit_event ORDER BY id"))]


@pytest.mark.parametrize("statement", ["DELETE FROM audit_event", "UPDATE audit_event SET action = 'nothing'"])
def test_the_database_refuses_to_delete_or_change_audit_events(db, statement):
    _add_event(db, "2024-01-01 00:00:00+00:00", "EM-1")
    with pytest.raises(DBAPIError, match="append-only"):
        with db.begin() as connection:
            connection.execute(text(statement))
    assert _events(db) == [("read", "EM-1")]


def test_audit_purge_removes_only_old_events_and_records_itself(db, database_url):
    _add_event(db, "2024-06-01 00:00:00+00:00", "EM-old-1")
    _add_event(db, "2025-12-31 23:59:59+00:00", "EM-old-2")
    _add_event(db, "2026-01-01 00:00:00+00:00", "EM-new")
    result = jobmatch(database_url, "audit", "purge", "--before", "2026-01-01")
    assert result.returncode == 0, result.stderr
    assert "deleted 2 audit event(s)" in result.stderr
    events = _events(db)
    assert events[0] == ("read", "EM-new")
    assert events[1][0] == "purge" and events[1][1].endswith(";deleted=2") and "2026-01-01" in events[1][1]
    with db.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM audit_purge")).scalar_one() == 0  # no permit left
    with pytest.raises(DBAPIError):  # and so plain deletes are refused again
        with db.begin() as connection:
            connection.execute(text("DELETE FROM audit_event"))
    future = jobmatch(database_url, "audit", "purge", "--before", "2999-01-01")
    assert future.returncode == 1 and "in the future" in future.stderr and "Traceback" not in future.stderr
    assert len(_events(db)) == 2
