"""The matching engine: safe, ranked, explained matches between trainees and openings.

For one trainee against every opening (or one opening against every trainee)
the engine

1. applies the safety rules (:data:`matching.safety.SAFETY_RULES`) to every
   pair at once; a pair breaking any rule is never proposed;
2. computes the features of the remaining pairs (:mod:`matching.features`) and
   scores them (:mod:`matching.scoring`);
3. keeps the best ``limit`` by score, ties broken by external id, and explains
   each (:mod:`matching.explain`).

With ``include_blocked`` every blocked pair follows the allowed ones, each with
every rule it breaks, so a coordinator can see why an opening is not proposed:
fewest rules broken first, near misses (a short course away) first among those.
All the work on many pairs is done on whole arrays; only the results returned
are built one by one.

Without ``include_blocked``, step 1 runs only on the rows :mod:`matching.selection`
selects from each table's place and skill lists (a superset of the rows the rules
allow), so the answer is the full scan's at a fraction of the work;
``full_scan=True`` tests every row, as a reference.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .commute import DEFAULT_COMMUTE_MODEL, CommuteModel
from .demand import DemandSignal, NeutralDemand
from .explain import reasons as explain_reasons
from .features import PairContext, features_from_context
from .reference import Site, Taxonomy
from .safety import (
    SAFETY_RULES,
    RuleViolation,
    SafetyRule,
    evaluate_rules,
    narrow,
    only_near_misses,
    rule_scope,
    violations_for,
)
from .scoring import Scorer, WeightedScorer
from .selection import Setting, openings_for_trainee, trainees_for_opening
from .shrinkage import Evidence
from .skillfit import RelatedSkills
from .tables import OpeningTable, TraineeTable, to_day

__all__ = ["Match", "MatchEngine", "PairScores", "top_k"]

#: Scores are compared after rounding to this many decimals, so that ties do not depend on the last bits.
SCORE_DECIMALS = 12
#: Rule results kept per table for this many different days (the rules reading only one table).
_STATIC_DAYS = 4


@dataclass(frozen=True)
class Match:
    """One ranked result.

    ``score`` is in 0..1 (0 for blocked results); ``factors`` are the scorer's contributions (logit
    scale, summing to the score's logit; empty for blocked results); ``reasons`` are plain-language
    sentences (for blocked results, those of the rules broken); ``blocked_by`` lists every rule
    broken, and is empty for allowed results. ``evidence`` says how much history stands behind the
    score, when the scorer can tell (a trained outcome model; None otherwise and for blocked results).
    """

    external_id: str
    rank: int
    score: float
    factors: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    blocked_by: list[RuleViolation] = field(default_factory=list)
    evidence: Evidence | None = None

    @property
    def allowed(self) -> bool:
        return not self.blocked_by


@dataclass(frozen=True, eq=False)
class PairScores:
    """Aligned results for many pairs (the nightly batch).

    ``violations[p, k]`` is True where pair ``p`` breaks rule ``rule_codes[k]``; ``allowed`` is where
    it breaks none. ``score`` is computed for every pair, blocked or not: filter with ``allowed``.
    """

    score: np.ndarray
    allowed: np.ndarray
    violations: np.ndarray
    rule_codes: tuple[str, ...]
    features: dict[str, np.ndarray]
    contributions: dict[str, np.ndarray]

    def __len__(self) -> int:
        return int(self.score.shape[0])

    @property
    def bitmask(self) -> np.ndarray:
        """Per pair, bit ``k`` set where rule ``rule_codes[k]`` is broken (int64)."""
        if not self.rule_codes:
            return np.zeros(len(self), dtype=np.int64)
        bits = np.left_shift(np.int64(1), np.arange(len(self.rule_codes), dtype=np.int64))
        return (self.violations.astype(np.int64) * bits).sum(axis=1)

    def violated_codes(self, i: int) -> list[str]:
        return [code for code, hit in zip(self.rule_codes, self.violations[i]) if hit]


def top_k(score: np.ndarray, ids: np.ndarray, limit: int | None) -> np.ndarray:
    """Positions of the ``limit`` best scores, best first, equal scores in external-id order."""
    n = int(score.shape[0])
    if n == 0 or (limit is not None and limit <= 0):
        return np.zeros(0, dtype=np.int64)
    rounded = np.round(score, SCORE_DECIMALS)
    if limit is not None and n > limit:
        part = np.argpartition(-rounded, limit - 1)[:limit]
        candidates = np.flatnonzero(rounded >= rounded[part].min())
    else:
        candidates = np.arange(n)
    keys = ids[candidates].astype(str)
    order = candidates[np.lexsort((keys, -rounded[candidates]))]
    return order if limit is None else order[:limit]


class MatchEngine:
    """Ranks openings for a trainee and trainees for an opening; see the module docstring."""

    def __init__(self, *, taxonomy: Taxonomy, site: Site, scorer: Scorer | None = None,
                 demand: DemandSignal | None = None, commute_model: CommuteModel | None = None,
                 rules: Sequence[SafetyRule] = SAFETY_RULES):
        self.taxonomy = taxonomy
        self.site = site
        self.scorer: Scorer = scorer or WeightedScorer()
        self.demand: DemandSignal = demand or NeutralDemand()
        self.commute_model = commute_model or DEFAULT_COMMUTE_MODEL
        self.rules: tuple[SafetyRule, ...] = tuple(rules)
        self.related = RelatedSkills.from_taxonomy(taxonomy)

    @property
    def scorer_version(self) -> str:
        return self.scorer.version

    @property
    def rule_codes(self) -> tuple[str, ...]:
        return tuple(rule.code for rule in self.rules)

    # ------------------------------------------------------------------ public

    def rank_openings(self, trainees: TraineeTable, trainee_index: int, openings: OpeningTable, *,
                      as_of: datetime.date, limit: int | None = 10, include_blocked: bool = False,
                      blocked_limit: int | None = None, full_scan: bool = False) -> list[Match]:
        """The best ``limit`` openings for trainee ``trainee_index`` on ``as_of`` (all allowed when None).

        With ``include_blocked``, every blocked opening follows (at most ``blocked_limit`` of them when
        given), fewest rules broken first, then near misses of every rule they break, then by external id.
        ``full_scan`` tests every opening instead of the selected ones (the same answer, slower).
        """
        return self.rank_openings_and_allowed(trainees, trainee_index, openings, as_of=as_of, limit=limit,
                                              include_blocked=include_blocked, blocked_limit=blocked_limit,
                                              full_scan=full_scan)[0]

    def rank_openings_and_allowed(self, trainees: TraineeTable, trainee_index: int, openings: OpeningTable, *,
                                  as_of: datetime.date, limit: int | None = 10, include_blocked: bool = False,
                                  blocked_limit: int | None = None, full_scan: bool = False
                                  ) -> tuple[list[Match], np.ndarray]:
        """As :meth:`rank_openings`, and the rows of ``openings`` every rule allows for her on ``as_of`` (from the
        same pass over the rules: what a list's count needs, without evaluating them a second time)."""
        self._check(trainees, openings)
        args = self._context_args(as_of)

        def context(rows: np.ndarray | None) -> PairContext:
            return PairContext.for_trainee(trainees, trainee_index, openings, rows, **args)

        def select() -> np.ndarray | None:
            return openings_for_trainee(trainees, trainee_index, openings, rules=self.rules,
                                        setting=self.selection_setting)

        return self._rank(openings, "opening", context, args["as_of"], limit, include_blocked, blocked_limit,
                          None if full_scan else select)

    def rank_trainees(self, openings: OpeningTable, opening_index: int, trainees: TraineeTable, *,
                      as_of: datetime.date, limit: int | None = 20, include_blocked: bool = False,
                      blocked_limit: int | None = None, full_scan: bool = False) -> list[Match]:
        """The best ``limit`` trainees for opening ``opening_index`` on ``as_of``; as :meth:`rank_openings`."""
        return self.rank_trainees_and_allowed(openings, opening_index, trainees, as_of=as_of, limit=limit,
                                              include_blocked=include_blocked, blocked_limit=blocked_limit,
                                              full_scan=full_scan)[0]

    def rank_trainees_and_allowed(self, openings: OpeningTable, opening_index: int, trainees: TraineeTable, *,
                                  as_of: datetime.date, limit: int | None = 20, include_blocked: bool = False,
                                  blocked_limit: int | None = None, full_scan: bool = False
                                  ) -> tuple[list[Match], np.ndarray]:
        """As :meth:`rank_trainees`, and the rows of ``trainees`` every rule allows for the opening on ``as_of``."""
        self._check(trainees, openings)
        args = self._context_args(as_of)

        def context(rows: np.ndarray | None) -> PairContext:
            return PairContext.for_opening(openings, opening_index, trainees, rows, **args)

        def select() -> np.ndarray | None:
            return trainees_for_opening(openings, opening_index, trainees, rules=self.rules,
                                        setting=self.selection_setting)

        return self._rank(trainees, "trainee", context, args["as_of"], limit, include_blocked, blocked_limit,
                          None if full_scan else select)

    def score_pairs(self, trainees: TraineeTable, t_idx: np.ndarray, openings: OpeningTable, o_idx: np.ndarray, *,
                    as_of: datetime.date) -> PairScores:
        """Rules, features and scores for aligned pairs (trainee ``t_idx[p]``, opening ``o_idx[p]``).

        Memory grows with the number of pairs (about 300 bytes a pair): score large batches in chunks.
        """
        self._check(trainees, openings)
        ctx = PairContext.pairs(trainees, t_idx, openings, o_idx, **self._context_args(as_of))
        violations = evaluate_rules(ctx, self.rules)
        features = features_from_context(ctx, demand=self.demand)
        score, contributions = self.scorer.predict(features)
        return PairScores(score=score, allowed=np.asarray(~violations.any(axis=1)), violations=violations,
                          rule_codes=self.rule_codes, features=features, contributions=contributions)

    def context(self, trainees: TraineeTable, t_idx: np.ndarray, openings: OpeningTable, o_idx: np.ndarray, *,
                as_of: datetime.date) -> PairContext:
        """A :class:`PairContext` with this engine's site, taxonomy and commute model."""
        return PairContext.pairs(trainees, t_idx, openings, o_idx, **self._context_args(as_of))

    # ------------------------------------------------------------------ internals

    def _context_args(self, as_of: datetime.date) -> dict:
        day = to_day(as_of)
        if day is None:
            raise ValueError("as_of is required")
        return {"as_of": day, "site": self.site, "taxonomy": self.taxonomy, "commute_model": self.commute_model,
                "related": self.related}

    @property
    def selection_setting(self) -> Setting:
        """What candidate selection reads besides the tables: the qualification policy and the commute model."""
        return Setting(policy=self.site.qualification, commute_model=self.commute_model)

    def _check(self, trainees: TraineeTable, openings: OpeningTable) -> None:
        n_skills = len(self.taxonomy.skill_index)
        if trainees.skills.shape[1] != n_skills or openings.required.shape[1] != n_skills:
            raise ValueError("the tables were built with a different taxonomy than the engine's "
                             f"({trainees.skills.shape[1]}/{openings.required.shape[1]} skills, expected {n_skills})")

    def _static(self, table: OpeningTable | TraineeTable, scope: str, as_of: datetime.date,
                context: Callable[[np.ndarray | None], PairContext]) -> tuple[np.ndarray, np.ndarray]:
        """``(len(table), k)`` violations of the rules reading only ``table``'s columns, and the rows breaking
        none of them; kept per table and day."""
        rules = tuple(rule for rule in self.rules if rule_scope(rule) == scope)
        store = table._cache.setdefault("static_rules", {})
        key = (as_of, id(self.site), tuple(id(rule) for rule in rules))
        found = store.get(key)
        if found is None:
            ctx = context(None)
            found = np.zeros((len(table), len(rules)), dtype=bool)
            for k, rule in enumerate(rules):
                found[:, k] = rule.violated(ctx)
            if len(store) >= _STATIC_DAYS:
                store.clear()
            found = (found, np.flatnonzero(~found.any(axis=1)))
            store[key] = found
        return found

    def _rank(self, table: OpeningTable | TraineeTable, scope: str, context: Callable[[np.ndarray | None], PairContext],
              as_of: datetime.date, limit: int | None, include_blocked: bool, blocked_limit: int | None,
              select: Callable[[], np.ndarray | None] | None) -> tuple[list[Match], np.ndarray]:
        """Rank the rows of ``table`` (the side with many rows) against the one row ``context`` is built for; and
        the rows of ``table`` every rule allows. ``select`` gives the rows the rules could allow (a superset; None:
        every row); the blocked list, which shows every row, always scans them all."""
        static, passing = self._static(table, scope, as_of, context)
        static_rules = [k for k, rule in enumerate(self.rules) if rule_scope(rule) == scope]
        other_rules = [rule for rule in self.rules if rule_scope(rule) != scope]
        rows_of = (lambda c: c.o_idx) if scope == "opening" else (lambda c: c.t_idx)
        ids = table.external_id
        broken = None
        if include_blocked:
            ctx = context(None)
            broken = np.zeros((len(ctx), len(self.rules)), dtype=bool)
            broken[:, static_rules] = static
            for k, rule in enumerate(self.rules):
                if rule_scope(rule) != scope:
                    broken[:, k] = rule.violated(ctx)
            blocked = broken.any(axis=1)
            sub = ctx.subset(np.flatnonzero(~blocked))
        else:
            selected = None if select is None else select()
            if selected is None:
                rows = passing if static.shape[1] else None
            else:
                rows = selected[~static[selected].any(axis=1)] if static.shape[1] else selected
            _, sub = narrow(context(rows), other_rules)
        matches: list[Match] = []
        if len(sub):
            pair_ids = ids[rows_of(sub)]
            features = features_from_context(sub, demand=self.demand)
            score, contributions = self.scorer.predict(features)
            history = self.scorer.evidence(features) if hasattr(self.scorer, "evidence") else None
            for k in top_k(score, pair_ids, limit).tolist():
                evidence = None if history is None else history.at(k)
                matches.append(Match(
                    external_id=str(pair_ids[k]), rank=len(matches) + 1, score=float(score[k]),
                    factors={name: float(values[k]) for name, values in contributions.items()},
                    reasons=explain_reasons(sub, features, k) + ([] if evidence is None else [evidence.sentence]),
                    blocked_by=[], evidence=evidence))
        if broken is not None:
            positions = np.flatnonzero(blocked)
            counts = broken[positions].sum(axis=1)
            near = only_near_misses(ctx.subset(positions), broken[positions], self.rules)
            keys = ids[rows_of(ctx)[positions]].astype(str)
            order = positions[np.lexsort((keys, ~near, counts))]
            if blocked_limit is not None:
                order = order[:max(0, blocked_limit)]
            for p in order.tolist():
                violations = violations_for(ctx, p, broken[p], self.rules)
                matches.append(Match(external_id=str(ids[rows_of(ctx)[p]]), rank=len(matches) + 1, score=0.0,
                                     factors={}, reasons=[v.sentence for v in violations], blocked_by=violations))
        return matches, rows_of(sub)
