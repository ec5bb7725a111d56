"""Minimum wages (statutory, or the programme's floor) for many openings at once, and wages against what a
trainee needs."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import numpy as np

from .reference import MinimumWageLookupError, MinimumWageTable
from .tables import Categorical, categorise

__all__ = ["minimum_wage_cube", "minimum_wage_grid", "minimum_wages", "minimum_wages_coded", "wage_ratio"]


def minimum_wage_grid(table: MinimumWageTable, categories: Sequence[object], zones: Sequence[object],
                      on: datetime.date, sector: object = None) -> np.ndarray:
    """``(len(categories), len(zones))`` minimum monthly wages in force on ``on`` for openings of ``sector``
    (None: no sector of their own); NaN where none is known (unknown category or zone, a missing value, or no
    table in force yet)."""
    grid = np.full((len(categories), len(zones)), np.nan, dtype=np.float64)
    for i, category in enumerate(categories):
        for j, zone in enumerate(zones):
            if not isinstance(category, str) or not isinstance(zone, str):
                continue
            try:
                if isinstance(sector, str) and sector:
                    grid[i, j] = table.minimum(skill_category=category, zone=zone, on=on, sector=sector)
                else:
                    grid[i, j] = table.minimum(skill_category=category, zone=zone, on=on)
            except MinimumWageLookupError:
                pass
    return grid


def minimum_wage_cube(table: MinimumWageTable, sectors: Sequence[object], categories: Sequence[object],
                      zones: Sequence[object], on: datetime.date) -> np.ndarray:
    """``(len(sectors), len(categories), len(zones))`` minimums; one grid for every sector when the table has no
    sector rows (a table without them answers the same for every sector)."""
    if not table.has_sector_rows() or not len(sectors):
        grid = minimum_wage_grid(table, categories, zones, on)
        return np.broadcast_to(grid, (max(len(sectors), 1), *grid.shape))
    return np.stack([minimum_wage_grid(table, categories, zones, on, sector) for sector in sectors])


def minimum_wages_coded(table: MinimumWageTable, category: Categorical, zone: Categorical,
                        on: datetime.date, index: np.ndarray | None = None,
                        sector: Categorical | None = None) -> np.ndarray:
    """Minimum wage per row from integer-coded category and zone (and sector) columns (rows ``index``, all when
    None).

    The wage table is consulted once per distinct (sector, category, zone), not once per row.
    """
    rows = slice(None) if index is None else index
    if sector is None or not table.has_sector_rows():
        grid = minimum_wage_grid(table, category.labels, zone.labels, on)
        return grid[category.codes[rows], zone.codes[rows]]
    cube = minimum_wage_cube(table, sector.labels, category.labels, zone.labels, on)
    return cube[sector.codes[rows], category.codes[rows], zone.codes[rows]]


def minimum_wages(table: MinimumWageTable, category, zone, on: datetime.date, sector=None) -> np.ndarray:
    """Minimum monthly wage in force on ``on`` for aligned arrays of skill categories and zones (and the openings'
    sectors, when given) (NaN: unknown)."""
    category = np.asarray(category, dtype=object).reshape(-1)
    zone = np.asarray(zone, dtype=object).reshape(-1)
    sectors = None if sector is None else categorise(np.asarray(sector, dtype=object).reshape(-1))
    return minimum_wages_coded(table, categorise(category), categorise(zone), on, sector=sectors)


def wage_ratio(wage, expected) -> np.ndarray:
    """``wage / expected``; NaN where the expected wage is unknown, zero or negative."""
    wage = np.asarray(wage, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    out = np.full(np.broadcast(wage, expected).shape, np.nan, dtype=np.float64)
    np.divide(wage, expected, out=out, where=np.isfinite(expected) & (expected > 0))
    return out
