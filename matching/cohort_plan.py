"""How many women to train in which track next, and how many trainers those cohorts need.

For each track ``t`` (a trade of the taxonomy) over the next ``months``:

* **forecast openings** ``O = market_share × F``: ``F`` the demand model's forecast postings for ``t`` summed over
  the months and the districts planned for (the partner's, or the site's), ``market_share`` the share of market
  postings the programme's trainees can expect to fill (the track's rules);
* **supply** ``S``: women of the track already job-ready or in training;
* **placement rate** ``r = (placed + k × R) / (graduates + k)``: of the track's graduates of the last 12 months,
  the share placed, shrunk towards the programme-wide rate ``R`` by ``k = placement_rate_prior`` graduates, so
  that a track with few graduates is not judged on two or three women (``R`` itself when no one graduated);
* **women to train** ``W = max(0, ceil(O / r − S))``: enough graduates to fill the openings at the usual rate,
  less those already on the way; a cohort is not opened for fewer than ``cohort_size.min`` and takes at most
  ``cohort_size.max`` (``W`` is then bounded);
* **trainers** ``ceil(W / trainees_per_trainer)`` for the track's cohort; per trainer occupation (one trainer
  role may teach several tracks) the trainers the planned cohorts need, less those on staff when known.

Every line carries its reasoning in sentences a coordinator can check.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .demand_model import ForecastRow
from .reference.taxonomy import Taxonomy
from .reference.trainer_rules import TrainerRules

__all__ = ["CohortLine", "CohortPlan", "TrackRecord", "TrainerNeed", "plan_cohorts"]

#: A placement rate is never taken below this: a track nobody was placed from would ask for endless cohorts.
MIN_PLACEMENT_RATE = 0.05


@dataclass(frozen=True)
class TrackRecord:
    """The women of one track: on the way now, and graduated over the last 12 months (and of those, placed)."""

    job_ready: int = 0
    in_training: int = 0
    graduates: int = 0
    placed: int = 0


@dataclass(frozen=True)
class CohortLine:
    """The plan for one track."""

    track: str
    track_name: str
    forecast_postings: float
    forecast_openings: float
    supply: int
    job_ready: int
    in_training: int
    graduates: int
    placed: int
    placement_rate: float
    women_to_train: int
    cohorts: int
    trainer_occupation: str | None
    trainer_occupation_name: str | None
    trainees_per_trainer: int
    trainers_needed: int
    reasoning: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TrainerNeed:
    """One trainer role across the tracks it teaches."""

    occupation: str
    occupation_name: str
    tracks: list[str]
    needed: int
    on_staff: int | None
    to_hire: int


@dataclass(frozen=True)
class CohortPlan:
    months: int
    overall_placement_rate: float | None
    lines: list[CohortLine]
    trainers: list[TrainerNeed]
    women_to_train: int


def _people(n: float, one: str = "woman", many: str = "women") -> str:
    return f"{n:,.0f} {one if round(n) == 1 else many}"


def _forecast_by_track(forecasts: Sequence[ForecastRow], months: int,
                       districts: set[str] | None) -> dict[str, float]:
    periods = set(sorted({row.period for row in forecasts})[:months])
    out: dict[str, float] = {}
    for row in forecasts:
        if row.period in periods and (districts is None or row.district in districts) and math.isfinite(row.postings):
            out[row.occupation] = out.get(row.occupation, 0.0) + float(row.postings)
    return out


def plan_cohorts(*, forecasts: Sequence[ForecastRow], records: Mapping[str, TrackRecord], rules: TrainerRules,
                 taxonomy: Taxonomy, months: int = 6, districts: set[str] | None = None,
                 trainers_on_staff: Mapping[str, int] | None = None, where: str = "its districts") -> CohortPlan:
    """The plan (formulas in the module docstring). ``forecasts``: the demand model's rows (their first ``months``
    periods are summed, in ``districts`` only when given); ``records``: track -> its women; ``trainers_on_staff``:
    trainer occupation -> trainers employed now, when known; ``where`` names the districts in the sentences."""
    if months < 1:
        raise ValueError("months must be >= 1")
    demand = _forecast_by_track(forecasts, months, districts)
    graduates = sum(r.graduates for r in records.values())
    overall = sum(r.placed for r in records.values()) / graduates if graduates else None
    lines = []
    for track in sorted(set(demand) | {t for t, r in records.items() if r.job_ready or r.in_training or r.graduates}):
        occupation = taxonomy.trades.get(track)
        if occupation is None:
            continue
        lines.append(_line(track, occupation.name, demand.get(track, 0.0), records.get(track, TrackRecord()),
                           rules, taxonomy, months, overall, where))
    lines.sort(key=lambda line: (-line.women_to_train, -line.forecast_openings, line.track))
    return CohortPlan(months=months, overall_placement_rate=None if overall is None else round(overall, 3),
                      lines=lines, trainers=_trainer_needs(lines, taxonomy, trainers_on_staff),
                      women_to_train=sum(line.women_to_train for line in lines))


def _line(track: str, name: str, postings: float, record: TrackRecord, rules_of: TrainerRules, taxonomy: Taxonomy,
          months: int, overall: float | None, where: str) -> CohortLine:
    rules = rules_of.for_track(track)
    openings = rules.market_share * postings
    supply = record.job_ready + record.in_training
    prior = overall if overall is not None else 1.0
    k = rules.placement_rate_prior
    rate = (record.placed + k * prior) / (record.graduates + k) if record.graduates + k > 0 else prior
    rate = max(rate, MIN_PLACEMENT_RATE)
    need = max(0, math.ceil(round(openings / rate - supply, 6)))
    size = rules.cohort_size
    women = 0 if need < size.min else min(need, size.max)
    per = rules.trainees_per_trainer
    trainers = math.ceil(women / per) if women else 0
    trainer = rules.trainer_occupation
    trainer_name = taxonomy.occupations[trainer].name if trainer is not None and trainer in taxonomy.occupations \
        else None

    reasoning = [
        f"About {openings:,.0f} openings for {name} are expected in {where} over the next {months} months "
        f"({rules.market_share:.0%} of the {postings:,.0f} postings forecast).",
        f"{_people(supply)} already on the track ({record.job_ready:,} job-ready, {record.in_training:,} in "
        "training).",
    ]
    if record.graduates:
        reasoning.append(f"Over the last 12 months {record.placed:,} of {record.graduates:,} graduates were placed; "
                         f"allowing for how few that is, expect {rate:.0%}"
                         + (f" (programme-wide {overall:.0%})." if overall is not None else "."))
    elif overall is not None:
        reasoning.append(f"No graduate of the track in the last 12 months: the programme-wide placement rate, "
                         f"{rate:.0%}, is assumed.")
    else:
        reasoning.append("No graduate placed or not in the last 12 months: every graduate is assumed placed.")
    if need == 0:
        reasoning.append("The women on the way already cover the openings expected: no cohort now.")
    elif need < size.min:
        reasoning.append(f"That leaves {_people(need)} to train, fewer than the {size.min} a cohort is opened for: "
                         "no cohort now; look again at the next plan.")
    else:
        capped = f", capped at {size.max}, the largest cohort" if need > size.max else ""
        teach = (f"{trainers} {trainer_name or 'trainer'}{'s' if trainers != 1 else ''} at {per} trainees each"
                 if trainer_name else f"{trainers} trainer{'s' if trainers != 1 else ''} at {per} trainees each")
        reasoning.append(f"So train {_people(women)} ({openings:,.0f} ÷ {rate:.0%} − {supply:,} = {need:,}"
                         f"{capped}): one cohort needing {teach}.")
    return CohortLine(
        track=track, track_name=name, forecast_postings=round(postings, 1), forecast_openings=round(openings, 1),
        supply=supply, job_ready=record.job_ready, in_training=record.in_training, graduates=record.graduates,
        placed=record.placed, placement_rate=round(rate, 3), women_to_train=women, cohorts=1 if women else 0,
        trainer_occupation=trainer, trainer_occupation_name=trainer_name, trainees_per_trainer=per,
        trainers_needed=trainers, reasoning=reasoning)


def _trainer_needs(lines: Sequence[CohortLine], taxonomy: Taxonomy,
                   on_staff: Mapping[str, int] | None) -> list[TrainerNeed]:
    needs: dict[str, list[CohortLine]] = {}
    for line in lines:
        if line.trainer_occupation is not None and line.trainers_needed:
            needs.setdefault(line.trainer_occupation, []).append(line)
    out = []
    for occupation, teaching in sorted(needs.items()):
        needed = sum(line.trainers_needed for line in teaching)
        staff = None if on_staff is None else int(on_staff.get(occupation, 0))
        out.append(TrainerNeed(occupation=occupation, occupation_name=taxonomy.occupations[occupation].name,
                               tracks=[line.track for line in teaching], needed=needed, on_staff=staff,
                               to_hire=max(0, needed - (staff or 0))))
    return out
