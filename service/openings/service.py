"""Openings: how input maps onto the reference data, which filters coordinators and employers use, and the
operations the opening routes (and JSON-LD job postings) call, each scoped to the calling key
(`service.openings.repository`)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from sqlalchemy import or_
from sqlmodel import Session, col

from service.auth.models import ApiKey
from service.core import prepare as prep
from service.core.errors import Unresolvable
from service.core.models import Code, Day, ExternalId, Instant, Page, ShortText
from service.core.reference import Reference
from service.employers import repository as employers
from service.employers.models import Employer
from service.keys.sites import check_within_key_sites
from service.openings import repository
from service.openings.models import Opening, OpeningCreate, OpeningPublic, OpeningsPublic, OpeningStatus, OpeningUpdate
from service.records import crud, resource


class OpeningFilters(BaseModel):
    status: OpeningStatus | None = None
    district: Code | None = None
    sector: Code | None = None
    occupation: ShortText | None = None
    employer_external_id: ExternalId | None = None
    open_as_of: Day | None = None
    updated_since: Instant | None = None


class OpeningSearch(OpeningFilters):
    """The console's search: the list filters and part of the title or id."""

    text: ShortText | None = None


def prepare(*, values: dict[str, Any], reference: Reference) -> tuple[dict[str, Any], prep.Findings]:
    """Map an opening's district, coordinates, occupation and required skills onto the reference data (an
    empty wage category stays empty: the rule takes the occupation's)."""
    findings = prep.Findings()
    values = dict(values)
    reference = prep.site(reference, values, findings)
    values["district"] = prep.district(reference, values["district"], findings)
    prep.coordinates(reference, values, findings)
    values["occupation_code"] = prep.occupation(reference, values["occupation"], findings)
    if not values.get("sector") and values["occupation_code"]:
        values["sector"] = reference.taxonomy.occupations[values["occupation_code"]].sector
    if values.get("sector"):
        prep.sectors(reference, [values["sector"]], findings, "sector")
    # Only an essential skill carries the flag when stored, so records written before it existed stay unchanged.
    essential = [bool(item.get("essential")) for item in values["required_skills"]]
    mapped = prep.skills(reference, values["required_skills"], findings, "required_skills")
    values["required_skills"] = [dict(item, essential=True) if flag else item for item, flag in zip(mapped, essential)]
    if values.get("posted_on") and values.get("closes_on") and values["closes_on"] < values["posted_on"]:
        findings.error("closes_on", "closes before it was posted")
    return values, findings


def conditions(filters: OpeningFilters) -> builtins.list[Any]:
    """SQL conditions for the list filters; an occupation matches the code or the text as given."""
    found: builtins.list[Any] = []
    for name in ("status", "district", "sector", "employer_external_id"):
        value = getattr(filters, name)
        if value is not None:
            found.append(getattr(Opening, name) == value)
    if filters.occupation:
        found.append(or_(col(Opening.occupation_code) == filters.occupation,
                         col(Opening.occupation) == filters.occupation))
    if filters.open_as_of:
        day = filters.open_as_of
        found += [Opening.status == "open", or_(col(Opening.posted_on).is_(None), col(Opening.posted_on) <= day),
                  or_(col(Opening.closes_on).is_(None), col(Opening.closes_on) >= day), Opening.positions > 0]
    if filters.updated_since:
        found.append(Opening.updated_at >= filters.updated_since)
    return found


def site_problem(*, opening_site: str, employer_site: str | None, reference: Reference) -> str | None:
    """Why an opening cannot be in its district: the district is not in its employer's site (None: it is)."""
    if employer_site is None or employer_site == opening_site:
        return None
    return (f"the district is in {reference.of(opening_site).site.name}, but the employer is in "
            f"{reference.of(employer_site).site.name}: an opening is in its employer's site")


def check_site(*, session: Session, reference: Reference, values: dict[str, Any], caller: ApiKey) -> None:
    """403 when the key does not work in the opening's site; 422 when its district is not in its employer's site."""
    check_within_key_sites(session=session, values=values, caller=caller)
    employer_site = employers.sites(session=session, external_ids=[values["employer_external_id"]]).get(
        values["employer_external_id"])
    reason = site_problem(opening_site=values["site"], employer_site=employer_site, reference=reference)
    if reason is not None:
        raise Unresolvable("The opening's district is not in its employer's site.",
                           errors=[{"loc": ["body", "district"], "reason": reason}])


