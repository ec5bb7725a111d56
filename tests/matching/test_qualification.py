"""Qualification: the rule's arithmetic, the same verdict for whole arrays as for one pair, and what it changes on
the demo programme (no first suggestion lacks every skill the job asks for)."""

from __future__ import annotations

import dataclasses
import datetime
import random

import numpy as np
import pytest

from matching.candidates import candidates_for_block, trainee_blocks
from matching.engine import MatchEngine
from matching.features import PairContext
from matching.outcome_data import build_training_set, read_bundle_records
from matching.outcome_model import OutcomeModel
from matching.qualification import (
    Requirement,
    assess,
    assess_pair,
    levels_to_gain,
    near_miss_pairs,
    qualified_pairs,
)
from matching.reference import QualificationPolicy, Site, Taxonomy, default_data_dir
from matching.tables import OpeningTable, TraineeTable
from matching.testing.naive import naive_pair, naive_rank_openings
from tests.matching.test_engine import random_case

DEFAULT = QualificationPolicy()
AS_OF = datetime.date(2026, 3, 1)


# --------------------------------------------------------------------------- the arithmetic


def test_half_the_skills_near_the_level_asked() -> None:
    asked = [Requirement("a", 2), Requirement("b", 2), Requirement("c", 1), Requirement("d", 3)]
    assert assess({"a": 1, "d": 2}, asked, DEFAULT).qualified          # one level below counts
    found = assess({"a": 1}, asked, DEFAULT)
    assert not found.qualified and (found.n_reached, found.n_needed) == (1, 2)
    assert [r.skill for r in found.unreached] == ["b", "c", "d"]
    # the cheapest way forward: one more skill to the lowest level that counts (b or c, one level each)
    assert [(s.skill, s.level, s.held) for s in found.plan] == [("b", 1, 0)]
    assert found.levels_to_gain == 1 and found.near_miss
    # a skill she lacks never counts as "one level below" a level-1 requirement
    assert not assess({}, [Requirement("c", 1)], DEFAULT).qualified
    # three required: two are needed (half, rounded up)
    assert not assess({"a": 2}, asked[:3], DEFAULT).qualified
    assert assess({}, [], DEFAULT).qualified                             # nothing asked: everyone qualifies


def test_essential_skills_and_the_short_course_limit() -> None:
    asked = [Requirement("a", 2, essential=True), Requirement("b", 1), Requirement("c", 3)]
    found = assess({"a": 1, "b": 1, "c": 3}, asked, DEFAULT)
    assert not found.qualified and [r.skill for r in found.essential_short] == ["a"]
    assert [(s.skill, s.level) for s in found.plan] == [("a", 2)] and found.near_miss
    far = assess({}, asked, DEFAULT)                                     # a to 2, then one more at 1: 3 levels
    assert far.levels_to_gain == 3 and not far.near_miss
    assert assess({}, asked, dataclasses.replace(DEFAULT, short_course_levels=3)).near_miss
    # a skill listed twice asks for its highest level, and is essential if either mention says so
    twice = assess({"a": 2}, [Requirement("a", 1, essential=True), Requirement("a", 3)], DEFAULT)
    assert twice.n_required == 1 and [r.level for r in twice.essential_short] == [3]


# --------------------------------------------------------------------------- whole arrays against one pair at a time

POLICIES = [DEFAULT, QualificationPolicy(share_of_required=1.0, levels_below=0, essential_levels_below=0,
                                         short_course_levels=1),
            QualificationPolicy(share_of_required=0.34, levels_below=2, essential_levels_below=1,
                                short_course_levels=4)]


def _with_essentials_and_categories(seed: int, taxonomy: Taxonomy, site: Site):
    """The engine tests' random programme, with some required skills marked essential and some openings given a
    wage category of their own."""
    trainees, employers, openings = random_case(seed, taxonomy, site, n_trainees=10, n_openings=30)
    rng = random.Random(1000 + seed)
    for opening in openings:
        for item in opening["required_skills"]:
            item["essential"] = rng.random() < 0.3
        opening["wage_category"] = rng.choice([None, None, "unskilled", "semi-skilled", "skilled", "highly_skilled"])
    return trainees, employers, openings


