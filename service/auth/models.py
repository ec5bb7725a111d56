"""API keys: random secrets stored only as a hash, each with a role and an optional binding."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, TypeGuard

from sqlalchemy import Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from service.core.models import UtcDateTime, utcnow

Role = Literal["admin", "coordinator", "employer", "batch"]
ROLES: tuple[str, ...] = ("admin", "coordinator", "employer", "batch")


def is_role(value: str) -> TypeGuard[Role]:
    """Whether a string (as the CLI reads it) names a role."""
    return value in ROLES


class ApiKeyBase(SQLModel):
    name: str = Field(default="", max_length=200)
    role: Role = Field(sa_type=String(16))
    employer_external_id: str | None = Field(default=None, max_length=64)
    partner_org: str | None = Field(default=None, max_length=64)
    expires_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ApiKey(ApiKeyBase, table=True):
    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    prefix: str = Field(max_length=16, index=True, description="First characters, to recognise a key in lists.")
    key_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ApiKeyPublic(ApiKeyBase):
    id: int
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


class SignedInSession(SQLModel, table=True):
    """A console session: the random id its signed cookie carries, whose key it is and until when. Signing out
    deletes it, so a copy of the cookie stops working at once."""

    __tablename__ = "signed_in_session"

    id: str = Field(primary_key=True, max_length=43)
    key_id: int = Field(sa_column=Column(Integer, ForeignKey("api_key.id", ondelete="CASCADE"), nullable=False,
                                         index=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime, index=True)
