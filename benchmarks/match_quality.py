"""Matching quality against the demo generator's hidden truth, on both forms of that truth, side by side.

    python benchmarks/match_quality.py [--trainees 1500] [--openings 400] [--seed 5] [--queries 150]
                                       [--bootstrap 1000] [--distance-weight 0.3]
                                       [--truth additive --truth interactions]

For each truth (``generate_bundle(truth=...)``: the default additive one, and the differently shaped
``interactions`` one, see ``demo/truth_interactions.py``) a synthetic programme is generated, imported into a
fresh SQLite database and served on loopback. Three rankers are measured on it:

- **weighted**: the transparent weighted score, which `/matches` uses before any training;
- **trained**: the outcome model after `jobmatch train` (the registry's active models);
- **TF-IDF**: scikit-learn ``TfidfVectorizer`` fitted on the open openings' text (title, required skills'
  labels as typed, occupation as typed); her query is her skill labels as typed; the score is the cosine
  similarity minus ``--distance-weight`` x km / 50 (great-circle km from her home to the workplace).

The pairs the rules allow = every job-ready trainee x open opening pair breaking no safety rule on 2026-11-01
(the matching engine's rules, as `/matches` applies them): for the weighted scorer and TF-IDF with the fixed commute
formula (the service before training), for the trained model with the calibrated commute model `jobmatch train`
promotes (the service after it), so that an opening the active rule blocks never counts as missing. Each
ranker's figures (NDCG ideal, oracle, Brier, #1 suggestions) are taken within its own allowed set.
The truth of a pair = the truth model's probability
that she is still in that job 12 months after starting; it is never shown to the service. Figures:

- NDCG@10 of `/matches` (``GET /v1/trainees/{id}/matches?limit=10``; for TF-IDF its own top 10) for
  ``--queries`` random job-ready trainees available on the day: DCG of the top 10 / DCG of the ideal order of
  her allowed openings by truth (linear gains, discount 1 / log2(rank + 1)); floor 0.95. With a 95 % bootstrap
  interval over trainees, and on the trainees with more than 10 allowed openings (with 10 or fewer any ranking
  returning them all scores 1);
- the nightly assignment as a share of the oracle: expected placements lasting 12 months (summed truth) of the
  exact assignment (``matching/assignment.py``) on the ranker's scores over every allowed pair, divided by that
  of the exact assignment on the truth over the same pairs (the oracle); capacity = positions left; floor 0.95.
  Below it, the same for the nightly run's own candidates (her 50 best allowed openings with a relevant skill,
  as `jobmatch nightly` builds them; TF-IDF: her 50 best allowed by its score) against the same oracle;
- calibration on every allowed pair: Brier score against outcomes drawn from the truth (and that of the base
  rate), and a reliability table (5 bins of equal count: mean predicted, mean truth); TF-IDF gives no
  probability (n/a);
- #1 suggestions lacking every required skill: of the job-ready trainees with an allowed opening, those whose
  first-ranked opening has none of its required skills at the required level in her recorded skills (and,
  in brackets, at any level); must be 0;
- the commute estimate against the world's journeys (``demo/journeys.py``), for the fixed formula
  (``matching/commute.py``) and the calibration `jobmatch train` registers (``matching/commute_calibration.py``,
  fitted on the journeys the bundle records at follow-ups and to the training centres): the error against the
  journeys recorded at placements in the hidden truth (another draw of the reporting error), the share of them
  within the calibrated range; among job-ready x open pairs that break no other rule, those each allows although
  the true journey exceeds her limit and those each blocks although it is within; and the pairs the calibrated
  rule allows that the fixed formula blocked (and the reverse), with how many of them are right by the truth.

Prints compact tables; not a test. The servers are stopped at the end, also on errors.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from match_latency import AS_OF, READY_TIMEOUT_S, _stop, _wait_ready, free_port, pick_trainees, reference

from matching.geo import haversine_km

K = 10
TOP_PER_TRAINEE = 50      # the nightly run keeps her 50 best candidates
SCORE_CHUNK = 200_000     # pairs scored at once
RELIABILITY_BINS = 5
RANKERS = ("weighted", "trained", "tfidf")
RANKER_NAMES = {"weighted": "weighted", "trained": "trained", "tfidf": "TF-IDF"}
TRAINEE_NUMBERS = ("lat", "lon", "expected_wage_inr", "attendance_rate")
OPENING_NUMBERS = ("lat", "lon", "monthly_wage_inr")


# ------------------------------------------------------------------ a served programme on a chosen truth


@dataclass
class Served:
    bundle: Path
    database_url: str
    base_url: str
    key: str
    seconds: dict[str, float]


@contextmanager
def served_programme(folder: Path, *, seed: int, trainees: int, openings: int, truth: str) -> Iterator[Served]:
    """Generate a programme from the chosen truth, import it, make an admin key and serve it on loopback; the
    server (this process's child) is stopped on leaving, whatever happens."""
    from demo.generator import generate_bundle
    from service.auth import service as keys
    from service.core.db import make_engine
    from service.core.migrate import upgrade
    from service.imports.service import import_bundle
    from service.records.unit_of_work import unit_of_work

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    bundle = folder / "bundle"
    generate_bundle(bundle, seed=seed, trainees=trainees, openings=openings, reference_date=AS_OF, truth=truth)
    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    engine = make_engine(url)
    import_bundle(engine=engine, reference=reference(), path=bundle)
    with unit_of_work(engine) as session:
        _, key = keys.create(session=session, role="admin", name="quality benchmark")
    engine.dispose()
    seconds["generate and import"] = time.perf_counter() - started
    port = free_port()
    env = {**os.environ, "JOBMATCH_DATABASE_URL": url, "JOBMATCH_LOG_LEVEL": "WARNING",
           "JOBMATCH_RATE_LIMIT_PER_MINUTE": "100000000", "JOBMATCH_RATE_LIMIT_BURST": "100000000",
           "JOBMATCH_DATA_DIR": str(REPO / "data"), "JOBMATCH_SITE": "west_bengal"}
    log_path = folder / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "service", "serve", "--host", "127.0.0.1",
                                    "--port", str(port), "--workers", "1"],
                                   env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT)
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_ready(process, base_url, log_path, READY_TIMEOUT_S)
        yield Served(bundle=bundle, database_url=url, base_url=base_url, key=key, seconds=seconds)
    finally:
        _stop(process)


