"""What should the next cohort learn? Occupations ranked by forecast demand against local supply.

For a district ``D`` and an occupation ``o`` over the next ``horizon`` months:

* **demand** ``F``: the forecast postings for ``o`` in ``D``, summed over the
  horizon, plus ``neighbour_weight`` times those of ``D``'s neighbouring
  districts (when ``neighbours`` is given: jobs a woman living in ``D`` can
  reach), times ``market_share`` (the share of market postings open to the
  programme's trainees; 1 by default);
* **supply** ``S``: the trainees already heading for ``o`` nearby, job-ready or
  in training (computed by :func:`supply_from_trainees`, or by the caller);
* **gap** ``F - S``: forecast postings not already spoken for by the pipeline;
* **growth** ``g``: the yearly growth of ``o``'s postings in ``D`` (from the
  demand model; the forecast-weighted mean over the districts counted in ``F``);
* **score** ``F * (1 + g) ** (lead_months / 12) - S``: the gap as it will be
  when a cohort starting now is job-ready, ``lead_months`` later; a growing
  occupation ranks above a shrinking one with the same gap today.

Occupations are ranked by score (highest first; ties by gap, then code). A
negative score means the pipeline already holds more trainees for that
occupation than the postings expected.

Beside the ranking, each priority counts what a **short course** could do: the
trainees nearby who are not supply for ``o`` but are near misses for its core
skills under the programme's qualification policy (at most
``short_course_levels`` skill levels from qualifying, see
:mod:`matching.qualification`; computed by :func:`short_course_from_trainees`),
and the demand the programme could meet that way, ``min(max(gap, 0), those
trainees)``, with a sentence naming the step most of them need.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .demand_model import ForecastRow
from .geo import haversine_km
from .qualification import LEVEL_NAMES, Requirement, assess
from .reference import Gazetteer, QualificationPolicy, Taxonomy

__all__ = [
    "DEFAULT_NEIGHBOUR_KM",
    "SUPPLY_STATUSES",
    "Priority",
    "ShortCourse",
    "TraineePipeline",
    "district_neighbours",
    "short_course_from_trainees",
    "supply_from_trainees",
    "training_priorities",
]

#: Districts whose headquarters are at most this far apart count as neighbours (a daily commute).
DEFAULT_NEIGHBOUR_KM = 40.0
#: Trainee statuses that count as supply: those not yet placed.
SUPPLY_STATUSES = ("job_ready", "in_training")


@dataclass(frozen=True)
class Priority:
    """One occupation in one district, ranked by :func:`training_priorities` (``rank`` 1 = first)."""

    rank: int
    district: str
    occupation: str
    occupation_name: str
    sector: str
    forecast_postings: float
    supply: float
    gap: float
    growth: float
    score: float
    skills: list[str] = field(default_factory=list)
    skill_names: list[str] = field(default_factory=list)
    short_course_trainees: float = 0.0
    short_course_postings: float = 0.0
    short_course: str = ""


@dataclass
class ShortCourse:
    """Trainees nearby a short course away from an occupation, and how often each step is needed."""

    trainees: float = 0.0
    steps: Counter[tuple[str, int]] = field(default_factory=Counter)


def district_neighbours(gazetteer: Gazetteer, radius_km: float = DEFAULT_NEIGHBOUR_KM) -> dict[str, tuple[str, ...]]:
    """``district name -> names of the other districts whose headquarters are within radius_km``, nearest first."""
    districts = list(gazetteer)
    if not districts:
        return {}
    lat = np.array([d.lat for d in districts])
    lon = np.array([d.lon for d in districts])
    distance = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    out: dict[str, tuple[str, ...]] = {}
    for i, district in enumerate(districts):
        order = np.argsort(distance[i], kind="stable")
        out[district.name] = tuple(districts[j].name for j in order.tolist()
                                   if j != i and distance[i, j] <= radius_km)
    return out


def _skill_levels(items: Any, taxonomy: Taxonomy, skill_normaliser: Any) -> dict[str, int]:
    levels: dict[str, int] = {}
    for item in items or ():
        if not isinstance(item, Mapping):
            continue
        code = item.get("skill", item.get("code"))
        if code not in taxonomy.skills and skill_normaliser is not None:
            label = item.get("label", code)
            code = skill_normaliser.match(label).code if isinstance(label, str) else None
        if code not in taxonomy.skills:
            continue
        try:
            level = int(item.get("level", 1))
        except (TypeError, ValueError):
            level = 1
        levels[code] = max(levels.get(code, 0), min(3, max(1, level)))
    return levels


def _pipeline(trainees: Iterable[Mapping[str, Any]], taxonomy: Taxonomy, gazetteer: Gazetteer,
              statuses: Sequence[str], skill_normaliser: Any) -> Iterator[tuple[str, str | None, dict[str, int]]]:
    """``(home district name, training track, skill levels)`` of each trainee with one of the statuses whose
    district the gazetteer knows."""
    wanted = {s.casefold() for s in statuses}
    resolved: dict[str, str | None] = {}
    for record in trainees:
        if str(record.get("status") or "").strip().casefold() not in wanted:
            continue
        text = record.get("district")
        if not isinstance(text, str):
            continue
        if text not in resolved:
            found = gazetteer.resolve(text)
            resolved[text] = found.name if found is not None else None
        home = resolved[text]
        if home is None:
            continue
        track = record.get("training_track")
        yield home, track.strip() if isinstance(track, str) else None, _skill_levels(
            record.get("skills"), taxonomy, skill_normaliser)


@dataclass(frozen=True)
class TraineePipeline:
    """The trainees of the pipeline as arrays, read once and shared by :func:`supply_from_trainees` and
    :func:`short_course_from_trainees`: her home district (an index into ``homes``), her training track, and her
    level (0 to 3) in each skill of the taxonomy (a column per code of ``skills``)."""

    homes: tuple[str, ...]
    home: np.ndarray
    tracks: tuple[str | None, ...]
    track: np.ndarray  # an index into ``tracks``
    skills: tuple[str, ...]
    levels: np.ndarray

    @classmethod
    def from_records(cls, trainees: Iterable[Mapping[str, Any]], taxonomy: Taxonomy, gazetteer: Gazetteer, *,
                     statuses: Sequence[str] = SUPPLY_STATUSES, skill_normaliser: Any = None) -> TraineePipeline:
        """The trainees with one of ``statuses`` whose district the gazetteer knows (records as
        :func:`supply_from_trainees` reads them)."""
        skills = tuple(taxonomy.skills)
        column = {code: j for j, code in enumerate(skills)}
        homes: dict[str, int] = {}
        home: list[int] = []
        tracks: dict[str | None, int] = {}
        track: list[int] = []
        rows: list[int] = []
        columns: list[int] = []
        values: list[int] = []
        for i, (place, her_track, levels) in enumerate(_pipeline(trainees, taxonomy, gazetteer, statuses,
                                                                  skill_normaliser)):
            home.append(homes.setdefault(place, len(homes)))
            track.append(tracks.setdefault(her_track, len(tracks)))
            for code, level in levels.items():
                rows.append(i)
                columns.append(column[code])
                values.append(level)
        matrix = np.zeros((len(home), len(skills)), dtype=np.int8)
        matrix[np.asarray(rows, dtype=np.int64), np.asarray(columns, dtype=np.int64)] = values
        return cls(homes=tuple(homes), home=np.asarray(home, dtype=np.int64), tracks=tuple(tracks),
                   track=np.asarray(track, dtype=np.int64), skills=skills, levels=matrix)

    def living_in(self, districts: Collection[str]) -> TraineePipeline:
        """Only the trainees whose home is one of these districts."""
        keep = np.isin(self.home, [h for h, name in enumerate(self.homes) if name in set(districts)])
        return TraineePipeline(homes=self.homes, home=self.home[keep], tracks=self.tracks, track=self.track[keep],
                               skills=self.skills, levels=self.levels[keep])

    def levels_in(self, codes: Sequence[str]) -> np.ndarray:
        """Her levels in these skills (a column each, 0 for a skill the taxonomy does not know)."""
        column = {code: j for j, code in enumerate(self.skills)}
        out = np.zeros((self.home.shape[0], len(codes)), dtype=np.int8)
        for k, code in enumerate(codes):
            if code in column:
                out[:, k] = self.levels[:, column[code]]
        return out

    def supply_mask(self, code: str, core: Sequence[str], min_level: int) -> np.ndarray:
        """Who counts as supply for an occupation: on its track, or holding at least half of its core skills at
        ``min_level`` or above."""
        mask = self.track == self.tracks.index(code) if code in self.tracks else np.zeros(len(self.track), dtype=bool)
        if core:
            mask |= 2 * (self.levels_in(core) >= min_level).sum(axis=1) >= len(core)
        return np.asarray(mask, dtype=bool)

    def per_home(self, mask: np.ndarray) -> np.ndarray:
        """How many of the selected trainees live in each home district."""
        return np.bincount(self.home[mask], minlength=len(self.homes))


def _distinct_rows(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a matrix of skill levels (0 to 3) and, for each row, which of them it is (as
    ``np.unique(axis=0, return_inverse=True)``, faster: each row is read as one number in base 4, and counted
    rather than sorted when there are few such numbers)."""
    weights = 4 ** np.arange(levels.shape[1], dtype=np.int64)
    numbers = levels.astype(np.int64) @ weights
    possible = 4 ** levels.shape[1]
    if possible <= 1 << 16:
        codes = np.flatnonzero(np.bincount(numbers, minlength=possible))
        lookup = np.zeros(possible, dtype=np.int64)
        lookup[codes] = np.arange(codes.shape[0])
        which = lookup[numbers]
    else:
        codes, which = np.unique(numbers, return_inverse=True)
    profiles = (codes[:, None] // weights[None, :]) % 4
    return profiles, which.reshape(-1)


def _as_pipeline(trainees: Iterable[Mapping[str, Any]] | TraineePipeline, taxonomy: Taxonomy, gazetteer: Gazetteer,
                 statuses: Sequence[str], skill_normaliser: Any) -> TraineePipeline:
    if isinstance(trainees, TraineePipeline):
        return trainees
    return TraineePipeline.from_records(trainees, taxonomy, gazetteer, statuses=statuses,
                                        skill_normaliser=skill_normaliser)


def supply_from_trainees(trainees: Iterable[Mapping[str, Any]] | TraineePipeline, taxonomy: Taxonomy,
                         gazetteer: Gazetteer, *, neighbours: Mapping[str, Sequence[str]] | None = None,
                         radius_km: float = DEFAULT_NEIGHBOUR_KM, statuses: Sequence[str] = SUPPLY_STATUSES,
                         min_level: int = 2, skill_normaliser: Any = None) -> dict[tuple[str, str], float]:
    """``(district name, occupation code) -> trainees nearby who could fill it``.

    A trainee counts for an occupation when her ``status`` is one of ``statuses`` and her
    ``training_track`` is that occupation, or she holds at least half of its core skills at level
    ``min_level`` or above. She counts in her own district and in each of its ``neighbours``
    (default: :func:`district_neighbours` within ``radius_km``), since she can take a job there.
    Records are dicts with ``district`` (any spelling the gazetteer resolves), ``status``,
    ``training_track`` and ``skills`` (``[{"skill": code, "level": n}]``; with ``skill_normaliser``,
    labels are mapped too), or a :class:`TraineePipeline` read from them once. Trainees whose district
    cannot be resolved are skipped.
    """
    if neighbours is None:
        neighbours = district_neighbours(gazetteer, radius_km)
    pipeline = _as_pipeline(trainees, taxonomy, gazetteer, statuses, skill_normaliser)
    supply: dict[tuple[str, str], float] = {}
    for code, occupation in taxonomy.trades.items():
        core = [skill for skill, _ in occupation.core_skills]
        counts = pipeline.per_home(pipeline.supply_mask(code, core, min_level))
        for h in np.flatnonzero(counts).tolist():
            home = pipeline.homes[h]
            for place in (home, *neighbours.get(home, ())):
                supply[(place, code)] = supply.get((place, code), 0.0) + float(counts[h])
    return supply


def short_course_from_trainees(trainees: Iterable[Mapping[str, Any]] | TraineePipeline, taxonomy: Taxonomy,
                               gazetteer: Gazetteer, policy: QualificationPolicy, *,
                               neighbours: Mapping[str, Sequence[str]] | None = None,
                               radius_km: float = DEFAULT_NEIGHBOUR_KM, statuses: Sequence[str] = SUPPLY_STATUSES,
                               min_level: int = 2, skill_normaliser: Any = None) -> dict[tuple[str, str], ShortCourse]:
    """``(district name, occupation code) ->`` the trainees nearby a short course away from it.

    A trainee counts for an occupation when she is not supply for it (as :func:`supply_from_trainees`
    counts, with the same arguments) and, against its core skills, is a near miss under ``policy``: not
    qualified, but qualified after gaining at most ``policy.short_course_levels`` skill levels. Each step
    of her way forward is counted too, so the sentence can name the course most of them need.

    An assessment reads only her levels in the occupation's core skills, so each distinct set of those levels
    is assessed once, however many trainees share it.
    """
    if neighbours is None:
        neighbours = district_neighbours(gazetteer, radius_km)
    pipeline = _as_pipeline(trainees, taxonomy, gazetteer, statuses, skill_normaliser)
    found: dict[tuple[str, str], ShortCourse] = {}
    homes = len(pipeline.homes)
    for code, occupation in taxonomy.trades.items():
        requirements = [Requirement(skill, level) for skill, level in occupation.core_skills]
        if not requirements or not homes:
            continue
        core = [skill for skill, _ in occupation.core_skills]
        outside = ~pipeline.supply_mask(code, core, min_level)
        profiles, which = _distinct_rows(pipeline.levels_in(core)[outside])
        assessments = [assess(dict(zip(core, profile.tolist(), strict=True)), requirements, policy)
                       for profile in profiles]
        near = np.array([a.near_miss for a in assessments], dtype=bool)
        chosen = near[which.reshape(-1)]
        per_home_profile = np.bincount(pipeline.home[outside][chosen] * len(profiles) + which.reshape(-1)[chosen],
                                       minlength=homes * len(profiles)).reshape(homes, len(profiles))
        for h in np.flatnonzero(per_home_profile.sum(axis=1)).tolist():
            steps: Counter[tuple[str, int]] = Counter()
            for p in np.flatnonzero(per_home_profile[h]).tolist():
                for step in assessments[p].plan:
                    steps[(step.skill, step.level)] += int(per_home_profile[h, p])
            home = pipeline.homes[h]
            for place in (home, *neighbours.get(home, ())):
                course = found.setdefault((place, code), ShortCourse())
                course.trainees += float(per_home_profile[h].sum())
                course.steps.update(steps)
    return found


def _short_course_sentence(course: ShortCourse | None, gap: float, postings: float, taxonomy: Taxonomy) -> str:
    """What a short course could do for one occupation in one district, in a sentence."""
    if course is None or course.trainees <= 0:
        return "No trainee nearby is a short course away from this occupation."
    people = f"{course.trainees:.0f} trainee{'s' if round(course.trainees) != 1 else ''} nearby"
    # the step most of them need (ties: the lower level, then the skill code)
    skill, level = min(course.steps, key=lambda step: (-course.steps[step], step[1], step[0]))
    name = taxonomy.skills[skill].name if skill in taxonomy.skills else str(skill)
    step = f"most often {name} to level {level} ({LEVEL_NAMES.get(level, level)})"
    verb = "is" if round(course.trainees) == 1 else "are"
    if gap <= 0 or postings <= 0:
        return (f"{people} {verb} a short course away ({step}), but trainees already heading for it cover the"
                " postings expected.")
    return (f"About {postings:.0f} of the {gap:.0f} postings not yet spoken for could be met with a short course:"
            f" {people} {verb} one away ({step}).")


def _growth_lookup(growth: Any, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
    if growth is None or not pairs:
        return {}
    if isinstance(growth, Mapping):
        return {p: float(growth.get(p, 0.0)) for p in pairs}
    districts = np.array([d for d, _ in pairs], dtype=object)
    occupations = np.array([o for _, o in pairs], dtype=object)
    values = np.asarray(growth.growth(districts, occupations), dtype=np.float64)
    return {p: float(v) for p, v in zip(pairs, values.tolist())}


def _trainer_role(taxonomy: Taxonomy, code: str) -> bool:
    """A programme's trainer role: filled from its graduates, not a trade to train a cohort for."""
    occupation = taxonomy.occupations.get(code)
    return occupation is not None and occupation.trainer


def training_priorities(*, forecasts: Sequence[ForecastRow], supply: Mapping[tuple[str, str], float],
                        district: str | None, taxonomy: Taxonomy,
                        neighbours: Mapping[str, Sequence[str]] | None = None, horizon: int = 6,
                        growth: Any = None, neighbour_weight: float = 1.0, lead_months: float = 6.0,
                        market_share: float = 1.0, limit: int | None = None,
                        short_course: Mapping[tuple[str, str], ShortCourse] | None = None) -> list[Priority]:
    """Occupations ranked by unmet forecast demand against local supply (formula in the module docstring).

    ``forecasts``: the demand model's rows (only the first ``horizon`` months are summed).
    ``supply``: ``(district, occupation) -> trainees`` (see :func:`supply_from_trainees`).
    ``district``: rank that district's occupations; ``None`` ranks every district's together.
    ``neighbours``: ``district -> neighbouring districts`` whose demand also counts (weighted by
    ``neighbour_weight``); ``None`` counts the district's own demand only.
    ``growth``: the fitted demand model (any :class:`matching.demand.DemandSignal`) or a mapping
    ``(district, occupation) -> yearly growth``; ``None`` takes growth as 0.
    ``market_share``: the share of market postings the programme's trainees can compete for
    (market counts are usually far larger than a programme's pipeline; a share below 1 lets
    supply weigh in proportion). ``lead_months``: months until a cohort starting now is job-ready.
    ``limit``: keep the first ``limit`` results. ``short_course``: ``(district, occupation) ->`` the
    trainees a short course away (see :func:`short_course_from_trainees`); it adds its own figures and
    sentence to each priority and leaves the ranking as it is.
    """
    if horizon < 1:
        raise ValueError("horizon must be >= 1")
    if not 0 < market_share <= 1:
        raise ValueError("market_share must be in (0, 1]")
    periods = sorted({row.period for row in forecasts})[: int(horizon)]
    window = set(periods)
    demand: dict[tuple[str, str], float] = {}
    for row in forecasts:
        if row.period in window and math.isfinite(row.postings):
            key = (row.district, row.occupation)
            demand[key] = demand.get(key, 0.0) + float(row.postings)
    near = neighbours or {}

    if district is not None:
        targets = [district]
    else:
        targets = sorted({d for d, _ in demand} | {d for d, _ in supply})
    candidates: list[tuple[str, str]] = []
    for target in targets:
        places = {target, *near.get(target, ())}
        occupations = {o for d, o in demand if d in places and not _trainer_role(taxonomy, o)} \
            | {o for d, o in supply if d == target}
        candidates.extend((target, o) for o in sorted(occupations))

    contributing = sorted({(place, o) for target, o in candidates
                           for place in (target, *near.get(target, ())) if (place, o) in demand}
                          | set(candidates))
    growth_of = _growth_lookup(growth, contributing)

    scored = []
    for target, occ in candidates:
        parts = [(target, 1.0)] + [(n, float(neighbour_weight)) for n in near.get(target, ()) if n != target]
        total = 0.0
        weighted_growth = 0.0
        for place, weight in parts:
            amount = weight * float(market_share) * demand.get((place, occ), 0.0)
            total += amount
            weighted_growth += amount * growth_of.get((place, occ), 0.0)
        g = weighted_growth / total if total > 0 else growth_of.get((target, occ), 0.0)
        have = float(supply.get((target, occ), 0.0))
        gap = total - have
        score = total * (1.0 + g) ** (float(lead_months) / 12.0) - have
        scored.append((target, occ, total, have, gap, g, score))

    scored.sort(key=lambda r: (-round(r[6], 9), -round(r[4], 9), r[1], r[0]))
    if limit is not None:
        scored = scored[: max(0, int(limit))]
    out = []
    for rank, (target, occ, total, have, gap, g, score) in enumerate(scored, start=1):
        info = taxonomy.occupations.get(occ)
        skills = [code for code, _ in info.core_skills] if info is not None else []
        course = (short_course or {}).get((target, occ))
        one_course_away = course.trainees if course is not None else 0.0
        postings = min(max(gap, 0.0), one_course_away)
        out.append(Priority(
            rank=rank, district=target, occupation=occ, occupation_name=info.name if info is not None else occ,
            sector=info.sector if info is not None else "", forecast_postings=total, supply=have, gap=gap,
            growth=g, score=score, skills=skills,
            skill_names=[taxonomy.skills[c].name for c in skills if c in taxonomy.skills],
            short_course_trainees=one_course_away, short_course_postings=round(postings, 1),
            short_course=_short_course_sentence(course, gap, postings, taxonomy),
        ))
    return out
