"""Trainee records: how input maps onto the reference data, which filters coordinators use, and the operations
the trainee routes call. Every operation is scoped to the calling key (`service.trainees.repository`) and audited."""

from __future__ import annotations

import builtins
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from service.auth import policy
from service.auth.models import ApiKey
from service.consents import service as consents
from service.core import prepare as prep
from service.core.models import Code, Instant, Page, ShortText
from service.core.reference import Reference
from service.records import crud, resource
from service.trainees import erasure, repository
from service.trainees.models import Trainee, TraineeCreate, TraineePublic, TraineesPublic, TraineeStatus, TraineeUpdate


class TraineeFilters(BaseModel):
    status: TraineeStatus | None = None
    district: Code | None = None
    partner_org: Code | None = None
    cohort: ShortText | None = None
    updated_since: Instant | None = None


class TraineeSearch(TraineeFilters):
    """The console's search: the list filters, her training track, and part of her id."""

    training_track: Code | None = None
    id_contains: ShortText | None = None


def prepare(*, values: dict[str, Any], reference: Reference) -> tuple[dict[str, Any], prep.Findings]:
    """Map a trainee's district, coordinates, skills, exclusions and track onto the reference data."""
    findings = prep.Findings()
    values = dict(values)
    reference = prep.site(reference, values, findings, partner_org=values.get("partner_org"))
    values["district"] = prep.district(reference, values["district"], findings)
    prep.coordinates(reference, values, findings)
    values["skills"] = prep.skills(reference, values["skills"], findings, "skills")
    values["excluded_districts"] = prep.districts(reference, values["excluded_districts"], findings,
                                                  "excluded_districts")
    prep.sectors(reference, values["preferred_sectors"], findings, "preferred_sectors")
    if values.get("training_track"):
        values["training_track"] = prep.occupation(reference, values["training_track"], findings,
                                                   "training_track") or values["training_track"]
    return values, findings


def conditions(filters: TraineeFilters) -> builtins.list[Any]:
    """SQL conditions for the list filters."""
    found = [getattr(Trainee, name) == value
             for name, value in filters.model_dump(exclude={"updated_since"}, exclude_none=True).items()]
    if filters.updated_since:
        found.append(Trainee.updated_at >= filters.updated_since)
    return found


def withdraw_excluded_consents(*, session: Session, values: dict[str, Any], caller: ApiKey) -> None:
    """An employer she excludes loses any consent she gave it (committed with the write)."""
    consents.withdraw_excluded(session=session, exclusions={values["external_id"]: values["excluded_employers"]},
                               caller=caller)


def present(*, caller: ApiKey, row: Trainee) -> TraineePublic:
    """Her record as this key may read it: sensitive fields it may not read are withheld (null)."""
    view = TraineePublic.model_validate(row)
    withheld = policy.SENSITIVE_TRAINEE_FIELDS - policy.sensitive_fields(caller, partner_org=view.partner_org)
    return view.model_copy(update={name: None for name in withheld if name in TraineePublic.model_fields})


RESOURCE = resource.Resource(label="trainee", table=Trainee, create=TraineeCreate, prepare=prepare,
                             scope=repository.SCOPE, audited=True)


def find(*, session: Session, external_id: str, caller: ApiKey) -> Trainee:
    """Her stored record, if this key may see it (404 otherwise); not audited: for other operations to build on."""
    return resource.get(session=session, resource=RESOURCE, ident={"external_id": external_id}, caller=caller)


def list(*, session: Session, filters: TraineeFilters, page: Page, caller: ApiKey) -> TraineesPublic:
    """A page of the trainees this key may see that match the filters, as it may read them."""
    rows, count = resource.list(session=session, resource=RESOURCE, conditions=conditions(filters), page=page,
                                caller=caller)
    return TraineesPublic(data=[present(caller=caller, row=row) for row in rows], count=count)


def search(*, session: Session, filters: TraineeSearch, page: Page, caller: ApiKey) -> TraineesPublic:
    """A page of the trainees this key may see that match the filters, her track and part of her id (audited as a
    list, as the API's is)."""
    found = conditions(TraineeFilters.model_validate(filters.model_dump(include=set(TraineeFilters.model_fields))))
    if filters.training_track:
        found.append(Trainee.training_track == filters.training_track)
    if filters.id_contains and filters.id_contains.strip():
        found.append(repository.id_contains(filters.id_contains))
    rows, count = resource.list(session=session, resource=RESOURCE, conditions=found, page=page, caller=caller)
    return TraineesPublic(data=[present(caller=caller, row=row) for row in rows], count=count)


def list_partners(*, session: Session, caller: ApiKey) -> builtins.list[str]:
    """The partner organisations of the trainees this key may see (a coordinator's: her own)."""
    return repository.list_partners(session=session, conditions=repository.visible(caller))


def get(*, session: Session, external_id: str, caller: ApiKey) -> TraineePublic:
    """One trainee, as this key may read her record."""
    row = resource.read(session=session, resource=RESOURCE, ident={"external_id": external_id}, caller=caller)
    return present(caller=caller, row=row)


def upsert(*, session: Session, reference: Reference, external_id: str, body: TraineeCreate, if_match: int | None,
           caller: ApiKey) -> tuple[TraineePublic, bool]:
    """Create or replace her record; returns it as this key may read it, and whether it was created."""
    row, created = resource.upsert(session=session, resource=RESOURCE, reference=reference,
                                   ident={"external_id": external_id}, body=body, if_match=if_match, caller=caller,
                                   before_write=withdraw_excluded_consents)
    return present(caller=caller, row=row), created


def patch(*, session: Session, reference: Reference, external_id: str, body: TraineeUpdate, if_match: int | None,
          caller: ApiKey) -> TraineePublic:
    """Change some fields of her record."""
    row = resource.patch(session=session, resource=RESOURCE, reference=reference, ident={"external_id": external_id},
                         body=body, if_match=if_match, caller=caller, before_write=withdraw_excluded_consents)
    return present(caller=caller, row=row)


def delete(*, session: Session, reference: Reference, external_id: str, if_match: int | None,
           caller: ApiKey) -> None:
    """Erase her personal data; her placements keep an anonymised stub for learning."""
    row = find(session=session, external_id=external_id, caller=caller)
    crud.check_version(row, if_match)
    erasure.erase(session=session, trainee=row, reference=reference)
