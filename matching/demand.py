"""Labour-market demand: how fast postings for an occupation are growing in a district.

The engine asks a :class:`DemandSignal` for the yearly growth of postings per
(district, occupation), e.g. ``+0.12`` for 12% more postings than a year ago.
Signals are computed elsewhere (from market-signal counts) and handed in;
:class:`NeutralDemand` is used when there are none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["DemandSignal", "NeutralDemand", "TableDemand"]


@runtime_checkable
class DemandSignal(Protocol):
    def growth(self, district: np.ndarray, occupation: np.ndarray) -> np.ndarray:
        """Yearly growth (``+0.12`` = 12%) for aligned arrays of district names and occupation codes."""
        ...


class NeutralDemand:
    """No demand information: growth 0 everywhere."""

    def growth(self, district: np.ndarray, occupation: np.ndarray) -> np.ndarray:
        return np.zeros(np.asarray(district).shape[0], dtype=np.float64)

    def get(self, district: str | None, occupation: str | None) -> float:
        return 0.0


class TableDemand:
    """Growth looked up in a mapping ``(district name, occupation code) -> growth``, ``default`` elsewhere.

    District names are the gazetteer's (as in the tables); occupation codes the taxonomy's.
    """

    def __init__(self, growth: Mapping[tuple[str, str], float], default: float = 0.0):
        self._growth = {(str(d), str(o)): float(g) for (d, o), g in growth.items()}
        self.default = float(default)

    def get(self, district: str | None, occupation: str | None) -> float:
        if district is None or occupation is None:  # no series has an unknown district or occupation
            return self.default
        return self._growth.get((district, occupation), self.default)

    def growth(self, district: np.ndarray, occupation: np.ndarray) -> np.ndarray:
        district = np.asarray(district, dtype=object).reshape(-1)
        occupation = np.asarray(occupation, dtype=object).reshape(-1)
        if district.shape != occupation.shape:
            raise ValueError("district and occupation must be aligned")
        cache: dict[tuple[object, object], float] = {}
        out = np.empty(district.shape[0], dtype=np.float64)
        for i, key in enumerate(zip(district.tolist(), occupation.tolist())):
            value = cache.get(key)
            if value is None:
                value = cache[key] = self._growth.get(key, self.default)
            out[i] = value
        return out

    def __len__(self) -> int:
        return len(self._growth)
