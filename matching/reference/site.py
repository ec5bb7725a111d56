"""A site (deployment region): ``site.json`` with its gazetteer and minimum-wage files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .gazetteer import Gazetteer, _load_gazetteer
from .loading import _CODE_RE, _line, _load_json_with_lines, _Problems, default_data_dir
from .wages import MinimumWageTable, load_minimum_wages

__all__ = ["Site", "available_sites", "load_site"]

_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")

@dataclass(frozen=True)
class Site:
    """One deployment region: its districts, wage law and money."""

    code: str
    name: str
    country: str
    currency: str
    currency_symbol: str
    timezone: str
    gazetteer: Gazetteer
    minimum_wages: MinimumWageTable


_SITE_KEYS = ("code", "name", "country", "currency", "currency_symbol", "timezone", "gazetteer", "minimum_wages")


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
    for key in sorted(set(doc) - set(_SITE_KEYS)):
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
    for key in ("gazetteer", "minimum_wages"):
        target = directory / doc[key]
        if Path(doc[key]).is_absolute() or ".." in Path(doc[key]).parts:
            problems.add(line, f"{key} {doc[key]!r} must be a file name inside the site folder")
        elif not target.is_file():
            problems.add(line, f"{key} file {doc[key]!r} not found in {directory}")
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
    return Site(code=doc["code"], name=doc["name"], country=doc["country"], currency=doc["currency"],
                currency_symbol=doc["currency_symbol"], timezone=doc["timezone"],
                gazetteer=gazetteer, minimum_wages=wages)


def available_sites(data_dir: Path | None = None) -> tuple[str, ...]:
    """Codes of the site folders (those holding a ``site.json``) under ``data_dir/sites``."""
    root = Path(data_dir if data_dir is not None else default_data_dir()) / "sites"
    if not root.is_dir():
        return ()
    return tuple(sorted(p.name for p in root.iterdir() if (p / "site.json").is_file()))
