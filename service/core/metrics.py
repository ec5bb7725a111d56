"""Prometheus metrics of the HTTP service: requests counted and timed by method, route template and status, plus
facts collected when /metrics is read (registered by the app: the match index, the models, the nightly run).

With several workers, `jobmatch serve` points prometheus_client at a shared folder (PROMETHEUS_MULTIPROC_DIR) before
any worker starts: every worker writes its counts there and whichever worker answers /metrics adds them all up.
Facts read at scrape time come from the answering worker, which brings them up to date with the database first."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector, values
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"
# Seconds: from a cached read to a large import; matching answers sit in the tens and hundreds of milliseconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def is_multiprocess() -> bool:
    """Whether prometheus_client writes to a shared folder (PROMETHEUS_MULTIPROC_DIR was set when it loaded)."""
    return values.ValueClass is not values.MutexValue


def route_label(scope: Scope) -> str:
    """The route's path template (`/v1/trainees/{trainee_id}/matches`), never the concrete path: paths carry record
    ids, and a label per id would grow without bound. A request refused before routing (401, 429, 503) is named by
    the route it was meant for; requests for no route share one label."""
    routed = getattr(scope.get("route"), "path", None)
    if routed:
        return str(routed)
    for route in _leaf_routes(getattr(getattr(scope.get("app"), "router", None), "routes", ())):
        template = getattr(route, "path", None)
        if template and route.matches(scope)[0] == Match.FULL:
            return str(template)
    return UNMATCHED


def _leaf_routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, also those of included routers (FastAPI keeps an included router whole)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        yield from _leaf_routes(included.routes) if included is not None else (route,)


class Metrics:
    """One app's metrics: its own registry (several apps in one process, as in tests, never collide)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("jobmatch_http_requests", "HTTP requests answered, by method, route template and "
                                "status.", ["method", "route", "status"], registry=self.registry)
        self.duration = Histogram("jobmatch_http_request_duration_seconds", "Time to answer an HTTP request, by "
                                  "method and route template.", ["method", "route"], buckets=BUCKETS,
                                  registry=self.registry)
        self.scraped: list[Collector] = []
        if not is_multiprocess():  # one process: its memory and CPU (with several, each worker's would differ)
            ProcessCollector(registry=self.registry)

    def observe(self, *, method: str, route: str, status: int, seconds: float) -> None:
        """Count and time one answered request."""
        method = method if method in METHODS else "other"  # any token is a method: keep the label bounded
        self.requests.labels(method, route, str(status)).inc()
        self.duration.labels(method, route).observe(seconds)

    def collect_when_scraped(self, collector: Collector) -> None:
        """A collector of facts read when /metrics is read."""
        self.scraped.append(collector)
        if not is_multiprocess():
            self.registry.register(collector)

    def exposition(self, accept: str | None) -> tuple[bytes, str]:
        """Every metric, in the format the scraper accepts (Prometheus text, or OpenMetrics), and its media type;
        with several workers, their counts added up."""
        encode, media_type = choose_encoder(accept or "")
        if not is_multiprocess():
            return encode(self.registry), media_type
        registry = CollectorRegistry(auto_describe=False)
        MultiProcessCollector(registry)
        for collector in self.scraped:
            registry.register(collector)
        return encode(registry), media_type
