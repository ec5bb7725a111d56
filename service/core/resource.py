"""A record resource addressed by a natural key (usually its external id), and the thin router every such
resource gets: list, get, PUT (upsert), PATCH, DELETE, with ETag / If-Match for optimistic concurrency.
Every operation is scoped to the calling key by `service.auth.policy`."""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Response, status
from pydantic import BaseModel, ValidationError
from sqlmodel import Session, SQLModel

from service.audit import service as audit
from service.auth import policy
from service.auth.models import ApiKey
from service.records import crud
from service.core.errors import (Conflict, InvalidInput, NotFound, PreconditionFailed, Unresolvable,
                                 problem_responses)
from service.core.models import Page
from service.core.prepare import Findings
from service.core.reference import Reference

ExternalIdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$",
                                     description="The programme's external id.")]


@dataclass(frozen=True)
class Resource:
    """Everything the shared routes and services need to know about one kind of record."""

    label: str
    path: str
    table: type[SQLModel]
    create: type[SQLModel]
    update: type[SQLModel]
    public: type[SQLModel]
    page: type[SQLModel]
    filters: type[BaseModel]
    conditions: Callable[[Any], list[Any]]
    prepare: Callable[..., tuple[dict[str, Any], Findings]]
    references: dict[str, type[SQLModel]] = field(default_factory=dict)
    order_by: Sequence[str] = ("id",)
    key_path: str = "/{external_id}"
    key: Callable[..., dict[str, Any]] | None = None  # a dependency reading the key from the path; None: external_id
    audited: bool = False  # every read and write is written to the audit log
    erase: Callable[..., Any] | None = None  # DELETE erases (keeping anonymised statistics) instead of deleting
    after_write: Callable[[Session, Any], None] | None = None  # follow-on writes, in the same transaction
    before_write: Callable[..., None] | None = None  # writes that must commit with the record (same transaction)
    explain_conflict: Callable[[Session, dict[str, Any]], str | None] | None = None  # a Conflict's sentence
    enrich: Callable[[Session, Sequence[Any]], list[Any]] | None = None  # public views needing other tables
    present: Callable[..., Any] | None = None  # a public view as the calling key may read it (withholds fields)


def _audit(session: Session, resource: Resource, caller: ApiKey, action: str, rows: Sequence[Any]) -> None:
    if resource.audited:
        audit.record(session=session, caller=caller, action=action, entity=resource.table.__tablename__,
                     external_ids=[row.external_id for row in rows])


def raise_findings(findings: Findings) -> None:
    """Problems found while preparing a body become one 422 naming every field."""
    if findings.errors:
        raise Unresolvable("Some fields do not fit the reference data or the stored records.",
                           errors=[{"loc": ["body", column], "reason": reason} for column, reason in findings.errors])


def check_references(*, session: Session, resource: Resource, values: dict[str, Any], caller: ApiKey) -> None:
    """Every external id a record points at must exist and be visible to the caller."""
    findings = Findings()
    for column, table in resource.references.items():
        value = values.get(column)
        if value is not None and crud.find(session=session, table=table, key={"external_id": value},
                                           conditions=policy.visible(caller, table)) is None:
            findings.error(column, f"no {table.__name__.lower()} with external_id '{value}'")
    raise_findings(findings)


def external_id_key(external_id: ExternalIdPath) -> dict[str, Any]:
    """The natural key of a record addressed by its external id."""
    return {"external_id": external_id}


def get(*, session: Session, resource: Resource, ident: dict[str, Any], caller: ApiKey) -> Any:
    """One record by its natural key, if the caller may see it."""
    return crud.get(session=session, table=resource.table, key=ident, label=resource.label,
                    conditions=policy.visible(caller, resource.table))


def read(*, session: Session, resource: Resource, ident: dict[str, Any], caller: ApiKey) -> Any:
    """One record for the caller to read (audited where the resource is)."""
    row = get(session=session, resource=resource, ident=ident, caller=caller)
    if resource.audited:
        _audit(session, resource, caller, "read", [row])
        session.commit()
    return row


