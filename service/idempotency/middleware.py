"""Idempotency-Key on POST: the same key with the same body replays the first answer; the same key with a
different body is a 422. Answers are stored per client (the authenticated API key's hash) in the database for
24 hours. It runs after authentication: a revoked, expired or unknown key never reaches a stored answer.

Answers that carry a secret (a new API key) are never stored: only that the request happened, so a replay
answers 409 instead of showing the secret again."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import anyio
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.auth.gate import authenticated_key
from service.core.errors import busy_response, is_saturation, problem_response
from service.core.models import utcnow
from service.idempotency.models import IdempotencyRecord
from service.records.unit_of_work import unit_of_work

KEEP = timedelta(hours=24)
MAX_KEY_LENGTH = 200
SECRET_ANSWERS = {"/v1/keys"}  # route templates whose answer holds a secret: remembered, never stored
log = logging.getLogger("jobmatch.idempotency")


def _boundary(content_type: bytes) -> bytes | None:
    if content_type.startswith(b"multipart/") and b"boundary=" in content_type:
        return content_type.split(b"boundary=", 1)[1].split(b";")[0].strip(b'"')
    return None


def _request_hash(body: bytes, content_type: bytes) -> str:
    boundary = _boundary(content_type)
    if boundary:
        body = body.replace(boundary, b"")  # the boundary is random per request, not part of its content
    return hashlib.sha256(body).hexdigest()


def route_template(routes: Sequence[BaseRoute], scope: Scope) -> str:
    """The template of the route this request will reach (logs never carry concrete paths: they hold ids)."""
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI keeps included routers whole
        if included is not None:
            found = route_template(included.routes, scope)
            if found != "unmatched":
                return found
        elif hasattr(route, "matches") and route.matches(scope)[0] == Match.FULL:
            return getattr(route, "path", "unmatched")
    return "unmatched"


def _stored(engine: Engine, client: str, idem_key: str) -> IdempotencyRecord | None:
    with unit_of_work(engine) as session:
        session.execute(delete(IdempotencyRecord).where(col(IdempotencyRecord.created_at) < utcnow() - KEEP))
        return session.execute(select(IdempotencyRecord).where(
            col(IdempotencyRecord.client) == client, col(IdempotencyRecord.idempotency_key) == idem_key)
        ).scalar_one_or_none()


def _store(engine: Engine, record: IdempotencyRecord) -> None:
    try:
        with unit_of_work(engine) as session:
            session.add(record)
    except IntegrityError:
        pass  # a concurrent request with the same key stored its answer first


@dataclass(frozen=True)
class _Attempt:
    """A POST carrying an Idempotency-Key, as its stored answer is found and kept."""

    client: str  # the authenticated API key's hash
    idem_key: str
    digest: str  # hash of the request's body
    path: str
    template: str  # the route's template, for logs


@dataclass
class _Captured:
    """The answer the app gave, as it went out."""

    status: int = 500
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytearray = field(default_factory=bytearray)
    keep: bool = False  # whether the body may be stored (a secret-bearing success may not)


async def _read_body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        parts.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(parts)


async def _replay(stored: IdempotencyRecord, attempt: _Attempt, key_prefix: str, scope: Scope, receive: Receive,
                  send: Send) -> None:
    """Answer a repeated request from its stored answer (or refuse a reused key, or a secret shown once)."""
    if stored.request_hash != attempt.digest or stored.path != attempt.path:
        response = problem_response(422, "Idempotency key reused",
                                    "This Idempotency-Key was already used with a different request.",
                                    slug="idempotency-key-reused")
        return await response(scope, receive, send)
    log.info("idempotent replay", extra={"route": attempt.template, "key": key_prefix, "replay": True,
                                         "status": stored.status_code})
    if attempt.template in SECRET_ANSWERS and stored.status_code < 300:
        response = problem_response(
            409, "Already created", "An API key was already created with this Idempotency-Key; a key is "
            "shown only once and cannot be shown again. List keys with GET /v1/keys, revoke it if it was "
            "lost, and create another with a new Idempotency-Key.", slug="already-created",
            headers={"Idempotent-Replayed": "true"})
        return await response(scope, receive, send)
    await send({"type": "http.response.start", "status": stored.status_code,
                "headers": [(b"content-type", stored.content_type.encode()), (b"idempotent-replayed", b"true"),
                            (b"content-length", str(len(stored.body)).encode())]})
    await send({"type": "http.response.body", "body": stored.body})


class Idempotency:
    def __init__(self, app: ASGIApp, *, engine_of: Callable[[], Engine],
                 routes_of: Callable[[], Sequence[BaseRoute]]) -> None:
        self.app, self.engine_of, self.routes_of = app, engine_of, routes_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or []) if scope["type"] == "http" else {}
        key = headers.get(b"idempotency-key")
        if scope["type"] != "http" or scope["method"] != "POST" or key is None:
            return await self.app(scope, receive, send)
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            response = problem_response(422, "Invalid input", f"Idempotency-Key must be 1..{MAX_KEY_LENGTH} "
                                        "characters.", slug="invalid-input")
            return await response(scope, receive, send)
        caller = authenticated_key(scope)
        if caller is None:  # not a /v1 route: nothing to remember it by
            return await self.app(scope, receive, send)
        body = await _read_body(receive)
        attempt = _Attempt(client=caller.key_hash, idem_key=key.decode("latin-1"),
                           digest=_request_hash(body, headers.get(b"content-type", b"")), path=scope["path"],
                           template=route_template(self.routes_of(), scope))
        engine = self.engine_of()
        try:
            stored = await anyio.to_thread.run_sync(_stored, engine, attempt.client, attempt.idem_key)
        except Exception as exc:
            if is_saturation(exc):
                return await busy_response()(scope, receive, send)
            raise
        if stored is not None:
            return await _replay(stored, attempt, caller.prefix, scope, receive, send)
        captured = await self._answer(scope, receive, send, body, attempt.template)
        if captured.status >= 500 or captured.status in (401, 403, 429):
            return  # not an answer to remember: the client may retry
        await _remember(engine, attempt, captured)

    async def _answer(self, scope: Scope, receive: Receive, send: Send, body: bytes, template: str) -> _Captured:
        """Let the app answer (reading the body already read), capturing what it sends."""
        sent = False
        captured = _Captured()

        async def replay_receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def capture_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured.status, captured.headers = message["status"], message.get("headers", [])
                # A success of a secret-bearing route is remembered without its body; errors hold no secret.
                captured.keep = template not in SECRET_ANSWERS or message["status"] >= 300
            elif message["type"] == "http.response.body" and captured.keep:
                captured.body += message.get("body", b"")
            await send(message)

        await self.app(scope, replay_receive, capture_send)
        return captured


async def _remember(engine: Engine, attempt: _Attempt, captured: _Captured) -> None:
    """Store the answer for replays; a busy database only costs the later replay (the answer is sent already)."""
    content_type = dict(captured.headers).get(b"content-type", b"application/json").decode()
    record = IdempotencyRecord(client=attempt.client, idempotency_key=attempt.idem_key, method="POST",
                               path=attempt.path, request_hash=attempt.digest, status_code=captured.status,
                               content_type=content_type, body=bytes(captured.body))
    try:
        await anyio.to_thread.run_sync(_store, engine, record)
    except Exception as exc:  # the answer is sent already; not remembering it only costs a later replay
        if not is_saturation(exc):
            raise
        log.warning("idempotent answer not stored: database busy", extra={"route": attempt.template})
