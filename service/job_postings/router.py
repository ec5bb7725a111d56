"""POST /v1/job-postings: openings from schema.org JobPosting JSON-LD (one, a list, or an @graph)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, ValidationError

from sqlmodel import Session

from service.core.clock import site_today
from service.auth import policy
from service.auth.models import ApiKey
from service.core import resource
from service.records import crud
from service.core.errors import InvalidInput, Unresolvable, problem_responses
from service.auth.deps import Authorized, CurrentKey
from service.core.deps import ReferenceDep
from service.records.unit_of_work import SessionDep
from service.job_postings.mapping import map_posting, postings_from_document
from service.openings.models import Opening, OpeningCreate, OpeningPublic
from service.openings.service import RESOURCE as OPENINGS

router = APIRouter(prefix="/v1/job-postings", tags=["job-postings"], dependencies=[Authorized],
                   responses=problem_responses(401, 403, 404, 409, 412, 422, 429))
MAX_POSTINGS = 500


class PostingField(BaseModel):
    field: str
    reason: str


class PostingResult(BaseModel):
    external_id: str
    created: bool
    opening: OpeningPublic
    unmapped: list[PostingField]


class PostingResults(BaseModel):
    data: list[PostingResult]
    count: int


JSON_LD = Body(description="A schema.org JobPosting, a list of them, or an object with an @graph of them.",
               examples=[{"@context": "https://schema.org/", "@type": "JobPosting", "identifier": "OP-77",
                          "title": "Sewing machine operator", "hiringOrganization": {"identifier": "EM-1"},
                          "baseSalary": {"@type": "MonetaryAmount", "currency": "INR",
                                         "value": {"@type": "QuantitativeValue", "value": 70, "unitText": "HOUR"}},
                          "jobLocation": {"@type": "Place", "address": {"addressLocality": "Howrah"}},
                          "totalJobOpenings": 3, "validThrough": "2026-12-31"}])


def writable(session: Session, caller: ApiKey, external_id: str) -> bool:
    """Whether the key may write an opening under this id: its own, or a new one in its namespace. Another
    party's id and an unused id outside the namespace get the same answer."""
    stored = crud.find(session=session, table=Opening, key={"external_id": external_id})
    if stored is None:
        return policy.may_create(caller, Opening, external_id)
    return crud.find(session=session, table=Opening, key={"external_id": external_id},
                     conditions=policy.visible(caller, Opening)) is not None


@router.post("", response_model=PostingResults, summary="Create or update openings from JobPosting JSON-LD")
def post_job_postings(session: SessionDep, reference: ReferenceDep, caller: CurrentKey,
                      document: dict[str, Any] | list[dict[str, Any]] = JSON_LD) -> Any:
    """All postings are checked first; any problem and none is written (422 naming each field by JSON path)."""
    try:
        postings = postings_from_document(document)
    except ValueError as exc:
        raise Unresolvable(str(exc), errors=[{"loc": ["body"], "reason": str(exc)}]) from exc
    if len(postings) > MAX_POSTINGS:
        raise InvalidInput(f"At most {MAX_POSTINGS} postings per request.")
    today = site_today(reference.site.timezone)
    errors: list[dict[str, Any]] = []
    ready: list[tuple[Any, OpeningCreate]] = []
    for path, posting in postings:
        mapped = map_posting(posting, reference=reference, path=path, today=today)
        if caller.role == "employer":
            if mapped.employer_external_id not in (None, caller.employer_external_id):
                errors.append({"loc": [f"{path}.hiringOrganization.identifier"],
                               "reason": "an employer key may only post its own employer's openings"})
            mapped.employer_external_id = caller.employer_external_id
            mapped.errors = [e for e in mapped.errors if not e["field"].endswith("hiringOrganization.identifier")
                             or mapped.employer_external_id is None]
        errors += [{"loc": [error["field"]], "reason": error["reason"]} for error in mapped.errors]
        if mapped.errors:
            continue
        if mapped.external_id and not writable(session, caller, mapped.external_id):
            errors.append({"loc": [f"{path}.identifier"], "reason": "this identifier cannot be written with this key"})
            continue
        try:
            body = OpeningCreate.model_validate({**mapped.opening, "employer_external_id": mapped.employer_external_id})
        except ValidationError as exc:
            errors += [{"loc": [f"{path}.{'.'.join(map(str, err['loc']))}"], "reason": err["msg"]} for err in exc.errors()]
            continue
        ready.append((mapped, body))
    if errors:
        raise Unresolvable("Some postings cannot be used; nothing was written.", errors=errors)
    results = []
    for mapped, body in ready:
        row, created = resource.upsert(session=session, resource=OPENINGS, reference=reference,
                                       ident={"external_id": mapped.external_id}, body=body, if_match=None,
                                       caller=caller)
        results.append(PostingResult(external_id=row.external_id, created=created,
                                     opening=OpeningPublic.model_validate(row),
                                     unmapped=[PostingField(**item) for item in mapped.unmapped]))
    return PostingResults(data=results, count=len(results))
