"""The Cohort plan and Trainer candidates screens: how many women to train in which track next and the trainers
those cohorts need, and which of a partner's graduates could teach a track, from the cohort services (the same
answers as `GET /v1/market/cohort-plan` and `GET /v1/trainer-candidates`, with the same key)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from matching.cohort_plan import CohortLine
from matching.trainer_pipeline import TrainerCandidate
from service.auth import policy
from service.cohorts import service as cohorts
from service.console.web import ConsoleRoute, Page, PageDep
from service.core.errors import Forbidden, InvalidInput
from service.market import service as market
from service.records.unit_of_work import today as site_today
from service.trainees import service as trainees

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
MONTHS = (3, 6, 12, 24)
DEFAULT_MONTHS = 6


def chosen_months(value: str | None) -> int:
    """Months ahead: 6 unless asked, 1 to 24 as the API allows."""
    if not value:
        return DEFAULT_MONTHS
    if not value.isdigit() or not 1 <= int(value) <= 24:
        raise InvalidInput("Some filters are not valid.",
                           errors=[{"loc": ["query", "months"], "reason": "must be a whole number of months, 1 to 24"}])
    return int(value)


def data_dir(page: Page) -> Path:
    """Where the programme's trainer rules are read from (each site's, as the API loads them)."""
    return Path(page.request.app.state.settings.data_dir)


def partner_choices(page: Page) -> list[str]:
    """The partners the key may pick: a partner-bound coordinator's own only, everyone's for an admin."""
    return trainees.list_partners(session=page.session, caller=page.key)


def own_partner(page: Page) -> str | None:
    """A partner-bound coordinator's partner, which her pages are about unless she names it."""
    return page.key.partner_org if page.key.role == "coordinator" else None


def track_label(name: str, code: str) -> str:
    return f"{name} ({code})"


def plural(page: Page, key: str, count: int, **values: object) -> str:
    """`key.one` for one, `key.many` otherwise (the catalogue holds both)."""
    return page.t(f"{key}.{'one' if count == 1 else 'many'}", count=f"{count:,}", **values)


def plan_line(page: Page, line: CohortLine, partner: str | None) -> dict[str, Any]:
    """One track of the plan, its numbers rounded for reading."""
    trainer = line.trainer_occupation_name or page.t("cohorts.trainer_generic")
    return {
        "track": line.track, "label": track_label(line.track_name, line.track),
        "women": f"{line.women_to_train:,}", "to_train": line.women_to_train,
        "headline": plural(page, "cohorts.train_women", line.women_to_train),
        "trainers": plural(page, "cohorts.trainers_of", line.trainers_needed, role=trainer)
        if line.trainers_needed else page.t("cohorts.no_trainers"),
        "openings": f"{round(line.forecast_openings):,}", "postings": f"{round(line.forecast_postings):,}",
        "supply": f"{line.supply:,}", "job_ready": f"{line.job_ready:,}", "in_training": f"{line.in_training:,}",
        "rate": f"{round(line.placement_rate * 100)}%", "per_trainer": f"{line.trainees_per_trainer:,}",
        "reasoning": " ".join(line.reasoning),
        "candidates_url": f"/trainer-candidates?track={line.track}&partner={partner}"
        if partner and line.trainer_occupation else None,
    }


