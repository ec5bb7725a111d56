"""What the match routes answer: ranked openings for a trainee, ranked candidates for an opening."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from service.core.models import Code
from service.trainees.models import TraineeCreate, TraineeStatus


class BlockedRule(BaseModel):
    rule: str = Field(description="The safety rule's code.")
    sentence: str = Field(description="Why, in words a coordinator can repeat.")


class OpeningMatch(BaseModel):
    opening_external_id: str
    rank: int
    score: float = Field(description="0..1; with a trained outcome model, the probability she is still there at "
                                     "12 months. 0 for blocked openings.")
    factors: dict[str, float] = Field(description="Each factor's contribution to the score (logit scale).")
    reasons: list[str]
    blocked: bool = False
    blocked_by: list[BlockedRule] = Field(default_factory=list)


class OpeningMatches(BaseModel):
    trainee_external_id: str | None
    as_of: date
    model_version: str
    data: list[OpeningMatch]
    count: int


class SkillShown(BaseModel):
    skill: str
    name: str
    level: int


class CandidateProfile(BaseModel):
    """What an employer may see of a candidate: no id, no coordinates, no exclusions, no survivor status."""

    skills: list[SkillShown]
    district: str
    languages: list[str]
    # Optional in the schema: the candidate routes leave out nulls (response_model_exclude_none), so a
    # trainee without a track or a start date has no such key rather than a null.
    available_from: date | None = None
    training_track: str | None = None


class Introduction(BaseModel):
    trainee_external_id: str
    partner_org: str
    message: str


class Candidate(BaseModel):
    handle: str = Field(description="A pseudonym stable for this employer; not the programme's id.")
    trainee_external_id: str | None = Field(default=None, description="Programme staff only.")
    rank: int
    score: float
    factors: dict[str, float] | None = Field(default=None, description="Programme staff only.")
    reasons: list[str] | None = Field(default=None, description="Programme staff only.")
    profile: CandidateProfile
    introduction: Introduction | None = Field(default=None, description="Only after her recorded consent.")


class CandidateDetail(BaseModel):
    handle: str
    trainee_external_id: str | None = Field(default=None, description="Programme staff only.")
    profile: CandidateProfile
    introduction: Introduction | None = Field(default=None, description="Only after her recorded consent.")


class OpeningCandidates(BaseModel):
    opening_external_id: str
    as_of: date
    model_version: str
    data: list[Candidate]
    count: int


class ProfilePreview(TraineeCreate):
    """A trainee's profile, ranked against the open openings without being stored."""

    partner_org: Code = "preview"
    status: TraineeStatus = "job_ready"
