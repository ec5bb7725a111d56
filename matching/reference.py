"""Reference data: a site's gazetteer and minimum-wage tables, and the skill taxonomy.

Every loader validates its file and raises :class:`ReferenceDataError` (a
``ValueError``) whose message names the file, the line and the problem, one
line per problem, so a bad data file is caught when the service starts.

The text normalisation used to look up district names and skill labels lives
here too (:func:`normalise_text`), so that the loaders reject two entries that
would be indistinguishable once normalised.
"""

from __future__ import annotations

import bisect
import csv
import datetime
import json
import json.decoder
import json.scanner
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

__all__ = [
    "AREA_TYPES",
    "SKILL_CATEGORIES",
    "SKILL_LEVELS",
    "District",
    "Gazetteer",
    "LabelIndex",
    "MinimumWage",
    "MinimumWageLookupError",
    "MinimumWageTable",
    "Occupation",
    "ReferenceDataError",
    "Site",
    "Skill",
    "Taxonomy",
    "available_sites",
    "compact_text",
    "default_data_dir",
    "load_gazetteer",
    "load_minimum_wages",
    "load_site",
    "load_taxonomy",
    "normalise_text",
]

#: Minimum-wage skill categories, lowest first.
SKILL_CATEGORIES: tuple[str, ...] = ("unskilled", "semi_skilled", "skilled", "highly_skilled")
#: Where a wage table has no row for a category, the category it falls back to.
CATEGORY_FALLBACK: Mapping[str, str] = MappingProxyType({"highly_skilled": "skilled"})
#: How built-up a district is.
AREA_TYPES: tuple[str, ...] = ("metro", "urban", "rural")
#: Skill levels: 1 basic, 2 working, 3 proficient.
SKILL_LEVELS: tuple[int, ...] = (1, 2, 3)

