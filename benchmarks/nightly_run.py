"""The nightly run: speed at scale, and how good its proposals are against the demo generator's hidden truth.

    python benchmarks/nightly_run.py --scale 10000x2000 --scale 100000x20000   # wall time, peak memory
    python benchmarks/nightly_run.py --quality                                  # objective ratios vs the truth

Scale: each size is generated, imported into a fresh SQLite database, then `jobmatch nightly` runs in its own
process (its wall time and peak memory are the run's, not the import's). Quality: on a generated bundle, the
expected number of placements still lasting at 12 months under the TRUE model, for (1) the run's proposals,
(a) a greedy assignment on the same scores, and (b) the exact assignment on the true probabilities (the oracle)."""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
AS_OF = datetime.date(2026, 11, 1)


def prepare(folder: Path, trainees: int, openings: int, seed: int) -> str:
    from demo.generator import generate_bundle
    from service.core.db import make_engine
    from service.core.migrate import upgrade
    from service.core.reference import load_reference
    from service.imports.service import import_bundle
    bundle = folder / "bundle"
    generate_bundle(bundle, seed=seed, trainees=trainees, openings=openings)
    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    import_bundle(engine=make_engine(url), reference=load_reference(REPO / "data", "west_bengal"), path=bundle)
    return url


def timed_run(url: str, engine: str, export: Path) -> dict:
    env = {**os.environ, "JOBMATCH_DATABASE_URL": url, "JOBMATCH_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "service", "nightly", "--as-of", AS_OF.isoformat(), "--engine", engine,
               "--export", str(export)]
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(result.stderr[-3000:])
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    from sqlalchemy import create_engine, text
    with create_engine(url).connect() as connection:
        row = connection.execute(text("SELECT counts, objective, greedy_objective FROM match_run "
                                      "WHERE status = 'complete' ORDER BY id DESC LIMIT 1")).one()
    counts = json.loads(row[0]) if isinstance(row[0], str) else row[0]
    return {"seconds": seconds, "peak_mb": peak, "objective": row[1], "greedy": row[2], **counts}


def scale(sizes: list[str], engines: list[str]) -> None:
    print(f"{'trainees x openings':<22}{'engine':<8}{'job-ready':>10}{'pairs':>11}{'proposals':>10}{'wall s':>8}"
          f"{'peak MB':>9}{'exact':>10}{'greedy':>10}{'greedy/exact':>13}")
    for size in sizes:
        n_trainees, n_openings = (int(x) for x in size.lower().split("x"))
        with tempfile.TemporaryDirectory(prefix="jobmatch-nightly-") as folder:
            url = prepare(Path(folder), n_trainees, n_openings, seed=21)
            for engine in engines:
                f = timed_run(url, engine, Path(folder) / f"out-{engine}")
                print(f"{size:<22}{engine:<8}{f['job_ready_trainees']:>10}{f['candidate_pairs']:>11}"
                      f"{f['proposals']:>10}{f['seconds']:>8.1f}{f['peak_mb']:>9.0f}{f['objective']:>10.1f}"
                      f"{f['greedy']:>10.1f}{f['greedy'] / max(f['objective'], 1e-9):>13.3f}", flush=True)
                print(f"{'':<22}phases: {f.get('timings')}", flush=True)
    print("\nfloors: 100k x 20k in <= 3 min and <= 4 GB (2 cores)")


def quality(trainees: int, openings: int, seed: int) -> None:

    from demo.truth import TruthModel
    from service.core.db import make_engine
    from service.core.reference import load_reference
    with tempfile.TemporaryDirectory(prefix="jobmatch-quality-") as folder:
        url = prepare(Path(folder), trainees, openings, seed)
        bundle = Path(folder) / "bundle"
        truth = TruthModel.load(bundle)
        rows = {name: {r.get("external_id", ""): r for r in csv.DictReader(open(bundle / name, encoding="utf-8"))}
                for name in ("trainees.csv", "openings.csv", "employers.csv")}
        db = make_engine(url)
        reference = load_reference(REPO / "data", "west_bengal")
        for trained in (False, True):
            if trained:
                from service.models_registry.training import train
                train(db=db, reference=reference, as_of=AS_OF)
            _quality_table(db, reference, truth, rows, trainees, openings, seed)


def _quality_table(db, reference, truth, rows, trainees, openings, seed) -> None:
    from sqlmodel import Session

    from matching.assignment import greedy_assignment, solve_assignment
    from service.matches import loader
    from service.models_registry.matcher import build_matcher
    from service.nightly import candidates as candidate_engine
    matcher, versions = build_matcher(db=db, reference=reference)
    with Session(db) as session:
        trainee_table = loader.load_trainees(session, reference)
        opening_table = loader.load_openings(session, reference)
    found, _ = candidate_engine.generate(matcher=matcher, trainees=trainee_table, openings=opening_table,
                                         as_of=AS_OF, k=50, block_size=500, excluded=np.zeros(0, dtype=np.int64))
    t_ids = trainee_table.external_id[found.trainee]
    o_ids = opening_table.external_id[found.opening]
    true_p = np.array([truth.pair_probability_from_rows(
        rows["trainees.csv"][t], rows["openings.csv"][o],
        rows["employers.csv"][rows["openings.csv"][o]["employer_external_id"]])
        for t, o in zip(t_ids.tolist(), o_ids.tolist())])
    capacity = opening_table.positions_left.astype(np.int64)
    index_of = {key: i for i, key in enumerate(zip(found.trainee.tolist(), found.opening.tolist()))}

    def truly(result) -> float:
        return float(sum(true_p[index_of[(t, o)]] for t, o in zip(result.trainee.tolist(), result.opening.tolist())))

    ours = solve_assignment(found.trainee, found.opening, found.score, capacity)
    greedy = greedy_assignment(found.trainee, found.opening, found.score, capacity)
    oracle = solve_assignment(found.trainee, found.opening, true_p, capacity)
    print(f"bundle: {trainees} trainees, {openings} open openings (seed {seed}); score model: "
          f"{versions['outcome']}; {len(found)} candidate pairs, {int(capacity.sum())} positions")
    print(f"{'assignment':<40}{'proposals':>10}{'E[lasting 12 months] (truth)':>30}{'vs oracle':>11}")
    for name, result in (("exact on the run's scores (the run)", ours), ("greedy on the same scores", greedy),
                         ("exact on the true probabilities (oracle)", oracle)):
        value = truly(result)
        print(f"{name:<40}{result.trainee.size:>10}{value:>30.1f}{value / truly(oracle):>11.3f}")
    print(f"run / greedy = {truly(ours) / truly(greedy):.3f}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", action="append", default=[], help="TRAINEESxOPENINGS, e.g. 100000x20000")
    parser.add_argument("--engine", action="append", default=[], help="local and/or dask (default: local)")
    parser.add_argument("--quality", action="store_true")
    parser.add_argument("--quality-trainees", type=int, default=3000)
    parser.add_argument("--quality-openings", type=int, default=600)
    args = parser.parse_args()
    if args.scale:
        scale(args.scale, args.engine or ["local"])
    if args.quality or not args.scale:
        quality(args.quality_trainees, args.quality_openings, seed=31)


if __name__ == "__main__":
    main()
