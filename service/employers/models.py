"""Employer partners: the model family."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from service.core.models import (
    SITE_DESCRIPTION,
    Code,
    Day,
    ExternalId,
    Flag,
    InSitePublic,
    Latitude,
    Longitude,
    ShortText,
    Tracked,
    TrackedPublic,
)


class EmployerBase(SQLModel):
    name: ShortText = Field(max_length=200)
    sector: Code = Field(max_length=64, index=True)
    district: Code = Field(max_length=64, index=True)
    lat: Latitude | None = None
    lon: Longitude | None = None
    vetted: Flag = Field(default=False, description="Passed the programme's safety and labour-standards check.")
    vetted_on: Day | None = Field(default=None, description="Date of that check; older than 12 months has lapsed.")


class EmployerCreate(EmployerBase):
    model_config = {"extra": "forbid"}


class EmployerUpdate(SQLModel):
    model_config = {"extra": "forbid"}

    name: ShortText | None = None
    sector: Code | None = None
    district: Code | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    vetted: Flag | None = None
    vetted_on: Day | None = None


class Employer(EmployerBase, Tracked, table=True):
    id: int | None = Field(default=None, primary_key=True)
    site: str = Field(max_length=64, index=True, description=SITE_DESCRIPTION)
    external_id: str = Field(max_length=64, unique=True, index=True)


class EmployerPublic(EmployerBase, InSitePublic, TrackedPublic):
    external_id: ExternalId


class EmployersPublic(SQLModel):
    data: list[EmployerPublic]
    count: int