_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_ZONE_RE = re.compile(r"^[A-Za-z0-9]+$")
_NSQF_RE = re.compile(r"^[A-Z]{3}/Q\d{4}$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


def default_data_dir() -> Path:
    """The repository's ``data/`` directory, found relative to this package."""
    return Path(__file__).resolve().parent.parent / "data"


# --------------------------------------------------------------------------- errors


class ReferenceDataError(ValueError):
    """A reference data file is invalid.

    ``problems`` holds ``(path, line, message)`` triples; ``line`` is 1-based, or
    0 when the problem concerns the file as a whole.
    """

    def __init__(self, problems: Iterable[tuple[str, int, str]]):
        self.problems: tuple[tuple[str, int, str], ...] = tuple(problems)
        lines = [f"{path}:{line}: {message}" if line else f"{path}: {message}"
                 for path, line, message in self.problems]
        super().__init__("invalid reference data:\n" + "\n".join(lines) if len(lines) > 1
                         else "invalid reference data: " + (lines[0] if lines else "unknown problem"))


class _Problems:
    """Collects problems found in one file, to report them together."""

    def __init__(self, path: Path | str):
        self.path = str(path)
        self.items: list[tuple[str, int, str]] = []

    def add(self, line: int, message: str) -> None:
        self.items.append((self.path, line, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise ReferenceDataError(self.items)


# --------------------------------------------------------------------------- text normalisation

_DROP_CHARS = {"'", "\u2019", "\u2018", "`", "\u00b4"}


def _fold_plural(token: str) -> str:
    """Reduce a simple English plural to its singular ("bags" -> "bag")."""
    if len(token) <= 3 or not token.isascii() or not token.isalpha():
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith(("sses", "shes", "ches", "xes")):
        return token[:-2]
    if token.endswith(("ss", "us")):
        return token
    if token.endswith("s"):
        return token[:-1]
    return token


def _clean(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text).casefold()
    out: list[str] = []
    prev_latin = False
    for ch in text:
        if ch in _DROP_CHARS:
            continue
        if ch == "&":
            out.append(" and ")
            prev_latin = False
            continue
        cat = unicodedata.category(ch)
        if cat[0] == "M":
            # Accents on Latin letters are dropped ("é" -> "e"); vowel signs of
            # Indic scripts are part of the word and kept.
            if not prev_latin:
                out.append(ch)
            continue
        if cat[0] in "LN":
            out.append(ch)
            prev_latin = ch < "\u0250"
        else:
            out.append(" ")
            prev_latin = False
    return "".join(out).split()


def normalise_text(text: str) -> str:
    """Case-, accent-, punctuation-, spacing- and plural-insensitive form of a label.

    >>> normalise_text("  Jute-Bags & Beads ")
    'jute bag and bead'
    """
    return " ".join(_fold_plural(t) for t in _clean(text))


def compact_text(text: str) -> str:
    """The normalised label with no spaces and no plural folding ("N24 Pgs" -> "n24pgs")."""
    return "".join(_clean(text))


class LabelIndex:
    """Maps normalised labels to codes.

    Each label is indexed under its normalised form and, as a fallback, under its
    spaceless form; a spaceless form shared by two codes is dropped as ambiguous.
    A label registered with several methods keeps the first ("exact" before
    "synonym" when callers add names before synonyms).
    """

    def __init__(self) -> None:
        self._keys: dict[str, tuple[str, str]] = {}
        self._compact: dict[str, tuple[str, str] | None] = {}

    def add(self, text: str, code: str, method: str) -> str | None:
        """Index ``text`` for ``code``; returns the other code if the label is already taken."""
        key = normalise_text(text)
        if not key:
            return None
        existing = self._keys.get(key)
        if existing is not None and existing[0] != code:
            return existing[0]
        if existing is None:
            self._keys[key] = (code, method)
        compact = compact_text(text)
        if compact not in self._compact:
            self._compact[compact] = (code, method)
        elif self._compact[compact] is not None and self._compact[compact][0] != code:
            self._compact[compact] = None
        return None

    def lookup(self, text: str) -> tuple[str, str] | None:
        """``(code, method)`` for a label, or None."""
        hit = self._keys.get(normalise_text(text))
        if hit is not None:
            return hit
        return self._compact.get(compact_text(text))

    def keys(self) -> Mapping[str, tuple[str, str]]:
        """Normalised label -> ``(code, method)``."""
        return MappingProxyType(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


# --------------------------------------------------------------------------- JSON with line numbers


class _LineDict(dict):
    """A JSON object that remembers the line its opening brace is on."""

    line: int = 0


def _load_json_with_lines(path: Path, problems: _Problems) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        problems.add(0, f"cannot read file: {exc}")
        problems.raise_if_any()
        raise AssertionError("unreachable")  # pragma: no cover
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    decoder = json.JSONDecoder()

    def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):
        s, end = s_and_end
        obj, new_end = json.decoder.JSONObject(s_and_end, strict, scan_once, object_hook,
                                               object_pairs_hook, memo)
        result = _LineDict(obj)
        result.line = bisect.bisect_right(line_starts, end - 1)
        return result, new_end

    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as exc:
        problems.add(exc.lineno, f"not valid JSON: {exc.msg} (column {exc.colno})")
        problems.raise_if_any()
        raise AssertionError("unreachable")  # pragma: no cover


def _line(obj: Any, default: int = 0) -> int:
    return getattr(obj, "line", default)


def _read_csv(path: Path, required: tuple[str, ...], problems: _Problems) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file as ``(line, row)``; problems with the header or row shape are recorded."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        problems.add(0, f"cannot read file: {exc}")
        problems.raise_if_any()
        raise AssertionError("unreachable")  # pragma: no cover
    rows: list[tuple[int, dict[str, str]]] = []
    with handle:
        reader = csv.reader(handle)
        header: list[str] | None = None
        previous_end = 0
        try:
            for record in reader:
                line = previous_end + 1
                previous_end = reader.line_num
                if not any(cell.strip() for cell in record):
                    continue
                if header is None:
                    header = [h.strip() for h in record]
                    missing = [c for c in required if c not in header]
                    if missing:
                        problems.add(line, f"missing column(s): {', '.join(missing)}"
                                           f" (expected {','.join(required)})")
                        problems.raise_if_any()
                    continue
                if len(record) != len(header):
                    problems.add(line, f"{len(record)} fields, expected {len(header)} ({','.join(header)})")
                    continue
                rows.append((line, {k: v.strip() for k, v in zip(header, record)}))
        except csv.Error as exc:
            problems.add(reader.line_num, f"not valid CSV: {exc}")
    if header is None:
        problems.add(0, "empty file: no header row")
    elif not rows and not problems.items:
        problems.add(0, "no data rows")
    return rows


# --------------------------------------------------------------------------- gazetteer

_DISTRICT_FILLER = {"district", "dist", "distt", "zila", "zilla", "jela", "jila"}


@dataclass(frozen=True)
class District:
    """A district: ``lat``/``lon`` are those of its headquarters town (WGS 84)."""

    code: str
    name: str
    headquarters: str
    lat: float
    lon: float
    zone: str
    area_type: str
    aliases: tuple[str, ...] = ()


class Gazetteer:
    """The districts of a site, resolvable by code, name or alias."""

    def __init__(self, districts: Iterable[District]):
        self.districts: tuple[District, ...] = tuple(districts)
        self._by_code: dict[str, District] = {}
        self._index = LabelIndex()
        for district in self.districts:
            if district.code in self._by_code:
                raise ValueError(f"duplicate district code {district.code!r}")
            self._by_code[district.code] = district
            for text in (district.code, district.name, *district.aliases):
                other = self._index.add(text, district.code, "exact")
                if other is not None:
                    raise ValueError(f"district label {text!r} of {district.code!r} is also a label of {other!r}")

    def resolve(self, text: str) -> District | None:
        """The district named by ``text`` (code, name or alias; case, spacing and punctuation ignored)."""
        if not isinstance(text, str) or not text.strip():
            return None
        hit = self._index.lookup(text)
        if hit is None:
            words = [w for w in normalise_text(text).split() if w not in _DISTRICT_FILLER]
            if words:
                hit = self._index.lookup(" ".join(words))
        return self._by_code[hit[0]] if hit else None

    def get(self, code_or_name: str) -> District:
        """Like :meth:`resolve`, but raises ``KeyError`` for an unknown district."""
        district = self.resolve(code_or_name)
        if district is None:
            raise KeyError(f"unknown district {code_or_name!r}")
        return district

    def codes(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.districts)

    def zones(self) -> tuple[str, ...]:
        return tuple(sorted({d.zone for d in self.districts}))

    def nearest(self, lat: float, lon: float) -> District:
        """The district whose headquarters is closest (great-circle) to a point."""
        if not self.districts:
            raise KeyError("empty gazetteer")
        lat1, lon1 = math.radians(lat), math.radians(lon)

        def distance(d: District) -> float:
            lat2, lon2 = math.radians(d.lat), math.radians(d.lon)
            h = (math.sin((lat2 - lat1) / 2) ** 2
                 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
            return 2 * math.asin(min(1.0, math.sqrt(h)))

        return min(self.districts, key=distance)

    def __len__(self) -> int:
        return len(self.districts)

    def __iter__(self) -> Iterator[District]:
        return iter(self.districts)

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and self.resolve(text) is not None

    def __repr__(self) -> str:
        return f"Gazetteer({len(self.districts)} districts)"


_GAZETTEER_COLUMNS = ("code", "name", "aliases", "headquarters", "lat", "lon", "zone", "area_type")


def _parse_float(value: str, low: float, high: float) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    if not math.isfinite(number) or not low <= number <= high:
        return None
    return number


def _load_gazetteer(path: Path) -> tuple[Gazetteer, dict[str, int]]:
    problems = _Problems(path)
    rows = _read_csv(path, _GAZETTEER_COLUMNS, problems)
    districts: list[District] = []
    lines: dict[str, int] = {}
    index = LabelIndex()
    for line, row in rows:
        bad = len(problems.items)
        code = row["code"]
        if not _CODE_RE.match(code):
            problems.add(line, f"code {code!r} is not a lowercase slug (a-z, 0-9, _)")
        elif code in lines:
            problems.add(line, f"duplicate district code {code!r} (first on line {lines[code]})")
        for column in ("name", "headquarters"):
            if not row[column]:
                problems.add(line, f"{column} is empty")
        lat = _parse_float(row["lat"], -90.0, 90.0)
        if lat is None:
            problems.add(line, f"lat {row['lat']!r} is not a number between -90 and 90")
        lon = _parse_float(row["lon"], -180.0, 180.0)
        if lon is None:
            problems.add(line, f"lon {row['lon']!r} is not a number between -180 and 180")
        if not _ZONE_RE.match(row["zone"]):
            problems.add(line, f"zone {row['zone']!r} is not a zone label (letters or digits)")
        if row["area_type"] not in AREA_TYPES:
            problems.add(line, f"area_type {row['area_type']!r} is not one of {', '.join(AREA_TYPES)}")
        aliases = tuple(a.strip() for a in row["aliases"].split(";") if a.strip())
        if len(problems.items) > bad:
            continue
        for text in (code, row["name"], *aliases):
            other = index.add(text, code, "exact")
            if other is not None:
                problems.add(line, f"label {text!r} of {code!r} already names district {other!r}"
                                   f" (line {lines[other]})")
        lines[code] = line
        districts.append(District(code=code, name=row["name"], headquarters=row["headquarters"],
                                  lat=lat, lon=lon, zone=row["zone"],  # type: ignore[arg-type]
                                  area_type=row["area_type"], aliases=aliases))
    problems.raise_if_any()
    return Gazetteer(districts), lines


def load_gazetteer(path: Path) -> Gazetteer:
    """Load and validate a gazetteer CSV (see ``data/README.md`` for its columns)."""
    return _load_gazetteer(Path(path))[0]


# --------------------------------------------------------------------------- minimum wages


class MinimumWageLookupError(KeyError, ValueError):
    """No minimum wage is known for the category, zone or date asked for.

    Both a ``KeyError`` and a ``ValueError``, so callers may catch either.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class MinimumWage:
    """One row of a minimum-wage table."""

    effective_from: datetime.date
    notification: str
    skill_category: str
    zone: str
    monthly_wage_inr: int


class MinimumWageTable:
    """Minimum monthly wages by skill category and zone, in tables that replace each other by date.

    The table in force on a date is the one with the latest ``effective_from``
    on or before it. A category a table has no row for falls back along
    :data:`CATEGORY_FALLBACK` (``highly_skilled`` -> ``skilled``).
    """

    def __init__(self, rates: Iterable[MinimumWage], *, source: str = "minimum-wage table"):
        self.source = source
        tables: dict[datetime.date, dict[tuple[str, str], MinimumWage]] = {}
        for rate in rates:
            table = tables.setdefault(rate.effective_from, {})
            key = (rate.skill_category, rate.zone)
            if key in table:
                raise ValueError(f"duplicate minimum wage for {key} from {rate.effective_from}")
            table[key] = rate
        self._dates: tuple[datetime.date, ...] = tuple(sorted(tables))
        self._tables = tables

    def effective_dates(self) -> tuple[datetime.date, ...]:
        return self._dates

    def categories(self) -> tuple[str, ...]:
        """The skill categories any table has rows for, lowest first."""
        present = {c for table in self._tables.values() for c, _ in table}
        return tuple(c for c in SKILL_CATEGORIES if c in present)

    def zones(self) -> tuple[str, ...]:
        return tuple(sorted({z for table in self._tables.values() for _, z in table}))

    def rate(self, *, skill_category: str, zone: str, on: datetime.date) -> MinimumWage:
        """The row in force on ``on`` for a category and zone."""
        if isinstance(on, datetime.datetime):
            on = on.date()
        if skill_category not in SKILL_CATEGORIES:
            raise MinimumWageLookupError(
                f"unknown skill category {skill_category!r}; expected one of {', '.join(SKILL_CATEGORIES)}")
        position = bisect.bisect_right(self._dates, on)
        if position == 0:
            first = self._dates[0].isoformat() if self._dates else "never"
            raise MinimumWageLookupError(
                f"no minimum-wage table is in force on {on.isoformat()} in {self.source}:"
                f" the earliest takes effect on {first}")
        effective = self._dates[position - 1]
        table = self._tables[effective]
        category: str | None = skill_category
        while category is not None:
            rate = table.get((category, zone))
            if rate is not None:
                return rate
            if any(c == category for c, _ in table):
                break
            category = CATEGORY_FALLBACK.get(category)
        zones = sorted({z for _, z in table})
        raise MinimumWageLookupError(
            f"no minimum wage for skill category {skill_category!r} in zone {zone!r} in the table"
            f" effective {effective.isoformat()} of {self.source} (zones: {', '.join(zones)})")

    def minimum(self, *, skill_category: str, zone: str, on: datetime.date) -> int:
        """The minimum monthly wage in force on ``on`` for a category and zone."""
        return self.rate(skill_category=skill_category, zone=zone, on=on).monthly_wage_inr

    def __repr__(self) -> str:
        return f"MinimumWageTable({len(self._dates)} tables from {self.source})"


_WAGE_COLUMNS = ("effective_from", "notification", "skill_category", "zone", "monthly_wage_inr")


def load_minimum_wages(path: Path) -> MinimumWageTable:
    """Load and validate a minimum-wage CSV (see ``data/README.md`` for its columns)."""
    path = Path(path)
    problems = _Problems(path)
    rows = _read_csv(path, _WAGE_COLUMNS, problems)
    rates: list[MinimumWage] = []
    seen: dict[tuple[datetime.date, str, str], int] = {}
    first_line: dict[datetime.date, int] = {}
    for line, row in rows:
        bad = len(problems.items)
        try:
            effective = datetime.date.fromisoformat(row["effective_from"])
        except ValueError:
            problems.add(line, f"effective_from {row['effective_from']!r} is not an ISO date (YYYY-MM-DD)")
            effective = None
        if not row["notification"]:
            problems.add(line, "notification is empty")
        category = row["skill_category"]
        if category not in SKILL_CATEGORIES:
            problems.add(line, f"skill_category {category!r} is not one of {', '.join(SKILL_CATEGORIES)}")
        zone = row["zone"]
        if not _ZONE_RE.match(zone):
            problems.add(line, f"zone {zone!r} is not a zone label (letters or digits)")
        wage_text = row["monthly_wage_inr"]
        if not wage_text.isdigit() or int(wage_text) <= 0:
            problems.add(line, f"monthly_wage_inr {wage_text!r} is not a positive whole number")
        if len(problems.items) > bad or effective is None:
            continue
        key = (effective, category, zone)
        if key in seen:
            problems.add(line, f"duplicate row for {category}/{zone} from {effective} (first on line {seen[key]})")
            continue
        seen[key] = line
        first_line.setdefault(effective, line)
        rates.append(MinimumWage(effective_from=effective, notification=row["notification"],
                                 skill_category=category, zone=zone, monthly_wage_inr=int(wage_text)))
    # Each table must cover every category it names in every zone it names.
    by_date: dict[datetime.date, set[tuple[str, str]]] = {}
    for rate in rates:
        by_date.setdefault(rate.effective_from, set()).add((rate.skill_category, rate.zone))
    for effective, keys in sorted(by_date.items()):
        categories = {c for c, _ in keys}
        zones = {z for _, z in keys}
        missing = sorted(f"{c}/{z}" for c in categories for z in zones if (c, z) not in keys)
        if missing:
            problems.add(first_line[effective],
                         f"table effective {effective} has no row for {', '.join(missing)}")
    problems.raise_if_any()
    return MinimumWageTable(rates, source=str(path))


# --------------------------------------------------------------------------- site


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


# --------------------------------------------------------------------------- taxonomy


@dataclass(frozen=True)
class Occupation:
    code: str
    name: str
    nsqf_code: str | None
    sector: str
    skill_category: str
    core_skills: tuple[tuple[str, int], ...]
    synonyms: tuple[str, ...]

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
        """Read-only ``(n, n)`` array: ``[i, j]`` is the credit skill ``i`` earns towards skill ``j`` (1 on the diagonal)."""
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

    # Sectors
    sectors: dict[str, str] = {}
    sector_lines: dict[str, int] = {}
    for entry in doc["sectors"]:
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

    # Skills: first pass collects codes so that "related" may point forwards.
    skill_entries: list[tuple[int, dict]] = []
    skill_lines: dict[str, int] = {}
    for entry in doc["skills"]:
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

    skills: dict[str, Skill] = {}
    skill_labels = LabelIndex()
    for line, entry in skill_entries:
        code = entry["code"]
        bad = len(problems.items)
        if not isinstance(entry["name"], str) or not entry["name"].strip():
            problems.add(line, f"skill {code!r} has no name")
        if not _string_list(entry["synonyms"]):
            problems.add(line, f"skill {code!r}: 'synonyms' must be a list of non-empty strings")
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

    # Occupations
    occupations: dict[str, Occupation] = {}
    occupation_lines: dict[str, int] = {}
    occupation_labels = LabelIndex()
    for entry in doc["occupations"]:
        if not _check_keys(entry, _OCCUPATION_KEYS, _OCCUPATION_KEYS, "occupation", problems, top):
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
        core: list[tuple[str, int]] = []
        if not isinstance(entry["core_skills"], list) or not entry["core_skills"]:
            problems.add(line, f"occupation {code!r}: 'core_skills' must be a non-empty list")
        else:
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
        if len(problems.items) > bad:
            continue
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
                                       synonyms=tuple(entry["synonyms"]))
    problems.raise_if_any()
    return Taxonomy(sectors=sectors, occupations=occupations, skills=skills,
                    version=doc["version"], source=doc.get("source", ""))
