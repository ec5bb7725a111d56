"""Pieces shared by every entity's model family."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Strict, StringConstraints, computed_field
from pydantic import Field as PydanticField
from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from service.core.reference import currency_of

# Control characters are refused at the edge: NUL cannot be stored by PostgreSQL (the failed statement used to
# be logged with its parameters), and the rest have no business in names and codes. Free text (notes) may keep
# tab, newline and CR.
ONE_LINE = r"^[^\x00-\x1f\x7f-\x9f]*$"
FREE_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
# Codes and labels are stripped and may not be empty: the schema says "at least one visible character".
NOT_BLANK = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # refused everywhere, even in free text

ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                                              pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200, pattern=ONE_LINE)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=NOT_BLANK)]
FreeText = Annotated[str, StringConstraints(max_length=500, pattern=FREE_TEXT)]

# Dates and instants a programme can mean. Far dates used to pass validation and fail later (month arithmetic
# past year 9999, timezone shifts before year 1) as a 500 after a half write. The pattern says the range in
# the OpenAPI document; the bounds enforce it. Numbers are not dates (pydantic would read 0.5 as 1970).
FIRST_DAY, LAST_DAY = date(1950, 1, 1), date(2100, 12, 31)
_DAY = r"(19[5-9][0-9]|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = r"[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
RFC3339 = re.compile(f"^{_DAY}{_TIME}$")
ISO_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_text(value: Any) -> Any:
    if isinstance(value, (int, float, bytes)) or (isinstance(value, str) and not ISO_DAY.match(value)):
        raise ValueError("give an ISO 8601 date (YYYY-MM-DD) or date-time (YYYY-MM-DDThh:mm:ssZ)")
    return value


def _rfc3339(value: Any) -> Any:
    """An instant is an RFC 3339 date-time with seconds and an offset, as its schema says; nothing looser."""
    if isinstance(value, str) and not RFC3339.match(value):
        raise ValueError("give an RFC 3339 date-time with its offset, like 2026-11-01T09:30:00Z")
    return value


def _instant_in_range(value: datetime) -> datetime:
    # The wall-clock date is what the pattern (and a person) reads; an offset never pushes it out of range.
    if not FIRST_DAY <= value.date() <= LAST_DAY:
        raise ValueError("must be between 1950-01-01 and 2100-12-31")
    return value


def _day_in_range(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError("must be between 1950-01-01 and 2100-12-31")
    return value


Day = Annotated[date, BeforeValidator(_iso_text), AfterValidator(_day_in_range),
                PydanticField(json_schema_extra={"pattern": f"^{_DAY}$"})]
Instant = Annotated[datetime, BeforeValidator(_rfc3339), BeforeValidator(_iso_text), AfterValidator(_instant_in_range),
                    PydanticField(json_schema_extra={"pattern": f"^{_DAY}{_TIME}$"})]
# A yes/no field is JSON true or false: not 0, 0.0 or "yes" (bundles read their own spellings into booleans).
Flag = Annotated[bool, Strict()]
# Row ids and counts fit a 32-bit column on every database.
MAX_ID = 2**31 - 1
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

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class SkillLevel(BaseModel):
    """A skill as a coordinator typed it, with its level and the taxonomy entry it maps to."""

    model_config = ConfigDict(extra="forbid")

    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=NOT_BLANK)]
    level: int = PydanticField(ge=1, le=3, description="1 basic, 2 working, 3 proficient.")
    skill: str | None = PydanticField(default=None, description="Taxonomy code; set by the service, null when unknown.")


class Tracked(SQLModel):
    """Timestamps and a row version for optimistic concurrency."""

    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False, index=True)
    version: int = Field(default=1, nullable=False)


SITE_DESCRIPTION = ("The site (deployment region) the record belongs to: its partner's (the site whose training "
                    "centres list it), else its district's. Set by the service, never sent.")


class InSitePublic(BaseModel):
    """What a public view says about the site of a record that holds money: the site and its currency."""

    site: str = PydanticField(description=SITE_DESCRIPTION)

    @computed_field(  # type: ignore[prop-decorator]
        description="ISO 4217 code of the money amounts of this record (its site's currency; the `_inr` field "
                    "names are kept for every site).")
    @property
    def currency(self) -> str:
        return currency_of(self.site)


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
