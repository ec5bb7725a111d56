"""Creating, checking and revoking API keys."""

from __future__ import annotations

import builtins
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, bindparam, or_, true
from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection, RowMapping
from sqlmodel import Session, col, select

from service.auth.models import ApiKey, Role
from service.core.db import table_of
from service.core.errors import Conflict, InvalidInput, NotFound, Unauthorized, Unresolvable
from service.core.models import utcnow
from service.core.rate_counters import counting_part
from service.records import changes

KEY_PREFIX = "jm_"
BindingCheck = Callable[..., None]  # (session=, employer_external_id=, partner_org=): the binding exists


def hash_key(raw_key: str) -> str:
    """SHA-256 of a key; keys carry 256 random bits, so a fast hash is enough."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


def create(*, session: Session, role: Role, name: str = "", employer_external_id: str | None = None,
           partner_org: str | None = None, expires_at: datetime | None = None,
           check_binding: BindingCheck | None = None) -> tuple[ApiKey, str]:
    """Create a key; returns the stored row and the raw key, which is shown only this once. `check_binding`
    (`service.keys.bindings.check`, the domains' answer) refuses an employer or partner that is not known."""
    if role == "employer" and not employer_external_id:
        raise InvalidInput("An employer key must be bound to an employer (--employer EXTERNAL_ID).")
    if role == "coordinator" and not partner_org:
        raise InvalidInput("A coordinator key must be bound to a partner organisation (--partner NAME).")
    if role not in ("employer",) and employer_external_id or role != "coordinator" and partner_org:
        raise InvalidInput("Only employer keys take an employer, and only coordinator keys a partner.")
    if check_binding is not None:
        check_binding(session=session, employer_external_id=employer_external_id, partner_org=partner_org)
    if expires_at is not None and _aware(expires_at) <= utcnow():
        raise Unresolvable("The key would be expired already; give an expiry in the future.",
                           errors=[{"loc": ["body", "expires_at"], "reason": "not in the future"}])
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name=name, role=role, employer_external_id=employer_external_id, partner_org=partner_org,
                 expires_at=expires_at, prefix=raw[:10], key_hash=hash_key(raw))
    session.add(key)
    session.flush()
    return key, raw


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _usable_admins(session: Session) -> builtins.list[ApiKey]:
    """Admin keys that still work (not revoked, not expired), locked until the transaction ends on PostgreSQL."""
    rows = session.exec(select(ApiKey).where(ApiKey.role == "admin", col(ApiKey.revoked_at).is_(None))
                        .with_for_update()).all()
    return [key for key in rows if key.expires_at is None or _aware(key.expires_at) > utcnow()]


def list(*, session: Session) -> builtins.list[ApiKey]:  # verb-named like every service
    """All keys, newest first."""
    return [*session.exec(select(ApiKey).order_by(col(ApiKey.id).desc())).all()]


def revoke(*, session: Session, key_id: int, caller: ApiKey | None = None) -> ApiKey:
    """Revoke a key; it answers 401 from then on. Over the API a key cannot revoke itself."""
    if caller is not None and key_id == caller.id:  # an admin locking itself out by mistake
        raise Conflict("A key cannot revoke itself; use another admin key or 'jobmatch keys revoke'.")
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"No API key with id {key_id}.")
    if key.revoked_at is None:
        if key.role == "admin" and [admin.id for admin in _usable_admins(session)] == [key.id]:
            raise Conflict("This is the last working admin key; create another admin key before revoking it.")
        key.revoked_at = utcnow()
        session.add(key)
        session.flush()
    return key


_KEY_BY_ID = core_select(table_of(ApiKey)).where(table_of(ApiKey).c.id == bindparam("key_id"))


def _key_and_change_id() -> Select[Any]:
    """The key with a hash, and the newest change id: one indexed read each, in one statement."""
    keys = table_of(ApiKey)
    return core_select(keys, changes.latest_id().label("change_id")).where(keys.c.key_hash == bindparam("key_hash"))


def _key_counted_and_change_id() -> Select[Any]:
    """PostgreSQL: as `_key_and_change_id`, and the request counted in the key's rate counter if the key is usable
    at `at` (a revoked or expired key is never counted): the whole fixed cost of a request in one round trip."""
    found = core_select(table_of(ApiKey)).where(table_of(ApiKey).c.key_hash == bindparam("key_hash")).cte("found")
    usable = core_select(found.c.key_hash).where(
        found.c.revoked_at.is_(None), or_(found.c.expires_at.is_(None), found.c.expires_at > bindparam("at")))
    counted = counting_part(usable)
    return (core_select(found, counted.c.tat_us, counted.c.allowed, changes.latest_id().label("change_id"))
            .select_from(found.outerjoin(counted, true())))


_KEY_AND_CHANGE_ID = _key_and_change_id()
_KEY_COUNTED_AND_CHANGE_ID = _key_counted_and_change_id()


@dataclass(frozen=True)
class Authenticated:
    """A request's key, the newest change id when it was read, and, when it was counted in the same statement, the
    rate counter's verdict (`tat_us`, `allowed`)."""

    key: ApiKey
    change_id: int
    verdict: tuple[int, bool] | None = None


def authenticate(*, connection: Connection, raw_key: str, count: dict[str, int] | None = None) -> Authenticated:
    """The key a bearer token names, if it is valid now, as a detached value, with the newest change id (one Core
    statement, no ORM session: every /v1 request pays for it). With `count` (the rate counter's parameters,
    PostgreSQL only) the request is counted against the key in the same statement."""
    now = utcnow()
    if count is None:
        row = connection.execute(_KEY_AND_CHANGE_ID, {"key_hash": hash_key(raw_key)}).mappings().first()
    else:
        row = connection.execute(_KEY_COUNTED_AND_CHANGE_ID,
                                 {"key_hash": hash_key(raw_key), "at": now, **count}).mappings().first()
    if row is None:
        raise Unauthorized("The API key is not valid.")
    values = dict(row)
    change_id, tat, allowed = values.pop("change_id"), values.pop("tat_us", None), values.pop("allowed", None)
    key = _valid(values, now)
    return Authenticated(key=key, change_id=change_id or 0,
                         verdict=None if count is None or tat is None else (tat, bool(allowed)))


def find_valid(*, session: Session, key_id: int) -> ApiKey:
    """The key with this id, if it is valid now (a console session names its key by id and re-checks it on every
    request, so a revocation or expiry applies at once)."""
    return _valid(session.connection().execute(_KEY_BY_ID, {"key_id": key_id}).mappings().first())


def _valid(row: RowMapping | dict[str, Any] | None, now: datetime | None = None) -> ApiKey:
    if row is None:
        raise Unauthorized("The API key is not valid.")
    key = ApiKey(**row)
    if key.revoked_at is not None:
        raise Unauthorized("The API key has been revoked.")
    if key.expires_at is not None and _aware(key.expires_at) <= (now or utcnow()):
        raise Unauthorized("The API key has expired.")
    return key


def any_admin(*, session: Session) -> bool:
    """Whether a usable admin key exists."""
    admin = select(ApiKey.id).where(ApiKey.role == "admin", col(ApiKey.revoked_at).is_(None))
    return session.exec(admin).first() is not None


