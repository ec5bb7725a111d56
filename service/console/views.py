"""What the pages show: each function calls the domain services (the same ones the API calls, so scoping and
auditing are theirs) and turns their answers into plain values for a template. Numbers are rounded here."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, get_args
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError

from service.auth import policy
from service.consents import service as consents
from service.console.web import Page
from service.core.errors import Forbidden, InvalidInput, NotFound
from service.core.models import Page as Window
from service.core.models import SkillLevel
from service.core.reference import Reference
from service.employers import service as employers
from service.followups import service as followups
from service.followups.models import FollowupPublic
from service.imports import history as imports
from service.imports.models import ImportAttemptPublic
from service.matches import service as matches
from service.nightly import service as nightly
from service.openings import service as openings
from service.openings.models import OpeningStatus
from service.placements import service as placements
from service.records.unit_of_work import today as site_today
from service.trainees import service as trainees
from service.trainees.models import TraineePublic, TraineeStatus

DUE_WINDOW_DAYS = 7
DUE_SHOWN = 100  # the Today list's length; the counts above it cover every due check
REFUSED_SHOWN = 5  # refused imports listed on Today; the count covers all of the week's


@dataclass(frozen=True)
class Due:
    """A follow-up that is due: overdue or within the week."""

    followup: FollowupPublic
    overdue: bool
    days: int  # days overdue (positive) or until due


def due_followups(page: Page, day: datetime.date) -> tuple[list[Due], followups.DueCounts]:
    """Follow-ups not yet done and due by the end of the week (overdue ones included), her open risk flags
    first, then the longest overdue; and how many there are in all."""
    shown, counts = followups.due(session=page.session, caller=page.key, day=day,
                                  before=day + datetime.timedelta(DUE_WINDOW_DAYS + 1), limit=DUE_SHOWN)
    return [Due(followup=row, overdue=row.due_on is not None and row.due_on < day,
                days=abs((day - row.due_on).days) if row.due_on else 0) for row in shown], counts


def last_run(page: Page) -> dict[str, Any] | None:
    """The newest complete nightly run and how many of its proposals this key sees still wait for a decision."""
    try:
        run = nightly.latest_run(session=page.session, site=page.site)
    except NotFound:
        return None
    proposals, waiting = nightly.proposal_counts(session=page.session, run=run, caller=page.key)
    return {"run": run, "waiting": waiting, "proposals": proposals}


def who_imported(page: Page, attempt: ImportAttemptPublic) -> str:
    """Who made an import attempt, as a sentence's part: the key's prefix and role, or the command line."""
    if attempt.key_prefix:
        return page.t("today.imports.by_key", key=attempt.key_prefix, role=page.t(f"role.{attempt.role}"))
    return page.t("today.imports.by_cli")


def local_time(page: Page, moment: datetime.datetime) -> str:
    return f"{moment.astimezone(ZoneInfo(page.reference.site.timezone)):%Y-%m-%d %H:%M}"


def imports_lately(page: Page) -> dict[str, Any]:
    """Imports refused in the last week that this key may see (newest first), and when an import last wrote
    records."""
    since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=DUE_WINDOW_DAYS)
    refused, count = imports.refused_since(session=page.session, caller=page.key, since=since, limit=REFUSED_SHOWN)
    shown = [{"at": local_time(page, attempt.at), "who": who_imported(page, attempt), "summary": attempt.summary,
              "problem_count": attempt.problem_count,
              "first": attempt.problems[0] if attempt.problems else None} for attempt in refused]
    done = imports.list(session=page.session, caller=page.key, outcome="imported", page=Window(offset=0, limit=1))
    last = {"at": local_time(page, done.data[0].at), "who": who_imported(page, done.data[0])} if done.data else None
    return {"refused": shown, "refused_count": count, "last": last}


def today(page: Page) -> dict[str, Any]:
    """The Today screen: follow-ups due, last night's run, imports."""
    day = site_today(page.session)
    due, counts = due_followups(page, day)
    return {"day": day, "due": due, "due_total": counts.total, "flagged": counts.flagged, "overdue": counts.overdue,
            "run": last_run(page), "imports": imports_lately(page)}


# ---- shared shaping ----

PAGE_SIZE = 25
MATCH_LIMIT = 10
CANDIDATE_LIMIT = 20


@dataclass(frozen=True)
class Paging:
    """Where a page of a list stands, with the links to its neighbours (the same filters kept)."""

    first: int
    last: int
    count: int
    previous_url: str | None
    next_url: str | None


