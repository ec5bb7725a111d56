"""How well a trainee's skills cover an opening's required skills, for many pairs at once.

For each required skill ``j`` at level ``r`` the trainee earns a credit in 0..1:

- directly, ``min(h_j / r, 1)`` where ``h_j`` is her level in ``j`` (level 2 of a
  required 3 earns 2/3);
- through a related skill ``i`` she holds, ``w_ij × min(h_i / r, 1)`` where
  ``w_ij`` is the taxonomy's "related" weight (holding ``i`` earns ``w`` towards ``j``);

and keeps the best of these. The fit is the mean credit over the required
skills (the share of the requirements covered, partial credit included), 1 when
nothing is required. Per pair the result also counts the required skills, those
met at the required level, and those met only partly (a lower level or a
related skill).

All functions work on sparse level matrices (``(rows, n_skills)``, 0 = none)
and never loop over pairs in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:
    from .reference import Taxonomy

__all__ = ["RelatedSkills", "SkillFit", "skill_fit_one_opening", "skill_fit_one_trainee", "skill_fit_pairs"]

_LEVELS = (1, 2, 3)


@dataclass(frozen=True, eq=False)
class SkillFit:
    """Per pair: ``fit`` in 0..1, ``n_required``, ``n_met`` (at level) and ``n_partial`` (some credit, not met)."""

    fit: np.ndarray
    n_required: np.ndarray
    n_met: np.ndarray
    n_partial: np.ndarray

    def __len__(self) -> int:
        return int(self.fit.shape[0])

    def take(self, index: np.ndarray) -> SkillFit:
        return SkillFit(self.fit[index], self.n_required[index], self.n_met[index], self.n_partial[index])


class RelatedSkills:
    """The taxonomy's related-skill weights, arranged for fast lookups of "what earns credit towards ``j``".

    ``matrix[i, j]`` is the credit skill ``i`` earns towards skill ``j``, 1 on the diagonal
    (:meth:`matching.reference.Taxonomy.related_matrix`).
    """

    def __init__(self, matrix: np.ndarray):
        matrix = np.asarray(matrix, dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise ValueError("related matrix must be square")
        if not np.all(np.diag(matrix) == 1.0):
            raise ValueError("related matrix must have 1 on its diagonal")
        self.n_skills = matrix.shape[0]
        csc = sp.csc_matrix(matrix)
        csc.sort_indices()
        self._indptr = csc.indptr.astype(np.int64)
        self._indices = csc.indices.astype(np.int64)
        self._weights = csc.data.astype(np.float64)

    @classmethod
    def from_taxonomy(cls, taxonomy: Taxonomy) -> RelatedSkills:
        return cls(taxonomy.related_matrix())

    def sources(self, skill: int) -> tuple[np.ndarray, np.ndarray]:
        """Skills earning credit towards ``skill`` (itself included) and their weights."""
        lo, hi = self._indptr[skill], self._indptr[skill + 1]
        return self._indices[lo:hi], self._weights[lo:hi]

    def credit(self, levels: np.ndarray, rows: np.ndarray, skill: np.ndarray, level: np.ndarray) -> np.ndarray:
        """Credit of entry ``e``: trainee ``levels[rows[e]]`` towards ``skill[e]`` required at ``level[e]``.

        ``levels`` is a dense ``(trainees, n_skills)`` level array.
        """
        n = skill.shape[0]
        if n == 0:
            return np.zeros(0, dtype=np.float64)
        start = self._indptr[skill]
        count = self._indptr[skill + 1] - start
        first = np.cumsum(count) - count
        entry = np.repeat(np.arange(n), count)
        position = np.repeat(start - first, count) + np.arange(int(count.sum()))
        source = self._indices[position]
        held = levels[rows[entry], source].astype(np.float64)
        value = self._weights[position] * np.minimum(held / level[entry], 1.0)
        return np.maximum.reduceat(value, first)

    def credit_table(self, levels: np.ndarray) -> np.ndarray:
        """``(trainees, 3, n_skills)``: credit of each trainee towards each skill required at level 1, 2, 3."""
        levels = np.atleast_2d(levels)
        t, s = levels.shape[0], self.n_skills
        rows = np.repeat(np.arange(t), 3 * s)
        level = np.tile(np.repeat(np.array(_LEVELS, dtype=np.float64), s), t)
        skill = np.tile(np.arange(s), 3 * t)
        return self.credit(levels, rows, skill, level).reshape(t, 3, s)


def _as_related(related: RelatedSkills | np.ndarray) -> RelatedSkills:
    return related if isinstance(related, RelatedSkills) else RelatedSkills(related)


def _dense_levels(levels: Any) -> np.ndarray:
    if sp.issparse(levels):
        return levels.toarray()
    return np.asarray(levels)


def _finish(pair: np.ndarray, n_pairs: int, credit: np.ndarray, met: np.ndarray) -> SkillFit:
    n_required = np.bincount(pair, minlength=n_pairs)
    total = np.bincount(pair, weights=credit, minlength=n_pairs)
    n_met = np.bincount(pair, weights=met, minlength=n_pairs).astype(np.int64)
    partial = (credit > 0) & ~met
    n_partial = np.bincount(pair, weights=partial, minlength=n_pairs).astype(np.int64)
    fit = np.ones(n_pairs, dtype=np.float64)
    has = n_required > 0
    fit[has] = np.minimum(total[has] / n_required[has], 1.0)
    return SkillFit(fit=fit, n_required=n_required.astype(np.int64), n_met=n_met, n_partial=n_partial)


def _rows(required: sp.csr_matrix, index: np.ndarray | None) -> sp.csr_matrix:
    return required if index is None else required[np.asarray(index, dtype=np.int64)]


def skill_fit_one_trainee(levels, required: sp.csr_matrix, related, o_idx: np.ndarray | None = None) -> SkillFit:
    """One trainee (a level vector, or a one-row matrix) against openings ``o_idx`` (all when None)."""
    related = _as_related(related)
    vector = _dense_levels(levels).reshape(-1)
    table = related.credit_table(vector[None, :])[0]          # (3, n_skills)
    rows = _rows(required, o_idx)
    counts = np.diff(rows.indptr)
    pair = np.repeat(np.arange(rows.shape[0]), counts)
    skill = rows.indices.astype(np.int64)
    level = rows.data.astype(np.int64)
    credit = table[level - 1, skill]
    met = vector[skill] >= level
    return _finish(pair, rows.shape[0], credit, met)


def skill_fit_one_opening(levels, required_row, related, t_idx: np.ndarray | None = None) -> SkillFit:
    """Trainees ``t_idx`` (all when None) of a level matrix against one opening's requirements.

    ``required_row`` is a one-row sparse matrix, or a dense level vector.
    """
    related = _as_related(related)
    dense = _dense_levels(levels)
    if t_idx is not None:
        dense = dense[np.asarray(t_idx, dtype=np.int64)]
    n = dense.shape[0]
    row = sp.csr_matrix(required_row) if not sp.issparse(required_row) else required_row.tocsr()
    credit_sum = np.zeros(n, dtype=np.float64)
    n_met = np.zeros(n, dtype=np.int64)
    n_partial = np.zeros(n, dtype=np.int64)
    for skill, level in zip(row.indices.tolist(), row.data.tolist()):    # the opening's few skills
        level = int(level)
        sources, weights = related.sources(skill)
        credit = np.zeros(n, dtype=np.float64)
        for source, weight in zip(sources.tolist(), weights.tolist()):
            np.maximum(credit, weight * np.minimum(dense[:, source] / level, 1.0), out=credit)
        met = dense[:, skill] >= level
        credit_sum += credit
        n_met += met
        n_partial += (credit > 0) & ~met
    k = int(row.nnz)
    fit = np.minimum(credit_sum / k, 1.0) if k else np.ones(n, dtype=np.float64)
    return SkillFit(fit=fit, n_required=np.full(n, k, dtype=np.int64), n_met=n_met, n_partial=n_partial)


def skill_fit_pairs(levels, t_idx: np.ndarray, required: sp.csr_matrix, o_idx: np.ndarray, related) -> SkillFit:
    """Aligned pairs: trainee ``t_idx[p]`` of ``levels`` against opening ``o_idx[p]`` of ``required``."""
    related = _as_related(related)
    dense = _dense_levels(levels)
    t_idx = np.asarray(t_idx, dtype=np.int64)
    rows = _rows(required, o_idx)
    counts = np.diff(rows.indptr)
    pair = np.repeat(np.arange(rows.shape[0]), counts)
    skill = rows.indices.astype(np.int64)
    level = rows.data.astype(np.int64)
    trainee = t_idx[pair]
    present = np.flatnonzero(np.bincount(t_idx, minlength=dense.shape[0])) if t_idx.size else t_idx
    if 0 < present.size * len(_LEVELS) * related.n_skills <= skill.shape[0]:
        # Many pairs per trainee: tabulate each trainee's credit towards every skill and level once.
        table = related.credit_table(dense[present])
        position = np.zeros(dense.shape[0], dtype=np.int64)
        position[present] = np.arange(present.size)
        credit = table[position[trainee], level - 1, skill]
    else:
        credit = related.credit(dense, trainee, skill, level.astype(np.float64))
    met = dense[trainee, skill] >= level
    return _finish(pair, rows.shape[0], credit, met)
