"""Calendar months: adding and subtracting them, and the months after a start that follow-ups are due."""

from __future__ import annotations

import calendar
import datetime

__all__ = ["FOLLOWUP_MONTHS", "add_months", "months_before"]

#: Months after a placement starts at which the programme checks on her: the follow-up schedule.
FOLLOWUP_MONTHS: tuple[int, ...] = (1, 3, 6, 12)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months later (the month's last day when it is shorter)."""
    total = day.year * 12 + (day.month - 1) + int(months)
    year, month = divmod(total, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months earlier (the month's last day when it is shorter)."""
    return add_months(day, -months)
