"""The unit of work: one session per request, CLI command or batch job, committed exactly once at its end and
rolled back on any error, so a failure anywhere leaves nothing half-written."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session

from service.core.actor import request_actor
from service.core.clock import site_today
from service.core.db import WROTE

ACTOR = "actor"  # session.info: the API key writing (None for the CLI and scheduled jobs)
TODAY = "today"  # session.info: the site's calendar day when the unit of work began (one day per unit of work)


def _note_writes(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


@contextmanager
def unit_of_work(engine: Engine, *, timezone: str | None = None, actor: Any = None, dry_run: bool = False
                 ) -> Iterator[Session]:
    """A session whose work is committed once when the block ends, or rolled back when it raises; `timezone` is
    the site's, whose calendar day every default date of this unit of work is (work that takes no default date,
    such as storing an idempotent answer, needs none). A dry run does all the work and rolls it back."""
    with Session(engine, expire_on_commit=False) as session:
        session.info[ACTOR] = actor
        session.info[TODAY] = site_today(timezone) if timezone else None
        event.listen(session, "do_orm_execute", _note_writes)
        try:
            yield session
            if dry_run:
                session.rollback()
            else:
                session.commit()
        except BaseException:
            session.rollback()
            raise


def today(session: Session) -> date:
    """The site's calendar day this unit of work runs on."""
    day = session.info.get(TODAY)
    if day is None:
        raise RuntimeError("this unit of work was opened without the site's timezone")
    return day


def has_written(session: Session) -> bool:
    """Whether the unit of work holds writes not yet committed."""
    return bool(session.info.get(WROTE) or session.new or session.dirty or session.deleted)


def release_connection(session: Session) -> None:
    """Give a session's connection back to the pool before long work that reads nothing (scoring); only
    before anything was written, since the one commit comes at the end."""
    if has_written(session):
        raise RuntimeError("release_connection after a write: the unit of work would lose it")
    session.rollback()


def get_session(request: Request) -> Iterator[Session]:
    """The request's unit of work: committed after the route returns, before the answer is sent."""
    with unit_of_work(request.app.state.engine, timezone=request.app.state.reference.site.timezone,
                      actor=request_actor(request.scope)) as session:
        yield session


# scope="function": the commit happens before the response is sent, so a failed commit answers as an error.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
