"""Database engine and sessions; SQLite gets the pragmas that make it a safe embedded default."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Table, event, exc, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry, NullPool
from sqlmodel import SQLModel, create_engine

WROTE = "wrote"  # session.info: a statement of this unit of work changed rows


def make_engine(database_url: str, *, pool_size: int = 8, pool_timeout: float = 3.0,
                busy_timeout: float = 5.0) -> Engine:
    """Create an engine with a fixed pool and a short wait for a connection (callers answer 503 beyond it);
    for SQLite, make the folder and turn on foreign keys, WAL and a bounded wait for the write lock.

    Parameters are hidden from every error the engine raises: they hold survivor status and home coordinates."""
    url = make_url(database_url)
    # No overflow: the pool is sized to the worker's threads; beyond it, waiting briefly then 503 beats queuing.
    pool = {"pool_size": pool_size, "max_overflow": 0, "pool_timeout": pool_timeout}
    if url.get_backend_name() == "sqlite":
        in_memory = not url.database or url.database == ":memory:"
        if url.database and not in_memory:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(database_url, connect_args={"check_same_thread": False, "timeout": busy_timeout},
                               hide_parameters=True, **({} if in_memory else pool))

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
            cursor.close()

        return engine
    engine = create_engine(database_url, hide_parameters=True, **pool)
    _ping_when_idle(engine)
    return engine


IDLE_BEFORE_PING = 10.0  # seconds a pooled connection may rest before it is checked on checkout


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection on checkout only when it has rested a while: a server restart or an idle
    timeout is noticed (the pool replaces the connection), while a busy worker pays no round trip per request."""

    @event.listens_for(engine.pool, "checkin")
    def _rested_from(_dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _ping_if_rested(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry, _proxy: object) -> None:
        rested_since = record.info.get("checked_in_at")
        if rested_since is None or time.monotonic() - rested_since < IDLE_BEFORE_PING:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # the pool discards this connection and checks out a fresh one
            raise exc.DisconnectionError("the pooled connection no longer answers") from error


def make_probe_engine(database_url: str) -> Engine:
    """An engine without a pool, for /readyz: it answers even when every pooled connection is busy."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return create_engine(database_url, poolclass=NullPool, hide_parameters=True,
                             connect_args={"check_same_thread": False, "timeout": 2})
    return create_engine(database_url, poolclass=NullPool, hide_parameters=True,
                         connect_args={"connect_timeout": 2})


def table_of(model: type[SQLModel]) -> Table:
    """The Core table a table model maps to, for set-based statements (SQLModel's types do not declare
    `__table__`)."""
    table = inspect(model).local_table
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not a table model")
    return table
