"""Console sign-in: an API key is exchanged for a signed session cookie that names the key by id (never the key
itself). The key is looked up again on every request, so revoking it or letting it expire ends the session at
once; the cookie's own expiry bounds how long a signed cookie is good for."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets as random
import time
from dataclasses import dataclass

from sqlmodel import Session

from service.auth import policy
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
    """A new session cookie's value for this key: key id, expiry and a random session id, signed."""
    payload = f"{key.id}.{int(time.time()) + hours * 3600}.{random.token_urlsafe(16)}"
    return f"{payload}.{_sign(secrets.get(session=session, name=SECRET_NAME), payload)}"


def resolve(*, session: Session, cookie: str | None) -> ConsoleSession:
    """The session a cookie holds, with its key valid now and of a staff role (SignInRequired or StaffOnly
    otherwise)."""
    if not cookie or cookie.count(".") != 3:
        raise SignInRequired
    payload, _, signature = cookie.rpartition(".")
    expected = _sign(secrets.get(session=session, name=SECRET_NAME), payload)
    key_id, expires, session_id = payload.split(".")
    if not hmac.compare_digest(signature, expected) or not key_id.isdigit() or not expires.isdigit() \
            or int(expires) <= time.time():
        raise SignInRequired
    try:
        key = keys.find_valid(session=session, key_id=int(key_id))
    except Unauthorized as exc:  # revoked, expired or deleted: sign in again
        raise SignInRequired from exc
    if key.role not in policy.STAFF:
        raise StaffOnly
    return ConsoleSession(key=key, session_id=session_id)


def sign_in(*, session: Session, raw_key: str, hours: int) -> tuple[ApiKey, str]:
    """Check a key typed on the sign-in page; a staff key gets a session cookie's value (Unauthorized for a key
    that is not valid, StaffOnly for one of another role)."""
    key = keys.authenticate(connection=session.connection(), raw_key=raw_key.strip())
    if key.role not in policy.STAFF:
        raise StaffOnly
    return key, issue(session=session, key=key, hours=hours)


def secret(*, session: Session) -> bytes:
    """The key that signs sessions and CSRF tokens (a service secret, shared by every worker)."""
    return secrets.get(session=session, name=SECRET_NAME)
