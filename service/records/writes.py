"""The one write path. Every change to a record (a row with a version: trainees, employers, openings, placements,
follow-ups, market signals) goes through these functions, whoever writes it: the API, an import, a JobPosting,
accept, a risk flag, erasure, retention. Each applies every invariant of a write, in the caller's unit of work:

- the row's `version` moves by one and `updated_at` is now (new rows start at version 1);
- the change log names the record, so every process's match index sees it (a placement also names its opening,
  whose positions left it changes);
- the audit log gets one event per record, by the unit of work's actor (a trainee under her pseudonym).

Single rows go through the ORM (`insert`, `update`, `delete`); imports and bulk changes use the set-based
variants (`insert_many`, `update_many`, `update_where`, `delete_many`) with the same invariants."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, or_
from sqlalchemy import delete as sql_delete
from sqlalchemy import select as sql_select
from sqlalchemy import update as sql_update
from sqlmodel import Session, SQLModel, select

from service.audit import service as audit
from service.core import bulk
from service.core.db import table_of
from service.core.models import Tracked, utcnow
from service.records import changes
from service.records.unit_of_work import ACTOR

T = TypeVar("T", bound=SQLModel)


def same(current: Any, new: Any) -> bool:
    """Whether a stored value equals a new one (dates and datetimes compared as values)."""
    if isinstance(current, datetime) and isinstance(new, datetime):
        return current.replace(tzinfo=current.tzinfo or UTC) == new.replace(tzinfo=new.tzinfo or UTC)
    if isinstance(current, float) or isinstance(new, float):
        return current is not None and new is not None and abs(float(current) - float(new)) < 1e-9
    if isinstance(current, date) and isinstance(new, str):
        return current.isoformat() == new
    return bool(current == new)


def changed_fields(row: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    """The subset of values that differ from what the row holds."""
    return {name: value for name, value in values.items() if not same(getattr(row, name), value)}


def record_id(row: Mapping[str, Any]) -> str | None:
    """How the logs name a record: its external id, a follow-up's placement and month, or a market signal's
    district, occupation, month and source."""
    if row.get("external_id") is not None:
        return str(row["external_id"])
    if row.get("placement_external_id") is not None and row.get("month") is not None:
        return f"{row['placement_external_id']}/{row['month']}"
    if all(row.get(name) is not None for name in ("district", "occupation", "period")):
        return f"{row['district']}/{row['occupation']}/{row['period']}/{row.get('source') or ''}"
    return None


#: Records without an id of their own that belong to one trainee: her row in the match index holds them, so a
#: write is logged as a change of her record, and audited under her pseudonym (the action names what changed).
OWNED_BY_TRAINEE = frozenset({"confirmed_journey"})


def record_written(session: Session, table: type[SQLModel], rows: Sequence[Mapping[str, Any]], action: str) -> None:
    """The change log and the audit log of written records (each a mapping with its `external_id` or a
    follow-up's placement and month, and a placement's `opening_external_id`; a record owned by a trainee with
    her `trainee_external_id`)."""
    entity = table_of(table).name
    if entity in OWNED_BY_TRAINEE:
        owners = [*dict.fromkeys(str(row["trainee_external_id"]) for row in rows
                                 if row.get("trainee_external_id") is not None)]
        changes.record(session=session, entity="trainee", external_ids=owners)
        audit.record(session=session, caller=session.info.get(ACTOR), action=f"{entity}_{action}", entity="trainee",
                     external_ids=owners)
        return
    ids = [*dict.fromkeys(name for name in map(record_id, rows) if name is not None)]
    if not ids:
        return
    changes.record(session=session, entity=entity, external_ids=ids)
    openings = sorted({row["opening_external_id"] for row in rows if row.get("opening_external_id")})
    if openings:  # a placement changes how many positions its opening has left
        changes.record(session=session, entity="opening", external_ids=openings)
    audit.record(session=session, caller=session.info.get(ACTOR), action=action, entity=entity, external_ids=ids)


def _identity(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name, None) for name in ("external_id", "opening_external_id", "placement_external_id",
                                                        "month", "trainee_external_id", "district", "occupation",
                                                        "period", "source")}


def insert(*, session: Session, row: T, action: str = "create") -> T:
    """Add a new record (version 1)."""
    session.add(row)
    session.flush()
    record_written(session, type(row), [_identity(row)], action)
    return row


def update(*, session: Session, row: T, values: Mapping[str, Any], action: str = "update") -> bool:
    """Change the fields of a record that differ; False (and no new version) when nothing changed."""
    changed = changed_fields(row, values)
    if not changed:
        return False
    before = _identity(row)
    for name, value in changed.items():
        setattr(row, name, value)
    tracked = cast(Tracked, row)  # every record is a Tracked table model
    tracked.version += 1
    tracked.updated_at = utcnow()
    session.add(row)
    session.flush()
    record_written(session, type(row), [before, _identity(row)] if before != _identity(row) else [before], action)
    return True


def delete(*, session: Session, row: SQLModel, action: str = "delete") -> None:
    """Remove a record."""
    identity = _identity(row)
    session.delete(row)
    session.flush()
    record_written(session, type(row), [identity], action)


def insert_many(*, session: Session, table: type[SQLModel], rows: Sequence[dict[str, Any]],
                action: str = "import") -> None:
    """Add many new records in one statement (bulk import)."""
    if not rows:
        return
    now = utcnow()
    bulk.insert_rows(session, table_of(table),
                     [{**row, "created_at": now, "updated_at": now, "version": 1} for row in rows])
    record_written(session, table, rows, action)


def update_many(*, session: Session, table: type[SQLModel], changes_by_row: Sequence[tuple[Mapping[str, Any],
                dict[str, Any]]], action: str = "import") -> None:
    """Change many records by primary key in one statement; each item is (the stored row as a mapping with
    `id` and `version`, the changed fields)."""
    if not changes_by_row:
        return
    now = utcnow()
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}  # one statement per set of changed columns
    for current, fields in changes_by_row:
        by_columns.setdefault(tuple(fields), []).append({"id": current["id"], **fields,
                                                         "version": current["version"] + 1, "updated_at": now})
    for rows in by_columns.values():
        bulk.update_rows(session, table_of(table), rows)
    # A placement moved to another opening changes the positions left of both.
    record_written(session, table,
                   [row for current, fields in changes_by_row for row in (current, {**current, **fields})], action)


def delete_many(*, session: Session, table: type[SQLModel], rows: Sequence[Mapping[str, Any]],
                action: str = "delete") -> None:
    """Remove many records by primary key in one statement; each row a mapping with its `id` and what names it
    (as `record_written` reads it)."""
    if not rows:
        return
    columns = table_of(table).c
    ids = [row["id"] for row in rows]
    for start in range(0, len(ids), 1000):
        session.execute(sql_delete(table).where(columns.id.in_(ids[start:start + 1000])))
    record_written(session, table, rows, action)


def update_each(*, session: Session, table: type[SQLModel], values_by_external_id: Mapping[str, Mapping[str, Any]],
                action: str = "update") -> list[str]:
    """Set each record's own values (by external id), only on the records where a value differs; returns the
    external ids of the records changed."""
    columns = table_of(table).c
    wanted = sorted(values_by_external_id)
    changed: list[tuple[Mapping[str, Any], dict[str, Any]]] = []
    for start in range(0, len(wanted), 1000):
        rows = session.execute(sql_select(table_of(table)).where(columns.external_id.in_(wanted[start:start + 1000])))
        for current in map(dict, rows.mappings()):
            fields = dict(values_by_external_id[current["external_id"]])
            if not all(same(current[name], value) for name, value in fields.items()):
                changed.append((current, fields))
    update_many(session=session, table=table, changes_by_row=changed, action=action)
    return [current["external_id"] for current, _ in changed]


def update_where(*, session: Session, table: type[SQLModel], where: Iterable[ColumnElement[bool]],
                 values: Mapping[str, Any], action: str = "update") -> list[str]:
    """Set the same values on every record matching the conditions (only where a value differs); returns the
    external ids of the records changed."""
    columns = table_of(table).c
    conditions = [*where]
    differs = [columns[name].is_distinct_from(value) for name, value in values.items()]
    targets = [*session.execute(select(columns.external_id).where(*conditions, or_(*differs))).scalars()]
    if not targets:
        return []
    session.execute(sql_update(table).where(columns.external_id.in_(targets))
                    .values(**values, version=columns.version + 1, updated_at=utcnow()))
    record_written(session, table, [{"external_id": external_id} for external_id in targets], action)
    return targets
