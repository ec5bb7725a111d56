"""Pieces shared by every entity's model family."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field as PydanticField, StringConstraints
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                                              pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
LanguageCode = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z]{2}$")]
Latitude = Annotated[float, PydanticField(ge=-90, le=90)]
Longitude = Annotated[float, PydanticField(ge=-180, le=180)]
MonthlyMoney = Annotated[int, PydanticField(ge=0, le=10_000_000)]
MAX_LIST_ITEMS = 100


def utcnow() -> datetime:
    """Timezone-aware now, the one clock for timestamps."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator):
    """Timestamps stored and returned as timezone-aware UTC on every database (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:  # noqa: ANN001
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:  # noqa: ANN001
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class SkillLevel(BaseModel):
    """A skill as a coordinator typed it, with its level and the taxonomy entry it maps to."""

    model_config = ConfigDict(extra="forbid")

    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    level: int = PydanticField(ge=1, le=3, description="1 basic, 2 working, 3 proficient.")
    skill: str | None = PydanticField(default=None, description="Taxonomy code; set by the service, null when unknown.")


class Tracked(SQLModel):
    """Timestamps and a row version for optimistic concurrency."""

    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False, index=True)
    version: int = Field(default=1, nullable=False)


class TrackedPublic(BaseModel):
    """What every public view says about a row's life."""

    created_at: datetime
    updated_at: datetime
    version: int


class Page(BaseModel):
    """Offset pagination parameters."""

    offset: int
    limit: int


def as_date(value: date | None) -> str:
    """ISO date or empty, as bundles write it."""
    return value.isoformat() if value else ""
