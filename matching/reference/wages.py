"""A site's minimum-wage tables: monthly minimums by skill category and zone, replacing each other by date.

A row is either statutory (the law's minimum, for every sector or for one sector) or the programme's own
floor, which holds where the law sets no minimum. For an opening, a statutory row for its sector wins, then a
statutory row for every sector, then the programme's floor (for its sector, then for every sector).
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from .loading import _CODE_RE, _ZONE_RE, _Problems, _read_csv

__all__ = ["CATEGORY_FALLBACK", "SKILL_CATEGORIES", "WAGE_KINDS", "MinimumWage", "MinimumWageLookupError",
           "MinimumWageTable", "load_minimum_wages"]

#: Minimum-wage skill categories, lowest first.
SKILL_CATEGORIES: tuple[str, ...] = ("unskilled", "semi_skilled", "skilled", "highly_skilled")
#: Where a wage table has no row for a category, the category it falls back to.
CATEGORY_FALLBACK: Mapping[str, str] = MappingProxyType({"highly_skilled": "skilled"})
#: What a row is: the law's minimum, or the floor the programme sets where the law sets none.
WAGE_KINDS: tuple[str, ...] = ("statutory", "programme_floor")

class MinimumWageLookupError(KeyError, ValueError):
    """No minimum wage is known for the category, zone or date asked for.

    Both a ``KeyError`` and a ``ValueError``, so callers may catch either.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class MinimumWage:
    """One row of a minimum-wage table; ``monthly_wage`` is in the site's currency.

    ``sector`` is the taxonomy sector the row is for (None: every sector); ``kind`` is ``statutory`` or
    ``programme_floor``.
    """

    effective_from: datetime.date
    notification: str
    skill_category: str
    zone: str
    monthly_wage: int
    sector: str | None = None
    kind: str = "statutory"

    @property
    def monthly_wage_inr(self) -> int:
        """The amount under its older name (in the site's currency, rupees or not)."""
        return self.monthly_wage

    @property
    def is_statutory(self) -> bool:
        return self.kind == "statutory"


#: A layer of rows that replace each other by date: (kind, sector or None).
_Layer = tuple[str, "str | None"]


class MinimumWageTable:
    """Minimum monthly wages by skill category and zone, in tables that replace each other by date.

    Rows come in layers: statutory or programme floor, for one sector or for all. Within a layer, the table
    in force on a date is the one with the latest ``effective_from`` on or before it, and a category a table
    has no row for falls back along :data:`CATEGORY_FALLBACK` (``highly_skilled`` -> ``skilled``). A lookup
    for a sector tries, in order: statutory for the sector, statutory for all, floor for the sector, floor
    for all; the first layer that has a row answers.
    """

    def __init__(self, rates: Iterable[MinimumWage], *, source: str = "minimum-wage table",
                 sector_lines: Mapping[str, int] | None = None):
        self.source = source
        #: The file line where each sector's rows begin (for messages about the file).
        self.sector_lines: Mapping[str, int] = MappingProxyType(dict(sector_lines or {}))
        layers: dict[_Layer, dict[datetime.date, dict[tuple[str, str], MinimumWage]]] = {}
        for rate in rates:
            table = layers.setdefault((rate.kind, rate.sector), {}).setdefault(rate.effective_from, {})
            key = (rate.skill_category, rate.zone)
            if key in table:
                raise ValueError(f"duplicate minimum wage for {key} from {rate.effective_from}"
                                 f" ({rate.kind}, sector {rate.sector or 'all'})")
            table[key] = rate
        self._layers = layers
        self._layer_dates = {layer: tuple(sorted(tables)) for layer, tables in layers.items()}
        self._dates: tuple[datetime.date, ...] = tuple(sorted({d for dates in self._layer_dates.values()
                                                               for d in dates}))

    def effective_dates(self) -> tuple[datetime.date, ...]:
        """Every date on which some table takes effect."""
        return self._dates

    def _rows(self) -> Iterable[tuple[str, str]]:
        return (key for tables in self._layers.values() for table in tables.values() for key in table)

    def categories(self) -> tuple[str, ...]:
        """The skill categories any table has rows for, lowest first."""
        present = {c for c, _ in self._rows()}
        return tuple(c for c in SKILL_CATEGORIES if c in present)

    def zones(self) -> tuple[str, ...]:
        return tuple(sorted({z for _, z in self._rows()}))

    def sectors(self) -> tuple[str, ...]:
        """The sectors that have rows of their own."""
        return tuple(sorted({sector for _, sector in self._layers if sector is not None}))

    def has_sector_rows(self) -> bool:
        return any(sector is not None for _, sector in self._layers)

    def _layers_for(self, sector: str | None) -> list[_Layer]:
        order: list[_Layer] = []
        for kind in WAGE_KINDS:
            if sector is not None:
                order.append((kind, sector))
            order.append((kind, None))
        return [layer for layer in order if layer in self._layers]

    def rate(self, *, skill_category: str, zone: str, on: datetime.date, sector: str | None = None) -> MinimumWage:
        """The row in force on ``on`` for a category and zone (and the opening's sector, when given)."""
        if isinstance(on, datetime.datetime):
            on = on.date()
        if skill_category not in SKILL_CATEGORIES:
            raise MinimumWageLookupError(
                f"unknown skill category {skill_category!r}; expected one of {', '.join(SKILL_CATEGORIES)}")
        layers = self._layers_for(sector if isinstance(sector, str) and sector else None)
        first_in_force: datetime.date | None = None
        for layer in layers:
            dates = self._layer_dates[layer]
            position = bisect.bisect_right(dates, on)
            if position == 0:
                continue
            effective = dates[position - 1]
            first_in_force = first_in_force or effective
            rate = self._row(self._layers[layer][effective], skill_category, zone)
            if rate is not None:
                return rate
        if first_in_force is None:
            earliest = min((self._layer_dates[layer][0] for layer in layers), default=None)
            raise MinimumWageLookupError(
                f"no minimum-wage table is in force on {on.isoformat()} in {self.source}:"
                f" the earliest takes effect on {earliest.isoformat() if earliest else 'never'}")
        raise MinimumWageLookupError(
            f"no minimum wage for skill category {skill_category!r} in zone {zone!r} in the table"
            f" effective {first_in_force.isoformat()} of {self.source} (zones: {', '.join(self.zones())})")

    @staticmethod
    def _row(table: Mapping[tuple[str, str], MinimumWage], skill_category: str, zone: str) -> MinimumWage | None:
        """The table's row for a category (or the category it falls back to) in a zone."""
        category: str | None = skill_category
        while category is not None:
            rate = table.get((category, zone))
            if rate is not None:
                return rate
            if any(c == category for c, _ in table):
                return None
            category = CATEGORY_FALLBACK.get(category)
        return None

    def minimum(self, *, skill_category: str, zone: str, on: datetime.date, sector: str | None = None) -> int:
        """The minimum monthly wage in force on ``on`` for a category and zone (and sector, when given)."""
        return self.rate(skill_category=skill_category, zone=zone, on=on, sector=sector).monthly_wage

    def __repr__(self) -> str:
        return f"MinimumWageTable({len(self._dates)} tables from {self.source})"


