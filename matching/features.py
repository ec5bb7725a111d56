"""Pairs of trainees and openings, and the features that describe each pair.

:class:`PairContext` aligns rows of a :class:`~matching.tables.TraineeTable` and
an :class:`~matching.tables.OpeningTable` (pair ``p`` is trainee ``t_idx[p]``
with opening ``o_idx[p]``) and computes, once, what both the safety rules and
the features need: distances, commute minutes, the statutory minimum wage, set
memberships. Everything is computed on whole columns; categorical columns are
compared as integer codes, and sets (exclusions, languages, preferred sectors)
through the table's distinct sets, never pair by pair.

:func:`pair_features` turns pairs into the named arrays in
:data:`FEATURE_NAMES` that scorers read and explanations quote. Whether a
trainee is a survivor is not a feature and is never read.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .commute import DEFAULT_COMMUTE_MODEL, CommuteModel
from .dates import months_before
from .demand import DemandSignal, NeutralDemand
from .geo import haversine_km, haversine_prepared
from .reference import MinimumWage, MinimumWageLookupError, Site, Taxonomy
from .skillfit import RelatedSkills, SkillFit, skill_fit_one_opening, skill_fit_one_trainee, skill_fit_pairs
from .tables import Categorical, OpeningTable, SetColumn, TraineeTable, to_day
from .wages import minimum_wage_cube, minimum_wage_grid, wage_ratio

__all__ = ["EDUCATION_LEVELS", "FEATURE_NAMES", "OUTCOME_FEATURE_NAMES", "VETTING_VALID_MONTHS", "PairContext",
           "features_from_context", "months_before", "pair_features"]

#: An employer's safety check lapses this many months after its date.
VETTING_VALID_MONTHS = 12
#: commute_ratio given when her limit is 0 minutes (she cannot commute at all).
_RATIO_CAP = 10.0
#: Above this many (trainee groups × opening groups), set comparisons use only the combinations present.
_DENSE_GROUP_LIMIT = 200_000

FEATURE_NAMES: tuple[str, ...] = (
    "skill_fit",               # 0..1, mean credit over required skills (partial levels and related skills count)
    "skills_required",         # number of required skills
    "skills_met",              # required skills she has at the required level
    "skills_partial",          # required skills met only partly (lower level or a related skill)
    "distance_km",             # straight-line km from her home to the workplace
    "commute_minutes",         # estimated one-way door-to-door minutes
    "max_commute_minutes",     # her limit
    "commute_ratio",           # commute_minutes / her limit (10 when her limit is 0)
    "relocation",              # she is willing to relocate and the employer provides accommodation
    "monthly_wage",            # the opening's monthly wage
    "expected_wage",           # the wage she needs (NaN unknown)
    "minimum_wage",            # statutory minimum for the workplace's zone and the job's category (NaN unknown)
    "wage_ratio",              # monthly_wage / expected_wage (NaN unknown)
    "wage_over_minimum",       # monthly_wage / minimum_wage (NaN unknown)
    "night_or_rotating",       # the shift is night or rotating
    "transport_provided",
    "accommodation_provided",
    "preferred_sector_match",  # 1 the opening's sector is one she prefers, 0 not, NaN she named none
    "language_match",          # share of the required languages she speaks (1 when none required)
    "demand_growth",           # yearly growth of postings for the occupation in the district
    "attendance_rate",         # her training attendance, 0..1 (NaN unknown)
    "has_dependents",
    "training_track_match",    # 1 she trained for this occupation, 0 another, NaN unknown
)

#: Further facts about a pair, computed with the features above. The transparent scorer does not read them;
#: the outcome model (:mod:`matching.outcome_model`) learns from them.
OUTCOME_FEATURE_NAMES: tuple[str, ...] = (
    "night_shift",             # the shift is a night shift (night_or_rotating without this: rotating)
    "night_shift_ok",          # she accepts night shifts
    "willing_to_relocate",     # she would move into employer accommodation
    "languages_count",         # number of languages she speaks
    "education_level",         # 0 none .. 4 graduate (see EDUCATION_LEVELS; NaN unknown or not recorded)
    "employer_vetted",         # the employer passed the programme's check (whatever its date)
    "employer_external_id",    # object array: who offers the opening, for scorers that know employers' history
    "opening_occupation",      # object array: the opening's occupation code (None unknown)
    "opening_area_type",       # object array: metro, urban or rural where the opening is (None unknown)
)

#: Education levels in order; ``education_level`` is the position in this tuple.
EDUCATION_LEVELS: tuple[str, ...] = ("none", "primary", "secondary", "higher_secondary", "graduate")
_EDUCATION_RANK = {label: float(rank) for rank, label in enumerate(EDUCATION_LEVELS)}


def _object_array(values: tuple[Any, ...]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    for k, value in enumerate(values):
        out[k] = value
    return out


def _day64(day: datetime.date) -> np.datetime64:
    return np.datetime64(day, "D")


class PairContext:
    """Aligned pairs of trainee and opening rows, with derived arrays computed once and shared.

    Build with :meth:`for_trainee` (one trainee against many openings), :meth:`for_opening` (one
    opening against many trainees) or :meth:`pairs` (aligned index arrays). ``as_of`` is the day
    the pairs are judged on.
    """

    def __init__(self, trainees: TraineeTable, t_idx: np.ndarray, openings: OpeningTable, o_idx: np.ndarray, *,
                 as_of: datetime.date, site: Site | None = None, taxonomy: Taxonomy | None = None,
                 commute_model: CommuteModel | None = None, single_trainee: int | None = None,
                 single_opening: int | None = None, related: RelatedSkills | None = None,
                 _cache: dict[str, Any] | None = None):
        self.trainees = trainees
        self.openings = openings
        self.t_idx = np.asarray(t_idx, dtype=np.int64).reshape(-1)
        self.o_idx = np.asarray(o_idx, dtype=np.int64).reshape(-1)
        if self.t_idx.shape != self.o_idx.shape:
            raise ValueError(f"t_idx and o_idx must be aligned ({self.t_idx.shape} != {self.o_idx.shape})")
        day = to_day(as_of)
        if day is None:
            raise ValueError("as_of is required")
        as_of = day
        self.as_of: datetime.date = as_of
        self.as_of64 = _day64(as_of)
        self.vetting_cutoff: datetime.date = months_before(as_of, VETTING_VALID_MONTHS)
        found_site = site or openings.site or trainees.site
        if found_site is None:
            raise ValueError("a site is needed (tables built with from_records carry theirs)")
        self.site: Site = found_site
        self.taxonomy = taxonomy or openings.taxonomy or trainees.taxonomy
        self.commute_model = commute_model or DEFAULT_COMMUTE_MODEL
        self.single_trainee = single_trainee
        self.single_opening = single_opening
        self._related = related
        self._cache: dict[str, Any] = _cache if _cache is not None else {}

    # ------------------------------------------------------------------ construction

    @classmethod
    def for_trainee(cls, trainees: TraineeTable, index: int, openings: OpeningTable,
                    o_idx: np.ndarray | None = None, **kwargs: Any) -> PairContext:
        o_idx = np.arange(len(openings)) if o_idx is None else np.asarray(o_idx, dtype=np.int64)
        index = int(index)
        if not 0 <= index < len(trainees):
            raise IndexError(f"trainee index {index} out of range for {len(trainees)} trainees")
        return cls(trainees, np.full(o_idx.shape[0], index, dtype=np.int64), openings, o_idx,
                   single_trainee=index, **kwargs)

    @classmethod
    def for_opening(cls, openings: OpeningTable, index: int, trainees: TraineeTable,
                    t_idx: np.ndarray | None = None, **kwargs: Any) -> PairContext:
        t_idx = np.arange(len(trainees)) if t_idx is None else np.asarray(t_idx, dtype=np.int64)
        index = int(index)
        if not 0 <= index < len(openings):
            raise IndexError(f"opening index {index} out of range for {len(openings)} openings")
        return cls(trainees, t_idx, openings, np.full(t_idx.shape[0], index, dtype=np.int64),
                   single_opening=index, **kwargs)

    @classmethod
    def pairs(cls, trainees: TraineeTable, t_idx: np.ndarray, openings: OpeningTable, o_idx: np.ndarray,
              **kwargs: Any) -> PairContext:
        return cls(trainees, t_idx, openings, o_idx, **kwargs)

    def __len__(self) -> int:
        return int(self.t_idx.shape[0])

    def subset(self, index: np.ndarray) -> PairContext:
        """The pairs at ``index`` (positions or a boolean mask), keeping what was already computed."""
        index = np.asarray(index)
        if index.dtype == bool:
            index = np.flatnonzero(index)
        n = len(self)
        cache: dict[str, Any] = {}
        size = int(index.shape[0])
        for key, value in self._cache.items():
            if isinstance(value, np.ndarray) and value.ndim == 1 and value.shape[0] == n:
                # A column repeated for a single trainee or opening stays a free broadcast view.
                cache[key] = (np.broadcast_to(value[:1], (size,)) if value.strides == (0,) and n
                              else value[index])
            elif isinstance(value, SkillFit) and len(value) == n:
                cache[key] = value.take(index)
        return PairContext(self.trainees, self.t_idx[index], self.openings, self.o_idx[index], as_of=self.as_of,
                           site=self.site, taxonomy=self.taxonomy, commute_model=self.commute_model,
                           single_trainee=self.single_trainee, single_opening=self.single_opening,
                           related=self._related, _cache=cache)

    def _cached(self, key: str, compute: Callable[[], Any]) -> Any:
        found = self._cache.get(key)
        if found is None:
            found = compute()
            self._cache[key] = found
        return found

    # ------------------------------------------------------------------ aligned columns

    def t(self, name: str) -> np.ndarray:
        """Trainee column ``name``, one value per pair."""
        def compute() -> np.ndarray:
            column = getattr(self.trainees, name)
            if isinstance(column, tuple):
                sets, codes = self.t_sets(name)
                return _object_array(sets.groups)[codes]
            if self.single_trainee is not None:
                i = self.single_trainee
                return np.broadcast_to(column[i:i + 1], (len(self),))
            return column[self.t_idx]
        return self._cached("t:" + name, compute)

    def o(self, name: str) -> np.ndarray:
        """Opening column ``name``, one value per pair."""
        def compute() -> np.ndarray:
            column = getattr(self.openings, name)
            if isinstance(column, tuple):
                sets, codes = self.o_sets(name)
                return _object_array(sets.groups)[codes]
            if self.single_opening is not None:
                j = self.single_opening
                return np.broadcast_to(column[j:j + 1], (len(self),))
            return column[self.o_idx]
        return self._cached("o:" + name, compute)

    def t_at(self, name: str, i: int) -> Any:
        """Trainee column ``name`` at pair ``i``."""
        return getattr(self.trainees, name)[int(self.t_idx[i])]

    def o_at(self, name: str, i: int) -> Any:
        """Opening column ``name`` at pair ``i``."""
        return getattr(self.openings, name)[int(self.o_idx[i])]

    def t_codes(self, name: str) -> tuple[Categorical, np.ndarray]:
        cat = self.trainees.categorical(name)
        return cat, self._cached("tc:" + name, lambda: self._align_t(cat.codes))

    def o_codes(self, name: str) -> tuple[Categorical, np.ndarray]:
        cat = self.openings.categorical(name)
        return cat, self._cached("oc:" + name, lambda: self._align_o(cat.codes))

    def t_sets(self, name: str) -> tuple[SetColumn, np.ndarray]:
        col = self.trainees.set_column(name)
        return col, self._cached("ts:" + name, lambda: self._align_t(col.codes))

    def o_sets(self, name: str) -> tuple[SetColumn, np.ndarray]:
        col = self.openings.set_column(name)
        return col, self._cached("os:" + name, lambda: self._align_o(col.codes))

    def _align_t(self, codes: np.ndarray) -> np.ndarray:
        if self.single_trainee is not None:
            i = self.single_trainee
            return np.broadcast_to(codes[i:i + 1], (len(self),))
        return codes[self.t_idx]

    def _align_o(self, codes: np.ndarray) -> np.ndarray:
        if self.single_opening is not None:
            j = self.single_opening
            return np.broadcast_to(codes[j:j + 1], (len(self),))
        return codes[self.o_idx]

    def o_map(self, name: str, fn: Callable[[Any], Any], dtype: Any = bool) -> np.ndarray:
        """``fn(value)`` of an opening column per pair, computed once per distinct value."""
        cat, codes = self.o_codes(name)
        table = np.array([fn(label) for label in cat.labels], dtype=dtype)
        return table[codes] if table.size else np.zeros(len(self), dtype=dtype)

    def t_map(self, name: str, fn: Callable[[Any], Any], dtype: Any = bool) -> np.ndarray:
        """``fn(value)`` of a trainee column per pair, computed once per distinct value."""
        cat, codes = self.t_codes(name)
        table = np.array([fn(label) for label in cat.labels], dtype=dtype)
        return table[codes] if table.size else np.zeros(len(self), dtype=dtype)

    def t_map_sets(self, name: str, fn: Callable[[frozenset[str]], float]) -> np.ndarray:
        """``fn(set)`` of a trainee set column per pair, computed once per distinct set (float64)."""
        sets, codes = self.t_sets(name)
        table = np.array([fn(group) for group in sets.groups], dtype=np.float64)
        return table[codes] if table.size else np.zeros(len(self), dtype=np.float64)

    def member(self, opening_column: str, trainee_sets: str) -> np.ndarray:
        """Per pair: the opening's value of ``opening_column`` is in the trainee's set ``trainee_sets``."""
        return self._cached(f"in:{opening_column}:{trainee_sets}",
                            lambda: self._member(opening_column, trainee_sets))

    def _member(self, opening_column: str, trainee_sets: str) -> np.ndarray:
        values, value_codes = self.o_codes(opening_column)
        sets, set_codes = self.t_sets(trainee_sets)
        n = len(self)
        if self.single_trainee is not None:
            wanted = values.codes_of(sets.groups[sets.codes[self.single_trainee]])
            if wanted.size == 0:
                return np.zeros(n, dtype=bool)
            if wanted.size == 1:
                return np.asarray(value_codes == wanted[0])
            return np.isin(value_codes, wanted)
        if self.single_opening is not None:
            label = values.labels[values.codes[self.single_opening]]
            table = np.array([label in group for group in sets.groups], dtype=bool)
            return table[set_codes]
        v = len(values.labels)
        keys = np.array([g * v + values.index[x] for g, group in enumerate(sets.groups) for x in group
                         if x in values.index], dtype=np.int64)
        if keys.size == 0:
            return np.zeros(n, dtype=bool)
        return np.isin(set_codes.astype(np.int64) * v + value_codes, keys)

    def set_relation(self, trainee_sets: str, opening_sets: str,
                     fn: Callable[[frozenset[str], frozenset[str]], float]) -> np.ndarray:
        """``fn(trainee set, opening set)`` per pair, computed once per distinct combination of sets."""
        tcol, tcodes = self.t_sets(trainee_sets)
        ocol, ocodes = self.o_sets(opening_sets)
        n = len(self)
        if self.single_trainee is not None:
            mine = tcol.groups[tcol.codes[self.single_trainee]]
            table = np.array([fn(mine, g) for g in ocol.groups], dtype=np.float64)
            return table[ocodes] if table.size else np.zeros(n)
        if self.single_opening is not None:
            theirs = ocol.groups[ocol.codes[self.single_opening]]
            table = np.array([fn(g, theirs) for g in tcol.groups], dtype=np.float64)
            return table[tcodes] if table.size else np.zeros(n)
        n_t, n_o = len(tcol.groups), len(ocol.groups)
        if n_t * n_o <= _DENSE_GROUP_LIMIT:
            grid = np.array([[fn(a, b) for b in ocol.groups] for a in tcol.groups], dtype=np.float64)
            return grid[tcodes, ocodes] if grid.size else np.zeros(n)
        combo = tcodes.astype(np.int64) * n_o + ocodes
        unique, inverse = np.unique(combo, return_inverse=True)
        table = np.array([fn(tcol.groups[c // n_o], ocol.groups[c % n_o]) for c in unique.tolist()],
                         dtype=np.float64)
        return table[inverse]

    # ------------------------------------------------------------------ derived arrays

    @property
    def related(self) -> RelatedSkills:
        if self._related is None:
            if self.taxonomy is None:
                raise ValueError("a taxonomy is needed for skill fit")
            self._related = RelatedSkills.from_taxonomy(self.taxonomy)
        return self._related

    @property
    def distance_km(self) -> np.ndarray:
        def compute() -> np.ndarray:
            if self.single_trainee is not None:
                i = self.single_trainee
                lat, lon, cos_lat = self.openings.radians()  # per table, computed once
                o = self.o_idx
                return haversine_prepared(np.radians(self.trainees.lat[i]), np.radians(self.trainees.lon[i]),
                                          np.cos(np.radians(self.trainees.lat[i])), lat[o], lon[o], cos_lat[o])
            if self.single_opening is not None:
                j = self.single_opening
                return haversine_km(self.t("lat"), self.t("lon"), self.openings.lat[j], self.openings.lon[j])
            return haversine_km(self.t("lat"), self.t("lon"), self.o("lat"), self.o("lon"))
        return self._cached("distance_km", compute)

    @property
    def estimated_minutes(self) -> np.ndarray:
        """The commute model's estimate of each pair's one-way journey (NaN where a place is unknown)."""
        def compute() -> np.ndarray:
            model = self.commute_model
            rate_t = self.t_map("area_type", model.rate, np.float64)
            rate_o = self.o_map("area_type", model.rate, np.float64)
            return model.minutes_from_rates(self.distance_km, rate_t, rate_o)
        return self._cached("estimated_minutes", compute)

    @property
    def confirmed_minutes(self) -> np.ndarray | None:
        """The journey a coordinator confirmed for each pair (NaN where none), or None when no pair has one."""
        def compute() -> Any:
            rows, opening_ids, minutes = self.trainees.confirmed_pairs()
            if not rows.size:
                return False
            known = self.openings._cache.get("rows")
            if known is None:
                known = {str(e): i for i, e in enumerate(self.openings.external_id)}
                self.openings._cache["rows"] = known
            o_rows = np.array([known.get(str(e), -1) for e in opening_ids], dtype=np.int64)
            keep = o_rows >= 0
            if not keep.any():
                return False
            n_open = max(len(self.openings), 1)
            keys = rows[keep] * n_open + o_rows[keep]
            order = np.argsort(keys, kind="stable")
            keys, values = keys[order], minutes[keep][order]
            pair_keys = self.t_idx * n_open + self.o_idx
            at = np.minimum(np.searchsorted(keys, pair_keys), keys.size - 1)
            hit = keys[at] == pair_keys
            if not hit.any():
                return False
            return np.where(hit, values[at], np.nan)
        found = self._cached("confirmed_minutes", compute)
        return None if found is False else found

    @property
    def commute_minutes(self) -> np.ndarray:
        """Each pair's one-way journey: the confirmed time where a coordinator recorded one, else the estimate."""
        def compute() -> np.ndarray:
            confirmed = self.confirmed_minutes
            estimate = self.estimated_minutes
            return estimate if confirmed is None else np.where(np.isnan(confirmed), estimate, confirmed)
        return self._cached("commute_minutes", compute)

    def commute_range(self, i: int) -> tuple[float, float] | None:
        """The range shown with pair ``i``'s estimated journey, or None when its journey is confirmed."""
        confirmed = self.confirmed_minutes
        if confirmed is not None and np.isfinite(confirmed[i]):
            return None
        low, high = self.commute_model.minutes_range(float(self.estimated_minutes[i]))
        return float(low), float(high)

    def is_confirmed(self, i: int) -> bool:
        """Whether pair ``i``'s journey was confirmed by a coordinator."""
        confirmed = self.confirmed_minutes
        return confirmed is not None and bool(np.isfinite(confirmed[i]))

    @property
    def relocation(self) -> np.ndarray:
        """She is willing to relocate and the employer provides accommodation: her commute limit does not apply."""
        return self._cached("relocation", lambda: self.t("willing_to_relocate") & self.o("accommodation_provided"))

    @property
    def minimum_wage(self) -> np.ndarray:
        """Minimum monthly wage for the workplace's zone, the job's category and its sector on ``as_of``: the
        statutory minimum, or the programme's floor where the law sets none (NaN unknown)."""
        def compute() -> np.ndarray:
            category, category_codes = self.o_codes("minimum_wage_category")
            zone, zone_codes = self.o_codes("zone")
            table = self.site.minimum_wages
            if not table.has_sector_rows():
                grid = minimum_wage_grid(table, category.labels, zone.labels, self.as_of)
                return grid[category_codes, zone_codes] if grid.size else np.full(len(self), np.nan)
            sector, sector_codes = self.o_codes("sector")
            cube = minimum_wage_cube(table, sector.labels, category.labels, zone.labels, self.as_of)
            return cube[sector_codes, category_codes, zone_codes] if cube.size else np.full(len(self), np.nan)
        return self._cached("minimum_wage", compute)

    def minimum_wage_rate(self, i: int) -> MinimumWage | None:
        """The wage-table row behind pair ``i``'s minimum: statutory (with its notification) or the programme's
        floor; None when none is known."""
        category, zone, sector = (self.o_at(name, i) for name in ("minimum_wage_category", "zone", "sector"))
        if not isinstance(category, str) or not isinstance(zone, str):
            return None
        try:
            return self.site.minimum_wages.rate(skill_category=category, zone=zone, on=self.as_of,
                                                sector=sector if isinstance(sector, str) else None)
        except MinimumWageLookupError:
            return None

    def skill_fit(self) -> SkillFit:
        def compute() -> SkillFit:
            if self.single_trainee is not None:
                skills, i = self.trainees.skills, self.single_trainee
                vector = np.zeros(skills.shape[1], dtype=np.int8)
                lo, hi = skills.indptr[i], skills.indptr[i + 1]
                vector[skills.indices[lo:hi]] = skills.data[lo:hi]
                return skill_fit_one_trainee(vector, self.openings.required, self.related, self.o_idx)
            if self.single_opening is not None:
                j = self.single_opening
                return skill_fit_one_opening(self.trainees.levels_dense(), self.openings.required[j], self.related,
                                             self.t_idx)
            return skill_fit_pairs(self.trainees.levels_dense(), self.t_idx, self.openings.required, self.o_idx,
                                   self.related)
        found = self._cache.get("skill_fit")
        if found is None:
            found = compute()
            self._cache["skill_fit"] = found
        return found

    def demand_growth(self, demand: DemandSignal) -> np.ndarray:
        """Growth per pair, asking ``demand`` once per distinct (district, occupation) of the opening table."""
        def per_opening() -> np.ndarray:
            district = self.openings.categorical("district")
            occupation = self.openings.categorical("occupation_code")
            n_d, n_o = len(district.labels), len(occupation.labels)
            if n_d * n_o == 0:
                return np.zeros(len(self.openings))
            d_labels = np.empty(n_d * n_o, dtype=object)
            o_labels = np.empty(n_d * n_o, dtype=object)
            d_labels[:] = [d for d in district.labels for _ in range(n_o)]
            o_labels[:] = list(occupation.labels) * n_d
            grid = np.asarray(demand.growth(d_labels, o_labels), dtype=np.float64).reshape(n_d, n_o)
            return np.nan_to_num(grid[district.codes, occupation.codes], nan=0.0)

        key = "demand"
        found = self.openings._cache.get(key)
        if found is None or found[0] is not demand:
            found = (demand, per_opening())
            self.openings._cache[key] = found
        growth = found[1]
        return self._cached("demand_growth", lambda: self._align_o(growth))


