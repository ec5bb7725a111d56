"""Trainees: the model family. Sensitive fields are marked in their descriptions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

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
    UtcDateTime,
)

TraineeStatus = Literal["in_training", "job_ready", "placed", "exited"]
Education = Literal["none", "primary", "secondary", "higher_secondary", "graduate"]


class TraineeBase(SQLModel):
    partner_org: Code = Field(max_length=64, index=True)
    cohort: ShortText | None = Field(default=None, max_length=200)
    status: TraineeStatus = Field(sa_type=String(16), index=True)
    district: Code = Field(max_length=64, index=True)
    lat: Latitude | None = Field(default=None, description="Sensitive: where she lives.")
    lon: Longitude | None = Field(default=None, description="Sensitive: where she lives.")
    skills: list[SkillLevel] = Field(default_factory=list, sa_type=JSON, max_length=MAX_LIST_ITEMS)
    languages: list[LanguageCode] = Field(default_factory=list, sa_type=JSON, max_length=20)
    education: Education | None = Field(default=None, sa_type=String(20))
    preferred_sectors: list[Code] = Field(default_factory=list, sa_type=JSON, max_length=MAX_LIST_ITEMS)
    max_commute_minutes: int = Field(default=60, ge=0, le=600)
    willing_to_relocate: Flag = False
    night_shift_ok: Flag = False
    has_dependents: Flag = False
    attendance_rate: float | None = Field(default=None, ge=0, le=1)
    expected_wage_inr: MonthlyMoney | None = None
    excluded_employers: list[ExternalId] = Field(default_factory=list, sa_type=JSON, max_length=MAX_LIST_ITEMS,
                                                 description="Sensitive: employers she must never be matched with.")
    excluded_districts: list[Code] = Field(default_factory=list, sa_type=JSON, max_length=MAX_LIST_ITEMS,
                                           description="Sensitive: districts she must never be sent to.")
    available_from: Day | None = None
    is_survivor: Flag = Field(default=False, description="Sensitive: never shown to employers, never used to rank.")
    training_track: Code | None = Field(default=None, max_length=64, description="Occupation she trained for.")
    training_commute_minutes: int | None = Field(
        default=None, ge=1, le=600, description="Her one-way journey to her partner's training centre, in minutes, "
                                                "as she gave it (the commute model is calibrated on it).")
    trainer_consent: Flag = Field(default=False, description="She agreed to be considered for a trainer role at "
                                                             "her partner organisation (GET /v1/trainer-candidates).")


class TraineeCreate(TraineeBase):
    model_config = {"extra": "forbid"}


class TraineeUpdate(SQLModel):
    model_config = {"extra": "forbid"}

    partner_org: Code | None = None
    cohort: ShortText | None = None
    status: TraineeStatus | None = None
    district: Code | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    skills: list[SkillLevel] | None = Field(default=None, max_length=MAX_LIST_ITEMS)
    languages: list[LanguageCode] | None = Field(default=None, max_length=20)
    education: Education | None = None
    preferred_sectors: list[Code] | None = Field(default=None, max_length=MAX_LIST_ITEMS)
    max_commute_minutes: int | None = Field(default=None, ge=0, le=600)
    willing_to_relocate: Flag | None = None
    night_shift_ok: Flag | None = None
    has_dependents: Flag | None = None
    attendance_rate: float | None = Field(default=None, ge=0, le=1)
    expected_wage_inr: MonthlyMoney | None = None
    excluded_employers: list[ExternalId] | None = Field(default=None, max_length=MAX_LIST_ITEMS)
    excluded_districts: list[Code] | None = Field(default=None, max_length=MAX_LIST_ITEMS)
    available_from: Day | None = None
    is_survivor: Flag | None = None
    training_track: Code | None = None
    training_commute_minutes: int | None = Field(default=None, ge=1, le=600)
    trainer_consent: Flag | None = None


class Trainee(TraineeBase, Tracked, table=True):
    id: int | None = Field(default=None, primary_key=True)
    site: str = Field(max_length=64, index=True, description=SITE_DESCRIPTION)
    external_id: str = Field(max_length=64, unique=True, index=True)
    # Set when her personal data was erased: the row then holds only coarse, anonymised facts that keep
    # her placements' outcomes useful for learning, under a new random id.
    erased_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # Raised when a follow-up records a sign of exploitation or re-trafficking risk; a coordinator clears it.
    risk_flag: bool = Field(default=False)
    risk_flagged_on: date | None = None


WITHHELD = "Sensitive: null when the key may not read it (only admins and her own partner's coordinators may)."


class TraineePublic(TraineeBase, InSitePublic, TrackedPublic):
    # Sensitive fields a key may not read are withheld as null: nullable here, though not in TraineeBase.
    external_id: ExternalId
    lat: Latitude | None = Field(default=None, description=WITHHELD)
    lon: Longitude | None = Field(default=None, description=WITHHELD)
    excluded_employers: list[ExternalId] | None = Field(default=None, description=WITHHELD)  # type: ignore[assignment]  # withheld: null
    excluded_districts: list[Code] | None = Field(default=None, description=WITHHELD)  # type: ignore[assignment]  # withheld: null
    is_survivor: bool | None = Field(default=None, description=WITHHELD)  # type: ignore[assignment]  # withheld: null
    risk_flag: bool = False
    risk_flagged_on: date | None = None


class TraineesPublic(SQLModel):
    data: list[TraineePublic]
    count: int
