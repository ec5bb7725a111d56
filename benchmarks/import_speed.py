"""Import speed: generate a large bundle, import it into a fresh database, print time and peak memory.

    python benchmarks/import_speed.py [--trainees 100000] [--openings 20000] [--postgres URL]

The PostgreSQL run creates and drops its own database on the server the URL names."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

MEASURE = """
import json, resource, sys, time
from pathlib import Path
from service.core.db import make_engine
from service.core.migrate import upgrade
from service.imports.service import import_bundle
from service.core.reference import load_reference
url, bundle = sys.argv[1], Path(sys.argv[2])
upgrade(url)
engine = make_engine(url)
reference = load_reference(Path(sys.argv[3]), "west_bengal")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
report = import_bundle(engine=engine, reference=reference, path=bundle)
seconds = time.perf_counter() - started
second_started = time.perf_counter()
again = import_bundle(engine=engine, reference=reference, path=bundle)
print(json.dumps({"seconds": seconds, "rows": sum(c.rows for c in report.files.values()),
                  "reimport_seconds": time.perf_counter() - second_started,
                  "reimport_unchanged": all(c.unchanged == c.rows for c in again.files.values()),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rss_before_import_mb": before / 1024}))
"""


def measure(url: str, bundle: Path) -> dict:
    """Run one import in a fresh process so that its peak memory is its own."""
    import json
    result = subprocess.run([sys.executable, "-c", MEASURE, url, str(bundle), str(REPO / "data")],
                            capture_output=True, text=True, cwd=REPO, check=False)
    if result.returncode != 0:
        raise SystemExit(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trainees", type=int, default=100_000)
    parser.add_argument("--openings", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--postgres", default=None, help="admin URL of a PostgreSQL server to measure too")
    args = parser.parse_args()

    from demo.generator import generate_bundle
    with tempfile.TemporaryDirectory(prefix="jobmatch-bench-") as folder:
        bundle = Path(folder) / "bundle"
        started = time.perf_counter()
        counts = generate_bundle(bundle, seed=args.seed, trainees=args.trainees, openings=args.openings)
        generated = time.perf_counter() - started
        size_mb = sum(p.stat().st_size for p in bundle.glob("*.csv")) / 1e6
        print(f"bundle: {', '.join(f'{k} {v}' for k, v in counts.items())}")
        print(f"bundle size {size_mb:.1f} MB on disk, generated in {generated:.1f} s")
        rows = [("sqlite", measure(f"sqlite:///{Path(folder) / 'bench.db'}", bundle))]
        if args.postgres:
            from sqlalchemy import create_engine, text
            from sqlalchemy.engine import make_url
            admin = create_engine(make_url(args.postgres), isolation_level="AUTOCOMMIT")
            name = f"jobmatch_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
                rows.append(("postgresql", measure(url, bundle)))
            finally:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        print()
        print(f"{'database':<12}{'rows':>10}{'import s':>10}{'rows/s':>10}{'re-import s':>13}{'unchanged':>11}"
              f"{'peak MB':>10}")
        for name, figures in rows:
            rate = figures['rows'] / figures['seconds']
            print(f"{name:<12}{figures['rows']:>10}{figures['seconds']:>10.1f}{rate:>10.0f}"
                  f"{figures['reimport_seconds']:>13.1f}{str(figures['reimport_unchanged']):>11}"
                  f"{figures['peak_rss_mb']:>10.0f}")
        print(f"\nfloors: <= 60 s on SQLite, <= 120 s on PostgreSQL; memory well under 10x the bundle "
              f"({size_mb:.0f} MB)")


if __name__ == "__main__":
    main()
