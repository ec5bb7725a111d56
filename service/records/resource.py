"""The record operations every domain shares: get, list, upsert (PUT), patch, delete by natural key, each scoped to
the calling key. A domain describes its records once (`Resource`, with the `Scope` its own domain answers) and calls
these from its verb-named service functions; nothing here knows a domain or a role."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, SQLModel

from service.audit import service as audit
from service.core.errors import Conflict, InvalidInput, NotFound, Unresolvable
from service.core.models import Page
from service.core.prepare import Findings
from service.core.reference import Reference
from service.records import crud

# The calling API key (service.auth.models.ApiKey, or None for the CLI): the records layer may not name auth's types.
Caller = Any
Prepare = Callable[..., tuple[dict[str, Any], Findings]]
BeforeWrite = Callable[..., None]  # (session=, values=, caller=): writes that must commit with the record
AfterWrite = Callable[[Session, Any], None]  # follow-on writes, in the same transaction
ExplainConflict = Callable[[Session, dict[str, Any]], str | None]  # a Conflict's sentence, when the domain has one


def _every_row(_key: Caller) -> builtins.list[Any]:
    return []


def _any_id(_key: Caller, _external_id: str) -> bool:
    return True


def _any_values(_key: Caller, _values: Mapping[str, Any]) -> None:
    return None


@dataclass(frozen=True)
class Scope:
    """Which rows of one table a key may see, create and write: answered by the table's own domain."""

    visible: Callable[[Any], builtins.list[Any]] = _every_row  # SQL conditions on the rows the key may see (empty: all)
    may_create: Callable[[Any, str], bool] = _any_id  # whether the key may create a record under this unused id
    check_ownership: Callable[[Any, Mapping[str, Any]], None] = _any_values  # Forbidden: values leave its scope


@dataclass(frozen=True)
class Resource:
    """A plain description of one kind of record, for the shared operations below and the bundle importer."""

    label: str
    table: type[SQLModel]
    create: type[SQLModel]
    prepare: Prepare
    scope: Scope = Scope()
    references: Mapping[str, tuple[type[SQLModel], Scope]] = field(default_factory=dict)  # column -> what it names
    order_by: Sequence[str] = ("id",)
    audited: bool = False  # every read is written to the audit log (every write is, by the write path)


def _audit(session: Session, resource: Resource, caller: Caller, action: str, rows: Sequence[Any]) -> None:
    if resource.audited:
        audit.record(session=session, caller=caller, action=action, entity=str(resource.table.__tablename__),
                     external_ids=[row.external_id for row in rows])


def raise_findings(findings: Findings) -> None:
    """Problems found while preparing a body become one 422 naming every field."""
    if findings.errors:
        raise Unresolvable("Some fields do not fit the reference data or the stored records.",
                           errors=[{"loc": ["body", column], "reason": reason} for column, reason in findings.errors])


def check_references(*, session: Session, resource: Resource, values: Mapping[str, Any], caller: Caller) -> None:
    """Every external id a record points at must exist and be visible to the caller."""
    findings = Findings()
    for column, (table, scope) in resource.references.items():
        value = values.get(column)
        if value is not None and crud.find(session=session, table=table, key={"external_id": value},
                                           conditions=scope.visible(caller)) is None:
            findings.error(column, f"no {table.__name__.lower()} with external_id '{value}'")
    raise_findings(findings)


def get(*, session: Session, resource: Resource, ident: dict[str, Any], caller: Caller) -> Any:
    """One record by its natural key, if the caller may see it (404 otherwise)."""
    return crud.get(session=session, table=resource.table, key=ident, label=resource.label,
                    conditions=resource.scope.visible(caller))


def read(*, session: Session, resource: Resource, ident: dict[str, Any], caller: Caller) -> Any:
    """One record for the caller to read (the read audited where the resource is)."""
    row = get(session=session, resource=resource, ident=ident, caller=caller)
    _audit(session, resource, caller, "read", [row])
    return row


def list(*, session: Session, resource: Resource, conditions: Sequence[Any], page: Page,
         caller: Caller) -> tuple[Sequence[Any], int]:
    """A page of the records the caller may see that meet the conditions (audited where the resource is)."""
    order = [getattr(resource.table, name) for name in resource.order_by]
    rows, count = crud.list(session=session, table=resource.table, page=page, order_by=order,
                            conditions=[*conditions, *resource.scope.visible(caller)])
    if rows:
        _audit(session, resource, caller, "list", rows)
    return rows, count


