"""Load: an open-loop mix of match reads and opening writes against `jobmatch serve` on PostgreSQL.

Creates a fresh database (dropped afterwards), loads the demo programme with `jobmatch setup`, serves it with
several workers on loopback (a rate limit high enough for the load, for that server only), then from this
separate process sends, on a fixed schedule whatever the answers' speed (open loop):

- `--rate` requests a second of `GET /v1/trainees/{id}/matches` over random job-ready trainees,
- `--write-rate` `PATCH /v1/openings/{id}` a second, each changing one opening's monthly wage,

for `--duration` seconds. It prints what was sent and completed, errors by status, timeouts, read latency
percentiles (measured from each request's scheduled time, so client-side queuing counts), and checks that every
acknowledged write reads back. It stops by itself: each request has `--timeout` seconds in all (then it counts
as a timeout), and a request due while the load generator itself lags more than a second is counted as not sent
rather than sent late.

    .venv/bin/python benchmarks/load.py [--rate 200] [--write-rate 5] [--duration 60] [--workers 2] [--database NAME]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DATABASE = "jobmatch_bench_load"


@dataclass
class Tally:
    sent: int = 0
    completed: int = 0
    statuses: Counter = field(default_factory=Counter)
    timeouts: int = 0
    behind: int = 0  # due while the client itself lagged more than a second: not sent, counted
    transport_errors: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def create_database(admin_url: str, database: str = DATABASE) -> str:
    admin = create_engine(make_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return make_url(admin_url).set(database=database).render_as_string(hide_password=False)


def drop_database(admin_url: str, database: str = DATABASE) -> None:
    admin = create_engine(make_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    admin.dispose()


def setup(env: dict[str, str]) -> str:
    """Migrate, load data/demo and return the admin key `jobmatch setup` prints (its last line)."""
    done = subprocess.run([sys.executable, "-m", "service", "setup"], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"jobmatch setup failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1].strip()


def wait_ready(process: subprocess.Popen, base: str, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the server was not ready after {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> float:
    """SIGTERM the server this benchmark started; the seconds it took to exit."""
    started = time.perf_counter()
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return time.perf_counter() - started


def listing(client: httpx.Client, path: str) -> list[dict]:
    rows: list[dict] = []
    while True:
        page = client.get(path, params={"offset": len(rows), "limit": 500})
        page.raise_for_status()
        data = page.json()["data"]
        rows += data
        if not data or len(rows) >= page.json()["count"]:
            return rows


def read_wage(client: httpx.Client, opening: str) -> int | None:
    """The stored wage, once the server (still draining the load) answers 200."""
    for _ in range(60):
        response = client.get(f"/v1/openings/{opening}")
        if response.status_code == 200:
            return response.json()["monthly_wage_inr"]
        time.sleep(float(response.headers.get("retry-after", "1")))
    raise RuntimeError(f"GET /v1/openings/{opening} never answered 200 after the load")


class Connections:
    """A small keep-alive HTTP/1.1 client on asyncio streams: the load generator shares two cores with the server,
    so it should spend as little CPU per request as possible (httpx's async client spends several times more)."""

    def __init__(self, host: str, port: int, key: str, *, limit: int) -> None:
        self.host, self.port, self.limit = host, port, limit
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.opened = 0
        self.slots = asyncio.Semaphore(limit)
        self.head = f"Host: {host}:{port}\r\nAuthorization: Bearer {key}\r\nAccept: application/json\r\n"

    async def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        payload = json.dumps(body).encode() if body is not None else b""
        head = f"{method} {path} HTTP/1.1\r\n{self.head}"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        message = (head + "\r\n").encode() + payload
        async with self.slots:
            for attempt in range(2):
                reused = bool(self.idle) and attempt == 0
                reader, writer = self.idle.pop() if reused else await self._open()
                try:
                    writer.write(message)
                    status, data, keep = await self._read(reader)
                except (ConnectionError, asyncio.IncompleteReadError):
                    writer.close()
                    if reused and attempt == 0:  # the server closed an idle connection: once more on a new one
                        continue
                    raise
                except BaseException:  # a timeout or cancellation mid-exchange: the connection is unusable
                    writer.close()
                    raise
                if keep:
                    self.idle.append((reader, writer))
                else:
                    writer.close()
                return status, data
        raise ConnectionError("unreachable")

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        self.opened += 1
        return await asyncio.open_connection(self.host, self.port)

    @staticmethod
    async def _read(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {name.strip().lower(): value.strip()
                   for name, _, value in (line.partition(":") for line in lines[1:] if line)}
        data = await reader.readexactly(int(headers.get("content-length", "0")))
        return status, data, headers.get("connection", "").lower() != "close"

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


async def load(base: str, key: str, trainees: list[str], openings: list[dict], *, rate: float, write_rate: float,
               duration: float, timeout: float, seed: int) -> tuple[Tally, Tally, dict[str, int], int]:
    rng = random.Random(seed)
    reads, writes = Tally(), Tally()
    written: dict[str, tuple[int, int]] = {}  # opening -> (sequence, wage) of the latest acknowledged write
    unsure: set[str] = set()  # openings with a write whose outcome is unknown (timed out: it may still apply)
    order = openings[:]
    rng.shuffle(order)
    address = httpx.URL(base)
    client = Connections(address.host, address.port or 80, key, limit=1000)

    async def one(tally: Tally, due: float, method: str, path: str, body: dict | None = None) -> int | None:
        tally.sent += 1
        try:  # one deadline for the whole exchange, waiting for a connection included
            status, _ = await asyncio.wait_for(client.request(method, path, body), timeout)
        except TimeoutError:
            tally.timeouts += 1
            return None
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            tally.transport_errors[type(exc).__name__] += 1
            return None
        tally.completed += 1
        tally.statuses[status] += 1
        tally.latencies.append(time.perf_counter() - due)
        return status

    async def write(due: float, sequence: int) -> None:
        opening = order[sequence % len(order)]
        wage = opening["monthly_wage_inr"] + 1 + sequence
        status = await one(writes, due, "PATCH", f"/v1/openings/{opening['external_id']}",
                           {"monthly_wage_inr": wage})
        if status is None:
            unsure.add(opening["external_id"])
        elif status == 200 and written.get(opening["external_id"], (-1, 0))[0] < sequence:
            written[opening["external_id"]] = (sequence, wage)

    cpu_before = time.process_time()
    start = time.perf_counter() + 0.5
    schedule = [(start + i / rate, "read", i) for i in range(int(rate * duration))]
    schedule += [(start + i / write_rate, "write", i) for i in range(int(write_rate * duration))]
    schedule.sort()
    tasks = []
    for due, kind, i in schedule:
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        elif -delay > 1.0:  # the load generator cannot keep up (CPU): say so instead of sending late
            (reads if kind == "read" else writes).behind += 1
            continue
        if kind == "read":
            path = f"/v1/trainees/{rng.choice(trainees)}/matches"
            tasks.append(asyncio.create_task(one(reads, due, "GET", path)))
        else:
            tasks.append(asyncio.create_task(write(due, i)))
    await asyncio.gather(*tasks)  # each ends within `timeout`
    client.close()
    print(f"load generator: {client.opened} connections opened, {time.process_time() - cpu_before:.1f} s "
          f"of its own CPU over {duration:g} s of load")
    return reads, writes, {opening: wage for opening, (_, wage) in written.items() if opening not in unsure}, \
        len(unsure & set(written))


def report(name: str, tally: Tally) -> None:
    ms = [s * 1000 for s in tally.latencies]
    errors = {status: n for status, n in sorted(tally.statuses.items()) if status >= 400}
    print(f"{name}: sent {tally.sent}, completed {tally.completed}, by status {dict(sorted(tally.statuses.items()))}, "
          f"errors {errors or 'none'}, timeouts {tally.timeouts}, "
          f"transport errors {dict(tally.transport_errors) or 'none'}, "
          f"not sent (load generator behind schedule) {tally.behind}")
    print(f"{name} latency ms: p50 {percentile(ms, 50):.1f}  p95 {percentile(ms, 95):.1f}  "
          f"p99 {percentile(ms, 99):.1f}  max {max(ms, default=float('nan')):.1f}")


def demo_server(url: str) -> tuple[str, dict[str, str]]:
    """Load data/demo into the database with `jobmatch setup`: its admin key, and the environment of a server on it
    (with a rate limit far above any load, for that server only)."""
    env = {**os.environ, "JOBMATCH_DATABASE_URL": url, "JOBMATCH_LOG_LEVEL": "WARNING",
           "JOBMATCH_DATA_DIR": str(REPO / "data")}
    return setup(env), {**env, "JOBMATCH_RATE_LIMIT_PER_MINUTE": "100000000", "JOBMATCH_RATE_LIMIT_BURST": "100000000"}


def start_demo_server(url: str, folder: Path, *, workers: int, env: dict[str, str] | None = None
                      ) -> tuple[subprocess.Popen, str, str]:
    """The demo programme loaded (`demo_server`) and `jobmatch serve` started on it on a free loopback port, with
    `env` on top of its environment and its log in `folder`: the process, its base URL and the admin key. The
    caller stops it (`stop`)."""
    key, server_env = demo_server(url)
    port = free_port()
    log = folder / "server.log"
    with open(log, "wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port",
                                    str(port), "--workers", str(workers)], env={**server_env, **(env or {})},
                                   cwd=REPO, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, base, log)
    except BaseException:
        stop(process)
        raise
    return process, base, key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default=os.environ.get("JOBMATCH_BENCH_DATABASE_URL", DEFAULT_URL),
                        help="PostgreSQL URL whose server gets the benchmark's own database")
    parser.add_argument("--database", default=DATABASE, help="the database it creates and drops afterwards")
    parser.add_argument("--rate", type=float, default=200.0, help="match reads a second")
    parser.add_argument("--write-rate", type=float, default=5.0, help="opening updates a second")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--pool-size", type=int, default=None,
                        help="database connections and handler threads per worker (JOBMATCH_DB_POOL_SIZE and "
                             "JOBMATCH_WORKER_THREADS; the service defaults when not given)")
    parser.add_argument("--max-in-flight", type=int, default=None,
                        help="JOBMATCH_MAX_IN_FLIGHT_REQUESTS per worker (the service default when not given)")
    parser.add_argument("--timeout", type=float, default=10.0, help="client timeout per request, seconds")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    url = create_database(args.postgres, args.database)
    try:
        with tempfile.TemporaryDirectory(prefix="jobmatch-load-") as folder:
            print(f"loading data/demo into {args.database} ...", flush=True)
            env: dict[str, str] = {}
            if args.pool_size is not None:
                env |= {"JOBMATCH_DB_POOL_SIZE": str(args.pool_size), "JOBMATCH_WORKER_THREADS": str(args.pool_size)}
            if args.max_in_flight is not None:
                env["JOBMATCH_MAX_IN_FLIGHT_REQUESTS"] = str(args.max_in_flight)
            process, base, key = start_demo_server(url, Path(folder), workers=args.workers, env=env)
            try:
                with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
                    trainees = [t["external_id"] for t in listing(client, "/v1/trainees?status=job_ready")]
                    openings = listing(client, "/v1/openings?status=open")
                    for trainee in trainees[:20]:  # every worker builds its index before the clock starts
                        client.get(f"/v1/trainees/{trainee}/matches")
                print(f"{args.workers} workers, pool/threads {args.pool_size or 'default'} per worker, in-flight bound "
                      f"{args.max_in_flight or 'default'} per worker; {len(trainees)} job-ready "
                      f"trainees, {len(openings)} open openings; {args.rate:g} reads/s + {args.write_rate:g} "
                      f"writes/s for {args.duration:g} s", flush=True)
                reads, writes, written, skipped = asyncio.run(load(
                    base, key, trainees, openings, rate=args.rate, write_rate=args.write_rate,
                    duration=args.duration, timeout=args.timeout, seed=args.seed))
                report("reads  GET /v1/trainees/{id}/matches", reads)
                report("writes PATCH /v1/openings/{id}", writes)
                with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
                    lost = [opening for opening, wage in written.items() if read_wage(client, opening) != wage]
                print(f"writes read back: {len(written) - len(lost)} of {len(written)} openings whose every write "
                      f"was answered ({skipped} skipped: another write to it timed out, its outcome unknown)"
                      + (f"; MISMATCH {lost[:10]}" if lost else ""))
            finally:
                print(f"server stopped {stop(process):.1f} s after SIGTERM")
    finally:
        drop_database(args.postgres, args.database)


if __name__ == "__main__":
    main()
