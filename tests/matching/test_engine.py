"""The engine: ranking, determinism, blocked results, explanations, and agreement with the pair-by-pair reference."""

from __future__ import annotations

import datetime
import random
import re

import numpy as np
import pytest

from matching.demand import TableDemand
from matching.engine import Match, MatchEngine, PairScores, top_k
from matching.reference import Site, Taxonomy
from matching.safety import SAFETY_RULES
from matching.scoring import BASELINE, logit
from matching.tables import OpeningTable, TraineeTable
from matching.testing.naive import naive_pair, naive_rank_openings, naive_rank_trainees

AS_OF = datetime.date(2026, 3, 1)


# --------------------------------------------------------------------------- synthetic records


def random_case(seed: int, taxonomy: Taxonomy, site: Site, n_trainees: int = 12, n_openings: int = 40):
    """Small random trainees, employers and openings, varied enough to reach every rule and feature."""
    rng = random.Random(seed)
    districts = ["Kolkata", "Kolkata", "Calcutta", "Howrah", "Haora", "North 24 Parganas", "N 24 Pgs",
                 "South 24 Parganas", "Hooghly", "Nadia", "Darjeeling", "Atlantis"]
    occupations = list(taxonomy.occupations)
    skills = list(taxonomy.skills)
    employers = {}
    for k in range(8):
        choice = rng.random()
        vetted_on = None if choice > 0.97 else AS_OF - datetime.timedelta(days=rng.randint(-3, 390))
        employers[f"E{k}"] = {"vetted": choice > 0.05, "vetted_on": vetted_on}

    def skill_list(n: int) -> list[dict]:
        out = []
        for _ in range(n):
            code = rng.choice(skills)
            out.append({"label": code, "level": rng.randint(1, 3), "skill": code if rng.random() > 0.05 else None})
        return out

    def maybe_coords(district: str) -> dict:
        found = site.gazetteer.resolve(district)
        if found is None:
            return {"lat": 22.5 + rng.random(), "lon": 88.0 + rng.random()} if rng.random() < 0.5 else {}
        if rng.random() < 0.5:
            return {}
        return {"lat": found.lat + rng.uniform(-0.1, 0.1), "lon": found.lon + rng.uniform(-0.1, 0.1)}

    openings = []
    for k in range(n_openings):
        district = rng.choice(districts)
        occupation = rng.choice(occupations)
        openings.append({
            "external_id": f"O{k:03d}", "employer_external_id": rng.choice(list(employers) * 3 + ["E_missing"]),
            "title": "synthetic", "occupation": occupation,
            "occupation_code": occupation if rng.random() > 0.1 else None,
            "sector": taxonomy.occupations[occupation].sector if rng.random() > 0.1 else None,
            "required_skills": skill_list(rng.randint(0, 4)), "district": district, **maybe_coords(district),
            "monthly_wage_inr": rng.choice([9000, 10400, 11500, 12500, 13000, 14000, 16000]),
            "positions": rng.choice([0, 1, 1, 2, 5, 1, 3, 1, 1, 2]),
            "shift": rng.choice(["day"] * 6 + ["night", "rotating"]),
            "accommodation_provided": rng.random() < 0.3, "transport_provided": rng.random() < 0.4,
            "languages_required": rng.choice([[], ["bn"], ["bn", "hi"], ["en"]]),
            "status": "open" if rng.random() < 0.95 else "closed",
            "posted_on": (AS_OF + datetime.timedelta(days=rng.randint(-60, 5))).isoformat(),
            "closes_on": AS_OF + datetime.timedelta(days=rng.randint(-5, 60)) if rng.random() < 0.5 else None,
        })
    trainees = []
    for k in range(n_trainees):
        district = rng.choice(districts)
        trainees.append({
            "external_id": f"T{k:03d}", "partner_org": "p", "status": rng.choice(["job_ready"] * 8 + ["in_training"]),
            "district": district, **maybe_coords(district), "skills": skill_list(rng.randint(0, 6)),
            "languages": rng.choice([["bn"], ["bn", "hi"], ["hi", "en"], []]),
            "preferred_sectors": rng.sample(list(taxonomy.sectors), rng.randint(0, 2)),
            "max_commute_minutes": rng.choice([0, 60, 120, 180, 300]),
            "willing_to_relocate": rng.random() < 0.4, "night_shift_ok": rng.random() < 0.5,
            "has_dependents": rng.random() < 0.5,
            "attendance_rate": rng.choice([None, 0.6, 0.9, 1.0]),
            "expected_wage_inr": rng.choice([None, 9500, 10500, 12000]),
            "excluded_employers": rng.sample(list(employers), rng.choice([0, 0, 1, 2])),
            "excluded_districts": rng.sample(sorted(set(districts)), rng.choice([0, 0, 1, 2])),
            "available_from": rng.choice([None, None, AS_OF, AS_OF - datetime.timedelta(days=3),
                                          AS_OF + datetime.timedelta(days=9)]),
            "is_survivor": rng.random() < 0.5,
            "training_track": rng.choice(occupations + [None]),
        })
    return trainees, employers, openings


