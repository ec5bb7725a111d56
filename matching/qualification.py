"""Is she qualified for an opening? The arithmetic of the qualification rule (:class:`matching.safety.NotQualified`).

An opening asks for skills, each at a level, some marked essential. Under the programme's
:class:`~matching.reference.QualificationPolicy` she *reaches* a required skill when her level in it is at
least ``max(1, asked - levels_below)`` (a skill she lacks never counts as "one level below" a level-1
requirement), and *meets* an essential one at ``max(1, asked - essential_levels_below)``. She is qualified
when she reaches at least ``ceil(share_of_required × n)`` of the ``n`` required skills and meets every
essential one; when nothing is required, everyone is. Related skills do not count here: they earn credit in
the score, not a place on the list.

When she is not qualified, :func:`assess` also finds the cheapest way forward: each essential skill she
falls short on raised to what it needs, then the required skills closest to reach (fewest levels first, then
in the order given) until enough are reached. If that takes at most ``short_course_levels`` levels in all,
the pair is a near miss: a short course away.

:func:`qualified_pairs` and :func:`near_miss_pairs` give the same verdicts for many pairs at once, on the
tables' sparse level matrices; :func:`assess_pair` assesses one pair of a
:class:`~matching.features.PairContext` for its sentence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .reference import QualificationPolicy

if TYPE_CHECKING:
    from .features import PairContext

__all__ = ["LEVEL_NAMES", "Assessment", "Requirement", "Step", "assess", "assess_pair", "levels_to_gain",
           "near_miss_pairs", "needed_count", "qualified_pairs"]

#: How skill levels read in a sentence (``matching.skills.LEVEL_WORDS`` reads them back).
LEVEL_NAMES = {1: "basic", 2: "working", 3: "proficient"}


@dataclass(frozen=True)
class Requirement:
    """A required skill (taxonomy code) at a level, essential or not."""

    skill: str
    level: int
    essential: bool = False


@dataclass(frozen=True)
class Step:
    """Part of the way forward: reach ``level`` in ``skill`` (she has ``held``, 0 for none)."""

    skill: str
    level: int
    held: int


@dataclass(frozen=True)
class Assessment:
    """One trainee against one opening's requirements (see the module docstring)."""

    n_required: int
    n_reached: int
    n_needed: int
    unreached: tuple[Requirement, ...]
    essential_short: tuple[Requirement, ...]
    held: Mapping[str, int]
    plan: tuple[Step, ...]
    short_course_levels: int

    @property
    def qualified(self) -> bool:
        return self.n_reached >= self.n_needed and not self.essential_short

    @property
    def levels_to_gain(self) -> int:
        """Skill levels she would gain, in all, to qualify (0 when she is qualified)."""
        return sum(step.level - step.held for step in self.plan)

    @property
    def near_miss(self) -> bool:
        """Not qualified, but a short course away (at most ``short_course_levels`` levels to gain)."""
        return not self.qualified and self.levels_to_gain <= self.short_course_levels


def needed_count(policy: QualificationPolicy, n_required: int) -> int:
    """How many of ``n_required`` skills she must reach (``ceil(share × n)``, with a guard against float error)."""
    return max(0, math.ceil(policy.share_of_required * n_required - 1e-9))


def _reach_level(policy: QualificationPolicy, asked: int) -> int:
    return max(1, asked - policy.levels_below)


def _essential_level(policy: QualificationPolicy, asked: int) -> int:
    return max(1, asked - policy.essential_levels_below)