def list(*, session: Session, resource: Resource, filters: BaseModel, page: Page,  # noqa: A001
         caller: ApiKey) -> tuple[Sequence[Any], int]:
    """A page of the records the caller may see that match the filters."""
    order = [getattr(resource.table, name) for name in resource.order_by]
    conditions = [*resource.conditions(filters), *policy.visible(caller, resource.table)]
    rows, count = crud.list(session=session, table=resource.table, conditions=conditions, page=page, order_by=order)
    if resource.audited and rows:
        _audit(session, resource, caller, "list", rows)
        session.commit()
    return rows, count


def _prepared(resource: Resource, reference: Reference, ident: dict[str, Any], values: dict[str, Any]
              ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Prepare key and values together (the key may hold a district to resolve); split them again."""
    prepared, findings = resource.prepare(values={**values, **ident}, reference=reference)
    raise_findings(findings)
    return {name: prepared.pop(name) for name in ident}, prepared


def upsert(*, session: Session, resource: Resource, reference: Reference, ident: dict[str, Any], body: SQLModel,
           if_match: int | None, caller: ApiKey) -> tuple[Any, bool]:
    """Create or replace a record by its natural key."""
    ident, values = _prepared(resource, reference, ident, body.model_dump())
    existing = crud.find(session=session, table=resource.table, key=ident)
    hidden = existing is not None and crud.find(session=session, table=resource.table, key=ident,
                                                conditions=policy.visible(caller, resource.table)) is None
    outside = existing is None and "external_id" in ident and not policy.may_create(caller, resource.table,
                                                                                   ident["external_id"])
    if hidden or outside:  # the same answer either way: which ids exist is not for this key to learn
        raise NotFound(f"No {resource.label} with {crud.describe(ident)}.")
    policy.check_ownership(caller, resource.table, {**ident, **values})
    check_references(session=session, resource=resource, values={**ident, **values}, caller=caller)
    if resource.before_write is not None:
        resource.before_write(session=session, values={**ident, **values}, caller=caller)
    with _explained(session, resource, {**ident, **values}):
        return crud.upsert(session=session, table=resource.table, key=ident, values=values, label=resource.label,
                           if_match=if_match, after_write=resource.after_write)


@contextmanager
def _explained(session: Session, resource: Resource, values: dict[str, Any]) -> Iterator[None]:
    """A constraint violation answered with the resource's own sentence, when it has one."""
    try:
        yield
    except Conflict as exc:
        sentence = resource.explain_conflict(session, values) if resource.explain_conflict else None
        if sentence is None:
            raise
        raise Conflict(sentence) from exc


def patch(*, session: Session, resource: Resource, reference: Reference, ident: dict[str, Any], body: SQLModel,
          if_match: int | None, caller: ApiKey) -> Any:
    """Change some fields of a record."""
    row = get(session=session, resource=resource, ident=ident, caller=caller)
    changes = body.model_dump(exclude_unset=True)
    current = {name: getattr(row, name) for name in resource.create.model_fields}
    if "district" in changes and "lat" not in changes and "lon" not in changes:
        current["lat"] = current["lon"] = None  # moved: take the new district's centre
    try:
        merged = resource.create.model_validate({**current, **changes}).model_dump()
    except ValidationError as exc:
        raise InvalidInput("The record would not be valid after this change.",
                           errors=[{"loc": ["body", *err["loc"]], "reason": err["msg"]} for err in exc.errors()]) from exc
    row_ident = {name: getattr(row, name) for name in ident}
    _, values = _prepared(resource, reference, row_ident, merged)
    policy.check_ownership(caller, resource.table, {**row_ident, **values})
    check_references(session=session, resource=resource, values=values, caller=caller)
    if resource.before_write is not None:
        resource.before_write(session=session, values={**row_ident, **values}, caller=caller)
    with _explained(session, resource, {**row_ident, **values}):
        return crud.patch(session=session, row=row, values=values, label=resource.label, if_match=if_match,
                          after_write=resource.after_write)


def delete(*, session: Session, resource: Resource, reference: Reference, ident: dict[str, Any],
           if_match: int | None, caller: ApiKey) -> None:
    """Delete a record (or erase it, for resources that keep anonymised statistics)."""
    row = get(session=session, resource=resource, ident=ident, caller=caller)
    if resource.erase is not None:
        crud.check_version(row, if_match)
        resource.erase(session=session, row=row, caller=caller, reference=reference)
        return
    crud.delete(session=session, row=row, label=resource.label, if_match=if_match)


def parse_if_match(value: str | None) -> int | None:
    """The row version an If-Match header names ('*' or absent: any)."""
    if value is None or value.strip() == "*":
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise PreconditionFailed(f"If-Match must be an ETag this API gave out, like '\"3\"'; got {value!r}.")
    return int(text)


def etag(row: Any) -> str:
    return f'"{row.version}"'


# A plain string (not nullable): a header is present or absent, never null.
IfMatch = Annotated[str, Header(pattern=r'^(\*|(W/)?"[0-9]{1,18}")$',
                                description="ETag of the version the change is based on; 412 when stale.")]


def build_router(resource: Resource, *, dependencies: Sequence[Any], session_dep: Any, reference_dep: Any,
                 page_dep: Any, caller_dep: Any, delete_route: bool = True) -> APIRouter:
    """The record routes of a resource; each validates, calls one service function and returns."""
    prefix = "/v1" + resource.path
    router = APIRouter(prefix=prefix, tags=[resource.path.strip("/")], dependencies=[*dependencies],
                       responses=problem_responses(401, 403, 422, 429))
    Public, Page_, Create, Update, Filters = (resource.public, resource.page, resource.create, resource.update,
                                              resource.filters)
    label = resource.label
    KeyDep = Annotated[dict, Depends(resource.key or external_id_key)]
    item = resource.key_path

    def views(session: Session, rows: Sequence[Any], caller: ApiKey) -> Sequence[Any]:
        data = resource.enrich(session, rows) if resource.enrich else [Public.model_validate(row) for row in rows]
        return [resource.present(caller=caller, view=view) for view in data] if resource.present else data

    @router.get("", response_model=Page_, summary=f"List {label}s")
    def list_route(session: session_dep, page: page_dep, filters: Annotated[Filters, Query()], caller: caller_dep
                   ) -> Any:
        rows, count = list(session=session, resource=resource, filters=filters, page=page, caller=caller)
        return Page_(data=views(session, rows, caller), count=count)

    @router.get(item, response_model=Public, summary=f"Get a {label}", responses=problem_responses(404))
    def get_route(ident: KeyDep, session: session_dep, response: Response, caller: caller_dep) -> Any:
        row = read(session=session, resource=resource, ident=ident, caller=caller)
        response.headers["ETag"] = etag(row)
        return views(session, [row], caller)[0]

    @router.put(item, response_model=Public, summary=f"Create or replace a {label}",
                responses={201: {"model": Public, "description": "Created"}, **problem_responses(404, 409, 412)})
    def put_route(ident: KeyDep, body: Create, session: session_dep, reference: reference_dep,
                  response: Response, caller: caller_dep, if_match: IfMatch = None) -> Any:
        row, created = upsert(session=session, resource=resource, reference=reference, ident=ident, body=body,
                              if_match=parse_if_match(if_match), caller=caller)
        response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        response.headers["ETag"] = etag(row)
        return views(session, [row], caller)[0]

    @router.patch(item, response_model=Public, summary=f"Change some fields of a {label}",
                  responses=problem_responses(404, 409, 412))
    def patch_route(ident: KeyDep, body: Update, session: session_dep, reference: reference_dep,
                    response: Response, caller: caller_dep, if_match: IfMatch = None) -> Any:
        row = patch(session=session, resource=resource, reference=reference, ident=ident, body=body,
                    if_match=parse_if_match(if_match), caller=caller)
        response.headers["ETag"] = etag(row)
        return views(session, [row], caller)[0]

    if delete_route:
        @router.delete(item, status_code=204, summary=f"Delete a {label}", responses=problem_responses(404, 409, 412))
        def delete_route_(ident: KeyDep, session: session_dep, reference: reference_dep, caller: caller_dep,
                          if_match: IfMatch = None) -> Response:
            delete(session=session, resource=resource, reference=reference, ident=ident,
                   if_match=parse_if_match(if_match), caller=caller)
            return Response(status_code=204)

    for method, path in (("GET", ""), ("GET", item), ("PUT", item), ("PATCH", item), ("DELETE", item)):
        policy.register_crud_route(method, prefix + path, prefix)
    return router