def tables(trainees, employers, openings, taxonomy, site):
    return (TraineeTable.from_records(trainees, taxonomy=taxonomy, site=site),
            OpeningTable.from_records(openings, employers=employers, taxonomy=taxonomy, site=site))


def demand_for(site: Site) -> TableDemand:
    names = [d.name for d in site.gazetteer.districts]
    return TableDemand({(names[k % len(names)], occ): 0.3 * ((k % 5) - 2) / 2
                        for k, occ in enumerate(["cashier", "retail_sales_associate", "sewing_machine_operator",
                                                 "general_duty_assistant", "domestic_worker"] * 4)})


# --------------------------------------------------------------------------- agreement with the reference


def _same_ranking(fast: list[Match], slow, tolerance: float = 1e-9) -> None:
    """Same results with the same rules broken and scores; the same order, except between scores equal to
    within ``tolerance`` (the two compute in a different order, so the last bits may differ)."""
    assert sorted(m.external_id for m in fast) == sorted(r.external_id for r in slow)
    assert [m.allowed for m in fast] == [not r.blocked_by for r in slow]
    by_id = {r.external_id: r for r in slow}
    for match in fast:
        reference = by_id[match.external_id]
        assert [v.code for v in match.blocked_by] == list(reference.blocked_by)
        assert match.score == pytest.approx(reference.score, abs=tolerance)
    for mine, theirs in zip(fast, slow):
        if mine.external_id != theirs.external_id:
            assert mine.allowed and mine.score == pytest.approx(theirs.score, abs=tolerance)


@pytest.mark.parametrize("seed", range(6))
def test_vectorised_engine_ranks_like_the_naive_reference(seed: int, taxonomy: Taxonomy, site: Site) -> None:
    trainees, employers, openings = random_case(seed, taxonomy, site)
    trainee_table, opening_table = tables(trainees, employers, openings, taxonomy, site)
    demand = demand_for(site)
    engine = MatchEngine(taxonomy=taxonomy, site=site, demand=demand)
    for i, trainee in enumerate(trainees):
        fast = engine.rank_openings(trainee_table, i, opening_table, as_of=AS_OF, limit=None, include_blocked=True)
        slow = naive_rank_openings(trainee, openings, employers=employers, taxonomy=taxonomy, site=site,
                                   as_of=AS_OF, limit=None, include_blocked=True, demand=demand)
        _same_ranking(fast, slow)
        assert [m.rank for m in fast] == list(range(1, len(fast) + 1))
    for j, opening in enumerate(openings[:10]):
        fast = engine.rank_trainees(opening_table, j, trainee_table, as_of=AS_OF, limit=None, include_blocked=True)
        slow = naive_rank_trainees(opening, trainees, employers=employers, taxonomy=taxonomy, site=site,
                                   as_of=AS_OF, limit=None, include_blocked=True, demand=demand)
        _same_ranking(fast, slow)