@pytest.mark.parametrize("policy", POLICIES, ids=["default", "strict", "lenient"])
def test_vectorised_verdicts_agree_with_assess(policy: QualificationPolicy, taxonomy: Taxonomy, site: Site) -> None:
    trainees, employers, openings = _with_essentials_and_categories(7, taxonomy, site)
    site = dataclasses.replace(site, qualification=policy)
    t_table = TraineeTable.from_records(trainees, taxonomy=taxonomy, site=site)
    o_table = OpeningTable.from_records(openings, employers=employers, taxonomy=taxonomy, site=site)
    contexts = [PairContext.for_trainee(t_table, 3, o_table, as_of=AS_OF),
                PairContext.for_opening(o_table, 5, t_table, as_of=AS_OF),
                PairContext.pairs(t_table, np.repeat(np.arange(len(t_table)), len(o_table)), o_table,
                                  np.tile(np.arange(len(o_table)), len(t_table)), as_of=AS_OF)]
    verdicts = set()
    for ctx in contexts:
        qualified, gain, near = (qualified_pairs(ctx, policy), levels_to_gain(ctx, policy),
                                 near_miss_pairs(ctx, policy))
        for i in range(len(ctx)):
            found = assess_pair(ctx, i)
            assert (bool(qualified[i]), int(gain[i]), bool(near[i])) == (
                found.qualified, found.levels_to_gain, found.near_miss), i
            verdicts.add((found.qualified, found.near_miss))
    assert {(True, False), (False, True)} <= verdicts  # qualified pairs and near misses were both met


@pytest.mark.parametrize("seed", range(3))
def test_the_engine_applies_the_rule_like_the_naive_reference(seed: int, taxonomy: Taxonomy, site: Site) -> None:
    """Essential skills and an opening's own wage category included; blocked results in the same order (near
    misses first among those breaking as many rules)."""
    trainees, employers, openings = _with_essentials_and_categories(seed, taxonomy, site)
    t_table = TraineeTable.from_records(trainees, taxonomy=taxonomy, site=site)
    o_table = OpeningTable.from_records(openings, employers=employers, taxonomy=taxonomy, site=site)
    engine = MatchEngine(taxonomy=taxonomy, site=site)
    t_idx = np.repeat(np.arange(len(trainees)), len(openings))
    o_idx = np.tile(np.arange(len(openings)), len(trainees))
    scores = engine.score_pairs(t_table, t_idx, o_table, o_idx, as_of=AS_OF)
    codes = set()
    for p, (i, j) in enumerate(zip(t_idx.tolist(), o_idx.tolist())):
        _, broken, features = naive_pair(trainees[i], openings[j], employers=employers, taxonomy=taxonomy, site=site,
                                         as_of=AS_OF)
        assert scores.violated_codes(p) == broken
        assert scores.features["minimum_wage"][p] == pytest.approx(features["minimum_wage"], nan_ok=True)
        codes.update(broken)
    assert {"not_qualified", "below_minimum_wage"} <= codes
    for i, trainee in enumerate(trainees):
        fast = engine.rank_openings(t_table, i, o_table, as_of=AS_OF, limit=None, include_blocked=True)
        slow = naive_rank_openings(trainee, openings, employers=employers, taxonomy=taxonomy, site=site,
                                   as_of=AS_OF, limit=None, include_blocked=True)
        blocked = [(m.external_id, [v.code for v in m.blocked_by]) for m in fast if m.blocked_by]
        assert blocked == [(r.external_id, list(r.blocked_by)) for r in slow if r.blocked_by]


# --------------------------------------------------------------------------- the demo programme


@pytest.fixture(scope="module")
def demo(taxonomy: Taxonomy, site: Site):
    records = read_bundle_records(default_data_dir() / "demo", taxonomy=taxonomy)
    as_of = datetime.date(2026, 11, 1)
    trainees = TraineeTable.from_records([r for r in records.trainees if r["status"] == "job_ready"],
                                         taxonomy=taxonomy, site=site)
    openings = OpeningTable.from_records([r for r in records.openings if r["status"] == "open"],
                                         employers=records.employers, taxonomy=taxonomy, site=site)
    weighted = MatchEngine(taxonomy=taxonomy, site=site)
    history = build_training_set(engine=weighted, as_of=as_of, trainees=records.trainees, openings=records.openings,
                                 employers=records.employers, placements=records.placements,
                                 followups=records.followups)
    trained = MatchEngine(taxonomy=taxonomy, site=site, scorer=OutcomeModel().fit(history))
    return trainees, openings, as_of, {"weighted": weighted, "trained": trained}


