"""Market signal rows: which a key may see (those of its site; an employer's key none)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import false

from service.auth.models import ApiKey
from service.keys.sites import within_key_sites
from service.market_signals.models import MarketSignal
from service.records.resource import Scope


def visible(key: ApiKey) -> list[Any]:
    """SQL conditions restricting market signals to the rows this key may see: a coordinator's those of its
    partner's site."""
    return [false()] if key.role == "employer" else within_key_sites(MarketSignal.site, key)


SCOPE = Scope(visible=visible)
