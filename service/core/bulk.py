"""Writing many plain rows at once, in the caller's transaction, the fastest way each database offers: COPY on
PostgreSQL (updates through a temporary staging table and one UPDATE ... FROM), one prepared statement executed
for every row on SQLite. Values are converted by the columns' own SQLAlchemy types (JSON, dates, UTC instants),
so what lands is what an ORM insert would have stored. Nothing here knows a record or its invariants: the write
path (`service/records/writes.py`) adds version, timestamps, change log and audit."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.core.db import WROTE

Convert = Callable[[Any], Any] | None


def _converters(connection: Connection, table: Table, names: Sequence[str]) -> list[Convert]:
    """Each column's bind conversion for this database (None: the value goes as it is)."""
    dialect = connection.dialect
    return [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]


def _tuples(rows: Sequence[Mapping[str, Any]], names: Sequence[str], converters: list[Convert],
            defaults: Mapping[str, Any] | None = None) -> Iterator[tuple[Any, ...]]:
    """Each row's values in column order, converted; a column a row lacks takes its default (or NULL). Built
    column by column: one pass per column is far cheaper than one small loop per row."""
    fallback = defaults or {}
    columns: list[list[Any]] = []
    for name, convert in zip(names, converters):
        default = fallback.get(name)
        values = [row.get(name, default) for row in rows]
        columns.append(values if convert is None else list(map(convert, values)))
    return zip(*columns)


def _defaults(table: Table) -> dict[str, Any]:
    """The Python-side defaults of the columns (Field(default=...)), as an ORM insert applies them."""
    found: dict[str, Any] = {}
    for column in table.c:
        default = column.default
        if column.primary_key or default is None:
            continue
        if getattr(default, "is_scalar", False):
            found[column.name] = default.arg  # type: ignore[attr-defined]
        elif getattr(default, "is_callable", False):
            found[column.name] = default.arg(None)  # type: ignore[attr-defined]
    return found


def _quoted(connection: Connection, names: Sequence[str]) -> str:
    quote = connection.dialect.identifier_preparer.quote
    return ", ".join(quote(name) for name in names)


@contextmanager
def _as_integrity_error(connection: Connection, statement: str) -> Iterator[None]:
    """A driver's constraint violation raised as SQLAlchemy's, as an ORM statement would (callers answer 409)."""
    dbapi = connection.dialect.loaded_dbapi
    try:
        yield
    except dbapi.IntegrityError as exc:
        raise IntegrityError(statement, None, exc, hide_parameters=True) from exc


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows into the table (a column a row lacks takes its default)."""
    if not rows:
        return
    connection = session.connection()
    session.info[WROTE] = True
    given = list(dict.fromkeys(name for row in rows for name in row))
    defaults = _defaults(table)  # for the columns no row gives, and for the rows that lack a column others give
    names = [*given, *(name for name in defaults if name not in given)]
    converters = _converters(connection, table, names)
    columns = _quoted(connection, names)
    name = connection.dialect.identifier_preparer.format_table(table)
    raw: Any = connection.connection.dbapi_connection  # the driver's own: COPY and executemany without compiling
    if connection.dialect.name == "postgresql":
        statement = f"COPY {name} ({columns}) FROM STDIN"
        with _as_integrity_error(connection, statement), raw.cursor() as cursor:
            with cursor.copy(statement) as copy:
                for values in _tuples(rows, names, converters, defaults):
                    copy.write_row(values)
        return
    statement = f"INSERT INTO {name} ({columns}) VALUES ({', '.join('?' for _ in names)})"
    cursor = raw.cursor()
    try:
        with _as_integrity_error(connection, statement):
            cursor.executemany(statement, _tuples(rows, names, converters, defaults))
    finally:
        cursor.close()


def update_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]], key: str = "id") -> None:
    """Set the given columns of each row found by its key (rows are mappings with the same keys)."""
    if not rows:
        return
    connection = session.connection()
    session.info[WROTE] = True
    names = [name for name in rows[0] if name != key]
    if not names:
        return
    preparer = connection.dialect.identifier_preparer
    name = preparer.format_table(table)
    raw: Any = connection.connection.dbapi_connection  # the driver's own: COPY and executemany without compiling
    if connection.dialect.name == "postgresql":
        staging = preparer.quote(f"staging_{table.name}")
        every = [key, *names]
        sets = ", ".join(f"{preparer.quote(column)} = s.{preparer.quote(column)}" for column in names)
        statement = f"UPDATE {name} AS t SET {sets} FROM {staging} AS s WHERE t.{key} = s.{key}"
        with _as_integrity_error(connection, statement), raw.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{staging}")
            cursor.execute(f"CREATE TEMP TABLE {staging} ON COMMIT DROP AS "
                           f"SELECT {_quoted(connection, every)} FROM {name} WITH NO DATA")
            with cursor.copy(f"COPY {staging} ({_quoted(connection, every)}) FROM STDIN") as copy:
                for values in _tuples(rows, every, _converters(connection, table, every)):
                    copy.write_row(values)
            cursor.execute(statement)
            cursor.execute(f"DROP TABLE {staging}")
        return
    sets = ", ".join(f"{preparer.quote(column)} = ?" for column in names)
    statement = f"UPDATE {name} SET {sets} WHERE {preparer.quote(key)} = ?"
    cursor = raw.cursor()
    try:
        with _as_integrity_error(connection, statement):
            cursor.executemany(statement, _tuples(rows, [*names, key], _converters(connection, table, [*names, key])))
    finally:
        cursor.close()
