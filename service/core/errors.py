"""Domain errors raised by services, and the one place that renders them as RFC 9457 problem+json."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.core.request_id import request_instance

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("jobmatch.errors")


class ProblemDetail(BaseModel):
    """One located problem: a field of a request, or a cell of a bundle."""

    loc: list[str | int] | None = Field(default=None, description="Where in the request body or query.")
    file: str | None = Field(default=None, description="Bundle file name.")
    line: int | None = Field(default=None, description="Line in that file (the header is line 1).")
    column: str | None = Field(default=None, description="Column name.")
    reason: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = Field(default=None, description="This request: `urn:jobmatch:request:<id>`, the id of "
                                                           "its X-Request-ID header and of the server's log lines.")
    errors: list[ProblemDetail] | None = None


class DomainError(Exception):
    """Base of the errors services raise; each maps to one HTTP status."""

    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


class NotFound(DomainError):
    status, title, slug = 404, "Not found", "not-found"


class Conflict(DomainError):
    status, title, slug = 409, "Conflict", "conflict"


class PreconditionFailed(DomainError):
    status, title, slug = 412, "Precondition failed", "precondition-failed"


class PreconditionRequired(DomainError):
    status, title, slug = 428, "Precondition required", "precondition-required"


class InvalidInput(DomainError):
    status, title, slug = 422, "Invalid input", "invalid-input"


class Unresolvable(InvalidInput):
    """Schema-valid, but not resolvable against the reference data or the stored records: an unknown district,
    a referenced record that does not exist, a file or posting whose content does not fit, a moment already past.
    The one 422 that no schema can predict; its own problem type lets clients (and the conformance test) tell it
    apart."""

    title, slug = "Not resolvable", "unresolvable"


class PayloadTooLarge(DomainError):
    status, title, slug = 413, "Payload too large", "payload-too-large"


class Unauthorized(DomainError):
    status, title, slug = 401, "Unauthorized", "unauthorized"

    def __init__(self, detail: str):
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(DomainError):
    status, title, slug = 403, "Forbidden", "forbidden"


class ServiceBusy(DomainError):
    status, title, slug = 503, "Service busy", "busy"

    def __init__(self, detail: str = "The service is at capacity; retry shortly.", retry_after: int = 1):
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


def is_saturation(exc: BaseException) -> bool:
    """The database is busy, not broken: no pooled connection free in time, or SQLite's write lock held too long."""
    return isinstance(exc, PoolTimeout) or (isinstance(exc, OperationalError) and "database is locked" in str(exc))


def busy_response() -> JSONResponse:
    """503 problem+json with Retry-After: the answer when this worker is saturated."""
    busy = ServiceBusy()
    return problem_response(busy.status, busy.title, busy.detail, slug=busy.slug, headers=busy.headers)


def problem_response(status: int, title: str, detail: str | None, *, slug: str | None = None,
                     errors: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    """Render a problem+json response; its `instance` names the request (`urn:jobmatch:request:<id>`, the id its
    log lines and its X-Request-ID header carry), never the path, which can hold record ids."""
    instance = request_instance()
    body: dict[str, Any] = {
        "type": f"https://jobmatch.example/problems/{slug}" if slug else "about:blank",
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


_HTTP_TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
                405: "Method not allowed", 406: "Not acceptable", 409: "Conflict", 413: "Payload too large",
                415: "Unsupported media type", 422: "Invalid input", 429: "Too many requests",
                503: "Service busy"}


def _methods_of(request: Request) -> list[str]:
    """The methods the OpenAPI document gives the requested path (routes are grouped per router, so the
    route that answered 405 knows only its own)."""
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = "^" + "/".join("[^/]+" if part.startswith("{") else re.escape(part)
                                 for part in template.split("/")) + "$"
        if re.match(pattern, request.url.path):
            methods |= {method.upper() for method in operations}
    return sorted(methods)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        loc = [part for part in err.get("loc", ()) if isinstance(part, (str, int))]
        errors.append({"loc": loc, "reason": str(err.get("msg", "invalid value"))})
    return errors


def install_error_handlers(app: FastAPI) -> None:
    """Render every error the app can raise as problem+json."""

    @app.exception_handler(DomainError)
    async def _domain(_request: Request, exc: DomainError) -> JSONResponse:
        return problem_response(exc.status, exc.title, exc.detail, slug=exc.slug, errors=exc.errors,
                                headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(422, "Invalid input", "The request does not match the API's schema.",
                                slug="invalid-input", errors=_validation_errors(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # the framework's own 400s: a body it cannot parse (not UTF-8 JSON, bad multipart)
            reason = exc.detail if isinstance(exc.detail, str) else "the body cannot be parsed"
            return problem_response(422, "Invalid input", "The request body cannot be parsed.", slug="invalid-input",
                                    errors=[{"loc": ["body"], "reason": reason}])
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:  # every method of the path, not only those of the first route that matched it
            headers["Allow"] = ", ".join(_methods_of(request))
        title = _HTTP_TITLES.get(exc.status_code, "Error")
        detail = exc.detail if isinstance(exc.detail, str) else None
        return problem_response(exc.status_code, title, detail, headers=headers or None)

    @app.exception_handler(PoolTimeout)
    @app.exception_handler(OperationalError)
    async def _database_busy(_request: Request, exc: Exception) -> JSONResponse:
        if is_saturation(exc):
            log.warning("database busy", extra={"error": exc.__class__.__name__})
            return busy_response()
        raise exc  # any other database error: UnexpectedErrors renders and logs it without its text

    app.add_middleware(UnexpectedErrors)


class UnexpectedErrors:
    """Any other exception becomes a 500 problem+json, logged by its type and route template only: its text and
    traceback (SQL, row values, the concrete path with record ids) could carry a woman's personal data. Caught
    here, inside the app, so that the server never logs the traceback either."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked_send)
        except Exception as exc:  # the one place that turns the unexpected into a 500
            route = getattr(scope.get("route"), "path", "unmatched")
            log.error("unhandled error", extra={"error": type(exc).__name__, "route": route})
            if not started:
                response = problem_response(500, "Internal server error",
                                            "An unexpected error occurred; it has been logged.")
                await response(scope, receive, send)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI declarations of the problem+json answers a route can give."""
    return {status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": _HTTP_TITLES.get(status, "Error")}
            for status in statuses}
