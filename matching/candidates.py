"""Candidate generation for the nightly run: for every trainee, her best allowed openings.

Scoring every trainee against every opening would be 100,000 × 20,000 pairs. Instead, per block of trainees:

1. rules that read only one side (employer vetting, minimum wage, opening open; trainee job-ready and
   available) drop whole openings and trainees first;
2. an opening is a candidate only if she reaches enough of its required skills for the programme's
   qualification rule (exactly the pairs that rule can allow, essential skills aside); where a programme has no
   such rule, only if she has at least one of its specific required skills, or a related one (broad skills such
   as hygiene or numeracy do not count; an opening asking only for those is open to everyone);
3. a conservative distance bound drops pairs no commute rule could allow: no journey of straight-line
   distance d is quicker than ``wait + d × detour × (fastest rate)``, so openings beyond her reach are
   skipped (pairs she could relocate for, willing and with employer accommodation, and pairs a coordinator
   confirmed a journey for, whose time replaces the estimate in the rule, are always kept);
4. the remaining pairs are scored by the engine with every safety rule; only allowed pairs are kept, and
   of those her ``k`` best.

The same block function serves the local run and the Dask run, so both give identical candidates.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matching.engine import MatchEngine
from matching.reference import QualificationPolicy, Taxonomy
from matching.safety import NotQualified, evaluate_rules, rule_scope
from matching.tables import OpeningTable, TraineeTable

SCORE_CHUNK = 1_000_000  # pairs scored at once (about 300 bytes each)
MARGIN = 0.02  # the planar distance may be this much longer than the great-circle one; never prune on it


@dataclass(frozen=True)
class Candidates:
    """Aligned arrays: trainee row, opening row, score; each trainee's pairs best first."""

    trainee: np.ndarray
    opening: np.ndarray
    score: np.ndarray

    def __len__(self) -> int:
        return int(self.trainee.shape[0])

    @staticmethod
    def concat(parts: list[Candidates]) -> Candidates:
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return Candidates(empty, empty.copy(), np.zeros(0))
        return Candidates(np.concatenate([p.trainee for p in parts]), np.concatenate([p.opening for p in parts]),
                          np.concatenate([p.score for p in parts]))


def side_passing(engine: MatchEngine, trainees: TraineeTable, openings: OpeningTable, *, scope: str,
                 as_of: datetime.date) -> np.ndarray:
    """Rows of one side (``"opening"`` or ``"trainee"``) breaking none of the rules that read only that side."""
    rules = [rule for rule in engine.rules if rule_scope(rule) == scope]
    rows = len(openings) if scope == "opening" else len(trainees)
    if not rules or rows == 0 or len(trainees) == 0 or len(openings) == 0:
        return np.ones(rows, dtype=bool)
    everyone, first = np.arange(rows, dtype=np.int64), np.zeros(rows, dtype=np.int64)
    t_idx, o_idx = (first, everyone) if scope == "opening" else (everyone, first)
    ctx = engine.context(trainees, t_idx, openings, o_idx, as_of=as_of)
    return np.asarray(~evaluate_rules(ctx, rules).any(axis=1))


def reach_km(engine: MatchEngine, max_minutes: np.ndarray) -> np.ndarray:
    """The farthest straight-line distance any journey within the minutes could cover (an upper bound)."""
    return engine.commute_model.reach_km(max_minutes)


def broad_skills(taxonomy: Taxonomy) -> np.ndarray:
    """Skill columns core to more than a fifth of the occupations (hygiene, numeracy...): sharing only these
    does not make an opening relevant to her."""
    counts = np.zeros(len(taxonomy.skill_index))
    for occupation in taxonomy.trades.values():
        for code, _ in occupation.core_skills:
            counts[taxonomy.skill_index[code]] += 1
    return counts > 0.2 * max(len(taxonomy.trades), 1)


