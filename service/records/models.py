"""One row per written record: the in-memory match index reads what changed since it last looked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Integer
from sqlmodel import Field, SQLModel

from service.core.models import UtcDateTime, utcnow


class Change(SQLModel, table=True):
    __tablename__ = "change_log"

    # BIGINT on PostgreSQL; plain INTEGER on SQLite, where only that type auto-increments.
    id: int | None = Field(default=None,
                           sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True))
    entity: str = Field(max_length=32, index=True)
    external_id: str = Field(max_length=200)
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
