"""Columnar tables of openings and trainees, built once from records and reused for many queries.

A table holds one numpy array per field (and a sparse matrix of skill levels),
so that matching works on whole columns at once. Records are plain dicts with
the fields as stored (see ``data/README.md`` and the import-bundle format):
skills as lists of ``{"label", "level", "skill"}`` where ``skill`` is the
taxonomy code (or None when the label was not recognised), dates as
``datetime.date`` or ISO strings.

Districts are resolved through the site's gazetteer and stored under their
gazetteer name ("North 24 Parganas"), whatever spelling the record used; a
district the gazetteer does not know is kept as given. Coordinates missing from
a record are taken from the district's headquarters.

Categorical columns (district, employer, sector, ...) are also available as
integer codes through :meth:`OpeningTable.categorical`, computed once per table
and kept by :meth:`subset`; matching compares those codes rather than strings.
A table remembers the taxonomy and site it was built with, and caches what
matching derives from it (codes, rule results per day): build a table once and
reuse it for many queries, and build a new one when its records change.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from .reference import SKILL_CATEGORIES, Site, Taxonomy

__all__ = ["Categorical", "OpeningTable", "SetColumn", "TraineeTable", "categorise", "group_sets", "to_day"]

_EMPTY: frozenset[str] = frozenset()


# --------------------------------------------------------------------------- column helpers


@dataclass(frozen=True, eq=False)
class Categorical:
    """A column as integer codes: ``labels[codes[i]]`` is row ``i``'s value (labels in order of first appearance)."""

    labels: tuple[Any, ...]
    codes: np.ndarray
    index: Mapping[Any, int]

    def code_of(self, label: Any) -> int:
        """The code of a label, or -1 when no row has it."""
        return self.index.get(label, -1)

    def codes_of(self, labels: Iterable[Any]) -> np.ndarray:
        """Codes of the labels present in the column (labels absent from it are dropped)."""
        found = [self.index[label] for label in labels if label in self.index]
        return np.asarray(found, dtype=np.int64)


def categorise(values: Sequence[Any] | np.ndarray) -> Categorical:
    """Integer-code a column of hashable values (None allowed)."""
    index: dict[Any, int] = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int32,
                        count=len(values))
    return Categorical(labels=tuple(index), codes=codes, index=index)


@dataclass(frozen=True, eq=False)
class SetColumn:
    """A column of sets as group codes: ``groups[codes[i]]`` is row ``i``'s set (each distinct set stored once)."""

    groups: tuple[frozenset[str], ...]
    codes: np.ndarray


def group_sets(values: Sequence[frozenset[str]]) -> SetColumn:
    index: dict[frozenset[str], int] = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int32, count=len(values))
    return SetColumn(groups=tuple(index), codes=codes)


