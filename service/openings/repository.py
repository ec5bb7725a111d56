"""Opening rows: which a key may see, create and write (an employer's key only its own employer's), and the
statements that read them."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, inspect, or_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from service.auth.models import ApiKey
from service.core.errors import Forbidden
from service.keys.sites import within_key_sites
from service.openings.models import Opening
from service.records.resource import Scope

CHUNK = 1000  # ids per IN (...) list


def own_employer(key: ApiKey) -> str | None:
    """The employer whose openings this key (an employer's) posts; None for every other key."""
    return key.employer_external_id if key.role == "employer" else None


def visible(key: ApiKey) -> list[Any]:
    """SQL conditions restricting openings to the rows this key may see: an employer's key its own employer's, a
    coordinator's those of its partner's site."""
    if key.role == "employer":
        return [Opening.employer_external_id == key.employer_external_id]
    return within_key_sites(Opening.site, key)


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


def of_site(site: str) -> list[Any]:
    """SQL conditions keeping the openings of one site."""
    return [col(Opening.site) == site]


def list_records(*, session: Session, ids: Collection[str] | None = None, open_only: bool = True,
                 conditions: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Opening rows as dicts: all of them or those with these ids (open ones only by default)."""
    statement = sql_select(inspect(Opening).local_table).where(*conditions)
    if open_only:
        statement = statement.where(col(Opening.status) == "open")
    if ids is None:
        return [dict(row) for row in session.execute(statement).mappings()]
    ordered = sorted(ids)
    return [dict(row) for start in range(0, len(ordered), CHUNK) for row in session.execute(
        statement.where(col(Opening.external_id).in_(ordered[start:start + CHUNK]))).mappings()]


def list_ids_of_employers(*, session: Session, employer_external_ids: Collection[str]) -> set[str]:
    """The external ids of these employers' openings."""
    return set(session.exec(select(Opening.external_id).where(
        col(Opening.employer_external_id).in_(sorted(employer_external_ids)))))


def text_contains(text: str) -> ColumnElement[bool]:
    """The SQL condition for openings whose title or id contains this text (case ignored; % and _ are plain)."""
    wanted = text.strip().lower()
    return or_(func.lower(col(Opening.title)).contains(wanted, autoescape=True),
               func.lower(col(Opening.external_id)).contains(wanted, autoescape=True))


def list_by_ids(*, session: Session, external_ids: Collection[str], conditions: Sequence[Any]) -> list[Opening]:
    """The openings with these ids that the conditions allow."""
    ordered = sorted(external_ids)
    return [row for start in range(0, len(ordered), CHUNK) for row in session.exec(
        select(Opening).where(col(Opening.external_id).in_(ordered[start:start + CHUNK]), *conditions))]
