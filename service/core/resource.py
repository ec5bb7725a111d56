"""A record resource addressed by its external id, and the thin router every such resource gets:
list, get, PUT (upsert), PATCH, DELETE, with ETag / If-Match for optimistic concurrency."""


from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Response, status
from pydantic import BaseModel, ValidationError
from sqlmodel import Session, SQLModel

from service.core import crud
from service.core.errors import InvalidInput, PreconditionFailed, problem_responses
from service.core.models import Page
from service.core.prepare import Findings
from service.reference import Reference

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


def raise_findings(findings: Findings) -> None:
    """Problems found while preparing a body become one 422 naming every field."""
    if findings.errors:
        raise InvalidInput("Some fields do not fit the reference data or the stored records.",
                           errors=[{"loc": ["body", column], "reason": reason} for column, reason in findings.errors])


def check_references(*, session: Session, resource: Resource, values: dict[str, Any]) -> None:
    """Every external id a record points at must exist."""
    findings = Findings()
    for column, table in resource.references.items():
        value = values.get(column)
        if value is not None and crud.find(session=session, table=table, key={"external_id": value}) is None:
            findings.error(column, f"no {table.__name__.lower()} with external_id '{value}'")
    raise_findings(findings)


def external_id_key(external_id: ExternalIdPath) -> dict[str, Any]:
    """The natural key of a record addressed by its external id."""
    return {"external_id": external_id}


def get(*, session: Session, resource: Resource, key: dict[str, Any]) -> Any:
    """One record by its natural key."""
    return crud.get(session=session, table=resource.table, key=key, label=resource.label)


def _prepared(resource: Resource, reference: Reference, key: dict[str, Any], values: dict[str, Any]
              ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Prepare key and values together (the key may hold a district to resolve); split them again."""
    prepared, findings = resource.prepare(values={**values, **key}, reference=reference)
    raise_findings(findings)
    return {name: prepared.pop(name) for name in key}, prepared


def list(*, session: Session, resource: Resource, filters: BaseModel, page: Page) -> tuple[Sequence[Any], int]:  # noqa: A001
    """A page of records matching the filters."""
    order = [getattr(resource.table, name) for name in resource.order_by]
    return crud.list(session=session, table=resource.table, conditions=resource.conditions(filters), page=page,
                     order_by=order)


def upsert(*, session: Session, resource: Resource, reference: Reference, key: dict[str, Any], body: SQLModel,
           if_match: int | None) -> tuple[Any, bool]:
    """Create or replace a record by its natural key."""
    key, values = _prepared(resource, reference, key, body.model_dump())
    check_references(session=session, resource=resource, values={**key, **values})
    return crud.upsert(session=session, table=resource.table, key=key, values=values, label=resource.label,
                       if_match=if_match)


def patch(*, session: Session, resource: Resource, reference: Reference, key: dict[str, Any], body: SQLModel,
          if_match: int | None) -> Any:
    """Change some fields of a record."""
    row = get(session=session, resource=resource, key=key)
    changes = body.model_dump(exclude_unset=True)
    current = {name: getattr(row, name) for name in resource.create.model_fields}
    if "district" in changes and "lat" not in changes and "lon" not in changes:
        current["lat"] = current["lon"] = None  # moved: take the new district's centre
    try:
        merged = resource.create.model_validate({**current, **changes}).model_dump()
    except ValidationError as exc:
        raise InvalidInput("The record would not be valid after this change.",
                           errors=[{"loc": ["body", *err["loc"]], "reason": err["msg"]} for err in exc.errors()]) from exc
    _, values = _prepared(resource, reference, {name: getattr(row, name) for name in key}, merged)
    check_references(session=session, resource=resource, values=values)
    return crud.patch(session=session, row=row, values=values, label=resource.label, if_match=if_match)


def delete(*, session: Session, resource: Resource, key: dict[str, Any], if_match: int | None) -> None:
    """Delete a record."""
    row = get(session=session, resource=resource, key=key)
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


IfMatch = Annotated[str | None, Header(description="ETag of the version the change is based on; 412 when stale.")]


def build_router(resource: Resource, *, dependencies: Sequence[Any], session_dep: Any, reference_dep: Any,
                 page_dep: Any) -> APIRouter:
    """The five routes of a record resource; each validates, calls one service function and returns."""
    router = APIRouter(prefix=resource.path, tags=[resource.path.strip("/")], dependencies=[*dependencies],
                       responses=problem_responses(401, 403, 422))
    Public, Page_, Create, Update, Filters = (resource.public, resource.page, resource.create, resource.update,
                                              resource.filters)
    label = resource.label
    KeyDep = Annotated[dict, Depends(resource.key or external_id_key)]
    item = resource.key_path

    @router.get("", response_model=Page_, summary=f"List {label}s")
    def list_route(session: session_dep, page: page_dep, filters: Annotated[Filters, Query()]) -> Any:
        rows, count = list(session=session, resource=resource, filters=filters, page=page)
        return Page_(data=[Public.model_validate(row) for row in rows], count=count)

    @router.get(item, response_model=Public, summary=f"Get a {label}", responses=problem_responses(404))
    def get_route(key: KeyDep, session: session_dep, response: Response) -> Any:
        row = get(session=session, resource=resource, key=key)
        response.headers["ETag"] = etag(row)
        return row

    @router.put(item, response_model=Public, summary=f"Create or replace a {label}",
                responses={201: {"model": Public, "description": "Created"}, **problem_responses(409, 412)})
    def put_route(key: KeyDep, body: Create, session: session_dep, reference: reference_dep,
                  response: Response, if_match: IfMatch = None) -> Any:
        row, created = upsert(session=session, resource=resource, reference=reference, key=key,
                              body=body, if_match=parse_if_match(if_match))
        response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        response.headers["ETag"] = etag(row)
        return row

    @router.patch(item, response_model=Public, summary=f"Change some fields of a {label}",
                  responses=problem_responses(404, 409, 412))
    def patch_route(key: KeyDep, body: Update, session: session_dep, reference: reference_dep,
                    response: Response, if_match: IfMatch = None) -> Any:
        row = patch(session=session, resource=resource, reference=reference, key=key, body=body,
                    if_match=parse_if_match(if_match))
        response.headers["ETag"] = etag(row)
        return row

    @router.delete(item, status_code=204, summary=f"Delete a {label}",
                   responses=problem_responses(404, 409, 412))
    def delete_route(key: KeyDep, session: session_dep, if_match: IfMatch = None) -> Response:
        delete(session=session, resource=resource, key=key, if_match=parse_if_match(if_match))
        return Response(status_code=204)

    return router
