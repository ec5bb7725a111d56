"""`jobmatch backup PATH` and `jobmatch restore PATH` for the embedded (SQLite) database.

A backup is SQLite's online backup API read inside one read transaction: a consistent copy of one moment while the
server keeps reading and writing (WAL mode). A restore checks the file (a SQLite database, undamaged, at a
migration revision this jobmatch knows), refuses while anything has the database open, copies it beside the
database and renames it into place: the database is the old one or the new one, never half of either. On
PostgreSQL both commands say which pg_dump or pg_restore command does it."""

from __future__ import annotations

import os
import shlex
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, make_url

from service.cli_errors import CommandFailed
from service.core.migrate import alembic_config
from service.core.progress import NO_PROGRESS, Progress

SQLITE_HEADER = b"SQLite format 3\x00"
PAGES_PER_STEP = 1024  # pages copied between progress reports (4 MiB at SQLite's default page size)
BUSY_SECONDS = 5.0  # how long the backup waits for a writer that holds the database at the very moment it starts


@dataclass(frozen=True)
class Copied:
    path: Path
    size_bytes: int
    revision: str
    trainees: int
    replaced: bool = False


def sqlite_path(database_url: str, *, action: str, path: Path) -> Path:
    """The database file of a SQLite URL; on PostgreSQL, CommandFailed naming the exact pg_dump/pg_restore command."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        raise CommandFailed(postgresql_command(url, action=action, path=path))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise CommandFailed(f"only a SQLite file can be {action}d with this command, not {url.get_backend_name()}")
    return Path(url.database)


def postgresql_command(url: URL, *, action: str, path: Path) -> str:
    """The one line that says how PostgreSQL does it (the password, if any, from PGPASSWORD or ~/.pgpass)."""
    bare = URL.create("postgresql", username=url.username, host=url.host, port=url.port, database=url.database)
    target = shlex.quote(bare.render_as_string(hide_password=False))  # libpq's form, never the password
    if action == "backup":
        return ("the database is PostgreSQL: back it up with pg_dump (password from PGPASSWORD or ~/.pgpass): "
                f"pg_dump --format=custom --file={shlex.quote(str(path))} {target}")
    return ("the database is PostgreSQL: stop the server, then restore with pg_restore (password from PGPASSWORD or "
            f"~/.pgpass): pg_restore --clean --if-exists --no-owner --dbname={target} {shlex.quote(str(path))}")


def backup(*, database: Path, target: Path, replace: bool, progress: Progress = NO_PROGRESS) -> Copied:
    """Copy the database to `target` as it is at one moment, while it is in use."""
    if not database.is_file():
        raise CommandFailed(f"there is no database at {database}: nothing to back up")
    if target.is_dir():
        raise CommandFailed(f"{target} is a folder: give the backup a file name, e.g. {target / 'jobmatch.db'}")
    if target.exists() and target.resolve() == database.resolve():
        raise CommandFailed(f"{target} is the database itself: give the backup another name")
    if target.exists() and not replace:
        raise CommandFailed(f"{target} exists: choose another name, or add --force to replace it")
    with closing(sqlite3.connect(database, timeout=BUSY_SECONDS, isolation_level=None)) as source:
        source.execute("BEGIN")  # one read transaction: every page copied comes from the same moment
        revision, trainees = _identity(source, database)
        _copy_into_place(source, target, progress)
        source.execute("COMMIT")
    return Copied(path=target, size_bytes=target.stat().st_size, revision=revision, trainees=trainees)


def restore(*, database: Path, source: Path, confirmed: bool, progress: Progress = NO_PROGRESS) -> Copied:
    """Replace the database by a backup, once the backup is checked and nothing has the database open."""
    revision, trainees = check_backup(source)
    if database.exists() and source.resolve() == database.resolve():
        raise CommandFailed(f"{source} is the database itself: nothing to restore")
    if not database.exists():
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup_file:
            _copy_into_place(backup_file, database, progress)
        return Copied(path=database, size_bytes=database.stat().st_size, revision=revision, trainees=trainees)
    if not confirmed:
        raise CommandFailed(f"restoring replaces the database at {database} with {source} ({trainees:,} trainees, "
                            f"migration {revision}): stop the server and any nightly run, then run "
                            f"`jobmatch restore {shlex.quote(str(source))} --yes`")
    with _no_nightly_run(database), _held_alone(database), \
            closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup_file:
        _copy_into_place(backup_file, database, progress)
    return Copied(path=database, size_bytes=database.stat().st_size, revision=revision, trainees=trainees,
                  replaced=True)


def check_backup(path: Path) -> tuple[str, int]:
    """(migration revision, trainees) of a file that is an undamaged jobmatch database this jobmatch knows."""
    if not path.is_file():
        raise CommandFailed(f"{path} does not exist or is not a file: give the path of a file `jobmatch backup` made")
    with open(path, "rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise CommandFailed(f"{path} is not a SQLite database: give the path of a file `jobmatch backup` made")
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        try:
            verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            verdict = str(exc)
        if verdict != "ok":
            raise CommandFailed(f"{path} is damaged ({verdict}): restore another backup")
        revision, trainees = _identity(connection, path)
    known = ScriptDirectory.from_config(alembic_config("sqlite://"))
    if revision not in {script.revision for script in known.walk_revisions()}:
        raise CommandFailed(f"{path} is at migration {revision}, which this jobmatch does not know (a newer version "
                            "made it): restore it with that version")
    return revision, trainees


def _identity(connection: sqlite3.Connection, path: Path) -> tuple[str, int]:
    """The migration revision and the number of trainees of a jobmatch database."""
    try:
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        trainees = connection.execute("SELECT count(*) FROM trainee").fetchone()[0]
    except sqlite3.DatabaseError:
        revision = None
    if revision is None:
        raise CommandFailed(f"{path} is not a jobmatch database (it has no migration revision or no trainee "
                            "table): give the path of a file `jobmatch backup` made")
    return str(revision[0]), int(trainees)


@contextmanager
def _no_nightly_run(database: Path) -> Iterator[None]:
    """Hold the nightly run's lock: none is running, and none starts until the restore is done."""
    from service.core.db import make_engine
    from service.core.errors import Conflict
    from service.nightly.lock import nightly_lock
    engine = make_engine(f"sqlite:///{database}")
    try:
        with nightly_lock(engine):
            yield
    except Conflict:
        raise CommandFailed("a nightly run is in progress: restore when it has finished (or stop it)") from None
    finally:
        engine.dispose()


