"""Match latency over HTTP: the served /matches and /candidates routes against the pair-by-pair way.

    python benchmarks/match_latency.py [--openings 1000 10000 100000] [--trainees 10000 100000]
                                       [--queries 200] [--candidate-queries 100] [--seed 5] [--quick]

For each size a synthetic programme is generated (``generate_bundle``), imported into a fresh SQLite database
in a temporary folder, an admin key is created, and ``python -m service serve --workers 1`` is started on a
free loopback port. After a warm-up, one keep-alive HTTP client sends sequential requests:

- ``GET /v1/trainees/{id}/matches?limit=10&as_of=2026-11-01`` for ``--queries`` random job-ready trainees
  available on that day (fixed seed), against every open opening;
- ``GET /v1/openings/{id}/candidates?limit=20&as_of=2026-11-01`` for ``--candidate-queries`` random open
  openings that pass their own checks on that day (open, vetted employer, legal wage), against every
  job-ready trainee.

The time of a request is from sending it to having read the whole answer; it includes what the service does
on every call (key check, the audit event it appends and commits, the freshness check of the match index).

In the same run, the naive way answers the same queries: per query it reads the rows from the database with
SQL (her record, the open openings with the placements running in them, the employers' vetting; or the
opening and the job-ready trainees) and scores every pair in Python with ``matching/testing/naive.py``. Its p50
covers reading and scoring; it runs on fewer queries for the large sizes (``--naive-pairs`` pairs scored in
all per row, at least 5 queries) and its top results are compared with the HTTP answer.

Openings sizes and trainee sizes share bundles where they can (the smallest trainee size with the smallest
openings size, the largest with the largest), so the default run generates three programmes. The trainee
size is the number of job-ready trainees wanted; about half of the generated trainees are job-ready, so
about twice as many are generated, and the table gives the count actually indexed. Prints a table; not a
test. The server is stopped at the end, also on errors.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

AS_OF = date(2026, 11, 1)
JOB_READY_SHARE = 0.5          # about this share of generated trainees is job-ready (measured: 0.53)
MIN_TRAINEES = 2_000           # trainees generated for an openings-only bundle (about 1,000 job-ready)
OPENINGS_FOR_TRAINEES = 1_000  # open openings generated for a trainees-only bundle
READY_TIMEOUT_S = 900.0
OWN_CHECKS = ("opening_not_open", "employer_not_vetted", "below_minimum_wage")
FLOOR_P50_MS, FLOOR_P99_MS, FLOOR_RATIO = 10.0, 30.0, 30.0  # /matches at 100k open openings, one worker


def uptime() -> str:
    """The machine's load as ``uptime`` prints it (other work on it shows in the figures)."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "unknown"


# ------------------------------------------------------------------ a served programme


@dataclass
class Served:
    """A generated programme, imported into its own SQLite database and served on loopback."""

    bundle: Path
    database_url: str
    base_url: str
    key: str
    timings: dict[str, float]
    counts: dict[str, int]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def reference():
    from service.core.reference import load_reference
    return load_reference(REPO / "data", "west_bengal", None)


def prepare_database(folder: Path, *, seed: int, trainees: int, openings: int) -> tuple[Path, str, str, dict]:
    """Generate a bundle, import it into a fresh SQLite database and create an admin key."""
    from demo.generator import generate_bundle
    from service.auth import service as keys
    from service.core.db import make_engine
    from service.core.migrate import upgrade
    from service.imports.service import import_bundle
    from service.records.unit_of_work import unit_of_work

    timings: dict[str, float] = {}
    bundle = folder / "bundle"
    started = time.perf_counter()
    counts = generate_bundle(bundle, seed=seed, trainees=trainees, openings=openings, reference_date=AS_OF)
    timings["generate_s"] = time.perf_counter() - started
    url = f"sqlite:///{folder / 'bench.db'}"
    started = time.perf_counter()
    upgrade(url)
    engine = make_engine(url)
    import_bundle(engine=engine, reference=reference(), path=bundle)
    timings["import_s"] = time.perf_counter() - started
    with unit_of_work(engine) as session:  # committed at the end of the block, as every write is
        _, raw = keys.create(session=session, role="admin", name="match benchmark")
    engine.dispose()
    return bundle, url, raw, {"timings": timings, "counts": counts}


