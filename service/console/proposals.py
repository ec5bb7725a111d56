"""The Proposals screen: the newest nightly run's proposals, one row per woman with her alternatives, accepted or
declined in place. Decisions go through the nightly service's `accept` and `decline`, the functions the API's
`POST /v1/proposals/{id}/accept` and `/decline` call, so they are scoped and audited the same way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, get_args
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Path
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from service.console.views import money, occupation_name, offset_of, paging, percent
from service.console.web import HEADERS, ConsoleRoute, CsrfChecked, Page, PageDep, console_url
from service.core.errors import Conflict, InvalidInput, NotFound
from service.core.models import MAX_ID
from service.matches import summaries
from service.nightly import service as nightly
from service.nightly.models import DeclineReason, MatchRun, Proposal, ProposalPublic

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
ProposalId = Annotated[int, Path(ge=1, le=MAX_ID)]
GROUPS_PER_PAGE = 10
SHOWS = ("waiting", "all")
DECLINE_REASONS: tuple[str, ...] = get_args(DeclineReason)


@dataclass
class Item:
    """One proposal or alternative as shown: its opening summarised, its score out of 100."""

    proposal: ProposalPublic
    score: int
    wage: str
    decided_on: str  # the site's calendar day of the decision, if any


@dataclass
class Group:
    """One woman's row: her proposal (if the run gave her one) and her alternatives, and what was decided."""

    trainee: str
    items: list[Item]
    message: str | None = None  # the service's sentence about the last decision tried here (a conflict)
    errors: dict[int, dict[str, str]] = field(default_factory=dict)  # proposal id -> field -> what is wrong
    values: dict[str, str] = field(default_factory=dict)  # what was typed, shown again beside its errors

    @property
    def proposal(self) -> Item | None:
        return next((item for item in self.items if item.proposal.kind == "proposal"), None)

    @property
    def alternatives(self) -> list[Item]:
        return [item for item in self.items if item.proposal.kind == "alternative"]

    @property
    def accepted(self) -> Item | None:
        return next((item for item in self.items if item.proposal.status == "accepted"), None)


def by_trainee(rows: Sequence[Proposal]) -> dict[str, list[Proposal]]:
    """A run's rows grouped by woman, in the service's order (her proposal first, then alternatives by rank)."""
    groups: dict[str, list[Proposal]] = {}
    for row in rows:
        groups.setdefault(row.trainee_external_id, []).append(row)
    return groups


def shown_groups(page: Page, groups: list[list[Proposal]]) -> list[Group]:
    """Groups of stored rows as shown, their openings summarised in one look-up."""
    openings = summaries.opening_summaries(page.session, {row.opening_external_id for rows in groups for row in rows})
    zone = ZoneInfo(page.reference.site.timezone)

    def item(row: Proposal) -> Item:
        public = nightly.public(row, openings)
        return Item(proposal=public, score=percent(public.score),
                    wage=money(page.reference, public.opening.monthly_wage_inr, public.opening.site) if public.opening
                    else "",
                    decided_on=public.decided_at.astimezone(zone).date().isoformat() if public.decided_at else "")

    return [Group(trainee=rows[0].trainee_external_id, items=[item(row) for row in rows]) for rows in groups]


def run_context(page: Page, run: MatchRun) -> dict[str, Any]:
    """What every view of a run's proposals says about the run: its day and what its scores mean."""
    kind = nightly.run_score_meaning(run).score_kind
    return {"run": run, "score_meaning": page.t(f"proposals.meaning.{kind}"),
            "reasons": [(reason, page.t(f"decline_reason.{reason}")) for reason in DECLINE_REASONS]}


#: Percentage points under the overall share from which a group's share is pointed out.
FAIRNESS_GAP_POINTS = 5


def group_name(page: Page, dimension: str, group: str) -> str:
    """A group as people name it: a partner's code spelled out, a track's occupation, dependents in words."""
    if dimension == "has_dependents":
        return page.t(f"proposals.fairness.dependents_{group}") if group in ("yes", "no") else group
    if dimension == "training_track":
        return occupation_name(page.reference, group)
    return group.replace("_", " ").title() if dimension == "partner_org" else group


