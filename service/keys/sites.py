"""The sites a key works in: a partner's coordinators in the sites of its trainees, an employer's key in its
employer's site, admin and batch keys in every site. Read from the stored records on every query, so a key
follows its partner or employer without being reissued."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import false
from sqlmodel import Session, col, select

from service.auth.models import ApiKey
from service.core.errors import Forbidden, NotFound
from service.core.reference import Reference
from service.employers.models import Employer
from service.trainees.models import Trainee


def key_sites(key: ApiKey) -> Any | None:
    """A SELECT of the site codes this key works in (None: every site)."""
    if key.role == "coordinator":
        return select(Trainee.site).where(Trainee.partner_org == key.partner_org).distinct()
    if key.role == "employer":
        return select(Employer.site).where(Employer.external_id == key.employer_external_id)
    return None


def within_key_sites(column: Any, key: ApiKey) -> list[Any]:
    """SQL conditions keeping rows whose site column is one this key works in (none for admin and batch)."""
    if key.role == "coordinator" and key.partner_org is None:
        return [false()]
    sites = key_sites(key)
    return [] if sites is None else [col(column).in_(sites)]


def key_site_codes(*, session: Session, key: ApiKey) -> set[str] | None:
    """The site codes this key works in (None: every site)."""
    sites = key_sites(key)
    return None if sites is None else set(session.exec(sites).all())


def site_for(*, session: Session, key: ApiKey, reference: Reference, asked: str | None) -> str:
    """The site a request is about: the one asked for (served, and one the key works in: 404 otherwise, as for an
    unknown site), else the key's own (the default site when it has several), else the default site."""
    mine = key_site_codes(session=session, key=key)
    if asked is not None:
        if asked not in reference.served() or (mine is not None and asked not in mine):
            raise NotFound(f"No site '{asked}' for this key (served: {', '.join(reference.served())}).")
        return asked
    if mine and reference.code not in mine:
        return sorted(mine)[0]
    return reference.code


def check_within_key_sites(*, session: Session, values: Mapping[str, Any], caller: ApiKey) -> None:
    """Before a write: a coordinator's or employer's key may write records of its own sites only (Forbidden)."""
    mine = key_site_codes(session=session, key=caller)
    if mine and values.get("site") not in mine:
        raise Forbidden(f"This key works in {', '.join(sorted(mine))}; the record's district is in site "
                        f"'{values.get('site')}'.")