def to_day(value: Any) -> datetime.date | None:
    """A date from a ``date``, ``datetime``, ISO string or numpy datetime64; None when empty or NaT."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else value.astype("datetime64[D]").item()
    if isinstance(value, str):
        text = value.strip()
        return datetime.date.fromisoformat(text[:10]) if text else None
    raise TypeError(f"not a date: {value!r}")


def _days(values: Iterable[Any]) -> np.ndarray:
    return np.array([to_day(v) for v in values], dtype="datetime64[D]")


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().casefold() in ("true", "yes", "1", "y")
    return bool(value)


def _float(value: Any, default: float = math.nan) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    return float(value)


def _text_set(values: Any) -> frozenset[str]:
    if not values:
        return _EMPTY
    if isinstance(values, str):
        values = values.split(";")
    return frozenset(v.strip().casefold() for v in values if isinstance(v, str) and v.strip())


def _id_set(values: Any) -> frozenset[str]:
    if not values:
        return _EMPTY
    if isinstance(values, str):
        values = values.split(";")
    return frozenset(str(v).strip() for v in values if str(v).strip())


class _Interner:
    """Shares one object among equal frozensets, so that a column of a few distinct sets costs little."""

    def __init__(self) -> None:
        self._seen: dict[frozenset[str], frozenset[str]] = {_EMPTY: _EMPTY}

    def __call__(self, value: frozenset[str]) -> frozenset[str]:
        return self._seen.setdefault(value, value)


class _Places:
    """Resolves district spellings once per distinct spelling."""

    def __init__(self, site: Site):
        self.site = site
        self._cache: dict[str, Any] = {}

    def district(self, text: Any):  # -> District | None
        if not isinstance(text, str) or not text.strip():
            return None
        if text not in self._cache:
            self._cache[text] = self.site.gazetteer.resolve(text)
        return self._cache[text]

    def name(self, text: Any) -> str | None:
        found = self.district(text)
        if found is not None:
            return found.name
        return text.strip() if isinstance(text, str) and text.strip() else None

    def names(self, values: Any) -> frozenset[str]:
        return frozenset(n for n in (self.name(v) for v in _id_set(values)) if n)


def _skill_code(item: Mapping[str, Any], taxonomy: Taxonomy, normaliser: Any) -> str | None:
    code = item.get("skill")
    if code is None:
        code = item.get("code")
    if code is None and normaliser is not None and isinstance(item.get("label"), str):
        code = normaliser.match(item["label"]).code
    return code if code in taxonomy.skill_index else None


def _level(value: Any) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 1
    return min(3, max(1, level))


def _levels(items: Any, taxonomy: Taxonomy, normaliser: Any) -> dict[int, int]:
    """``{skill column: highest level}`` of a stored skill list."""
    out: dict[int, int] = {}
    for item in items or ():
        if not isinstance(item, Mapping):
            continue
        code = _skill_code(item, taxonomy, normaliser)
        if code is None:
            continue
        column = taxonomy.skill_index[code]
        level = _level(item.get("level", 1))
        if level > out.get(column, 0):
            out[column] = level
    return out


def _essential(items: Any, taxonomy: Taxonomy, normaliser: Any) -> set[int]:
    """Skill columns of a stored required-skill list that are marked ``essential``."""
    out: set[int] = set()
    for item in items or ():
        if isinstance(item, Mapping) and _bool(item.get("essential", False)):
            code = _skill_code(item, taxonomy, normaliser)
            if code is not None:
                out.add(taxonomy.skill_index[code])
    return out


def _wage_category(value: Any) -> str | None:
    """A minimum-wage category as given on an opening (``semi-skilled`` reads as ``semi_skilled``); None when
    absent or not one of :data:`~matching.reference.SKILL_CATEGORIES`."""
    if not isinstance(value, str):
        return None
    text = value.strip().casefold().replace("-", "_").replace(" ", "_")
    return text if text in SKILL_CATEGORIES else None


def _level_matrix(rows: list[dict[int, int]], n_skills: int) -> sp.csr_matrix:
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.fromiter((c for r in rows for c in sorted(r)), dtype=np.int32, count=int(indptr[-1]))
    data = np.fromiter((r[c] for r in rows for c in sorted(r)), dtype=np.int8, count=int(indptr[-1]))
    matrix = sp.csr_matrix((data, indices, indptr), shape=(len(rows), n_skills))
    matrix.has_sorted_indices = True
    return matrix


def _normalise_index(index: Any, n: int) -> np.ndarray:
    index = np.asarray(index)
    if index.dtype == bool:
        if index.shape != (n,):
            raise ValueError(f"boolean index of shape {index.shape} for a table of {n} rows")
        return np.flatnonzero(index)
    return index.astype(np.int64, copy=False).reshape(-1)


class _Columnar:
    """What both tables share: categorical codes, set groups, subsetting."""

    _cache: dict[str, Any]
    external_id: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    __dataclass_fields__: ClassVar[dict[str, Any]]  # both tables are dataclasses

    def __len__(self) -> int:
        return int(self.external_id.shape[0])

    def categorical(self, name: str) -> Categorical:
        """Integer codes of a 1-d column (computed once per table)."""
        key = "cat:" + name
        found = self._cache.get(key)
        if found is None:
            found = categorise(getattr(self, name))
            self._cache[key] = found
        return found

    def set_column(self, name: str) -> SetColumn:
        """Group codes of a column of sets (computed once per table)."""
        key = "set:" + name
        found = self._cache.get(key)
        if found is None:
            found = group_sets(getattr(self, name))
            self._cache[key] = found
        return found

    def radians(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Latitude and longitude in radians and the cosine of latitude, computed once per table."""
        found = self._cache.get("radians")
        if found is None:
            lat, lon = np.radians(self.lat), np.radians(self.lon)
            found = self._cache["radians"] = (lat, lon, np.cos(lat))
        return found

    def index_of(self, external_id: str) -> int:
        """The row of an external id (KeyError when absent)."""
        found = self._cache.get("rows")
        if found is None:
            found = {str(e): i for i, e in enumerate(self.external_id)}
            self._cache["rows"] = found
        return found[external_id]

    def subset(self, index: np.ndarray):  # -> same type
        """The rows at ``index`` (integer positions or a boolean mask), in that order."""
        rows = _normalise_index(index, len(self))
        values: dict[str, Any] = {}
        for f in fields(self):
            if not f.init:
                continue
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                values[f.name] = value[rows]
            elif sp.issparse(value):
                values[f.name] = value[rows]
            elif isinstance(value, tuple):
                values[f.name] = tuple(value[i] for i in rows.tolist())
            else:
                values[f.name] = value
        table = type(self)(**values)
        for key, found in self._cache.items():
            if isinstance(found, Categorical):
                table._cache[key] = Categorical(found.labels, found.codes[rows], found.index)
            elif isinstance(found, SetColumn):
                table._cache[key] = SetColumn(found.groups, found.codes[rows])
        return table


