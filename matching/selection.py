"""Candidate selection before scoring: the rows of a table the safety rules could allow for one query, found
through a grid of places and per-skill columns instead of by running the rules on every row.

Each query (one trainee against every opening, or one opening against every trainee) would otherwise run the
rules and the scorer on every row, although most rows are far away or ask for skills she has none of. A
*necessary condition* of a rule is a test every pair the rule allows passes; the rows passing every applicable
condition are a superset of the rows the rules allow, and the engine then runs every rule and the scorer on
those rows only. The answer is the full scan's: same rows allowed, same scores, same order, same counts.

The conditions (each applies only when its rule, of exactly that class, is among the engine's rules):

- :class:`QualificationReach`, of :class:`~matching.safety.NotQualified`: she reaches at least the share of the
  opening's required skills the policy asks, each at ``max(1, asked - levels_below)`` or above (what the rule
  counts; it leaves out only the essential-skill check). Counted from the table's levels stored skill by skill:
  for her, the openings' levels asked in each of her few skills; for an opening, the trainees' levels in each of
  its few skills.
- :class:`CommuteReach`, of :class:`~matching.safety.CommuteTooLong`: the workplace lies within the straight-line
  distance any journey within her limit could cover (:meth:`~matching.commute.CommuteModel.reach_km`), found from
  a grid of latitude/longitude cells; or she would relocate and the employer houses its staff; or a coordinator
  confirmed her journey there (the confirmed time, not the distance, decides). Trainees are grouped by their
  commute limit, each group with its own grid, so an opening asks each group for its own reach.

The conditions run in order, each on the rows the previous ones kept: the place first (a grid lookup), then
the skills, read for those rows only.

The lists are built once per table, on first use or by :func:`prepare`, and kept in the table's cache; a table
whose records change is replaced by a new one (the service's index loads changed rows into a small new table and
masks them in the older ones), which builds its own lists. Rules with no condition here (a new rule, a site's
own filter) simply run on the selected rows, so adding a rule can never lose a pair.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np
import scipy.sparse as sp

from .commute import CommuteModel
from .geo import EARTH_RADIUS_KM
from .reference import QualificationPolicy
from .safety import CommuteTooLong, NotQualified, SafetyRule
from .tables import OpeningTable, TraineeTable

__all__ = ["CONDITIONS", "CommuteReach", "GeoCells", "QualificationReach", "SkillColumns", "openings_for_trainee",
           "prepare", "trainees_for_opening"]

#: Grid cells are this many degrees of latitude and longitude (about 5.5 km north-south).
CELL_DEGREES = 0.05
#: The search radius is widened by this much (relative, and in degrees) against rounding in the distances.
_SLACK = 1e-9
#: Trainees are grouped into at most this many bands of commute limit, each with its own grid.
_REACH_BANDS = 8
_LAT_CELLS = int(math.ceil(90 / CELL_DEGREES)) + 2
_LON_CELLS = int(math.ceil(180 / CELL_DEGREES)) + 2


# --------------------------------------------------------------------------- the lists


@dataclass(frozen=True, eq=False)
class SkillColumns:
    """A table's skill levels stored skill by skill: ``levels[s]`` holds every row's level in skill ``s`` (0: none),
    contiguous, so a query reads only the columns of the skills it asks about (one byte per row and skill: 48 MB
    for a million trainees and 48 skills)."""

    levels: np.ndarray

    @classmethod
    def of(cls, matrix: sp.csr_matrix) -> SkillColumns:
        return cls(np.ascontiguousarray(sp.csc_matrix(matrix).T.toarray(), dtype=np.int8))

    def column(self, skill: int, rows: np.ndarray | None) -> np.ndarray:
        """Every row's level in ``skill`` (or those of ``rows``)."""
        return self.levels[skill] if rows is None else self.levels[skill][rows]


