"""Market signal rows: which a key may see (every one, except for an employer's key: none)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import false

from service.auth.models import ApiKey
from service.records.resource import Scope


def visible(key: ApiKey) -> list[Any]:
    """SQL conditions restricting market signals to the rows this key may see."""
    return [false()] if key.role == "employer" else []


SCOPE = Scope(visible=visible)
