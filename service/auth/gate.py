"""Authentication before anything else: a /v1 request's bearer key is resolved (one indexed lookup, no cache, so
a revocation takes effect at once on every worker) before its body is read, rate-limited, replayed or routed. The
same statement reads the newest change id (for the match index) and, on PostgreSQL, counts the request against the
key's rate limit: one round trip for all three."""

from __future__ import annotations

import math
from collections.abc import Callable

import anyio
from sqlalchemy.engine import Connection, Engine
from starlette.types import ASGIApp, Receive, Scope, Send

from service.auth import service as keys
from service.auth.models import ApiKey
from service.core.actor import CHANGE_SEEN, STATE_KEY
from service.core.errors import Unauthorized, busy_response, is_saturation, problem_response
from service.core.limits import COUNTED, KeyLimit, TokenBuckets


def bearer_token(scope: Scope) -> str | None:
    """The key sent as 'Authorization: Bearer <key>' (scheme in any case, any spacing), or None."""
    for name, value in scope.get("headers") or []:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").strip().partition(" ")
            token = token.strip()
            return token if scheme.lower() == "bearer" and token else None
    return None


def authenticated_key(scope: Scope) -> ApiKey | None:
    """The key the gate authenticated for this request, if any."""
    return (scope.get("state") or {}).get(STATE_KEY)


def _lookup(engine: Engine, token: str, limit: KeyLimit | None) -> tuple[ApiKey, float | None, int]:
    """The key, when the database counts requests the seconds this one must wait, and the newest change id, in
    one thread hop on one connection: on PostgreSQL one statement does all three (a revoked key is never
    counted); on SQLite the count goes to the counters' own file."""
    # Autocommit: no transaction to begin, and none to roll back when the connection goes back.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        counting = limit.counting_in_statement(connection) if limit is not None else None
        if limit is not None and counting is not None:
            done = _counted_lookup(connection, token, limit, *counting)
            if done is not None:
                return done
        found = keys.authenticate(connection=connection, raw_key=token)
        wait: float | None = None if limit is None else limit.count_on(connection, found.key.key_hash)
        return found.key, wait, found.change_id


def _counted_lookup(connection: Connection, token: str, limit: KeyLimit, parameters: dict[str, int], now: int
                    ) -> tuple[ApiKey, float, int] | None:
    """The key read and the request counted in one statement; None when the count did not happen there (the
    counters' part failed, and the caller reads the key again without it)."""
    try:
        found = keys.authenticate(connection=connection, raw_key=token, count=parameters)
    except Unauthorized:
        raise
    except Exception as exc:
        if is_saturation(exc):
            raise
        limit.failed(exc)
        return None
    if found.verdict is None:  # not counted although usable (SQL and Python judged its expiry differently)
        return None
    return found.key, limit.counted(found.verdict, now), found.change_id


class Authenticate:
    """401 problem+json, without reading the body, for a /v1 request with no valid key; otherwise the key is put
    on the request's state for the rate limit, idempotency and `get_current_key`. Failed attempts are counted per
    client address: past the rate limit they answer 429 without a lookup (no guessing keys at full speed)."""

    def __init__(self, app: ASGIApp, *, engine_of: Callable[[], Engine], per_minute: int, burst: int,
                 limit: KeyLimit | None = None) -> None:
        self.app, self.engine_of = app, engine_of
        self.limit = limit if limit is not None and limit.counts_with_the_key else None
        self.failures = TokenBuckets(per_minute=per_minute, burst=burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1"):
            return await self.app(scope, receive, send)
        address = "addr:" + str((scope.get("client") or ("?",))[0])
        wait = self.failures.peek(address)
        if wait > 0:
            response = problem_response(429, "Too many requests", "Too many requests without a valid key; slow down.",
                                        slug="rate-limited",
                                        headers={"Retry-After": str(max(1, math.ceil(wait)))})
            return await response(scope, receive, send)
        token = bearer_token(scope)
        try:
            if token is None:
                raise Unauthorized("Send an API key as 'Authorization: Bearer <key>'.")
            key, counted, change_id = await anyio.to_thread.run_sync(_lookup, self.engine_of(), token, self.limit)
        except Unauthorized as exc:
            self.failures.take(address)
            response = problem_response(exc.status, exc.title, exc.detail, slug=exc.slug,
                                        headers=exc.headers)
            return await response(scope, receive, send)
        except Exception as exc:
            if is_saturation(exc):
                return await busy_response()(scope, receive, send)
            raise
        state = scope.setdefault("state", {})
        state[STATE_KEY], state["key_prefix"], state["role"] = key, key.prefix, key.role
        state[CHANGE_SEEN] = change_id
        if counted is not None:
            state[COUNTED] = counted
        await self.app(scope, receive, send)
