"""Server CPU per request: what one `GET /v1/trainees/{id}/matches`, one `GET /healthz` and one list route cost the
server process, in CPU milliseconds (robust to other work on the machine, unlike wall time).

Creates a fresh PostgreSQL database (`--database`, dropped afterwards unless `--keep`), loads the demo programme with
`jobmatch setup`, serves it with one worker on loopback (a rate limit high enough for the run, for that server only),
warms every route up, then per route sends `--requests` sequential requests (matches: over random job-ready trainees,
admin key) and reads the server process's user + system CPU time (`/proc/<pid>/stat`, Linux) before and after.
The client's own CPU is not counted. Prints a table: CPU ms per request and wall ms per request per route.

    .venv/bin/python benchmarks/request_cpu.py [--requests 2000] [--postgres URL] [--database NAME] [--keep]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import DEFAULT_URL, create_database, drop_database, listing, start_demo_server, stop

REPO = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime and stime: fields 14 and 15 of stat(5)


def measure(client: httpx.Client, pid: int, paths: list[str]) -> tuple[float, float]:
    """CPU ms and wall ms per request of the server over these requests, sent one after another."""
    cpu, wall = cpu_seconds(pid), time.perf_counter()
    for path in paths:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}: {response.text[:300]}")
    return ((cpu_seconds(pid) - cpu) / len(paths) * 1000, (time.perf_counter() - wall) / len(paths) * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default=os.environ.get("JOBMATCH_BENCH_DATABASE_URL", DEFAULT_URL),
                        help="PostgreSQL URL whose server gets the benchmark's own database")
    parser.add_argument("--database", default="jobmatch_bench_request_cpu", help="the database it (re)creates")
    parser.add_argument("--keep", action="store_true", help="leave the database in place afterwards")
    parser.add_argument("--requests", type=int, default=2000, help="requests per route")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    url = create_database(args.postgres, args.database)
    try:
        with tempfile.TemporaryDirectory(prefix="jobmatch-request-cpu-") as folder:
            print(f"loading data/demo into {args.database} ...", flush=True)
            process, base, key = start_demo_server(url, Path(folder), workers=1)
            try:
                with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
                    trainees = [t["external_id"] for t in listing(client, "/v1/trainees?status=job_ready")]
                    rng = random.Random(args.seed)
                    routes = {
                        "GET /v1/trainees/{id}/matches": [f"/v1/trainees/{rng.choice(trainees)}/matches"
                                                          for _ in range(args.requests)],
                        "GET /healthz": ["/healthz"] * args.requests,
                        "GET /v1/openings?limit=10": ["/v1/openings?limit=10"] * args.requests,
                    }
                    for paths in routes.values():  # the index built, every code path warm, before counting
                        measure(client, process.pid, paths[:50])
                    print(f"{len(trainees)} job-ready trainees; {args.requests} sequential requests per route, "
                          f"1 worker, admin key", flush=True)
                    print(f"{'route':<34} {'CPU ms/request':>15} {'wall ms/request':>16}")
                    for route, paths in routes.items():
                        cpu, wall = measure(client, process.pid, paths)
                        print(f"{route:<34} {cpu:>15.2f} {wall:>16.2f}", flush=True)
            finally:
                stop(process)
    finally:
        if not args.keep:
            drop_database(args.postgres, args.database)


if __name__ == "__main__":
    main()