@dataclass(frozen=True, eq=False)
class GeoCells:
    """Rows with a known place, bucketed by latitude/longitude cell; :meth:`within` gives every row within a
    great-circle distance of a point (and some a little farther: whole cells are returned)."""

    rows: np.ndarray  # sorted by cell
    keys: np.ndarray  # the cell of each of ``rows``
    anywhere: np.ndarray  # rows with coordinates off the usual ranges (a longitude of 200°): returned every time

    @classmethod
    def of(cls, lat: np.ndarray, lon: np.ndarray, rows: np.ndarray | None = None) -> GeoCells:
        rows = np.arange(lat.shape[0], dtype=np.int64) if rows is None else np.asarray(rows, dtype=np.int64)
        rows = rows[np.isfinite(lat[rows]) & np.isfinite(lon[rows])]
        usual = (np.abs(lat[rows]) <= 90) & (lon[rows] >= -180) & (lon[rows] < 180)
        anywhere, rows = rows[~usual], rows[usual]
        keys = _cell_keys(np.floor(lat[rows] / CELL_DEGREES), np.floor(lon[rows] / CELL_DEGREES))
        order = np.argsort(keys, kind="stable")
        return cls(rows=rows[order], keys=keys[order], anywhere=anywhere)

    def __len__(self) -> int:
        return int(self.rows.shape[0] + self.anywhere.shape[0])

    def within(self, lat: float, lon: float, km: float) -> np.ndarray:
        """Every row whose great-circle distance from (lat, lon) may be at most ``km`` (none for an unknown point
        or NaN distance; every row with a place for an infinite one)."""
        if not (math.isfinite(lat) and math.isfinite(lon)) or math.isnan(km) or km < 0 or not len(self):
            return self.rows[:0]
        return np.concatenate([self._near(lat, lon, km), self.anywhere]) if self.anywhere.size else \
            self._near(lat, lon, km)

    def _near(self, lat: float, lon: float, km: float) -> np.ndarray:
        # Great-circle distance d <= km bounds both differences: |dlat| <= d/R, and
        # sin(|dlon|/2) <= sin(d/2R) / cos(the larger |latitude|) (haversine formula, cos lat1 cos lat2 >= cos^2).
        angle = km / EARTH_RADIUS_KM * (1 + _SLACK)
        d_lat = math.degrees(angle) + _SLACK
        polar = abs(lat) + d_lat
        if angle >= math.pi / 2 or polar >= 89.0 or not -180 <= lon < 180:
            return self.rows
        ratio = math.sin(angle / 2) / math.cos(math.radians(polar))
        if ratio >= 1:
            return self.rows
        d_lon = math.degrees(2 * math.asin(ratio)) + _SLACK
        if lon - d_lon < -180 or lon + d_lon >= 180:  # across the antimeridian: not worth a grid
            return self.rows
        lat_cells = np.arange(math.floor((lat - d_lat) / CELL_DEGREES), math.floor((lat + d_lat) / CELL_DEGREES) + 1)
        low = _cell_keys(lat_cells, np.full(lat_cells.shape, math.floor((lon - d_lon) / CELL_DEGREES)))
        high = _cell_keys(lat_cells, np.full(lat_cells.shape, math.floor((lon + d_lon) / CELL_DEGREES)))
        begin = np.searchsorted(self.keys, low, side="left")
        end = np.searchsorted(self.keys, high, side="right")
        return _slices(self.rows, begin, end)


def _cell_keys(lat_cell: np.ndarray, lon_cell: np.ndarray) -> np.ndarray:
    """One int64 per cell, ordered by latitude band, then longitude within it."""
    return ((lat_cell.astype(np.int64) + _LAT_CELLS) * (2 * _LON_CELLS)
            + (lon_cell.astype(np.int64) + _LON_CELLS))


def _slices(values: np.ndarray, begin: np.ndarray, end: np.ndarray) -> np.ndarray:
    keep = end > begin
    if not keep.any():
        return values[:0]
    return np.concatenate([values[b:e] for b, e in zip(begin[keep].tolist(), end[keep].tolist(), strict=True)])


def _cached(table: Any, key: str, build: Any) -> Any:
    found = table._cache.get(key)
    if found is None:
        found = table._cache[key] = build()
    return found


def _kept(n: int, parts: list[np.ndarray], rows: np.ndarray | None) -> np.ndarray:
    """The rows (sorted) in any of ``parts``, among ``rows`` when given."""
    mask = np.zeros(n, dtype=bool)
    for part in parts:
        mask[part] = True
    return np.flatnonzero(mask) if rows is None else rows[mask[rows]]


# --------------------------------------------------------------------------- the necessary conditions


@dataclass(frozen=True)
class Setting:
    """What the conditions read besides the tables: the programme's qualification policy, the commute model."""

    policy: QualificationPolicy
    commute_model: CommuteModel


