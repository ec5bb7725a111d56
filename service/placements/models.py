"""Placements: a trainee starting in an opening. The outcome model learns from their history."""

from __future__ import annotations

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from service.core.models import Day, ExternalId, Tracked, TrackedPublic


class PlacementBase(SQLModel):
    trainee_external_id: ExternalId = Field(foreign_key="trainee.external_id", max_length=64, index=True)
    opening_external_id: ExternalId = Field(foreign_key="opening.external_id", max_length=64, index=True)
    started_on: Day
    ended_on: Day | None = Field(default=None, description="Empty while she is still there.")


class PlacementCreate(PlacementBase):
    model_config = {"extra": "forbid"}


class PlacementUpdate(SQLModel):
    model_config = {"extra": "forbid"}

    started_on: Day | None = None
    ended_on: Day | None = None


class Placement(PlacementBase, Tracked, table=True):
    # One woman, one open placement: the database refuses a second one however the writes race.
    __table_args__ = (Index("ux_placement_one_open_per_trainee", "trainee_external_id", unique=True,
                            sqlite_where=text("ended_on IS NULL"), postgresql_where=text("ended_on IS NULL")),)

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=64, unique=True, index=True)


class PlacementPublic(PlacementBase, TrackedPublic):
    external_id: ExternalId


class PlacementsPublic(SQLModel):
    data: list[PlacementPublic]
    count: int