# ------------------------------------------------------------------ the bundle's raw rows, for the truth


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["external_id"]: row for row in csv.DictReader(handle)}


def labels(skill_list: str) -> list[str]:
    from demo.truth import parse_skill_list
    return [label for label, _ in parse_skill_list(skill_list)]


def columns_of(rows: dict[str, dict[str, str]], ids: list[str], numbers: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The raw columns of the rows ``ids``, in that order (numbers as floats, the rest as strings)."""
    first = rows[ids[0]]
    return {key: (np.array([float(rows[i][key]) for i in ids]) if key in numbers
                  else np.array([rows[i][key] for i in ids], dtype=object)) for key in first}


class RawPairs:
    """The truth and true journeys of (trainee, opening) pairs given by their rows in two id lists."""

    def __init__(self, bundle: Path, trainee_ids: list[str], opening_ids: list[str]):
        from demo.journeys import JourneyWorld
        from demo.truth import TruthModel
        self.truth = TruthModel.load(bundle)
        self.journeys = JourneyWorld.load(bundle)
        self.trainee_rows = read_csv(bundle / "trainees.csv")
        self.opening_rows = read_csv(bundle / "openings.csv")
        employers = read_csv(bundle / "employers.csv")
        self.t = columns_of(self.trainee_rows, trainee_ids, TRAINEE_NUMBERS)
        self.o = columns_of(self.opening_rows, opening_ids, OPENING_NUMBERS)
        self.o["vetted"] = np.array([employers[e]["vetted"] for e in self.o["employer_external_id"]], dtype=object)

    def probability(self, t_idx: np.ndarray, o_idx: np.ndarray) -> np.ndarray:
        out = np.zeros(t_idx.size)
        for start in range(0, t_idx.size, SCORE_CHUNK):
            t, o = t_idx[start:start + SCORE_CHUNK], o_idx[start:start + SCORE_CHUNK]
            out[start:start + t.size] = self.truth.retention_probability(
                {k: v[t] for k, v in self.t.items()}, {k: v[o] for k, v in self.o.items()})
        return out

    def journey_minutes(self, t_idx: np.ndarray, o_idx: np.ndarray) -> np.ndarray:
        t, o = self.t, self.o
        return self.journeys.minutes(t["external_id"][t_idx], t["lat"][t_idx], t["lon"][t_idx], t["district"][t_idx],
                                     o["lat"][o_idx], o["lon"][o_idx], o["district"][o_idx])


# ------------------------------------------------------------------ measures


def dcg(gains: np.ndarray) -> float:
    gains = np.asarray(gains, dtype=float)[:K]
    return float((gains / np.log2(np.arange(2, len(gains) + 2))).sum())


def ndcg(ranked_gains: np.ndarray, all_gains: np.ndarray) -> float:
    ideal = dcg(np.sort(all_gains)[::-1])
    return dcg(ranked_gains) / ideal if ideal > 0 else math.nan


def bootstrap(values: np.ndarray, reps: int, rng: np.random.Generator) -> tuple[float, float]:
    """95 % percentile bootstrap interval of the mean (resampling trainees)."""
    draws = rng.integers(0, len(values), (reps, len(values)))
    low, high = np.percentile(values[draws].mean(axis=1), [2.5, 97.5])
    return float(low), float(high)


def top_of_each(trainee: np.ndarray, score: np.ndarray, opening_ids: np.ndarray) -> np.ndarray:
    """Position of each trainee's first-ranked pair (best score, equal scores by opening external id)."""
    order = np.lexsort((opening_ids.astype(str), -np.round(score, 12), trainee))
    first = np.r_[True, trainee[order][1:] != trainee[order][:-1]]
    return order[first]


def skills_met(trainees, t_idx: np.ndarray, openings, o_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pair: required skills she has at the required level, and at any level (recorded skills)."""
    have = trainees.skills[t_idx].toarray()
    need = openings.required[o_idx].toarray()
    required = need > 0
    return (required & (have >= need)).sum(axis=1), (required & (have > 0)).sum(axis=1)


def reliability(predicted: np.ndarray, true_p: np.ndarray) -> list[tuple[float, float, int]]:
    """``RELIABILITY_BINS`` bins of equal count by prediction: (mean predicted, mean truth, pairs)."""
    order = np.argsort(predicted, kind="stable")
    return [(float(predicted[b].mean()), float(true_p[b].mean()), int(b.size))
            for b in np.array_split(order, RELIABILITY_BINS) if b.size]


@dataclass
class Figures:
    """Everything measured on one truth."""

    truth: str
    counts: dict[str, Any] = field(default_factory=dict)
    ndcg: dict[str, np.ndarray] = field(default_factory=dict)
    ndcg_deep: dict[str, np.ndarray] = field(default_factory=dict)
    assignment_share: dict[str, float] = field(default_factory=dict)
    proposals: dict[str, int] = field(default_factory=dict)
    nightly_share: dict[str, float] = field(default_factory=dict)
    brier: dict[str, float] = field(default_factory=dict)
    mean_predicted: dict[str, float] = field(default_factory=dict)
    reliability: dict[str, list[tuple[float, float, int]]] = field(default_factory=dict)
    lacking: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    commute: dict[str, float] = field(default_factory=dict)
    outside: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def measure_truth(truth_form: str, args: argparse.Namespace) -> Figures:
    import httpx
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sqlmodel import Session

    from matching.assignment import keep_top_k, solve_assignment
    from matching.engine import MatchEngine
    from service.core.db import make_engine
    from service.matches import loader
    from service.models_registry.matcher import build_matcher
    from service.models_registry.training import train
    from service.nightly import candidates as candidate_engine

    figures = Figures(truth=truth_form)
    ref = reference()
    with tempfile.TemporaryDirectory(prefix="jobmatch-quality-") as folder, \
            served_programme(Path(folder), seed=args.seed, trainees=args.trainees, openings=args.openings,
                             truth=truth_form) as served:
        figures.seconds.update(served.seconds)
        started = time.perf_counter()
        db = make_engine(served.database_url)
        with Session(db) as session:
            ready = loader.trainee_records(session)
            trainees = loader.load_trainees(session, ref)
            openings = loader.load_openings(session, ref)
        t_ids = [str(i) for i in trainees.external_id]
        o_ids = [str(i) for i in openings.external_id]
        raw = RawPairs(served.bundle, t_ids, o_ids)

        # Every job-ready x open pair: the rules (as /matches applies them before training) and the weighted score.
        weighted = MatchEngine(taxonomy=ref.taxonomy, site=ref.site)
        every_t = np.repeat(np.arange(len(t_ids)), len(o_ids))
        every_o = np.tile(np.arange(len(o_ids)), len(t_ids))
        allowed = np.zeros(every_t.size, dtype=bool)
        commute_only = np.zeros(every_t.size, dtype=bool)   # breaks no rule but, perhaps, the commute one
        commute_blocked = np.zeros(every_t.size, dtype=bool)
        weighted_score = np.zeros(every_t.size)
        rule = weighted.rule_codes.index("commute_too_long")
        for start in range(0, every_t.size, SCORE_CHUNK):
            part = slice(start, start + SCORE_CHUNK)
            scored = weighted.score_pairs(trainees, every_t[part], openings, every_o[part], as_of=AS_OF)
            others = np.delete(scored.violations, rule, axis=1).any(axis=1)
            allowed[part], weighted_score[part] = scored.allowed, scored.score
            commute_only[part], commute_blocked[part] = ~others, scored.violations[:, rule]
        capacity = openings.positions_left.astype(np.int64)
        ids = pick_trainees(ready, args.queries, np.random.default_rng(args.seed))
        row_of = {eid: k for k, eid in enumerate(t_ids)}
        o_id_array = np.array(o_ids)
        sets = {"fixed": AllowedSet.of(every_t[allowed], every_o[allowed], raw, capacity, [row_of[i] for i in ids])}
        fixed = sets["fixed"]
        scores: dict[str, np.ndarray] = {"weighted": weighted_score[allowed]}

        # The baseline's text index over the open openings, and its score of every pair the fixed rules allow.
        documents = [" ".join([raw.opening_rows[i]["title"], *labels(raw.opening_rows[i]["required_skills"]),
                               raw.opening_rows[i]["occupation"]]) for i in o_ids]
        vectorizer = TfidfVectorizer()
        matrix = vectorizer.fit_transform(documents)
        queries = vectorizer.transform([" ".join(labels(raw.trainee_rows[i]["skills"])) for i in t_ids])
        cosine = np.asarray(queries[fixed.t].multiply(matrix[fixed.o]).sum(axis=1)).ravel()
        km = haversine_km(raw.t["lat"][fixed.t], raw.t["lon"][fixed.t], raw.o["lat"][fixed.o], raw.o["lon"][fixed.o])
        scores["tfidf"] = cosine - args.distance_weight * km / 50.0

        def api_ndcg(rules: AllowedSet) -> tuple[list[float], list[bool], list[str]]:
            """NDCG@10 of /matches for the sampled trainees with an opening these rules allow, whether each has
            more than 10, and the model versions that answered."""
            values, deep, versions = [], [], set()
            headers = {"Authorization": f"Bearer {served.key}"}
            with httpx.Client(base_url=served.base_url, headers=headers, timeout=60.0) as client:
                for trainee_id in ids:
                    response = client.get(f"/v1/trainees/{trainee_id}/matches",
                                          params={"limit": K, "as_of": AS_OF.isoformat()})
                    if response.status_code != 200:
                        raise RuntimeError(f"/matches answered {response.status_code}: {response.text[:500]}")
                    answer = response.json()
                    versions.add(answer["model_version"])
                    mine = rules.by_trainee[row_of[trainee_id]]
                    if not mine.size:
                        continue
                    gain_of = dict(zip(o_id_array[rules.o[mine]].tolist(), rules.true_p[mine].tolist()))
                    api = [m["opening_external_id"] for m in answer["data"]]
                    figures.outside += sum(1 for eid in api if eid not in gain_of)
                    values.append(ndcg(np.array([gain_of.get(eid, 0.0) for eid in api]), rules.true_p[mine]))
                    deep.append(mine.size > K)
            return values, deep, sorted(versions)

        def keep(name: str, values: list[float], deep: list[bool]) -> None:
            figures.ndcg[name] = np.array(values)
            figures.ndcg_deep[name] = np.array(values)[np.array(deep, dtype=bool)] if values else np.zeros(0)

        ndcg_values, deep_flags, versions = api_ndcg(fixed)
        keep("weighted", ndcg_values, deep_flags)
        figures.counts["version weighted"] = ", ".join(versions)
        tfidf_values, tfidf_deep = [], []
        for trainee_id in ids:
            mine = fixed.by_trainee[row_of[trainee_id]]
            if mine.size:
                top = mine[np.lexsort((o_id_array[fixed.o[mine]], -np.round(scores["tfidf"][mine], 12)))][:K]
                tfidf_values.append(ndcg(fixed.true_p[top], fixed.true_p[mine]))
                tfidf_deep.append(mine.size > K)
        keep("tfidf", tfidf_values, tfidf_deep)
        figures.seconds["measure before training"] = time.perf_counter() - started

        started = time.perf_counter()
        train(db=db, reference=ref, as_of=AS_OF)
        figures.seconds["train"] = time.perf_counter() - started
        started = time.perf_counter()
        trained, model_versions = build_matcher(db=db, reference=ref)
        # The pairs the service's rules allow once trained (the calibrated commute model is active), and the
        # trained model's score of each: the trained ranker is measured within these.
        trained_allowed = np.zeros(every_t.size, dtype=bool)
        trained_score = np.zeros(every_t.size)
        for start in range(0, every_t.size, SCORE_CHUNK):
            part = slice(start, start + SCORE_CHUNK)
            scored = trained.score_pairs(trainees, every_t[part], openings, every_o[part], as_of=AS_OF)
            trained_allowed[part], trained_score[part] = scored.allowed, scored.score
        sets["calibrated"] = AllowedSet.of(every_t[trained_allowed], every_o[trained_allowed], raw, capacity,
                                           [row_of[i] for i in ids])
        scores["trained"] = trained_score[trained_allowed]
        ndcg_values, deep_flags, versions = api_ndcg(sets["calibrated"])
        keep("trained", ndcg_values, deep_flags)
        figures.counts["version trained"] = ", ".join(versions)
        figures.counts["rules"] = dict(RULES_OF)
        for name, rules in sets.items():
            figures.counts[f"allowed pairs {name}"] = int(rules.t.size)
            figures.counts[f"oracle {name}"] = rules.oracle_text
            figures.counts[f"mean allowed {name}"] = float(np.mean([rules.by_trainee[row_of[i]].size for i in ids]))
            figures.counts[f"scored {name}"] = int(sum(1 for i in ids if rules.by_trainee[row_of[i]].size))

        # The nightly run against the oracle, on the pairs the ranker's rules allow.
        low, high = scores["tfidf"].min(), scores["tfidf"].max()  # the assignment takes scores in 0..1
        unit = {"weighted": scores["weighted"], "trained": scores["trained"],
                "tfidf": ((scores["tfidf"] - low) / max(high - low, 1e-12)) * 0.999 + 0.001}
        for name in RANKERS:
            rules = sets[RULES_OF[name]]
            run = solve_assignment(rules.t, rules.o, unit[name], capacity)
            figures.assignment_share[name] = rules.truly(run) / rules.oracle
            figures.proposals[name] = int(run.trainee.size)
        for name, matcher in (("weighted", weighted), ("trained", trained)):
            rules = sets[RULES_OF[name]]
            found, _ = candidate_engine.generate(matcher=matcher, trainees=trainees, openings=openings, as_of=AS_OF,
                                                 k=TOP_PER_TRAINEE, block_size=500,
                                                 excluded=np.zeros(0, dtype=np.int64))
            run = solve_assignment(found.trainee, found.opening, found.score, capacity)
            figures.nightly_share[name] = rules.truly(run) / rules.oracle
        chosen = keep_top_k(fixed.t, fixed.o, unit["tfidf"], TOP_PER_TRAINEE)
        run = solve_assignment(fixed.t[chosen], fixed.o[chosen], unit["tfidf"][chosen], capacity)
        figures.nightly_share["tfidf"] = fixed.truly(run) / fixed.oracle

        # Calibration on every allowed pair, and the first-ranked opening of each trainee.
        for set_name, rules in sets.items():
            drawn = np.random.default_rng(args.seed + 2).random(rules.true_p.size) < rules.true_p
            figures.brier[f"base rate {set_name}"] = float(np.mean((rules.true_p.mean() - drawn) ** 2))
            figures.mean_predicted[f"truth {set_name}"] = float(rules.true_p.mean())
            for name in ("weighted", "trained"):
                if RULES_OF[name] == set_name:
                    figures.brier[name] = float(np.mean((scores[name] - drawn) ** 2))
                    figures.mean_predicted[name] = float(scores[name].mean())
                    figures.reliability[name] = reliability(scores[name], rules.true_p)
        for name in RANKERS:
            rules = sets[RULES_OF[name]]
            first = top_of_each(rules.t, scores[name], o_id_array[rules.o])
            at_level, at_all = skills_met(trainees, rules.t[first], openings, rules.o[first])
            figures.lacking[name] = (int((at_level == 0).sum()), int((at_all == 0).sum()), int(first.size))

        # The commute estimate against the world's journeys: the fixed formula, and the calibration training
        # registered (fitted on the journeys the bundle records at follow-ups and to the training centres).
        figures.commute.update(recorded_journey_error(served.bundle, raw, ref))
        figures.commute.update(recorded_journey_error(served.bundle, raw, ref, model=trained.commute_model,
                                                      prefix="calibrated "))
        figures.counts["commute version"] = model_versions.get("commute", "?")
        within = commute_only
        true_minutes = raw.journey_minutes(every_t[within], every_o[within])
        limit = np.array([float(v) for v in raw.t["max_commute_minutes"]])[every_t[within]]
        relocates = ((raw.t["willing_to_relocate"][every_t[within]] == "true")
                     & (raw.o["accommodation_provided"][every_o[within]] == "true"))
        truly_over = ~(true_minutes <= limit) & ~relocates
        formula_blocks = commute_blocked[within]
        figures.commute["allowed pairs"] = int((~formula_blocks).sum())
        figures.commute["blocked pairs"] = int(formula_blocks.sum())
        figures.commute["allowed, truly over"] = int((~formula_blocks & truly_over).sum())
        figures.commute["blocked, truly within"] = int((formula_blocks & ~truly_over).sum())
        rule = trained.rules[trained.rule_codes.index("commute_too_long")]
        pairs_t, pairs_o = every_t[within], every_o[within]
        calibrated_blocks = np.zeros(pairs_t.size, dtype=bool)
        estimates = {"fixed": np.zeros(pairs_t.size), "calibrated": np.zeros(pairs_t.size)}
        for start in range(0, pairs_t.size, SCORE_CHUNK):
            part = slice(start, start + SCORE_CHUNK)
            context = trained.context(trainees, pairs_t[part], openings, pairs_o[part], as_of=AS_OF)
            calibrated_blocks[part] = rule.violated(context)
            estimates["calibrated"][part] = context.estimated_minutes
            estimates["fixed"][part] = weighted.context(trainees, pairs_t[part], openings, pairs_o[part],
                                                        as_of=AS_OF).estimated_minutes
        newly_allowed, newly_blocked = formula_blocks & ~calibrated_blocks, ~formula_blocks & calibrated_blocks
        figures.commute.update({
            "calibrated allowed pairs": int((~calibrated_blocks).sum()),
            "calibrated allowed, truly over": int((~calibrated_blocks & truly_over).sum()),
            "calibrated blocked pairs": int(calibrated_blocks.sum()),
            "calibrated blocked, truly within": int((calibrated_blocks & ~truly_over).sum()),
            "now allowed": int(newly_allowed.sum()),
            "now allowed, truly within": int((newly_allowed & ~truly_over).sum()),
            "now blocked": int(newly_blocked.sum()), "now blocked, truly over": int((newly_blocked & truly_over).sum()),
        })
        # Bias on the pairs the rule judges (chosen by the other rules, not by their true journey): the median of
        # estimate / true journey, over every such pair and over those whose true journey is near her limit.
        near = (true_minutes > 0.75 * limit) & (true_minutes < 1.25 * limit)
        for name, estimate in estimates.items():
            ratio = estimate / true_minutes
            figures.commute[f"{name} median ratio"] = float(np.median(ratio))
            figures.commute[f"{name} median ratio near"] = float(np.median(ratio[near])) if near.any() else math.nan

        figures.counts.update({
            "job-ready trainees": len(t_ids), "open openings": len(o_ids), "positions": int(capacity.sum()),
            "queried": len(ids), "outcome model": model_versions.get("outcome", "?"),
        })
        figures.seconds["measure after training"] = time.perf_counter() - started
        db.dispose()
    return figures


#: The rules each ranker answers under: the weighted score and the TF-IDF baseline under the fixed commute
#: formula (the service before training), the trained model under the calibrated one (the service after it).
RULES_OF = {"weighted": "fixed", "tfidf": "fixed", "trained": "calibrated"}


@dataclass
class AllowedSet:
    """The pairs one version of the service's rules allows, their truth, and the oracle assignment on them."""

    t: np.ndarray
    o: np.ndarray
    true_p: np.ndarray
    by_trainee: dict[int, np.ndarray]
    key_of: dict[tuple[int, int], int]
    oracle: float
    oracle_text: str

    @classmethod
    def of(cls, t: np.ndarray, o: np.ndarray, raw: RawPairs, capacity: np.ndarray, rows: list[int]) -> AllowedSet:
        from matching.assignment import solve_assignment
        true_p = raw.probability(t, o)
        key_of = {key: k for k, key in enumerate(zip(t.tolist(), o.tolist()))}
        found = cls(t=t, o=o, true_p=true_p, by_trainee={r: np.flatnonzero(t == r) for r in rows}, key_of=key_of,
                    oracle=0.0, oracle_text="")
        best = solve_assignment(t, o, true_p, capacity)
        found.oracle = found.truly(best)
        found.oracle_text = f"{best.trainee.size} proposals, {found.oracle:.1f} expected to last 12 months"
        return found

    def truly(self, result) -> float:
        """Expected placements lasting 12 months (summed truth) of an assignment's pairs; a pair these rules do
        not allow counts 0."""
        return float(sum(self.true_p[self.key_of[(t, o)]] for t, o in zip(result.trainee.tolist(),
                                                                           result.opening.tolist())
                         if (t, o) in self.key_of))


def recorded_journey_error(bundle: Path, raw: RawPairs, ref, model=None, prefix: str = "") -> dict[str, float]:
    """A commute model's error against the journeys recorded at placements (minutes, estimate - recorded): the
    fixed formula's by default. Keys start with ``prefix``."""
    from demo.journeys import read_recorded_journeys
    from matching.commute import commute_minutes
    rows = read_recorded_journeys(bundle)
    t_rows = [raw.trainee_rows[r["trainee_external_id"]] for r in rows]
    o_rows = [raw.opening_rows[r["opening_external_id"]] for r in rows]
    km = haversine_km(np.array([float(r["lat"]) for r in t_rows]), np.array([float(r["lon"]) for r in t_rows]),
                      np.array([float(r["lat"]) for r in o_rows]), np.array([float(r["lon"]) for r in o_rows]))

    def area(district: str) -> str | None:
        try:
            return ref.site.gazetteer.get(district).area_type
        except KeyError:
            return None

    estimate = commute_minutes(km, np.array([area(r["district"]) for r in t_rows], dtype=object),
                               np.array([area(r["district"]) for r in o_rows], dtype=object), model=model)
    recorded = np.array([float(r["journey_minutes"]) for r in rows])
    error = estimate - recorded
    found = {"journeys": len(rows), "mean abs error": float(np.abs(error).mean()),
             "median abs error": float(np.median(np.abs(error))), "mean error": float(error.mean()),
             "within 10 min": float(np.mean(np.abs(error) <= 10.0)),
             "median recorded": float(np.median(recorded))}
    if model is not None:
        low, high = model.minutes_range(estimate)
        found["within range"] = float(np.mean((recorded >= low) & (recorded <= high)))
    return {prefix + key: value for key, value in found.items()}


# ------------------------------------------------------------------ the side-by-side table


def print_tables(results: list[Figures], args: argparse.Namespace) -> None:
    rng = np.random.default_rng(args.seed)
    label_width, cell = 44, 12
    group = cell * len(RANKERS) + 4

    def header() -> None:
        print()
        print(" " * label_width + "".join(f"{r.truth + ' truth':^{group}}" for r in results))
        print(" " * label_width + "".join("".join(f"{RANKER_NAMES[n]:>{cell}}" for n in RANKERS) + " " * 4
                                          for _ in results))

    def row(label: str, cells: list[list[str]]) -> None:
        print(f"{label:<{label_width}}" + "".join("".join(f"{c:>{cell}}" for c in part) + " " * 4 for part in cells))

    print()
    print(f"Matching quality against the hidden truth: {args.trainees:,} trainees, {args.openings:,} open openings, "
          f"seed {args.seed}, as of {AS_OF.isoformat()}")
    for r in results:
        c = r.counts
        print(f"  {r.truth}: {c['job-ready trainees']} job-ready trainees x {c['open openings']} open openings, "
              f"{c['positions']} positions; /matches asked for {c['queried']} trainees; model_version "
              f"{c['version weighted']} then {c['version trained']}; commute {c['commute version']}")
        for name in ("fixed", "calibrated"):
            rankers = ", ".join(RANKER_NAMES[n] for n, rules in RULES_OF.items() if rules == name)
            print(f"    rules with the {name} commute model ({rankers}): {c[f'allowed pairs {name}']:,} allowed pairs,"
                  f" {c[f'scored {name}']} asked trainees with an allowed opening ({c[f'mean allowed {name}']:.0f}"
                  f" on average); oracle {c[f'oracle {name}']}")
    header()

    def ndcg_cells(values: dict[str, np.ndarray]) -> list[str]:
        return [f"{values[n].mean():.3f}" if values[n].size else "n/a" for n in RANKERS]

    row("NDCG@10 of /matches (floor 0.95)", [ndcg_cells(r.ndcg) for r in results])
    intervals = []
    for r in results:
        part = []
        for n in RANKERS:
            low, high = bootstrap(r.ndcg[n], args.bootstrap, rng)
            part.append(f"{low:.3f}-{high:.3f}")
        intervals.append(part)
    row("  95 % interval", intervals)
    row("  trainees with > 10 allowed openings", [ndcg_cells(r.ndcg_deep) for r in results])
    row("assignment / oracle, allowed pairs (0.95)", [[f"{r.assignment_share[n]:.3f}" for n in RANKERS]
                                                      for r in results])
    row("  proposals", [[f"{r.proposals[n]}" for n in RANKERS] for r in results])
    row("  nightly run's candidates / oracle", [[f"{r.nightly_share[n]:.3f}" for n in RANKERS] for r in results])
    row("Brier, outcomes drawn from the truth", [[f"{r.brier[n]:.4f}" if n in r.brier else "n/a" for n in RANKERS]
                                                 for r in results])
    row("  Brier of the base rate", [[f"{r.brier['base rate ' + RULES_OF[n]]:.4f}" if n in r.brier else ""
                                      for n in RANKERS] for r in results])
    row("  mean predicted (mean truth)", [[f"{r.mean_predicted[n]:.2f} ({r.mean_predicted['truth ' + RULES_OF[n]]:.2f})"
                                           if n in r.mean_predicted else "n/a" for n in RANKERS] for r in results])
    row("#1 lacking every required skill (must be 0)", [[f"{r.lacking[n][0]}" for n in RANKERS] for r in results])
    row("  ... at any level", [[f"{r.lacking[n][1]}" for n in RANKERS] for r in results])
    row("  trainees with an allowed opening", [[f"{r.lacking[n][2]}" for n in RANKERS] for r in results])

    print()
    print("Reliability on every allowed pair: mean predicted / mean truth, 5 bins of equal count by prediction")
    print(f"{'':<{label_width}}" + "".join(f"{r.truth + ' truth':^{group}}" for r in results))
    print(" " * label_width + "".join(f"{'weighted':>{cell + 5}}{'trained':>{cell + 5}}" + " " * (group - 2 * cell - 10)
                                      for _ in results))
    for b in range(RELIABILITY_BINS):
        cells = []
        for r in results:
            part = [f"{r.reliability[n][b][0]:.2f} / {r.reliability[n][b][1]:.2f}" for n in ("weighted", "trained")]
            cells.append(part)
        print(f"{f'  bin {b + 1}':<{label_width}}" + "".join(
            f"{part[0]:>{cell + 5}}{part[1]:>{cell + 5}}" + " " * (group - 2 * cell - 10) for part in cells))

    width = 20
    print()
    print(f"{'Commute estimate vs journeys (fixed | calibrated)':<{label_width}}"
          + "".join(f"{r.truth + ' truth':^{width}}" for r in results))

    def commute_row(label: str, text) -> None:
        print(f"{label:<{label_width}}" + "".join(f"{text(r.commute):^{width}}" for r in results))

    commute_row("journeys recorded at placements", lambda c: f"{c['journeys']}")
    commute_row("  median recorded, min", lambda c: f"{c['median recorded']:.0f}")
    commute_row("  mean absolute error, min",
                lambda c: f"{c['mean abs error']:.1f} | {c['calibrated mean abs error']:.1f}")
    commute_row("  median absolute error, min",
                lambda c: f"{c['median abs error']:.1f} | {c['calibrated median abs error']:.1f}")
    commute_row("  mean error (estimate - recorded), min",
                lambda c: f"{c['mean error']:+.1f} | {c['calibrated mean error']:+.1f}")
    commute_row("  within 10 min", lambda c: f"{c['within 10 min']:.0%} | {c['calibrated within 10 min']:.0%}")
    commute_row("  within the calibrated range", lambda c: f"{c['calibrated within range']:.0%}")
    commute_row("pairs breaking no other rule: allowed", lambda c: f"{c['allowed pairs']:,}")
    commute_row("  allowed, true journey over her limit", lambda c: f"{c['allowed, truly over']:,}")
    commute_row("  (share of allowed)", lambda c: f"{c['allowed, truly over'] / max(c['allowed pairs'], 1):.1%}")
    commute_row("blocked by the commute rule", lambda c: f"{c['blocked pairs']:,}")
    commute_row("  blocked, true journey within her limit", lambda c: f"{c['blocked, truly within']:,}")
    commute_row("  (share of blocked)", lambda c: f"{c['blocked, truly within'] / max(c['blocked pairs'], 1):.1%}")
    commute_row("calibrated: allowed", lambda c: f"{c['calibrated allowed pairs']:,}")
    commute_row("  allowed, true journey over her limit", lambda c: f"{c['calibrated allowed, truly over']:,}")
    commute_row("  blocked", lambda c: f"{c['calibrated blocked pairs']:,}")
    commute_row("  blocked, true journey within her limit", lambda c: f"{c['calibrated blocked, truly within']:,}")
    commute_row("median estimate / true journey, pairs judged",
                lambda c: f"{c['fixed median ratio']:.3f} | {c['calibrated median ratio']:.3f}")
    commute_row("  true journey within 0.75-1.25 x her limit",
                lambda c: f"{c['fixed median ratio near']:.3f} | {c['calibrated median ratio near']:.3f}")
    commute_row("allowed now, the fixed formula blocked", lambda c: f"{c['now allowed']:,}")
    commute_row("  of them truly within her limit", lambda c: f"{c['now allowed, truly within']:,}")
    commute_row("blocked now, the fixed formula allowed", lambda c: f"{c['now blocked']:,}")
    commute_row("  of them truly over her limit", lambda c: f"{c['now blocked, truly over']:,}")

    print()
    print("Each ranker within the pairs its service's rules allow: weighted and TF-IDF under the fixed commute formula")
    print("(before training), trained under the calibrated commute model (after it); each against its own oracle.")
    print("NDCG@10: linear gains (the truth probability), ideal = her allowed openings in truth order; 95 % interval:")
    print(f"percentile bootstrap over trainees ({args.bootstrap} resamples). Oracle: exact assignment on the truth")
    print("over every allowed pair. #1 lacking: her first-ranked allowed opening, none of its required skills at the")
    print("required level in her recorded skills. Errors of the commute estimate: minutes, one way.")
    for r in results:
        if r.outside:
            print(f"warning ({r.truth}): {r.outside} /matches results were not in the allowed set (counted as gain 0)")
        print(f"{r.truth}: " + ", ".join(f"{name} {s:.1f} s" for name, s in r.seconds.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trainees", type=int, default=1_500)
    parser.add_argument("--openings", type=int, default=400, help="open openings")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--queries", type=int, default=150, help="job-ready trainees asked through /matches")
    parser.add_argument("--bootstrap", type=int, default=1_000, help="bootstrap resamples")
    parser.add_argument("--distance-weight", type=float, default=0.3,
                        help="TF-IDF baseline: similarity lost per 50 km")
    parser.add_argument("--truth", action="append", choices=("additive", "interactions"), default=[],
                        help="truth forms to measure (default: both)")
    args = parser.parse_args()
    begun = time.perf_counter()
    results = [measure_truth(form, args) for form in (args.truth or ["additive", "interactions"])]
    print_tables(results, args)
    print(f"total {time.perf_counter() - begun:.1f} s")


if __name__ == "__main__":
    main()
