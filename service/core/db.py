"""Database engine and sessions; SQLite gets the pragmas that make it a safe embedded default."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Table, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry, NullPool
from sqlmodel import SQLModel, create_engine


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
    return create_engine(database_url, pool_pre_ping=True, hide_parameters=True, **pool)


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