def cohort_plan_page(page: Page) -> dict[str, Any]:
    """The Cohort plan screen: per track the women to train and the trainers their cohort needs, with reasons."""
    if not policy.allows(page.key, "market:read"):
        raise Forbidden("This key may not read market forecasts.")
    params = page.request.query_params
    months = chosen_months(params.get("months"))
    partners = partner_choices(page)
    asked = params.get("partner") or own_partner(page)
    model, version = market.demand_model(session=page.session, index=page.index, reference=page.reference)
    plan = cohorts.plan(session=page.session, reference=page.reference, data_dir=data_dir(page), model=model,
                        model_version=version, site=page.reference.site.code, partner=asked, months=months,
                        today=site_today(page.session), caller=page.key)
    where = plan.partner or page.reference.site.name
    lines = [plan_line(page, line, plan.partner) for line in plan.data]
    names = {line.track: line.track_name for line in plan.data}
    trainers = [{"role": track_label(need.occupation_name, need.occupation),
                 "tracks": ", ".join(names.get(code, code) for code in need.tracks),
                 "needed": f"{need.needed:,}",
                 "on_staff": page.t("cohorts.unknown") if need.on_staff is None else f"{need.on_staff:,}",
                 "to_hire": f"{need.to_hire:,}"} for need in plan.trainers]
    rate = plan.overall_placement_rate
    return {
        "partners": partners, "partner": plan.partner or "", "may_pick_all": page.key.role == "admin",
        "months": months, "month_choices": sorted({*MONTHS, months}), "model_version": plan.model_version,
        "rules_version": plan.rules_version, "where": where,
        "summary": plural(page, "cohorts.summary", plan.women_to_train, months=months, where=where),
        "overall_rate": None if rate is None else f"{round(rate * 100)}%",
        "to_train": [line for line in lines if line["to_train"]],
        "no_cohort": [line for line in lines if not line["to_train"]], "trainers": trainers,
    }


def candidate_row(page: Page, candidate: TrainerCandidate, track_name: str) -> dict[str, Any]:
    """One graduate: her programme id with her cohort and track (never more of her record), and the rules' words."""
    cohort = candidate.cohort or page.t("cohorts.no_cohort")
    return {"id": candidate.external_id, "who": page.t("cohorts.who", cohort=cohort, track=track_name),
            "rank": candidate.rank, "score": f"{round(candidate.score * 100)}",
            "reasons": candidate.reasons, "why_not": candidate.why_not}


def trainer_candidates_page(page: Page) -> dict[str, Any]:
    """The Trainer candidates screen: a partner's consenting graduates of a track ranked for its trainer role, the
    near misses and why not, and the partner's open trainer openings."""
    if not policy.allows(page.key, "trainer_candidate:read"):
        raise Forbidden("This key may not read trainer candidates.")
    params = page.request.query_params
    partners = partner_choices(page)
    partner = params.get("partner") or own_partner(page)
    track = params.get("track") or None
    tracks = sorted(((code, track_label(o.name, code)) for code, o in page.reference.taxonomy.trades.items()),
                    key=lambda pair: pair[1])
    base = {"partners": partners, "partner": partner or "", "tracks": tracks, "track": track or "", "found": None}
    if track is None or partner is None:
        return base
    found = cohorts.trainer_candidates(session=page.session, reference=page.reference, data_dir=data_dir(page),
                                       track=track, partner=partner, today=site_today(page.session), caller=page.key)
    role = found.trainer_occupation_name or page.t("cohorts.trainer_generic")
    return {
        **base, "partner": found.partner, "track": found.track, "role": role,
        "track_name": found.track_name, "has_role": found.trainer_occupation is not None,
        "heading": page.t("candidates.heading", role=role, partner=found.partner,
                          track=track_label(found.track_name, found.track)),
        "found": [candidate_row(page, c, found.track_name) for c in found.data],
        "near_misses": [candidate_row(page, c, found.track_name) for c in found.near_misses],
        "openings": [{"title": o.title, "id": o.external_id, "district": o.district, "positions": f"{o.positions:,}"}
                     for o in found.openings],
    }


@router.get("/cohort-plan", response_class=HTMLResponse)
def cohort_plan_screen(page: PageDep) -> Response:
    return page.render("cohort_plan.html", cohort_plan_page(page), fragment="cohort_plan_results.html")


@router.get("/trainer-candidates", response_class=HTMLResponse)
def trainer_candidates_screen(page: PageDep) -> Response:
    return page.render("trainer_candidates.html", trainer_candidates_page(page),
                       fragment="trainer_candidates_results.html")
