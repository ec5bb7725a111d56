"""Audit events: append-only (the database refuses updates), one per read or write of a trainee record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Integer
from sqlmodel import Field, SQLModel

from service.core.models import UtcDateTime, utcnow


class AuditEventBase(SQLModel):
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, index=True)
    key_id: int | None = Field(default=None, index=True, description="The API key; null for the command line.")
    key_prefix: str | None = Field(default=None, max_length=16)
    role: str = Field(max_length=16, description="admin, coordinator, employer, batch, or cli.")
    action: str = Field(max_length=32, index=True, description="read, list, create, update, delete, erase, import, ...")
    entity: str = Field(max_length=32, index=True)
    external_id: str = Field(max_length=200, index=True)


class AuditEvent(AuditEventBase, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None,
                           sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True))


class AuditEventPublic(AuditEventBase):
    id: int


class AuditEventsPublic(SQLModel):
    data: list[AuditEventPublic]
    count: int


class AuditSubject(SQLModel, table=True):
    """Links the pseudonym an audit event names a trainee by to her programme id. Erasure deletes the link:
    the events stay (who read what, when) but no longer name her."""

    __tablename__ = "audit_subject"

    token: str = Field(primary_key=True, max_length=64)
    external_id: str = Field(max_length=64, unique=True, index=True)


class AuditPurge(SQLModel, table=True):
    """A one-transaction permit: the database refuses to delete audit events unless one exists (the audited
    retention command inserts it, deletes old events and removes it again)."""

    __tablename__ = "audit_purge"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
