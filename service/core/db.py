"""Database engine and sessions; SQLite gets the pragmas that make it a safe embedded default."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine


def make_engine(database_url: str) -> Engine:
    """Create an engine; for SQLite, make the folder and turn on foreign keys and WAL.

    Parameters are hidden from every error the engine raises: they hold survivor status and home coordinates."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(database_url, connect_args={"check_same_thread": False, "timeout": 30},
                               hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(database_url, pool_pre_ping=True, pool_size=5, max_overflow=10, hide_parameters=True)


def session_scope(engine: Engine) -> Iterator[Session]:
    """Yield one session per request; the caller commits."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
