"""The command line's one error handler: every mistake a person can make becomes one plain line saying what went
wrong and what to do next, never a traceback. Anything unexpected says how to see the details."""

from __future__ import annotations

import logging
import re
import signal
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from typer.core import TyperGroup
from typer.exceptions import Abort, Exit, TyperException

from service.core.errors import DomainError

log = logging.getLogger("jobmatch.cli")
DEBUG_HINT = "run with JOBMATCH_DEBUG=1 (or jobmatch --debug ...) for details"


class CommandFailed(Exception):
    """A command cannot go on: the message says why and what to do next."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, as a service manager or `kill` sends it: handled like Ctrl-C, so that every `finally` runs (a unit of
    work rolls back, the nightly run's lock is released, a Dask cluster is closed) before the command exits."""


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """While a command runs, SIGTERM raises Terminated in it (once: a second SIGTERM stops the process at once)."""
    def stop(_signum: int, _frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise Terminated

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def shown_url(database_url: str) -> str:
    """The database URL without its password, for messages."""
    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except Exception:  # a URL that does not even parse is shown as given: it holds no usable password
        return database_url


def _database_reason(exc: DBAPIError) -> str:
    """The first line of the driver's message, which names the cause (connection refused, no such database...)."""
    text = str(exc.orig) if exc.orig is not None else str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def _database_problem(exc: DBAPIError, database_url: str) -> str:
    reason = _database_reason(exc)
    lowered = reason.lower()
    if "no such table" in lowered or ("relation" in lowered and "does not exist" in lowered):
        return (f"the database at {shown_url(database_url)} is not set up: run `jobmatch setup` (or "
                "`jobmatch db upgrade`)")
    missing = re.search(r'database "([^"]+)" does not exist', reason)
    if missing:
        return (f"there is no database {missing.group(1)} on the server of JOBMATCH_DATABASE_URL: create it (e.g. "
                f"`createdb {missing.group(1)}`), then run `jobmatch setup`")
    if "database is locked" in lowered:
        return "the database is busy (another jobmatch command is writing to it): try again when it is done"
    if isinstance(exc, OperationalError):
        return (f"cannot use the database at {shown_url(database_url)} ({reason}): check JOBMATCH_DATABASE_URL "
                "and that the database server is running")
    # Other refusals are not a person's mistake; their text may quote row values, so only the kind is shown.
    return f"the database refused the command ({type(exc.orig or exc).__name__}); {DEBUG_HINT}"


def explain(exc: BaseException, *, database_url: str) -> str | None:
    """One line for an error a person can fix, or None when it is unexpected."""
    if isinstance(exc, CommandFailed):
        return str(exc)
    if isinstance(exc, DomainError):
        return exc.detail
    if isinstance(exc, PoolTimeout):
        return "the database did not give a connection in time: try again when other work on it is done"
    if isinstance(exc, DBAPIError):
        return _database_problem(exc, database_url)
    if isinstance(exc, NoSuchModuleError | ArgumentError):
        return (f"JOBMATCH_DATABASE_URL names a database this installation cannot use ({shown_url(database_url)}): "
                "use sqlite:///PATH or postgresql+psycopg://USER@HOST:PORT/NAME")
    if isinstance(exc, ValidationError):  # settings from the environment or .env
        first = exc.errors()[0]
        name = "JOBMATCH_" + str(first["loc"][0]).upper() if first.get("loc") else "a JOBMATCH_ setting"
        return f"{name} is not valid ({first['msg']}): fix it in the environment or the .env file"
    if isinstance(exc, (zipfile.BadZipFile, zlib.error, EOFError)):
        return f"the .zip is damaged ({exc}): make it again, or use the folder it was made from"
    if isinstance(exc, UnicodeDecodeError):
        return "a file is not UTF-8 text: save it as UTF-8 (in a spreadsheet, 'CSV UTF-8') and try again"
    if isinstance(exc, FileNotFoundError):
        return f"{exc.filename or 'a file'} does not exist: check the path"
    if isinstance(exc, PermissionError):
        return f"no permission to use {exc.filename or 'a file'}: check its owner and permissions"
    if isinstance(exc, IsADirectoryError | NotADirectoryError):
        return f"{exc.filename}: {exc.strerror.lower() if exc.strerror else 'wrong kind of path'}"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename + ': ' if exc.filename else ''}{exc.strerror}"
    if isinstance(exc, OSError) and str(exc).strip():  # a connection (a Dask scheduler...) that failed
        return (f"{str(exc).strip().splitlines()[0]}: check the address given and that the service there is "
                "running")
    return None


def report_failure(exc: BaseException, *, console: Console, database_url: str, debug: bool) -> None:
    """Print the one line (and, in debug mode, log the traceback)."""
    message = explain(exc, database_url=database_url)
    if message is None:
        message = f"unexpected error ({type(exc).__name__}); {DEBUG_HINT}"
    if isinstance(exc, DomainError):
        for problem in exc.errors or []:
            console.print(located(problem), highlight=False, markup=False, soft_wrap=True)
    if debug:
        log.error("command failed", exc_info=exc)
    console.print(f"[red]error:[/red] {_escape(message)}", soft_wrap=True, highlight=False)


class HideTracebacks(logging.Filter):
    """Outside debug mode, log lines keep their message but not the traceback a failing service attached."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not GuidedGroup.debug:
            record.exc_info, record.exc_text = None, None
        return True


def located(problem: dict[str, Any]) -> str:
    """A bundle problem as `file:line:column: reason` (docs/import-bundle.md: line 0 is the whole file, an empty
    column the whole row), or a request problem's reason."""
    if "file" not in problem:
        return str(problem.get("reason", problem))
    return f"{problem['file']}:{problem.get('line', 0)}:{problem.get('column', '')}: {problem['reason']}"


def _escape(text: str) -> str:
    from rich.markup import escape
    return escape(text)


class GuidedGroup(TyperGroup):
    """The `jobmatch` group: runs the command, and turns whatever it raises into one line and exit status 1."""

    console: Console | None = None
    debug = False  # --debug or JOBMATCH_DEBUG, set by the group's callback

    def invoke(self, ctx: Any) -> Any:  # Any: typer's own click Context, which it does not export
        try:
            with sigterm_as_interrupt():  # `serve` hands signals to the server, which finishes requests in flight
                return super().invoke(ctx)
        except (Exit, Abort, TyperException):  # typer's own: usage errors and exits
            raise
        except Terminated:
            _console().print("[red]error:[/red] stopped (SIGTERM); a command that writes writes all or nothing")
            raise typer.Exit(code=128 + signal.SIGTERM) from None
        except KeyboardInterrupt:
            _console().print("[red]error:[/red] interrupted; a command that writes writes all or nothing")
            raise typer.Exit(code=130) from None
        except Exception as exc:  # the one place a command's error becomes a message
            report_failure(exc, console=_console(), database_url=_database_url(), debug=GuidedGroup.debug)
            raise typer.Exit(code=1) from None


def _console() -> Console:
    return GuidedGroup.console or Console(stderr=True)


def _database_url() -> str:
    from service.core.config import get_settings
    try:
        return get_settings().database_url
    except Exception:  # the settings themselves are what failed
        return "(unreadable settings)"

