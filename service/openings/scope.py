"""Which openings a key may see, create and write: an employer's key only its own employer's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.auth.models import ApiKey
from service.core.errors import Forbidden
from service.openings.models import Opening
from service.records.resource import Scope


def own_employer(key: ApiKey) -> str | None:
    """The employer whose openings this key (an employer's) posts; None for every other key."""
    return key.employer_external_id if key.role == "employer" else None


def visible(key: ApiKey) -> list[Any]:
    """SQL conditions restricting openings to the rows this key may see."""
    return [Opening.employer_external_id == key.employer_external_id] if key.role == "employer" else []


def may_create(key: ApiKey, external_id: str) -> bool:
    """Whether a key may create an opening under this (unused) external id: an employer's key only in its
    employer's namespace ('<employer>:...'), so that an id it cannot see answers as an unused one would."""
    prefix = f"{key.employer_external_id}:" if key.role == "employer" else None
    return prefix is None or (external_id.startswith(prefix) and len(external_id) > len(prefix))


def check_ownership(key: ApiKey, values: Mapping[str, Any]) -> None:
    """An employer's key may only post openings of its own employer."""
    if key.role == "employer" and values.get("employer_external_id") != key.employer_external_id:
        raise Forbidden("An employer key may only post openings of its own employer.")


SCOPE = Scope(visible=visible, may_create=may_create, check_ownership=check_ownership)
