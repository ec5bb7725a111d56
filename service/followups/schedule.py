"""The follow-up schedule: every placement is checked 1, 3, 6 and 12 months after it starts."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from sqlmodel import Session

from matching.dates import FOLLOWUP_MONTHS, add_months
from service.followups import repository
from service.followups.models import Followup
from service.records import writes


def schedule(*, session: Session, placements: Iterable[tuple[str, datetime.date, datetime.date | None]]) -> int:
    """Create the follow-ups a placement is due (up to the day it ended); existing ones are left as they are."""
    wanted = {(pid, month): add_months(start, month) for pid, start, ended in placements for month in FOLLOWUP_MONTHS
              if ended is None or add_months(start, month) <= ended}
    if not wanted:
        return 0
    existing = repository.list_scheduled(session=session, placement_external_ids={pid for pid, _ in wanted})
    rows = [{"placement_external_id": pid, "month": month, "due_on": due, "risk_flag": False}
            for (pid, month), due in wanted.items() if (pid, month) not in existing]
    writes.insert_many(session=session, table=Followup, rows=rows, action="schedule")
    return len(rows)
