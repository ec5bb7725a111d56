"""Fair nightly runs: what the group floors cost and what they give, on the demo generator's hidden truth.

    python benchmarks/fairness.py [--trainees 20000 --openings 4000] [--truth additive --truth interactions]
                                  [--by partner_org --by district] [--solver-scale 100000x20000]

For each truth (``generate_bundle(truth=...)``: the default additive one and the differently shaped
``interactions`` one) a programme is generated and imported into SQLite; the nightly's candidates are scored by
the service's matcher, and the hidden truth of every candidate pair is read from the bundle's rows
(``demo/pair_truth.py``). Then the exact assignment is solved unconstrained, and with each fairness mode on each
``--by`` dimension. Printed per line: proposals, expected placements lasting 12 months on the TRUTH (and on the
model's scores, what the run optimises), the price of fairness in % of the unconstrained truth, the worst group's
share of its job-ready women proposed for every dimension (groups of 10 women or more, as in the report), and the
solve time. ``--solver-scale`` also times the fair solver alone on a synthetic candidate set of that size (the
nightly's shape: K = 50 pairs per woman, places contested; five groups of unequal size and scores).
"""

from __future__ import annotations

import argparse
import datetime
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
AS_OF = datetime.date(2026, 11, 1)
DIMENSIONS = ("partner_org", "district", "training_track", "has_dependents")


def programme(folder: Path, *, trainees: int, openings: int, seed: int, truth: str):
    """Generate and import a programme; its candidates, their true retention, and the women's group labels."""
    from sqlmodel import Session

    from demo.generator import generate_bundle
    from demo.pair_truth import truth_probabilities
    from demo.truth import TruthModel
    from service.core.db import make_engine
    from service.core.migrate import upgrade
    from service.core.reference import load_reference
    from service.imports.service import import_bundle
    from service.matches import loader
    from service.models_registry.matcher import build_matcher
    from service.nightly import candidates as candidate_engine
    from service.nightly.fairness import group_labels

    bundle = folder / "bundle"
    generate_bundle(bundle, seed=seed, trainees=trainees, openings=openings, reference_date=AS_OF, truth=truth)
    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    db = make_engine(url)
    reference = load_reference(REPO / "data", "west_bengal")
    import_bundle(engine=db, reference=reference, path=bundle)
    matcher, _ = build_matcher(db=db, reference=reference)
    with Session(db) as session:
        records = loader.trainee_records(session)
        trainee_table = loader.trainee_table(reference, records)
        opening_table = loader.load_openings(session, reference)
    found, _ = candidate_engine.generate(matcher=matcher, trainees=trainee_table, openings=opening_table,
                                         as_of=AS_OF, k=50, block_size=500, excluded=np.zeros(0, dtype=np.int64))
    true_p = truth_probabilities(TruthModel.load(bundle), bundle, trainee_table.external_id[found.trainee].tolist(),
                                 opening_table.external_id[found.opening].tolist())
    labels = group_labels(records)
    return found, true_p, opening_table.positions_left.astype(np.int64), labels, len(trainee_table)


def measure(found, true_p, capacity, labels, n, dimensions: list[str]) -> None:
    from matching.assignment import solve_assignment
    from matching.fair_assignment import solve_fair_assignment, worst_share

    truth_of = dict(zip(zip(found.trainee.tolist(), found.opening.tolist()), true_p.tolist()))
    ready = np.ones(n, bool)

    def line(name: str, result, seconds: float, base: float | None, note: str = "") -> float:
        truly = float(sum(truth_of[(t, o)] for t, o in zip(result.trainee.tolist(), result.opening.tolist())))
        proposed = np.zeros(n, bool)
        proposed[result.trainee] = True
        worst = []
        for dimension in DIMENSIONS:
            found_worst = worst_share(proposed, labels[dimension], ready, at_least=10)
            worst.append(f"{found_worst[1]:.3f}" if found_worst else "-")
        price = "" if base is None else f"{100 * (base - truly) / base:.2f}"
        print(f"{name:<28}{result.size:>9}{truly:>10.1f}{result.objective:>10.1f}{price:>8}"
              + "".join(f"{w:>12}" for w in worst) + f"{seconds:>8.1f}  {note}", flush=True)
        return truly

    print(f"{'assignment':<28}{'props':>9}{'E truth':>10}{'E model':>10}{'price%':>8}"
          + "".join(f"{'w.' + d[:10]:>12}" for d in DIMENSIONS) + f"{'solve s':>8}")
    started = time.perf_counter()
    plain = solve_assignment(found.trainee, found.opening, found.score, capacity, n_trainees=n)
    base = line("unconstrained", plain, time.perf_counter() - started, None)
    for dimension in dimensions:
        for mode in ("proportional", "maxmin"):
            fair = solve_fair_assignment(found.trainee, found.opening, found.score, capacity, mode=mode,
                                         groups={dimension: labels[dimension]}, unconstrained=plain)
            note = f"relaxed={fair.relaxed} gap={fair.gap:.4f}"
            if fair.best_worst_share is not None:
                note += f" t*={fair.best_worst_share:.3f}"
            line(f"{mode} by {dimension}", fair.result, fair.seconds, base, note)


