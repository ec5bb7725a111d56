"""What the per-key rate limit costs a request: the shared counter alone, and a cheap route through the whole app.

1. The counter by itself, `--calls` calls each, one thread and then four at once (a worker's request threads):
   the per-worker token bucket (what each worker did alone before), the database counter on SQLite (its file
   beside the database), on PostgreSQL (`--postgres`, a fresh `jobmatch_bench_limits` database dropped afterwards)
   and Redis (`--redis`, when it answers and `jobmatch[redis]` is installed): microseconds per call, p50/p99, and
   calls a second.
2. `GET /v1/employers?limit=1` through the app in-process (authentication, the limit, the route, its unit of
   work), `--requests` one after another, with each counter, against the per-worker bucket: median and p99 ms,
   and the difference the shared counter makes per request.

    .venv/bin/python benchmarks/rate_limit.py [--postgres URL] [--redis URL] [--calls 5000] [--requests 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from service.core import rate_counters
from service.core.config import Settings
from service.core.db import make_engine
from service.core.limits import TokenBuckets
from service.core.migrate import upgrade
from service.core.rate_counters import Budget, DatabaseCounter, RedisCounter, now_us

DATABASE = "jobmatch_bench_limits"
BUDGET = Budget.of(per_minute=100_000_000, burst=100_000_000)  # never refuses: every call is a full count


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def timed(call: Callable[[], object], count: int) -> list[float]:
    """Seconds of each of `count` calls."""
    spent = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        spent.append(time.perf_counter() - started)
    return spent


def threaded_rate(call: Callable[[], object], count: int, threads: int = 4) -> float:
    """Calls a second with `threads` threads calling at once, `count` calls in all."""
    share = count // threads

    def work() -> None:
        for _ in range(share):
            call()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return share * threads / (time.perf_counter() - started)


def counter_row(name: str, call: Callable[[], object], calls: int, *, threads: bool = True) -> None:
    for _ in range(min(200, calls)):  # warm: connections made, statements prepared
        call()
    spent = [s * 1e6 for s in timed(call, calls)]
    rate = f"{threaded_rate(call, calls):>12,.0f}" if threads else f"{'-':>12}"
    print(f"{name:<34} {statistics.median(spent):>9.0f} {percentile(spent, 99):>9.0f} "
          f"{calls / (sum(spent) / 1e6):>12,.0f} {rate}")


def redis_counter(url: str | None) -> RedisCounter | None:
    if not url:
        return None
    try:
        import redis
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception as exc:  # not installed, or nothing answers: that column is left out
        print(f"(Redis left out: {type(exc).__name__}: {exc})")
        return None
    return RedisCounter(url)


def counters(urls: dict[str, str], redis_url: str | None, calls: int) -> None:
    print(f"\nThe counter alone, {calls:,} calls (µs per call; calls/s one thread, and four threads at once)")
    print(f"{'counter':<34} {'p50 µs':>9} {'p99 µs':>9} {'calls/s':>12} {'4 threads/s':>12}")
    local = TokenBuckets(per_minute=100_000_000, burst=100_000_000)
    counter_row("per-worker token bucket (before)", lambda: local.take("key:bench"), calls)
    for name, url in urls.items():
        engine = make_engine(url, pool_size=8)
        counter, bucket = DatabaseCounter(lambda engine=engine: engine), uuid.uuid4().hex
        counter_row(f"database counter, {name}",
                    lambda counter=counter, bucket=bucket: counter.take_now(bucket, BUDGET, now_us()), calls)
        engine.dispose()
    shared = redis_counter(redis_url)
    if shared is not None:
        loop = asyncio.new_event_loop()
        bucket = uuid.uuid4().hex
        counter_row("Redis counter (event loop)",
                    lambda: loop.run_until_complete(shared.take(bucket, BUDGET, now_us())), calls, threads=False)
        loop.run_until_complete(shared.close())
        loop.close()


def build_app(settings: Settings, shared: bool) -> tuple[object, dict[str, str]]:
    """The app for these settings (its limit counted per worker, as before, unless `shared`) and a key's header."""
    from service import main
    from service.auth import service as keys
    from service.records.unit_of_work import unit_of_work
    wired = main.shared_counter
    if not shared:
        main.shared_counter = lambda **_: None  # as before: each worker counts on its own
    try:
        app = main.create_app(settings)
    finally:
        main.shared_counter = wired
    with unit_of_work(app.state.engine) as session:
        _, raw = keys.create(session=session, role="admin")
    return app, {"Authorization": f"Bearer {raw}"}


async def route_latencies(variants: list[tuple[str, Settings, bool]], requests: int) -> dict[str, list[float]]:
    """Milliseconds of each of `requests` cheap authenticated requests through each variant's app, taken in turn
    (one request to each, then the next round) so that a busy moment of the machine falls on all of them alike."""
    from contextlib import AsyncExitStack
    spent: dict[str, list[float]] = {label: [] for label, _, _ in variants}
    async with AsyncExitStack() as stack:
        clients = []
        for label, settings, shared in variants:
            app, headers = build_app(settings, shared)
            await stack.enter_async_context(app.router.lifespan_context(app))  # type: ignore[attr-defined]
            client = await stack.enter_async_context(httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                                                       base_url="http://bench", headers=headers))
            clients.append((label, client))
        for round_ in range(50 + requests):
            for label, client in clients:
                started = time.perf_counter()
                answer = await client.get("/v1/employers?limit=1")
                if round_ >= 50:  # after a warm-up
                    spent[label].append((time.perf_counter() - started) * 1000)
                answer.raise_for_status()
    return spent


def routes(urls: dict[str, str], redis_url: str | None, requests: int) -> None:
    print(f"\nGET /v1/employers?limit=1 through the app, {requests:,} requests to each, in turn (ms)")
    print(f"{'database':<12} {'limit counted by':<26} {'p50 ms':>8} {'p99 ms':>8} {'p50 added':>10}")
    for name, url in urls.items():
        base = Settings(database_url=url, log_level="WARNING", rate_limit_per_minute=100_000_000,
                        rate_limit_burst=100_000_000)
        variants: list[tuple[str, Settings, bool]] = [("each worker (before)", base, False),
                                                      ("the database", base, True)]
        if redis_counter(redis_url) is not None:
            variants.append(("Redis", Settings(**{**base.model_dump(), "redis_url": redis_url}), True))
        spent = asyncio.run(route_latencies(variants, requests))
        before = statistics.median(spent[variants[0][0]])
        for label, values in spent.items():
            p50 = statistics.median(values)
            print(f"{name:<12} {label:<26} {p50:>8.2f} {percentile(values, 99):>8.2f} {p50 - before:>+10.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="PostgreSQL admin URL; a fresh database is created there and dropped")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="Redis URL ('' to leave it out)")
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        urls = {"SQLite": f"sqlite:///{Path(folder) / 'jobmatch.db'}"}
        admin = None
        if args.postgres:
            admin = create_engine(make_url(args.postgres), isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
                connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
            urls["PostgreSQL"] = make_url(args.postgres).set(database=DATABASE).render_as_string(hide_password=False)
        try:
            for url in urls.values():
                upgrade(url)
            counters(urls, args.redis or None, args.calls)
            routes(urls, args.redis or None, args.requests)
        finally:
            rate_counters._SIDECARS.clear()
            if admin is not None:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