_WAGE_COLUMNS = ("effective_from", "notification", "skill_category", "zone")
#: The money column: ``monthly_wage`` (in the site's currency), or its older name on a site paid in rupees.
_MONEY_COLUMNS = ("monthly_wage", "monthly_wage_inr")


def load_minimum_wages(path: Path, *, currency: str | None = None) -> MinimumWageTable:
    """Load and validate a minimum-wage CSV (see ``data/README.md`` for its columns).

    ``currency`` is the site's; the ``monthly_wage_inr`` column is refused unless it is ``INR`` (or unknown).
    """
    path = Path(path)
    problems = _Problems(path)
    rows = _read_csv(path, _WAGE_COLUMNS, problems, one_of=_MONEY_COLUMNS)
    money = next((c for c in _MONEY_COLUMNS if rows and c in rows[0][1]), "monthly_wage")
    if money == "monthly_wage_inr" and currency not in (None, "INR"):
        problems.add(problems.header_line, f"the column monthly_wage_inr is for sites paid in INR; this site's"
                                           f" currency is {currency}: name the column monthly_wage")
        problems.raise_if_any()
    rates: list[MinimumWage] = []
    seen: dict[tuple, int] = {}
    first_line: dict[tuple, int] = {}
    sector_lines: dict[str, int] = {}
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
        sector = row.get("sector") or None
        if sector is not None and not _CODE_RE.match(sector):
            problems.add(line, f"sector {sector!r} is not a sector code (a lowercase slug; empty for every sector)")
        kind = row.get("kind") or "statutory"
        if kind not in WAGE_KINDS:
            problems.add(line, f"kind {kind!r} is not one of {', '.join(WAGE_KINDS)} (empty: statutory)")
        wage_text = row[money]
        if not wage_text.isdigit() or int(wage_text) <= 0:
            problems.add(line, f"{money} {wage_text!r} is not a positive whole number")
        if len(problems.items) > bad or effective is None:
            continue
        layer = (kind, sector)
        key = (layer, effective, category, zone)
        if key in seen:
            what = "" if layer == ("statutory", None) else f" ({kind}, sector {sector or 'all'})"
            problems.add(line, f"duplicate row for {category}/{zone} from {effective}{what}"
                               f" (first on line {seen[key]})")
            continue
        seen[key] = line
        first_line.setdefault((layer, effective), line)
        if sector is not None:
            sector_lines.setdefault(sector, line)
        rates.append(MinimumWage(effective_from=effective, notification=row["notification"],
                                 skill_category=category, zone=zone, monthly_wage=int(wage_text),
                                 sector=sector, kind=kind))
    # Each table must cover every category it names in every zone it names.
    by_table: dict[tuple, set[tuple[str, str]]] = {}
    for rate in rates:
        by_table.setdefault(((rate.kind, rate.sector), rate.effective_from), set()).add((rate.skill_category,
                                                                                         rate.zone))
    for (layer, effective), keys in sorted(by_table.items(), key=lambda item: first_line[item[0]]):
        categories = {c for c, _ in keys}
        zones = {z for _, z in keys}
        missing = sorted(f"{c}/{z}" for c in categories for z in zones if (c, z) not in keys)
        if missing:
            problems.add(first_line[(layer, effective)],
                         f"table effective {effective} has no row for {', '.join(missing)}")
    problems.raise_if_any()
    return MinimumWageTable(rates, source=str(path), sector_lines=sector_lines)
