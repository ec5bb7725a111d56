"""Trainee records: how input maps onto the reference data, and which filters coordinators use."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from sqlmodel import Session

from service.auth import policy
from service.core.models import Code, Instant, ShortText
from service.auth.models import ApiKey
from service.consents import service as consents
from service.core import prepare as prep
from service.trainees import erasure
from service.core.resource import Resource
from service.core.reference import Reference
from service.trainees.models import Trainee, TraineeCreate, TraineePublic, TraineesPublic, TraineeStatus, TraineeUpdate


class TraineeFilters(BaseModel):
    status: TraineeStatus | None = None
    district: Code | None = None
    partner_org: Code | None = None
    cohort: ShortText | None = None
    updated_since: Instant | None = None


def prepare(*, values: dict[str, Any], reference: Reference) -> tuple[dict[str, Any], prep.Findings]:
    """Map a trainee's district, coordinates, skills, exclusions and track onto the reference data."""
    findings = prep.Findings()
    values = dict(values)
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


def conditions(filters: TraineeFilters) -> list[Any]:
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


def present(*, caller: ApiKey, view: TraineePublic) -> TraineePublic:
    """Her record as this key may read it: sensitive fields it may not read are withheld (null)."""
    withheld = policy.SENSITIVE_TRAINEE_FIELDS - policy.sensitive_fields(caller, partner_org=view.partner_org)
    return view.model_copy(update={name: None for name in withheld if name in TraineePublic.model_fields})


def erase(*, session: Session, row: Trainee, caller: ApiKey, reference: Reference) -> None:
    """DELETE erases her personal data; placements keep an anonymised stub for learning."""
    erasure.erase(session=session, trainee=row, gazetteer=reference.site.gazetteer)


RESOURCE = Resource(label="trainee", path="/trainees", table=Trainee, create=TraineeCreate, update=TraineeUpdate,
                    public=TraineePublic, page=TraineesPublic, filters=TraineeFilters, conditions=conditions,
                    prepare=prepare, audited=True, erase=erase,
                    before_write=withdraw_excluded_consents, present=present)
