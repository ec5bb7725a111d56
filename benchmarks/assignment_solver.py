"""Nightly assignment: exact min-cost flow against the greedy baseline, on instances shaped like the nightly run.

    python benchmarks/assignment_solver.py [--sizes 10000x2000 100000x20000] [--k 50] [--seed 11]
                                           [--max-capacity 5]

Each instance: ``n`` trainees and ``m`` openings; every trainee keeps ``K``
candidate openings (drawn with a skew towards popular openings, so places are
contested), scores ~ Beta(2, 5) nudged by an opening quality term and clipped
to (0, 1], capacities uniform in 1..5 (``--max-capacity``). Every (instance, method) runs in its own
child process, so the peak resident memory (``resource.getrusage``) belongs to
that one run: the table shows the process peak and "+MB", the peak minus the
resident memory just before the call (instance already built), i.e. what the
solver itself needed. Prints a table; not a test.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from matching.assignment import greedy_assignment, solve_assignment


def instance(n: int, m: int, k: int, seed: int, max_capacity: int = 5
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Aligned pair arrays (sorted by trainee, then opening; unique) and per-opening capacities."""
    rng = np.random.default_rng(seed)
    popularity = rng.lognormal(0.0, 1.0, m)
    cdf = np.cumsum(popularity / popularity.sum())
    opening = np.searchsorted(cdf, rng.random(n * k), side="right").clip(0, m - 1).astype(np.int64)
    trainee = np.repeat(np.arange(n, dtype=np.int64), k)
    key = np.unique(trainee * m + opening)  # drops repeated draws; sorted
    trainee, opening = key // m, key % m
    quality = rng.normal(0.0, 0.05, m)
    score = np.clip(rng.beta(2.0, 5.0, key.size) + quality[opening], 1e-4, 1.0)
    capacity = rng.integers(1, max_capacity + 1, m)
    return trainee, opening, score, capacity


def _maxrss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 / 1024 if sys.platform == "darwin" else rss / 1024


def _current_rss_mb() -> float:
    """Resident memory now (Linux /proc); elsewhere the peak so far, which makes "+MB" a lower bound."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return _maxrss_mb()


def worker(n: int, m: int, k: int, seed: int, max_capacity: int, method: str) -> dict:
    t, o, s, c = instance(n, m, k, seed, max_capacity)
    before = _current_rss_mb()
    start = time.perf_counter()
    result = solve_assignment(t, o, s, c, n_trainees=n) if method == "exact" else greedy_assignment(t, o, s, c)
    seconds = time.perf_counter() - start
    peak = _maxrss_mb()
    return {"pairs": int(t.size), "seconds": seconds, "peak_mb": peak, "extra_mb": peak - before,
            "objective": result.objective, "assigned": result.size, "solver": result.solver}


def run(n: int, m: int, k: int, seed: int, max_capacity: int, method: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", f"{n}x{m}", "--k", str(k), "--seed", str(seed),
                          "--max-capacity", str(max_capacity), "--method", method],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=["10000x2000", "100000x20000"],
                        help="instances as TRAINEESxOPENINGS")
    parser.add_argument("--k", type=int, default=50, help="candidate openings kept per trainee")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--max-capacity", type=int, default=5, help="capacities are uniform in 1..this")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--method", choices=["exact", "greedy"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        n, m = (int(x) for x in args.worker.split("x"))
        print(json.dumps(worker(n, m, args.k, args.seed, args.max_capacity, args.method)))
        return

    header = ("trainees", "openings", "pairs", "method", "seconds", "peak MB", "+MB", "assigned", "objective",
              "greedy/exact")
    rows = []
    for size in args.sizes:
        n, m = (int(x) for x in size.split("x"))
        exact = run(n, m, args.k, args.seed, args.max_capacity, "exact")
        greedy = run(n, m, args.k, args.seed, args.max_capacity, "greedy")
        ratio = greedy["objective"] / exact["objective"] if exact["objective"] else float("nan")
        for name, r in ((exact["solver"], exact), ("greedy", greedy)):
            rows.append((f"{n:,}", f"{m:,}", f"{r['pairs']:,}", name, f"{r['seconds']:.2f}", f"{r['peak_mb']:.0f}",
                         f"{r['extra_mb']:.0f}", f"{r['assigned']:,}", f"{r['objective']:.2f}",
                         f"{ratio:.4f}" if name == "greedy" else ""))
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    print(" | ".join(h.rjust(w) for h, w in zip(header, widths)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(v.rjust(w) for v, w in zip(row, widths)))


if __name__ == "__main__":
    main()
