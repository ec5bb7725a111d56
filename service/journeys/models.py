"""Confirmed journeys: her one-way door-to-door time to one opening's workplace, as a coordinator confirmed it.

A confirmed time replaces the commute model's estimate for that pair, in the commute rule and in the score."""

from __future__ import annotations

from datetime import date

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from service.core.models import Day, ShortText, Tracked, TrackedPublic

MAX_JOURNEY_MINUTES = 600


class ConfirmedJourneyBody(SQLModel):
    model_config = {"extra": "forbid"}

    minutes: int = Field(ge=1, le=MAX_JOURNEY_MINUTES,
                         description="Her one-way door-to-door journey to the workplace, in whole minutes.")
    confirmed_on: Day | None = Field(default=None, description="When it was confirmed; default: today (site time).")
    confirmed_by: ShortText = Field(min_length=1, max_length=200,
                                    description="Who confirmed it (a coordinator's name or role).")


class ConfirmedJourney(Tracked, table=True):
    __tablename__ = "confirmed_journey"
    __table_args__ = (UniqueConstraint("trainee_external_id", "opening_external_id",
                                       name="uq_confirmed_journey_trainee_opening"),)

    id: int | None = Field(default=None, primary_key=True)
    trainee_external_id: str = Field(foreign_key="trainee.external_id", max_length=64, index=True)
    opening_external_id: str = Field(foreign_key="opening.external_id", max_length=64, index=True)
    minutes: int
    confirmed_on: date
    confirmed_by: str = Field(max_length=200)


class ConfirmedJourneyPublic(TrackedPublic):
    trainee_external_id: str
    opening_external_id: str
    minutes: int
    confirmed_on: date
    confirmed_by: str


class ConfirmedJourneysPublic(SQLModel):
    data: list[ConfirmedJourneyPublic]
    count: int
