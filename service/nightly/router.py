"""Match runs and their proposals; accepting or declining a proposal."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Response

from service.auth.deps import CurrentKey, Permission
from service.core.deps import PageDep, ReferenceDep
from service.core.errors import problem_responses
from service.core.models import MAX_ID, Code, Day
from service.keys.sites import site_for
from service.nightly import service
from service.nightly.models import (
    DecidedProposal,
    FairnessReportPublic,
    MatchRunPublic,
    MatchRunsPublic,
    ProposalsPublic,
)
from service.records.unit_of_work import SessionDep

router = APIRouter(tags=["match-runs"], responses=problem_responses(401, 403, 404, 422, 429))
RunId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/v1/match-runs", response_model=MatchRunsPublic, summary="Nightly runs, newest first",
            dependencies=[Permission("match_run:read")])
def list_runs(session: SessionDep, page: PageDep, caller: CurrentKey,
              site: Annotated[Code | None, Query(description="Only this site's runs.")] = None) -> Any:
    rows, count = service.list_runs(session=session, page=page, caller=caller, site=site)
    return MatchRunsPublic(data=[MatchRunPublic.model_validate(row) for row in rows], count=count)


@router.get("/v1/match-runs/latest/proposals", response_model=ProposalsPublic,
            responses={200: {"content": {"text/csv": {}},
                             "description": "JSON (one page), or with Accept: text/csv every row the key may see: "
                                            "proposal_id, status, kind, trainee, opening with its title, employer, "
                                            "district, wage and shift, score, score_kind, ranks and reasons "
                                            "(sentences joined by '; ')."}},
            summary="The newest complete run's proposals and alternatives, each with its opening's summary",
            dependencies=[Permission("match_run:read")])
def latest_proposals(session: SessionDep, caller: CurrentKey, page: PageDep, reference: ReferenceDep,
                     as_of: Annotated[Day | None, Query(description="The newest complete run for this day.")] = None,
                     kind: Annotated[str | None, Query(pattern="^(proposal|alternative)$")] = None,
                     accept: Annotated[str | None, Header()] = None,
                     site: Annotated[Code | None, Query(description="The site (default: the key's own, else the "
                                                                    "default site).")] = None) -> Any:
    site = site_for(session=session, key=caller, reference=reference, asked=site)
    if accept is not None and "text/csv" in accept:
        text, filename = service.latest_proposals_csv(session=session, caller=caller, as_of=as_of, kind=kind,
                                                      site=site)
        return Response(text, media_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    return service.latest_proposals(session=session, caller=caller, as_of=as_of, kind=kind, page=page, site=site)


@router.get("/v1/match-runs/{run_id}", response_model=MatchRunPublic, summary="One run: counts, objective, models",
            dependencies=[Permission("match_run:read")])
def get_run(run_id: RunId, session: SessionDep, caller: CurrentKey) -> Any:
    return service.get_run(session=session, run_id=run_id, caller=caller)


@router.get("/v1/match-runs/{run_id}/fairness", response_model=FairnessReportPublic,
            summary="A run's fairness report: per partner, district, training track and dependents, the share of "
                    "job-ready women proposed and their expected retention (groups under 10 women suppressed)",
            dependencies=[Permission("match_run:read")])
def fairness_report(run_id: RunId, session: SessionDep, caller: CurrentKey) -> Any:
    return service.fairness_report(session=session, run_id=run_id, caller=caller)


@router.post("/v1/proposals/{proposal_id}/accept", response_model=DecidedProposal,
             responses=problem_responses(409),
             summary="Accept: creates her placement and its follow-ups (no body needed: she starts today)",
             dependencies=[Permission("proposal:decide")])
def accept(proposal_id: RunId, session: SessionDep, caller: CurrentKey,
           body: Annotated[service.Decision | None, Body()] = None) -> Any:
    return service.accept(session=session, proposal_id=proposal_id, decision=body, caller=caller)


@router.post("/v1/proposals/{proposal_id}/decline", response_model=DecidedProposal,
             responses=problem_responses(409), summary="Decline, with the reason (kept for learning)",
             dependencies=[Permission("proposal:decide")])
def decline(proposal_id: RunId, body: service.Decline, session: SessionDep, caller: CurrentKey) -> Any:
    return service.decline(session=session, proposal_id=proposal_id, body=body, caller=caller)
