"""Console sign-in: an API key is exchanged for a signed session cookie that names the key by id (never the key
itself) and a session kept in the database. The key and the session are looked up again on every request, so
revoking the key, letting it expire or signing out ends the session at once, for any copy of the cookie too."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets as random
import time
from dataclasses import dataclass

from sqlmodel import Session

from service.auth import policy, sessions
from service.auth import service as keys
from service.auth.models import ApiKey
from service.core import secrets
from service.core.errors import Unauthorized

COOKIE = "jobmatch_console"
SECRET_NAME = "console_sessions"


class SignInRequired(Exception):
    """No valid console session: the page answers with a redirect to the sign-in page."""


class StaffOnly(Exception):
    """The key is valid but not programme staff's: the console is not for it."""


@dataclass(frozen=True)
class ConsoleSession:
    """A signed-in session: the key (re-validated on this request) and the session's own random id, which the
    CSRF token is derived from."""

    key: ApiKey
    session_id: str


def _sign(secret: bytes, payload: str) -> str:
    digest = hmac.new(secret, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue(*, session: Session, key: ApiKey, hours: int) -> str:
    """A new session for this key, kept in the database; its cookie's value: key id, expiry and the session's
    random id, signed."""
    assert key.id is not None  # a stored key
    session_id = random.token_urlsafe(16)
    sessions.open(session=session, session_id=session_id, key_id=key.id, hours=hours)
    payload = f"{key.id}.{int(time.time()) + hours * 3600}.{session_id}"
    return f"{payload}.{_sign(secrets.get(session=session, name=SECRET_NAME), payload)}"


def _signed(session: Session, cookie: str | None) -> tuple[int, str] | None:
    """The key id and session id of a cookie this service signed and that has not expired."""
    if not cookie or cookie.count(".") != 3:
        return None
    payload, _, signature = cookie.rpartition(".")
    expected = _sign(secrets.get(session=session, name=SECRET_NAME), payload)
    key_id, expires, session_id = payload.split(".")
    if not hmac.compare_digest(signature, expected) or not key_id.isdigit() or not expires.isdigit() \
            or int(expires) <= time.time():
        return None
    return int(key_id), session_id


def resolve(*, session: Session, cookie: str | None) -> ConsoleSession:
    """The session a cookie holds, still open, with its key valid now and of a staff role (SignInRequired or
    StaffOnly otherwise)."""
    signed = _signed(session, cookie)
    if signed is None or not sessions.is_open(session=session, session_id=signed[1], key_id=signed[0]):
        raise SignInRequired
    key_id, session_id = signed
    try:
        key = keys.find_valid(session=session, key_id=key_id)
    except Unauthorized as exc:  # revoked, expired or deleted: sign in again
        raise SignInRequired from exc
    if key.role not in policy.STAFF:
        raise StaffOnly
    return ConsoleSession(key=key, session_id=session_id)


def sign_in(*, session: Session, raw_key: str, hours: int) -> tuple[ApiKey, str]:
    """Check a key typed on the sign-in page; a staff key gets a session cookie's value (Unauthorized for a key
    that is not valid, StaffOnly for one of another role)."""
    key = keys.authenticate(connection=session.connection(), raw_key=raw_key.strip()).key
    if key.role not in policy.STAFF:
        raise StaffOnly
    return key, issue(session=session, key=key, hours=hours)


def sign_out(*, session: Session, cookie: str | None) -> None:
    """End the session a cookie holds (nothing to do for a cookie that holds none)."""
    signed = _signed(session, cookie)
    if signed is not None:
        sessions.close(session=session, session_id=signed[1])


def secret(*, session: Session) -> bytes:
    """The key that signs sessions and CSRF tokens (a service secret, shared by every worker)."""
    return secrets.get(session=session, name=SECRET_NAME)
