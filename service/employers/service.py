"""Employer records: how input maps onto the reference data, which filters coordinators use, and the operations
the employer routes call, each scoped to the calling key (`service.employers.repository`)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from service.auth.models import ApiKey
from service.core import prepare as prep
from service.core.models import Code, Instant, Page
from service.core.reference import Reference
from service.employers import repository
from service.employers.models import Employer, EmployerCreate, EmployerPublic, EmployersPublic, EmployerUpdate
from service.keys.sites import check_within_key_sites
from service.records import resource


class EmployerFilters(BaseModel):
    sector: Code | None = None
    district: Code | None = None
    vetted: bool | None = None
    updated_since: Instant | None = None


def prepare(*, values: dict[str, Any], reference: Reference) -> tuple[dict[str, Any], prep.Findings]:
    """Map an employer's district, coordinates and sector onto the reference data."""
    findings = prep.Findings()
    values = dict(values)
    reference = prep.site(reference, values, findings)
    values["district"] = prep.district(reference, values["district"], findings)
    prep.coordinates(reference, values, findings)
    prep.sectors(reference, [values["sector"]], findings, "sector")
    if values.get("vetted") and values.get("vetted_on") is None:
        findings.warn("vetted_on", "vetted without a date: the check counts as lapsed until a date is given")
    return values, findings


def conditions(filters: EmployerFilters) -> builtins.list[Any]:
    """SQL conditions for the list filters."""
    found = [getattr(Employer, name) == value
             for name, value in filters.model_dump(exclude={"updated_since"}, exclude_none=True).items()]
    if filters.updated_since:
        found.append(Employer.updated_at >= filters.updated_since)
    return found


RESOURCE = resource.Resource(label="employer", table=Employer, create=EmployerCreate, prepare=prepare,
                             scope=repository.SCOPE)


def list(*, session: Session, filters: EmployerFilters, page: Page, caller: ApiKey) -> EmployersPublic:
    """A page of the employers this key may see that match the filters."""
    rows, count = resource.list(session=session, resource=RESOURCE, conditions=conditions(filters), page=page,
                                caller=caller)
    return EmployersPublic(data=[EmployerPublic.model_validate(row) for row in rows], count=count)


def names(*, session: Session, external_ids: Iterable[str], caller: ApiKey) -> dict[str, str]:
    """The names of the employers this key may see among these, by external id: to show beside their ids."""
    wanted = set(external_ids)
    return repository.names(session=session, external_ids=wanted, conditions=repository.visible(caller)) \
        if wanted else {}


def get(*, session: Session, external_id: str, caller: ApiKey) -> EmployerPublic:
    """One employer this key may see."""
    row = resource.read(session=session, resource=RESOURCE, ident={"external_id": external_id}, caller=caller)
    return EmployerPublic.model_validate(row)


def upsert(*, session: Session, reference: Reference, external_id: str, body: EmployerCreate, if_match: int | None,
           caller: ApiKey) -> tuple[EmployerPublic, bool]:
    """Create or replace an employer; returns it and whether it was created."""
    row, created = resource.upsert(session=session, resource=RESOURCE, reference=reference,
                                   ident={"external_id": external_id}, body=body, if_match=if_match, caller=caller,
                                   before_write=check_within_key_sites)
    return EmployerPublic.model_validate(row), created


def patch(*, session: Session, reference: Reference, external_id: str, body: EmployerUpdate, if_match: int | None,
          caller: ApiKey) -> EmployerPublic:
    """Change some fields of an employer."""
    row = resource.patch(session=session, resource=RESOURCE, reference=reference, ident={"external_id": external_id},
                         body=body, if_match=if_match, caller=caller, before_write=check_within_key_sites)
    return EmployerPublic.model_validate(row)


def delete(*, session: Session, external_id: str, if_match: int | None, caller: ApiKey) -> None:
    """Delete an employer no other record refers to."""
    resource.delete(session=session, resource=RESOURCE, ident={"external_id": external_id}, if_match=if_match,
                    caller=caller)