def solver_scale(size: str, seed: int = 11) -> None:
    """The fair solver alone at the nightly's largest size, on synthetic candidates with unequal groups."""
    from matching.assignment import solve_assignment
    from matching.fair_assignment import solve_fair_assignment
    n, m = (int(x) for x in size.lower().split("x"))
    rng = np.random.default_rng(seed)
    popularity = rng.lognormal(0.0, 1.0, m)
    cdf = np.cumsum(popularity / popularity.sum())
    opening = np.searchsorted(cdf, rng.random(n * 50), side="right").clip(0, m - 1).astype(np.int64)
    key = np.unique(np.repeat(np.arange(n, dtype=np.int64), 50) * m + opening)
    trainee, opening = key // m, key % m
    group = rng.choice(5, n, p=[0.4, 0.25, 0.15, 0.12, 0.08])
    score = np.clip(rng.beta(2.0, 5.0, key.size) + 0.04 * (2 - group[trainee]), 1e-4, 1.0)
    capacity = rng.integers(1, 6, m)
    labels = np.array([f"group-{g}" for g in range(5)], dtype=object)[group]
    started = time.perf_counter()
    plain = solve_assignment(trainee, opening, score, capacity, n_trainees=n)
    print(f"\nsolver alone, {n} x {m}, {key.size} pairs: unconstrained {time.perf_counter() - started:.1f} s, "
          f"{plain.size} proposals, E {plain.objective:.1f}", flush=True)
    for mode in ("proportional", "maxmin"):
        fair = solve_fair_assignment(trainee, opening, score, capacity, mode=mode, groups={"group": labels},
                                     unconstrained=plain)
        print(f"  {mode:<13} {fair.seconds:6.1f} s  E {fair.result.objective:.1f}  price "
              f"{100 * fair.price / plain.objective:.2f} %  relaxed={fair.relaxed}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trainees", type=int, default=20_000)
    parser.add_argument("--openings", type=int, default=4_000)
    parser.add_argument("--seed", type=int, default=41)
    parser.add_argument("--truth", action="append", default=[], help="additive and/or interactions (default both)")
    parser.add_argument("--by", action="append", default=[], help="dimension(s) to constrain (default "
                                                                     "partner_org and district)")
    parser.add_argument("--solver-scale", action="append", default=[], help="TRAINEESxOPENINGS, e.g. 100000x20000")
    args = parser.parse_args()
    for truth in args.truth or ["additive", "interactions"]:
        with tempfile.TemporaryDirectory(prefix="jobmatch-fairness-") as folder:
            started = time.perf_counter()
            found, true_p, capacity, labels, n = programme(Path(folder), trainees=args.trainees,
                                                           openings=args.openings, seed=args.seed, truth=truth)
            print(f"\ntruth {truth}: {n} job-ready women, {int(capacity.sum())} places, {len(found)} candidate "
                  f"pairs (prepared in {time.perf_counter() - started:.0f} s); 'w.' = worst group's share proposed",
                  flush=True)
            measure(found, true_p, capacity, labels, n, args.by or ["partner_org", "district"])
    for size in args.solver_scale:
        solver_scale(size)


if __name__ == "__main__":
    main()
