"""The one clock: the programme's "today" is the site's calendar day, whatever timezone the server runs in.
Everything that takes a default date asks `site_today`; tests move time by replacing `now` here alone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def now() -> datetime:
    """The current instant (timezone-aware, UTC)."""
    return datetime.now(UTC)


def site_today(timezone: str) -> date:
    """Today's date in the site's timezone (an IANA name such as 'Asia/Kolkata')."""
    return now().astimezone(ZoneInfo(timezone)).date()
