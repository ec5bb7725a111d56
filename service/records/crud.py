"""Storage operations every resource shares: get, list, upsert, patch, delete by natural key."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from service.core.errors import Conflict, NotFound, PreconditionFailed
from service.core.models import Page
from service.records import writes

T = TypeVar("T", bound=SQLModel)


def describe(key: Mapping[str, Any]) -> str:
    return ", ".join(f"{name}={value}" for name, value in key.items())


def find(*, session: Session, table: type[T], key: Mapping[str, Any], conditions: Sequence[Any] = ()) -> T | None:
    """The row with this natural key (among those the conditions allow), or None."""
    statement = select(table)
    for name, value in key.items():
        statement = statement.where(getattr(table, name) == value)
    for condition in conditions:
        statement = statement.where(condition)
    return session.exec(statement).first()


def get(*, session: Session, table: type[T], key: Mapping[str, Any], label: str, conditions: Sequence[Any] = ()) -> T:
    """The row with this natural key; NotFound otherwise (also when the conditions hide it)."""
    row = find(session=session, table=table, key=key, conditions=conditions)
    if row is None:
        raise NotFound(f"No {label} with {describe(key)}.")
    return row


def list(*, session: Session, table: type[T], conditions: Sequence[Any], page: Page,
         order_by: Sequence[Any]) -> tuple[builtins.list[T], int]:
    """One page of rows matching the conditions, and how many match in all."""
    count_statement = select(func.count()).select_from(table)
    statement = select(table)
    for condition in conditions:
        count_statement = count_statement.where(condition)
        statement = statement.where(condition)
    total = session.exec(count_statement).one()
    rows = session.exec(statement.order_by(*order_by).offset(page.offset).limit(page.limit)).all()
    return [*rows], total


def check_version(row: Any, if_match: int | None) -> None:
    """PreconditionFailed when the client's version (from If-Match) is not the stored one."""
    if if_match is not None and row.version != if_match:
        raise PreconditionFailed(f"The record has version {row.version}; the request was based on version {if_match}.")


AfterWrite = Callable[[Session, Any], None]


@contextmanager
def _conflicts_named(session: Session, label: str) -> Iterator[None]:
    """A constraint violation while flushing becomes a Conflict. The transaction is rolled back at once, so that
    the Conflict's sentence can still read the stored records; the unit of work will not commit."""
    try:
        yield
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(f"The {label} conflicts with stored records: {exc.orig.__class__.__name__}.") from exc


def upsert(*, session: Session, table: type[T], key: Mapping[str, Any], values: Mapping[str, Any], label: str,
           if_match: int | None = None, after_write: AfterWrite | None = None) -> tuple[T, bool]:
    """Insert or update by natural key; returns the row and whether it was created."""
    row = find(session=session, table=table, key=key)
    with _conflicts_named(session, label):
        if row is None:
            row = writes.insert(session=session, row=table(**key, **values))
            if after_write is not None:
                after_write(session, row)
            return row, True
        check_version(row, if_match)
        if writes.update(session=session, row=row, values=values) and after_write is not None:
            after_write(session, row)
    return row, False


def patch(*, session: Session, row: T, values: Mapping[str, Any], label: str, if_match: int | None = None,
          after_write: AfterWrite | None = None) -> T:
    """Change some fields of a row."""
    check_version(row, if_match)
    with _conflicts_named(session, label):
        if writes.update(session=session, row=row, values=values) and after_write is not None:
            after_write(session, row)
    return row


def delete(*, session: Session, row: SQLModel, label: str, if_match: int | None = None) -> None:
    """Delete a row; refused with Conflict while other records refer to it."""
    check_version(row, if_match)
    try:
        writes.delete(session=session, row=row)
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(f"The {label} is still referred to by other records; remove those first.") from exc
