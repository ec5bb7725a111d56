"""The skill taxonomy: sectors, occupations and skills, shared by every site."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from .loading import _CODE_RE, _line, _load_json_with_lines, _Problems
from .normalise import LabelIndex
from .wages import SKILL_CATEGORIES

__all__ = ["SKILL_LEVELS", "Occupation", "Skill", "Taxonomy", "load_taxonomy"]

#: Skill levels: 1 basic, 2 working, 3 proficient.
SKILL_LEVELS: tuple[int, ...] = (1, 2, 3)

_NSQF_RE = re.compile(r"^[A-Z]{3}/Q\d{4}$")


@dataclass(frozen=True)
class Occupation:
    code: str
    name: str
    nsqf_code: str | None
    sector: str
    skill_category: str
    core_skills: tuple[tuple[str, int], ...]
    synonyms: tuple[str, ...]
    # A programme's own teaching role (a tailoring trainer): an opening a graduate may fill, not a trade a cohort
    # trains for or the labour market is forecast in.
    trainer: bool = False

    @property
    def core_skill_levels(self) -> Mapping[str, int]:
        """Core skill code -> required level."""
        return MappingProxyType(dict(self.core_skills))


@dataclass(frozen=True)
class Skill:
    """A skill. ``related[b] = w``: holding this skill earns credit ``w`` towards a requirement for ``b``."""

    code: str
    name: str
    synonyms: tuple[str, ...]
    related: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    def __hash__(self) -> int:
        return hash((self.code, self.name, self.synonyms, tuple(sorted(self.related.items()))))


@dataclass(frozen=True, eq=False)
class Taxonomy:
    """Sectors, occupations and skills.

    ``skill_index`` gives each skill code a stable column (codes sorted) for
    vectorised work; :meth:`related_matrix` and :meth:`skill_vector` use it.
    """

    sectors: Mapping[str, str]
    occupations: Mapping[str, Occupation]
    skills: Mapping[str, Skill]
    version: str = ""
    source: str = ""
    skill_index: Mapping[str, int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sectors", MappingProxyType(dict(self.sectors)))
        object.__setattr__(self, "occupations", MappingProxyType(dict(self.occupations)))
        object.__setattr__(self, "skills", MappingProxyType(dict(self.skills)))
        object.__setattr__(self, "skill_index",
                           MappingProxyType({code: i for i, code in enumerate(sorted(self.skills))}))
        for skill in self.skills.values():
            for other in skill.related:
                if other not in self.skills:
                    raise ValueError(f"skill {skill.code!r} is related to unknown skill {other!r}")
        for occupation in self.occupations.values():
            if occupation.sector not in self.sectors:
                raise ValueError(f"occupation {occupation.code!r} has unknown sector {occupation.sector!r}")
            for code, _ in occupation.core_skills:
                if code not in self.skills:
                    raise ValueError(f"occupation {occupation.code!r} needs unknown skill {code!r}")

    @cached_property
    def trades(self) -> Mapping[str, Occupation]:
        """The occupations cohorts train for (every occupation but the programme's trainer roles)."""
        return MappingProxyType({code: o for code, o in self.occupations.items() if not o.trainer})

    @property
    def skill_codes(self) -> tuple[str, ...]:
        """Skill codes in ``skill_index`` order."""
        return tuple(self.skill_index)

    @cached_property
    def _related(self) -> np.ndarray:
        n = len(self.skill_index)
        matrix = np.eye(n, dtype=np.float64)
        for skill in self.skills.values():
            i = self.skill_index[skill.code]
            for other, weight in skill.related.items():
                matrix[i, self.skill_index[other]] = weight
        matrix.setflags(write=False)
        return matrix

    def related_matrix(self) -> np.ndarray:
        """Read-only ``(n, n)`` array: ``[i, j]`` is the credit skill ``i`` earns towards skill ``j``
        (1 on the diagonal)."""
        return self._related

    def skill_vector(self, levels: Mapping[str, int]) -> np.ndarray:
        """Dense level vector (``skill_index`` order) from ``{skill code: level}``; KeyError on unknown codes."""
        vector = np.zeros(len(self.skill_index), dtype=np.float64)
        for code, level in levels.items():
            vector[self.skill_index[code]] = level
        return vector


def _string_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


_TOP_KEYS = {"version", "source", "sectors", "occupations", "skills"}
_SECTOR_KEYS = {"code", "name"}
_SKILL_KEYS = {"code", "name", "synonyms", "related"}
_OCCUPATION_KEYS = {"code", "name", "nsqf_code", "sector", "skill_category", "core_skills", "synonyms"}
_OPTIONAL_OCCUPATION_KEYS = {"trainer"}


def _check_keys(obj: Any, allowed: set[str], required: set[str], what: str, problems: _Problems,
                line: int) -> bool:
    if not isinstance(obj, dict):
        problems.add(line, f"{what} must be a JSON object")
        return False
    ok = True
    for key in sorted(required - set(obj)):
        problems.add(_line(obj, line), f"{what} lacks {key!r}")
        ok = False
    for key in sorted(set(obj) - allowed):
        problems.add(_line(obj, line), f"{what} has unknown key {key!r}")
        ok = False
    return ok


def load_taxonomy(path: Path) -> Taxonomy:
    """Load and validate the taxonomy JSON (see ``data/README.md`` for its structure)."""
    path = Path(path)
    problems = _Problems(path)
    doc = _load_json_with_lines(path, problems)
    top = _check_document(doc, problems)
    sectors = _read_sectors(doc["sectors"], top, problems)
    skill_entries, skill_lines = _collect_skill_entries(doc["skills"], top, problems)
    skills = _read_skills(skill_entries, skill_lines, problems)
    occupations = _read_occupations(doc["occupations"], top, sectors, skill_lines, problems)
    problems.raise_if_any()
    return Taxonomy(sectors=sectors, occupations=occupations, skills=skills,
                    version=doc["version"], source=doc.get("source", ""))


def _check_document(doc: Any, problems: _Problems) -> int:
    """The top-level object's keys and types; raises on any problem. Returns the object's line."""
    if not _check_keys(doc, _TOP_KEYS, {"version", "sectors", "occupations", "skills"}, "taxonomy", problems, 1):
        problems.raise_if_any()
    top = _line(doc, 1)
    if not isinstance(doc["version"], str) or not doc["version"]:
        problems.add(top, "'version' must be a non-empty string")
    if "source" in doc and not isinstance(doc["source"], str):
        problems.add(top, "'source' must be a string")
    for key in ("sectors", "occupations", "skills"):
        if not isinstance(doc[key], list) or not doc[key]:
            problems.add(top, f"{key!r} must be a non-empty list")
    problems.raise_if_any()
    return top


def _read_sectors(entries: list[Any], top: int, problems: _Problems) -> dict[str, str]:
    """Sector code -> name."""
    sectors: dict[str, str] = {}
    sector_lines: dict[str, int] = {}
    for entry in entries:
        if not _check_keys(entry, _SECTOR_KEYS, _SECTOR_KEYS, "sector", problems, top):
            continue
        line = _line(entry, top)
        code, name = entry["code"], entry["name"]
        if not isinstance(code, str) or not _CODE_RE.match(code):
            problems.add(line, f"sector code {code!r} is not a lowercase slug")
        elif code in sectors:
            problems.add(line, f"duplicate sector code {code!r} (first on line {sector_lines[code]})")
        elif not isinstance(name, str) or not name.strip():
            problems.add(line, f"sector {code!r} has no name")
        else:
            sectors[code] = name
            sector_lines[code] = line
    return sectors


def _collect_skill_entries(entries: list[Any], top: int,
                           problems: _Problems) -> tuple[list[tuple[int, dict]], dict[str, int]]:
    """First pass over the skills: their codes (so that "related" may point forwards) and lines."""
    skill_entries: list[tuple[int, dict]] = []
    skill_lines: dict[str, int] = {}
    for entry in entries:
        if not _check_keys(entry, _SKILL_KEYS, {"code", "name", "synonyms"}, "skill", problems, top):
            continue
        line = _line(entry, top)
        code = entry["code"]
        if not isinstance(code, str) or not _CODE_RE.match(code):
            problems.add(line, f"skill code {code!r} is not a lowercase slug")
            continue
        if code in skill_lines:
            problems.add(line, f"duplicate skill code {code!r} (first on line {skill_lines[code]})")
            continue
        skill_lines[code] = line
        skill_entries.append((line, entry))
    return skill_entries, skill_lines


def _read_skills(skill_entries: list[tuple[int, dict]], skill_lines: dict[str, int],
                 problems: _Problems) -> dict[str, Skill]:
    """Second pass: each skill's name, synonyms and related skills; labels must name one skill only."""
    skills: dict[str, Skill] = {}
    skill_labels = LabelIndex()
    for line, entry in skill_entries:
        code = entry["code"]
        bad = len(problems.items)
        if not isinstance(entry["name"], str) or not entry["name"].strip():
            problems.add(line, f"skill {code!r} has no name")
        if not _string_list(entry["synonyms"]):
            problems.add(line, f"skill {code!r}: 'synonyms' must be a list of non-empty strings")
        related = _related_weights(code, entry, line, skill_lines, problems)
        if len(problems.items) > bad:
            continue
        for text, method in ((code, "exact"), (entry["name"], "exact"),
                             *((s, "synonym") for s in entry["synonyms"])):
            other = skill_labels.add(text, code, method)
            if other is not None:
                problems.add(line, f"skill label {text!r} of {code!r} already names skill {other!r}"
                                   f" (line {skill_lines[other]})")
        skills[code] = Skill(code=code, name=entry["name"], synonyms=tuple(entry["synonyms"]),
                             related=MappingProxyType({k: float(v) for k, v in related.items()}))
    return skills


def _related_weights(code: str, entry: dict, line: int, skill_lines: dict[str, int],
                     problems: _Problems) -> dict[str, Any]:
    """A skill's ``related`` object (skill code -> weight), checked; ``{}`` when it is not an object."""
    related = entry.get("related", {})
    if not isinstance(related, dict):
        problems.add(line, f"skill {code!r}: 'related' must be an object of skill code -> weight")
        related = {}
    rel_line = _line(related, line)
    for other, weight in related.items():
        if other == code:
            problems.add(rel_line, f"skill {code!r} is related to itself")
        elif other not in skill_lines:
            problems.add(rel_line, f"skill {code!r}: related skill {other!r} is not in the taxonomy")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 < weight < 1:
            problems.add(rel_line, f"skill {code!r}: related weight for {other!r} must be between 0 and 1"
                                   f" (exclusive), got {weight!r}")
    return related


def _read_occupations(entries: list[Any], top: int, sectors: Mapping[str, str], skill_lines: Mapping[str, int],
                      problems: _Problems) -> dict[str, Occupation]:
    """Occupations, each checked against the sectors and skills; labels must name one occupation only."""
    occupations: dict[str, Occupation] = {}
    occupation_lines: dict[str, int] = {}
    occupation_labels = LabelIndex()
    for entry in entries:
        if not _check_keys(entry, _OCCUPATION_KEYS | _OPTIONAL_OCCUPATION_KEYS, _OCCUPATION_KEYS, "occupation",
                           problems, top):
            continue
        line = _line(entry, top)
        bad = len(problems.items)
        code = entry["code"]
        if not isinstance(code, str) or not _CODE_RE.match(code):
            problems.add(line, f"occupation code {code!r} is not a lowercase slug")
            continue
        if code in occupation_lines:
            problems.add(line, f"duplicate occupation code {code!r} (first on line {occupation_lines[code]})")
            continue
        _check_occupation_fields(code, entry, line, sectors, problems)
        core = _core_skills(code, entry, line, skill_lines, problems)
        if len(problems.items) > bad:
            continue
        nsqf = entry["nsqf_code"]
        labels = [(code, "exact"), (entry["name"], "exact")]
        if nsqf is not None:
            labels.append((nsqf, "exact"))
        labels.extend((s, "synonym") for s in entry["synonyms"])
        for text, method in labels:
            other = occupation_labels.add(text, code, method)
            if other is not None:
                problems.add(line, f"occupation label {text!r} of {code!r} already names occupation {other!r}"
                                   f" (line {occupation_lines[other]})")
        occupation_lines[code] = line
        occupations[code] = Occupation(code=code, name=entry["name"], nsqf_code=nsqf, sector=entry["sector"],
                                       skill_category=entry["skill_category"], core_skills=tuple(core),
                                       synonyms=tuple(entry["synonyms"]), trainer=entry.get("trainer", False))
    return occupations


def _check_occupation_fields(code: str, entry: dict, line: int, sectors: Mapping[str, str],
                             problems: _Problems) -> None:
    """An occupation's name, NSQF code, sector, skill category and synonyms."""
    if not isinstance(entry["name"], str) or not entry["name"].strip():
        problems.add(line, f"occupation {code!r} has no name")
    nsqf = entry["nsqf_code"]
    if nsqf is not None and (not isinstance(nsqf, str) or not _NSQF_RE.match(nsqf)):
        problems.add(line, f"occupation {code!r}: nsqf_code {nsqf!r} is not like 'AMH/Q0301' (or null)")
    if entry["sector"] not in sectors:
        problems.add(line, f"occupation {code!r}: unknown sector {entry['sector']!r}")
    if entry["skill_category"] not in SKILL_CATEGORIES:
        problems.add(line, f"occupation {code!r}: skill_category {entry['skill_category']!r} is not one of"
                           f" {', '.join(SKILL_CATEGORIES)}")
    if not _string_list(entry["synonyms"]):
        problems.add(line, f"occupation {code!r}: 'synonyms' must be a list of non-empty strings")
    if not isinstance(entry.get("trainer", False), bool):
        problems.add(line, f"occupation {code!r}: 'trainer' must be true or false")


def _core_skills(code: str, entry: dict, line: int, skill_lines: Mapping[str, int],
                 problems: _Problems) -> list[tuple[str, int]]:
    """An occupation's core skills as ``(skill code, level)``, checked."""
    core: list[tuple[str, int]] = []
    if not isinstance(entry["core_skills"], list) or not entry["core_skills"]:
        problems.add(line, f"occupation {code!r}: 'core_skills' must be a non-empty list")
        return core
    for item in entry["core_skills"]:
        item_line = _line(item, line)
        if not _check_keys(item, {"skill", "level"}, {"skill", "level"},
                           f"core skill of {code!r}", problems, line):
            continue
        skill, level = item["skill"], item["level"]
        if skill not in skill_lines:
            problems.add(item_line, f"occupation {code!r}: core skill {skill!r} is not in the taxonomy")
        elif any(skill == s for s, _ in core):
            problems.add(item_line, f"occupation {code!r}: core skill {skill!r} listed twice")
        if isinstance(level, bool) or level not in SKILL_LEVELS:
            problems.add(item_line, f"occupation {code!r}: level {level!r} of {skill!r} must be 1, 2 or 3")
        core.append((skill, level))
    return core
