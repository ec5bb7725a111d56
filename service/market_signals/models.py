"""Market signals: monthly counts of job postings by district and occupation."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from service.core.models import SITE_DESCRIPTION, Code, ShortText, Tracked, TrackedPublic

PERIOD = r"^(19[5-9][0-9]|20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"  # a month in the range dates have
Period = Annotated[str, StringConstraints(pattern=PERIOD)]


class MarketSignalBase(SQLModel):
    postings: int = Field(ge=0, le=100_000_000)


class MarketSignalCreate(MarketSignalBase):
    model_config = {"extra": "forbid"}


class MarketSignalUpdate(SQLModel):
    model_config = {"extra": "forbid"}

    postings: int | None = Field(default=None, ge=0, le=100_000_000)


class MarketSignal(MarketSignalBase, Tracked, table=True):
    __tablename__ = "market_signal"
    __table_args__ = (UniqueConstraint("district", "occupation", "period", "source", name="uq_market_signal_key"),)

    id: int | None = Field(default=None, primary_key=True)
    site: str = Field(max_length=64, index=True, description=SITE_DESCRIPTION)
    district: str = Field(max_length=64, index=True)
    occupation: str = Field(max_length=200, index=True)
    occupation_code: str | None = Field(default=None, max_length=64, index=True)
    period: str = Field(max_length=7, index=True)
    source: str = Field(default="", max_length=200)


class MarketSignalPublic(MarketSignalBase, TrackedPublic):
    district: Code
    occupation: ShortText
    occupation_code: str | None = None
    period: Period
    source: str
    site: str = Field(description=SITE_DESCRIPTION)


class MarketSignalsPublic(SQLModel):
    data: list[MarketSignalPublic]
    count: int
