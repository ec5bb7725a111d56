"""Which employers a key may see: an employer's key only its own."""

from __future__ import annotations

from typing import Any

from service.auth.models import ApiKey
from service.employers.models import Employer
from service.records.resource import Scope


def visible(key: ApiKey) -> list[Any]:
    """SQL conditions restricting employers to the rows this key may see."""
    return [Employer.external_id == key.employer_external_id] if key.role == "employer" else []


SCOPE = Scope(visible=visible)
