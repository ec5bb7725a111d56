"""Service secrets kept in the database (so every worker and restart agrees), created on first use."""

from __future__ import annotations

import secrets

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel


class ServiceSecret(SQLModel, table=True):
    __tablename__ = "service_secret"

    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=128)


_CACHE: dict[tuple[int, str], bytes] = {}


def get(*, session: Session, name: str) -> bytes:
    """The named secret (32 random bytes, hex), created the first time it is asked for."""
    cache_key = (id(session.get_bind()), name)
    if cache_key not in _CACHE:
        row = session.get(ServiceSecret, name)
        if row is None:
            try:
                with session.begin_nested():  # a savepoint: the caller's unit of work commits it
                    session.add(ServiceSecret(name=name, value=secrets.token_hex(32)))
            except IntegrityError:
                pass  # another worker created it first: read theirs
            row = session.get(ServiceSecret, name)
            if row is None:
                raise RuntimeError(f"service secret {name!r} was neither found nor created")
        _CACHE[cache_key] = bytes.fromhex(row.value)
    return _CACHE[cache_key]