def _holds_any(trainees: TraineeTable, i: int, openings: OpeningTable, j: int) -> bool:
    asked = openings.required[j].indices
    return asked.size == 0 or bool((trainees.skills[i].toarray()[0][asked] > 0).any())


@pytest.mark.parametrize("scorer", ["weighted", "trained"])
def test_no_first_suggestion_lacks_every_required_skill(scorer: str, demo) -> None:
    trainees, openings, as_of, engines = demo
    engine = engines[scorer]
    assert scorer == "weighted" or not engine.scorer.is_prior_
    firsts = 0
    for i in range(len(trainees)):
        ranked = engine.rank_openings(trainees, i, openings, as_of=as_of, limit=1)
        if ranked:
            firsts += 1
            assert _holds_any(trainees, i, openings, openings.index_of(ranked[0].external_id))
            assert not ranked[0].reasons[0].startswith("has 0 of") or "one level below" in ranked[0].reasons[0]
    assert firsts >= 50


def test_near_misses_are_shown_first_among_the_blocked(demo) -> None:
    """A woman with nothing she may be offered sees what a short course would open to her, before openings blocked
    by other single rules."""
    trainees, openings, as_of, engines = demo
    shown = 0
    for i in range(len(trainees)):
        ranked = engines["weighted"].rank_openings(trainees, i, openings, as_of=as_of, limit=5, include_blocked=True,
                                                   blocked_limit=5)
        if any(m.allowed for m in ranked):
            continue
        near = [m for m in ranked if m.blocked_by and all(v.near_miss for v in m.blocked_by)]
        for match in near:
            assert [v.code for v in match.blocked_by] == ["not_qualified"]
            assert "could qualify after a short course: " in match.reasons[0]
        ones = [all(v.near_miss for v in m.blocked_by) for m in ranked if len(m.blocked_by) == 1]
        assert ones == sorted(ones, reverse=True)
        shown += bool(near)
    assert shown >= 10


def test_the_nightly_candidates_are_all_qualified(demo, site: Site) -> None:
    trainees, openings, as_of, engines = demo
    engine = engines["weighted"]
    found = [candidates_for_block(engine, trainees, openings, rows, as_of=as_of, k=50)
             for rows in trainee_blocks(engine, trainees, openings, as_of=as_of, block_size=64)]
    pairs = [(int(t), int(o)) for block in found for t, o in zip(block.trainee, block.opening)]
    assert len(pairs) >= 50
    ctx = engine.context(trainees, np.array([t for t, _ in pairs]), openings, np.array([o for _, o in pairs]),
                         as_of=as_of)
    assert all(assess_pair(ctx, p).qualified for p in range(len(ctx)))


def test_the_nightly_candidates_lose_no_pair_the_rules_allow(demo) -> None:
    """Every pair the rules allow, found by scoring every trainee against every opening, is among the nightly
    run's candidates (k unbounded): the skill pre-filter leaves out only pairs the qualification rule blocks."""
    trainees, openings, as_of, engines = demo
    engine = engines["weighted"]
    every_t = np.repeat(np.arange(len(trainees)), len(openings))
    every_o = np.tile(np.arange(len(openings)), len(trainees))
    allowed = engine.score_pairs(trainees, every_t, openings, every_o, as_of=as_of).allowed
    full = set(zip(every_t[allowed].tolist(), every_o[allowed].tolist(), strict=True))
    found = [candidates_for_block(engine, trainees, openings, rows, as_of=as_of, k=len(openings))
             for rows in trainee_blocks(engine, trainees, openings, as_of=as_of, block_size=64)]
    kept = {(int(t), int(o)) for block in found for t, o in zip(block.trainee, block.opening, strict=True)}
    assert len(full) >= 100 and kept == full