def relevant_matrix(engine: MatchEngine, trainees: TraineeTable, rows: np.ndarray, openings: OpeningTable,
                    open_rows: np.ndarray) -> np.ndarray:
    """Dense (rows × open_rows) bool: the pairs worth scoring for their skills. Under the programme's qualification
    rule, exactly the pairs where she reaches enough of the opening's required skills (at the level asked or as
    far below as the policy allows) — a superset of the pairs the rule allows, since it leaves out only the
    essential-skill check. Without that rule: she has at least one of the opening's specific required skills, or a
    related one (an opening asking only for broad skills is relevant to everyone)."""
    if any(isinstance(rule, NotQualified) for rule in engine.rules):
        return reaches_enough(trainees, rows, openings, open_rows, engine.site.qualification)
    taxonomy = engine.taxonomy
    related = sp.csr_matrix(np.asarray(taxonomy.related_matrix()) > 0, dtype=np.float32)
    have = sp.csr_matrix(trainees.skills[rows] > 0, dtype=np.float32)
    have = have + have @ related  # a related skill counts towards relevance
    specific = sp.diags((~broad_skills(taxonomy)).astype(np.float32))
    need = sp.csr_matrix(openings.required[open_rows] > 0, dtype=np.float32) @ specific
    relevant = (have @ need.T).toarray() > 0
    relevant[:, np.asarray(need.sum(axis=1)).ravel() == 0] = True
    return relevant


def reaches_enough(trainees: TraineeTable, rows: np.ndarray, openings: OpeningTable, open_rows: np.ndarray,
                   policy: QualificationPolicy) -> np.ndarray:
    """Dense (rows × open_rows) bool: she reaches at least the share of the opening's required skills the policy
    asks, each at ``max(1, asked - levels_below)`` or above (as :func:`matching.qualification.assess` counts).
    One sparse product per level a skill can be reached at."""
    required = sp.csr_matrix(openings.required[open_rows])
    held = sp.csr_matrix(trainees.skills[rows])
    reach = required.copy()
    reach.data = np.maximum(1, reach.data.astype(np.int64) - policy.levels_below)
    reached = np.zeros((held.shape[0], required.shape[0]), dtype=np.float32)
    for level in np.unique(reach.data).tolist():
        asks = reach.copy()
        asks.data = (asks.data == level).astype(np.float32)
        has = held.copy()
        has.data = (has.data >= level).astype(np.float32)
        reached += (has @ asks.T).toarray()
    n_required = np.diff(required.indptr)
    needed = np.ceil(policy.share_of_required * n_required - 1e-9)
    return reached >= needed[None, :]


def _plane_km(lat: np.ndarray, lon: np.ndarray, lat0: float) -> tuple[np.ndarray, np.ndarray]:
    """Local planar coordinates in km (equirectangular about lat0): exact enough over commuting distances."""
    return lon * (111.320 * np.cos(np.radians(lat0))), lat * 110.574