def _stop(process: subprocess.Popen) -> None:
    """Stop the server this benchmark started (its own process id only)."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=20)


def _wait_ready(process: subprocess.Popen, base_url: str, log_path: Path, timeout: float) -> None:
    import httpx
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base_url, timeout=5.0) as client:
        for _ in range(int(timeout / 0.2) + 1):
            if process.poll() is not None:
                raise RuntimeError(f"the server exited ({process.returncode}):\n{_tail(log_path)}")
            try:
                if client.get("/readyz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
    raise RuntimeError(f"the server was not ready after {timeout:.0f} s:\n{_tail(log_path)}")


def _tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


@contextmanager
def served_programme(folder: Path, *, seed: int, trainees: int, openings: int,
                     ready_timeout: float = READY_TIMEOUT_S) -> Iterator[Served]:
    """Generate, import and serve a programme; the server is stopped on leaving, whatever happens."""
    bundle, url, key, info = prepare_database(folder, seed=seed, trainees=trainees, openings=openings)
    port = free_port()
    env = {**os.environ, "JOBMATCH_DATABASE_URL": url, "JOBMATCH_LOG_LEVEL": "WARNING",
           "JOBMATCH_RATE_LIMIT_PER_MINUTE": "100000000", "JOBMATCH_RATE_LIMIT_BURST": "100000000",
           "JOBMATCH_DATA_DIR": str(REPO / "data"), "JOBMATCH_SITE": "west_bengal"}
    log_path = folder / "server.log"
    started = time.perf_counter()
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "service", "serve", "--host", "127.0.0.1",
                                    "--port", str(port), "--workers", "1"],
                                   env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT)
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_ready(process, base_url, log_path, ready_timeout)
        info["timings"]["start_s"] = time.perf_counter() - started
        yield Served(bundle=bundle, database_url=url, base_url=base_url, key=key, timings=info["timings"],
                     counts=info["counts"])
    finally:
        _stop(process)


# ------------------------------------------------------------------ queries


def pick_trainees(records: list[dict], n: int, rng: np.random.Generator) -> list[str]:
    """Random job-ready trainees available on the day (the records are the job-ready ones)."""
    ready = sorted(r["external_id"] for r in records
                   if r["available_from"] is None or r["available_from"] <= AS_OF)
    return [ready[i] for i in rng.choice(len(ready), size=min(n, len(ready)), replace=False)]


def pick_openings(records: list[dict], employers: dict, n: int, rng: np.random.Generator) -> list[str]:
    """Random open openings passing their own checks on the day (open, vetted employer, legal wage)."""
    from matching.testing.naive import naive_pair
    ref = reference()
    by_id = {r["external_id"]: r for r in records}
    ids = sorted(by_id)
    chosen: list[str] = []
    for i in rng.permutation(len(ids)):
        _, broken, _ = naive_pair({"status": "job_ready"}, by_id[ids[i]], employers=employers,
                                  taxonomy=ref.taxonomy, site=ref.site, as_of=AS_OF)
        if not set(broken) & set(OWN_CHECKS):
            chosen.append(ids[i])
            if len(chosen) == n:
                break
    return chosen


def time_requests(client, paths: list[str]) -> tuple[list[float], list[dict]]:
    """Sequential requests on one keep-alive connection: seconds each, and the answers."""
    seconds, answers = [], []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        response.read()
        seconds.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path.split('?')[0].rsplit('/', 2)[0]}/... answered {response.status_code}: "
                               f"{response.text[:500]}")
        answers.append(response.json())
    return seconds, answers


def percentiles(seconds: list[float]) -> tuple[float, float]:
    ms = np.asarray(seconds) * 1000.0
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def naive_matches(engine, trainee_id: str) -> tuple[list[str], float, float]:
    """Her openings the naive way: read the rows with SQL, score pair by pair. (ids, load s, score s)."""
    from sqlmodel import Session

    from matching.testing.naive import naive_rank_openings
    from service.matches import loader
    ref = reference()
    started = time.perf_counter()
    with Session(engine) as session:
        trainee = loader.trainee_records(session, ids=[trainee_id], job_ready_only=False)[0]
        openings = loader.opening_records(session)
        employers = loader.employer_vetting(session)
    loaded = time.perf_counter()
    ranked = naive_rank_openings(trainee, openings, employers=employers, taxonomy=ref.taxonomy, site=ref.site,
                                 as_of=AS_OF, limit=10)
    return [r.external_id for r in ranked], loaded - started, time.perf_counter() - loaded


def naive_candidates(engine, opening_id: str) -> tuple[list[str], float, float]:
    """The opening's candidates the naive way: read the rows with SQL, score pair by pair."""
    from sqlmodel import Session

    from matching.testing.naive import naive_rank_trainees
    from service.matches import loader
    ref = reference()
    started = time.perf_counter()
    with Session(engine) as session:
        opening = loader.opening_records(session, ids=[opening_id], open_only=False)[0]
        trainees = loader.trainee_records(session)
        employers = loader.employer_vetting(session)
    loaded = time.perf_counter()
    ranked = naive_rank_trainees(opening, trainees, employers=employers, taxonomy=ref.taxonomy, site=ref.site,
                                 as_of=AS_OF, limit=20)
    return [r.external_id for r in ranked], loaded - started, time.perf_counter() - loaded


