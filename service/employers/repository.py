"""Employer rows: which a key may see (an employer's key only its own), and the statements that read them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from service.auth.models import ApiKey
from service.employers.models import Employer
from service.keys.sites import within_key_sites
from service.records.resource import Scope


def visible(key: ApiKey) -> list[Any]:
    """SQL conditions restricting employers to the rows this key may see: an employer's key its own, a
    coordinator's those of its partner's site."""
    if key.role == "employer":
        return [Employer.external_id == key.employer_external_id]
    return within_key_sites(Employer.site, key)


SCOPE = Scope(visible=visible)
CHUNK = 1000  # ids per IN (...) list


def list_vetting(*, session: Session) -> list[dict[str, Any]]:
    """Every employer's external id and vetting state (a few thousand rows at most)."""
    return [dict(row) for row in session.execute(
        select(col(Employer.external_id), col(Employer.vetted), col(Employer.vetted_on))).mappings()]


def sites(*, session: Session, external_ids: Collection[str]) -> dict[str, str]:
    """These employers' sites by external id."""
    ordered = sorted(external_ids)
    return {external_id: site for start in range(0, len(ordered), CHUNK) for external_id, site in session.execute(
        select(col(Employer.external_id), col(Employer.site)).where(
            col(Employer.external_id).in_(ordered[start:start + CHUNK])))}


def names(*, session: Session, external_ids: Collection[str], conditions: Sequence[Any] = ()) -> dict[str, str]:
    """These employers' names by external id (among those the conditions allow)."""
    ordered = sorted(external_ids)
    return {external_id: name for start in range(0, len(ordered), CHUNK) for external_id, name in session.execute(
        select(col(Employer.external_id), col(Employer.name)).where(
            col(Employer.external_id).in_(ordered[start:start + CHUNK]), *conditions))}
