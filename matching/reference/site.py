"""A site (deployment region): ``site.json`` with its gazetteer, minimum-wage and optional files."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .gazetteer import Gazetteer, _load_gazetteer, _parse_float
from .loading import _CODE_RE, _line, _load_json_with_lines, _Problems, _read_csv, default_data_dir
from .normalise import LabelIndex
from .wages import MinimumWageTable, load_minimum_wages

if TYPE_CHECKING:
    from .taxonomy import Taxonomy

__all__ = ["QualificationPolicy", "Site", "SkillLabel", "TrainingCentre", "available_sites", "load_site"]

_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class QualificationPolicy:
    """When a woman counts as qualified for an opening (the programme's ``qualification`` in ``site.json``).

    She is qualified when she holds at least ``share_of_required`` of the opening's required skills at no
    more than ``levels_below`` levels below the level asked (and at level 1 at least: a skill she lacks is
    never "one level below" a level-1 requirement), and every skill the opening marks essential at no more
    than ``essential_levels_below`` below it. A pair that is not qualified but would be after she gains at
    most ``short_course_levels`` skill levels in all is a near miss: one short course away.
    """

    share_of_required: float = 0.5
    levels_below: int = 1
    essential_levels_below: int = 0
    short_course_levels: int = 2


@dataclass(frozen=True)
class TrainingCentre:
    """Where a field partner trains its women: the district (gazetteer name) and the point."""

    partner_org: str
    district: str
    lat: float
    lon: float


@dataclass(frozen=True)
class SkillLabel:
    """A skill's or occupation's label in one of the site's languages, with its Latin transliteration."""

    code: str
    language: str
    label: str
    transliteration: str


@dataclass(frozen=True)
class Site:
    """One deployment region: its districts, wage law and money, and the programme's qualification policy."""

    code: str
    name: str
    country: str
    currency: str
    currency_symbol: str
    timezone: str
    gazetteer: Gazetteer
    minimum_wages: MinimumWageTable
    qualification: QualificationPolicy = field(default_factory=QualificationPolicy)
    #: Each field partner's training centre by partner code (``training_centres`` in ``site.json``; optional).
    #: A partner belongs to the site whose file lists it.
    training_centres: dict[str, TrainingCentre] = field(default_factory=dict, compare=False)
    #: The languages its trainees speak and its pages may be read in (BCP 47 codes; ``languages``, optional).
    languages: tuple[str, ...] = ("en",)
    #: Whether a woman of this site who is willing to relocate may be matched to another site's openings (and
    #: this site's openings to another site's women), when that site allows it too (``relocation_across_sites``).
    relocation_across_sites: bool = False
    #: Labels of skills and occupations in the site's languages (``skill_labels``, optional). An import of this
    #: site may write a skill by its label or its transliteration; pages may show the label.
    skill_labels: tuple[SkillLabel, ...] = field(default=(), compare=False, repr=False)

    def labels_for(self, code: str, language: str | None = None) -> tuple[SkillLabel, ...]:
        """The site's labels of a skill or occupation code (in one language, when given)."""
        return tuple(label for label in self.skill_labels
                     if label.code == code and (language is None or label.language == language))


_SITE_KEYS = ("code", "name", "country", "currency", "currency_symbol", "timezone", "gazetteer", "minimum_wages")
_OPTIONAL_KEYS = ("qualification", "training_centres", "languages", "relocation_across_sites", "skill_labels")
#: Optional files named in ``site.json``, beside the two required ones.
_OPTIONAL_FILES = ("training_centres", "skill_labels")
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_CENTRE_COLUMNS = ("partner_org", "district", "lat", "lon", "note")
_LABEL_COLUMNS = ("code", "language", "label", "transliteration")
#: ``qualification`` keys: (lowest, highest) allowed, and whether the value is a whole number.
_QUALIFICATION_RANGES: dict[str, tuple[float, float, bool]] = {
    "share_of_required": (0.0, 1.0, False), "levels_below": (0, 2, True), "essential_levels_below": (0, 2, True),
    "short_course_levels": (0, 9, True)}


def _qualification(value: Any, line: int, problems: _Problems) -> QualificationPolicy:
    """The ``qualification`` object, each key checked; the defaults for keys left out."""
    if not isinstance(value, dict):
        problems.add(line, "'qualification' must be an object")
        return QualificationPolicy()
    line = _line(value, line)
    found: dict[str, Any] = {}
    for key in sorted(set(value) - set(_QUALIFICATION_RANGES)):
        problems.add(line, f"qualification: unknown key {key!r} (expected {', '.join(_QUALIFICATION_RANGES)})")
    for key, (low, high, whole) in _QUALIFICATION_RANGES.items():
        if key not in value:
            continue
        number = value[key]
        is_number = isinstance(number, int | float) and not isinstance(number, bool) and math.isfinite(number)
        if not is_number or (whole and number != int(number)) or not low <= number <= high:
            kind = "a whole number" if whole else "a number"
            problems.add(line, f"qualification: {key} must be {kind} from {low:g} to {high:g}, got {number!r}")
        elif key == "share_of_required" and number == 0:
            problems.add(line, "qualification: share_of_required must be above 0 (0 would let anyone qualify)")
        else:
            found[key] = int(number) if whole else float(number)
    return QualificationPolicy(**found)


def _timezone_known(name: str) -> bool | None:
    """Whether the IANA zone exists; None where this machine has no zone database."""
    try:
        import zoneinfo
    except ImportError:  # pragma: no cover
        return None
    try:
        zoneinfo.ZoneInfo(name)
        return True
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False if zoneinfo.available_timezones() else None


def load_site(directory: Path, *, taxonomy: Taxonomy | None = None) -> Site:
    """Load ``site.json`` and the files it names from a site folder.

    With ``taxonomy``, the sectors of the wage file and the codes of the skill labels are checked against it
    (and a label that would name two entries is refused).
    """
    directory = Path(directory)
    path = directory / "site.json"
    problems = _Problems(path)
    doc = _load_json_with_lines(path, problems)
    if not isinstance(doc, dict):
        problems.add(1, "expected a JSON object")
        problems.raise_if_any()
    line = _line(doc, 1)
    for key in _SITE_KEYS:
        if not isinstance(doc.get(key), str) or not doc[key].strip():
            problems.add(line, f"{key!r} must be a non-empty string")
    for key in sorted(set(doc) - set(_SITE_KEYS) - set(_OPTIONAL_KEYS)):
        problems.add(line, f"unknown key {key!r}")
    problems.raise_if_any()
    if not _CODE_RE.match(doc["code"]):
        problems.add(line, f"code {doc['code']!r} is not a lowercase slug")
    elif doc["code"] != directory.name:
        problems.add(line, f"code {doc['code']!r} does not match the folder name {directory.name!r}")
    if not _COUNTRY_RE.match(doc["country"]):
        problems.add(line, f"country {doc['country']!r} is not an ISO 3166-1 alpha-2 code")
    if not _CURRENCY_RE.match(doc["currency"]):
        problems.add(line, f"currency {doc['currency']!r} is not an ISO 4217 code")
    if _timezone_known(doc["timezone"]) is False:
        problems.add(line, f"timezone {doc['timezone']!r} is not an IANA time zone")
    files = ("gazetteer", "minimum_wages", *(key for key in _OPTIONAL_FILES if key in doc))
    for key in files:
        if not isinstance(doc.get(key), str) or not doc[key].strip():
            continue  # reported above for the required files
        target = directory / doc[key]
        if Path(doc[key]).is_absolute() or ".." in Path(doc[key]).parts:
            problems.add(line, f"{key} {doc[key]!r} must be a file name inside the site folder")
        elif not target.is_file():
            problems.add(line, f"{key} file {doc[key]!r} not found in {directory}")
    qualification = _qualification(doc.get("qualification", {}), line, problems)
    languages = doc.get("languages", ["en"])
    if (not isinstance(languages, list) or not languages
            or not all(isinstance(code, str) and _LANGUAGE_RE.match(code) for code in languages)):
        problems.add(line, f"languages must be a non-empty list of BCP 47 codes such as \"bn\", got {languages!r}")
    relocation = doc.get("relocation_across_sites", False)
    if not isinstance(relocation, bool):
        problems.add(line, f"relocation_across_sites must be true or false, got {relocation!r}")
    problems.raise_if_any()

    gazetteer_path = directory / doc["gazetteer"]
    gazetteer, district_lines = _load_gazetteer(gazetteer_path)
    wages = load_minimum_wages(directory / doc["minimum_wages"], currency=doc["currency"])
    if taxonomy is not None:
        _check_wage_sectors(directory / doc["minimum_wages"], wages, taxonomy)
    wage_zones = set(wages.zones())
    zone_problems = _Problems(gazetteer_path)
    for district in gazetteer.districts:
        if district.zone not in wage_zones:
            zone_problems.add(district_lines[district.code],
                              f"unknown zone {district.zone!r} for {district.code!r}: "
                              f"{doc['minimum_wages']} has zones {', '.join(sorted(wage_zones))}")
    zone_problems.raise_if_any()
    centres = (_load_training_centres(directory / doc["training_centres"], gazetteer)
               if isinstance(doc.get("training_centres"), str) else {})
    labels = (_load_skill_labels(directory / doc["skill_labels"], tuple(languages), taxonomy)
              if isinstance(doc.get("skill_labels"), str) else ())
    return Site(code=doc["code"], name=doc["name"], country=doc["country"], currency=doc["currency"],
                currency_symbol=doc["currency_symbol"], timezone=doc["timezone"],
                gazetteer=gazetteer, minimum_wages=wages, qualification=qualification, training_centres=centres,
                languages=tuple(languages), relocation_across_sites=relocation, skill_labels=labels)


def _check_wage_sectors(path: Path, wages: MinimumWageTable, taxonomy: Taxonomy) -> None:
    """Every sector a wage row names is a taxonomy sector."""
    problems = _Problems(path)
    for sector in wages.sectors():
        if sector not in taxonomy.sectors:
            problems.add(wages.sector_lines.get(sector, 0),
                         f"sector {sector!r} is not a taxonomy sector ({', '.join(taxonomy.sectors)})")
    problems.raise_if_any()


def _load_skill_labels(path: Path, languages: tuple[str, ...], taxonomy: Taxonomy | None) -> tuple[SkillLabel, ...]:
    """The site's labels of skills and occupations: a known code and language, one label per code and language,
    and (with the taxonomy) no label or transliteration that already names another entry."""
    problems = _Problems(path)
    labels: list[SkillLabel] = []
    lines: dict[tuple[str, str], int] = {}
    indexes = {"skill": LabelIndex(), "occupation": LabelIndex()}
    if taxonomy is not None:
        for skill in taxonomy.skills.values():
            for text in (skill.code, skill.name, *skill.synonyms):
                indexes["skill"].add(text, skill.code, "exact")
        for occupation in taxonomy.occupations.values():
            for text in (occupation.code, occupation.name, *occupation.synonyms):
                indexes["occupation"].add(text, occupation.code, "exact")
    for line, row in _read_csv(path, _LABEL_COLUMNS, problems):
        code, language, label = row["code"], row["language"], row["label"]
        bad = len(problems.items)
        if not _CODE_RE.match(code):
            problems.add(line, f"code {code!r} is not a skill or occupation code")
        elif taxonomy is not None and code not in taxonomy.skills and code not in taxonomy.occupations:
            problems.add(line, f"code {code!r} is neither a skill nor an occupation of the taxonomy")
        if language not in languages:
            problems.add(line, f"language {language!r} is not one of the site's languages ({', '.join(languages)})")
        if not label:
            problems.add(line, "label is empty")
        if (code, language) in lines:
            problems.add(line, f"{code!r} already has a {language!r} label (line {lines[(code, language)]})")
        if len(problems.items) > bad:
            continue
        lines[(code, language)] = line
        if taxonomy is not None:
            kind = "skill" if code in taxonomy.skills else "occupation"
            for text in (label, row["transliteration"]):
                other = indexes[kind].add(text, code, "exact") if text else None
                if other is not None:
                    problems.add(line, f"{text!r} of {code!r} already names the {kind} {other!r}")
        labels.append(SkillLabel(code=code, language=language, label=label, transliteration=row["transliteration"]))
    problems.raise_if_any()
    return tuple(labels)


def _load_training_centres(path: Path, gazetteer: Gazetteer) -> dict[str, TrainingCentre]:
    """Each partner's training centre: a known district, and a point (the district's centre when left empty)."""
    problems = _Problems(path)
    centres: dict[str, TrainingCentre] = {}
    lines: dict[str, int] = {}
    for line, row in _read_csv(path, _CENTRE_COLUMNS, problems):
        partner = row["partner_org"]
        if not partner:
            problems.add(line, "partner_org is empty")
            continue
        if partner in lines:
            problems.add(line, f"duplicate partner_org {partner!r} (first on line {lines[partner]})")
            continue
        district = gazetteer.resolve(row["district"])
        if district is None:
            problems.add(line, f"unknown district {row['district']!r}")
            continue
        lat, lon = district.lat, district.lon
        if row["lat"] or row["lon"]:
            lat_found, lon_found = _parse_float(row["lat"], -90.0, 90.0), _parse_float(row["lon"], -180.0, 180.0)
            if lat_found is None or lon_found is None:
                problems.add(line, f"lat/lon {row['lat']!r}, {row['lon']!r} are not a point (give both or neither)")
                continue
            lat, lon = lat_found, lon_found
        lines[partner] = line
        centres[partner] = TrainingCentre(partner_org=partner, district=district.name, lat=lat, lon=lon)
    problems.raise_if_any()
    return centres


def available_sites(data_dir: Path | None = None) -> tuple[str, ...]:
    """Codes of the site folders (those holding a ``site.json``) under ``data_dir/sites``."""
    root = Path(data_dir if data_dir is not None else default_data_dir()) / "sites"
    if not root.is_dir():
        return ()
    return tuple(sorted(p.name for p in root.iterdir() if (p / "site.json").is_file()))
