"""What operating the service costs: the metrics and request id per request, reading /metrics, and `jobmatch
backup` / `jobmatch restore` of a SQLite database.

    python benchmarks/operations.py [--requests 2000] [--trainees 20000] [--openings 4000]

On a SQLite database in a temporary folder holding a generated programme (`--trainees` × `--openings`, imported
once): GET /healthz through the whole app (in-process test client) with the request id and metrics
middleware as shipped, then with both replaced by pass-throughs (µs per request, median of 5 rounds); the time to
read /metrics; and `jobmatch backup` and `jobmatch restore --yes` as commands (seconds, MB/s). Prints a table; not
a test.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fastapi.testclient import TestClient

from service.core.config import Settings


def per_request_us(client: TestClient, headers: dict[str, str], count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        client.get("/healthz", headers=headers)
    return (time.perf_counter() - started) / count * 1e6


def command(url: str, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "service", *args], check=True, cwd=REPO, capture_output=True,
                   env={"JOBMATCH_DATABASE_URL": url, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)})
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--trainees", type=int, default=20_000)
    parser.add_argument("--openings", type=int, default=4_000)
    options = parser.parse_args()
    import service.main as main_module
    from demo.generator import generate_bundle
    from service.auth import service as keys
    from service.core.migrate import upgrade
    from service.core.reference import load_reference
    from service.imports.service import import_bundle
    from service.records.unit_of_work import unit_of_work

    folder = Path(tempfile.mkdtemp(prefix="jobmatch-bench-ops-"))
    database = folder / "jobmatch.db"
    url = f"sqlite:///{database}"
    settings = Settings(database_url=url, log_level="WARNING", rate_limit_burst=10**9, rate_limit_per_minute=10**9)
    upgrade(url)
    generate_bundle(folder / "bundle", seed=3, trainees=options.trainees, openings=options.openings,
                    data_dir=settings.data_dir)
    reference = load_reference(settings.data_dir, settings.site, settings.currency)
    from service.core.db import make_engine
    engine = make_engine(url)
    import_bundle(engine=engine, reference=reference, path=folder / "bundle")
    with unit_of_work(engine) as session:
        _, raw = keys.create(session=session, role="admin", name="bench")
    engine.dispose()
    headers = {"Authorization": f"Bearer {raw}"}

    rounds: dict[str, list[float]] = {"as shipped": [], "without request id and metrics": []}
    shipped = (main_module.RequestId, main_module.AccessLog)

    class PassThrough:
        def __init__(self, app, **_: object) -> None:
            self.app = app

        async def __call__(self, scope, receive, send) -> None:
            await self.app(scope, receive, send)

    scrape_ms: list[float] = []
    for _ in range(5):
        for label, (request_id, access_log) in (("as shipped", shipped),
                                                 ("without request id and metrics", (PassThrough, PassThrough))):
            main_module.RequestId, main_module.AccessLog = request_id, access_log
            with TestClient(main_module.create_app(settings)) as client:
                per_request_us(client, headers, 50)  # warm
                rounds[label].append(per_request_us(client, headers, options.requests))
                if label == "as shipped":
                    started = time.perf_counter()
                    client.get("/metrics", headers=headers)
                    scrape_ms.append((time.perf_counter() - started) * 1000)
    main_module.RequestId, main_module.AccessLog = shipped

    size_mb = database.stat().st_size / 1e6
    backup_s = command(url, "backup", str(folder / "copy.db"))
    restore_s = command(url, "restore", "--yes", str(folder / "copy.db"))
    shipped_us = statistics.median(rounds["as shipped"])
    bare_us = statistics.median(rounds["without request id and metrics"])
    print(f"SQLite programme: {options.trainees:,} trainees × {options.openings:,} openings, {size_mb:,.1f} MB")
    print(f"{'measure':<52}{'value':>14}")
    print(f"{'GET /healthz, as shipped (µs/request)':<52}{shipped_us:>14,.0f}")
    print(f"{'  without request id and metrics (µs/request)':<52}{bare_us:>14,.0f}")
    print(f"{'  difference (µs/request)':<52}{shipped_us - bare_us:>14,.0f}")
    print(f"{'GET /metrics (ms, median of 5)':<52}{statistics.median(scrape_ms):>14,.1f}")
    print(f"{'jobmatch backup (s, command included)':<52}{backup_s:>14,.2f}")
    print(f"{'jobmatch restore --yes (s, command included)':<52}{restore_s:>14,.2f}")
    print(f"{'backup throughput (MB/s)':<52}{size_mb / backup_s:>14,.0f}")


if __name__ == "__main__":
    main()
