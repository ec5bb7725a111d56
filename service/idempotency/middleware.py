"""Idempotency-Key on POST: the same key with the same body replays the first answer; the same key with a
different body is a 422. Answers are stored per client (the API key's hash) in the database for 24 hours."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.core.errors import problem_response
from service.core.models import utcnow
from service.idempotency.models import IdempotencyRecord

KEEP = timedelta(hours=24)
MAX_KEY_LENGTH = 200
log = logging.getLogger("jobmatch.idempotency")


def _request_hash(body: bytes, content_type: bytes) -> str:
    if content_type.startswith(b"multipart/") and b"boundary=" in content_type:
        boundary = content_type.split(b"boundary=", 1)[1].split(b";")[0].strip(b'"')
        body = body.replace(boundary, b"")  # the boundary is random per request, not part of its content
    return hashlib.sha256(body).hexdigest()


class Idempotency:
    def __init__(self, app: ASGIApp, *, engine_of) -> None:  # noqa: ANN001 - a callable giving the app's engine
        self.app, self.engine_of = app, engine_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or []) if scope["type"] == "http" else {}
        key = headers.get(b"idempotency-key")
        if scope["type"] != "http" or scope["method"] != "POST" or key is None:
            return await self.app(scope, receive, send)
        token = headers.get(b"authorization", b"")
        if not token or not key.strip() or len(key) > MAX_KEY_LENGTH:
            if key is not None and (not key.strip() or len(key) > MAX_KEY_LENGTH):
                response = problem_response(422, "Invalid input", f"Idempotency-Key must be 1..{MAX_KEY_LENGTH} "
                                            "characters.", slug="invalid-input", instance=scope["path"])
                return await response(scope, receive, send)
            return await self.app(scope, receive, send)
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        client = hashlib.sha256(token).hexdigest()
        digest = _request_hash(body, headers.get(b"content-type", b""))
        idem_key = key.decode("latin-1")
        engine = self.engine_of()
        with Session(engine) as session:
            session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - KEEP))
            session.commit()
            stored = session.execute(select(IdempotencyRecord).where(
                IdempotencyRecord.client == client, IdempotencyRecord.idempotency_key == idem_key)).scalar_one_or_none()
        if stored is not None:
            if stored.request_hash != digest or stored.path != scope["path"]:
                response = problem_response(422, "Idempotency key reused",
                                            "This Idempotency-Key was already used with a different request.",
                                            slug="idempotency-key-reused", instance=scope["path"])
                return await response(scope, receive, send)
            await send({"type": "http.response.start", "status": stored.status_code,
                        "headers": [(b"content-type", stored.content_type.encode()), (b"idempotent-replayed", b"true"),
                                    (b"content-length", str(len(stored.body)).encode())]})
            await send({"type": "http.response.body", "body": stored.body})
            return

        sent = False

        async def replay_receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        captured: dict = {"status": 500, "headers": [], "body": b""}

        async def capture_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"], captured["headers"] = message["status"], message.get("headers", [])
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
            await send(message)

        await self.app(scope, replay_receive, capture_send)
        if captured["status"] >= 500 or captured["status"] in (401, 403, 429):
            return  # not an answer to remember: the client may retry
        content_type = dict(captured["headers"]).get(b"content-type", b"application/json").decode()
        with Session(engine) as session:
            session.add(IdempotencyRecord(client=client, idempotency_key=idem_key, method="POST", path=scope["path"],
                                          request_hash=digest, status_code=captured["status"],
                                          content_type=content_type, body=captured["body"]))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()  # a concurrent request with the same key stored its answer first
