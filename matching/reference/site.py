"""A site (deployment region): ``site.json`` with its gazetteer and minimum-wage files."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .gazetteer import Gazetteer, _load_gazetteer, _parse_float
from .loading import _CODE_RE, _line, _load_json_with_lines, _Problems, _read_csv, default_data_dir
from .wages import MinimumWageTable, load_minimum_wages

__all__ = ["QualificationPolicy", "Site", "TrainingCentre", "available_sites", "load_site"]

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


_SITE_KEYS = ("code", "name", "country", "currency", "currency_symbol", "timezone", "gazetteer", "minimum_wages")
_OPTIONAL_KEYS = ("qualification", "training_centres", "languages", "relocation_across_sites")
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_CENTRE_COLUMNS = ("partner_org", "district", "lat", "lon", "note")
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


def load_site(directory: Path) -> Site:
    """Load ``site.json`` and the gazetteer and wage files it names from a site folder."""
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
    files = ("gazetteer", "minimum_wages", *(("training_centres",) if "training_centres" in doc else ()))
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
    wages = load_minimum_wages(directory / doc["minimum_wages"])
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
    return Site(code=doc["code"], name=doc["name"], country=doc["country"], currency=doc["currency"],
                currency_symbol=doc["currency_symbol"], timezone=doc["timezone"],
                gazetteer=gazetteer, minimum_wages=wages, qualification=qualification, training_centres=centres,
                languages=tuple(languages), relocation_across_sites=relocation)


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