def assess(held: Mapping[str, int], required: Sequence[Requirement], policy: QualificationPolicy) -> Assessment:
    """Her levels (skill code -> level) against the requirements: qualified or not, and the way forward."""
    required = _merged(required)
    reach = {r.skill: _reach_level(policy, r.level) for r in required}
    unreached = tuple(r for r in required if held.get(r.skill, 0) < reach[r.skill])
    essential_short = tuple(r for r in required
                            if r.essential and held.get(r.skill, 0) < _essential_level(policy, r.level))
    n_needed = needed_count(policy, len(required))
    target = {r.skill: _essential_level(policy, r.level) for r in essential_short}
    after = {r.skill: max(held.get(r.skill, 0), target.get(r.skill, 0)) for r in required}
    reached = sum(1 for r in required if after[r.skill] >= reach[r.skill])
    if reached < n_needed:
        closest = sorted((r for r in required if after[r.skill] < reach[r.skill]),
                         key=lambda r: reach[r.skill] - after[r.skill])  # stable: the opening's order on ties
        for r in closest[:n_needed - reached]:
            target[r.skill] = reach[r.skill]
    plan = tuple(Step(r.skill, target[r.skill], held.get(r.skill, 0)) for r in required if r.skill in target)
    return Assessment(n_required=len(required), n_reached=len(required) - len(unreached), n_needed=n_needed,
                      unreached=unreached, essential_short=essential_short, held=dict(held), plan=plan,
                      short_course_levels=policy.short_course_levels)


def _merged(required: Sequence[Requirement]) -> list[Requirement]:
    """One requirement per skill (its highest level, essential if any mention is), in order of first mention."""
    out: dict[str, Requirement] = {}
    for r in required:
        seen = out.get(r.skill)
        out[r.skill] = (r if seen is None
                        else Requirement(r.skill, max(r.level, seen.level), r.essential or seen.essential))
    return list(out.values())


# --------------------------------------------------------------------------- many pairs at once


def _held(ctx: PairContext, pair: np.ndarray, skill: np.ndarray) -> np.ndarray:
    """Her level in ``skill[e]`` for the trainee of pair ``pair[e]``."""
    skills = ctx.trainees.skills
    if ctx.single_trainee is not None:
        i = ctx.single_trainee
        vector = np.zeros(skills.shape[1], dtype=np.int8)
        lo, hi = skills.indptr[i], skills.indptr[i + 1]
        vector[skills.indices[lo:hi]] = skills.data[lo:hi]
        return vector[skill]
    return ctx.trainees.levels_dense()[ctx.t_idx[pair], skill]


@dataclass(frozen=True)
class _Entries:
    """One entry per (pair, skill the pair's opening asks for): the level asked, hers, and whether it is essential."""

    pair: np.ndarray
    asked: np.ndarray
    held: np.ndarray
    essential: np.ndarray
    n_required: np.ndarray


def _entries(ctx: PairContext) -> _Entries:
    if ctx.single_opening is not None:
        return _entries_of_one_opening(ctx, ctx.single_opening)
    rows = ctx.openings.required[ctx.o_idx]
    n_required = np.diff(rows.indptr)
    pair = np.repeat(np.arange(len(ctx)), n_required)
    skill = rows.indices.astype(np.int64)
    essential = np.zeros(skill.shape[0], dtype=bool)
    if ctx.openings.essential.nnz:
        marked = ctx.openings.essential[ctx.o_idx]
        marked_pair = np.repeat(np.arange(len(ctx)), np.diff(marked.indptr))
        n_skills = np.int64(rows.shape[1])
        essential = np.isin(pair * n_skills + skill, marked_pair * n_skills + marked.indices.astype(np.int64))
    return _Entries(pair=pair, asked=rows.data.astype(np.int64), held=_held(ctx, pair, skill).astype(np.int64),
                    essential=essential, n_required=n_required)


def _entries_of_one_opening(ctx: PairContext, j: int) -> _Entries:
    """:func:`_entries` when every pair has the same opening: its few skills repeated, no sparse row gathering."""
    required, essential = ctx.openings.required, ctx.openings.essential
    lo, hi = required.indptr[j], required.indptr[j + 1]
    skill = required.indices[lo:hi].astype(np.int64)
    marked = np.isin(skill, essential.indices[essential.indptr[j]:essential.indptr[j + 1]])
    n, k = len(ctx), int(hi - lo)
    if ctx.single_trainee is not None:
        held = np.tile(_held(ctx, np.zeros(k, dtype=np.int64), skill), n)
    else:
        held = ctx.trainees.levels_dense()[np.ix_(ctx.t_idx, skill)].reshape(-1)
    return _Entries(pair=np.repeat(np.arange(n), k), asked=np.tile(required.data[lo:hi].astype(np.int64), n),
                    held=held.astype(np.int64), essential=np.tile(marked, n), n_required=np.full(n, k))