def fairness_advice(page: Page, run: MatchRun) -> list[str]:
    """Sentences for the groups (worst of each dimension) whose share of women proposed falls well under the
    overall one; empty when none does or the run has no report."""
    assert run.id is not None  # a stored run has its id
    try:
        report = nightly.fairness_report(session=page.session, run_id=run.id, caller=page.key)
    except NotFound:
        return []
    overall = report.totals.share_proposed
    if overall is None:
        return []
    advice = []
    for dimension, worst in report.worst_share.items():
        if worst is not None and percent(overall) - percent(worst.share_proposed) >= FAIRNESS_GAP_POINTS:
            advice.append(page.t("proposals.fairness.under", group=group_name(page, dimension, worst.group),
                                 share=percent(worst.share_proposed), overall=percent(overall)))
    price = report.price_of_fairness
    if price is not None:
        dimensions = ", ".join(page.t(f"proposals.fairness.dimension_{name}") for name in price.dimensions)
        advice.append(page.t(f"proposals.fairness.price_{price.mode}", dimensions=dimensions,
                             price=f"{price.price:.1f}", percent=f"{price.price_percent:.1f}"))
    return advice


def proposal_list(page: Page) -> dict[str, Any]:
    """The Proposals screen: the newest complete run's rows this key may see, waiting ones or all, a page of them."""
    params = page.request.query_params
    show = params.get("show") or "waiting"
    if show not in SHOWS:
        raise InvalidInput("Some filters are not valid.",
                           errors=[{"loc": ["query", "show"], "reason": "must be waiting or all"}])
    try:
        run = nightly.latest_run(session=page.session, site=page.site)
    except NotFound:
        return {"run": None, "show": show, "groups": []}
    offset = offset_of(params.get("offset"))
    women = nightly.trainee_rows(session=page.session, run=run, caller=page.key, waiting_only=show == "waiting",
                                 offset=offset, limit=GROUPS_PER_PAGE)
    window = women.trainee_external_ids
    rows = by_trainee(nightly.proposals_of(session=page.session, run=run, caller=page.key,
                                           trainee_external_ids=window))
    shown = shown_groups(page, [rows[trainee] for trainee in window if trainee in rows])
    return {**run_context(page, run), "show": show, "groups": shown, "fairness": fairness_advice(page, run),
            "waiting": women.waiting, "total": women.total,
            "paging": paging(page.request, offset=offset, shown=len(window),
                             count=women.waiting if show == "waiting" else women.total, size=GROUPS_PER_PAGE)}


def group_in_run(page: Page, run: MatchRun, proposal_id: int) -> Group | None:
    """The row (her proposal and alternatives) holding this proposal in a run, if this key may see it."""
    trainee = nightly.trainee_of_proposal(session=page.session, run=run, proposal_id=proposal_id, caller=page.key)
    if trainee is None:
        return None
    return shown_groups(page, [nightly.proposals_of(session=page.session, run=run, caller=page.key,
                                                    trainee_external_ids=[trainee])])[0]


def proposal_page(page: Page, proposal_id: int) -> dict[str, Any]:
    """One proposal's row in the newest run (where a decision taken without JavaScript lands)."""
    run = nightly.latest_run(session=page.session, site=page.site)
    group = group_in_run(page, run, proposal_id)
    if group is None:
        raise NotFound(f"No proposal {proposal_id} in the newest run.")
    return {**run_context(page, run), "group": group}


def refused(page: Page, proposal_id: int, *, message: str | None = None,
            errors: dict[str, str] | None = None, values: dict[str, str] | None = None) -> dict[str, Any]:
    """The row of a proposal whose decision was refused, with the service's sentence or the fields' problems. A
    proposal this key may not see answers 404, as the API does."""
    run = nightly.latest_run(session=page.session, site=page.site)
    group = group_in_run(page, run, proposal_id)
    if group is None:
        raise NotFound(f"No proposal {proposal_id}.")
    group.message, group.errors, group.values = message, {proposal_id: errors or {}}, values or {}
    return {**run_context(page, run), "group": group}