def reachable_pairs(engine: MatchEngine, trainees: TraineeTable, rows: np.ndarray, openings: OpeningTable,
                    open_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Relevant pairs whose estimated commute could be within her limit (with a margin, so the commute rule
    itself decides), that relocation could allow, or whose journey a coordinator confirmed. Computed on a dense
    block grid: no per-pair gathers."""
    if rows.size == 0 or open_rows.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy()
    model = engine.commute_model
    lat0 = float(np.nanmean(trainees.lat[rows])) if np.isfinite(trainees.lat[rows]).any() else 0.0
    tx, ty = _plane_km(trainees.lat[rows], trainees.lon[rows], lat0)
    ox, oy = _plane_km(openings.lat[open_rows], openings.lon[open_rows], lat0)
    road = np.hypot(tx[:, None] - ox[None, :], ty[:, None] - oy[None, :]) * (model.detour_factor * (1 - MARGIN))
    rate = 0.5 * (model.rates(trainees.area_type[rows])[:, None] + model.rates(openings.area_type[open_rows])[None, :])
    minutes = model.minutes_from_road(road, rate)
    limit = np.nan_to_num(trainees.max_commute_minutes[rows], nan=60.0)
    reachable = ~(minutes > limit[:, None])  # NaN (unknown place) is left to the commute rule
    reachable |= trainees.willing_to_relocate[rows][:, None] & openings.accommodation_provided[open_rows][None, :]
    reachable |= confirmed_matrix(trainees, rows, openings, open_rows)
    reachable &= relevant_matrix(engine, trainees, rows, openings, open_rows)
    i, j = np.nonzero(reachable)
    return rows[i].astype(np.int64), open_rows[j].astype(np.int64)


def confirmed_matrix(trainees: TraineeTable, rows: np.ndarray, openings: OpeningTable,
                     open_rows: np.ndarray) -> np.ndarray:
    """Dense (rows × open_rows) bool: a coordinator confirmed her journey to that opening (the confirmed time, not
    the distance, decides the commute rule for these pairs)."""
    grid = np.zeros((rows.size, open_rows.size), dtype=bool)
    t_rows, opening_ids, _ = trainees.confirmed_pairs()
    mine = np.isin(t_rows, rows)
    if not mine.any():
        return grid
    row_at = {int(row): i for i, row in enumerate(rows.tolist())}
    opening_row = {str(external_id): row for row, external_id in enumerate(openings.external_id.tolist())}
    column_at = {int(row): j for j, row in enumerate(open_rows.tolist())}
    for row, external_id in zip(t_rows[mine].tolist(), opening_ids[mine].tolist(), strict=True):
        j = column_at.get(opening_row.get(str(external_id), -1))
        if j is not None:
            grid[row_at[row], j] = True
    return grid


def pair_keys(trainee: np.ndarray, opening: np.ndarray, n_openings: int) -> np.ndarray:
    """One int64 per (trainee row, opening row) pair, for fast set operations."""
    return np.asarray(trainee, dtype=np.int64) * max(n_openings, 1) + np.asarray(opening, dtype=np.int64)


def best_per_trainee(trainee: np.ndarray, opening: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """Positions of each trainee's ``k`` best pairs (ties: lower opening row first), grouped by trainee."""
    if trainee.size == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((opening, -np.round(score, 12), trainee))
    grouped = trainee[order]
    starts = np.r_[0, np.flatnonzero(grouped[1:] != grouped[:-1]) + 1]
    rank = np.arange(grouped.size) - np.repeat(starts, np.diff(np.r_[starts, grouped.size]))
    return order[rank < k]


def candidates_for_block(engine: MatchEngine, trainees: TraineeTable, openings: OpeningTable, rows: np.ndarray, *,
                         as_of: datetime.date, k: int, open_rows: np.ndarray | None = None,
                         excluded: np.ndarray | None = None) -> Candidates:
    """Each trainee's ``k`` best allowed openings, for the trainees at ``rows``.

    ``excluded`` holds :func:`pair_keys` of pairs not to propose again (she or the employer declined)."""
    if open_rows is None:
        open_rows = np.flatnonzero(side_passing(engine, trainees, openings, scope="opening", as_of=as_of))
    t_idx, o_idx = reachable_pairs(engine, trainees, np.asarray(rows, dtype=np.int64), openings, open_rows)
    parts = []
    for start in range(0, t_idx.size, SCORE_CHUNK):
        t, o = t_idx[start:start + SCORE_CHUNK], o_idx[start:start + SCORE_CHUNK]
        scored = engine.score_pairs(trainees, t, openings, o, as_of=as_of)
        keep = scored.allowed
        if excluded is not None and excluded.size:
            keep = keep & ~np.isin(pair_keys(t, o, len(openings)), excluded)
        parts.append(Candidates(t[keep], o[keep], scored.score[keep]))
    found = Candidates.concat(parts)
    best = best_per_trainee(found.trainee, found.opening, found.score, k)
    return Candidates(found.trainee[best], found.opening[best], found.score[best])


def trainee_blocks(engine: MatchEngine, trainees: TraineeTable, openings: OpeningTable, *, as_of: datetime.date,
                   block_size: int) -> Iterator[np.ndarray]:
    """The rows of ready trainees in blocks of neighbours (sorted by district, then position), so each block's
    distance search stays local. The blocks depend only on the data, never on the engine that runs them."""
    ready = np.flatnonzero(side_passing(engine, trainees, openings, scope="trainee", as_of=as_of))
    order = ready[np.lexsort((trainees.lon[ready], trainees.lat[ready], trainees.district[ready].astype(str)))]
    for start in range(0, order.size, block_size):
        yield np.sort(order[start:start + block_size])
