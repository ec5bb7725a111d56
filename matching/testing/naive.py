"""The same matching done the plain way: pair by pair, in pure Python, straight from dict records.

This is the reference the vectorised engine is measured against (speed, in
``benchmarks/matching_engine.py``) and checked against (same ranking, in the
tests). It reads records the way :mod:`matching.tables` does, applies the same
safety rules in the same order (rule codes as in :data:`matching.safety.SAFETY_RULES`)
and the same score formula (:class:`matching.scoring.ScoreWeights`), without
numpy. It is far too slow for real use.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..commute import DEFAULT_COMMUTE_MODEL, CommuteModel
from ..dates import months_before
from ..features import VETTING_VALID_MONTHS
from ..geo import haversine_km_scalar
from ..qualification import Assessment, Requirement, assess
from ..reference import SKILL_CATEGORIES, MinimumWageLookupError, Site, Taxonomy
from ..scoring import ScoreWeights
from ..tables import _bool, _float, to_day  # the same reading of raw values as the tables

__all__ = ["NaiveResult", "naive_pair", "naive_rank_openings", "naive_rank_trainees"]


@dataclass(frozen=True)
class NaiveResult:
    external_id: str
    rank: int
    score: float
    blocked_by: tuple[str, ...]


def _items(values: Any) -> list[str]:
    if not values:
        return []
    if isinstance(values, str):
        values = values.split(";")
    return [str(v).strip() for v in values if str(v).strip()]


def _levels(items: Any, taxonomy: Taxonomy) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items or ():
        code = item.get("skill")
        if code is None:
            code = item.get("code")
        if code not in taxonomy.skill_index:
            continue
        try:
            level = min(3, max(1, int(item.get("level", 1))))
        except (TypeError, ValueError):
            level = 1
        out[code] = max(out.get(code, 0), level)
    return out


def _essential(items: Any, taxonomy: Taxonomy) -> set[str]:
    return {item.get("skill") if item.get("skill") is not None else item.get("code")
            for item in items or () if _bool(item.get("essential", False))} & set(taxonomy.skill_index)


def _wage_category(value: Any) -> str | None:
    text = value.strip().casefold().replace("-", "_").replace(" ", "_") if isinstance(value, str) else None
    return text if text in SKILL_CATEGORIES else None


def _place(site: Site, district_text: Any, lat: float,
           lon: float) -> tuple[str | None, str | None, str | None, float, float]:
    """(district name, zone, area type, lat, lon)."""
    district = site.gazetteer.resolve(district_text) if isinstance(district_text, str) else None
    name = district.name if district else (district_text.strip() if isinstance(district_text, str)
                                           and district_text.strip() else None)
    if district is not None:
        if math.isnan(lat) or math.isnan(lon):
            lat, lon = district.lat, district.lon
        return name, district.zone, district.area_type, lat, lon
    if not (math.isnan(lat) or math.isnan(lon)):
        nearest = site.gazetteer.nearest(lat, lon)
        return name, nearest.zone, nearest.area_type, lat, lon
    return name, None, None, lat, lon


def _clipped_log(value: float, low: float, high: float) -> float:
    if math.isnan(value):
        return 0.0
    if value <= 0:
        return low
    return min(max(math.log(value), low), high)


def _known(value: float, default: float = 0.0) -> float:
    return default if math.isnan(value) else value


@dataclass(frozen=True)
class _Trainee:
    """Her record, read the way :class:`matching.tables.TraineeTable` reads it."""

    district: str | None
    area: str | None
    lat: float
    lon: float
    status: str
    available: datetime.date | None
    limit: float
    willing: bool
    night_ok: bool
    expected: float
    excluded_employers: set[str]
    excluded_districts: set[str]
    speaks: set[str]
    preferred: set[str]
    track: str | None
    held: dict[str, int]
    attendance: float
    dependents: bool


@dataclass(frozen=True)
class _Opening:
    """The opening's record (with its employer's vetting), read the way :class:`matching.tables.OpeningTable` does."""

    employer_id: str
    code: Any
    district: str | None
    zone: str | None
    area: str | None
    lat: float
    lon: float
    wage: float
    category: str
    night: bool
    accommodation: bool
    transport: bool
    sector: Any
    required: dict[str, int]
    essential: set[str]
    positions: int
    is_open: bool
    posted: datetime.date | None
    closes: datetime.date | None
    vetted: bool
    vetted_on: datetime.date | None
    languages: set[str]


def _read_trainee(trainee: Mapping[str, Any], site: Site, taxonomy: Taxonomy) -> _Trainee:
    district, _, area, lat, lon = _place(site, trainee.get("district"), _float(trainee.get("lat")),
                                         _float(trainee.get("lon")))
    excluded_districts = set()
    for text in _items(trainee.get("excluded_districts")):
        found = site.gazetteer.resolve(text)
        excluded_districts.add(found.name if found else text)
    track = trainee.get("training_track")
    return _Trainee(
        district=district, area=area, lat=lat, lon=lon,
        status=str(trainee.get("status") or "").strip().casefold(),
        available=to_day(trainee.get("available_from")),
        limit=_float(trainee.get("max_commute_minutes"), 60.0),
        willing=_bool(trainee.get("willing_to_relocate", False)),
        night_ok=_bool(trainee.get("night_shift_ok", False)),
        expected=_float(trainee.get("expected_wage_inr", trainee.get("expected_wage"))),
        excluded_employers=set(_items(trainee.get("excluded_employers"))),
        excluded_districts=excluded_districts,
        speaks={v.casefold() for v in _items(trainee.get("languages"))},
        preferred=set(_items(trainee.get("preferred_sectors"))),
        track=track.strip() if isinstance(track, str) and track.strip() else None,
        held=_levels(trainee.get("skills"), taxonomy),
        attendance=_float(trainee.get("attendance_rate")),
        dependents=_bool(trainee.get("has_dependents", False)),
    )


def _read_opening(opening: Mapping[str, Any], employers: Mapping[str, Mapping[str, Any]], site: Site,
                  taxonomy: Taxonomy, core_skills_when_empty: bool) -> _Opening:
    employer_id = str(opening.get("employer_external_id") or "")
    employer = employers.get(employer_id) or {}
    code = opening.get("occupation_code")
    if code not in taxonomy.occupations:
        code = opening.get("occupation") if opening.get("occupation") in taxonomy.occupations else None
    occupation = taxonomy.occupations.get(code) if code else None
    district, zone, area, lat, lon = _place(site, opening.get("district"), _float(opening.get("lat")),
                                            _float(opening.get("lon")))
    required = _levels(opening.get("required_skills"), taxonomy)
    essential = _essential(opening.get("required_skills"), taxonomy)
    if not required and occupation is not None and core_skills_when_empty:
        required = dict(occupation.core_skills)
        essential = set()
    positions = opening.get("positions_left", opening.get("positions", 1))
    return _Opening(
        employer_id=employer_id, code=code, district=district, zone=zone, area=area, lat=lat, lon=lon,
        wage=_float(opening.get("monthly_wage_inr", opening.get("monthly_wage"))),
        category=(_wage_category(opening.get("wage_category"))
                  or (occupation.skill_category if occupation else "unskilled")),
        night=str(opening.get("shift") or "day").strip().casefold() != "day",
        accommodation=_bool(opening.get("accommodation_provided", False)),
        transport=_bool(opening.get("transport_provided", False)),
        sector=opening.get("sector") or (occupation.sector if occupation else None),
        required=required, essential=essential,
        positions=int(positions) if positions is not None else 1,
        is_open=str(opening.get("status") or "open").strip().casefold() == "open",
        posted=to_day(opening.get("posted_on")), closes=to_day(opening.get("closes_on")),
        vetted=_bool(employer.get("vetted", False)), vetted_on=to_day(employer.get("vetted_on")),
        languages={v.casefold() for v in _items(opening.get("languages_required"))},
    )


def _commute_minutes(her: _Trainee, job: _Opening, model: CommuteModel) -> float:
    if any(math.isnan(v) for v in (her.lat, her.lon, job.lat, job.lon)):
        distance = math.nan
    else:
        distance = haversine_km_scalar(her.lat, her.lon, job.lat, job.lon)
    road = distance * model.detour_factor
    local = road if math.isnan(road) else min(road, model.local_km)
    return (model.wait_minutes + local * (0.5 * (model.rate(her.area) + model.rate(job.area)))
            + (road - local) * model.intercity_minutes_per_km)


def _minimum_wage(site: Site, job: _Opening, as_of: datetime.date) -> float:
    try:
        return (float(site.minimum_wages.minimum(skill_category=job.category, zone=job.zone, on=as_of,
                                                 sector=job.sector))
                if job.zone else math.nan)
    except MinimumWageLookupError:
        return math.nan


def _broken_rules(her: _Trainee, job: _Opening, as_of: datetime.date, minutes: float, minimum: float,
                  relocation: bool, site: Site) -> list[str]:
    """Codes of the rules broken, in the order of SAFETY_RULES."""
    broken: list[str] = []
    if her.status != "job_ready" or (her.available is not None and her.available > as_of):
        broken.append("trainee_not_ready")
    if (not job.is_open or (job.posted is not None and job.posted > as_of)
            or (job.closes is not None and job.closes < as_of) or job.positions <= 0):
        broken.append("opening_not_open")
    if (not job.vetted or job.vetted_on is None or job.vetted_on < months_before(as_of, VETTING_VALID_MONTHS)
            or job.vetted_on > as_of):
        broken.append("employer_not_vetted")
    if not job.wage >= minimum:
        broken.append("below_minimum_wage")
    if job.night and not (her.night_ok and job.transport):
        broken.append("night_shift_unsafe")
    if job.employer_id in her.excluded_employers:
        broken.append("excluded_employer")
    if job.district in her.excluded_districts:
        broken.append("excluded_district")
    if not minutes <= her.limit and not relocation:
        broken.append("commute_too_long")
    if not _assessment(her, job, site).qualified:
        broken.append("not_qualified")
    return broken


def _assessment(her: _Trainee, job: _Opening, site: Site) -> Assessment:
    requirements = [Requirement(skill, level, skill in job.essential) for skill, level in job.required.items()]
    return assess(her.held, requirements, site.qualification)


def _skill_fit(held: Mapping[str, int], required: Mapping[str, int], taxonomy: Taxonomy) -> tuple[float, int, int]:
    """``(fit, skills met, skills partly met)``."""
    total, met, partial = 0.0, 0, 0
    for skill, need in required.items():
        credit = 0.0
        for source, level in held.items():
            weight = 1.0 if source == skill else taxonomy.skills[source].related.get(skill, 0.0)
            if weight > 0:
                credit = max(credit, weight * min(level / need, 1.0))
        total += credit
        if held.get(skill, 0) >= need:
            met += 1
        elif credit > 0:
            partial += 1
    fit = min(total / len(required), 1.0) if required else 1.0
    return fit, met, partial


def _demand_growth(demand: Any, district: str | None, code: Any) -> float:
    if demand is None:
        growth = 0.0
    elif hasattr(demand, "get"):
        growth = demand.get(district, code)
    else:
        growth = float(demand.growth([district], [code])[0])
    return _known(growth)


def _score(weights: ScoreWeights, features: Mapping[str, Any], her: _Trainee, job: _Opening) -> float:
    """The same factors, in the same order, as WeightedScorer."""
    relocation = features["relocation"]
    capped = min(_known(features["commute_ratio"], 1.5), 1.5)
    g = {
        "skill_fit": features["skill_fit"] - 0.5,
        "commute": 0.0 if relocation else -capped,
        "relocation": 1.0 if relocation else 0.0,
        "wage": _clipped_log(features["wage_ratio"], -0.5, 0.5),
        "wage_over_minimum": _clipped_log(features["wage_over_minimum"], 0.0, 0.4),
        "shift": 1.0 if job.night else 0.0,
        "transport": 1.0 if job.transport else 0.0,
        "preferred_sector": _known(features["preferred_sector_match"]),
        "language": features["language_match"] - 1.0,
        "demand": min(max(features["demand_growth"], -0.5), 0.5),
        "attendance": _known(her.attendance - 0.8),
        "dependents": (1.0 if her.dependents else 0.0) * (1.0 if relocation else capped),
        "training_track": _known(features["training_track_match"]),
    }
    z = weights.intercept
    for name, value in g.items():
        z += getattr(weights, name) * value
    z = min(max(z, -30.0), 30.0)
    return 1.0 / (1.0 + math.exp(-z))


def naive_pair(trainee: Mapping[str, Any], opening: Mapping[str, Any], *, employers: Mapping[str, Mapping[str, Any]],
               taxonomy: Taxonomy, site: Site, as_of: datetime.date, weights: ScoreWeights | None = None,
               commute_model: CommuteModel | None = None, demand: Any = None,
               core_skills_when_empty: bool = True) -> tuple[float, list[str], dict[str, float]]:
    """``(score, codes of the rules broken, features)`` of one trainee record and one opening record."""
    score, broken, features, _ = _naive(trainee, opening, employers=employers, taxonomy=taxonomy, site=site,
                                        as_of=as_of, weights=weights, commute_model=commute_model, demand=demand,
                                        core_skills_when_empty=core_skills_when_empty)
    return score, broken, features


def _naive(trainee: Mapping[str, Any], opening: Mapping[str, Any], *, employers: Mapping[str, Mapping[str, Any]],
           taxonomy: Taxonomy, site: Site, as_of: datetime.date, weights: ScoreWeights | None,
           commute_model: CommuteModel | None, demand: Any,
           core_skills_when_empty: bool) -> tuple[float, list[str], dict[str, float], bool]:
    """:func:`naive_pair`, and whether the pair is a near miss of every rule it breaks (only qualification has
    near misses)."""
    weights = weights or ScoreWeights()
    model = commute_model or DEFAULT_COMMUTE_MODEL
    day = to_day(as_of)
    if day is None:
        raise ValueError("as_of is required")
    as_of = day
    her = _read_trainee(trainee, site, taxonomy)
    job = _read_opening(opening, employers, site, taxonomy, core_skills_when_empty)

    minutes = _commute_minutes(her, job, model)
    relocation = her.willing and job.accommodation
    minimum = _minimum_wage(site, job, as_of)
    broken = _broken_rules(her, job, as_of, minutes, minimum, relocation, site)
    fit, met, partial = _skill_fit(her.held, job.required, taxonomy)

    limit, wage, expected = her.limit, job.wage, her.expected
    ratio = (min(minutes / limit, 10.0) if limit > 0 else 10.0) if not math.isnan(minutes) else math.nan
    track_match = math.nan if her.track is None or job.code is None else (1.0 if her.track == job.code else 0.0)
    features = {
        "skill_fit": fit, "skills_required": len(job.required), "skills_met": met, "skills_partial": partial,
        "commute_minutes": minutes, "commute_ratio": ratio, "relocation": relocation,
        "wage_ratio": wage / expected if not math.isnan(expected) and expected > 0 else math.nan,
        "wage_over_minimum": wage / minimum if not math.isnan(minimum) and minimum > 0 else math.nan,
        "minimum_wage": minimum,
        "preferred_sector_match": math.nan if not her.preferred else (1.0 if job.sector in her.preferred else 0.0),
        "language_match": 1.0 if not job.languages else len(job.languages & her.speaks) / len(job.languages),
        "demand_growth": _demand_growth(demand, job.district, job.code),
        "training_track_match": track_match,
    }
    near = broken == ["not_qualified"] and _assessment(her, job, site).near_miss
    return _score(weights, features, her, job), broken, features, near


def _rank(results: list[tuple[str, float, list[str], bool]], limit: int | None,
          include_blocked: bool) -> list[NaiveResult]:
    allowed = sorted((r for r in results if not r[2]), key=lambda r: (-round(r[1], 12), r[0]))
    if limit is not None:
        allowed = allowed[:max(0, limit)]
    out = [NaiveResult(eid, rank, score, ()) for rank, (eid, score, _, _) in enumerate(allowed, 1)]
    if include_blocked:  # fewest rules broken, then near misses, then by id
        blocked = sorted((r for r in results if r[2]), key=lambda r: (len(r[2]), not r[3], r[0]))
        out.extend(NaiveResult(eid, len(out) + k, 0.0, tuple(codes))
                   for k, (eid, _, codes, _) in enumerate(blocked, 1))
    return out


def naive_rank_openings(trainee: Mapping[str, Any], openings: Sequence[Mapping[str, Any]], *,
                        employers: Mapping[str, Mapping[str, Any]], taxonomy: Taxonomy, site: Site,
                        as_of: datetime.date, limit: int | None = 10, include_blocked: bool = False,
                        weights: ScoreWeights | None = None, commute_model: CommuteModel | None = None,
                        demand: Any = None) -> list[NaiveResult]:
    """Openings for one trainee, ranked as :meth:`matching.engine.MatchEngine.rank_openings` does."""
    results = []
    for opening in openings:
        score, broken, _, near = _naive(trainee, opening, employers=employers, taxonomy=taxonomy, site=site,
                                        as_of=as_of, weights=weights, commute_model=commute_model, demand=demand,
                                        core_skills_when_empty=True)
        results.append((str(opening["external_id"]), score, broken, near))
    return _rank(results, limit, include_blocked)


def naive_rank_trainees(opening: Mapping[str, Any], trainees: Sequence[Mapping[str, Any]], *,
                        employers: Mapping[str, Mapping[str, Any]], taxonomy: Taxonomy, site: Site,
                        as_of: datetime.date, limit: int | None = 20, include_blocked: bool = False,
                        weights: ScoreWeights | None = None, commute_model: CommuteModel | None = None,
                        demand: Any = None) -> list[NaiveResult]:
    """Trainees for one opening, ranked as :meth:`matching.engine.MatchEngine.rank_trainees` does."""
    results = []
    for trainee in trainees:
        score, broken, _, near = _naive(trainee, opening, employers=employers, taxonomy=taxonomy, site=site,
                                        as_of=as_of, weights=weights, commute_model=commute_model, demand=demand,
                                        core_skills_when_empty=True)
        results.append((str(trainee["external_id"]), score, broken, near))
    return _rank(results, limit, include_blocked)
