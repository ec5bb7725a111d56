"""Routes: ranked openings for a trainee, ranked candidates for an opening, and a preview for a profile."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from matching.engine import MatchEngine
from service.core.clock import site_today
from service.core.models import Day
from service.audit import service as audit
from service.core import resource
from service.auth import policy
from service.auth.models import ApiKey
from service.core.errors import Forbidden, problem_responses
from service.core.resource import ExternalIdPath, raise_findings
from service.auth.deps import Authorized, CurrentKey
from service.core.deps import ReferenceDep
from service.records.unit_of_work import SessionDep
from service.matches import loader, service
from service.matches.index import MatchIndex
from service.matches.models import CandidateDetail, OpeningCandidates, OpeningMatches, ProfilePreview
from service.openings.service import RESOURCE as OPENINGS
from service.core.reference import Reference
from service.trainees import service as trainees
from service.trainees.service import RESOURCE as TRAINEES

router = APIRouter(tags=["matches"], dependencies=[Authorized], responses=problem_responses(401, 403, 404, 422, 429))


def get_index(request: Request, session: SessionDep) -> MatchIndex:
    """The live index, brought up to the database's newest change (records and models) first."""
    return request.app.state.index.current(session)


def get_matcher(index: Annotated[MatchIndex, Depends(get_index)]) -> MatchEngine:
    return index.matcher


MatcherDep = Annotated[MatchEngine, Depends(get_matcher)]
IndexDep = Annotated[MatchIndex, Depends(get_index)]
AsOf = Annotated[Day | None, Query(description="The day every date rule uses; today (site time) by default.")]
CandidateAsOf = Annotated[Day | None, Query(description="The day every date rule uses; today (site time) by "
                                                        "default. Staff keys only: an employer key gets 403.")]
Limit = Annotated[int, Query(ge=1, le=200)]
BLOCKED_REVEALS = frozenset({"lat", "lon", "excluded_employers", "excluded_districts"})  # commute and exclusions



@router.get("/v1/trainees/{external_id}/matches", response_model=OpeningMatches,
            summary="What should this trainee be offered: ranked openings, with reasons (and why not)")
def trainee_matches(external_id: ExternalIdPath, session: SessionDep, reference: ReferenceDep, caller: CurrentKey,
                    matcher: MatcherDep, index: IndexDep, as_of: AsOf = None, limit: Limit = 10,
                    include_blocked: Annotated[bool, Query(description="Also the openings a safety rule removed.")] = False
                    ) -> Any:
    trainee = resource.get(session=session, resource=TRAINEES, ident={"external_id": external_id}, caller=caller)
    if include_blocked and not BLOCKED_REVEALS <= policy.sensitive_fields(caller, partner_org=trainee.partner_org):
        raise Forbidden("Why an opening is blocked tells where she lives and whom she excludes; this key may not "
                        "read that.")
    audit.record(session=session, caller=caller, action="match", entity="trainee", external_ids=[external_id])
    session.commit()
    day = as_of or site_today(reference.site.timezone)
    data = service.openings_for(session=session, index=index, engine=matcher, reference=reference,
                                trainee={name: getattr(trainee, name) for name in type(trainee).model_fields},
                                as_of=day, limit=limit, include_blocked=include_blocked)
    return OpeningMatches(trainee_external_id=external_id, as_of=day, model_version=matcher.scorer_version, data=data,
                          count=len(data))


@router.post("/v1/matches/preview", response_model=OpeningMatches,
             summary="Rank the open openings for a profile without storing it")
def preview(body: ProfilePreview, session: SessionDep, reference: ReferenceDep, matcher: MatcherDep, index: IndexDep,
            as_of: AsOf = None, limit: Limit = 10,
            include_blocked: Annotated[bool, Query(description="Also the openings a safety rule removed.")] = False
            ) -> Any:
    values, findings = trainees.prepare(values={**body.model_dump(), "external_id": "preview"}, reference=reference)
    raise_findings(findings)
    session.commit()  # nothing read from here on: the connection goes back to the pool while scoring
    day = as_of or site_today(reference.site.timezone)
    data = service.openings_for(session=session, index=index, engine=matcher, reference=reference, trainee=values,
                                as_of=day, limit=limit, include_blocked=include_blocked)
    return OpeningMatches(trainee_external_id=None, as_of=day, model_version=matcher.scorer_version, data=data,
                          count=len(data))


def candidate_day(as_of: date | None, caller: ApiKey, reference: Reference) -> date:
    """The day the rules are checked for: an employer key always sees today (site time), so that a lapsed
    vetting or a back-dated opening cannot be stepped around by choosing the date."""
    if caller.role == "employer" and as_of is not None:
        raise Forbidden("An employer key may not choose as_of: candidates are always for today (site time). "
                        "Leave the parameter out.")
    return as_of or site_today(reference.site.timezone)


def _opening(session, external_id: str, caller) -> dict:  # noqa: ANN001
    resource.get(session=session, resource=OPENINGS, ident={"external_id": external_id}, caller=caller)
    return loader.opening_records(session, ids=[external_id], open_only=False)[0]


@router.get("/v1/openings/{external_id}/candidates", response_model=OpeningCandidates,
            response_model_exclude_none=True,
            summary="Who fits this opening: ranked job-ready trainees (anonymised for employers)")
def opening_candidates(external_id: ExternalIdPath, session: SessionDep, reference: ReferenceDep, caller: CurrentKey,
                       matcher: MatcherDep, index: IndexDep, as_of: CandidateAsOf = None, limit: Limit = 20) -> Any:
    opening = _opening(session, external_id, caller)
    session.commit()  # release the connection while scoring; the session takes one again only to read records
    day = candidate_day(as_of, caller, reference)
    found = service.candidates_for(session=session, index=index, engine=matcher, reference=reference,
                                   opening=opening, as_of=day, limit=limit, caller=caller)
    audit.record(session=session, caller=caller, action="candidate_view", entity="trainee",
                 external_ids=[trainee_id for trainee_id, _ in found])
    session.commit()
    return OpeningCandidates(opening_external_id=external_id, as_of=day, model_version=matcher.scorer_version,
                             data=[c for _, c in found], count=len(found))


@router.get("/v1/openings/{external_id}/candidates/{handle}", response_model=CandidateDetail,
            response_model_exclude_none=True,
            summary="One candidate; her identity only after her recorded consent to this employer")
def opening_candidate(external_id: ExternalIdPath, handle: Annotated[str, Path(pattern=r"^C-[A-Z2-7]{16}$")],
                      session: SessionDep, reference: ReferenceDep, caller: CurrentKey, matcher: MatcherDep,
                      index: IndexDep, as_of: CandidateAsOf = None) -> Any:
    opening = _opening(session, external_id, caller)
    day = candidate_day(as_of, caller, reference)
    trainee_id, detail = service.candidate(session=session, index=index, engine=matcher, reference=reference,
                                           opening=opening, candidate_handle=handle, as_of=day, caller=caller)
    audit.record(session=session, caller=caller, action="candidate_detail", entity="trainee", external_ids=[trainee_id])
    session.commit()
    return detail
