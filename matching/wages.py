"""Statutory minimum wages for many openings at once, and wages against what a trainee needs."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import numpy as np

from .reference import MinimumWageLookupError, MinimumWageTable
from .tables import Categorical, categorise

__all__ = ["minimum_wage_grid", "minimum_wages", "minimum_wages_coded", "wage_ratio"]


def minimum_wage_grid(table: MinimumWageTable, categories: Sequence[object], zones: Sequence[object],
                      on: datetime.date) -> np.ndarray:
    """``(len(categories), len(zones))`` minimum monthly wages in force on ``on``; NaN where none is known
    (unknown category or zone, a missing value, or no table in force yet)."""
    grid = np.full((len(categories), len(zones)), np.nan, dtype=np.float64)
    for i, category in enumerate(categories):
        for j, zone in enumerate(zones):
            if not isinstance(category, str) or not isinstance(zone, str):
                continue
            try:
                grid[i, j] = table.minimum(skill_category=category, zone=zone, on=on)
            except MinimumWageLookupError:
                pass
    return grid


def minimum_wages_coded(table: MinimumWageTable, category: Categorical, zone: Categorical,
                        on: datetime.date, index: np.ndarray | None = None) -> np.ndarray:
    """Minimum wage per row from integer-coded category and zone columns (rows ``index``, all when None).

    The wage table is consulted once per distinct (category, zone), not once per row.
    """
    grid = minimum_wage_grid(table, category.labels, zone.labels, on)
    if index is None:
        return grid[category.codes, zone.codes]
    return grid[category.codes[index], zone.codes[index]]


def minimum_wages(table: MinimumWageTable, category, zone, on: datetime.date) -> np.ndarray:
    """Minimum monthly wage in force on ``on`` for aligned arrays of skill categories and zones (NaN: unknown)."""
    category = np.asarray(category, dtype=object).reshape(-1)
    zone = np.asarray(zone, dtype=object).reshape(-1)
    return minimum_wages_coded(table, categorise(category), categorise(zone), on)


def wage_ratio(wage, expected) -> np.ndarray:
    """``wage / expected``; NaN where the expected wage is unknown, zero or negative."""
    wage = np.asarray(wage, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    out = np.full(np.broadcast(wage, expected).shape, np.nan, dtype=np.float64)
    np.divide(wage, expected, out=out, where=np.isfinite(expected) & (expected > 0))
    return out