@pytest.mark.parametrize("seed", range(3))
def test_every_pair_scores_like_the_naive_reference(seed: int, taxonomy: Taxonomy, site: Site) -> None:
    """Blocked pairs included: score_pairs scores every pair, so the formula is compared on all of them."""
    trainees, employers, openings = random_case(100 + seed, taxonomy, site)
    trainee_table, opening_table = tables(trainees, employers, openings, taxonomy, site)
    demand = demand_for(site)
    engine = MatchEngine(taxonomy=taxonomy, site=site, demand=demand)
    t_idx = np.repeat(np.arange(len(trainees)), len(openings))
    o_idx = np.tile(np.arange(len(openings)), len(trainees))
    scores = engine.score_pairs(trainee_table, t_idx, opening_table, o_idx, as_of=AS_OF)
    for p, (i, j) in enumerate(zip(t_idx.tolist(), o_idx.tolist())):
        score, broken, features = naive_pair(trainees[i], openings[j], employers=employers, taxonomy=taxonomy,
                                             site=site, as_of=AS_OF, demand=demand)
        assert scores.violated_codes(p) == broken
        assert scores.score[p] == pytest.approx(score, abs=1e-9)
        for name, value in features.items():
            assert scores.features[name][p] == pytest.approx(value, abs=1e-9, nan_ok=True), name


def test_score_pairs_agrees_with_ranking(taxonomy: Taxonomy, site: Site) -> None:
    trainees, employers, openings = random_case(11, taxonomy, site)
    trainee_table, opening_table = tables(trainees, employers, openings, taxonomy, site)
    engine = MatchEngine(taxonomy=taxonomy, site=site)
    t_idx, o_idx = np.meshgrid(np.arange(len(trainees)), np.arange(len(openings)), indexing="ij")
    scores = engine.score_pairs(trainee_table, t_idx.ravel(), opening_table, o_idx.ravel(), as_of=AS_OF)
    assert isinstance(scores, PairScores) and len(scores) == t_idx.size
    assert scores.rule_codes == tuple(rule.code for rule in SAFETY_RULES)
    for i in range(len(trainees)):
        ranked = engine.rank_openings(trainee_table, i, opening_table, as_of=AS_OF, limit=None, include_blocked=True)
        for match in ranked:
            p = i * len(openings) + opening_table.index_of(match.external_id)
            assert bool(scores.allowed[p]) == match.allowed
            assert scores.violated_codes(p) == [v.code for v in match.blocked_by]
            bits = [k for k in range(len(scores.rule_codes)) if scores.bitmask[p] >> k & 1]
            assert [scores.rule_codes[k] for k in bits] == scores.violated_codes(p)
            if match.allowed:
                assert scores.score[p] == pytest.approx(match.score, abs=1e-12)


@pytest.mark.parametrize("include_blocked", [False, True])
def test_the_allowed_rows_returned_with_a_ranking_are_the_pairs_score_pairs_allows(
        include_blocked: bool, taxonomy: Taxonomy, site: Site) -> None:
    trainees, employers, openings = random_case(12, taxonomy, site)
    trainee_table, opening_table = tables(trainees, employers, openings, taxonomy, site)
    engine = MatchEngine(taxonomy=taxonomy, site=site)
    for i in range(len(trainees)):
        ranked, allowed = engine.rank_openings_and_allowed(trainee_table, i, opening_table, as_of=AS_OF, limit=3,
                                                           include_blocked=include_blocked)
        scores = engine.score_pairs(trainee_table, np.full(len(openings), i), opening_table,
                                    np.arange(len(openings)), as_of=AS_OF)
        assert sorted(allowed.tolist()) == np.flatnonzero(scores.allowed).tolist()
        assert ranked == engine.rank_openings(trainee_table, i, opening_table, as_of=AS_OF, limit=3,
                                              include_blocked=include_blocked)


# --------------------------------------------------------------------------- ranking properties


