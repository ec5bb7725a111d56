"""Calendar months and the follow-up schedule: one home, matching.dates."""

from __future__ import annotations

import datetime

import pytest

from matching.dates import FOLLOWUP_MONTHS, add_months, months_before
from matching.outcome_data import BOUNDARIES, INTERVALS


@pytest.mark.parametrize(("day", "months", "expected"), [
    (datetime.date(2025, 1, 31), 1, datetime.date(2025, 2, 28)),     # shorter month: its last day
    (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),     # leap year
    (datetime.date(2025, 3, 31), 3, datetime.date(2025, 6, 30)),
    (datetime.date(2025, 11, 15), 3, datetime.date(2026, 2, 15)),    # across the year end
    (datetime.date(2025, 12, 31), 12, datetime.date(2026, 12, 31)),
    (datetime.date(2026, 3, 31), -1, datetime.date(2026, 2, 28)),    # backwards
    (datetime.date(2026, 1, 15), -13, datetime.date(2024, 12, 15)),
    (datetime.date(2026, 5, 20), 0, datetime.date(2026, 5, 20)),
])
def test_add_months_keeps_the_day_or_takes_the_month_end(day: datetime.date, months: int,
                                                        expected: datetime.date) -> None:
    assert add_months(day, months) == expected
    assert months_before(day, -months) == expected


def test_months_before_is_add_months_backwards() -> None:
    day = datetime.date(2026, 8, 31)
    for months in range(-30, 31):
        assert months_before(day, months) == add_months(day, -months)


def test_the_follow_up_schedule_is_one_constant() -> None:
    assert FOLLOWUP_MONTHS == (1, 3, 6, 12)
    assert BOUNDARIES == (0, *FOLLOWUP_MONTHS)
    assert [high for _, high in INTERVALS] == list(FOLLOWUP_MONTHS)


def test_the_demo_generator_and_the_service_use_the_constant() -> None:
    from typing import get_args

    from demo import history
    from service.followups import models, schedule, service

    assert history.FOLLOWUP_MONTHS is FOLLOWUP_MONTHS
    assert schedule.FOLLOWUP_MONTHS is FOLLOWUP_MONTHS and schedule.add_months is add_months
    assert service.FOLLOWUP_MONTHS is FOLLOWUP_MONTHS
    assert get_args(models.FollowupMonth) == FOLLOWUP_MONTHS
