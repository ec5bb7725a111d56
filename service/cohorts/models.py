"""The cohort plan's and the trainer pipeline's answers."""

from __future__ import annotations

from pydantic import BaseModel, Field

from matching.cohort_plan import CohortLine, TrainerNeed
from matching.trainer_pipeline import TrainerCandidate


class CohortPlanPublic(BaseModel):
    site: str
    partner: str | None = Field(description="The partner planned for; null: the whole site.")
    months: int
    model_version: str = Field(description="The demand model the forecast openings come from.")
    rules_version: str = Field(description="The version of the programme's trainer rules (trainer_rules.json).")
    overall_placement_rate: float | None = Field(description="Graduates of the last 12 months placed, all tracks.")
    women_to_train: int
    data: list[CohortLine] = Field(description="One line per track, most women to train first, with its reasoning.")
    trainers: list[TrainerNeed] = Field(description="Trainers the planned cohorts need, per trainer occupation.")
    count: int


class TrainerOpening(BaseModel):
    external_id: str
    title: str
    district: str
    positions: int


class TrainerCandidatesPublic(BaseModel):
    partner: str
    track: str
    track_name: str
    trainer_occupation: str | None
    trainer_occupation_name: str | None
    openings: list[TrainerOpening] = Field(description="The partner's open openings for this trainer role.")
    data: list[TrainerCandidate] = Field(description="Consenting graduates who meet every rule, best first.")
    near_misses: list[TrainerCandidate] = Field(description="Consenting graduates who miss one rule, and why.")
    count: int
