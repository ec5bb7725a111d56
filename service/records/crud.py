"""Storage operations every resource shares: get, list, upsert, patch, delete by natural key."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from service.records import changes
from service.core.errors import Conflict, NotFound, PreconditionFailed
from service.core.models import Page, utcnow

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


def list(*, session: Session, table: type[T], conditions: Sequence[Any], page: Page,  # noqa: A001
         order_by: Sequence[Any]) -> tuple[list[T], int]:
    """One page of rows matching the conditions, and how many match in all."""
    count_statement = select(func.count()).select_from(table)
    statement = select(table)
    for condition in conditions:
        count_statement = count_statement.where(condition)
        statement = statement.where(condition)
    total = session.exec(count_statement).one()
    rows = session.exec(statement.order_by(*order_by).offset(page.offset).limit(page.limit)).all()
    return [*rows], total


def same(current: Any, new: Any) -> bool:
    """Whether a stored value equals a new one (dates and datetimes compared as values)."""
    if isinstance(current, datetime) and isinstance(new, datetime):
        return current.replace(tzinfo=current.tzinfo or UTC) == new.replace(tzinfo=new.tzinfo or UTC)
    if isinstance(current, float) or isinstance(new, float):
        return current is not None and new is not None and abs(float(current) - float(new)) < 1e-9
    if isinstance(current, date) and isinstance(new, str):
        return current.isoformat() == new
    return current == new


def changed_fields(row: SQLModel, values: Mapping[str, Any]) -> dict[str, Any]:
    """The subset of values that differ from what the row holds."""
    return {name: value for name, value in values.items() if not same(getattr(row, name), value)}


def check_version(row: Any, if_match: int | None) -> None:
    if if_match is not None and row.version != if_match:
        raise PreconditionFailed(f"The record has version {row.version}; the request was based on version {if_match}.")


def apply(row: Any, changes: Mapping[str, Any]) -> bool:
    """Write changes onto a row, bumping its version; False when nothing changed."""
    if not changes:
        return False
    for name, value in changes.items():
        setattr(row, name, value)
    row.version += 1
    row.updated_at = utcnow()
    return True


def note_change(session: Session, row: Any) -> None:
    """Log the write for the match index (same transaction)."""
    if hasattr(row, "external_id"):
        changes.record(session=session, entity=row.__tablename__, external_ids=[row.external_id])
    if hasattr(row, "opening_external_id"):  # a placement changes how many positions its opening has left
        changes.record(session=session, entity="opening", external_ids=[row.opening_external_id])


AfterWrite = Callable[[Session, Any], None]


def save(*, session: Session, row: T, label: str, after_write: AfterWrite | None = None) -> T:
    """Commit one row, and what follows from it, in one transaction; a constraint violation becomes a Conflict.

    Any failure rolls back everything: a placement is never left without its follow-ups."""
    session.add(row)
    try:
        note_change(session, row)
        if after_write is not None:
            session.flush()
            after_write(session, row)
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(f"The {label} conflicts with stored records: {exc.orig.__class__.__name__}.") from exc
    except BaseException:
        session.rollback()
        raise
    session.refresh(row)
    return row


def upsert(*, session: Session, table: type[T], key: Mapping[str, Any], values: Mapping[str, Any], label: str,
           if_match: int | None = None, after_write: AfterWrite | None = None) -> tuple[T, bool]:
    """Insert or update by natural key; returns the row and whether it was created."""
    row = find(session=session, table=table, key=key)
    if row is None:
        return save(session=session, row=table(**key, **values), label=label, after_write=after_write), True
    check_version(row, if_match)
    if apply(row, changed_fields(row, values)):
        row = save(session=session, row=row, label=label, after_write=after_write)
    return row, False


def patch(*, session: Session, row: T, values: Mapping[str, Any], label: str, if_match: int | None = None,
          after_write: AfterWrite | None = None) -> T:
    """Change some fields of a row."""
    check_version(row, if_match)
    if apply(row, changed_fields(row, values)):
        row = save(session=session, row=row, label=label, after_write=after_write)
    return row


def delete(*, session: Session, row: SQLModel, label: str, if_match: int | None = None) -> None:
    """Delete a row; refused with Conflict while other records refer to it."""
    check_version(row, if_match)
    note_change(session, row)
    session.delete(row)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(f"The {label} is still referred to by other records; remove those first.") from exc
