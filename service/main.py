"""The FastAPI application: routers, error rendering, limits, logging, health."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.apidocs.routes import install_api_docs
from service.audit.router import router as audit_router
from service.auth.deps import check_permissions
from service.auth.gate import Authenticate
from service.auth.router import router as keys_router
from service.cohorts.router import router as cohorts_router
from service.cohorts.service import load_rules as load_trainer_rules
from service.consents.router import router as consents_router
from service.console.cohorts import router as console_cohorts_router
from service.console.followups import router as console_followups_router
from service.console.imports import router as console_imports_router
from service.console.market import router as console_market_router
from service.console.proposals import router as console_proposals_router
from service.console.router import router as console_router
from service.console.web import HERE as CONSOLE_DIR
from service.console.web import STATIC as CONSOLE_STATIC
from service.core import migrate
from service.core.caching import NoStore
from service.core.config import Settings, get_settings
from service.core.db import make_engine, make_probe_engine
from service.core.errors import install_error_handlers, problem_response, problem_responses
from service.core.limits import KeyLimit, RateLimit, shared_counter
from service.core.logging import configure as configure_logging
from service.core.metrics import Metrics, route_label
from service.core.reference import load_reference
from service.core.request_id import RequestId
from service.core.saturation import InFlightLimit
from service.core.text import refuse_control_characters
from service.employers.router import router as employers_router
from service.followups.router import router as followups_router
from service.idempotency.middleware import Idempotency
from service.imports.router import router as imports_router
from service.job_postings.router import router as job_postings_router
from service.journeys.router import router as journeys_router
from service.market.router import router as market_router
from service.market_signals.router import router as market_signals_router
from service.matches.index import SiteIndexes
from service.matches.router import router as matches_router
from service.monitoring.collectors import IndexCollector, NightlyCollector
from service.monitoring.router import router as metrics_router
from service.nightly.router import router as nightly_router
from service.openings.router import router as openings_router
from service.placements.router import router as placements_router
from service.trainees.router import router as trainees_router

log = logging.getLogger("jobmatch.http")
# Every route of the API, in the order of its OpenAPI document; each route declares its own permission.
ROUTERS = [trainees_router, employers_router, openings_router, placements_router, followups_router,
           market_signals_router, imports_router, consents_router, audit_router, keys_router, job_postings_router,
           matches_router, nightly_router, market_router, journeys_router, cohorts_router]


# The only routes that take a large (multipart) upload: the API's imports and the console's Imports screen.
UPLOAD_ROUTES = {("POST", "/v1/imports"), ("POST", "/console/imports")}


class BodySizeLimit:
    """Refuse request bodies above a size before they are read whole (413 problem+json). The cap is the route's,
    never the content type's: a multipart body to any other route keeps the JSON cap."""

    def __init__(self, app: ASGIApp, *, max_json_bytes: int, max_upload_bytes: int) -> None:
        self.app, self.max_json, self.max_upload = app, max_json_bytes, max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        is_upload = (scope["method"], scope["path"].rstrip("/")) in UPLOAD_ROUTES
        limit = self.max_upload if is_upload else self.max_json
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return await self._refuse(scope, receive, send, limit)
        seen = 0

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted_receive, send)
        except _TooLarge:
            await self._refuse(scope, receive, send, limit)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem_response(413, "Payload too large", f"The request body may be at most {limit} bytes.",
                                    slug="payload-too-large")
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


