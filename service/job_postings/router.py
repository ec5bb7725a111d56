"""POST /v1/job-postings: openings from schema.org JobPosting JSON-LD (one, a list, or an @graph)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body

from service.auth.deps import CurrentKey, Permission
from service.core.deps import ReferenceDep
from service.core.errors import problem_responses
from service.job_postings import service
from service.job_postings.service import PostingResults
from service.records.unit_of_work import SessionDep

router = APIRouter(prefix="/v1/job-postings", tags=["job-postings"],
                   responses=problem_responses(401, 403, 404, 409, 412, 422, 429))

JSON_LD = Body(description="A schema.org JobPosting, a list of them, or an object with an @graph of them.",
               examples=[{"@context": "https://schema.org/", "@type": "JobPosting", "identifier": "OP-77",
                          "title": "Sewing machine operator", "hiringOrganization": {"identifier": "EM-1"},
                          "baseSalary": {"@type": "MonetaryAmount", "currency": "INR",
                                         "value": {"@type": "QuantitativeValue", "value": 70, "unitText": "HOUR"}},
                          "jobLocation": {"@type": "Place", "address": {"addressLocality": "Howrah"}},
                          "totalJobOpenings": 3, "validThrough": "2026-12-31"}])


@router.post("", response_model=PostingResults, summary="Create or update openings from JobPosting JSON-LD",
             dependencies=[Permission("job_posting:create")])
def post_job_postings(session: SessionDep, reference: ReferenceDep, caller: CurrentKey,
                      document: dict[str, Any] | list[dict[str, Any]] = JSON_LD) -> PostingResults:
    """All postings are checked first; any problem and none is written (422 naming each field by JSON path)."""
    return service.create(session=session, reference=reference, document=document, caller=caller)
