"""Openings: how input maps onto the reference data, and which filters coordinators and employers use."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import or_

from service.core.models import Code, Day, ExternalId, Instant, ShortText
from service.core import prepare as prep
from service.core.resource import Resource
from service.employers.models import Employer
from service.openings.models import Opening, OpeningCreate, OpeningPublic, OpeningsPublic, OpeningStatus, OpeningUpdate
from service.core.reference import Reference


class OpeningFilters(BaseModel):
    status: OpeningStatus | None = None
    district: Code | None = None
    sector: Code | None = None
    occupation: ShortText | None = None
    employer_external_id: ExternalId | None = None
    open_as_of: Day | None = None
    updated_since: Instant | None = None


def prepare(*, values: dict[str, Any], reference: Reference) -> tuple[dict[str, Any], prep.Findings]:
    """Map an opening's district, coordinates, occupation and required skills onto the reference data."""
    findings = prep.Findings()
    values = dict(values)
    values["district"] = prep.district(reference, values["district"], findings)
    prep.coordinates(reference, values, findings)
    values["occupation_code"] = prep.occupation(reference, values["occupation"], findings)
    if not values.get("sector") and values["occupation_code"]:
        values["sector"] = reference.taxonomy.occupations[values["occupation_code"]].sector
    if values.get("sector"):
        prep.sectors(reference, [values["sector"]], findings, "sector")
    values["required_skills"] = prep.skills(reference, values["required_skills"], findings, "required_skills")
    if values.get("posted_on") and values.get("closes_on") and values["closes_on"] < values["posted_on"]:
        findings.error("closes_on", "closes before it was posted")
    return values, findings


def conditions(filters: OpeningFilters) -> list[Any]:
    """SQL conditions for the list filters; an occupation matches the code or the text as given."""
    found: list[Any] = []
    for name in ("status", "district", "sector", "employer_external_id"):
        value = getattr(filters, name)
        if value is not None:
            found.append(getattr(Opening, name) == value)
    if filters.occupation:
        found.append(or_(Opening.occupation_code == filters.occupation, Opening.occupation == filters.occupation))
    if filters.open_as_of:
        day = filters.open_as_of
        found += [Opening.status == "open", or_(Opening.posted_on.is_(None), Opening.posted_on <= day),
                  or_(Opening.closes_on.is_(None), Opening.closes_on >= day), Opening.positions > 0]
    if filters.updated_since:
        found.append(Opening.updated_at >= filters.updated_since)
    return found


RESOURCE = Resource(label="opening", path="/openings", table=Opening, create=OpeningCreate, update=OpeningUpdate,
                    public=OpeningPublic, page=OpeningsPublic, filters=OpeningFilters, conditions=conditions,
                    prepare=prepare, references={"employer_external_id": Employer})
