"""Turning validated input into stored values: districts, coordinates, skills and occupations mapped onto
the site's reference data. The API and the bundle importer both go through here, so they agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from service.core.reference import Reference, UnknownSite


@dataclass
class Findings:
    """Problems (which stop a write) and warnings (which do not), each tied to a field."""

    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def error(self, column: str, reason: str) -> None:
        self.errors.append((column, reason))

    def warn(self, column: str, reason: str) -> None:
        self.warnings.append((column, reason))


def site(reference: Reference, values: dict[str, Any], findings: Findings, *, partner_org: str | None = None
         ) -> Reference:
    """Set the record's site: her partner's (the site whose training centres list it), else the one whose gazetteer
    names its district; returns that site's reference, which the record's other values are checked against."""
    found = reference.for_partner(partner_org)
    text = values.get("district")
    if found is None and text:
        try:
            found = reference.for_district(text)
        except UnknownSite as exc:
            findings.error("district", str(exc))
    chosen = found or reference
    values["site"] = chosen.code
    return chosen


def district(reference: Reference, text: str | None, findings: Findings, column: str = "district") -> str | None:
    """The gazetteer's name for a district as typed."""
    if text is None:
        return None
    found = reference.site.gazetteer.resolve(text)
    if found is None:
        if not any(e[0] == column and f"'{text}'" in e[1] for e in findings.errors):  # said once, by site()
            findings.error(column, f"unknown district '{text}' (not in the {reference.site.name} gazetteer)")
        return text
    return found.name


def districts(reference: Reference, names: list[str], findings: Findings, column: str) -> list[str]:
    return [district(reference, name, findings, column) or name for name in names]


def coordinates(reference: Reference, values: dict[str, Any], findings: Findings) -> None:
    """Both or neither of lat/lon; when neither, the district's centre from the gazetteer."""
    lat, lon = values.get("lat"), values.get("lon")
    if (lat is None) != (lon is None):
        findings.error("lat" if lat is None else "lon", "give both lat and lon, or neither")
        return
    if lat is None and values.get("district"):
        found = reference.site.gazetteer.resolve(values["district"])
        if found is not None:
            values["lat"], values["lon"] = found.lat, found.lon


def skills(reference: Reference, items: list[dict[str, Any]], findings: Findings, column: str) -> list[dict[str, Any]]:
    """Keep each label as typed and add the taxonomy code it maps to; unknown labels are warnings."""
    mapped = []
    for item in items:
        match = reference.skills.match(item["label"])
        if match.code is None:
            findings.warn(column, f"unknown skill '{item['label']}' kept as typed; it counts for nothing in matching")
        mapped.append({"label": item["label"], "level": item["level"], "skill": match.code})
    return mapped


def occupation(reference: Reference, text: str | None, findings: Findings, column: str = "occupation") -> str | None:
    """The taxonomy code of an occupation as typed; unknown is a warning."""
    if not text:
        return None
    match = reference.occupations.match(text)
    if match.code is None:
        findings.warn(column, f"unknown occupation '{text}'; kept as typed")
    return match.code


def sectors(reference: Reference, codes: list[str], findings: Findings, column: str) -> list[str]:
    for code in codes:
        if code not in reference.taxonomy.sectors:
            findings.warn(column, f"unknown sector '{code}'")
    return codes