def paging(request: Any, *, offset: int, shown: int, count: int, size: int = PAGE_SIZE) -> Paging:
    """The pager of a list page: links keep every query parameter but the offset."""
    kept = [(name, value) for name, value in request.query_params.multi_items() if name != "offset" and value]

    def link(to: int) -> str:
        return f"{request.url.path}?{urlencode([*kept, ('offset', str(to))])}"

    return Paging(first=offset + 1 if shown else 0, last=offset + shown, count=count,
                  previous_url=link(max(0, offset - size)) if offset > 0 else None,
                  next_url=link(offset + size) if offset + shown < count else None)


def offset_of(value: str | None) -> int:
    """A list's offset from the query: a whole number from 0, anything else is 0."""
    return int(value) if value and value.isdigit() and len(value) < 9 else 0


M = TypeVar("M", bound=BaseModel)


def filters_from(model: type[M], params: Mapping[str, str]) -> M:
    """A filter model from a GET form: empty fields mean "any"; a value that does not fit is a 422 naming it."""
    given = {name: value for name, value in params.items() if name in model.model_fields and value.strip()}
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        raise InvalidInput("Some filters are not valid.", errors=[
            {"loc": ["query", *err["loc"]], "reason": err["msg"]} for err in exc.errors()]) from exc


def money(reference: Reference, amount: int | None, site: str | None = None) -> str:
    """A monthly amount in its site's currency (the record's site, else the page's), whole units with thousands
    separated."""
    shown = reference.of(site) if site in reference.served() else reference
    return "" if amount is None else f"{shown.site.currency_symbol}{amount:,}"


def percent(score: float) -> int:
    """A score of 0..1 shown as a whole number out of 100."""
    return round(score * 100)


def occupation_name(reference: Reference, code: str | None) -> str:
    occupations = reference.taxonomy.occupations
    return occupations[code].name if code and code in occupations else (code or "")


def sector_name(reference: Reference, code: str | None) -> str:
    return reference.taxonomy.sectors.get(code, code) if code else ""


def skill_name(reference: Reference, item: SkillLevel) -> str:
    skills = reference.taxonomy.skills
    return skills[item.skill].name if item.skill and item.skill in skills else item.label


def score_meaning(t: Any, model_version: str) -> str:
    """What a score means for the model that produced it: a fit formula, or the chance she stays a year."""
    return t("score.meaning_weighted") if model_version.startswith("weighted") else \
        t("score.meaning_model", model=model_version)


