"""Employer records: how input maps onto the reference data, and which filters coordinators use."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from service.core.models import Code, Instant
from service.core import prepare as prep
from service.core.resource import Resource
from service.employers.models import Employer, EmployerCreate, EmployerPublic, EmployersPublic, EmployerUpdate
from service.core.reference import Reference


class EmployerFilters(BaseModel):
    sector: Code | None = None
    district: Code | None = None
    vetted: bool | None = None
    updated_since: Instant | None = None


def prepare(*, values: dict[str, Any], reference: Reference) -> tuple[dict[str, Any], prep.Findings]:
    """Map an employer's district, coordinates and sector onto the reference data."""
    findings = prep.Findings()
    values = dict(values)
    values["district"] = prep.district(reference, values["district"], findings)
    prep.coordinates(reference, values, findings)
    prep.sectors(reference, [values["sector"]], findings, "sector")
    if values.get("vetted") and values.get("vetted_on") is None:
        findings.warn("vetted_on", "vetted without a date: the check counts as lapsed until a date is given")
    return values, findings


def conditions(filters: EmployerFilters) -> list[Any]:
    """SQL conditions for the list filters."""
    found = [getattr(Employer, name) == value
             for name, value in filters.model_dump(exclude={"updated_since"}, exclude_none=True).items()]
    if filters.updated_since:
        found.append(Employer.updated_at >= filters.updated_since)
    return found


RESOURCE = Resource(label="employer", path="/employers", table=Employer, create=EmployerCreate,
                    update=EmployerUpdate, public=EmployerPublic, page=EmployersPublic, filters=EmployerFilters,
                    conditions=conditions, prepare=prepare)
