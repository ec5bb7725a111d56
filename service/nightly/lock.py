"""One nightly run at a time: a PostgreSQL advisory lock, or on SQLite an OS file lock beside the database.
Both are released by the operating system or the server when the process dies, even by kill -9."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from service.core.errors import Conflict

ADVISORY_KEY = 0x6A6D_6E74  # "jmnt": the nightly run's lock id


@contextmanager
def nightly_lock(engine: Engine) -> Iterator[None]:
    """Hold the nightly lock for the duration, or refuse with Conflict when another run holds it."""
    url = make_url(str(engine.url))
    if url.get_backend_name() == "postgresql":
        # Autocommit: the lock belongs to this connection's session, not to a transaction to commit.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            if not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar():
                raise Conflict("Another nightly run is in progress.")
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
        return
    on_disk = url.database and url.database != ":memory:"
    path = f"{url.database}.nightly.lock" if on_disk else "/tmp/jobmatch.nightly.lock"
    handle = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict("Another nightly run is in progress.") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)
