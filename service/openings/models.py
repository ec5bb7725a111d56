"""Openings offered by employer partners: the model family."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import JSON, String
from sqlmodel import Field, SQLModel

from service.core.models import (
    MAX_LIST_ITEMS,
    Code,
    Day,
    ExternalId,
    Flag,
    LanguageCode,
    Latitude,
    Longitude,
    MonthlyMoney,
    ShortText,
    SkillLevel,
    Tracked,
    TrackedPublic,
)

Shift = Literal["day", "night", "rotating"]
OpeningStatus = Literal["open", "closed"]


class OpeningBase(SQLModel):
    employer_external_id: ExternalId = Field(foreign_key="employer.external_id", max_length=64, index=True)
    title: ShortText = Field(max_length=200)
    occupation: ShortText = Field(max_length=200, description="As given; mapped onto the taxonomy in occupation_code.")
    sector: Code | None = Field(default=None, max_length=64, index=True)
    required_skills: list[SkillLevel] = Field(default_factory=list, sa_type=JSON, max_length=MAX_LIST_ITEMS)
    district: Code = Field(max_length=64, index=True)
    lat: Latitude | None = None
    lon: Longitude | None = None
    monthly_wage_inr: MonthlyMoney
    positions: int = Field(default=1, ge=0, le=10_000)
    shift: Shift = Field(default="day", sa_type=String(16))
    accommodation_provided: Flag = False
    transport_provided: Flag = False
    languages_required: list[LanguageCode] = Field(default_factory=list, sa_type=JSON, max_length=20)
    status: OpeningStatus = Field(default="open", sa_type=String(16), index=True)
    posted_on: Day | None = None
    closes_on: Day | None = None


class OpeningCreate(OpeningBase):
    model_config = {"extra": "forbid"}


class OpeningUpdate(SQLModel):
    model_config = {"extra": "forbid"}

    title: ShortText | None = None
    occupation: ShortText | None = None
    sector: Code | None = None
    required_skills: list[SkillLevel] | None = Field(default=None, max_length=MAX_LIST_ITEMS)
    district: Code | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    monthly_wage_inr: MonthlyMoney | None = None
    positions: int | None = Field(default=None, ge=0, le=10_000)
    shift: Shift | None = None
    accommodation_provided: Flag | None = None
    transport_provided: Flag | None = None
    languages_required: list[LanguageCode] | None = Field(default=None, max_length=20)
    status: OpeningStatus | None = None
    posted_on: Day | None = None
    closes_on: Day | None = None


class Opening(OpeningBase, Tracked, table=True):
    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=64, unique=True, index=True)
    occupation_code: str | None = Field(default=None, max_length=64, index=True)


class OpeningPublic(OpeningBase, TrackedPublic):
    external_id: ExternalId
    occupation_code: str | None = None


class OpeningsPublic(SQLModel):
    data: list[OpeningPublic]
    count: int
