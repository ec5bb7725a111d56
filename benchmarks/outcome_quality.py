"""Outcome model quality: what it learns from a generated bundle's placement history, against the hidden truth.

    python benchmarks/outcome_quality.py [--trainees 4000] [--openings 800] [--seed 11] [--pairs 20000]
                                         [--truth additive|interactions] [--bundle PATH]

Generates a synthetic bundle from the chosen form of the hidden truth (``--truth``; the default additive one,
or the differently shaped ``interactions`` one) or reads ``--bundle``, builds the outcome training set with
``as_of`` = the bundle's reference date, and reports:

- the history: placements, events per interval, censoring;
- a time split: the model trained on the records as they stood when the last quarter of the
  placements with a known 12-month outcome began (``as_of`` = that day, so it sees nothing later),
  tested on that last quarter: Brier score (model and base rate), AUC against the observed 12-month
  outcome, the reliability table;
- a trainee split (75 % of the women for training, the rest for testing), same figures;
- agreement with the hidden true model on unseen pairs (random trainee × open opening pairs,
  all of them and those the safety rules allow): Spearman correlation of the probabilities, AUC
  with the truth above its median as the label, and AUC against outcomes drawn from the truth
  (with the truth's own AUC on the same draws as the ceiling); the transparent weighted score
  for comparison.

Prints tables; not a test.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from demo.generator import generate_bundle
from demo.pair_truth import truth_probabilities
from demo.truth import TruthModel
from matching.engine import MatchEngine
from matching.outcome_data import build_training_set, read_bundle_records
from matching.outcome_model import OutcomeModel, brier_score
from matching.reference import default_data_dir, load_site, load_taxonomy
from matching.scoring import WeightedScorer
from matching.tables import OpeningTable, TraineeTable


def fmt(value: float | None, spec: str = ".4f") -> str:
    return "n/a" if value is None else format(value, spec)


def auc(score: np.ndarray, label: np.ndarray) -> float:
    label = np.asarray(label, dtype=bool)
    return float(roc_auc_score(label, score)) if label.any() and not label.all() else float("nan")


def print_evaluation(title: str, result: dict, train_base_rate: float, observed: np.ndarray) -> None:
    base_brier = brier_score(np.full(observed.size, train_base_rate), observed)
    print(f"\n{title}")
    print(f"  test placements with a known 12-month outcome: {result['n']}, retained {result['observed_rate']:.1%},"
          f" mean predicted {result['mean_predicted']:.1%}")
    print(f"  Brier: model {fmt(result['brier'])}   base rate ({train_base_rate:.1%}) {base_brier:.4f}"
          f"   skill {1 - result['brier'] / base_brier:+.1%}")
    print(f"  AUC against the observed 12-month outcome: {fmt(result['auc'], '.3f')}")
    print("  reliability (10 bins of equal count):   mean predicted   observed      n")
    for predicted, seen, n in result["reliability"]:
        print(f"  {'':38s}{predicted:10.3f} {seen:12.3f} {n:6d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trainees", type=int, default=4000)
    parser.add_argument("--openings", type=int, default=800)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--pairs", type=int, default=20000)
    parser.add_argument("--truth", choices=("additive", "interactions"), default="additive",
                        help="the form of the hidden truth the bundle is drawn from")
    parser.add_argument("--bundle", type=Path, default=None, help="an existing bundle folder (with _truth/)")
    args = parser.parse_args()

    taxonomy = load_taxonomy(default_data_dir() / "taxonomy.json")
    site = load_site(default_data_dir() / "sites" / "west_bengal")
    engine = MatchEngine(taxonomy=taxonomy, site=site)
    with tempfile.TemporaryDirectory() as tmp:
        bundle = args.bundle
        if bundle is None:
            bundle = Path(tmp) / "bundle"
            started = time.perf_counter()
            generate_bundle(bundle, seed=args.seed, trainees=args.trainees, openings=args.openings, truth=args.truth)
            print(f"bundle: {args.trainees} trainees, {args.openings} open openings, seed {args.seed},"
                  f" {args.truth} truth ({time.perf_counter() - started:.1f} s)")
        truth = TruthModel.load(bundle)
        as_of = truth.reference_date
        records = read_bundle_records(bundle, taxonomy=taxonomy)

        def training_set(placements: list[dict], day: datetime.date):
            return build_training_set(engine=engine, trainees=records.trainees, openings=records.openings,
                                      employers=records.employers, placements=placements,
                                      followups=records.followups, as_of=day)

        started = time.perf_counter()
        full = training_set(records.placements, as_of)
        built = time.perf_counter() - started
        usable = full.usable
        rows, interval, event = full.person_periods()
        print(f"\nhistory as of {as_of}: {len(full)} placements ({built:.2f} s to build), {usable.sum()} with at least"
              f" one interval observed, {full.n_events} left within 12 months; {full.twelve_month_known.sum()} with a"
              f" known 12-month outcome ({full.twelve_month_retained.sum()} retained)")
        print("  interval      at risk   left   hazard")
        for k, (a, b) in enumerate(((0, 1), (1, 3), (3, 6), (6, 12))):
            n, d = int((interval == k).sum()), int(event[interval == k].sum())
            print(f"  ({a:2d},{b:2d}]   {n:10d} {d:6d}   {d / max(n, 1):.3f}")
        print(f"  censored for want of a confirming follow-up: {int(full.unconfirmed.sum())}")

        # ---- time split
        known = full.twelve_month_known
        starts = full.start_dates
        cut = np.sort(starts[known])[int(0.75 * known.sum())].astype("datetime64[D]").item()
        earlier = [p for p in records.placements if datetime.date.fromisoformat(str(p["started_on"])[:10]) < cut]
        started = time.perf_counter()
        train = training_set(earlier, cut)
        model = OutcomeModel().fit(train)
        fit_seconds = time.perf_counter() - started
        test = full.subset(known & (starts >= np.datetime64(cut)))
        result = model.evaluation(test)
        print(f"\nTIME SPLIT: trained on the records as of {cut} ({model.metrics_['n_placements']} placements,"
              f" {model.metrics_['n_events']} events; built and fitted in {fit_seconds:.2f} s),"
              f" calibration: {model.calibration_ or 'none needed'}"
              f" (out-of-fold Brier {fmt(model.metrics_.get('brier'))}, AUC {fmt(model.metrics_.get('auc'), '.3f')})")
        print_evaluation(f"  tested on placements started from {cut} whose 12-month outcome is known at {as_of}",
                         result, model.base_rate_, test.twelve_month_retained[test.twelve_month_known])

        # ---- trainee split
        women = np.unique(full.trainee_ids.astype(str))
        rng = np.random.default_rng(args.seed)
        held = set(rng.choice(women, size=len(women) // 4, replace=False).tolist())
        in_test = np.array([t in held for t in full.trainee_ids.tolist()], dtype=bool)
        model_t = OutcomeModel().fit(full.subset(~in_test))
        test_t = full.subset(in_test & known)
        print_evaluation(f"TRAINEE SPLIT: {len(held)} of {len(women)} women held out; trained on"
                         f" {model_t.metrics_['n_placements']} placements, calibration: "
                         f"{model_t.calibration_ or 'none needed'}", model_t.evaluation(test_t), model_t.base_rate_,
                         test_t.twelve_month_retained)

        # ---- agreement with the truth on unseen pairs
        final = OutcomeModel().fit(full)
        final.version = "outcome-benchmark"
        print(f"\nFINAL MODEL on all the history: {final.reason_}; calibration {final.calibration_ or 'none'};"
              f" out-of-fold Brier {fmt(final.metrics_['brier'])} (base rate {fmt(final.metrics_['brier_base_rate'])}),"
              f" AUC {fmt(final.metrics_['auc'], '.3f')}")
        print("  coefficients (hazard scale, per standard deviation; negative = she stays longer):")
        for name, factor, value in zip(final.feature_names_, final.feature_factors_, final.coef_):
            print(f"    {name:24s} {factor:18s} {value:+.3f}")
        open_records = [r for r in records.openings if (r.get("status") or "open") == "open"]
        trainees = TraineeTable.from_records(records.trainees, taxonomy=taxonomy, site=site)
        openings = OpeningTable.from_records(open_records, employers=records.employers, taxonomy=taxonomy, site=site)
        placed = {(p["trainee_external_id"], p["opening_external_id"]) for p in records.placements}
        rng = np.random.default_rng(args.seed + 1)
        t_idx = rng.integers(0, len(trainees), args.pairs)
        o_idx = rng.integers(0, len(openings), args.pairs)
        fresh = np.array([(trainees.external_id[i], openings.external_id[j]) not in placed
                          for i, j in zip(t_idx.tolist(), o_idx.tolist())])
        t_idx, o_idx = t_idx[fresh], o_idx[fresh]
        scored = MatchEngine(taxonomy=taxonomy, site=site, scorer=final)
        started = time.perf_counter()
        pairs = scored.score_pairs(trainees, t_idx, openings, o_idx, as_of=as_of)
        score_seconds = time.perf_counter() - started
        weighted = WeightedScorer().predict(pairs.features)[0]
        true_p = truth_probabilities(truth, bundle, [str(trainees.external_id[i]) for i in t_idx],
                                     [str(openings.external_id[j]) for j in o_idx])
        draws = np.random.default_rng(args.seed + 2).random(true_p.size) < true_p
        print(f"\nUNSEEN PAIRS: {len(t_idx)} random trainee × open opening pairs ({pairs.allowed.sum()} allowed by the"
              f" safety rules); scored in {score_seconds:.2f} s")
        print("  pairs      scorer          Spearman   AUC(truth>median)   AUC(drawn outcomes)   truth's own AUC")
        for label, mask in (("all", np.ones(len(t_idx), dtype=bool)), ("allowed", pairs.allowed)):
            ceiling = auc(true_p[mask], draws[mask])
            median = np.median(true_p[mask])
            for name, values in (("outcome model", pairs.score), ("weighted", weighted)):
                print(f"  {label:9s}  {name:14s} {spearmanr(values[mask], true_p[mask]).statistic:9.3f}"
                      f"   {auc(values[mask], true_p[mask] > median):17.3f}   {auc(values[mask], draws[mask]):19.3f}"
                      f"   {ceiling:15.3f}")
        print(f"  mean probability on allowed pairs: outcome model {pairs.score[pairs.allowed].mean():.3f},"
              f" truth {true_p[pairs.allowed].mean():.3f}")


if __name__ == "__main__":
    main()
