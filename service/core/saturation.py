"""Degrading instead of locking up: a bound on the /v1 requests one worker handles at once."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from service.core.errors import busy_response


class InFlightLimit:
    """Beyond `limit` /v1 requests in flight in this worker, answer 503 with Retry-After at once instead of
    queuing for threads and connections that will not free up in time. Health probes are never counted."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app, self.limit, self.in_flight = app, limit, 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1"):
            return await self.app(scope, receive, send)
        if self.in_flight >= self.limit:
            return await busy_response()(scope, receive, send)
        self.in_flight += 1  # one event loop per worker: no lock needed between these lines
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