class AccessLog:
    """One structured line per request: method, route template (never the concrete path: paths carry record
    ids), status, duration, and the key's prefix and role (the request id is added to every line). No bodies, no
    query strings. The same route, status and duration are counted in the metrics."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            seconds, route = time.perf_counter() - started, route_label(scope)
            state = scope.get("state") or {}
            log.info("request", extra={"method": scope["method"], "route": route, "status": status,
                                       "ms": round(seconds * 1000, 1), "key": state.get("key_prefix"),
                                       "role": state.get("role")})
            self.metrics.observe(method=scope["method"], route=route, status=status, seconds=seconds)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application for these settings."""
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from sqlmodel import Session
        # Blocking handlers run on this many threads; the pool holds as many connections, so none waits for one.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        try:
            with Session(app.state.engine) as session:
                app.state.index.all_current(session)  # built at start, not on the first query
        except Exception:  # an unmigrated database: /readyz says so; the index builds later
            log.warning("match index not built at start", exc_info=True)
        yield
        if app.state.rate_counter is not None:
            await app.state.rate_counter.close()
        app.state.engine.dispose()
        app.state.probe_engine.dispose()

    app = FastAPI(title="jobmatch", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  dependencies=[Depends(refuse_control_characters)],
                  description="Safe, explained job-matching for workforce-development programmes. "
                              "Every /v1 route needs `Authorization: Bearer <API key>`; errors are RFC 9457 "
                              "problem+json.")
    app.state.settings = settings
    pool_size = max(settings.db_pool_size, settings.max_in_flight_requests + settings.worker_threads)
    app.state.engine = make_engine(settings.database_url, pool_size=pool_size,
                                   pool_timeout=settings.db_pool_timeout_seconds,
                                   busy_timeout=settings.sqlite_busy_timeout_seconds)
    app.state.probe_engine = make_probe_engine(settings.database_url)
    # The per-key rate counters every worker shares (Redis when configured, else the database).
    app.state.rate_counter = shared_counter(database_url=settings.database_url, redis_url=settings.redis_url,
                                            engine_of=lambda: app.state.engine)
    probe_threads = anyio.CapacityLimiter(2)  # /readyz never waits behind the request threads
    app.state.reference = load_reference(settings.data_dir, settings.site, settings.currency,
                                         sites=settings.served_sites())
    for code in app.state.reference.served():  # a bad trainer rules file stops the start
        load_trainer_rules(settings.data_dir, code, app.state.reference.taxonomy)
    install_error_handlers(app)
    install_api_docs(app)  # /docs and /redoc from files in the package: they work without internet

    app.state.index = SiteIndexes(engine=app.state.engine, reference=app.state.reference)
    app.state.metrics = Metrics()
    app.state.metrics.collect_when_scraped(IndexCollector(app.state.index))
    app.state.metrics.collect_when_scraped(NightlyCollector(app.state.engine))
    for router in ROUTERS:
        app.include_router(router)
    check_permissions(app.routes)  # fail closed: a /v1 route without a permission stops the start
    # The coordinators' console: its pages sign in with a session cookie, never an Authorization header.
    for router in (console_router, console_proposals_router, console_followups_router, console_imports_router,
                   console_market_router, console_cohorts_router):
        app.include_router(router)
    app.include_router(metrics_router)  # GET /metrics: an admin key, or loopback when allowed
    app.mount(CONSOLE_STATIC, StaticFiles(directory=CONSOLE_DIR / "static"), name="console-static")

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/console/", status_code=307)

    # Async, touching no pool: it answers on the event loop even when every thread and connection is busy.
    @app.get("/healthz", tags=["health"], summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    def database_is_current(engine: Engine) -> bool:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return migrate.is_current(engine)

    @app.get("/readyz", tags=["health"], summary="The database answers and its migrations are current",
             responses=problem_responses(503))
    async def readyz(request: Request) -> Any:
        try:
            current = await anyio.to_thread.run_sync(database_is_current, request.app.state.probe_engine,
                                                     limiter=probe_threads)
        except Exception:  # any failure means not ready
            return problem_response(503, "Not ready", "The database does not answer.", slug="not-ready")
        if not current:
            return problem_response(503, "Not ready", "The database needs migrating: run 'jobmatch db upgrade'.",
                                    slug="not-ready")
        return {"status": "ready"}

    # Added innermost first. A request meets: its request id, the access log, the in-flight bound, authentication
    # (before any body is read), the rate limit of the authenticated key, the route's size cap, idempotent replay,
    # the app.
    app.add_middleware(Idempotency, engine_of=lambda: app.state.engine, routes_of=lambda: app.router.routes)
    app.add_middleware(BodySizeLimit, max_json_bytes=settings.max_body_bytes,
                       max_upload_bytes=settings.max_upload_bytes)
    limit = KeyLimit(per_minute=settings.rate_limit_per_minute, burst=settings.rate_limit_burst,
                     counter=app.state.rate_counter)
    app.add_middleware(RateLimit, limit=limit)
    app.add_middleware(Authenticate, engine_of=lambda: app.state.engine, per_minute=settings.rate_limit_per_minute,
                       burst=settings.rate_limit_burst, limit=limit)
    app.add_middleware(InFlightLimit, limit=settings.max_in_flight_requests)
    app.add_middleware(AccessLog, metrics=app.state.metrics)
    app.add_middleware(NoStore)  # every /v1 answer, replays and refusals included
    app.add_middleware(RequestId)  # outermost: every answer and every line logged on the way carry the id
    return app