def _prepared(resource: Resource, reference: Reference, ident: dict[str, Any], values: dict[str, Any]
              ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Prepare key and values together (the key may hold a district to resolve); split them again."""
    prepared, findings = resource.prepare(values={**values, **ident}, reference=reference)
    raise_findings(findings)
    return {name: prepared.pop(name) for name in ident}, prepared


@contextmanager
def _explained(session: Session, explain_conflict: ExplainConflict | None, values: dict[str, Any]) -> Iterator[None]:
    """A constraint violation answered with the domain's own sentence, when it has one."""
    try:
        yield
    except Conflict as exc:
        sentence = explain_conflict(session, values) if explain_conflict else None
        if sentence is None:
            raise
        raise Conflict(sentence) from exc


def upsert(*, session: Session, resource: Resource, reference: Reference, ident: dict[str, Any], body: SQLModel,
           if_match: int | None, caller: Caller, before_write: BeforeWrite | None = None,
           after_write: AfterWrite | None = None, explain_conflict: ExplainConflict | None = None) -> tuple[Any, bool]:
    """Create or replace a record by its natural key; returns the row and whether it was created."""
    ident, values = _prepared(resource, reference, ident, body.model_dump())
    existing = crud.find(session=session, table=resource.table, key=ident)
    hidden = existing is not None and crud.find(session=session, table=resource.table, key=ident,
                                                conditions=resource.scope.visible(caller)) is None
    outside = existing is None and "external_id" in ident and not resource.scope.may_create(caller,
                                                                                          ident["external_id"])
    if hidden or outside:  # the same answer either way: which ids exist is not for this key to learn
        raise NotFound(f"No {resource.label} with {crud.describe(ident)}.")
    resource.scope.check_ownership(caller, {**ident, **values})
    check_references(session=session, resource=resource, values={**ident, **values}, caller=caller)
    if before_write is not None:
        before_write(session=session, values={**ident, **values}, caller=caller)
    with _explained(session, explain_conflict, {**ident, **values}):
        return crud.upsert(session=session, table=resource.table, key=ident, values=values, label=resource.label,
                           if_match=if_match, after_write=after_write)


def _merged(resource: Resource, row: Any, body: BaseModel) -> dict[str, Any]:
    """The record's create fields with the changes applied, validated as a whole record."""
    changes = body.model_dump(exclude_unset=True)
    current = {name: getattr(row, name) for name in resource.create.model_fields}
    if "district" in changes and "lat" not in changes and "lon" not in changes:
        current["lat"] = current["lon"] = None  # moved: take the new district's centre
    try:
        return resource.create.model_validate({**current, **changes}).model_dump()
    except ValidationError as exc:
        errors = [{"loc": ["body", *err["loc"]], "reason": err["msg"]} for err in exc.errors()]
        raise InvalidInput("The record would not be valid after this change.", errors=errors) from exc


def patch(*, session: Session, resource: Resource, reference: Reference, ident: dict[str, Any], body: BaseModel,
          if_match: int | None, caller: Caller, before_write: BeforeWrite | None = None,
          after_write: AfterWrite | None = None, explain_conflict: ExplainConflict | None = None) -> Any:
    """Change some fields of a record the caller may see."""
    row = get(session=session, resource=resource, ident=ident, caller=caller)
    merged = _merged(resource, row, body)
    row_ident = {name: getattr(row, name) for name in ident}
    _, values = _prepared(resource, reference, row_ident, merged)
    resource.scope.check_ownership(caller, {**row_ident, **values})
    check_references(session=session, resource=resource, values=values, caller=caller)
    if before_write is not None:
        before_write(session=session, values={**row_ident, **values}, caller=caller)
    with _explained(session, explain_conflict, {**row_ident, **values}):
        return crud.patch(session=session, row=row, values=values, label=resource.label, if_match=if_match,
                          after_write=after_write)


def delete(*, session: Session, resource: Resource, ident: dict[str, Any], if_match: int | None, caller: Caller
           ) -> None:
    """Delete a record the caller may see; refused (409) while other records refer to it."""
    row = get(session=session, resource=resource, ident=ident, caller=caller)
    crud.delete(session=session, row=row, label=resource.label, if_match=if_match)
