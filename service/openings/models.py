"""Openings offered by employer partners: the model family."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator
from pydantic import Field as PydanticField
from sqlalchemy import JSON, String
from sqlmodel import Field, SQLModel

from service.core.models import (
    MAX_LIST_ITEMS,
    SITE_DESCRIPTION,
    Code,
    Day,
    ExternalId,
    Flag,
    InSitePublic,
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


def _category_code(value: Any) -> Any:
    """``Semi-skilled`` and ``semi skilled`` read as the code ``semi_skilled``."""
    return value.strip().casefold().replace("-", "_").replace(" ", "_") if isinstance(value, str) else value


WageCategory = Annotated[Literal["unskilled", "semi_skilled", "skilled", "highly_skilled"],
                         BeforeValidator(_category_code)]


class RequiredSkill(SkillLevel):
    """A skill the opening asks for, at a level; an essential one must be held at that level."""

    essential: bool = PydanticField(
        default=False, description="She must hold this skill at the level asked to qualify (the programme's "
                                   "qualification rule); other required skills need only be near it.")


class OpeningBase(SQLModel):
    employer_external_id: ExternalId = Field(foreign_key="employer.external_id", max_length=64, index=True)
    title: ShortText = Field(max_length=200)
    occupation: ShortText = Field(max_length=200, description="As given; mapped onto the taxonomy in occupation_code.")
    sector: Code | None = Field(default=None, max_length=64, index=True)
    required_skills: list[RequiredSkill] = Field(default_factory=list, sa_type=JSON, max_length=MAX_LIST_ITEMS)
    district: Code = Field(max_length=64, index=True)
    lat: Latitude | None = None
    lon: Longitude | None = None
    monthly_wage_inr: MonthlyMoney
    wage_category: WageCategory | None = Field(
        default=None, sa_type=String(16),
        description="The minimum-wage category the job is paid under (unskilled, semi_skilled, skilled, "
                    "highly_skilled); empty: the occupation's usual category.")
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
    required_skills: list[RequiredSkill] | None = Field(default=None, max_length=MAX_LIST_ITEMS)
    district: Code | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    monthly_wage_inr: MonthlyMoney | None = None
    wage_category: WageCategory | None = None
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
    site: str = Field(max_length=64, index=True, description=SITE_DESCRIPTION)
    external_id: str = Field(max_length=64, unique=True, index=True)
    occupation_code: str | None = Field(default=None, max_length=64, index=True)


class OpeningPublic(OpeningBase, InSitePublic, TrackedPublic):
    external_id: ExternalId
    occupation_code: str | None = None


class OpeningsPublic(SQLModel):
    data: list[OpeningPublic]
    count: int
