"""The Follow-ups screen: the checks due this week, overdue or all, by partner as the key allows; and one check's
form, recorded through the follow-ups service's `patch` (what the API's PATCH /v1/followups/{placement}/{month}
calls: scoped, versioned, audited, a risk flag raised on her record too)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from service.console.views import PAGE_SIZE, filters_from, offset_of, opening_summaries, paging
from service.console.web import HEADERS, ConsoleRoute, CsrfChecked, Page, PageDep, console_url
from service.core.errors import InvalidInput, PreconditionFailed
from service.core.http import ExternalIdPath
from service.core.models import Page as Window
from service.followups import service as followups
from service.followups.models import FollowupPublic, FollowupUpdate
from service.placements import service as placements
from service.records.unit_of_work import today as site_today
from service.trainees import service as trainees

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
VIEWS = ("due", "overdue", "all")
DUE_WINDOW_DAYS = 7
FIELDS = ("checked_on", "employed", "monthly_wage_inr", "wellbeing", "risk_flag", "notes")
Field = Annotated[str, Form(max_length=40)]
Notes = Annotated[str, Form(max_length=500)]


@dataclass(frozen=True)
class Row:
    """A follow-up as listed: whose, where she works, and where it stands today."""

    followup: FollowupPublic
    opening: dict[str, Any]
    state: str
    overdue: bool


def state_of(page: Page, followup: FollowupPublic, day: datetime.date) -> tuple[str, bool]:
    """Where a check stands in words (done on a day, overdue, due soon), and whether it is overdue."""
    t = page.t
    if followup.checked_on:
        return t("followups.checked", day=followup.checked_on.isoformat()), False
    if followup.due_on is None:
        return t("followup.not_done"), False
    days = (followup.due_on - day).days
    if days < 0:
        return (t("followup.overdue_one") if days == -1 else t("followup.overdue_days", days=-days)), True
    return {0: t("followup.due_today"), 1: t("followup.due_tomorrow")}.get(days) or \
        t("followup.due_in_days", days=days), False


def with_openings(page: Page, found: list[FollowupPublic]) -> dict[str, dict[str, Any]]:
    """The opening (title, employer, district) each follow-up's placement is at, by placement id."""
    opening_of = placements.map_openings(session=page.session, caller=page.key,
                                         external_ids={f.placement_external_id for f in found})
    summaries = opening_summaries(page, sorted(set(opening_of.values())))
    return {placement: {"external_id": opening, **summaries.get(opening, {})}
            for placement, opening in opening_of.items()}


def followup_list(page: Page) -> dict[str, Any]:
    """The Follow-ups screen: due this week (overdue included) or overdue, her open risk flags and the longest
    overdue first; or every follow-up, by placement. Filtered by partner as the key allows."""
    params = page.request.query_params
    view = params.get("view") or "due"
    if view not in VIEWS:
        raise InvalidInput("Some filters are not valid.",
                           errors=[{"loc": ["query", "view"], "reason": "must be due, overdue or all"}])
    filters = filters_from(followups.FollowupFilters, {"partner_org": params.get("partner_org") or ""})
    day = site_today(page.session)
    offset = offset_of(params.get("offset"))
    truncated = False
    if view == "all":
        found = followups.list(session=page.session, caller=page.key, filters=filters,
                               page=Window(offset=offset, limit=PAGE_SIZE))
        shown, count = found.data, found.count
    else:
        due_before = day + datetime.timedelta(DUE_WINDOW_DAYS + 1) if view == "due" else day
        limit = page.request.app.state.settings.max_page_size
        found = followups.list(session=page.session, caller=page.key, page=Window(offset=0, limit=limit),
                               filters=filters.model_copy(update={"due_before": due_before}))
        ordered = sorted(found.data, key=lambda f: (not f.trainee_risk_flag, f.due_on or day,
                                                    f.placement_external_id, f.month))
        shown, count, truncated = ordered[offset:offset + PAGE_SIZE], len(ordered), found.count > len(ordered)
    openings = with_openings(page, shown)
    rows = [Row(followup=f, opening=openings.get(f.placement_external_id, {}), state=state, overdue=overdue)
            for f in shown for state, overdue in [state_of(page, f, day)]]
    return {"view": view, "partner_org": filters.partner_org or "", "rows": rows, "day": day, "truncated": truncated,
            "partners": trainees.list_partners(session=page.session, caller=page.key),
            "paging": paging(page.request, offset=offset, shown=len(rows), count=count)}


def form_values(followup: FollowupPublic, day: datetime.date) -> dict[str, str]:
    """A follow-up's fields as its form shows them (a check not yet recorded is dated today)."""
    return {"checked_on": (followup.checked_on or day).isoformat(),
            "employed": "" if followup.employed is None else ("yes" if followup.employed else "no"),
            "monthly_wage_inr": "" if followup.monthly_wage_inr is None else str(followup.monthly_wage_inr),
            "wellbeing": "" if followup.wellbeing is None else str(followup.wellbeing),
            "risk_flag": "yes" if followup.risk_flag else "", "notes": followup.notes or "",
            "version": str(followup.version)}


