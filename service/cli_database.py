"""Before a command reads or writes records: the database exists, answers and is migrated, or the command says
which command makes it so. Asking never creates an empty SQLite file."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from service.cli_errors import CommandFailed, shown_url

SETUP_HINT = "run `jobmatch setup` (`--no-demo` leaves out the demo data) or `jobmatch db upgrade`"


def require_database(database_url: str) -> None:
    """CommandFailed, naming the next step, unless the database is at the newest migration; a database that does
    not answer raises the driver's OperationalError (the CLI's error handler words it)."""
    from service.core import migrate
    from service.core.db import make_probe_engine
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        if not path.is_file():
            raise CommandFailed(f"there is no database at {path} yet: {SETUP_HINT}")
    probe = make_probe_engine(database_url)
    try:
        current = migrate.current_revision(probe)
    finally:
        probe.dispose()
    if current is None:
        raise CommandFailed(f"the database at {shown_url(database_url)} is not set up: {SETUP_HINT}")
    if current != migrate.head_revision():
        raise CommandFailed(f"the database at {shown_url(database_url)} needs migrating (it is at revision {current}, "
                            f"this jobmatch needs {migrate.head_revision()}): run `jobmatch db upgrade`")
