"""Which trainees a key may see, create and write: a coordinator only her partner's, an employer's key none.
Erased trainees' anonymised stubs are statistics, not records: nobody reads them through the API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import false

from service.auth.models import ApiKey
from service.core.errors import Forbidden
from service.records.resource import Scope
from service.trainees.models import Trainee


def visible(key: ApiKey) -> list[Any]:
    """SQL conditions restricting trainees to the rows this key may see."""
    erased = [Trainee.erased_at.is_(None)]
    if key.role == "coordinator":
        return erased + ([Trainee.partner_org == key.partner_org] if key.partner_org is not None else [false()])
    if key.role == "employer":
        return erased + [false()]
    return erased


def namespace(key: ApiKey) -> str | None:
    """The external-id prefix under which a key creates new trainees (None: no restriction). A key may create
    records only in its own namespace, so that creating an id it cannot see answers exactly as another party's
    existing id does (404), never telling which ids exist."""
    return f"{key.partner_org}:" if key.role == "coordinator" else None


def may_create(key: ApiKey, external_id: str) -> bool:
    """Whether a key may create a trainee under this (unused) external id."""
    prefix = namespace(key)
    return prefix is None or (external_id.startswith(prefix) and len(external_id) > len(prefix))


def check_ownership(key: ApiKey, values: Mapping[str, Any]) -> None:
    """A coordinator may only create or move trainees into her own partner."""
    if key.role == "coordinator" and values.get("partner_org") != key.partner_org:
        raise Forbidden(f"This key works for partner '{key.partner_org}'; partner_org must be that.")


def candidate_pool(key: ApiKey) -> list[Any]:
    """Which trainees a key may see as candidates for an opening: a coordinator only her partner's; admin, batch
    and employer keys every job-ready trainee (employers only ever in the anonymised view)."""
    return visible(key) if key.role == "coordinator" else [Trainee.erased_at.is_(None)]


SCOPE = Scope(visible=visible, may_create=may_create, check_ownership=check_ownership)
