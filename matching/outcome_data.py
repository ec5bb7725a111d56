"""The outcome model's training set: one row per placement, built from the programme's records.

A placement (a trainee starting in an opening) is followed up at months 1, 3,
6 and 12. The outcome model (:mod:`matching.outcome_model`) is a discrete-time
survival model over the intervals (0,1], (1,3], (3,6] and (6,12] months: each
placement contributes one person-period row per interval she was observed at
risk through, the last one marked as an event when she left in it. Placements
younger than a year are censored, not dropped.

Coding rules (:func:`code_placement`), applied as the records stood on ``as_of``
(follow-ups checked after ``as_of`` and end dates after ``as_of`` are ignored,
so a training set built for an earlier day sees only what was known then):

1. **Leaving.** She left on ``ended_on`` when it is given; a follow-up with
   ``employed`` false at month ``m`` says she left by month ``m`` (the event is
   put in the interval that ends at ``m``). When both are given the earlier
   interval wins. Leaving after month 12 is not an event: she was retained.
2. **Confirmation.** A follow-up with ``employed`` true at month ``m``
   confirms she stayed through every interval ending at or before ``m``; an end
   date confirms she stayed through every interval before the one she left in.
   An empty ``ended_on`` alone confirms nothing: end dates are often entered
   late, so a placement without a confirming follow-up is at risk through no
   interval at all, however old it is.
3. **Closed intervals.** An interval counts only once it has closed:
   ``started_on`` + its end in months + :data:`FOLLOWUP_GRACE_DAYS` on or
   before ``as_of``. The rule is the same for women who left and women who
   stayed, so that recent placements, whose leavers are known before their
   stayers are confirmed, do not inflate the hazards.
4. Walking through the closed intervals in order: the interval she left in
   gives an event row and ends her record; a confirmed interval gives a
   non-event row; the first interval neither confirmed nor left in censors her
   (no row for it or after it).

``twelve_month_known`` marks placements whose first year has closed and whose
12-month outcome is on record (she left within the year, or she was confirmed
through month 12); recent placements are left out of it even when she has
already left, so that the set is not enriched with early leavers. Evaluation
and calibration use these placements.

Pair features are computed by the matching engine as of each placement's
``started_on`` (the statutory minimum wage in force then); safety rules are not
applied: history is what it is. Trainee attributes are those on record now.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .dates import FOLLOWUP_MONTHS, add_months
from .engine import MatchEngine
from .features import features_from_context
from .reference import Taxonomy
from .tables import OpeningTable, TraineeTable, to_day

__all__ = ["BOUNDARIES", "FOLLOWUP_GRACE_DAYS", "INTERVALS", "BundleRecords", "OutcomeTrainingSet", "PlacementCoding",
           "add_months", "build_training_set", "code_placement", "features_at_days", "read_bundle_records"]

#: Interval boundaries in months since the start: the intervals are (0,1], (1,3], (3,6], (6,12].
BOUNDARIES: tuple[int, ...] = (0, *FOLLOWUP_MONTHS)
INTERVALS: tuple[tuple[int, int], ...] = tuple(zip(BOUNDARIES[:-1], BOUNDARIES[1:]))
N_INTERVALS = len(INTERVALS)
#: Days after an interval's end before it counts as closed (follow-ups are often done a little late).
FOLLOWUP_GRACE_DAYS = 30
#: Average days in a month, to express tenures in months.
DAYS_PER_MONTH = 365.25 / 12


def _interval_ending_by(month: float) -> int | None:
    """The interval a leaving time (months) falls in; None after month 12."""
    for k, (_, high) in enumerate(INTERVALS):
        if month <= high:
            return k
    return None


def _bool_or_none(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip().casefold()
        if not text:
            return None
        if text in ("true", "yes", "1", "y", "t"):
            return True
        if text in ("false", "no", "0", "n", "f"):
            return False
        return None
    return bool(value)


@dataclass(frozen=True)
class PlacementCoding:
    """How one placement enters the survival model (see the module docstring)."""

    periods: int                  # intervals she was observed at risk through (person-period rows)
    left: bool                    # the last of those rows is an event: she left in that interval
    duration: float               # months observed: her tenure when she left, else the last boundary confirmed
    twelve_month_known: bool
    twelve_month_retained: bool
    unconfirmed: bool             # censored at an interval that had closed, for want of a confirming follow-up


def code_placement(started_on: Any, ended_on: Any, followups: Iterable[Mapping[str, Any]], *,
                   as_of: datetime.date, grace_days: int = FOLLOWUP_GRACE_DAYS) -> PlacementCoding:
    """Code one placement for the survival model, as its records stood on ``as_of``.

    ``followups`` are the placement's follow-up records (``month``, ``employed``, ``checked_on``).
    """
    start, day = to_day(started_on), to_day(as_of)
    if start is None or day is None:
        raise ValueError("started_on and as_of are required")
    as_of = day
    closes = [add_months(start, high) for _, high in INTERVALS]
    grace = datetime.timedelta(days=grace_days)
    closed = [day + grace <= as_of for day in closes]

    event_k: int | None = None
    tenure: float | None = None
    confirmed = 0.0                           # months through which she is confirmed in the job
    end = to_day(ended_on)
    if end is not None and end <= as_of:
        end = max(end, start)
        tenure = (end - start).days / DAYS_PER_MONTH
        event_k = next((k for k, day in enumerate(closes) if end <= day), None)
        confirmed = float(BOUNDARIES[event_k]) if event_k is not None else float(BOUNDARIES[-1])

    first_false: float | None = None
    for row in followups:
        employed = _bool_or_none(row.get("employed"))
        try:
            month_value: Any = row.get("month")
            month = float(month_value)
        except (TypeError, ValueError):
            continue
        if employed is None or not month > 0:
            continue
        checked = to_day(row.get("checked_on"))
        if checked is None:
            checked = add_months(start, int(np.ceil(month)))
        if checked > as_of:
            continue
        if employed:
            confirmed = max(confirmed, month)
        elif first_false is None or month < first_false:
            first_false = month
    if first_false is not None:
        k = _interval_ending_by(first_false)
        if k is not None and (event_k is None or k < event_k):
            event_k, tenure = k, float(INTERVALS[k][1])

    periods, left, unconfirmed = 0, False, False
    for k, (_, high) in enumerate(INTERVALS):
        if not closed[k]:
            break
        if event_k == k:
            periods, left = k + 1, True
            break
        if confirmed >= high:
            periods = k + 1
            continue
        unconfirmed = True
        break
    duration = float(tenure) if left and tenure is not None else float(BOUNDARIES[periods])
    known = closed[-1] and (left or periods == N_INTERVALS)
    return PlacementCoding(periods=periods, left=left, duration=duration, twelve_month_known=bool(known),
                           twelve_month_retained=bool(known and not left), unconfirmed=unconfirmed)


# --------------------------------------------------------------------------- the training set


@dataclass(frozen=True, eq=False)
class OutcomeTrainingSet:
    """One row per placement: features of the (trainee, opening) pair at its start, and how it turned out.

    ``periods[i]`` is the number of intervals (:data:`INTERVALS`) placement ``i`` was observed at risk
    through; ``left[i]`` says the last of them ended with her leaving. ``durations`` are months
    observed (her tenure when she left, else the last boundary she is confirmed through).
    ``unconfirmed`` marks placements censored at a closed interval for want of a follow-up;
    ``skipped`` counts placements left out, by reason. ``weights`` (None: every placement counts once)
    are what each placement counts for in fitting, such as the inverse-propensity weights correcting for
    who was placed (:mod:`matching.propensity`); see :meth:`with_weights`.
    """

    features: dict[str, np.ndarray]
    durations: np.ndarray
    left: np.ndarray
    employer: np.ndarray
    placement_ids: np.ndarray
    start_dates: np.ndarray
    twelve_month_known: np.ndarray
    twelve_month_retained: np.ndarray
    periods: np.ndarray
    trainee_ids: np.ndarray
    unconfirmed: np.ndarray
    as_of: datetime.date | None = None
    skipped: Mapping[str, int] = field(default_factory=dict)
    weights: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.placement_ids.shape[0])

    @property
    def n_events(self) -> int:
        return int(np.count_nonzero(self.left))

    @property
    def usable(self) -> np.ndarray:
        """Placements contributing at least one person-period row."""
        return self.periods > 0

    def subset(self, index: Any) -> OutcomeTrainingSet:
        """The placements at ``index`` (positions or a boolean mask), in that order."""
        index = np.asarray(index)
        if index.dtype == bool:
            index = np.flatnonzero(index)
        return OutcomeTrainingSet(
            features={k: v[index] for k, v in self.features.items()}, durations=self.durations[index],
            left=self.left[index], employer=self.employer[index], placement_ids=self.placement_ids[index],
            start_dates=self.start_dates[index], twelve_month_known=self.twelve_month_known[index],
            twelve_month_retained=self.twelve_month_retained[index], periods=self.periods[index],
            trainee_ids=self.trainee_ids[index], unconfirmed=self.unconfirmed[index], as_of=self.as_of,
            skipped=dict(self.skipped), weights=None if self.weights is None else self.weights[index])

    def with_weights(self, weights: Any) -> OutcomeTrainingSet:
        """The same placements, each counting for its weight (one finite, non-negative number per placement;
        None: every placement once)."""
        if weights is None:
            return dataclasses.replace(self, weights=None)
        values = np.asarray(weights, dtype=np.float64)
        if values.shape != (len(self),) or not np.isfinite(values).all() or (values < 0).any():
            raise ValueError(f"weights must be {len(self)} finite, non-negative numbers, one per placement")
        return dataclasses.replace(self, weights=values)

    @property
    def row_weights(self) -> np.ndarray:
        """Each placement's weight (ones when none were given)."""
        return np.ones(len(self)) if self.weights is None else self.weights

    def person_periods(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(placement row, interval, event)`` of every person-period row, placement by placement."""
        periods = self.periods.astype(np.int64)
        rows = np.repeat(np.arange(len(self)), periods)
        starts = np.cumsum(periods) - periods
        interval = np.arange(rows.shape[0]) - np.repeat(starts, periods)
        event = np.repeat(self.left, periods) & (interval == np.repeat(periods - 1, periods))
        return rows, interval, event


def _object(values: Sequence[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def build_training_set(*, engine: MatchEngine, trainees: Sequence[Mapping[str, Any]],
                       openings: Sequence[Mapping[str, Any]], employers: Mapping[str, Mapping[str, Any]],
                       placements: Sequence[Mapping[str, Any]], followups: Sequence[Mapping[str, Any]],
                       as_of: Any, grace_days: int = FOLLOWUP_GRACE_DAYS) -> OutcomeTrainingSet:
    """The training set of the placements started on or before ``as_of``.

    Records are plain dicts with the stored fields (as the import bundle names them): skills as
    ``[{"label", "level", "skill"}]`` lists, dates as ``date`` or ISO strings, ``employers`` mapping
    employer external ids to their records (``vetted``, ``vetted_on``). Placements whose trainee or
    opening is missing, or that start after ``as_of``, are skipped and counted in ``skipped``.
    """
    as_of_day = to_day(as_of)
    if as_of_day is None:
        raise ValueError("as_of is required")
    trainee_by_id = {str(r["external_id"]): r for r in trainees}
    opening_by_id = {str(r["external_id"]): r for r in openings}
    checks: dict[str, list[Mapping[str, Any]]] = {}
    for row in followups:
        checks.setdefault(str(row.get("placement_external_id")), []).append(row)

    skipped: dict[str, int] = {}
    kept: list[tuple[Mapping[str, Any], datetime.date, PlacementCoding]] = []
    for record in placements:
        start = to_day(record.get("started_on"))
        reason = ("no_start_date" if start is None else "started_after_as_of" if start > as_of_day
                  else "unknown_trainee" if str(record.get("trainee_external_id")) not in trainee_by_id
                  else "unknown_opening" if str(record.get("opening_external_id")) not in opening_by_id else None)
        if reason is not None:
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        assert start is not None  # no reason to skip it: it has a start
        coding = code_placement(start, record.get("ended_on"), checks.get(str(record.get("external_id")), ()),
                                as_of=as_of_day, grace_days=grace_days)
        kept.append((record, start, coding))

    t_ids = sorted({str(r["trainee_external_id"]) for r, _, _ in kept})
    o_ids = sorted({str(r["opening_external_id"]) for r, _, _ in kept})
    trainee_table = TraineeTable.from_records([trainee_by_id[i] for i in t_ids], taxonomy=engine.taxonomy,
                                             site=engine.site)
    opening_table = OpeningTable.from_records([opening_by_id[i] for i in o_ids], employers=employers,
                                              taxonomy=engine.taxonomy, site=engine.site)
    t_row = {e: k for k, e in enumerate(t_ids)}
    o_row = {e: k for k, e in enumerate(o_ids)}
    n = len(kept)
    t_idx = np.array([t_row[str(r["trainee_external_id"])] for r, _, _ in kept], dtype=np.int64)
    o_idx = np.array([o_row[str(r["opening_external_id"])] for r, _, _ in kept], dtype=np.int64)
    starts = np.array([s for _, s, _ in kept], dtype="datetime64[D]")

    features = features_at_days(engine, trainee_table, t_idx, opening_table, o_idx, starts)
    codings = [c for _, _, c in kept]
    return OutcomeTrainingSet(
        features=features,
        durations=np.array([c.duration for c in codings], dtype=np.float64),
        left=np.array([c.left for c in codings], dtype=bool),
        employer=_object([str(opening_table.employer_external_id[j]) for j in o_idx.tolist()]),
        placement_ids=_object([str(r["external_id"]) for r, _, _ in kept]),
        start_dates=starts,
        twelve_month_known=np.array([c.twelve_month_known for c in codings], dtype=bool),
        twelve_month_retained=np.array([c.twelve_month_retained for c in codings], dtype=bool),
        periods=np.array([c.periods for c in codings], dtype=np.int64).reshape(n),
        trainee_ids=_object([str(r["trainee_external_id"]) for r, _, _ in kept]),
        unconfirmed=np.array([c.unconfirmed for c in codings], dtype=bool),
        as_of=as_of_day,
        skipped=skipped,
    )


def features_at_days(engine: MatchEngine, trainees: TraineeTable, t_idx: np.ndarray, openings: OpeningTable,
                     o_idx: np.ndarray, starts: np.ndarray) -> dict[str, np.ndarray]:
    """Features of the pairs, each as of its own start day (pairs of one day computed together)."""
    n = t_idx.shape[0]
    if n == 0:
        ctx = engine.context(trainees, t_idx, openings, o_idx, as_of=datetime.date(2000, 1, 1))
        return features_from_context(ctx, demand=engine.demand)
    days, inverse = np.unique(starts, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(days) + 1))
    out: dict[str, np.ndarray] = {}
    for g, day in enumerate(days.tolist()):
        rows = order[bounds[g]:bounds[g + 1]]
        ctx = engine.context(trainees, t_idx[rows], openings, o_idx[rows], as_of=day)
        for name, values in features_from_context(ctx, demand=engine.demand).items():
            values = np.asarray(values)
            if name not in out:
                out[name] = np.empty(n, dtype=values.dtype)
            elif out[name].dtype != values.dtype:
                out[name] = out[name].astype(np.result_type(out[name].dtype, values.dtype))
            out[name][rows] = values
    return out


# --------------------------------------------------------------------------- reading a bundle folder


@dataclass(frozen=True)
class BundleRecords:
    """The records of an import-bundle folder in their stored form (see :func:`read_bundle_records`)."""

    trainees: list[dict[str, Any]]
    employers: dict[str, dict[str, Any]]
    openings: list[dict[str, Any]]
    placements: list[dict[str, Any]]
    followups: list[dict[str, Any]]


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _list(text: str | None) -> list[str]:
    return [v.strip() for v in (text or "").split(";") if v.strip()]


def _number(text: str | None) -> float | None:
    text = (text or "").strip()
    return float(text) if text else None


def read_bundle_records(directory: Path | str, *, taxonomy: Taxonomy) -> BundleRecords:
    """Read a bundle folder's CSV files into records as the service stores them.

    For benchmarks and tests (the service reads its database instead): skill labels are mapped onto
    the taxonomy (``{"label", "level", "skill"}``), occupations to ``occupation_code``, lists split on
    ``;``, booleans and numbers parsed, empty cells None. Every column is kept, read or not.
    """
    from .skills import SkillNormaliser, parse_skill_list

    directory = Path(directory)
    skills = SkillNormaliser(taxonomy, kind="skill")
    occupations = SkillNormaliser(taxonomy, kind="occupation")

    def skill_list(text: str | None) -> list[dict[str, Any]]:
        return [{"label": label, "level": level, "skill": skills.match(label).code}
                for label, level in parse_skill_list(text or "")]

    def flag(text: str | None) -> bool | None:
        return _bool_or_none(text)

    def blank(text: str | None) -> str | None:
        return text.strip() if text and text.strip() else None

    trainees = []
    for row in _rows(directory / "trainees.csv"):
        record: dict[str, Any] = {k: blank(v) for k, v in row.items()}
        record.update(
            skills=skill_list(row.get("skills")), languages=_list(row.get("languages")),
            preferred_sectors=_list(row.get("preferred_sectors")),
            excluded_employers=_list(row.get("excluded_employers")),
            excluded_districts=_list(row.get("excluded_districts")),
            lat=_number(row.get("lat")), lon=_number(row.get("lon")),
            max_commute_minutes=_number(row.get("max_commute_minutes")),
            attendance_rate=_number(row.get("attendance_rate")),
            expected_wage_inr=_number(row.get("expected_wage_inr")))
        for name in ("willing_to_relocate", "night_shift_ok", "has_dependents"):
            record[name] = bool(flag(row.get(name)))
        trainees.append(record)

    employers = {}
    for row in _rows(directory / "employers.csv"):
        record = {k: blank(v) for k, v in row.items()}
        record.update(vetted=bool(flag(row.get("vetted"))), lat=_number(row.get("lat")), lon=_number(row.get("lon")))
        employers[str(row["external_id"])] = record

    openings = []
    for row in _rows(directory / "openings.csv"):
        record = {k: blank(v) for k, v in row.items()}
        occupation = blank(row.get("occupation"))
        record.update(
            occupation_code=occupations.match(occupation).code if occupation else None,
            required_skills=skill_list(row.get("required_skills")),
            languages_required=_list(row.get("languages_required")),
            lat=_number(row.get("lat")), lon=_number(row.get("lon")),
            monthly_wage_inr=_number(row.get("monthly_wage_inr")),
            positions=int(_number(row.get("positions")) or 1),
            accommodation_provided=bool(flag(row.get("accommodation_provided"))),
            transport_provided=bool(flag(row.get("transport_provided"))))
        openings.append(record)

    placements = [{k: blank(v) for k, v in row.items()} for row in _rows(directory / "placements.csv")]
    followups = []
    for row in _rows(directory / "followups.csv"):
        record = {k: blank(v) for k, v in row.items()}
        record.update(month=int(_number(row.get("month")) or 0), employed=flag(row.get("employed")),
                      monthly_wage_inr=_number(row.get("monthly_wage_inr")),
                      wellbeing=int(_number(row.get("wellbeing")) or 0) or None,
                      risk_flag=bool(flag(row.get("risk_flag"))))
        followups.append(record)
    return BundleRecords(trainees=trainees, employers=employers, openings=openings, placements=placements,
                         followups=followups)
