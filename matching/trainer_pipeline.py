"""Which graduates could teach the next cohorts of their track: the programme's rules, in plain words.

A programme hires high-achieving graduates as trainers (local role models). For one track, each graduate who
consented to be considered is checked against the track's eligibility rules (``data/programme/trainer_rules.json``,
:mod:`matching.reference.trainer_rules`):

* her status is a graduate's (``statuses``: placed or job-ready by default);
* she finished her follow-up year (a 12-month follow-up recorded in work), or has been in work at least
  ``followup_year_completed_or_months_in_job`` months in all;
* her level in one of the track's **main skills** (its core skills asked at the track's highest level, e.g.
  machine stitching for sewing; her strongest of them) is at least ``min_skill_level_in_track``;
* her attendance is at least ``min_attendance``;
* no risk flag of hers is open (``no_open_risk_flag``).

The eligible are ranked by a score: the rules' ``weights`` applied to three factors on a 0-1 scale, *months in
work* (up to 24), *skill level* (her mean level in the track's core skills, out of 3) and *attendance*, divided by
the sum of the weights. Graduates who miss exactly one rule are **near misses**: listed apart with why not, so a
coordinator can see who is close. Graduates who did not consent never appear. Survivor status is never read.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .reference.taxonomy import Taxonomy
from .reference.trainer_rules import RANKING_FACTORS, TrackRules

__all__ = ["FULL_CREDIT_MONTHS", "Graduate", "TrainerCandidate", "TrainerShortlist", "main_skills", "months_between",
           "rank_trainer_candidates"]

#: Months in work that earn the full ``months_in_job`` factor.
FULL_CREDIT_MONTHS = 24.0
#: Rules a near miss fails.
NEAR_MISS_RULES = 1


@dataclass(frozen=True)
class Graduate:
    """What the rules read of one woman of the track."""

    external_id: str
    track: str | None
    status: str
    levels: Mapping[str, int]  # skill code -> level 1-3
    attendance: float | None
    months_in_job: float
    followup_year_completed: bool
    open_risk_flag: bool
    consented: bool
    cohort: str | None = None


@dataclass(frozen=True)
class TrainerCandidate:
    """One graduate as the rules see her: eligible (with a rank and score) or a near miss (with why not)."""

    external_id: str
    cohort: str | None
    status: str
    eligible: bool
    rank: int | None
    score: float
    months_in_job: float
    followup_year_completed: bool
    skill_level: float
    attendance: float | None
    reasons: list[str] = field(default_factory=list)
    why_not: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TrainerShortlist:
    """The eligible, best first, and the near misses, closest first."""

    track: str
    candidates: list[TrainerCandidate]
    near_misses: list[TrainerCandidate]


def main_skills(taxonomy: Taxonomy, track: str) -> list[str]:
    """The track's main skills: its core skills asked at the track's highest level."""
    occupation = taxonomy.occupations.get(track)
    if occupation is None or not occupation.core_skills:
        return []
    top = max(level for _, level in occupation.core_skills)
    return [code for code, level in occupation.core_skills if level == top]


def _skill_name(taxonomy: Taxonomy, code: str) -> str:
    name = taxonomy.skills[code].name if code in taxonomy.skills else code
    # "Machine stitching" reads "machine stitching" mid-sentence; "POS billing" keeps its capitals
    return name[0].lower() + name[1:] if len(name) > 1 and not name[1].isupper() else name


def _months(months: float) -> str:
    whole = int(math.floor(months))
    return f"{whole} month{'s' if whole != 1 else ''}"


def _assess(graduate: Graduate, rules: TrackRules, taxonomy: Taxonomy, track: str
            ) -> tuple[list[str], list[str], float, float]:
    """Her reasons, why-nots, score and mean skill level in the track."""
    eligibility = rules.eligibility
    reasons: list[str] = []
    why_not: list[str] = []
    need_months = eligibility.followup_year_completed_or_months_in_job
    if graduate.followup_year_completed:
        reasons.append("finished her follow-up year")
    elif graduate.months_in_job >= need_months:
        reasons.append(f"{_months(graduate.months_in_job)} in work")
    else:
        why_not.append(f"{_months(graduate.months_in_job)} in work and no follow-up year finished yet "
                       f"(the rule: {need_months} months or a finished follow-up year)")
    main = main_skills(taxonomy, track)
    if main:
        # her strongest main skill of the track: "top tailoring level" is machine stitching at level 3
        best = max(main, key=lambda code: (graduate.levels.get(code, 0), -main.index(code)))
        level, name = graduate.levels.get(best, 0), _skill_name(taxonomy, best)
        if level >= eligibility.min_skill_level_in_track:
            reasons.append(f"top {name} level" if level >= 3 else f"{name} at level {level}")
        else:
            asked = " or ".join(_skill_name(taxonomy, code) for code in main)
            why_not.append(f"{asked} at level {level}, below the {eligibility.min_skill_level_in_track} asked")
    if graduate.attendance is None:
        why_not.append("no attendance recorded")
    elif graduate.attendance + 1e-9 >= eligibility.min_attendance:
        reasons.append(f"{graduate.attendance:.0%} attendance")
    else:
        why_not.append(f"{graduate.attendance:.0%} attendance, below the {eligibility.min_attendance:.0%} asked")
    if eligibility.no_open_risk_flag and graduate.open_risk_flag:
        why_not.append("a risk flag from a follow-up is open: clear it with her first")
    occupation = taxonomy.occupations.get(track)
    core = [code for code, _ in occupation.core_skills] if occupation is not None else []
    skill_level = sum(graduate.levels.get(code, 0) for code in core) / len(core) if core else 0.0
    factors = {"months_in_job": min(graduate.months_in_job, FULL_CREDIT_MONTHS) / FULL_CREDIT_MONTHS,
               "skill_level": skill_level / 3.0, "attendance": graduate.attendance or 0.0}
    total = sum(rules.weights.get(name, 0.0) for name in RANKING_FACTORS)
    score = sum(rules.weights.get(name, 0.0) * factors[name] for name in RANKING_FACTORS) / total if total else 0.0
    return reasons, why_not, score, skill_level


def rank_trainer_candidates(graduates: Iterable[Graduate], *, track: str, rules: TrackRules,
                            taxonomy: Taxonomy) -> TrainerShortlist:
    """The consenting graduates of a track, eligible ones ranked by score, near misses with why not."""
    eligible: list[TrainerCandidate] = []
    near: list[TrainerCandidate] = []
    for graduate in graduates:
        if not graduate.consented or graduate.track != track or graduate.status not in rules.eligibility.statuses:
            continue
        reasons, why_not, score, skill_level = _assess(graduate, rules, taxonomy, track)
        found = TrainerCandidate(
            external_id=graduate.external_id, cohort=graduate.cohort, status=graduate.status, eligible=not why_not,
            rank=None, score=round(score, 3), months_in_job=round(graduate.months_in_job, 1),
            followup_year_completed=graduate.followup_year_completed, skill_level=round(skill_level, 2),
            attendance=graduate.attendance, reasons=reasons, why_not=why_not)
        if not why_not:
            eligible.append(found)
        elif len(why_not) <= NEAR_MISS_RULES:
            near.append(found)
    eligible.sort(key=lambda c: (-c.score, c.external_id))
    near.sort(key=lambda c: (-c.score, c.external_id))
    ranked = [TrainerCandidate(**{**c.__dict__, "rank": i}) for i, c in enumerate(eligible, start=1)]
    return TrainerShortlist(track=track, candidates=ranked, near_misses=near)


def months_between(spans: Sequence[tuple[float, float]]) -> float:
    """Months covered by spans of days ``(start, end)`` (overlaps counted once), at 30.44 days a month."""
    total, reach = 0.0, -math.inf
    for start, end in sorted(spans):
        start = max(start, reach)
        if end > start:
            total += end - start
        reach = max(reach, end)
    return total / 30.44
