"""What the pages show: each function calls the domain services (the same ones the API calls, so scoping and
auditing are theirs) and turns their answers into plain values for a template. Numbers are rounded here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from service.console.web import Page
from service.core.errors import NotFound
from service.core.models import Page as Paging
from service.followups import service as followups
from service.followups.models import FollowupPublic
from service.nightly import service as nightly
from service.records.unit_of_work import today as site_today

DUE_WINDOW_DAYS = 7


@dataclass(frozen=True)
class Due:
    """A follow-up that is due: overdue or within the week."""

    followup: FollowupPublic
    overdue: bool
    days: int  # days overdue (positive) or until due


def due_followups(page: Page, day: datetime.date) -> tuple[list[Due], int]:
    """Follow-ups not yet done and due by the end of the week (overdue ones included), her open risk flags
    first, then the longest overdue; and how many there are in all."""
    limit = page.request.app.state.settings.max_page_size
    found = followups.list(session=page.session, caller=page.key, page=Paging(offset=0, limit=limit),
                           filters=followups.FollowupFilters(due_before=day + datetime.timedelta(DUE_WINDOW_DAYS + 1)))
    due = [Due(followup=row, overdue=row.due_on is not None and row.due_on < day,
               days=abs((day - row.due_on).days) if row.due_on else 0) for row in found.data]
    due.sort(key=lambda d: (not d.followup.trainee_risk_flag, d.followup.due_on or day,
                            d.followup.placement_external_id, d.followup.month))
    return due, found.count


def last_run(page: Page) -> dict[str, Any] | None:
    """The newest complete nightly run and how many of its proposals this key sees still wait for a decision."""
    try:
        run = nightly.latest_run(session=page.session)
    except NotFound:
        return None
    proposals, _ = nightly.proposals(session=page.session, run=run, caller=page.key, kind="proposal", page=None)
    return {"run": run, "waiting": sum(1 for p in proposals if p.status == "proposed"), "proposals": len(proposals)}


def today(page: Page) -> dict[str, Any]:
    """The Today screen: follow-ups due, last night's run, imports."""
    day = site_today(page.session)
    due, total = due_followups(page, day)
    return {"day": day, "due": due, "due_total": total, "flagged": sum(1 for d in due if d.followup.trainee_risk_flag),
            "overdue": sum(1 for d in due if d.overdue), "run": last_run(page)}