def followup_page(page: Page, placement_external_id: str, month: int, *, saved: bool = False,
                  values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                  message: str | None = None) -> dict[str, Any]:
    """One follow-up: whose it is, where she works, and the form to record the check."""
    followup = followups.get(session=page.session, placement_external_id=placement_external_id, month=month,
                             caller=page.key)
    placement = placements.get(session=page.session, external_id=placement_external_id, caller=page.key)
    opening = opening_summaries(page, [placement.opening_external_id]).get(placement.opening_external_id, {})
    day = site_today(page.session)
    state, overdue = state_of(page, followup, day)
    wellbeing = [(str(level), page.t(f"followups.wellbeing_{level}")) for level in range(1, 6)]
    return {"followup": followup, "placement": placement, "opening": opening, "state": state, "overdue": overdue,
            "values": values or form_values(followup, day), "errors": errors or {}, "message": message,
            "saved": saved, "wellbeing": wellbeing}


def parsed(page: Page, form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The form's fields as the service takes them, and what is wrong with each (in words, by field)."""
    t = page.t
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if form["checked_on"].strip():
        values["checked_on"] = form["checked_on"].strip()
    else:
        errors["checked_on"] = t("followups.checked_on_required")
    if form["employed"] in ("yes", "no"):
        values["employed"] = form["employed"] == "yes"
    else:
        errors["employed"] = t("followups.employed_required")
    wage = form["monthly_wage_inr"].strip().replace(",", "")
    if wage and not wage.isdigit():
        errors["monthly_wage_inr"] = t("followups.wage_whole")
    values["monthly_wage_inr"] = int(wage) if wage.isdigit() else None
    values["wellbeing"] = int(form["wellbeing"]) if form["wellbeing"].isdigit() else None
    if form["wellbeing"] and values["wellbeing"] is None:
        errors["wellbeing"] = t("followups.wellbeing_choose")
    values["risk_flag"] = form["risk_flag"] == "yes"
    values["notes"] = form["notes"].strip() or None
    return values, errors


def record_check(page: Page, placement_external_id: str, month: int, form: dict[str, str]
                 ) -> tuple[dict[str, Any], int]:
    """Record a check through the follow-ups service; problems are shown next to their fields."""
    values, errors = parsed(page, form)
    body: FollowupUpdate | None = None
    if not errors:
        try:
            body = FollowupUpdate.model_validate(values)
        except ValidationError as exc:
            errors = {str(e["loc"][0]): str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()}
    if body is None:
        return followup_page(page, placement_external_id, month, values=form, errors=errors), 422
    version = int(form["version"]) if form["version"].isdigit() and len(form["version"]) < 10 else None
    try:
        followups.patch(session=page.session, reference=page.reference, placement_external_id=placement_external_id,
                        month=month, body=body, if_match=version, caller=page.key)
    except PreconditionFailed as exc:
        return followup_page(page, placement_external_id, month, values=form,
                             message=f"{page.t('followups.changed_meanwhile')} ({exc.detail})"), exc.status
    except InvalidInput as exc:
        located = {str(e.get("loc", ["", ""])[-1]): str(e.get("reason", "")) for e in exc.errors or []}
        return followup_page(page, placement_external_id, month, values=form, message=exc.detail,
                             errors={k: v for k, v in located.items() if k in FIELDS}), exc.status
    return followup_page(page, placement_external_id, month, saved=True), 200


# ---- routes ----

@router.get("/followups", response_class=HTMLResponse)
def followup_screen(page: PageDep) -> Response:
    return page.render("followups.html", followup_list(page), fragment="followups_results.html")


@router.get("/followups/{placement_external_id}/{month}", response_class=HTMLResponse)
def followup(placement_external_id: ExternalIdPath, month: int, page: PageDep, saved: bool = False) -> Response:
    followups.check_month(month)
    return page.render("followup.html", followup_page(page, placement_external_id, month, saved=saved))


@router.post("/followups/{placement_external_id}/{month}", response_class=HTMLResponse,
             dependencies=[CsrfChecked])
def save_followup(placement_external_id: ExternalIdPath, month: int, page: PageDep, checked_on: Field = "",
                  employed: Field = "", monthly_wage_inr: Field = "", wellbeing: Field = "", risk_flag: Field = "",
                  notes: Notes = "", version: Field = "") -> Response:
    followups.check_month(month)
    form = {"checked_on": checked_on, "employed": employed, "monthly_wage_inr": monthly_wage_inr,
            "wellbeing": wellbeing, "risk_flag": risk_flag, "notes": notes, "version": version}
    context, status = record_check(page, placement_external_id, month, form)
    if status == 200 and not page.wants_fragment:  # POST, redirect, GET: a reload does not record it twice
        target = f"/followups/{placement_external_id}/{month}?saved=1"
        response = RedirectResponse(console_url(page.request, target), status_code=303)
        response.headers.update(HEADERS)
        return response
    return page.render("followup.html", context, fragment="followup_form.html", status=status)