def _per_pair(entries: _Entries, values: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(entries.pair, weights=values, minlength=n).astype(np.int64)


def qualified_pairs(ctx: PairContext, policy: QualificationPolicy) -> np.ndarray:
    """One bool per pair of ``ctx``: she is qualified for the opening (the verdict of :func:`assess`)."""
    e = _entries(ctx)
    reached = _per_pair(e, e.held >= np.maximum(1, e.asked - policy.levels_below), len(ctx))
    essential_short = _per_pair(e, e.essential & (e.held < np.maximum(1, e.asked - policy.essential_levels_below)),
                                len(ctx))
    return (reached >= np.ceil(policy.share_of_required * e.n_required - 1e-9)) & (essential_short == 0)


def levels_to_gain(ctx: PairContext, policy: QualificationPolicy) -> np.ndarray:
    """Per pair of ``ctx``: the skill levels she would gain, in all, to qualify (0 when she is qualified): the
    length of :func:`assess`'s way forward, for many pairs at once."""
    n = len(ctx)
    e = _entries(ctx)
    reach = np.maximum(1, e.asked - policy.levels_below)
    essential_need = np.where(e.essential, np.maximum(1, e.asked - policy.essential_levels_below), 0)
    after = np.maximum(e.held, essential_need)
    cost = _per_pair(e, after - e.held, n)
    short = after < reach
    needed = np.ceil(policy.share_of_required * e.n_required - 1e-9).astype(np.int64)
    deficit = np.maximum(0, needed - _per_pair(e, ~short, n))
    # the cheapest `deficit` of each pair's skills not yet reached
    rows = np.flatnonzero(short)
    step = (reach - after)[rows]
    order = rows[np.lexsort((step, e.pair[rows]))]
    grouped = e.pair[order]
    starts = np.r_[0, np.flatnonzero(grouped[1:] != grouped[:-1]) + 1] if grouped.size else np.zeros(0, np.int64)
    rank = np.arange(grouped.size) - np.repeat(starts, np.diff(np.r_[starts, grouped.size]))
    chosen = order[rank < deficit[grouped]]
    return cost + np.bincount(e.pair[chosen], weights=(reach - after)[chosen], minlength=n).astype(np.int64)


def near_miss_pairs(ctx: PairContext, policy: QualificationPolicy) -> np.ndarray:
    """One bool per pair of ``ctx``: not qualified, but a short course away (the verdict of :func:`assess`)."""
    return ~qualified_pairs(ctx, policy) & (levels_to_gain(ctx, policy) <= policy.short_course_levels)


# --------------------------------------------------------------------------- one pair, for its sentence


def requirements_of(ctx: PairContext, i: int) -> list[Requirement]:
    """The required skills of pair ``i``'s opening, as taxonomy codes, in the order of their names."""
    taxonomy = ctx.taxonomy
    if taxonomy is None:
        return []
    codes = taxonomy.skill_codes
    j = int(ctx.o_idx[i])
    required, essential = ctx.openings.required, ctx.openings.essential
    marked = set(essential.indices[essential.indptr[j]:essential.indptr[j + 1]].tolist())
    lo, hi = required.indptr[j], required.indptr[j + 1]
    found = [Requirement(codes[c], int(level), c in marked)
             for c, level in zip(required.indices[lo:hi].tolist(), required.data[lo:hi].tolist())]
    return sorted(found, key=lambda r: (taxonomy.skills[r.skill].name.casefold(), r.skill))


def held_of(ctx: PairContext, i: int) -> dict[str, int]:
    """Pair ``i``'s trainee's skill levels by taxonomy code."""
    taxonomy = ctx.taxonomy
    if taxonomy is None:
        return {}
    codes = taxonomy.skill_codes
    skills, t = ctx.trainees.skills, int(ctx.t_idx[i])
    lo, hi = skills.indptr[t], skills.indptr[t + 1]
    return {codes[c]: int(level) for c, level in zip(skills.indices[lo:hi].tolist(), skills.data[lo:hi].tolist())}


def assess_pair(ctx: PairContext, i: int) -> Assessment:
    """:func:`assess` for pair ``i`` of ``ctx``, under its site's policy."""
    return assess(held_of(ctx, i), requirements_of(ctx, i), ctx.site.qualification)