@dataclass
class Row:
    endpoint: str
    rows: int
    what: str
    queries: int
    p50: float
    p99: float
    naive_p50: float
    naive_load_p50: float
    naive_runs: int
    naive_same: int
    record_p50: float

    @property
    def ratio(self) -> float:
        return self.naive_p50 / self.p50 if self.p50 > 0 else math.nan


def measure(served: Served, *, kind: str, ids: list[str], naive_budget: int, warmup: int) -> Row:
    """Time one endpoint over HTTP for these ids, then the naive way for the first of them."""
    import httpx

    from service.core.db import make_engine
    if kind == "matches":
        path, limit, endpoint = "/v1/trainees/{}/matches", 10, "GET /v1/trainees/{id}/matches"
        record = "/v1/trainees/{}"
    else:
        path, limit, endpoint = "/v1/openings/{}/candidates", 20, "GET /v1/openings/{id}/candidates"
        record = "/v1/openings/{}"
    paths = [path.format(i) + f"?limit={limit}&as_of={AS_OF.isoformat()}" for i in ids]
    headers = {"Authorization": f"Bearer {served.key}"}
    with httpx.Client(base_url=served.base_url, headers=headers, timeout=120.0) as client:
        time_requests(client, paths[:warmup])
        seconds, answers = time_requests(client, paths)
        # The fixed cost of any authenticated request on the same connection: a plain record read.
        record_seconds, _ = time_requests(client, [record.format(i) for i in ids])
    p50, p99 = percentiles(seconds)
    engine = make_engine(served.database_url)
    with engine.connect() as connection:
        from sqlalchemy import text
        if kind == "matches":
            rows = connection.execute(text("SELECT count(*) FROM opening WHERE status = 'open'")).scalar_one()
        else:
            rows = connection.execute(text("SELECT count(*) FROM trainee WHERE status = 'job_ready' "
                                           "AND erased_at IS NULL")).scalar_one()
    runs = max(5, min(len(ids), naive_budget // max(rows, 1)))
    naive_seconds, load_seconds, same = [], [], 0
    key = "opening_external_id" if kind == "matches" else "trainee_external_id"
    for trainee_or_opening, answer in zip(ids[:runs], answers[:runs]):
        started = time.perf_counter()
        found, load_s, _ = (naive_matches if kind == "matches" else naive_candidates)(engine, trainee_or_opening)
        naive_seconds.append(time.perf_counter() - started)
        load_seconds.append(load_s)
        same += found == [m[key] for m in answer["data"]]
    engine.dispose()
    return Row(endpoint=endpoint, rows=int(rows), what="openings" if kind == "matches" else "trainees",
               queries=len(ids), p50=p50, p99=p99, naive_p50=percentiles(naive_seconds)[0],
               naive_load_p50=percentiles(load_seconds)[0], naive_runs=runs, naive_same=same,
               record_p50=percentiles(record_seconds)[0])


# ------------------------------------------------------------------ plan and run


def plan(openings: list[int], trainees: list[int]) -> list[tuple[int | None, int | None]]:
    """Bundles to generate: (openings size or None, job-ready trainees size or None). Trainee sizes share the
    bundles of openings sizes in order of size (one trainee size: the smallest openings size; two or more: the
    smallest with the smallest, the largest with the largest)."""
    openings, trainees = sorted(set(openings)), sorted(set(trainees))
    pairs: dict[int, int | None] = dict.fromkeys(openings)
    extra: list[int] = []
    if openings and trainees:
        if len(trainees) == 1:
            slots = [0]
        else:
            slots = [round(k * (len(openings) - 1) / (len(trainees) - 1)) for k in range(len(trainees))]
        used: set[int] = set()
        for size, slot in zip(trainees, slots):
            if slot in used:
                extra.append(size)
                continue
            used.add(slot)
            pairs[openings[slot]] = size
    else:
        extra = list(trainees)
    return list(pairs.items()) + [(None, t) for t in extra]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--openings", type=int, nargs="*", default=None,
                        help="open openings per programme for /matches (default 1000 10000 100000)")
    parser.add_argument("--trainees", type=int, nargs="*", default=None,
                        help="job-ready trainees per programme for /candidates (default 10000 100000)")
    parser.add_argument("--quick", action="store_true", help="openings 1000 10000 and trainees 10000 only")
    parser.add_argument("--queries", type=int, default=200, help="trainees asked for /matches")
    parser.add_argument("--candidate-queries", type=int, default=100, help="openings asked for /candidates")
    parser.add_argument("--naive-pairs", type=int, default=300_000,
                        help="pairs the naive way scores per row of the table (at least 5 queries)")
    parser.add_argument("--warmup", type=int, default=20, help="requests sent first and not counted")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    openings = args.openings if args.openings is not None else ([1_000, 10_000] if args.quick
                                                                 else [1_000, 10_000, 100_000])
    trainees = args.trainees if args.trainees is not None else ([10_000] if args.quick else [10_000, 100_000])

    begun = time.perf_counter()
    load_start = os.getloadavg()[0]
    rows: list[Row] = []
    setup: list[str] = []
    for n_open, n_ready in plan(openings, trainees):
        generated_trainees = max(MIN_TRAINEES, math.ceil((n_ready or 0) / JOB_READY_SHARE))
        generated_openings = n_open or OPENINGS_FOR_TRAINEES
        print(f"programme: {generated_openings:,} open openings, {generated_trainees:,} trainees ...", flush=True)
        with tempfile.TemporaryDirectory(prefix="jobmatch-bench-") as folder, \
                served_programme(Path(folder), seed=args.seed, trainees=generated_trainees,
                                 openings=generated_openings) as served:
            t = served.timings
            setup.append(f"{generated_openings:>9,} openings {generated_trainees:>9,} trainees: generated "
                         f"{t['generate_s']:.1f} s, imported {t['import_s']:.1f} s, server ready {t['start_s']:.1f} s")
            print("  " + setup[-1].strip(), flush=True)
            from sqlmodel import Session

            from service.core.db import make_engine
            from service.matches import loader
            engine = make_engine(served.database_url)
            with Session(engine) as session:
                ready = loader.trainee_records(session)
                open_records = loader.opening_records(session)
                employers = loader.employer_vetting(session)
            engine.dispose()
            rng = np.random.default_rng(args.seed)
            if n_open is not None:
                ids = pick_trainees(ready, args.queries, rng)
                rows.append(measure(served, kind="matches", ids=ids, naive_budget=args.naive_pairs,
                                    warmup=args.warmup))
                print(f"  /matches: p50 {rows[-1].p50:.2f} ms, p99 {rows[-1].p99:.2f} ms", flush=True)
            if n_ready is not None:
                ids = pick_openings(open_records, employers, args.candidate_queries, rng)
                rows.append(measure(served, kind="candidates", ids=ids, naive_budget=args.naive_pairs,
                                    warmup=args.warmup))
                print(f"  /candidates: p50 {rows[-1].p50:.2f} ms, p99 {rows[-1].p99:.2f} ms", flush=True)
            del ready, open_records, employers

    print()
    print(f"Match latency over HTTP (loopback, one worker, SQLite, sequential keep-alive requests, "
          f"as of {AS_OF.isoformat()}, seed {args.seed})")
    header = (f"{'endpoint':<34}{'rows':>18}{'queries':>8}{'p50 ms':>8}{'p99 ms':>8}{'read ms':>9}"
              f"{'naive p50 ms':>13}{'of it SQL':>10}{'naive runs':>11}{'ratio':>7}{'same top':>9}")
    print(header)
    print("-" * len(header))
    rows.sort(key=lambda r: (r.what != "openings", r.rows))
    for row in rows:
        print(f"{row.endpoint:<34}{f'{row.rows:,} {row.what}':>18}{row.queries:>8}{row.p50:>8.2f}{row.p99:>8.2f}"
              f"{row.record_p50:>9.2f}{row.naive_p50:>13.1f}{row.naive_load_p50:>10.1f}{row.naive_runs:>11}"
              f"{row.ratio:>6.0f}x{f'{row.naive_same}/{row.naive_runs}':>9}")
    print()
    print("rows: open openings (/matches) or job-ready trainees (/candidates) in the index. read ms: p50 of a plain")
    print("record read (GET /v1/trainees/{id} or /v1/openings/{id}) for the same ids on the same connection, the")
    print("fixed cost of a request. naive p50: reading the rows with SQL and scoring every pair in Python")
    print("(matching/testing/naive.py), per query; 'of it SQL' is the reading. ratio: naive p50 / HTTP p50.")
    print("same top: naive answers identical to the HTTP answer (ids and order).")
    print(f"load average (1 min) at the start {load_start:.2f}, at the end {os.getloadavg()[0]:.2f}, "
          f"on {os.cpu_count()} CPUs: other work on the machine shows in the figures.")
    print()
    print(f"floors: /matches p50 <= {FLOOR_P50_MS:.0f} ms and p99 <= {FLOOR_P99_MS:.0f} ms at 100k openings; "
          f">= {FLOOR_RATIO:.0f}x the naive way (/candidates at 1M trainees: benchmarks/candidates_at_scale.py).")
    big = [r for r in rows if r.what == "openings" and r.rows >= 100_000]
    for r in big:
        met = r.p50 <= FLOOR_P50_MS and r.p99 <= FLOOR_P99_MS
        print(f"  /matches at {r.rows:,} openings: p50 {r.p50:.2f} ms, p99 {r.p99:.2f} ms -> {'✓' if met else '✗'}")
    for r in rows:
        print(f"  {r.endpoint} at {r.rows:,} {r.what}: {r.ratio:.0f}x the naive way -> "
              f"{'✓' if r.ratio >= FLOOR_RATIO else '✗'}")
    print(f"uptime: {uptime()}")
    print()
    print("setup:")
    for line in setup:
        print("  " + line)
    print(f"total {time.perf_counter() - begun:.0f} s")


if __name__ == "__main__":
    main()
