"""How much history stands behind an estimate, and how far the learnt model is trusted over the prior.

Two placements are *similar* when their openings are in the same occupation and the same kind of area
(metro, urban, rural): the situations in which the history says something about a new pair. With
``n`` similar past placements, the learnt model gets the weight ``n / (n + strength)`` and the
programme's transparent prior the rest (on the logit scale), so that where the history is thin the
estimate falls back to the prior, and an answer can say how much history stands behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["LITTLE_HISTORY", "Evidence", "HistoryEvidence", "cell_keys", "count_cells", "evidence_sentence",
           "history_weight", "similar_counts"]

#: Below this weight of history an estimate is "mostly the programme's prior".
LITTLE_HISTORY = 0.5
#: Pair features naming the cell a pair falls in (see :data:`matching.features.OUTCOME_FEATURE_NAMES`).
CELL_FEATURES = ("opening_occupation", "opening_area_type")
_UNKNOWN = "?"


def _labels(features: Mapping[str, np.ndarray], name: str, n: int) -> list[str]:
    values = features.get(name)
    if values is None:
        return [_UNKNOWN] * n
    return [_UNKNOWN if v is None or v != v else str(v) for v in np.asarray(values, dtype=object).reshape(n).tolist()]


def cell_keys(features: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    """``"<occupation>|<area type>"`` of each pair's opening (``?`` for what is unknown), as an object array."""
    occupation, area = (_labels(features, name, n) for name in CELL_FEATURES)
    out = np.empty(n, dtype=object)
    out[:] = [f"{o}|{a}" for o, a in zip(occupation, area)]
    return out


def count_cells(features: Mapping[str, np.ndarray], n: int) -> dict[str, int]:
    """Past placements per cell (sorted by key, so that a saved model is the same bytes for the same data)."""
    keys, counts = np.unique(cell_keys(features, n).astype(str), return_counts=True)
    return {str(k): int(c) for k, c in zip(keys.tolist(), counts.tolist())}


def similar_counts(features: Mapping[str, np.ndarray], n: int, counts: Mapping[str, int]) -> np.ndarray:
    """Similar past placements of each pair (int64); none for a cell the history has not seen."""
    keys = cell_keys(features, n).tolist()
    return np.fromiter((counts.get(k, 0) for k in keys), dtype=np.int64, count=n)


def history_weight(similar: np.ndarray, strength: float) -> np.ndarray:
    """The learnt model's weight ``n / (n + strength)``: 0 without history, towards 1 with much of it."""
    similar = np.asarray(similar, dtype=np.float64)
    if strength <= 0:
        return np.where(similar > 0, 1.0, 0.0)
    return similar / (similar + float(strength))


def evidence_sentence(similar: int, weight: float, *, learnt: bool = True) -> str:
    """How much history stands behind one estimate, in words a coordinator can repeat (``learnt`` False: the
    model is the prior alone, the history as a whole being too thin to learn from)."""
    placements = "1 similar past placement" if similar == 1 else f"{similar} similar past placements"
    if not learnt:
        return f"too little history to learn from yet: the programme's prior ({placements})"
    if similar == 0:
        return "no similar past placements (same occupation and kind of area): the programme's prior"
    if weight < LITTLE_HISTORY:
        return f"little history: mostly the programme's prior ({placements})"
    return f"based on {placements} (same occupation and kind of area)"


@dataclass(frozen=True)
class Evidence:
    """The history behind one estimate: similar past placements, the learnt model's weight, and in words."""

    similar_placements: int
    weight_of_history: float
    sentence: str


@dataclass(frozen=True, eq=False)
class HistoryEvidence:
    """The history behind many estimates: ``similar`` placements and the learnt model's ``weight`` per pair;
    ``learnt`` False when the model is the prior alone."""

    similar: np.ndarray
    weight: np.ndarray
    learnt: bool

    def at(self, i: int) -> Evidence:
        similar, weight = int(self.similar[i]), float(self.weight[i])
        return Evidence(similar_placements=similar, weight_of_history=weight,
                        sentence=evidence_sentence(similar, weight, learnt=self.learnt))
