"""A site's gazetteer: its districts, resolvable by code, name or alias, with their zone and area type."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..geo import haversine_km_scalar
from .loading import _CODE_RE, _ZONE_RE, _Problems, _read_csv
from .normalise import LabelIndex, normalise_text

__all__ = ["AREA_TYPES", "District", "Gazetteer", "load_gazetteer"]

#: How built-up a district is.
AREA_TYPES: tuple[str, ...] = ("metro", "urban", "rural")

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
        return min(self.districts, key=lambda d: haversine_km_scalar(lat, lon, d.lat, d.lon))

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
        if len(problems.items) > bad or lat is None or lon is None:  # (no lat or lon is a problem already)
            continue
        for text in (code, row["name"], *aliases):
            other = index.add(text, code, "exact")
            if other is not None:
                problems.add(line, f"label {text!r} of {code!r} already names district {other!r}"
                                   f" (line {lines[other]})")
        lines[code] = line
        districts.append(District(code=code, name=row["name"], headquarters=row["headquarters"],
                                  lat=lat, lon=lon, zone=row["zone"],
                                  area_type=row["area_type"], aliases=aliases))
    problems.raise_if_any()
    return Gazetteer(districts), lines


def load_gazetteer(path: Path) -> Gazetteer:
    """Load and validate a gazetteer CSV (see ``data/README.md`` for its columns)."""
    return _load_gazetteer(Path(path))[0]
