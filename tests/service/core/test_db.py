"""The engine on PostgreSQL: a pooled connection the server dropped while it rested is replaced, not failed."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from service.core import db


def test_a_connection_dropped_while_resting_is_replaced_on_checkout(database_url, monkeypatch) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server that could drop a connection")
    monkeypatch.setattr(db, "IDLE_BEFORE_PING", 0.0)
    engine = db.make_engine(database_url, pool_size=1)
    try:
        with engine.connect() as connection:
            dropped = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with db.make_engine(database_url, pool_size=1).connect() as admin:  # as a server restart would
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
        with engine.connect() as connection:  # the same pooled connection, checked before use
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != dropped
    finally:
        engine.dispose()
