"""Openings from schema.org JobPosting JSON-LD: every posting is checked first, then all are written (or none)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from service.auth.models import ApiKey
from service.core.clock import site_today
from service.core.errors import InvalidInput, Unresolvable
from service.core.reference import Reference
from service.job_postings.mapping import MappedPosting, map_posting, postings_from_document
from service.keys.sites import site_for
from service.openings import repository as opening_repository
from service.openings import service as openings
from service.openings.models import OpeningCreate, OpeningPublic

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


def _own_employer(mapped: MappedPosting, path: str, employer: str | None) -> list[dict[str, Any]]:
    """An employer's key posts for its own employer only: the posting is bound to it (and a posting naming
    another employer is refused)."""
    if employer is None:
        return []
    errors = []
    if mapped.employer_external_id not in (None, employer):
        errors.append({"loc": [f"{path}.hiringOrganization.identifier"],
                       "reason": "an employer key may only post its own employer's openings"})
    mapped.employer_external_id = employer
    mapped.errors = [e for e in mapped.errors if not e["field"].endswith("hiringOrganization.identifier")
                     or mapped.employer_external_id is None]
    return errors


def _checked(session: Session, reference: Reference, document: dict[str, Any] | list[dict[str, Any]],
             caller: ApiKey) -> list[tuple[str, MappedPosting, OpeningCreate]]:
    """Every posting mapped and checked; any problem in any of them and a 422 names each field by JSON path."""
    try:
        postings = postings_from_document(document)
    except ValueError as exc:
        raise Unresolvable(str(exc), errors=[{"loc": ["body"], "reason": str(exc)}]) from exc
    if len(postings) > MAX_POSTINGS:
        raise InvalidInput(f"At most {MAX_POSTINGS} postings per request.")
    today = site_today(reference.site.timezone)
    errors: list[dict[str, Any]] = []
    ready: list[tuple[str, MappedPosting, OpeningCreate]] = []
    for path, posting in postings:
        mapped = map_posting(posting, reference=reference, path=path, today=today)
        errors += _own_employer(mapped, path, opening_repository.own_employer(caller))
        errors += [{"loc": [error["field"]], "reason": error["reason"]} for error in mapped.errors]
        if mapped.errors or mapped.external_id is None:  # a posting without its id has an error naming it
            continue
        if not openings.writable(session=session, external_id=mapped.external_id, caller=caller):
            errors.append({"loc": [f"{path}.identifier"], "reason": "this identifier cannot be written with this key"})
            continue
        try:
            body = OpeningCreate.model_validate({**mapped.opening, "employer_external_id": mapped.employer_external_id})
        except ValidationError as exc:
            errors += [{"loc": [f"{path}.{'.'.join(map(str, err['loc']))}"], "reason": err["msg"]}
                       for err in exc.errors()]
            continue
        ready.append((mapped.external_id, mapped, body))
    if errors:
        raise Unresolvable("Some postings cannot be used; nothing was written.", errors=errors)
    return ready


def create(*, session: Session, reference: Reference, document: dict[str, Any] | list[dict[str, Any]],
           caller: ApiKey) -> PostingResults:
    """Create or update the openings of one JobPosting, a list of them, or an @graph of them: all or none. Places,
    money and dates are read as the key's site states them (an employer's key: its employer's site)."""
    reference = reference.of(site_for(session=session, key=caller, reference=reference, asked=None))
    results = []
    for external_id, mapped, body in _checked(session, reference, document, caller):
        opening, created = openings.upsert(session=session, reference=reference, external_id=external_id, body=body,
                                           if_match=None, caller=caller)
        results.append(PostingResult(external_id=opening.external_id, created=created, opening=opening,
                                     unmapped=[PostingField(**item) for item in mapped.unmapped]))
    return PostingResults(data=results, count=len(results))
