"""Consents: a trainee's recorded agreement (or its withdrawal) to be introduced to one employer."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import BigInteger, Column, Integer, String
from sqlmodel import Field, SQLModel

from service.core.models import ExternalId, ShortText, UtcDateTime, utcnow

ConsentStatus = Literal["given", "withdrawn"]


class ConsentBase(SQLModel):
    employer_external_id: ExternalId = Field(foreign_key="employer.external_id", max_length=64, index=True)
    status: ConsentStatus = Field(sa_type=String(16))
    recorded_by: ShortText = Field(max_length=200, description="Who took her consent (a coordinator's name or role).")
    note: ShortText | None = Field(default=None, max_length=200)


class ConsentCreate(ConsentBase):
    model_config = {"extra": "forbid"}


class Consent(ConsentBase, table=True):
    id: int | None = Field(default=None,
                           sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True))
    trainee_external_id: str = Field(foreign_key="trainee.external_id", max_length=64, index=True)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    key_id: int | None = None


class ConsentPublic(ConsentBase):
    trainee_external_id: str
    recorded_at: datetime


class ConsentsPublic(SQLModel):
    data: list[ConsentPublic]
    count: int