def test_ranking_is_deterministic_and_sorted(engine: MatchEngine, taxonomy: Taxonomy, site: Site) -> None:
    trainees, employers, openings = random_case(3, taxonomy, site, n_openings=60)
    trainee_table, opening_table = tables(trainees, employers, openings, taxonomy, site)
    for i in range(len(trainees)):
        first = engine.rank_openings(trainee_table, i, opening_table, as_of=AS_OF, limit=5, include_blocked=True)
        again = engine.rank_openings(trainee_table, i, opening_table, as_of=AS_OF, limit=5, include_blocked=True)
        shuffled_order = np.random.default_rng(i).permutation(len(openings))
        shuffled = engine.rank_openings(trainee_table, i, opening_table.subset(shuffled_order), as_of=AS_OF, limit=5,
                                        include_blocked=True)
        assert first == again
        assert [(m.external_id, m.score) for m in first] == [(m.external_id, m.score) for m in shuffled]
        allowed = [m for m in first if m.allowed]
        assert len(allowed) <= 5
        keys = [(-round(m.score, 12), m.external_id) for m in allowed]
        assert keys == sorted(keys)
        blocked = first[len(allowed):]
        assert all(not m.allowed for m in blocked)
        def blocked_key(m: Match) -> tuple:  # fewest rules broken, near misses of them all first, then by id
            return len(m.blocked_by), not all(v.near_miss for v in m.blocked_by), m.external_id

        assert [blocked_key(m) for m in blocked] == sorted(blocked_key(m) for m in blocked)


def test_ties_are_broken_by_external_id(engine: MatchEngine, taxonomy: Taxonomy, site: Site) -> None:
    employers = {"E1": {"vetted": True, "vetted_on": AS_OF}}
    base = {"employer_external_id": "E1", "title": "t", "occupation": "cashier", "occupation_code": "cashier",
            "sector": "retail", "required_skills": [], "district": "Kolkata", "monthly_wage_inr": 12000,
            "positions": 1, "shift": "day", "status": "open"}
    openings = [dict(base, external_id=e) for e in ("b-2", "a-9", "c-1", "a-10")]
    cashier = [{"label": code, "skill": code, "level": 2} for code in ("pos_billing", "cash_handling")]
    trainee = TraineeTable.from_records([{"external_id": "T", "status": "job_ready", "district": "Kolkata",
                                          "skills": cashier}], taxonomy=taxonomy, site=site)
    table = OpeningTable.from_records(openings, employers=employers, taxonomy=taxonomy, site=site)
    ranked = engine.rank_openings(trainee, 0, table, as_of=AS_OF)
    assert [m.external_id for m in ranked] == ["a-10", "a-9", "b-2", "c-1"]
    assert len({m.score for m in ranked}) == 1
    assert [m.external_id for m in engine.rank_openings(trainee, 0, table, as_of=AS_OF, limit=2)] == ["a-10", "a-9"]


def test_top_k_handles_ties_at_the_cut() -> None:
    score = np.array([0.5, 0.9, 0.5, 0.5, 0.1])
    ids = np.array(["e", "z", "d", "a", "b"], dtype=object)
    assert top_k(score, ids, 3).tolist() == [1, 3, 2]
    assert top_k(score, ids, None).tolist() == [1, 3, 2, 0, 4]
    assert top_k(score, ids, 0).tolist() == []
    assert top_k(np.zeros(0), ids[:0], 3).tolist() == []


def test_blocked_results_appear_only_when_asked(engine: MatchEngine, taxonomy: Taxonomy, site: Site) -> None:
    trainees, employers, openings = random_case(5, taxonomy, site)
    trainee_table, opening_table = tables(trainees, employers, openings, taxonomy, site)
    for i in range(len(trainees)):
        plain = engine.rank_openings(trainee_table, i, opening_table, as_of=AS_OF, limit=None)
        full = engine.rank_openings(trainee_table, i, opening_table, as_of=AS_OF, limit=None, include_blocked=True)
        assert all(m.allowed and m.blocked_by == [] for m in plain)
        assert [m.external_id for m in full[:len(plain)]] == [m.external_id for m in plain]
        assert len(full) == len(openings)
        for m in full[len(plain):]:
            assert m.blocked_by and m.score == 0.0 and m.factors == {}
            assert m.reasons == [v.sentence for v in m.blocked_by]
        capped = engine.rank_openings(trainee_table, i, opening_table, as_of=AS_OF, limit=None,
                                      include_blocked=True, blocked_limit=2)
        assert len(capped) == len(plain) + min(2, len(openings) - len(plain))