def _language_share(speaks: frozenset[str], required: frozenset[str]) -> float:
    if not required:
        return 1.0
    return len(required & speaks) / len(required)


def _education_rank(label: Any) -> float:
    if not isinstance(label, str):
        return math.nan
    return _EDUCATION_RANK.get(label.strip().casefold().replace(" ", "_").replace("-", "_"), math.nan)


def _education_level(ctx: PairContext) -> np.ndarray:
    """Her education as a rank (NaN when unknown, or when the trainee table does not record education)."""
    if not isinstance(getattr(ctx.trainees, "education", None), np.ndarray):
        return np.full(len(ctx), np.nan)
    return np.array(ctx.t_map("education", _education_rank, np.float64), dtype=np.float64)


def features_from_context(ctx: PairContext, *, demand: DemandSignal | None = None) -> dict[str, np.ndarray]:
    """The features of every pair in ``ctx`` (see :data:`FEATURE_NAMES` and :data:`OUTCOME_FEATURE_NAMES`)."""
    demand = demand or NeutralDemand()
    fit = ctx.skill_fit()
    minutes = ctx.commute_minutes
    limit = np.asarray(ctx.t("max_commute_minutes"), dtype=np.float64)
    ratio = np.full(len(ctx), _RATIO_CAP)
    np.divide(minutes, limit, out=ratio, where=limit > 0)
    ratio = np.where(np.isnan(minutes), np.nan, np.minimum(ratio, _RATIO_CAP))
    wage = np.array(ctx.o("monthly_wage"), dtype=np.float64)
    expected = np.array(ctx.t("expected_wage"), dtype=np.float64)
    minimum = ctx.minimum_wage

    sector_sets, sector_set_codes = ctx.t_sets("preferred_sectors")
    none_named = np.array([len(g) == 0 for g in sector_sets.groups], dtype=bool)[sector_set_codes]
    preferred = np.where(none_named, np.nan, ctx.member("sector", "preferred_sectors").astype(np.float64))

    track, track_codes = ctx.t_codes("training_track")
    occupation, occupation_codes = ctx.o_codes("occupation_code")
    mapped = np.array([occupation.code_of(label) if label is not None else -1 for label in track.labels],
                      dtype=np.int64)
    unknown_occupation = np.array([label is None for label in occupation.labels], dtype=bool)
    track_code = mapped[track_codes] if mapped.size else np.full(len(ctx), -1)
    track_match = (track_code == occupation_codes).astype(np.float64)
    track_unknown = np.array([label is None for label in track.labels], dtype=bool)
    if track_unknown.size:
        track_match[track_unknown[track_codes]] = np.nan
    if unknown_occupation.size:
        track_match[unknown_occupation[occupation_codes]] = np.nan

    return {
        "skill_fit": fit.fit,
        "skills_required": fit.n_required,
        "skills_met": fit.n_met,
        "skills_partial": fit.n_partial,
        "distance_km": np.asarray(ctx.distance_km, dtype=np.float64),
        "commute_minutes": np.asarray(minutes, dtype=np.float64),
        "max_commute_minutes": np.array(limit),
        "commute_ratio": ratio,
        "relocation": np.array(ctx.relocation, dtype=bool),
        "monthly_wage": wage,
        "expected_wage": expected,
        "minimum_wage": np.asarray(minimum, dtype=np.float64),
        "wage_ratio": wage_ratio(wage, expected),
        "wage_over_minimum": wage_ratio(wage, minimum),
        "night_or_rotating": ctx.o_map("shift", lambda s: s != "day"),
        "transport_provided": np.array(ctx.o("transport_provided"), dtype=bool),
        "accommodation_provided": np.array(ctx.o("accommodation_provided"), dtype=bool),
        "preferred_sector_match": preferred,
        "language_match": ctx.set_relation("languages", "languages_required", _language_share),
        "demand_growth": np.array(ctx.demand_growth(demand), dtype=np.float64),
        "attendance_rate": np.array(ctx.t("attendance_rate"), dtype=np.float64),
        "has_dependents": np.array(ctx.t("has_dependents"), dtype=bool),
        "training_track_match": track_match,
        # OUTCOME_FEATURE_NAMES
        "night_shift": ctx.o_map("shift", lambda s: s == "night"),
        "night_shift_ok": np.array(ctx.t("night_shift_ok"), dtype=bool),
        "willing_to_relocate": np.array(ctx.t("willing_to_relocate"), dtype=bool),
        "languages_count": ctx.t_map_sets("languages", len),
        "education_level": _education_level(ctx),
        "employer_vetted": np.array(ctx.o("employer_vetted"), dtype=bool),
        "employer_external_id": np.array(ctx.o("employer_external_id"), dtype=object),
        "opening_occupation": np.array(ctx.o("occupation_code"), dtype=object),
        "opening_area_type": np.array(ctx.o("area_type"), dtype=object),
    }


def pair_features(trainees: TraineeTable, t_idx: np.ndarray, openings: OpeningTable, o_idx: np.ndarray, *,
                  as_of: datetime.date, demand: DemandSignal | None = None,
                  commute_model: CommuteModel | None = None, site: Site | None = None,
                  taxonomy: Taxonomy | None = None) -> dict[str, np.ndarray]:
    """Features of aligned pairs (trainee ``t_idx[p]``, opening ``o_idx[p]``), see :data:`FEATURE_NAMES`.

    ``site`` and ``taxonomy`` default to those the tables were built with.
    """
    ctx = PairContext.pairs(trainees, t_idx, openings, o_idx, as_of=as_of, site=site, taxonomy=taxonomy,
                            commute_model=commute_model)
    return features_from_context(ctx, demand=demand)