RESOURCE = resource.Resource(label="opening", table=Opening, create=OpeningCreate, prepare=prepare,
                             scope=repository.SCOPE, references={"employer_external_id": (Employer, employers.SCOPE)})


def find(*, session: Session, external_id: str, caller: ApiKey) -> Opening:
    """The stored opening, if this key may see it (404 otherwise): for other operations to build on."""
    return resource.get(session=session, resource=RESOURCE, ident={"external_id": external_id}, caller=caller)


def writable(*, session: Session, external_id: str, caller: ApiKey) -> bool:
    """Whether the key may write an opening under this id: its own, or a new one in its namespace. Another
    party's id and an unused id outside the namespace get the same answer."""
    if crud.find(session=session, table=Opening, key={"external_id": external_id}) is None:
        return repository.may_create(caller, external_id)
    return crud.find(session=session, table=Opening, key={"external_id": external_id},
                     conditions=repository.visible(caller)) is not None


def list(*, session: Session, filters: OpeningFilters, page: Page, caller: ApiKey) -> OpeningsPublic:
    """A page of the openings this key may see that match the filters."""
    rows, count = resource.list(session=session, resource=RESOURCE, conditions=conditions(filters), page=page,
                                caller=caller)
    return OpeningsPublic(data=[OpeningPublic.model_validate(row) for row in rows], count=count)


def search(*, session: Session, filters: OpeningSearch, page: Page, caller: ApiKey) -> OpeningsPublic:
    """A page of the openings this key may see that match the filters and whose title or id contains the text."""
    found = conditions(filters)
    if filters.text and filters.text.strip():
        found.append(repository.text_contains(filters.text))
    rows, count = resource.list(session=session, resource=RESOURCE, conditions=found, page=page, caller=caller)
    return OpeningsPublic(data=[OpeningPublic.model_validate(row) for row in rows], count=count)


def map_visible(*, session: Session, external_ids: Iterable[str], caller: ApiKey) -> dict[str, OpeningPublic]:
    """These openings (those this key may see), by external id: to show their titles beside their ids."""
    rows = repository.list_by_ids(session=session, external_ids=set(external_ids),
                                  conditions=repository.visible(caller))
    return {row.external_id: OpeningPublic.model_validate(row) for row in rows}


def get(*, session: Session, external_id: str, caller: ApiKey) -> OpeningPublic:
    """One opening this key may see."""
    row = resource.read(session=session, resource=RESOURCE, ident={"external_id": external_id}, caller=caller)
    return OpeningPublic.model_validate(row)


def upsert(*, session: Session, reference: Reference, external_id: str, body: OpeningCreate, if_match: int | None,
           caller: ApiKey) -> tuple[OpeningPublic, bool]:
    """Create or replace an opening; returns it and whether it was created."""
    row, created = resource.upsert(session=session, resource=RESOURCE, reference=reference,
                                   ident={"external_id": external_id}, body=body, if_match=if_match, caller=caller,
                                   before_write=lambda session, values, caller: check_site(
                                       session=session, reference=reference, values=values, caller=caller))
    return OpeningPublic.model_validate(row), created


def patch(*, session: Session, reference: Reference, external_id: str, body: OpeningUpdate, if_match: int | None,
          caller: ApiKey) -> OpeningPublic:
    """Change some fields of an opening."""
    row = resource.patch(session=session, resource=RESOURCE, reference=reference, ident={"external_id": external_id},
                         body=body, if_match=if_match, caller=caller,
                         before_write=lambda session, values, caller: check_site(
                             session=session, reference=reference, values=values, caller=caller))
    return OpeningPublic.model_validate(row)


def delete(*, session: Session, external_id: str, if_match: int | None, caller: ApiKey) -> None:
    """Delete an opening no other record refers to."""
    resource.delete(session=session, resource=RESOURCE, ident={"external_id": external_id}, if_match=if_match,
                    caller=caller)