def test_scores_and_factors(engine: MatchEngine, taxonomy: Taxonomy, site: Site) -> None:
    trainees, employers, openings = random_case(8, taxonomy, site)
    trainee_table, opening_table = tables(trainees, employers, openings, taxonomy, site)
    seen = 0
    for i in range(len(trainees)):
        for match in engine.rank_openings(trainee_table, i, opening_table, as_of=AS_OF, limit=None):
            seen += 1
            assert 0.0 <= match.score <= 1.0
            assert BASELINE in match.factors
            assert sum(match.factors.values()) == pytest.approx(float(logit(match.score)), abs=1e-9)
            assert match.reasons and all(isinstance(r, str) and r for r in match.reasons)
    assert seen > 0


def test_is_survivor_changes_no_score(engine: MatchEngine, taxonomy: Taxonomy, site: Site) -> None:
    trainees, employers, openings = random_case(21, taxonomy, site)
    flipped = [dict(t, is_survivor=not t["is_survivor"]) for t in trainees]
    dropped = [{k: v for k, v in t.items() if k != "is_survivor"} for t in trainees]
    results = []
    for records in (trainees, flipped, dropped):
        trainee_table, opening_table = tables(records, employers, openings, taxonomy, site)
        results.append([engine.rank_openings(trainee_table, i, opening_table, as_of=AS_OF, limit=None,
                                             include_blocked=True) for i in range(len(records))])
        t_idx = np.repeat(np.arange(len(records)), len(openings))
        o_idx = np.tile(np.arange(len(openings)), len(records))
        results.append(engine.score_pairs(trainee_table, t_idx, opening_table, o_idx, as_of=AS_OF).score.tolist())
    assert results[0] == results[2] == results[4]
    assert results[1] == results[3] == results[5]


def test_one_row_profile_table(engine: MatchEngine, taxonomy: Taxonomy, site: Site) -> None:
    employers = {"E1": {"vetted": True, "vetted_on": datetime.date(2025, 12, 1)}}
    openings = [
        {"external_id": "O1", "employer_external_id": "E1", "title": "Sales", "occupation": "retail_sales_associate",
         "occupation_code": "retail_sales_associate", "sector": "retail",
         "required_skills": [{"label": "sales", "level": 2, "skill": "sales_selling"},
                             {"label": "customer service", "level": 2, "skill": "customer_communication"},
                             {"label": "billing", "level": 1, "skill": "pos_billing"}],
         "district": "Howrah", "monthly_wage_inr": 11500, "positions": 2, "shift": "day", "status": "open",
         "languages_required": ["bn"]},
    ]
    profile = {"external_id": "preview", "status": "job_ready", "district": "Howrah", "lat": 22.58, "lon": 88.30,
               "skills": [{"label": "sales", "level": 2, "skill": "sales_selling"},
                          {"label": "customer service", "level": 3, "skill": "customer_communication"}],
               "languages": ["bn"], "max_commute_minutes": 60, "expected_wage_inr": 10500, "is_survivor": True}
    demand = TableDemand({("Howrah", "retail_sales_associate"): 0.12})
    engine = MatchEngine(taxonomy=taxonomy, site=site, demand=demand)
    trainee = TraineeTable.from_records([profile], taxonomy=taxonomy, site=site)
    table = OpeningTable.from_records(openings, employers=employers, taxonomy=taxonomy, site=site)
    [match] = engine.rank_openings(trainee, 0, table, as_of=AS_OF)
    assert match.external_id == "O1" and match.rank == 1 and match.allowed
    # customer communication earns no credit towards billing, but sales does (related weight 0.3)
    assert "has 2 of 3 required skills at the required level, 1 more partly" in match.reasons
    assert "short of: POS billing (needs level 1)" in match.reasons
    assert any(re.fullmatch(r"about \d+ min \(\d+–\d+\) each way, her limit is 60 min", r) for r in match.reasons)
    assert "₹11,500 meets her ₹10,500; statutory minimum ₹11,363" in match.reasons
    assert "demand for retail sales associate in Howrah is growing (+12% a year)" in match.reasons
    assert engine.scorer_version == "weighted-v1"
    [back] = engine.rank_trainees(table, 0, trainee, as_of=AS_OF)
    assert back.external_id == "preview" and back.score == pytest.approx(match.score)


