"""Per-key rate limiting: a token bucket per authenticated API key (the stored key, never the header's spelling), in
each worker. Requests without a valid key never get here: the authentication gate refuses them first."""

from __future__ import annotations

import math
import threading
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from service.core.errors import problem_response


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


class RateLimit:
    """429 problem+json with Retry-After once a client has used its budget."""

    def __init__(self, app: ASGIApp, *, per_minute: int, burst: int) -> None:
        self.app = app
        self.buckets = TokenBuckets(per_minute=per_minute, burst=burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1"):
            return await self.app(scope, receive, send)
        key = (scope.get("state") or {}).get("api_key")
        # The stored key's hash: one bucket per key however the header is spelled, never shared with a later key.
        client = f"key:{key.key_hash}" if key is not None else "addr:" + str((scope.get("client") or ("?",))[0])
        wait = self.buckets.take(client)
        if wait > 0:
            response = problem_response(429, "Too many requests", "This key has sent too many requests; slow down.",
                                        slug="rate-limited",
                                        headers={"Retry-After": str(max(1, math.ceil(wait)))})
            return await response(scope, receive, send)
        await self.app(scope, receive, send)
