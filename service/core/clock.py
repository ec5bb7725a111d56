"""The one clock: the programme's "today" is the site's calendar day, whatever timezone the server runs in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def site_today(timezone: str, *, now: datetime | None = None) -> date:
    """Today's date in the site's timezone (an IANA name such as 'Asia/Kolkata')."""
    moment = now if now is not None else datetime.now(UTC)
    return moment.astimezone(ZoneInfo(timezone)).date()
