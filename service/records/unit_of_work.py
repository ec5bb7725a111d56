"""The unit of work: one session per request, CLI command or batch job, committed exactly once at its end and
rolled back on any error, so a failure anywhere leaves nothing half-written."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from types import TracebackType
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session

from service.core.actor import request_actor
from service.core.clock import site_today
from service.core.db import WROTE

T = TypeVar("T")

ACTOR = "actor"  # session.info: the API key writing (None for the CLI and scheduled jobs)
TODAY = "today"  # session.info: the site's calendar day when the unit of work began (one day per unit of work)
ONE_THREAD = "one_thread"  # session.info: the unit of work runs whole on one thread (RequestWork)


class UnitOfWorkSession(Session):
    """A unit of work's session: it notes when a statement changed rows (one listener for the class, not one
    added to every session)."""


@event.listens_for(UnitOfWorkSession, "do_orm_execute")
def _note_writes(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


@contextmanager
def unit_of_work(engine: Engine, *, timezone: str | None = None, actor: Any = None, dry_run: bool = False
                 ) -> Iterator[Session]:
    """A session whose work is committed once when the block ends, or rolled back when it raises; `timezone` is
    the site's, whose calendar day every default date of this unit of work is (work that takes no default date,
    such as storing an idempotent answer, needs none). A dry run does all the work and rolls it back."""
    with UnitOfWorkSession(engine, expire_on_commit=False) as session:
        session.info[ACTOR] = actor
        session.info[TODAY] = site_today(timezone) if timezone else None
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
    before anything was written, since the one commit comes at the end. A unit of work run whole on one thread
    (`RequestWork`) keeps it: no other request waits for it (the pool holds a connection for every thread and
    every request in flight), and giving it back would cost two round trips (end and begin a transaction)."""
    if has_written(session):
        raise RuntimeError("release_connection after a write: the unit of work would lose it")
    if not session.info.get(ONE_THREAD):
        session.rollback()


def _request_unit_of_work(request: Request) -> AbstractContextManager[Session]:
    return unit_of_work(request.app.state.engine, timezone=request.app.state.reference.site.timezone,
                        actor=request_actor(request.scope))


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work: committed after the route returns, before the answer is sent. Opening it reads
    nothing, so it takes no thread; ending it takes one only when the session holds a connection or writes."""
    work = _request_unit_of_work(request)
    session = work.__enter__()
    try:
        yield session
    except BaseException as exc:
        if not await _end(work, session, exc):
            raise
    else:
        await _end(work, session, None)


async def _end(work: AbstractContextManager[Session], session: Session, exc: BaseException | None) -> bool | None:
    """Leave the unit of work (commit, or roll back on an error): on a thread of its own when that talks to the
    database, never waiting for a handler thread (the request may hold a connection those threads wait for)."""
    exit_args: tuple[type[BaseException] | None, BaseException | None, TracebackType | None] = (
        (type(exc), exc, exc.__traceback__) if exc is not None else (None, None, None))
    if not (session.in_transaction() or has_written(session)):
        return work.__exit__(*exit_args)  # nothing to send: no connection was taken, or it was given back
    with anyio.CancelScope(shield=True):  # a client that goes away never leaves the transaction open
        ended = await anyio.to_thread.run_sync(work.__exit__, *exit_args, limiter=anyio.CapacityLimiter(1))
    return ended


# scope="function": the commit happens before the response is sent, so a failed commit answers as an error.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


class RequestWork:
    """A request's unit of work run on one thread, for a route whose blocking part is one piece of work:
    `await work.run(do)` opens it, calls `do(session)` and commits (or rolls back) there, on that same thread:
    one thread hop instead of one per dependency, the route and the commit."""

    def __init__(self, request: Request) -> None:
        self.request, self.ran = request, False

    async def run(self, do: Callable[[Session], T]) -> T:
        """`do(session)` in the request's unit of work, committed once when it returns."""
        if self.ran:
            raise RuntimeError("a request has one unit of work: run it once")
        self.ran = True

        def in_thread() -> T:
            with _request_unit_of_work(self.request) as session:
                session.info[ONE_THREAD] = True
                return do(session)

        return await anyio.to_thread.run_sync(in_thread)


async def get_work(request: Request) -> RequestWork:
    return RequestWork(request)


RequestWorkDep = Annotated[RequestWork, Depends(get_work)]
