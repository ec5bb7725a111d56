"""Ranking quality against the generator's hidden truth: /matches over the API, and a TF-IDF-plus-distance
baseline on the same openings.

    python benchmarks/match_quality.py [--trainees 2000] [--openings 500] [--seed 5] [--queries 200]
                                       [--bootstrap 2000] [--distance-weight 0.3]

A synthetic programme is generated (``generate_bundle``), imported into a fresh SQLite database and served
on loopback, as in ``match_latency.py``. For ``--queries`` random job-ready trainees available on
2026-11-01 (fixed seed):

- relevance of an opening for her = the truth model's probability that she is still in that job 12 months
  after starting (``demo/truth.py``, on the bundle's raw CSV rows); it is never shown to the
  service;
- the candidates = every open opening the safety rules allow for her on that day (computed with the
  matching engine on the same database: the set /matches ranks from);
- NDCG@10 = DCG of a ranking's top 10 / DCG of the 10 allowed openings with the highest truth probability,
  with linear gains (the probability itself) and the discount 1 / log2(rank + 1);
- /matches: ``GET /v1/trainees/{id}/matches?limit=10&as_of=2026-11-01`` (the ``model_version`` of its answers
  is printed, so that when a trained outcome model replaces the weighted score the gain shows here);
- TF-IDF + distance: scikit-learn ``TfidfVectorizer`` fitted on the open openings' text (title, the
  required skills' labels as typed, the occupation as typed); her query is her skill labels as typed; the
  score is the cosine similarity minus ``--distance-weight`` x km / 50 (km: great-circle distance from her
  home to the opening), so 50 km away costs 0.3 of similarity by default;
- for scale: the ideal order (truth), and the allowed openings in random order (mean of 20 shuffles).

Prints mean NDCG@10 with a 95 % bootstrap interval over trainees (and for the paired difference), and the mean
truth probability of the top-ranked opening. Trainees with no allowed opening are left out (counted).
Prints a table; not a test. The server is stopped at the end, also on errors.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from match_latency import AS_OF, pick_trainees, reference, served_programme

from matching.geo import haversine_km

K = 10
SHUFFLES = 20


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["external_id"]: row for row in csv.DictReader(handle)}


def labels(skill_list: str) -> list[str]:
    from demo.truth import parse_skill_list
    return [label for label, _ in parse_skill_list(skill_list)]


def truth_probabilities(truth, trainee: dict[str, str], openings: list[dict[str, str]],
                        employers: dict[str, dict[str, str]]) -> np.ndarray:
    """The truth's 12-month retention probability of her in each opening, from the raw CSV rows (the same
    conversions as ``TruthModel.pair_probability_from_rows``, for many openings at once)."""
    n = len(openings)
    t = {key: np.array([value] * n) for key, value in trainee.items()}
    o = {key: np.array([row[key] for row in openings]) for key in openings[0]}
    o["vetted"] = np.array([employers.get(row["employer_external_id"], {}).get("vetted", "true") for row in openings])
    for key in ("lat", "lon"):
        t[key] = t[key].astype(float)
        o[key] = o[key].astype(float)
    t["expected_wage_inr"] = t["expected_wage_inr"].astype(float)
    t["attendance_rate"] = t["attendance_rate"].astype(float)
    o["monthly_wage_inr"] = o["monthly_wage_inr"].astype(float)
    return truth.retention_probability(t, o)


def dcg(gains: np.ndarray) -> float:
    gains = np.asarray(gains, dtype=float)[:K]
    return float((gains / np.log2(np.arange(2, len(gains) + 2))).sum())


def ndcg(ranked_gains: np.ndarray, all_gains: np.ndarray) -> float:
    ideal = dcg(np.sort(all_gains)[::-1])
    return dcg(ranked_gains) / ideal if ideal > 0 else math.nan


def bootstrap(values: np.ndarray, reps: int, rng: np.random.Generator) -> tuple[float, float]:
    """95 % percentile bootstrap interval of the mean (resampling trainees)."""
    draws = rng.integers(0, len(values), (reps, len(values)))
    means = values[draws].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def unseen_pairs(engine, ref, truth, trainee_rows, opening_rows, employer_rows, seed: int) -> list[dict]:
    """AUC and Brier of the trained outcome model and of the weighted score on allowed pairs that no placement
    ever joined, against outcomes drawn from the hidden truth (and Spearman against the truth probability)."""
    from scipy.stats import spearmanr
    from sklearn.metrics import roc_auc_score
    from sqlmodel import Session

    from matching.engine import MatchEngine
    from service.matches import loader
    from service.models_registry.matcher import build_matcher
    trained, _ = build_matcher(db=engine, reference=ref)
    weighted = MatchEngine(taxonomy=ref.taxonomy, site=ref.site)
    with Session(engine) as session:
        trainees = loader.load_trainees(session, ref)
        openings = loader.load_openings(session, ref)
    rng = np.random.default_rng(seed + 7)
    t_idx = rng.integers(0, len(trainees), 40_000)
    o_idx = rng.integers(0, len(openings), 40_000)
    allowed = weighted.score_pairs(trainees, t_idx, openings, o_idx, as_of=AS_OF).allowed
    t_idx, o_idx = t_idx[allowed], o_idx[allowed]
    true_p = np.array([truth.pair_probability_from_rows(
        trainee_rows[str(trainees.external_id[t])], opening_rows[str(openings.external_id[o])],
        employer_rows[opening_rows[str(openings.external_id[o])]["employer_external_id"]])
        for t, o in zip(t_idx.tolist(), o_idx.tolist())])
    outcome = rng.random(true_p.size) < true_p
    rows = []
    for name, matcher in (("outcome model (trained)", trained), ("weighted score", weighted)):
        p = matcher.score_pairs(trainees, t_idx, openings, o_idx, as_of=AS_OF).score
        rows.append({"scorer": name, "pairs": int(p.size), "auc": roc_auc_score(outcome, p),
                     "brier": float(np.mean((p - outcome) ** 2)),
                     "brier_base": float(np.mean((outcome.mean() - outcome) ** 2)),
                     "spearman": float(spearmanr(p, true_p).statistic)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trainees", type=int, default=2_000)
    parser.add_argument("--openings", type=int, default=500, help="open openings")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--queries", type=int, default=200, help="job-ready trainees asked")
    parser.add_argument("--bootstrap", type=int, default=2_000, help="bootstrap resamples")
    parser.add_argument("--train", action=argparse.BooleanOptionalAction, default=True,
                        help="also train the outcome model (jobmatch train) and measure /matches again")
    parser.add_argument("--distance-weight", type=float, default=0.3,
                        help="TF-IDF baseline: similarity lost per 50 km")
    args = parser.parse_args()

    import httpx
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sqlmodel import Session

    from demo.truth import TruthModel
    from matching.engine import MatchEngine
    from service.core.db import make_engine
    from service.matches import loader

    begun = time.perf_counter()
    ref = reference()
    with tempfile.TemporaryDirectory(prefix="jobmatch-bench-") as folder, \
            served_programme(Path(folder), seed=args.seed, trainees=args.trainees, openings=args.openings) as served:
        setup_s = time.perf_counter() - begun
        truth = TruthModel.load(served.bundle)
        trainee_rows = read_csv(served.bundle / "trainees.csv")
        opening_rows = read_csv(served.bundle / "openings.csv")
        employer_rows = read_csv(served.bundle / "employers.csv")

        # The allowed openings for each trainee: the matching engine on the same database.
        engine = make_engine(served.database_url)
        with Session(engine) as session:
            ready = loader.trainee_records(session)
            openings_table = loader.load_openings(session, ref)
        engine.dispose()
        matcher = MatchEngine(taxonomy=ref.taxonomy, site=ref.site)
        ids = pick_trainees(ready, args.queries, np.random.default_rng(args.seed))
        records = {r["external_id"]: r for r in ready}

        # The baseline's text index over the open openings.
        open_ids = [str(i) for i in openings_table.external_id]
        documents = [" ".join([opening_rows[i]["title"], *labels(opening_rows[i]["required_skills"]),
                               opening_rows[i]["occupation"]]) for i in open_ids]
        vectorizer = TfidfVectorizer()
        matrix = vectorizer.fit_transform(documents)
        column = {eid: k for k, eid in enumerate(open_ids)}
        o_lat = np.array([float(opening_rows[i]["lat"]) for i in open_ids])
        o_lon = np.array([float(opening_rows[i]["lon"]) for i in open_ids])

        def measure():
            shuffle_rng = np.random.default_rng(args.seed + 1)
            results: dict[str, list[float]] = {name: [] for name in ("api", "tfidf", "random", "ideal")}
            top1: dict[str, list[float]] = {name: [] for name in ("api", "tfidf", "ideal", "mean_allowed")}
            versions: set[str] = set()
            allowed_counts: list[int] = []
            skipped = 0
            outside = 0
            headers = {"Authorization": f"Bearer {served.key}"}
            with httpx.Client(base_url=served.base_url, headers=headers, timeout=60.0) as client:
                for trainee_id in ids:
                    table = loader.trainee_table(ref, [records[trainee_id]])
                    allowed = [m.external_id for m in matcher.rank_openings(table, 0, openings_table, as_of=AS_OF,
                                                                            limit=None)]
                    response = client.get(f"/v1/trainees/{trainee_id}/matches",
                                          params={"limit": K, "as_of": AS_OF.isoformat()})
                    if response.status_code != 200:
                        raise RuntimeError(f"/matches answered {response.status_code}: {response.text[:500]}")
                    answer = response.json()
                    versions.add(answer["model_version"])
                    if not allowed:
                        skipped += 1
                        continue
                    allowed_counts.append(len(allowed))
                    gains = truth_probabilities(truth, trainee_rows[trainee_id], [opening_rows[i] for i in allowed],
                                                employer_rows)
                    gain_of = dict(zip(allowed, gains))
                    api = [m["opening_external_id"] for m in answer["data"]]
                    outside += sum(1 for eid in api if eid not in gain_of)
                    api_gains = np.array([gain_of.get(eid, 0.0) for eid in api])

                    # TF-IDF + distance over the same allowed openings (ties by external id).
                    query = vectorizer.transform([" ".join(labels(trainee_rows[trainee_id]["skills"]))])
                    cols = np.array([column[eid] for eid in allowed])
                    cosine = (matrix[cols] @ query.T).toarray().ravel()
                    km = haversine_km(float(trainee_rows[trainee_id]["lat"]), float(trainee_rows[trainee_id]["lon"]),
                                      o_lat[cols], o_lon[cols])
                    score = cosine - args.distance_weight * km / 50.0
                    order = np.lexsort((np.array(allowed), -np.round(score, 12)))[:K]
                    tfidf_gains = gains[order]

                    results["api"].append(ndcg(api_gains, gains))
                    results["tfidf"].append(ndcg(tfidf_gains, gains))
                    results["ideal"].append(1.0)
                    results["random"].append(float(np.mean([ndcg(gains[shuffle_rng.permutation(len(gains))[:K]], gains)
                                                            for _ in range(SHUFFLES)])))
                    top1["api"].append(float(api_gains[0]) if len(api_gains) else math.nan)
                    top1["tfidf"].append(float(tfidf_gains[0]))
                    top1["ideal"].append(float(gains.max()))
                    top1["mean_allowed"].append(float(gains.mean()))
            return results, top1, versions, allowed_counts, skipped, outside

        passes = [("weighted",) + measure()]
        unseen = None
        if args.train:
            from service.models_registry.training import train
            engine = make_engine(served.database_url)
            train(db=engine, reference=ref, as_of=AS_OF)
            unseen = unseen_pairs(engine, ref, truth, trainee_rows, opening_rows, employer_rows, args.seed)
            engine.dispose()
            passes.append(("trained",) + measure())
        measured_s = time.perf_counter() - begun - setup_s

    rng = np.random.default_rng(args.seed)
    _, results, top1, versions, allowed_counts, skipped, outside = passes[0]
    values = {name: np.array(v) for name, v in results.items()}
    firsts = {name: np.array(v) for name, v in top1.items()}
    model_version = ", ".join(sorted(versions))
    if len(passes) > 1:  # the same trainees again, once the trained outcome model scores /matches
        _, trained_results, trained_top1, trained_versions, *_ = passes[1]
        values["api_trained"] = np.array(trained_results["api"])
        firsts["api_trained"] = np.array(trained_top1["api"])
    n = len(values["api"])
    print()
    print(f"Ranking quality against the hidden truth (12-month retention probability): {args.trainees:,} trainees, "
          f"{args.openings:,} open openings, seed {args.seed}, as of {AS_OF.isoformat()}")
    print(f"{n} job-ready trainees scored ({skipped} of {len(ids)} asked left out: no allowed opening); allowed "
          f"openings per trainee: median {np.median(allowed_counts):.0f}, min {min(allowed_counts)}, "
          f"max {max(allowed_counts)}")
    header = f"{'ranking':<34}{'model_version':<22}{'NDCG@10':>9}{'95% CI':>20}{'top-1 truth p':>15}"
    print(header)
    print("-" * len(header))

    def line(label: str, version: str, name: str | None, top: str | None) -> None:
        if name is None:
            ndcg_text, ci_text = "", ""
        else:
            low, high = bootstrap(values[name], args.bootstrap, rng)
            ndcg_text, ci_text = f"{values[name].mean():.4f}", f"[{low:.4f}, {high:.4f}]"
        top_text = f"{np.nanmean(firsts[top]):.4f}" if top else ""
        print(f"{label:<34}{version:<22}{ndcg_text:>9}{ci_text:>20}{top_text:>15}")

    line("/matches (API)", model_version, "api", "api")
    if "api_trained" in values:
        line("/matches (API), trained model", ", ".join(sorted(trained_versions))[:21], "api_trained", "api_trained")
    line(f"TF-IDF + {args.distance_weight:g} x km/50", "baseline", "tfidf", "tfidf")
    line("random order of allowed", "-", "random", "mean_allowed")
    line("ideal (truth order)", "-", "ideal", "ideal")
    diff = values["api"] - values["tfidf"]
    low, high = bootstrap(diff, args.bootstrap, rng)
    top_diff = np.nanmean(firsts["api"] - firsts["tfidf"])
    print(f"{'/matches - TF-IDF (paired)':<34}{'':<22}{diff.mean():>+9.4f}{f'[{low:+.4f}, {high:+.4f}]':>20}"
          f"{top_diff:>+15.4f}")
    deep = np.array(allowed_counts) > K
    if deep.any() and not deep.all():
        subset = f"more than {K} allowed ({int(deep.sum())} trainees)"
        for name, label in (("api", "/matches"), ("tfidf", "TF-IDF + distance"), ("random", "random order")):
            low, high = bootstrap(values[name][deep], args.bootstrap, rng)
            print(f"{f'  {label}, {subset}':<56}{values[name][deep].mean():>9.4f}"
                  f"{f'[{low:.4f}, {high:.4f}]':>20}")
    print()
    print("NDCG@10: linear gains (the truth probability), ideal = the 10 allowed openings with the highest truth")
    print("probability. top-1 truth p: mean truth probability of the first opening (for the random row: the mean")
    print("over all her allowed openings). 95 % CI: percentile bootstrap over trainees "
          f"({args.bootstrap} resamples).")
    print(f"With {K} or fewer allowed openings every ranking that returns them all scores 1, hence the rows on")
    print(f"trainees with more than {K}.")
    if outside:
        print(f"warning: {outside} /matches results were not in the engine's allowed set (counted as gain 0)")
    if unseen is not None:
        print()
        print("Outcome model on pairs it never saw (random job-ready trainee x open opening pairs the safety rules"
              " allow; outcomes drawn from the hidden truth):")
        print(f"{'scorer':<26}{'pairs':>8}{'AUC':>8}{'Brier':>8}{'Brier of base rate':>20}{'Spearman vs truth p':>21}")
        for row in unseen:
            print(f"{row['scorer']:<26}{row['pairs']:>8}{row['auc']:>8.3f}{row['brier']:>8.4f}"
                  f"{row['brier_base']:>20.4f}{row['spearman']:>21.3f}")
    print(f"setup (generate, import, serve) {setup_s:.1f} s, measuring {measured_s:.1f} s, "
          f"total {time.perf_counter() - begun:.1f} s")


if __name__ == "__main__":
    main()