# --------------------------------------------------------------------------- openings


@dataclass(frozen=True, eq=False)
class OpeningTable(_Columnar):
    """Openings, one row each. See the module docstring for how records are read."""

    external_id: np.ndarray
    employer_external_id: np.ndarray
    employer_vetted: np.ndarray
    employer_vetted_on: np.ndarray
    occupation_code: np.ndarray
    sector: np.ndarray
    district: np.ndarray
    zone: np.ndarray
    area_type: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    monthly_wage: np.ndarray
    wage_category: np.ndarray
    minimum_wage_category: np.ndarray
    positions_left: np.ndarray
    shift: np.ndarray
    accommodation_provided: np.ndarray
    transport_provided: np.ndarray
    languages_required: tuple[frozenset[str], ...]
    is_open: np.ndarray
    posted_on: np.ndarray
    closes_on: np.ndarray
    required: sp.csr_matrix
    essential: sp.csr_matrix
    taxonomy: Taxonomy | None = field(default=None, repr=False, compare=False)
    site: Site | None = field(default=None, repr=False, compare=False)
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]], *, employers: Mapping[str, Mapping[str, Any]],
                     taxonomy: Taxonomy, site: Site, skill_normaliser: Any = None,
                     occupation_normaliser: Any = None, core_skills_when_empty: bool = True) -> OpeningTable:
        """Build the table from opening records.

        ``employers`` maps employer external ids to ``{"vetted": bool, "vetted_on": date | None}``; an
        opening whose employer is missing there counts as not vetted. The occupation is
        ``occupation_code`` when it is a taxonomy code, else ``occupation`` when that is one (or maps
        through ``occupation_normaliser``). Required skills are the ``required_skills`` with a taxonomy
        code (labels without one map through ``skill_normaliser`` when given, and otherwise count for
        nothing); when none is left and the occupation is known, the occupation's core skills are
        required instead (``core_skills_when_empty``). ``essential`` holds, at their required level, the
        required skills whose item is marked ``"essential": true`` (none for the core-skill default).
        ``wage_category`` is the record's ``wage_category`` when it is a minimum-wage category (else None);
        ``minimum_wage_category`` is that, or the occupation's ``skill_category``, or ``unskilled`` for an
        unknown occupation. ``positions_left`` is the record's
        ``positions_left`` when present, else ``positions`` (default 1): subtract current placements
        before building the table if they should count.
        """
        records = list(records)
        places = _Places(site)
        intern = _Interner()
        occupations = taxonomy.occupations
        cols: dict[str, list[Any]] = {name: [] for name in (
            "external_id", "employer_external_id", "employer_vetted", "vetted_on", "occupation_code", "sector",
            "district", "zone", "area_type", "lat", "lon", "monthly_wage", "wage_category", "minimum_wage_category",
            "positions_left", "shift", "accommodation_provided", "transport_provided", "languages_required",
            "is_open", "posted_on", "closes_on")}
        required_rows: list[dict[int, int]] = []
        essential_rows: list[dict[int, int]] = []
        for record in records:
            employer_id = str(record.get("employer_external_id") or "")
            employer = employers.get(employer_id) or {}
            code = _occupation_code(record, occupations, occupation_normaliser)
            occupation = occupations.get(code) if code else None
            lat, lon, zone, area = _opening_place(record, places, site)
            levels = _levels(record.get("required_skills"), taxonomy, skill_normaliser)
            essential = _essential(record.get("required_skills"), taxonomy, skill_normaliser)
            if not levels and occupation is not None and core_skills_when_empty:
                levels = {taxonomy.skill_index[s]: lvl for s, lvl in occupation.core_skills}
            required_rows.append(levels)
            essential_rows.append({column: levels[column] for column in essential if column in levels})
            wage_category = _wage_category(record.get("wage_category"))
            positions = record.get("positions_left", record.get("positions", 1))
            cols["external_id"].append(str(record["external_id"]))
            cols["employer_external_id"].append(employer_id)
            cols["employer_vetted"].append(_bool(employer.get("vetted", False)))
            cols["vetted_on"].append(employer.get("vetted_on"))
            cols["occupation_code"].append(code)
            cols["sector"].append(record.get("sector") or (occupation.sector if occupation else None))
            cols["district"].append(places.name(record.get("district")))
            cols["zone"].append(zone)
            cols["area_type"].append(area)
            cols["lat"].append(lat)
            cols["lon"].append(lon)
            cols["monthly_wage"].append(_float(record.get("monthly_wage_inr", record.get("monthly_wage"))))
            cols["wage_category"].append(wage_category)
            cols["minimum_wage_category"].append(
                wage_category or (occupation.skill_category if occupation else "unskilled"))
            cols["positions_left"].append(int(positions) if positions is not None else 1)
            cols["shift"].append(str(record.get("shift") or "day").strip().casefold())
            cols["accommodation_provided"].append(_bool(record.get("accommodation_provided", False)))
            cols["transport_provided"].append(_bool(record.get("transport_provided", False)))
            cols["languages_required"].append(intern(_text_set(record.get("languages_required"))))
            cols["is_open"].append(str(record.get("status") or "open").strip().casefold() == "open")
            cols["posted_on"].append(record.get("posted_on"))
            cols["closes_on"].append(record.get("closes_on"))

        return cls._from_columns(cols, required_rows, essential_rows, taxonomy=taxonomy, site=site)

    @classmethod
    def _from_columns(cls, cols: dict[str, list[Any]], required_rows: list[dict[int, int]],
                      essential_rows: list[dict[int, int]], *, taxonomy: Taxonomy, site: Site) -> OpeningTable:
        n_skills = len(taxonomy.skill_index)

        def obj(name: str) -> np.ndarray:
            out = np.empty(len(cols[name]), dtype=object)
            out[:] = cols[name]
            return out

        return cls(
            external_id=obj("external_id"),
            employer_external_id=obj("employer_external_id"),
            employer_vetted=np.array(cols["employer_vetted"], dtype=bool),
            employer_vetted_on=_days(cols["vetted_on"]),
            occupation_code=obj("occupation_code"),
            sector=obj("sector"),
            district=obj("district"),
            zone=obj("zone"),
            area_type=obj("area_type"),
            lat=np.array(cols["lat"], dtype=np.float64),
            lon=np.array(cols["lon"], dtype=np.float64),
            monthly_wage=np.array(cols["monthly_wage"], dtype=np.float64),
            wage_category=obj("wage_category"),
            minimum_wage_category=obj("minimum_wage_category"),
            positions_left=np.array(cols["positions_left"], dtype=np.int64),
            shift=obj("shift"),
            accommodation_provided=np.array(cols["accommodation_provided"], dtype=bool),
            transport_provided=np.array(cols["transport_provided"], dtype=bool),
            languages_required=tuple(cols["languages_required"]),
            is_open=np.array(cols["is_open"], dtype=bool),
            posted_on=_days(cols["posted_on"]),
            closes_on=_days(cols["closes_on"]),
            required=_level_matrix(required_rows, n_skills),
            essential=_level_matrix(essential_rows, n_skills),
            taxonomy=taxonomy,
            site=site,
        )


