"""Two sites in one deployment: the nightly run per site and for both at once, wall time and peak memory, and a
check that no proposal crosses a site.

    python benchmarks/two_sites.py [--bengal 100000x20000] [--cambodia 20000x4000] [--postgres URL]

Generates a West Bengal programme and a Cambodia programme with the demo generator, imports both into one fresh
database (SQLite, or a database created and dropped on the PostgreSQL server URL names), then times
`jobmatch nightly --site west_bengal`, `--site cambodia` and `jobmatch nightly` (every served site, one run each),
each in its own process: wall time and that process's peak resident memory. Finally it counts the proposals whose
trainee and opening are of different sites, or whose opening is not of its run's site (both must be 0: neither
site lets women relocate across sites)."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
AS_OF = datetime.date(2026, 11, 1)
SITES = ("west_bengal", "cambodia")

# Runs a command and prints its own children's peak resident memory (kB): the measured process alone.
PEAK = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)")


def size(text: str) -> tuple[int, int]:
    trainees, openings = text.lower().split("x")
    return int(trainees), int(openings)


def prepare(url: str, folder: Path, sizes: dict[str, tuple[int, int]]) -> dict[str, float]:
    """Generate each site's programme and import it; seconds per step."""
    from demo.generator import generate_bundle
    from service.core.db import make_engine
    from service.core.migrate import upgrade
    from service.core.reference import load_reference
    from service.imports.service import import_bundle
    upgrade(url)
    engine = make_engine(url)
    reference = load_reference(REPO / "data", "west_bengal", sites=SITES)
    seconds: dict[str, float] = {}
    for number, (site, (trainees, openings)) in enumerate(sizes.items()):
        bundle = folder / site
        started = time.perf_counter()
        generate_bundle(bundle, seed=11 + number, trainees=trainees, openings=openings, site=site)
        seconds[f"generate {site}"] = time.perf_counter() - started
        started = time.perf_counter()
        import_bundle(engine=engine, reference=reference, path=bundle)
        seconds[f"import {site}"] = time.perf_counter() - started
    engine.dispose()
    return seconds


def timed_nightly(url: str, site: str | None) -> tuple[float, float, str]:
    """One `jobmatch nightly` process: wall seconds, peak memory in MB, its last line of output."""
    env = {**os.environ, "JOBMATCH_DATABASE_URL": url, "JOBMATCH_LOG_LEVEL": "WARNING",
           "JOBMATCH_SITES": ",".join(SITES)}
    command = [sys.executable, "-c", PEAK, sys.executable, "-m", "service", "nightly", "--as-of", AS_OF.isoformat(),
               *(("--site", site) if site else ())]
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(result.stdout[-2000:] + result.stderr[-3000:])
    peak_mb = int(result.stderr.strip().splitlines()[-1]) / 1024
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "proposals for" in line]
    return seconds, peak_mb, " | ".join(line.strip() for line in lines)


def crossings(url: str) -> dict[str, int]:
    """Proposals of the complete runs whose trainee's or opening's site is not the run's."""
    with create_engine(url).connect() as connection:
        row = connection.execute(text(
            "SELECT count(*), "
            "sum(CASE WHEN t.site <> o.site THEN 1 ELSE 0 END), "
            "sum(CASE WHEN o.site <> r.site THEN 1 ELSE 0 END) "
            "FROM proposal p JOIN match_run r ON r.id = p.run_id "
            "JOIN trainee t ON t.external_id = p.trainee_external_id "
            "JOIN opening o ON o.external_id = p.opening_external_id "
            "WHERE r.status = 'complete'")).one()
        per_site = dict(connection.execute(text(
            "SELECT r.site, count(*) FROM proposal p JOIN match_run r ON r.id = p.run_id "
            "WHERE r.status = 'complete' AND p.kind = 'proposal' GROUP BY r.site")).all())
    return {"rows": int(row[0] or 0), "trainee_and_opening_of_different_sites": int(row[1] or 0),
            "opening_not_of_its_runs_site": int(row[2] or 0), **{f"proposals {k}": int(v) for k, v in per_site.items()}}


def measure(url: str, folder: Path, sizes: dict[str, tuple[int, int]]) -> None:
    for step, seconds in prepare(url, folder, sizes).items():
        print(f"  {step:<28} {seconds:7.1f} s", flush=True)
    print(f"  {'nightly':<28} {'wall':>7}   {'peak memory':>11}")
    for site in (*SITES, None):
        seconds, peak_mb, said = timed_nightly(url, site)
        label = f"--site {site}" if site else "both sites at once"
        print(f"  {label:<28} {seconds:7.1f} s {peak_mb:8,.0f} MB", flush=True)
        for line in said.split(" | "):
            print(f"      {line}", flush=True)
    found = crossings(url)
    crossed = found["trainee_and_opening_of_different_sites"] + found["opening_not_of_its_runs_site"]
    print("  proposals crossing a site: " + ("none ✓" if crossed == 0 else f"{crossed} ✗") + "   "
          + json.dumps(found))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bengal", type=size, default=size("100000x20000"), help="West Bengal trainees x openings")
    parser.add_argument("--cambodia", type=size, default=size("20000x4000"), help="Cambodia trainees x openings")
    parser.add_argument("--postgres", help="also on PostgreSQL: a server URL (a database is created and dropped)")
    args = parser.parse_args()
    sizes = {"west_bengal": args.bengal, "cambodia": args.cambodia}
    print(f"two sites: West Bengal {args.bengal[0]:,} trainees x {args.bengal[1]:,} openings, Cambodia "
          f"{args.cambodia[0]:,} x {args.cambodia[1]:,}; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        print("SQLite")
        measure(f"sqlite:///{Path(tmp) / 'two_sites.db'}", Path(tmp), sizes)
    if args.postgres:
        admin_url = make_url(args.postgres)
        name = f"jobmatch_two_sites_{uuid.uuid4().hex[:8]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            with tempfile.TemporaryDirectory() as tmp:
                print("PostgreSQL")
                measure(admin_url.set(database=name).render_as_string(hide_password=False), Path(tmp), sizes)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
