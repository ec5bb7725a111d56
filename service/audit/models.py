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

    id: int | None = Field(default=None, sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True))


class AuditEventPublic(AuditEventBase):
    id: int


class AuditEventsPublic(SQLModel):
    data: list[AuditEventPublic]
    count: int