def decided(page: Page, proposal_id: int, run_id: int) -> dict[str, Any]:
    """The row of a proposal just decided, in its own run."""
    run = nightly.get_run(session=page.session, run_id=run_id, caller=page.key)
    group = group_in_run(page, run, proposal_id)
    assert group is not None  # the service just decided it for this key
    return {**run_context(page, run), "group": group}


def problems(exc: ValidationError) -> dict[str, str]:
    """A form's problems by field, in the validator's words."""
    return {str(error["loc"][0]): str(error["msg"]).removeprefix("Value error, ") for error in exc.errors()}


def accept(page: Page, proposal_id: int, *, started_on: str) -> tuple[dict[str, Any], int]:
    """Accept through the nightly service: her placement and its follow-ups are created, she is placed."""
    try:
        decision = nightly.Decision.model_validate({"started_on": started_on.strip() or None})
    except ValidationError as exc:
        return refused(page, proposal_id, errors=problems(exc), values={"started_on": started_on}), 422
    try:
        done = nightly.accept(session=page.session, proposal_id=proposal_id, decision=decision, caller=page.key)
    except Conflict as exc:
        return refused(page, proposal_id, message=exc.detail), 409
    return decided(page, proposal_id, done.run_id), 200


def decline(page: Page, proposal_id: int, *, reason: str, note: str) -> tuple[dict[str, Any], int]:
    """Decline through the nightly service, with a reason from its list (and a note, if any)."""
    try:
        body = nightly.Decline.model_validate({"reason": reason or None, "note": note.strip() or None})
    except ValidationError as exc:
        found = problems(exc)
        if "reason" in found:
            found["reason"] = page.t("proposals.reason_required")
        return refused(page, proposal_id, errors=found, values={"reason": reason, "note": note}), 422
    try:
        done = nightly.decline(session=page.session, proposal_id=proposal_id, body=body, caller=page.key)
    except Conflict as exc:
        return refused(page, proposal_id, message=exc.detail), 409
    return decided(page, proposal_id, done.run_id), 200


# ---- routes ----

@router.get("/proposals", response_class=HTMLResponse)
def proposals(page: PageDep) -> Response:
    return page.render("proposals.html", proposal_list(page), fragment="proposals_results.html")


@router.get("/proposals/{proposal_id}", response_class=HTMLResponse)
def proposal(proposal_id: ProposalId, page: PageDep) -> Response:
    return page.render("proposal.html", proposal_page(page, proposal_id))


def answer(page: Page, proposal_id: int, context: dict[str, Any], status: int) -> Response:
    """htmx: the row, replaced in place (decided, or with what was refused). Without JavaScript: after a decision
    the proposal's own page (POST, redirect, GET); a refusal is shown on that page at once."""
    if status == 200 and not page.wants_fragment:
        response = RedirectResponse(console_url(page.request, f"/proposals/{proposal_id}"), status_code=303)
        response.headers.update(HEADERS)
        return response
    return page.render("proposal.html", context, fragment="proposal_group.html", status=status)


@router.post("/proposals/{proposal_id}/accept", response_class=HTMLResponse, dependencies=[CsrfChecked])
def accept_proposal(proposal_id: ProposalId, page: PageDep,
                    started_on: Annotated[str, Form(max_length=40)] = "") -> Response:
    context, status = accept(page, proposal_id, started_on=started_on)
    return answer(page, proposal_id, context, status)


@router.post("/proposals/{proposal_id}/decline", response_class=HTMLResponse, dependencies=[CsrfChecked])
def decline_proposal(proposal_id: ProposalId, page: PageDep, reason: Annotated[str, Form(max_length=40)] = "",
                     note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    context, status = decline(page, proposal_id, reason=reason, note=note)
    return answer(page, proposal_id, context, status)
