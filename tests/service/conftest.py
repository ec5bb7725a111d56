"""Fixtures shared by the service tests."""

from __future__ import annotations

import datetime

import pytest

TODAY = datetime.date(2026, 11, 1)


@pytest.fixture
def frozen_today(monkeypatch):
    """The site's 'today' (an employer key cannot choose another day), so that the test world's dates stay valid
    whenever the tests run: noon UTC, the same calendar day in every site's timezone from UTC-11 to UTC+11."""
    from service.core import clock
    monkeypatch.setattr(clock, "now", lambda: datetime.datetime.combine(TODAY, datetime.time(12),
                                                                       datetime.UTC))
    return TODAY
