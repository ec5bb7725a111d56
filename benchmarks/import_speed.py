"""Import speed: generate a large bundle, import it into a fresh database and print the time (checking and
writing), the peak memory and a re-import; then load the same final rows into the same tables of another fresh
database with no checks (COPY on PostgreSQL, executemany on SQLite) and print how many times slower the import
was than that bare load. The floors are printed beside the figures.

    python benchmarks/import_speed.py [--trainees 100000] [--openings 20000] [--postgres URL]

The PostgreSQL run creates and drops its own databases on the server the URL names."""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FLOORS = {"sqlite": 30.0, "postgresql": 45.0}  # seconds, for 100k trainees + 20k openings
MAX_RATIO = 10.0  # the import against a bare load of the same rows, in the same run


class Stages:
    """When each stage of the import began (counting, checking, writing)."""

    def __init__(self) -> None:
        self.began: dict[str, float] = {}

    def start(self, stage: str, total: int) -> None:
        self.began[stage.split(" (")[0]] = time.perf_counter()

    def advance(self, units: int = 1) -> None:
        pass


def run_measure(url: str, bare_url: str, bundle: Path) -> dict[str, Any]:
    """The import, a re-import and the bare load, in this process (run in a fresh one: its peak memory is its own)."""
    from sqlalchemy import select
    from sqlmodel import Session

    from service.core import bulk
    from service.core.db import make_engine, table_of
    from service.core.migrate import upgrade
    from service.core.reference import load_reference
    from service.imports.files import BUNDLE_FILES
    from service.imports.service import import_bundle
    from service.records.unit_of_work import unit_of_work

    upgrade(url)
    engine = make_engine(url)
    reference = load_reference(REPO / "data", "west_bengal")
    stages = Stages()
    started = time.perf_counter()
    report = import_bundle(engine=engine, reference=reference, path=bundle, progress=stages)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    again_started = time.perf_counter()
    again = import_bundle(engine=engine, reference=reference, path=bundle)
    reimport_seconds = time.perf_counter() - again_started

    # The bare load: the rows as the import stored them, into the same tables of a fresh database in one
    # transaction; no checks, no change log, no audit. What the database itself needs for these rows.
    upgrade(bare_url)
    bare_seconds = 0.0
    with unit_of_work(make_engine(bare_url)) as bare:
        for spec in BUNDLE_FILES:
            table = table_of(spec.resource.table)
            with Session(engine) as source:
                rows = [{name: value for name, value in row.items() if name != "id"}
                        for row in source.execute(select(table)).mappings()]
            loading = time.perf_counter()
            bulk.insert_rows(bare, table, rows)
            bare_seconds += time.perf_counter() - loading
            del rows
        committing = time.perf_counter()
    bare_seconds += time.perf_counter() - committing
    return {"seconds": seconds, "rows": report.rows,
            "check_seconds": stages.began["writing rows"] - stages.began["checking rows"],
            "write_seconds": started + seconds - stages.began["writing rows"],
            "reimport_seconds": reimport_seconds,
            "reimport_unchanged": all(c.unchanged == c.rows for c in again.files.values()),
            "bare_seconds": bare_seconds, "peak_rss_mb": peak / 1024}


def measure(url: str, bare_url: str, bundle: Path) -> dict[str, Any]:
    result = subprocess.run([sys.executable, __file__, "--measure", url, bare_url, str(bundle)],
                            capture_output=True, text=True, cwd=REPO, check=False)
    if result.returncode != 0:
        raise SystemExit(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trainees", type=int, default=100_000)
    parser.add_argument("--openings", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--postgres", default=None, help="admin URL of a PostgreSQL server to measure too")
    parser.add_argument("--measure", nargs=3, metavar=("URL", "BARE_URL", "BUNDLE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        url, bare_url, bundle_path = args.measure
        print(json.dumps(run_measure(url, bare_url, Path(bundle_path))))
        return

    from demo.generator import generate_bundle
    with tempfile.TemporaryDirectory(prefix="jobmatch-bench-") as folder:
        bundle = Path(folder) / "bundle"
        started = time.perf_counter()
        counts = generate_bundle(bundle, seed=args.seed, trainees=args.trainees, openings=args.openings)
        generated = time.perf_counter() - started
        size_mb = sum(p.stat().st_size for p in bundle.glob("*.csv")) / 1e6
        print(f"bundle: {', '.join(f'{k} {v}' for k, v in counts.items())}")
        print(f"bundle size {size_mb:.1f} MB on disk, generated in {generated:.1f} s")
        rows = [("sqlite", measure(f"sqlite:///{Path(folder) / 'bench.db'}", f"sqlite:///{Path(folder) / 'bare.db'}",
                                   bundle))]
        if args.postgres:
            from sqlalchemy import create_engine, text
            from sqlalchemy.engine import make_url
            admin = create_engine(make_url(args.postgres), isolation_level="AUTOCOMMIT")
            names = [f"jobmatch_bench_{uuid.uuid4().hex[:8]}" for _ in range(2)]  # the import's, the bare load's
            with admin.connect() as connection:
                for name in names:
                    connection.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                url, bare_url = (make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
                                 for name in names)
                rows.append(("postgresql", measure(url, bare_url, bundle)))
            finally:
                with admin.connect() as connection:
                    for name in names:
                        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        print()
        print(f"{'database':<12}{'rows':>9}{'import s':>10}{'check s':>9}{'write s':>9}{'rows/s':>9}{'bare s':>8}"
              f"{'ratio':>8}{'re-import s':>13}{'unchanged':>11}{'peak MB':>9}")
        for name, figures in rows:
            ratio = figures["seconds"] / figures["bare_seconds"]
            print(f"{name:<12}{figures['rows']:>9}{figures['seconds']:>10.1f}{figures['check_seconds']:>9.1f}"
                  f"{figures['write_seconds']:>9.1f}{figures['rows'] / figures['seconds']:>9.0f}"
                  f"{figures['bare_seconds']:>8.1f}{ratio:>7.1f}x{figures['reimport_seconds']:>13.1f}"
                  f"{str(figures['reimport_unchanged']):>11}{figures['peak_rss_mb']:>9.0f}")
        scale = "100k trainees + 20k openings" if (args.trainees, args.openings) == (100_000, 20_000) else \
            "stated for 100k trainees + 20k openings; this run is another size"
        print(f"\nfloors ({scale}):")
        for name, figures in rows:
            ratio = figures["seconds"] / figures["bare_seconds"]
            print(f"  {name:<11} import {figures['seconds']:5.1f} s <= {FLOORS[name]:.0f} s "
                  f"{mark(figures['seconds'] <= FLOORS[name])}   {ratio:4.1f}x a bare load <= {MAX_RATIO:.0f}x "
                  f"{mark(ratio <= MAX_RATIO)}   re-import changes nothing {mark(figures['reimport_unchanged'])}")
        print(f"  memory: peak {max(figures['peak_rss_mb'] for _, figures in rows):.0f} MB for a {size_mb:.0f} MB "
              "bundle (rows stream in chunks)")


if __name__ == "__main__":
    main()
