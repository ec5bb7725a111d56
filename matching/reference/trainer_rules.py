"""The programme's rules for trainer roles and cohort planning (``data/programme/trainer_rules.json``).

Per training track: the trainer occupation that teaches it, who may be considered for that role (eligibility), how
the eligible are ranked (weights), how many trainees one trainer teaches and the bounds of a cohort. ``defaults``
holds every rule; a track's entry overrides only the rules it names (see ``data/README.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .loading import _line, _load_json_with_lines, _Problems
from .taxonomy import SKILL_LEVELS, Taxonomy

__all__ = ["RANKING_FACTORS", "CohortSize", "Eligibility", "TrackRules", "TrainerRules", "load_trainer_rules",
           "trainer_rules_path"]

#: What the ranking weighs, each read on a 0-1 scale (see :mod:`matching.trainer_pipeline`).
RANKING_FACTORS = ("months_in_job", "skill_level", "attendance")


@dataclass(frozen=True)
class Eligibility:
    """Who may be considered for a trainer role."""

    statuses: tuple[str, ...] = ("placed", "job_ready")
    followup_year_completed_or_months_in_job: int = 12
    min_skill_level_in_track: int = 3
    min_attendance: float = 0.85
    no_open_risk_flag: bool = True


@dataclass(frozen=True)
class CohortSize:
    """The fewest trainees a cohort is opened for, and the most one cohort takes."""

    min: int = 10
    max: int = 40


@dataclass(frozen=True)
class TrackRules:
    """The rules of one track (the defaults, with the track's own overrides)."""

    trainer_occupation: str | None
    eligibility: Eligibility = field(default_factory=Eligibility)
    weights: Mapping[str, float] = field(default_factory=lambda: MappingProxyType(
        {"months_in_job": 1.0, "skill_level": 1.0, "attendance": 1.0}))
    trainees_per_trainer: int = 20
    cohort_size: CohortSize = field(default_factory=CohortSize)
    market_share: float = 0.02
    placement_rate_prior: float = 10.0


@dataclass(frozen=True)
class TrainerRules:
    """Every track's rules; a track the file does not name gets the defaults and no trainer occupation."""

    defaults: TrackRules
    tracks: Mapping[str, TrackRules]
    version: str = ""
    source: str = ""

    def for_track(self, track: str) -> TrackRules:
        """The rules of a track."""
        return self.tracks.get(track, self.defaults)

    def tracks_taught_by(self, occupation: str) -> list[str]:
        """The tracks a trainer occupation teaches."""
        return sorted(code for code, rules in self.tracks.items() if rules.trainer_occupation == occupation)


def trainer_rules_path(data_dir: Path, site: str) -> Path:
    """The site's own rules (``sites/<site>/trainer_rules.json``) when it has them, else the programme's."""
    own = Path(data_dir) / "sites" / site / "trainer_rules.json"
    return own if own.is_file() else Path(data_dir) / "programme" / "trainer_rules.json"


_TOP_KEYS = {"version", "source", "defaults", "tracks"}
_RULE_KEYS = {"eligibility", "weights", "trainees_per_trainer", "cohort_size", "market_share",
              "placement_rate_prior"}
_ELIGIBILITY_KEYS = {"statuses", "followup_year_completed_or_months_in_job", "min_skill_level_in_track",
                     "min_attendance", "no_open_risk_flag"}
_STATUSES = ("in_training", "job_ready", "placed", "exited")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _eligibility(obj: Any, base: Eligibility, where: str, line: int, problems: _Problems) -> Eligibility:
    if not isinstance(obj, dict):
        problems.add(line, f"{where}: 'eligibility' must be an object")
        return base
    line = _line(obj, line)
    for key in sorted(set(obj) - _ELIGIBILITY_KEYS):
        problems.add(line, f"{where}: unknown eligibility rule {key!r} (known: {', '.join(sorted(_ELIGIBILITY_KEYS))})")
    changes: dict[str, Any] = {}
    if "statuses" in obj:
        statuses = obj["statuses"]
        if not isinstance(statuses, list) or not statuses or any(s not in _STATUSES for s in statuses):
            problems.add(line, f"{where}: 'statuses' must be a non-empty list of {', '.join(_STATUSES)}")
        else:
            changes["statuses"] = tuple(statuses)
    months = obj.get("followup_year_completed_or_months_in_job")
    if months is not None and (not _whole(months) or not 0 <= months <= 120):
        problems.add(line, f"{where}: 'followup_year_completed_or_months_in_job' must be whole months 0-120")
    elif months is not None:
        changes["followup_year_completed_or_months_in_job"] = months
    level = obj.get("min_skill_level_in_track")
    if level is not None and level not in SKILL_LEVELS:
        problems.add(line, f"{where}: 'min_skill_level_in_track' must be one of {SKILL_LEVELS}")
    elif level is not None:
        changes["min_skill_level_in_track"] = level
    attendance = obj.get("min_attendance")
    if attendance is not None and (not _number(attendance) or not 0 <= attendance <= 1):
        problems.add(line, f"{where}: 'min_attendance' must be a share between 0 and 1")
    elif attendance is not None:
        changes["min_attendance"] = float(attendance)
    flag = obj.get("no_open_risk_flag")
    if flag is not None and not isinstance(flag, bool):
        problems.add(line, f"{where}: 'no_open_risk_flag' must be true or false")
    elif flag is not None:
        changes["no_open_risk_flag"] = flag
    return replace(base, **changes)


def _rules(obj: Any, base: TrackRules, where: str, line: int, problems: _Problems,
           extra_keys: frozenset[str] = frozenset()) -> TrackRules:
    """One rules object over ``base``: only the rules it names change."""
    if not isinstance(obj, dict):
        problems.add(line, f"{where} must be a JSON object")
        return base
    line = _line(obj, line)
    for key in sorted(set(obj) - _RULE_KEYS - extra_keys):
        problems.add(line, f"{where}: unknown key {key!r}")
    changes: dict[str, Any] = {}
    if "eligibility" in obj:
        changes["eligibility"] = _eligibility(obj["eligibility"], base.eligibility, where, line, problems)
    if "weights" in obj:
        weights = obj["weights"]
        if (not isinstance(weights, dict) or set(weights) - set(RANKING_FACTORS)
                or not all(_number(w) and w >= 0 for w in weights.values()) or not any(weights.values())):
            problems.add(_line(weights, line), f"{where}: 'weights' must give {', '.join(RANKING_FACTORS)} "
                                               "non-negative numbers, not all 0")
        else:
            changes["weights"] = MappingProxyType({k: float(weights.get(k, 0.0)) for k in RANKING_FACTORS})
    per = obj.get("trainees_per_trainer")
    if per is not None and (not _whole(per) or not 1 <= per <= 200):
        problems.add(line, f"{where}: 'trainees_per_trainer' must be a whole number 1-200")
    elif per is not None:
        changes["trainees_per_trainer"] = per
    if "cohort_size" in obj:
        size = obj["cohort_size"]
        if (not isinstance(size, dict) or set(size) != {"min", "max"} or not all(_whole(v) for v in size.values())
                or not 1 <= size["min"] <= size["max"]):
            problems.add(_line(size, line), f"{where}: 'cohort_size' must be {{\"min\": n, \"max\": m}} with "
                                            "1 <= n <= m")
        else:
            changes["cohort_size"] = CohortSize(min=size["min"], max=size["max"])
    share = obj.get("market_share")
    if share is not None and (not _number(share) or not 0 < share <= 1):
        problems.add(line, f"{where}: 'market_share' must be a share above 0, at most 1")
    elif share is not None:
        changes["market_share"] = float(share)
    prior = obj.get("placement_rate_prior")
    if prior is not None and (not _number(prior) or prior < 0):
        problems.add(line, f"{where}: 'placement_rate_prior' must be a number of graduates, 0 or more")
    elif prior is not None:
        changes["placement_rate_prior"] = float(prior)
    return replace(base, **changes)


def load_trainer_rules(path: Path, taxonomy: Taxonomy) -> TrainerRules:
    """Load and validate the rules, checking tracks and trainer occupations against the taxonomy."""
    path = Path(path)
    problems = _Problems(path)
    doc = _load_json_with_lines(path, problems)
    if not isinstance(doc, dict):
        problems.add(1, "the rules must be a JSON object")
        problems.raise_if_any()
    top = _line(doc, 1)
    for key in sorted(set(doc) - _TOP_KEYS):
        problems.add(top, f"unknown key {key!r}")
    for key in ("version", "defaults", "tracks"):
        if key not in doc:
            problems.add(top, f"lacks {key!r}")
    problems.raise_if_any()
    defaults = _rules(doc["defaults"], TrackRules(trainer_occupation=None), "defaults", top, problems)
    tracks: dict[str, TrackRules] = {}
    entries = doc["tracks"]
    if not isinstance(entries, dict):
        problems.add(top, "'tracks' must be an object of track code -> rules")
        entries = {}
    for track, entry in entries.items():
        line = _line(entry, _line(entries, top))
        where = f"track {track!r}"
        if track not in taxonomy.trades:
            problems.add(line, f"{where} is not a trade of the taxonomy")
            continue
        rules = _rules(entry, defaults, where, line, problems, extra_keys=frozenset({"trainer_occupation"}))
        trainer = entry.get("trainer_occupation") if isinstance(entry, dict) else None
        occupation = taxonomy.occupations.get(trainer) if isinstance(trainer, str) else None
        if occupation is None or not occupation.trainer:
            problems.add(line, f"{where}: 'trainer_occupation' {trainer!r} is not a trainer occupation of the "
                               "taxonomy (one marked \"trainer\": true)")
            continue
        tracks[track] = replace(rules, trainer_occupation=trainer)
    problems.raise_if_any()
    return TrainerRules(defaults=defaults, tracks=MappingProxyType(tracks), version=str(doc["version"]),
                        source=str(doc.get("source", "")))
