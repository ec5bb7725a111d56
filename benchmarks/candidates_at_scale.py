"""Candidate lists at a million job-ready trainees, in-process: one opening against every trainee, the rows
selected from the candidate lists (``matching.selection``) against the full scan of every row.

    python benchmarks/candidates_at_scale.py [--trainees 1000000] [--queries 100] [--full-scans 5] [--seed 11]

Serving a million trainees over HTTP would mean generating and importing two million records first, so this runs
in the process, on the engine the /candidates route calls, with the route's per-request work (key check, reading
the shown records, the audit entry) left out. The trainee table is synthesised: ``--base`` synthetic job-ready
trainees (``matching_engine.synthetic_trainees``) repeated, each copy moved a little, until there are
``--trainees``. Queries are random synthetic openings passing their own checks (open, vetted employer, legal wage).
Each full scan's answer is compared with the selected one (same ids, order, scores and allowed rows). Prints a
table; not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from matching_engine import AS_OF, synthetic_employers, synthetic_openings, synthetic_trainees

from matching.engine import MatchEngine
from matching.features import PairContext
from matching.reference import default_data_dir, load_site, load_taxonomy
from matching.safety import evaluate_rules
from matching.selection import prepare
from matching.tables import OpeningTable, TraineeTable

FLOOR_P50_MS = 100.0


def repeated(table: TraineeTable, n: int, rng: np.random.Generator) -> TraineeTable:
    """``n`` rows: copies of the table's rows, each copy with new ids and moved up to about 3 km."""
    rows = np.resize(np.arange(len(table)), n)
    copy = np.repeat(np.arange(-(-n // len(table))), len(table))[:n]
    big = table.subset(rows)
    ids = np.empty(n, dtype=object)
    ids[:] = [f"{e}-{c}" for e, c in zip(big.external_id.tolist(), copy.tolist(), strict=True)]
    move = rng.normal(0, 0.015, (n, 2)) * (copy > 0)[:, None]
    return dataclasses.replace(big, external_id=ids, lat=big.lat + move[:, 0], lon=big.lon + move[:, 1],
                               confirmed_journeys=np.full(n, None, dtype=object))


def percentiles(seconds: list[float]) -> tuple[float, float]:
    ms = np.asarray(seconds) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trainees", type=int, default=1_000_000)
    parser.add_argument("--base", type=int, default=50_000, help="distinct synthetic trainees repeated")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--full-scans", type=int, default=5, help="queries also answered by the full scan")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    load_start = os.getloadavg()[0]
    taxonomy = load_taxonomy(default_data_dir() / "taxonomy.json")
    site = load_site(default_data_dir() / "sites" / "west_bengal")
    rng = np.random.default_rng(args.seed)
    employers = synthetic_employers(2_000, rng)
    engine = MatchEngine(taxonomy=taxonomy, site=site)

    started = time.perf_counter()
    records = [dict(r, status="job_ready", available_from=None)
               for r in synthetic_trainees(min(args.base, args.trainees), taxonomy, site, employers, rng)]
    base = TraineeTable.from_records(records, taxonomy=taxonomy, site=site)
    trainees = repeated(base, args.trainees, rng)
    del records, base
    built_s = time.perf_counter() - started
    started = time.perf_counter()
    prepare(trainees)
    lists_s = time.perf_counter() - started

    opening_records = synthetic_openings(2_000, taxonomy, site, employers, rng)
    openings = OpeningTable.from_records(opening_records, employers=employers, taxonomy=taxonomy, site=site)
    own_rules = [rule for rule in engine.rules if getattr(rule, "scope", "pair") == "opening"]
    checks = evaluate_rules(PairContext.for_trainee(trainees, 0, openings, as_of=AS_OF, site=site), own_rules)
    open_rows = np.flatnonzero(~checks.any(axis=1))
    queries = [int(q) for q in rng.choice(open_rows, size=min(args.queries, open_rows.size), replace=False)]

    engine.rank_trainees_and_allowed(openings, queries[0], trainees, as_of=AS_OF, limit=20)  # the per-day caches
    seconds, allowed = [], []
    for q in queries:
        started = time.perf_counter()
        _, rows = engine.rank_trainees_and_allowed(openings, q, trainees, as_of=AS_OF, limit=20)
        seconds.append(time.perf_counter() - started)
        allowed.append(rows.size)
    p50, p99 = percentiles(seconds)
    full_seconds, same = [], 0
    for q in queries[:args.full_scans]:
        started = time.perf_counter()
        full = engine.rank_trainees_and_allowed(openings, q, trainees, as_of=AS_OF, limit=20, full_scan=True)
        full_seconds.append(time.perf_counter() - started)
        selected = engine.rank_trainees_and_allowed(openings, q, trainees, as_of=AS_OF, limit=20)
        same += ([(m.external_id, m.score) for m in full[0]] == [(m.external_id, m.score) for m in selected[0]]
                 and np.array_equal(np.sort(full[1]), np.sort(selected[1])))
    full_p50, _ = percentiles(full_seconds)
    nnz = trainees.skills.nnz if sp.issparse(trainees.skills) else 0

    print(f"Candidates for one opening among {len(trainees):,} job-ready trainees, in-process (engine only, no HTTP;"
          f" as of {AS_OF}, limit 20, seed {args.seed})")
    print(f"  table synthesised in {built_s:.1f} s ({nnz:,} skill entries); candidate lists built in {lists_s:.1f} s")
    print(f"  selected rows: p50 {p50:.1f} ms, p99 {p99:.1f} ms over {len(queries)} openings "
          f"(allowed per opening: median {int(np.median(allowed)):,})")
    print(f"  full scan: p50 {full_p50:.1f} ms over {len(full_seconds)} openings -> {full_p50 / p50:.0f}x; "
          f"identical answers {same}/{len(full_seconds)}")
    print(f"  floor: /candidates at 1M job-ready trainees p50 <= {FLOOR_P50_MS:.0f} ms -> "
          f"{'✓' if p50 <= FLOOR_P50_MS and len(trainees) >= 1_000_000 else '✗'} (in-process)")
    print(f"  load average (1 min) at the start {load_start:.2f}, at the end {os.getloadavg()[0]:.2f}, "
          f"on {os.cpu_count()} CPUs")
    print(f"  uptime: {subprocess.run(['uptime'], capture_output=True, text=True, check=False).stdout.strip()}")


if __name__ == "__main__":
    main()