def test_empty_tables(engine: MatchEngine, taxonomy: Taxonomy, site: Site) -> None:
    trainee = TraineeTable.from_records([{"external_id": "T", "status": "job_ready", "district": "Kolkata"}],
                                        taxonomy=taxonomy, site=site)
    empty = OpeningTable.from_records([], employers={}, taxonomy=taxonomy, site=site)
    assert len(empty) == 0
    assert engine.rank_openings(trainee, 0, empty, as_of=AS_OF, include_blocked=True) == []
    assert len(engine.score_pairs(trainee, np.zeros(0, int), empty, np.zeros(0, int), as_of=AS_OF)) == 0
    with pytest.raises(IndexError):
        engine.rank_openings(trainee, 3, empty, as_of=AS_OF)


def test_ranking_many_openings_is_fast(taxonomy: Taxonomy, site: Site) -> None:
    import time
    trainees, employers, openings = random_case(1, taxonomy, site, n_trainees=20, n_openings=400)
    opening_table = OpeningTable.from_records(openings * 50, employers=employers, taxonomy=taxonomy, site=site)
    trainee_table = TraineeTable.from_records(trainees, taxonomy=taxonomy, site=site)
    engine = MatchEngine(taxonomy=taxonomy, site=site)
    engine.rank_openings(trainee_table, 0, opening_table, as_of=AS_OF)
    started = time.perf_counter()
    for i in range(len(trainees)):
        engine.rank_openings(trainee_table, i, opening_table, as_of=AS_OF)
    per_query = (time.perf_counter() - started) / len(trainees)
    assert per_query < 0.05, per_query


# --------------------------------------------------------------------------- demand


def test_demand_signals() -> None:
    from matching.demand import DemandSignal, NeutralDemand

    table = TableDemand({("Howrah", "cashier"): 0.12, ("Kolkata", "cashier"): -0.08}, default=0.01)
    district = np.array(["Howrah", "Kolkata", "Howrah", "Purulia"], dtype=object)
    occupation = np.array(["cashier", "cashier", "cook", None], dtype=object)
    assert table.growth(district, occupation).tolist() == [0.12, -0.08, 0.01, 0.01]
    assert table.get("Howrah", "cashier") == 0.12 and len(table) == 2
    assert NeutralDemand().growth(district, occupation).tolist() == [0.0] * 4
    assert isinstance(table, DemandSignal) and isinstance(NeutralDemand(), DemandSignal)


def test_demand_is_asked_once_per_district_and_occupation(taxonomy: Taxonomy, site: Site) -> None:
    asked = []

    class Counting:
        def growth(self, district, occupation):
            asked.append(len(district))
            return np.where(np.asarray(district) == "Howrah", -0.2, 0.0)

    trainees, employers, openings = random_case(2, taxonomy, site, n_openings=200)
    trainee_table, opening_table = tables(trainees, employers, openings, taxonomy, site)
    engine = MatchEngine(taxonomy=taxonomy, site=site, demand=Counting())
    for i in range(len(trainees)):
        for match in engine.rank_openings(trainee_table, i, opening_table, as_of=AS_OF, limit=None):
            falling = [r for r in match.reasons if r.startswith("demand for")]
            assert falling == [] or (falling[0].endswith("in Howrah is falling (-20% a year)"))
    n_districts = len(opening_table.categorical("district").labels)
    n_occupations = len(opening_table.categorical("occupation_code").labels)
    assert asked == [n_districts * n_occupations]           # one call, for the whole table, reused