def opening_summaries(page: Page, external_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Title, employer name, district and wage of these openings, to show beside their ids."""
    found = openings.map_visible(session=page.session, external_ids=external_ids, caller=page.key)
    names = employers.names(session=page.session, caller=page.key,
                            external_ids={o.employer_external_id for o in found.values()})
    return {external_id: {"title": o.title, "employer": names.get(o.employer_external_id, o.employer_external_id),
                          "district": o.district, "wage": money(page.reference, o.monthly_wage_inr, o.site)}
            for external_id, o in found.items()}


# ---- Trainees ----

def trainee_filter_options(page: Page) -> dict[str, Any]:
    """The choices of the trainee search form."""
    reference = page.reference
    return {
        "partners": [(p, p) for p in trainees.list_partners(session=page.session, caller=page.key)],
        "districts": [(d.name, d.name) for d in sorted(reference.site.gazetteer.districts, key=lambda d: d.name)],
        "statuses": [(s, page.t(f"status.{s}")) for s in get_args(TraineeStatus)],
        "tracks": sorted(((code, o.name) for code, o in reference.taxonomy.occupations.items()),
                         key=lambda pair: pair[1]),
    }


def trainee_list(page: Page) -> dict[str, Any]:
    """The Trainees screen: the search form and one page of what it finds."""
    params = page.request.query_params
    filters = filters_from(trainees.TraineeSearch, params)
    offset = offset_of(params.get("offset"))
    found = trainees.search(session=page.session, filters=filters, page=Window(offset=offset, limit=PAGE_SIZE),
                            caller=page.key)
    rows = [{"trainee": row, "track": occupation_name(page.reference, row.training_track),
             "status": page.t(f"status.{row.status}")} for row in found.data]
    return {"filters": filters, "rows": rows, "options": trainee_filter_options(page),
            "paging": paging(page.request, offset=offset, shown=len(rows), count=found.count)}


def trainee_matches(page: Page, external_id: str, *, show_blocked: bool) -> dict[str, Any]:
    """Her ranked openings with their reasons (and, on request, the blocked ones with the rule for each)."""
    allowed_blocked = show_blocked
    try:
        ranked = matches.rank_openings(session=page.session, indexes=page.indexes, reference=page.reference,
                                       external_id=external_id, as_of=None,
                                       limit=MATCH_LIMIT, include_blocked=show_blocked, caller=page.key)
    except Forbidden:  # this key may not see why (where she lives, whom she excludes): the ranked ones only
        allowed_blocked = False
        ranked = matches.rank_openings(session=page.session, indexes=page.indexes, reference=page.reference,
                                       external_id=external_id, as_of=None,
                                       limit=MATCH_LIMIT, include_blocked=False, caller=page.key)
    summaries = opening_summaries(page, [m.opening_external_id for m in ranked.data])
    shown = [{"match": m, "score": percent(m.score), "opening": summaries.get(m.opening_external_id, {})}
             for m in ranked.data]
    suggested = [item for item, m in zip(shown, ranked.data) if not m.blocked]
    blocked = [item for item, m in zip(shown, ranked.data) if m.blocked]
    return {"external_id": external_id, "as_of": ranked.as_of, "model_version": ranked.model_version,
            "score_meaning": score_meaning(page.t, ranked.model_version),
            "suggested": suggested, "blocked": blocked, "show_blocked": show_blocked,
            "blocked_refused": show_blocked and not allowed_blocked}


def trainee_profile(page: Page, trainee: TraineePublic) -> list[tuple[str, str]]:
    """Her profile as label/value pairs, sensitive fields only as this key may read them (withheld: said so)."""
    t, reference = page.t, page.reference

    def flag(value: bool | None) -> str:
        return t("trainee.withheld") if value is None else t("yes" if value else "no")

    def listed(values: list[str] | None) -> str:
        return t("trainee.withheld") if values is None else (", ".join(values) or t("trainee.none"))

    return [
        (t("trainee.partner"), trainee.partner_org),
        (t("trainee.cohort"), trainee.cohort or ""),
        (t("trainee.status"), t(f"status.{trainee.status}")),
        (t("trainee.district"), trainee.district),
        (t("trainee.track"), occupation_name(reference, trainee.training_track)),
        (t("trainee.skills"), ", ".join(f"{skill_name(reference, s)} ({t(f'trainee.level_{s.level}')})"
                                        for s in trainee.skills) or t("trainee.none")),
        (t("trainee.languages"), ", ".join(trainee.languages) or t("trainee.none")),
        (t("trainee.education"), (trainee.education or "").replace("_", " ")),
        (t("trainee.preferred_sectors"), ", ".join(sector_name(reference, s) for s in trainee.preferred_sectors)
         or t("trainee.none")),
        (t("trainee.max_commute"), t("trainee.minutes", minutes=trainee.max_commute_minutes)),
        (t("trainee.expected_wage"),
         t("trainee.per_month", money=money(reference, trainee.expected_wage_inr, trainee.site))
         if trainee.expected_wage_inr is not None else ""),
        (t("trainee.available_from"), trainee.available_from.isoformat() if trainee.available_from else ""),
        (t("trainee.relocate"), flag(trainee.willing_to_relocate)),
        (t("trainee.night_ok"), flag(trainee.night_shift_ok)),
        (t("trainee.dependents"), flag(trainee.has_dependents)),
        (t("trainee.attendance"), f"{percent(trainee.attendance_rate)}%" if trainee.attendance_rate is not None
         else ""),
        (t("trainee.survivor"), flag(trainee.is_survivor)),
        (t("trainee.excluded_employers"), listed(trainee.excluded_employers)),
        (t("trainee.excluded_districts"), listed(trainee.excluded_districts)),
    ]


def trainee_page(page: Page, external_id: str, *, show_blocked: bool) -> dict[str, Any]:
    """A trainee's page: her matches first (scoring hands the connection back, so it comes before any other
    read of this unit of work), then her profile, consents, placements and follow-ups."""
    ranked = trainee_matches(page, external_id, show_blocked=show_blocked)
    trainee = trainees.get(session=page.session, external_id=external_id, caller=page.key)
    may_read_consents = "consents" in policy.sensitive_fields(page.key, partner_org=trainee.partner_org)
    her_consents = consents.list(session=page.session, trainee_external_id=external_id, caller=page.key) \
        if may_read_consents else []
    employer_names = employers.names(session=page.session, caller=page.key,
                                     external_ids={c.employer_external_id for c in her_consents})
    her_placements = placements.list(session=page.session, caller=page.key, page=Window(offset=0, limit=100),
                                     filters=placements.PlacementFilters(trainee_external_id=external_id)).data
    placed_at = opening_summaries(page, [p.opening_external_id for p in her_placements])
    her_followups = [f for p in her_placements for f in followups.list(
        session=page.session, caller=page.key, page=Window(offset=0, limit=10),
        filters=followups.FollowupFilters(placement_external_id=p.external_id)).data]
    return {**ranked, "trainee": trainee, "profile": trainee_profile(page, trainee),
            "consents": [{"consent": c, "employer": employer_names.get(c.employer_external_id, "")}
                         for c in her_consents], "consents_withheld": not may_read_consents,
            "placements": [{"placement": p, "opening": placed_at.get(p.opening_external_id, {})}
                           for p in her_placements],
            "followups": her_followups, "day": site_today(page.session)}


# ---- Openings ----

def opening_list(page: Page) -> dict[str, Any]:
    """The Openings screen: the search form and one page of what it finds."""
    params = page.request.query_params
    filters = filters_from(openings.OpeningSearch, params)
    if params.get("open_today"):
        filters = filters.model_copy(update={"open_as_of": site_today(page.session)})
    offset = offset_of(params.get("offset"))
    found = openings.search(session=page.session, filters=filters, page=Window(offset=offset, limit=PAGE_SIZE),
                            caller=page.key)
    names = employers.names(session=page.session, caller=page.key,
                            external_ids={o.employer_external_id for o in found.data})
    rows = [{"opening": o, "employer": names.get(o.employer_external_id, ""),
             "wage": money(page.reference, o.monthly_wage_inr, o.site)} for o in found.data]
    reference = page.reference
    options = {"districts": [(d.name, d.name) for d in sorted(reference.site.gazetteer.districts,
                                                              key=lambda d: d.name)],
               "sectors": sorted(reference.taxonomy.sectors.items(), key=lambda pair: pair[1]),
               "statuses": [(s, page.t(f"status.{s}")) for s in get_args(OpeningStatus)]}
    return {"filters": filters, "open_today": bool(params.get("open_today")), "rows": rows, "options": options,
            "paging": paging(page.request, offset=offset, shown=len(rows), count=found.count)}


def opening_page(page: Page, external_id: str) -> dict[str, Any]:
    """An opening's page: its ranked candidates (scored first: see `trainee_page`) and its details."""
    ranked = matches.rank_candidates(session=page.session, indexes=page.indexes, external_id=external_id, as_of=None,
                                     limit=CANDIDATE_LIMIT, caller=page.key)
    opening = openings.get(session=page.session, external_id=external_id, caller=page.key)
    employer = employers.names(session=page.session, caller=page.key, external_ids={opening.employer_external_id})
    reference, t = page.reference, page.t
    candidates = [{"candidate": c, "score": percent(c.score),
                   "track": occupation_name(reference, c.profile.training_track),
                   "skills": ", ".join(f"{s.name} ({t(f'trainee.level_{s.level}')})" for s in c.profile.skills)}
                  for c in ranked.data]
    details = [
        (t("opening.employer"), f"{employer.get(opening.employer_external_id, '')} ({opening.employer_external_id})"),
        (t("opening.occupation"), occupation_name(reference, opening.occupation_code) or opening.occupation),
        (t("opening.sector"), sector_name(reference, opening.sector)),
        (t("opening.district"), opening.district),
        (t("opening.wage"), money(reference, opening.monthly_wage_inr, opening.site)),
        (t("opening.positions"), str(opening.positions)),
        (t("opening.shift"), t(f"shift.{opening.shift}")),
        (t("opening.accommodation"), t("yes" if opening.accommodation_provided else "no")),
        (t("opening.transport"), t("yes" if opening.transport_provided else "no")),
        (t("opening.status"), t(f"status.{opening.status}")),
        (t("opening.posted_on"), opening.posted_on.isoformat() if opening.posted_on else ""),
        (t("opening.closes_on"), opening.closes_on.isoformat() if opening.closes_on else ""),
        (t("opening.required_skills"), ", ".join(f"{skill_name(reference, s)} ({t(f'trainee.level_{s.level}')})"
                                                 for s in opening.required_skills) or t("trainee.none")),
        (t("opening.languages"), ", ".join(opening.languages_required) or t("trainee.none")),
    ]
    return {"opening": opening, "details": details, "candidates": candidates, "as_of": ranked.as_of,
            "model_version": ranked.model_version, "score_meaning": score_meaning(t, ranked.model_version)}
