"""Per-key rate limiting: `per_minute` requests a minute and `burst` at once for each authenticated API key (the
stored key, never the header's spelling), counted by a counter every worker and instance shares (the database, or
Redis; `service/core/rate_counters.py`). Requests without a valid key never get here: the authentication gate
refuses them first, and counts their failures per client address in each worker (`TokenBuckets`).

If the shared counter cannot be reached (Redis down, the counters' file locked), each worker limits on its own
(per-worker token buckets, the same budget) and logs a warning at most once a minute; it tries the shared counter
again after a few seconds. Requests are never refused because the counter is unavailable."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy.engine import Connection, Engine, make_url
from starlette.types import ASGIApp, Receive, Scope, Send

from service.core.actor import STATE_KEY
from service.core.errors import problem_response
from service.core.rate_counters import (
    Budget,
    DatabaseCounter,
    RedisCounter,
    SharedCounter,
    counting_parameters,
    now_us,
    retry_after,
    wait_of,
)

log = logging.getLogger("jobmatch.limits")
COUNTED = "rate_wait"  # scope["state"]: the seconds to wait the gate counted for this request, if it did
RETRY_SHARED_AFTER = 5.0  # seconds a worker limits on its own after the shared counter failed
WARN_EVERY = 60.0  # seconds between two warnings that the shared counter is unavailable


class TokenBuckets:
    """Refill `rate` tokens a second up to `burst`; a request takes one."""

    def __init__(self, *, per_minute: int, burst: int, max_clients: int = 100_000) -> None:
        self.rate, self.burst, self.max_clients = per_minute / 60.0, burst, max_clients
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def peek(self, client: str, now: float | None = None) -> float:
        """Like `take`, without taking: 0 when a request could go ahead now."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

    def take(self, client: str, now: float | None = None) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1:
                if len(self._buckets) >= self.max_clients and client not in self._buckets:
                    self._buckets.clear()  # bounded memory; a reset only ever lets requests through
                self._buckets[client] = (tokens - 1, now)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1 - tokens) / self.rate


def shared_counter(*, database_url: str, redis_url: str | None, engine_of: Callable[[], Engine]
                   ) -> SharedCounter | None:
    """The counter every worker shares: Redis when configured, else the database (None for an in-memory SQLite
    database, which no other process can see anyway)."""
    if redis_url:
        return RedisCounter(redis_url)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and (not url.database or url.database == ":memory:"):
        return None
    return DatabaseCounter(engine_of)


class KeyLimit:
    """Each key's budget, counted by the shared counter while it answers, else by this worker's own buckets."""

    def __init__(self, *, per_minute: int, burst: int, counter: SharedCounter | None) -> None:
        self.counter = counter
        self.budget = Budget.of(per_minute=per_minute, burst=burst)
        self.local = TokenBuckets(per_minute=per_minute, burst=burst)
        self._shared_from = 0.0  # monotonic time from which the shared counter is tried again
        self._warned_at: float | None = None

    @property
    def counts_with_the_key(self) -> bool:
        """Whether the gate counts a request on the connection it resolved the key with (the database counter)."""
        return isinstance(self.counter, DatabaseCounter)

    def _shared(self) -> bool:
        return self.counter is not None and time.monotonic() >= self._shared_from

    def counting_in_statement(self, connection: Connection) -> tuple[dict[str, int], int] | None:
        """When the database counter counts on PostgreSQL and answers, the parameters that count a request in the
        statement the caller sends on this connection (the gate's key lookup), with the instant they count at;
        None: count with `count_on` instead."""
        if not (isinstance(self.counter, DatabaseCounter) and self._shared()
                and connection.dialect.name == "postgresql"):
            return None
        now = now_us()
        return counting_parameters(self.budget, now), now

    def counted(self, verdict: tuple[int, bool], now: int) -> float:
        """The seconds to wait from the verdict of a count made in the caller's statement."""
        tat, allowed = verdict
        return wait_of(tat, allowed, self.budget, now)

    def failed(self, exc: Exception) -> None:
        """The shared counter failed in the caller's statement: limit per worker for a while."""
        self._failed(exc)

    def _failed(self, exc: Exception) -> None:
        """Limit per worker for a while, and say so (at most once a minute)."""
        self._shared_from = time.monotonic() + RETRY_SHARED_AFTER
        if self._warned_at is None or time.monotonic() - self._warned_at >= WARN_EVERY:
            self._warned_at = time.monotonic()
            log.warning("shared rate counter unavailable; limiting per worker",
                        extra={"store": self.counter.name if self.counter else None, "error": type(exc).__name__})

    def count_on(self, connection: Connection, bucket: str) -> float:
        """Count a request on a connection the caller holds (blocking; the database counter): seconds to wait."""
        if isinstance(self.counter, DatabaseCounter) and self._shared():
            try:
                return self.counter.take_now(bucket, self.budget, now_us(), connection=connection)
            except Exception as exc:  # any failure of the counter's store
                self._failed(exc)
        return self.local.take(bucket)

    async def count(self, bucket: str) -> float:
        """Count a request: the seconds it must wait (0: go ahead)."""
        if self.counter is not None and self._shared():
            try:
                return await self.counter.take(bucket, self.budget, now_us())
            except Exception as exc:  # any failure of the counter's store
                self._failed(exc)
        return self.local.take(bucket)


class RateLimit:
    """429 problem+json with Retry-After once a key has used its budget, counted across every worker (by the gate,
    on the connection it resolved the key with, for the database counter; here otherwise)."""

    def __init__(self, app: ASGIApp, *, limit: KeyLimit) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1"):
            return await self.app(scope, receive, send)
        state = scope.get("state") or {}
        key, wait = state.get(STATE_KEY), state.get(COUNTED)
        if wait is None:
            # The stored key's hash: one bucket per key however the header is spelled, never shared with a later
            # key. (The gate lets nothing through without a key; should that change, count per address here.)
            wait = (await self.limit.count(key.key_hash) if key is not None
                    else self.limit.local.take("addr:" + str((scope.get("client") or ("?",))[0])))
        if wait > 0:
            response = problem_response(429, "Too many requests", "This key has sent too many requests; slow down.",
                                        slug="rate-limited",
                                        headers={"Retry-After": retry_after(wait)})
            return await response(scope, receive, send)
        await self.app(scope, receive, send)