class Condition(Protocol):
    """A necessary condition of one safety rule (``rule``, matched by exact class): every pair the rule allows
    passes it. Each method is given the rows of the many-row table kept so far (sorted; None: every row) and gives
    those passing it (sorted), or None when it restricts nothing."""

    rule: ClassVar[type]

    def openings(self, trainees: TraineeTable, i: int, openings: OpeningTable, setting: Setting,
                 rows: np.ndarray | None) -> np.ndarray | None: ...

    def trainees(self, openings: OpeningTable, j: int, trainees: TraineeTable, setting: Setting,
                 rows: np.ndarray | None) -> np.ndarray | None: ...


class QualificationReach:
    """She reaches enough of the opening's required skills (the count :class:`~matching.safety.NotQualified`
    makes, essential skills aside)."""

    rule: ClassVar[type] = NotQualified

    def openings(self, trainees: TraineeTable, i: int, openings: OpeningTable, setting: Setting,
                 rows: np.ndarray | None) -> np.ndarray | None:
        policy = setting.policy
        asked = _cached(openings, "select:required", lambda: SkillColumns.of(openings.required))
        needed = _cached(openings, f"select:needed:{policy.share_of_required!r}",
                         lambda: np.ceil(policy.share_of_required * np.diff(openings.required.indptr) - 1e-9))
        if rows is not None:
            needed = needed[rows]
        skills = trainees.skills
        lo, hi = skills.indptr[i], skills.indptr[i + 1]
        reached = np.zeros(needed.shape[0], dtype=np.int16)
        for skill, held in zip(skills.indices[lo:hi].tolist(), skills.data[lo:hi].tolist(), strict=True):
            if held >= 1:  # she reaches a skill asked at level a when held >= max(1, a - levels_below)
                level = asked.column(skill, rows)
                reached += (level >= 1) & (level <= held + policy.levels_below)
        kept = reached >= needed
        return np.flatnonzero(kept) if rows is None else rows[kept]

    def trainees(self, openings: OpeningTable, j: int, trainees: TraineeTable, setting: Setting,
                 rows: np.ndarray | None) -> np.ndarray | None:
        policy = setting.policy
        required = openings.required
        lo, hi = required.indptr[j], required.indptr[j + 1]
        needed = math.ceil(policy.share_of_required * (hi - lo) - 1e-9)
        if needed <= 0:
            return rows
        held = _cached(trainees, "select:skills", lambda: SkillColumns.of(trainees.skills))
        reached = np.zeros(len(trainees) if rows is None else rows.shape[0], dtype=np.int16)
        for skill, asked in zip(required.indices[lo:hi].tolist(), required.data[lo:hi].tolist(), strict=True):
            reached += held.column(skill, rows) >= max(1, asked - policy.levels_below)
        kept = reached >= needed
        return np.flatnonzero(kept) if rows is None else rows[kept]


class CommuteReach:
    """The workplace is within reach of her limit, or she would relocate into the employer's accommodation, or
    her journey there is confirmed (the cases :class:`~matching.safety.CommuteTooLong` can allow)."""

    rule: ClassVar[type] = CommuteTooLong

    def openings(self, trainees: TraineeTable, i: int, openings: OpeningTable, setting: Setting,
                 rows: np.ndarray | None) -> np.ndarray | None:
        cells = _cached(openings, "select:cells", lambda: GeoCells.of(openings.lat, openings.lon))
        reach = float(setting.commute_model.reach_km(trainees.max_commute_minutes[i]))
        parts = [cells.within(float(trainees.lat[i]), float(trainees.lon[i]), reach)]
        if trainees.willing_to_relocate[i]:
            parts.append(_cached(openings, "select:housing", lambda: np.flatnonzero(openings.accommodation_provided)))
        confirmed = trainees.confirmed_journeys[i]
        if confirmed:
            at = _cached(openings, "rows", lambda: {str(e): k for k, e in enumerate(openings.external_id)})
            parts.append(np.array([at[str(e)] for e in confirmed if str(e) in at], dtype=np.int64))
        return _kept(len(openings), parts, rows)

    def trainees(self, openings: OpeningTable, j: int, trainees: TraineeTable, setting: Setting,
                 rows: np.ndarray | None) -> np.ndarray | None:
        bands = _cached(trainees, "select:bands", lambda: _reach_bands(trainees))
        lat, lon = float(openings.lat[j]), float(openings.lon[j])
        parts = [cells.within(lat, lon, float(setting.commute_model.reach_km(limit))) for limit, cells in bands]
        if openings.accommodation_provided[j]:
            parts.append(_cached(trainees, "select:relocating", lambda: np.flatnonzero(trainees.willing_to_relocate)))
        confirmed = _cached(trainees, "select:confirmed", lambda: _confirmed_by_opening(trainees))
        parts.append(confirmed.get(str(openings.external_id[j]), np.zeros(0, dtype=np.int64)))
        return _kept(len(trainees), parts, rows)