def _occupation_code(record: Mapping[str, Any], occupations: Mapping[str, Any], occupation_normaliser: Any) -> Any:
    """``occupation_code`` when it is a taxonomy code, else ``occupation`` when that is one (or maps to one)."""
    code = record.get("occupation_code")
    if code not in occupations:
        text = record.get("occupation")
        code = text if text in occupations else None
        if code is None and occupation_normaliser is not None and isinstance(text, str) and text.strip():
            code = occupation_normaliser.match(text).code
    return code


def _opening_place(record: Mapping[str, Any], places: _Places, site: Site
                   ) -> tuple[float, float, str | None, str | None]:
    """``(lat, lon, zone, area type)``: the district's, or the nearest district's to the point given."""
    district = places.district(record.get("district"))
    lat, lon = _float(record.get("lat")), _float(record.get("lon"))
    if district is not None:
        if math.isnan(lat) or math.isnan(lon):
            lat, lon = district.lat, district.lon
        return lat, lon, district.zone, district.area_type
    if not (math.isnan(lat) or math.isnan(lon)):
        nearest = site.gazetteer.nearest(lat, lon)
        return lat, lon, nearest.zone, nearest.area_type
    return lat, lon, None, None


# --------------------------------------------------------------------------- trainees


@dataclass(frozen=True, eq=False)
class TraineeTable(_Columnar):
    """Trainees, one row each. Sensitive fields that matching does not use are never read."""

    external_id: np.ndarray
    status: np.ndarray
    district: np.ndarray
    area_type: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    skills: sp.csr_matrix
    languages: tuple[frozenset[str], ...]
    preferred_sectors: tuple[frozenset[str], ...]
    max_commute_minutes: np.ndarray
    willing_to_relocate: np.ndarray
    night_shift_ok: np.ndarray
    has_dependents: np.ndarray
    attendance_rate: np.ndarray
    expected_wage: np.ndarray
    excluded_employers: tuple[frozenset[str], ...]
    excluded_districts: tuple[frozenset[str], ...]
    available_from: np.ndarray
    training_track: np.ndarray
    confirmed_journeys: np.ndarray  # object: per row None, or {opening external id: confirmed one-way minutes}
    taxonomy: Taxonomy | None = field(default=None, repr=False, compare=False)
    site: Site | None = field(default=None, repr=False, compare=False)
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]], *, taxonomy: Taxonomy, site: Site,
                     skill_normaliser: Any = None) -> TraineeTable:
        """Build the table from trainee records (a list of one dict for a single profile).

        Missing values: ``max_commute_minutes`` 60; ``attendance_rate`` and ``expected_wage_inr``
        unknown (NaN); ``available_from`` unknown (she counts as available); coordinates from her
        district's headquarters. Excluded districts are resolved through the gazetteer like districts.
        ``confirmed_journeys`` (optional) maps opening external ids to the one-way minutes a coordinator
        confirmed for her journey there; they replace the estimate for those openings.
        """
        records = list(records)
        places = _Places(site)
        intern = _Interner()
        cols: dict[str, list[Any]] = {name: [] for name in (
            "external_id", "status", "district", "area_type", "lat", "lon", "languages", "preferred_sectors",
            "max_commute_minutes", "willing_to_relocate", "night_shift_ok", "has_dependents", "attendance_rate",
            "expected_wage", "excluded_employers", "excluded_districts", "available_from", "training_track",
            "confirmed_journeys")}
        skill_rows: list[dict[int, int]] = []
        for record in records:
            district = places.district(record.get("district"))
            lat, lon = _float(record.get("lat")), _float(record.get("lon"))
            area = district.area_type if district is not None else None
            if district is not None and (math.isnan(lat) or math.isnan(lon)):
                lat, lon = district.lat, district.lon
            if district is None and not (math.isnan(lat) or math.isnan(lon)):
                area = site.gazetteer.nearest(lat, lon).area_type
            skill_rows.append(_levels(record.get("skills"), taxonomy, skill_normaliser))
            track = record.get("training_track")
            cols["external_id"].append(str(record["external_id"]))
            cols["status"].append(str(record.get("status") or "").strip().casefold())
            cols["district"].append(places.name(record.get("district")))
            cols["area_type"].append(area)
            cols["lat"].append(lat)
            cols["lon"].append(lon)
            cols["languages"].append(intern(_text_set(record.get("languages"))))
            cols["preferred_sectors"].append(intern(_id_set(record.get("preferred_sectors"))))
            cols["max_commute_minutes"].append(_float(record.get("max_commute_minutes"), 60.0))
            cols["willing_to_relocate"].append(_bool(record.get("willing_to_relocate", False)))
            cols["night_shift_ok"].append(_bool(record.get("night_shift_ok", False)))
            cols["has_dependents"].append(_bool(record.get("has_dependents", False)))
            cols["attendance_rate"].append(_float(record.get("attendance_rate")))
            cols["expected_wage"].append(_float(record.get("expected_wage_inr", record.get("expected_wage"))))
            cols["excluded_employers"].append(intern(_id_set(record.get("excluded_employers"))))
            cols["excluded_districts"].append(intern(places.names(record.get("excluded_districts"))))
            cols["available_from"].append(record.get("available_from"))
            cols["training_track"].append(track.strip() if isinstance(track, str) and track.strip() else None)
            journeys = record.get("confirmed_journeys")
            cols["confirmed_journeys"].append({str(k): float(v) for k, v in journeys.items()} if journeys else None)

        def obj(name: str) -> np.ndarray:
            out = np.empty(len(records), dtype=object)
            out[:] = cols[name]
            return out

        return cls(
            external_id=obj("external_id"),
            status=obj("status"),
            district=obj("district"),
            area_type=obj("area_type"),
            lat=np.array(cols["lat"], dtype=np.float64),
            lon=np.array(cols["lon"], dtype=np.float64),
            skills=_level_matrix(skill_rows, len(taxonomy.skill_index)),
            languages=tuple(cols["languages"]),
            preferred_sectors=tuple(cols["preferred_sectors"]),
            max_commute_minutes=np.array(cols["max_commute_minutes"], dtype=np.float64),
            willing_to_relocate=np.array(cols["willing_to_relocate"], dtype=bool),
            night_shift_ok=np.array(cols["night_shift_ok"], dtype=bool),
            has_dependents=np.array(cols["has_dependents"], dtype=bool),
            attendance_rate=np.array(cols["attendance_rate"], dtype=np.float64),
            expected_wage=np.array(cols["expected_wage"], dtype=np.float64),
            excluded_employers=tuple(cols["excluded_employers"]),
            excluded_districts=tuple(cols["excluded_districts"]),
            available_from=_days(cols["available_from"]),
            training_track=obj("training_track"),
            confirmed_journeys=obj("confirmed_journeys"),
            taxonomy=taxonomy,
            site=site,
        )

    def confirmed_pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every confirmed journey as aligned ``(trainee row, opening external id, minutes)`` (computed once)."""
        found = self._cache.get("confirmed")
        if found is None:
            rows, ids, minutes = [], [], []
            for row in np.flatnonzero(np.array([bool(j) for j in self.confirmed_journeys], dtype=bool)).tolist():
                for opening, value in self.confirmed_journeys[row].items():
                    rows.append(row)
                    ids.append(opening)
                    minutes.append(value)
            opening_ids = np.empty(len(ids), dtype=object)
            opening_ids[:] = ids
            found = self._cache["confirmed"] = (np.array(rows, dtype=np.int64), opening_ids,
                                                np.array(minutes, dtype=np.float64))
        return found

    def levels_dense(self) -> np.ndarray:
        """Skill levels as a dense ``(n, n_skills)`` int8 array (computed once per table)."""
        found = self._cache.get("levels")
        if found is None:
            found = self.skills.toarray().astype(np.int8)
            found.setflags(write=False)
            self._cache["levels"] = found
        return found
