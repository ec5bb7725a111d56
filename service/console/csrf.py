"""CSRF tokens: every console form carries one in a hidden field (or htmx sends it as a header), derived from the
session's random id (before sign-in, from a random id in a short-lived cookie); every POST is checked."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets as random

FIELD = "csrf_token"
HEADER = "x-csrf-token"
PRE_SESSION_COOKIE = "jobmatch_console_pre"  # the sign-in form's id, before there is a session


class CsrfRejected(Exception):
    """A POST without the form's token, or with another session's: refused (403)."""


def new_id() -> str:
    """A random id to derive a pre-session token from."""
    return random.token_urlsafe(16)


def token(*, secret: bytes, session_id: str) -> str:
    """The CSRF token of one session."""
    digest = hmac.new(secret, f"csrf.{session_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def check(*, secret: bytes, session_id: str | None, sent: str | None) -> None:
    """Refuse a POST whose token is missing or is not this session's."""
    if not session_id or not sent or not hmac.compare_digest(sent, token(secret=secret, session_id=session_id)):
        raise CsrfRejected
