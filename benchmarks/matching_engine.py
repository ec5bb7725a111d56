"""Matching engine speed: the vectorised engine against the pair-by-pair reference, in-process.

    python benchmarks/matching_engine.py [--sizes 1000 10000 100000] [--queries 200] [--seed 7]

Builds synthetic openings (and trainees) for the West Bengal site, then times
``MatchEngine.rank_openings`` for random trainees against every opening (p50
and p99 over ``--queries`` trainees) and ``matching.testing.naive.naive_rank_openings``
on the same data (fewer repetitions for the large tables), and the same for
``rank_trainees``. Also reports how long building the tables takes and the
memory the tables hold. Prints a table; not a test.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from matching.engine import MatchEngine
from matching.features import PairContext
from matching.reference import default_data_dir, load_site, load_taxonomy
from matching.safety import evaluate_rules
from matching.tables import OpeningTable, TraineeTable
from matching.testing.naive import naive_rank_openings, naive_rank_trainees

AS_OF = datetime.date(2026, 3, 1)
LANGUAGE_SETS = ([], ["bn"], ["bn"], ["bn", "hi"], ["hi"], ["en"], ["bn", "en"])
SPOKEN_SETS = (["bn"], ["bn", "hi"], ["bn", "hi", "en"], ["hi"], ["bn", "en"], ["ne", "hi"])


def synthetic_employers(n: int, rng: np.random.Generator) -> dict[str, dict[str, Any]]:
    vetted = rng.random(n) < 0.85
    age = rng.integers(0, 540, n)
    dated = rng.random(n) < 0.95
    return {f"EMP{i:05d}": {"vetted": bool(vetted[i]),
                            "vetted_on": AS_OF - datetime.timedelta(days=int(age[i])) if dated[i] else None}
            for i in range(n)}


def synthetic_openings(n: int, taxonomy, site, employers: dict,
                       rng: np.random.Generator) -> list[dict[str, Any]]:
    districts = site.gazetteer.districts
    occupations = list(taxonomy.occupations.values())
    skills = taxonomy.skill_codes
    employer_ids = list(employers)
    d_pick = rng.choice(len(districts), n, p=_district_weights(districts))
    o_pick = rng.integers(0, len(occupations), n)
    e_pick = rng.integers(0, len(employer_ids), n)
    jitter = rng.normal(0, 0.08, (n, 2))
    wage_factor = rng.uniform(0.92, 1.45, n)
    shift = rng.choice(["day", "night", "rotating"], n, p=[0.8, 0.1, 0.1])
    transport = rng.random(n) < 0.3
    accommodation = rng.random(n) < 0.15
    status = np.where(rng.random(n) < 0.85, "open", "closed")
    posted = rng.integers(-120, 10, n)
    closes = rng.integers(-10, 90, n)
    has_close = rng.random(n) < 0.6
    positions = rng.integers(0, 10, n)
    languages = rng.integers(0, len(LANGUAGE_SETS), n)
    extra = rng.random(n) < 0.3
    extra_skill = rng.integers(0, len(skills), n)
    level_shift = rng.integers(-1, 2, n)
    out = []
    for i in range(n):
        district = districts[d_pick[i]]
        occupation = occupations[o_pick[i]]
        minimum = site.minimum_wages.minimum(skill_category=occupation.skill_category, zone=district.zone, on=AS_OF)
        required = [{"label": s, "level": int(min(3, max(1, lvl + (level_shift[i] if k == 0 else 0)))), "skill": s}
                    for k, (s, lvl) in enumerate(occupation.core_skills)]
        if extra[i]:
            required.append({"label": skills[extra_skill[i]], "level": 1, "skill": skills[extra_skill[i]]})
        out.append({
            "external_id": f"OPN{i:06d}", "employer_external_id": employer_ids[e_pick[i]], "title": occupation.name,
            "occupation": occupation.code, "occupation_code": occupation.code, "sector": occupation.sector,
            "required_skills": required, "district": district.name,
            "lat": round(district.lat + jitter[i, 0], 4), "lon": round(district.lon + jitter[i, 1], 4),
            "monthly_wage_inr": int(round(minimum * wage_factor[i], -2)), "positions": int(positions[i]),
            "shift": str(shift[i]), "accommodation_provided": bool(accommodation[i]),
            "transport_provided": bool(transport[i]), "languages_required": LANGUAGE_SETS[languages[i]],
            "status": str(status[i]), "posted_on": AS_OF + datetime.timedelta(days=int(posted[i])),
            "closes_on": AS_OF + datetime.timedelta(days=int(closes[i])) if has_close[i] else None,
        })
    return out


def synthetic_trainees(n: int, taxonomy, site, employers: dict,
                       rng: np.random.Generator) -> list[dict[str, Any]]:
    districts = site.gazetteer.districts
    occupations = list(taxonomy.occupations.values())
    skills = taxonomy.skill_codes
    sectors = list(taxonomy.sectors)
    employer_ids = list(employers)
    d_pick = rng.choice(len(districts), n, p=_district_weights(districts))
    o_pick = rng.integers(0, len(occupations), n)
    jitter = rng.normal(0, 0.06, (n, 2))
    status = rng.choice(["job_ready", "in_training", "placed", "exited"], n, p=[0.7, 0.2, 0.07, 0.03])
    levels = rng.integers(1, 4, (n, 6))
    extra = rng.integers(0, len(skills), (n, 2))
    n_extra = rng.integers(0, 3, n)
    spoken = rng.integers(0, len(SPOKEN_SETS), n)
    pref = rng.integers(0, len(sectors), (n, 2))
    n_pref = rng.integers(0, 3, n)
    commute = rng.choice([30, 45, 60, 75, 90, 120], n)
    out = []
    for i in range(n):
        district = districts[d_pick[i]]
        track = occupations[o_pick[i]]
        minimum = site.minimum_wages.minimum(skill_category=track.skill_category, zone=district.zone, on=AS_OF)
        own = [{"label": s, "level": int(levels[i, k]), "skill": s} for k, (s, _) in enumerate(track.core_skills)]
        own += [{"label": skills[extra[i, k]], "level": 1, "skill": skills[extra[i, k]]} for k in range(n_extra[i])]
        r = rng.random(8)
        out.append({
            "external_id": f"TRN{i:06d}", "partner_org": "synthetic", "status": str(status[i]),
            "district": district.name,
            "lat": round(district.lat + jitter[i, 0], 4), "lon": round(district.lon + jitter[i, 1], 4),
            "skills": own, "languages": SPOKEN_SETS[spoken[i]],
            "preferred_sectors": [sectors[pref[i, k]] for k in range(n_pref[i])],
            "max_commute_minutes": int(commute[i]), "willing_to_relocate": bool(r[0] < 0.2),
            "night_shift_ok": bool(r[1] < 0.25), "has_dependents": bool(r[2] < 0.5),
            "attendance_rate": round(0.5 + 0.5 * r[3], 2) if r[4] < 0.9 else None,
            "expected_wage_inr": int(round(minimum * (0.9 + 0.3 * r[5]), -2)) if r[6] < 0.9 else None,
            "excluded_employers": [employer_ids[int(r[7] * len(employer_ids))]] if r[7] < 0.1 else [],
            "excluded_districts": [districts[(d_pick[i] + 3) % len(districts)].name] if r[2] > 0.95 else [],
            "available_from": AS_OF - datetime.timedelta(days=int(30 * r[3])) if r[4] > 0.1 else None,
            "is_survivor": bool(r[0] > 0.5), "training_track": track.code,
        })
    return out


def _district_weights(districts) -> np.ndarray:
    weight = np.array([{"metro": 4.0, "urban": 2.0}.get(d.area_type, 1.0) for d in districts])
    return weight / weight.sum()


def _percentiles(seconds: list[float]) -> tuple[float, float]:
    ms = np.array(seconds) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def _build(build) -> tuple[Any, float, int]:
    """The table, the seconds one build takes, and the bytes the table holds (measured on a second build)."""
    started = time.perf_counter()
    table = build()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    again = build()
    retained = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del again
    return table, seconds, retained


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--trainee-sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    taxonomy = load_taxonomy(default_data_dir() / "taxonomy.json")
    site = load_site(default_data_dir() / "sites" / "west_bengal")
    rng = np.random.default_rng(args.seed)
    employers = synthetic_employers(2_000, rng)
    engine = MatchEngine(taxonomy=taxonomy, site=site)
    pool = synthetic_trainees(max(args.queries, 1_000), taxonomy, site, employers, rng)
    pool_table = TraineeTable.from_records(pool, taxonomy=taxonomy, site=site)
    ready = [i for i, t in enumerate(pool) if t["status"] == "job_ready"]

    print(f"rank_openings: one trainee against every opening, as of {AS_OF}, limit 10 "
          f"({args.queries} random job-ready trainees)")
    print("(allowed: openings passing every safety rule for the trainee, mean over 20 trainees)")
    header = (f"{'openings':>9} {'build s':>8} {'table MB':>9} {'allowed':>8} {'p50 ms':>8} {'p99 ms':>8}"
              f" {'naive p50 ms':>13} {'naive runs':>10} {'speed-up':>9}")
    print(header)
    print("-" * len(header))
    for n in args.sizes:
        records = synthetic_openings(n, taxonomy, site, employers, rng)
        table, build_s, retained = _build(
            lambda records=records: OpeningTable.from_records(records, employers=employers, taxonomy=taxonomy,
                                                              site=site))
        queries = [ready[int(k)] for k in rng.integers(0, len(ready), args.queries)]
        engine.rank_openings(pool_table, queries[0], table, as_of=AS_OF)         # warm the per-table caches
        times = []
        for q in queries:
            started = time.perf_counter()
            engine.rank_openings(pool_table, q, table, as_of=AS_OF, limit=10)
            times.append(time.perf_counter() - started)
        p50, p99 = _percentiles(times)
        allowed = [len(engine.rank_openings(pool_table, q, table, as_of=AS_OF, limit=None)) for q in queries[:20]]
        runs = max(3, min(len(queries), int(500_000 // n)))
        naive_times = []
        for q in queries[:runs]:
            started = time.perf_counter()
            naive_rank_openings(pool[q], records, employers=employers, taxonomy=taxonomy, site=site, as_of=AS_OF,
                                limit=10)
            naive_times.append(time.perf_counter() - started)
        naive_p50, _ = _percentiles(naive_times)
        print(f"{n:>9,} {build_s:>8.2f} {retained / 1e6:>9.1f} {np.mean(allowed):>8.1f} {p50:>8.2f} {p99:>8.2f}"
              f" {naive_p50:>13.1f} {runs:>10} {naive_p50 / p50:>8.0f}x")

    print()
    print(f"rank_trainees: one opening against every trainee, limit 20 ({args.queries} random openings that"
          " pass the opening's own checks: open, vetted employer, legal wage)")
    header = (f"{'trainees':>9} {'build s':>8} {'table MB':>9} {'p50 ms':>8} {'p99 ms':>8}"
              f" {'naive p50 ms':>13} {'naive runs':>10} {'speed-up':>9}")
    print(header)
    print("-" * len(header))
    opening_records = synthetic_openings(2_000, taxonomy, site, employers, rng)
    openings = OpeningTable.from_records(opening_records, employers=employers, taxonomy=taxonomy, site=site)
    own_rules = [rule for rule in engine.rules if getattr(rule, "scope", "pair") == "opening"]
    checks = evaluate_rules(PairContext.for_trainee(pool_table, 0, openings, as_of=AS_OF, site=site), own_rules)
    open_rows = np.flatnonzero(~checks.any(axis=1)).tolist()
    for n in args.trainee_sizes:
        records = synthetic_trainees(n, taxonomy, site, employers, rng)
        table, build_s, retained = _build(lambda records=records: TraineeTable.from_records(records, taxonomy=taxonomy,
                                                                                             site=site))
        queries = [open_rows[int(k)] for k in rng.integers(0, len(open_rows), args.queries)]
        engine.rank_trainees(openings, queries[0], table, as_of=AS_OF)
        times = []
        for q in queries:
            started = time.perf_counter()
            engine.rank_trainees(openings, q, table, as_of=AS_OF, limit=20)
            times.append(time.perf_counter() - started)
        p50, p99 = _percentiles(times)
        runs = max(3, min(len(queries), int(300_000 // n)))
        naive_times = []
        for q in queries[:runs]:
            started = time.perf_counter()
            naive_rank_trainees(opening_records[q], records, employers=employers, taxonomy=taxonomy, site=site,
                                as_of=AS_OF, limit=20)
            naive_times.append(time.perf_counter() - started)
        naive_p50, _ = _percentiles(naive_times)
        print(f"{n:>9,} {build_s:>8.2f} {retained / 1e6:>9.1f} {p50:>8.2f} {p99:>8.2f}"
              f" {naive_p50:>13.1f} {runs:>10} {naive_p50 / p50:>8.0f}x")

    print()
    pairs = 1_000_000
    t_idx = rng.integers(0, len(pool_table), pairs)
    o_idx = rng.integers(0, len(openings), pairs)
    started = time.perf_counter()
    scores = engine.score_pairs(pool_table, t_idx, openings, o_idx, as_of=AS_OF)
    seconds = time.perf_counter() - started
    print(f"score_pairs: {pairs:,} aligned pairs in {seconds:.2f} s ({scores.allowed.mean():.1%} allowed)")


if __name__ == "__main__":
    main()
