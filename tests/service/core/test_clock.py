"""One clock: 'today' is the site's calendar day, also when the server's UTC day is another one."""

from __future__ import annotations

import datetime

import pytest

from service.core import clock

UTC = datetime.UTC


@pytest.mark.parametrize(("utc_instant", "kolkata_day"), [
    (datetime.datetime(2026, 12, 2, 18, 29, tzinfo=UTC), datetime.date(2026, 12, 2)),  # 23:59 in Kolkata
    (datetime.datetime(2026, 12, 2, 18, 30, tzinfo=UTC), datetime.date(2026, 12, 3)),  # midnight in Kolkata
    (datetime.datetime(2026, 12, 2, 23, 59, tzinfo=UTC), datetime.date(2026, 12, 3)),  # UTC still on the 2nd
])
def test_today_turns_at_the_sites_midnight_not_the_servers(monkeypatch, utc_instant, kolkata_day):
    monkeypatch.setattr(clock, "now", lambda: utc_instant)
    assert clock.site_today("Asia/Kolkata") == kolkata_day
    assert clock.site_today("Asia/Phnom_Penh") == (utc_instant + datetime.timedelta(hours=7)).date()
