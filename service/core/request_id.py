"""A request id for every request: the caller's `X-Request-ID` when it is a short token, else a new one. It is
echoed in the answer's `X-Request-ID`, carried by every log line written while the request is handled, and named
by every problem+json answer's `instance`, so that one id leads from a client's error to the server's lines."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-request-id"
# Short and made of token characters: safe in a header, a log line and a URN, whatever a client sends.
VALID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$")
INSTANCE_PREFIX = "urn:jobmatch:request:"

_current: ContextVar[str | None] = ContextVar("jobmatch_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being handled, or None outside a request."""
    return _current.get()


def request_instance() -> str | None:
    """The problem+json `instance` of the request being handled: `urn:jobmatch:request:<id>`."""
    request_id = _current.get()
    return INSTANCE_PREFIX + request_id if request_id else None


def accepted_or_new(value: bytes | None) -> str:
    """The caller's id when it is 1..64 token characters (letters, digits, '.', '_', '-'), else a new one."""
    if value is not None:
        text = value.decode("latin-1").strip()
        if VALID.match(text):
            return text
    return uuid.uuid4().hex


class RequestId:
    """Outermost middleware: choose the id, hold it for the request's logs and problems, echo it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        sent = next((value for name, value in scope.get("headers") or [] if name == HEADER), None)
        request_id = accepted_or_new(sent)
        scope.setdefault("state", {})["request_id"] = request_id
        encoded = request_id.encode("latin-1")

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":  # replayed answers too: the id is this request's
                headers = [(name, value) for name, value in message.get("headers", []) if name.lower() != HEADER]
                message = {**message, "headers": [*headers, (HEADER, encoded)]}
            await send(message)

        token = _current.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _current.reset(token)
