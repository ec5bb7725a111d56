"""Follow-ups: the programme's checks at 1, 3, 6 and 12 months after a placement starts."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator
from pydantic import Field as PydanticField
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from matching.dates import FOLLOWUP_MONTHS
from service.core.models import Day, ExternalId, Flag, FreeText, MonthlyMoney, Tracked, TrackedPublic

FollowupMonth = Literal[1, 3, 6, 12]
# A Literal cannot be built from the constant for type checkers, so it is checked against it here.
if get_args(FollowupMonth) != FOLLOWUP_MONTHS:
    raise AssertionError(f"FollowupMonth {get_args(FollowupMonth)} differs from FOLLOWUP_MONTHS {FOLLOWUP_MONTHS}")


def _followup_month(value: int) -> int:
    if value not in FOLLOWUP_MONTHS:
        raise ValueError("must be 1, 3, 6 or 12")
    return value


# The same months as a query parameter: a number read from text (a Literal would refuse the string "6").
FollowupMonthQuery = Annotated[int, AfterValidator(_followup_month),
                              PydanticField(json_schema_extra={"enum": list(FOLLOWUP_MONTHS)})]


class FollowupBase(SQLModel):
    checked_on: Day | None = None
    employed: Flag | None = Field(default=None, description="Still in that job.")
    monthly_wage_inr: MonthlyMoney | None = None
    wellbeing: int | None = Field(default=None, ge=1, le=5,
                                  description="1 in distress .. 5 thriving, as she reports it.")
    risk_flag: Flag = Field(default=False, description="A sign of exploitation or re-trafficking risk was seen.")
    notes: FreeText | None = Field(default=None, max_length=500,
                                   description="What the coordinator noted at this check (programme staff only).")
    commute_minutes: int | None = Field(default=None, ge=1, le=600,
                                        description="Her actual one-way journey to the workplace at this check, in "
                                                    "minutes (the commute model is calibrated on it).")


class FollowupCreate(FollowupBase):
    model_config = {"extra": "forbid"}


class FollowupUpdate(SQLModel):
    model_config = {"extra": "forbid"}

    checked_on: Day | None = None
    employed: Flag | None = None
    monthly_wage_inr: MonthlyMoney | None = None
    wellbeing: int | None = Field(default=None, ge=1, le=5)
    risk_flag: Flag | None = None
    notes: FreeText | None = None
    commute_minutes: int | None = Field(default=None, ge=1, le=600)


class Followup(FollowupBase, Tracked, table=True):
    __table_args__ = (UniqueConstraint("placement_external_id", "month", name="uq_followup_placement_month"),)

    id: int | None = Field(default=None, primary_key=True)
    placement_external_id: str = Field(foreign_key="placement.external_id", max_length=64, index=True)
    month: int
    due_on: date | None = Field(default=None, index=True, description="When the check is due (start + month).")


class FollowupPublic(FollowupBase, TrackedPublic):
    placement_external_id: ExternalId
    month: FollowupMonth
    due_on: date | None = None
    trainee_external_id: str | None = None
    trainee_risk_flag: bool | None = Field(default=None, description="A risk flag is open on her record.")


class FollowupsPublic(SQLModel):
    data: list[FollowupPublic]
    count: int