def _reach_bands(trainees: TraineeTable) -> list[tuple[float, GeoCells]]:
    """Trainees grouped by commute limit (at most a few groups), each with the largest limit in it and a grid
    of its rows. Rows with no limit (NaN) are in none: the commute rule blocks them wherever they go."""
    limits = trainees.max_commute_minutes
    known = np.flatnonzero(~np.isnan(limits))
    if not known.size:
        return []
    values = np.unique(limits[known])
    if values.size > _REACH_BANDS:  # bands of about equal size, each up to one of these limits
        values = np.unique(np.quantile(limits[known], np.linspace(0, 1, _REACH_BANDS + 1)[1:], method="higher"))
    band = np.searchsorted(values, limits[known], side="left")
    return [(float(values[b]), GeoCells.of(trainees.lat, trainees.lon, known[band == b]))
            for b in range(values.size) if (band == b).any()]


def _confirmed_by_opening(trainees: TraineeTable) -> dict[str, np.ndarray]:
    rows, opening_ids, _ = trainees.confirmed_pairs()
    found: dict[str, list[int]] = {}
    for row, opening in zip(rows.tolist(), opening_ids.tolist(), strict=True):
        found.setdefault(str(opening), []).append(row)
    return {opening: np.array(found_rows, dtype=np.int64) for opening, found_rows in found.items()}


#: The necessary conditions known, each of one rule, in the order they run (the place narrows the most cheaply).
CONDITIONS: tuple[Condition, ...] = (CommuteReach(), QualificationReach())


def _applicable(rules: Sequence[SafetyRule]) -> list[Condition]:
    kinds = {type(rule) for rule in rules}
    return [condition for condition in CONDITIONS if condition.rule in kinds]


def openings_for_trainee(trainees: TraineeTable, i: int, openings: OpeningTable, *, rules: Sequence[SafetyRule],
                         setting: Setting) -> np.ndarray | None:
    """The rows of ``openings`` (sorted): a superset of the openings ``rules`` can allow for trainee ``i`` (None:
    the rules have no condition here, every opening is a candidate)."""
    rows = None
    for condition in _applicable(rules):
        rows = condition.openings(trainees, i, openings, setting, rows)
    return rows


def trainees_for_opening(openings: OpeningTable, j: int, trainees: TraineeTable, *, rules: Sequence[SafetyRule],
                         setting: Setting) -> np.ndarray | None:
    """The rows of ``trainees`` (sorted): a superset of the trainees ``rules`` can allow for opening ``j`` (None:
    every trainee is a candidate)."""
    rows = None
    for condition in _applicable(rules):
        rows = condition.trainees(openings, j, trainees, setting, rows)
    return rows


def prepare(table: OpeningTable | TraineeTable) -> None:
    """Build a table's lists now rather than on its first query (the service does it when it loads a table), and
    the integer codes of the columns the rules and features compare (kept by the table likewise)."""
    for column in dataclasses.fields(table):
        value = getattr(table, column.name)
        if isinstance(value, tuple):
            table.set_column(column.name)
        elif (isinstance(value, np.ndarray) and value.dtype == object
              and column.name not in ("external_id", "confirmed_journeys")):
            table.categorical(column.name)
    if isinstance(table, OpeningTable):
        _cached(table, "select:required", lambda: SkillColumns.of(table.required))
        _cached(table, "select:cells", lambda: GeoCells.of(table.lat, table.lon))
    else:
        _cached(table, "select:skills", lambda: SkillColumns.of(table.skills))
        _cached(table, "select:bands", lambda: _reach_bands(table))
        _cached(table, "select:confirmed", lambda: _confirmed_by_opening(table))
