"""A site's minimum-wage tables: monthly minimums by skill category and zone, replacing each other by date."""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from .loading import _ZONE_RE, _Problems, _read_csv

__all__ = ["CATEGORY_FALLBACK", "SKILL_CATEGORIES", "MinimumWage", "MinimumWageLookupError", "MinimumWageTable",
           "load_minimum_wages"]

#: Minimum-wage skill categories, lowest first.
SKILL_CATEGORIES: tuple[str, ...] = ("unskilled", "semi_skilled", "skilled", "highly_skilled")
#: Where a wage table has no row for a category, the category it falls back to.
CATEGORY_FALLBACK: Mapping[str, str] = MappingProxyType({"highly_skilled": "skilled"})

class MinimumWageLookupError(KeyError, ValueError):
    """No minimum wage is known for the category, zone or date asked for.

    Both a ``KeyError`` and a ``ValueError``, so callers may catch either.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class MinimumWage:
    """One row of a minimum-wage table."""

    effective_from: datetime.date
    notification: str
    skill_category: str
    zone: str
    monthly_wage_inr: int


class MinimumWageTable:
    """Minimum monthly wages by skill category and zone, in tables that replace each other by date.

    The table in force on a date is the one with the latest ``effective_from``
    on or before it. A category a table has no row for falls back along
    :data:`CATEGORY_FALLBACK` (``highly_skilled`` -> ``skilled``).
    """

    def __init__(self, rates: Iterable[MinimumWage], *, source: str = "minimum-wage table"):
        self.source = source
        tables: dict[datetime.date, dict[tuple[str, str], MinimumWage]] = {}
        for rate in rates:
            table = tables.setdefault(rate.effective_from, {})
            key = (rate.skill_category, rate.zone)
            if key in table:
                raise ValueError(f"duplicate minimum wage for {key} from {rate.effective_from}")
            table[key] = rate
        self._dates: tuple[datetime.date, ...] = tuple(sorted(tables))
        self._tables = tables

    def effective_dates(self) -> tuple[datetime.date, ...]:
        return self._dates

    def categories(self) -> tuple[str, ...]:
        """The skill categories any table has rows for, lowest first."""
        present = {c for table in self._tables.values() for c, _ in table}
        return tuple(c for c in SKILL_CATEGORIES if c in present)

    def zones(self) -> tuple[str, ...]:
        return tuple(sorted({z for table in self._tables.values() for _, z in table}))

    def rate(self, *, skill_category: str, zone: str, on: datetime.date) -> MinimumWage:
        """The row in force on ``on`` for a category and zone."""
        if isinstance(on, datetime.datetime):
            on = on.date()
        if skill_category not in SKILL_CATEGORIES:
            raise MinimumWageLookupError(
                f"unknown skill category {skill_category!r}; expected one of {', '.join(SKILL_CATEGORIES)}")
        position = bisect.bisect_right(self._dates, on)
        if position == 0:
            first = self._dates[0].isoformat() if self._dates else "never"
            raise MinimumWageLookupError(
                f"no minimum-wage table is in force on {on.isoformat()} in {self.source}:"
                f" the earliest takes effect on {first}")
        effective = self._dates[position - 1]
        table = self._tables[effective]
        category: str | None = skill_category
        while category is not None:
            rate = table.get((category, zone))
            if rate is not None:
                return rate
            if any(c == category for c, _ in table):
                break
            category = CATEGORY_FALLBACK.get(category)
        zones = sorted({z for _, z in table})
        raise MinimumWageLookupError(
            f"no minimum wage for skill category {skill_category!r} in zone {zone!r} in the table"
            f" effective {effective.isoformat()} of {self.source} (zones: {', '.join(zones)})")

    def minimum(self, *, skill_category: str, zone: str, on: datetime.date) -> int:
        """The minimum monthly wage in force on ``on`` for a category and zone."""
        return self.rate(skill_category=skill_category, zone=zone, on=on).monthly_wage_inr

    def __repr__(self) -> str:
        return f"MinimumWageTable({len(self._dates)} tables from {self.source})"


_WAGE_COLUMNS = ("effective_from", "notification", "skill_category", "zone", "monthly_wage_inr")


def load_minimum_wages(path: Path) -> MinimumWageTable:
    """Load and validate a minimum-wage CSV (see ``data/README.md`` for its columns)."""
    path = Path(path)
    problems = _Problems(path)
    rows = _read_csv(path, _WAGE_COLUMNS, problems)
    rates: list[MinimumWage] = []
    seen: dict[tuple[datetime.date, str, str], int] = {}
    first_line: dict[datetime.date, int] = {}
    for line, row in rows:
        bad = len(problems.items)
        try:
            effective = datetime.date.fromisoformat(row["effective_from"])
        except ValueError:
            problems.add(line, f"effective_from {row['effective_from']!r} is not an ISO date (YYYY-MM-DD)")
            effective = None
        if not row["notification"]:
            problems.add(line, "notification is empty")
        category = row["skill_category"]
        if category not in SKILL_CATEGORIES:
            problems.add(line, f"skill_category {category!r} is not one of {', '.join(SKILL_CATEGORIES)}")
        zone = row["zone"]
        if not _ZONE_RE.match(zone):
            problems.add(line, f"zone {zone!r} is not a zone label (letters or digits)")
        wage_text = row["monthly_wage_inr"]
        if not wage_text.isdigit() or int(wage_text) <= 0:
            problems.add(line, f"monthly_wage_inr {wage_text!r} is not a positive whole number")
        if len(problems.items) > bad or effective is None:
            continue
        key = (effective, category, zone)
        if key in seen:
            problems.add(line, f"duplicate row for {category}/{zone} from {effective} (first on line {seen[key]})")
            continue
        seen[key] = line
        first_line.setdefault(effective, line)
        rates.append(MinimumWage(effective_from=effective, notification=row["notification"],
                                 skill_category=category, zone=zone, monthly_wage_inr=int(wage_text)))
    # Each table must cover every category it names in every zone it names.
    by_date: dict[datetime.date, set[tuple[str, str]]] = {}
    for rate in rates:
        by_date.setdefault(rate.effective_from, set()).add((rate.skill_category, rate.zone))
    for effective, keys in sorted(by_date.items()):
        categories = {c for c, _ in keys}
        zones = {z for _, z in keys}
        missing = sorted(f"{c}/{z}" for c in categories for z in zones if (c, z) not in keys)
        if missing:
            problems.add(first_line[effective],
                         f"table effective {effective} has no row for {', '.join(missing)}")
    problems.raise_if_any()
    return MinimumWageTable(rates, source=str(path))
