"""Stored answers to POST requests sent with an Idempotency-Key, per client, kept 24 hours."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.core.models import UtcDateTime, utcnow


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("client", "idempotency_key", name="uq_idempotency_client_key"),)

    id: int | None = Field(default=None, primary_key=True)
    client: str = Field(max_length=64, description="Hash of the API key that sent the request.")
    idempotency_key: str = Field(max_length=200)
    method: str = Field(max_length=8)
    path: str = Field(max_length=500)
    request_hash: str = Field(max_length=64)
    status_code: int
    content_type: str = Field(max_length=100)
    body: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, index=True)