@contextmanager
def _held_alone(database: Path) -> Iterator[None]:
    """Hold the database exclusively (no server, command or nightly run may open it meanwhile), its write-ahead
    log folded in and gone, so that nothing of the old database is replayed into the new one; refuse at once when
    anything has it open."""
    connection = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        try:
            connection.execute("PRAGMA locking_mode=EXCLUSIVE")
            connection.execute("PRAGMA journal_mode=DELETE")  # checkpoints and removes the WAL: needs it alone
            connection.execute("BEGIN EXCLUSIVE")
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
            connection.execute("COMMIT")  # the exclusive lock stays until the connection closes
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise CommandFailed(f"the database at {database} is in use (a server, a nightly run or another "
                                    "command has it open): stop them, then restore again") from None
            raise
        for leftover in (Path(f"{database}-wal"), Path(f"{database}-shm")):
            leftover.unlink(missing_ok=True)
        yield
    finally:
        connection.close()


def _copy_into_place(source: sqlite3.Connection, target: Path, progress: Progress) -> None:
    """Copy with the backup API into a hidden file beside `target`, flush it to disk, rename it over `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        progress.start("copying pages", int(source.execute("PRAGMA page_count").fetchone()[0]))
        copied = 0

        def report(_status: int, remaining: int, total: int) -> None:
            nonlocal copied
            progress.advance(total - remaining - copied)
            copied = total - remaining

        with closing(sqlite3.connect(partial, isolation_level=None)) as copy:
            source.backup(copy, pages=PAGES_PER_STEP, progress=report)
            # A file on its own: reading it later leaves no -wal/-shm beside it (the service turns WAL back on).
            copy.execute("PRAGMA journal_mode=DELETE")
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
        _sync_folder(target.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        for journal in (Path(f"{partial}-journal"), Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            journal.unlink(missing_ok=True)
        raise


def _sync_folder(folder: Path) -> None:
    """Make a rename in the folder durable."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
