"""Correcting for who was placed: the outcome model against the hidden truth over every feasible pair, before and
after weighting the placements by their inverse propensity.

    python benchmarks/outcome_selection.py [--trainees 3000] [--openings 600] [--seed 11] [--pairs 200000]
                                           [--bundle PATH] [--max-weight 10] [--flatten 0.5]
                                           [--truth additive|interactions|both]

Generates a synthetic bundle for each of the generator's two truths (or reads ``--bundle``), builds the outcome
training set as of the bundle's reference date, and the selection sample (each placement and feasible pairs that
could have been chosen instead that day, :mod:`matching.propensity`). Trains the outcome model as ``jobmatch train``
does, once on the history as it is ("before") and once with each placement weighted as training weights it
(flattened, stabilised, clipped inverse odds of having been chosen; "after"), and
scores pairs of job-ready trainees × open openings that every safety rule allows on the reference date (up to
``--pairs`` drawn at random): all of them, the fifth least like past placements (lowest propensity) and the fifth
most like them. Against the generator's hidden truth (the probability each pair lasts 12 months, and outcomes
drawn from it with a fixed seed) it prints, per model and group: AUC against the drawn outcomes (with the truth's
own AUC on the same draws as the ceiling), Brier score against the drawn outcomes, the mean squared distance to the
true probability, mean predicted against mean true probability, and a reliability table (predicted against true,
10 bins of equal count). For comparison: the learnt model without its known directions and without the prior
(``monotone=False, prior_strength=0``), and the transparent weighted score for AUC only (not a probability).

Prints tables; not a test. Every figure is printed for both of the generator's truths (``demo/truth.py``: the
additive one and the differently shaped one with interactions), one after the other.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from demo.generator import generate_bundle
from demo.pair_truth import truth_probabilities
from demo.truth import TruthModel
from matching.engine import MatchEngine
from matching.features import features_from_context
from matching.outcome_data import build_training_set, read_bundle_records
from matching.outcome_metrics import brier_score, reliability_table
from matching.outcome_model import OutcomeModel
from matching.propensity import correct_selection
from matching.reference import default_data_dir, load_site, load_taxonomy
from matching.scoring import WeightedScorer
from matching.tables import OpeningTable, TraineeTable

OUTCOME_C = 0.03  # as `jobmatch train` (service/models_registry/training.py)
SHARE = 0.2       # the groups "unlike" and "like" past placements: this share of the pairs at each end


def auc(score: np.ndarray, label: np.ndarray) -> float:
    label = np.asarray(label, dtype=bool)
    return float(roc_auc_score(label, score)) if label.any() and not label.all() else float("nan")


def feasible_pairs(engine: MatchEngine, records: Any, truth: TruthModel, n_pairs: int,
                   rng: np.random.Generator) -> tuple[TraineeTable, OpeningTable, np.ndarray, np.ndarray]:
    """Random job-ready trainee × open opening pairs that every safety rule allows on the reference date."""
    trainees = TraineeTable.from_records([r for r in records.trainees if r["status"] == "job_ready"],
                                         taxonomy=engine.taxonomy, site=engine.site)
    openings = OpeningTable.from_records([r for r in records.openings if r["status"] == "open"],
                                         employers=records.employers, taxonomy=engine.taxonomy, site=engine.site)
    total = len(trainees) * len(openings)
    flat = rng.choice(total, size=min(n_pairs, total), replace=False) if total else np.zeros(0, dtype=np.int64)
    t_idx, o_idx = flat // len(openings), flat % len(openings)
    allowed = engine.score_pairs(trainees, t_idx, openings, o_idx, as_of=truth.reference_date).allowed
    return trainees, openings, t_idx[allowed], o_idx[allowed]


def report(title: str, scores: dict[str, np.ndarray], true_p: np.ndarray, drawn: np.ndarray) -> None:
    print(f"\n{title}: {true_p.size} pairs, mean true probability {true_p.mean():.3f}; "
          f"the truth's own AUC on the drawn outcomes {auc(true_p, drawn):.3f}")
    print(f"  {'model':44s} {'AUC':>6s} {'Brier':>7s} {'MSE to truth':>13s} {'mean predicted':>15s}")
    for name, p in scores.items():
        if name == "weighted score (ranking only)":
            print(f"  {name:44s} {auc(p, drawn):6.3f}")
            continue
        print(f"  {name:44s} {auc(p, drawn):6.3f} {brier_score(p, drawn):7.4f} {np.mean((p - true_p) ** 2):13.5f}"
              f" {p.mean():15.3f}")
    for name, p in scores.items():
        if name.startswith(("weighted score", "learnt alone")):
            continue
        print(f"  reliability, {name} (10 bins of equal count): mean predicted -> mean true")
        rows = reliability_table(p, true_p)
        print("   " + "  ".join(f"{pred:.2f}->{seen:.2f}" for pred, seen, _ in rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trainees", type=int, default=3000)
    parser.add_argument("--openings", type=int, default=600)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--pairs", type=int, default=200_000)
    parser.add_argument("--max-weight", type=float, default=10.0)
    parser.add_argument("--flatten", type=float, default=0.5, help="power of the inverse odds (1: full correction)")
    parser.add_argument("--bundle", type=Path, default=None, help="an existing bundle folder (with _truth/)")
    parser.add_argument("--truth", choices=("additive", "interactions", "both"), default="both",
                        help="the generator's hidden truth (both: one after the other)")
    args = parser.parse_args()

    taxonomy = load_taxonomy(default_data_dir() / "taxonomy.json")
    site = load_site(default_data_dir() / "sites" / "west_bengal")
    engine = MatchEngine(taxonomy=taxonomy, site=site)
    if args.bundle is not None:
        measure(engine, args.bundle, args)
        return
    for truth in ("additive", "interactions") if args.truth == "both" else (args.truth,):
        with tempfile.TemporaryDirectory() as tmp:
            bundle = Path(tmp) / "bundle"
            generate_bundle(bundle, seed=args.seed, trainees=args.trainees, openings=args.openings, truth=truth)
            print(f"\n=== {truth} truth: {args.trainees} trainees, {args.openings} open openings, seed {args.seed}")
            measure(engine, bundle, args)


def measure(engine: MatchEngine, bundle: Path, args: argparse.Namespace) -> None:
    """Fit the propensity and the outcome model before and after the correction on one bundle; print how each
    does against the bundle's hidden truth, on every feasible pair and on those unlike and like past placements."""
    truth = TruthModel.load(bundle)
    records = read_bundle_records(bundle, taxonomy=engine.taxonomy)
    as_of = truth.reference_date
    data = build_training_set(engine=engine, trainees=records.trainees, openings=records.openings,
                              employers=records.employers, placements=records.placements,
                              followups=records.followups, as_of=as_of)
    started = time.perf_counter()
    correction = correct_selection(engine=engine, trainees=records.trainees, openings=records.openings,
                                   employers=records.employers, placements=records.placements, data=data,
                                   flatten=args.flatten, max_weight=args.max_weight)
    sample, selection, weights = correction.sample, correction.model, correction.weights
    if selection is None:
        sys.exit("too few feasible placements or controls to estimate the propensity")
    print(f"selection sample: {sample.n_cases} placements feasible on their day ({sample.infeasible} not, "
          f"counted once each), {sample.n_controls} feasible controls ({time.perf_counter() - started:.1f} s);"
          f" propensity AUC {selection.metrics_['auc']:.3f}")
    feasible = sample.feasible_placements(data.placement_ids.tolist()) & data.usable
    w = weights[feasible]
    print(f"weights of the {w.size} usable feasible placements: min {w.min():.2f}, median {np.median(w):.2f},"
          f" max {w.max():.2f}; effective placements {w.sum() ** 2 / np.dot(w, w):.0f}")
    terms = sorted(selection.metrics_["terms"].items(), key=lambda kv: -abs(kv[1]))[:6]
    print("strongest terms of the propensity (per standard deviation): "
          + ", ".join(f"{name} {value:+.2f}" for name, value in terms))

    unguided = OutcomeModel(C=OUTCOME_C, monotone=False, prior_strength=0).fit(data)
    before = OutcomeModel(C=OUTCOME_C).fit(data)
    after = OutcomeModel(C=OUTCOME_C).fit(data, sample_weight=weights)
    for name, model in (("before", before), ("after", after)):
        m = model.metrics_
        print(f"{name}: {model.reason_}; out-of-fold on history: Brier {m['brier']:.4f} "
              f"(base rate {m['brier_base_rate']:.4f}), AUC {m['auc']:.3f}; base rate {model.base_rate_:.3f}")

    rng = np.random.default_rng(args.seed)
    trainees, openings, t_idx, o_idx = feasible_pairs(engine, records, truth, args.pairs, rng)
    context = engine.context(trainees, t_idx, openings, o_idx, as_of=as_of)
    features = features_from_context(context, demand=engine.demand)
    true_p = truth_probabilities(truth, bundle, [str(trainees.external_id[i]) for i in t_idx],
                                 [str(openings.external_id[j]) for j in o_idx])
    drawn = rng.random(true_p.size) < true_p
    scores = {"learnt alone (no directions held, no prior)": unguided.predict_proba_12(features),
              "before (history as it is)": before.predict_proba_12(features),
              "after (inverse propensity)": after.predict_proba_12(features),
              "weighted score (ranking only)": WeightedScorer().predict(features)[0]}
    odds = selection.log_odds(features)
    low, high = np.quantile(odds, [SHARE, 1 - SHARE])
    report("every feasible pair", scores, true_p, drawn)
    unlike = odds <= low
    report(f"unlike past placements (lowest {SHARE:.0%} propensity)", {k: v[unlike] for k, v in scores.items()},
           true_p[unlike], drawn[unlike])
    like = odds >= high
    report(f"like past placements (highest {SHARE:.0%} propensity)", {k: v[like] for k, v in scores.items()},
           true_p[like], drawn[like])


if __name__ == "__main__":
    main()
