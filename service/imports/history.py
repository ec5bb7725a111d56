"""Every import attempt is kept, whether it wrote records, was a dry run or was refused, so that a coordinator can
see on Today that an import failed and where. Only where its problems were is kept (file, line, column and the
kind of problem with quoted cell text left out), never what a cell held."""

from __future__ import annotations

import builtins
import datetime
import re
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.auth.models import ApiKey
from service.core.errors import DomainError
from service.core.models import Page
from service.imports import repository
from service.imports.models import ImportAttempt, ImportAttemptPublic, ImportAttemptsPublic, ImportSource
from service.records.unit_of_work import unit_of_work

KEPT_PROBLEMS = 20  # problems kept per refused attempt; the count covers all of them
_QUOTED = re.compile(r"'[^']*'")


def _without_cell_text(text: str) -> str:
    return _QUOTED.sub("'…'", text)


def _attempt(*, source: ImportSource, caller: ApiKey | None, dry_run: bool) -> ImportAttempt:
    return ImportAttempt(source=source, dry_run=dry_run, outcome="refused",
                         key_prefix=caller.prefix if caller else None, role=caller.role if caller else None,
                         partner_org=caller.partner_org if caller else None)


def record_done(*, engine: Engine, source: ImportSource, caller: ApiKey | None, dry_run: bool, rows: int) -> None:
    """Keep an import that wrote its records, or a dry run that found no problem."""
    attempt = _attempt(source=source, caller=caller, dry_run=dry_run)
    attempt.outcome, attempt.rows = ("checked" if dry_run else "imported"), rows
    attempt.summary = f"{rows:,} rows checked; nothing written (a dry run)." if dry_run else f"{rows:,} rows imported."
    _store(engine, attempt)


def record_refused(*, engine: Engine, source: ImportSource, caller: ApiKey | None, dry_run: bool,
                   error: DomainError) -> None:
    """Keep a refused import: its sentence and where its problems were."""
    attempt = _attempt(source=source, caller=caller, dry_run=dry_run)
    problems: builtins.list[dict[str, Any]] = [
        {"file": str(problem.get("file", "")), "line": int(problem.get("line") or 0),
         "column": str(problem.get("column", "")), "kind": _without_cell_text(str(problem.get("reason", "")))}
        for problem in (error.errors or []) if isinstance(problem, dict)]
    attempt.summary = _without_cell_text(error.detail)[:500]
    attempt.problem_count, attempt.problems = len(problems), problems[:KEPT_PROBLEMS]
    _store(engine, attempt)


def _store(engine: Engine, attempt: ImportAttempt) -> None:
    with unit_of_work(engine) as session:
        repository.add(session=session, attempt=attempt)


def list(*, session: Session, caller: ApiKey, outcome: str | None, page: Page) -> ImportAttemptsPublic:
    """A page of the import attempts this key may see, newest first."""
    rows, count = repository.page_of_attempts(session=session, caller=caller, outcome=outcome, page=page)
    return ImportAttemptsPublic(data=[ImportAttemptPublic.model_validate(row) for row in rows], count=count)


def refused_since(*, session: Session, caller: ApiKey, since: datetime.datetime, limit: int
                  ) -> tuple[builtins.list[ImportAttemptPublic], int]:
    """The newest refused imports since a moment that this key may see, and how many there were."""
    rows, count = repository.refused_since(session=session, caller=caller, since=since, limit=limit)
    return [ImportAttemptPublic.model_validate(row) for row in rows], count
