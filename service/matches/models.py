"""What the match routes answer: ranked openings for a trainee, ranked candidates for an opening. Each row carries
a summary of the other side, scores and factors are rounded here (at the edge, never in the scoring), and every
answer says what its scores mean."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import sqlmodel
from pydantic import AfterValidator, BaseModel, Field
from sqlalchemy import Column, ForeignKey, Index, String

from matching.formatting import ScoreKind, round_factors, round_score
from service.core.models import Code, InSitePublic
from service.openings.models import Shift
from service.trainees.models import TraineeCreate, TraineeStatus

ShownScore = Annotated[float, AfterValidator(round_score)]
ShownFactors = Annotated[dict[str, float], AfterValidator(round_factors)]
COUNT = ("How many items match in all, on every page together; `data` holds the ones returned (at most `limit`). "
         "Compare the two to know whether there are more.")


class CandidateHandle(sqlmodel.SQLModel, table=True):
    """The handle map: which trainee each handle an employer was shown stands for, stored when a candidate list
    issues it, so that `/candidates/{handle}` is one indexed lookup. Rows go with her erasure or the employer."""

    __tablename__ = "candidate_handle"
    __table_args__ = (Index("ix_candidate_handle_trainee_external_id", "trainee_external_id"),)

    employer_external_id: str = sqlmodel.Field(sa_column=Column(
        String(64), ForeignKey("employer.external_id", ondelete="CASCADE"), primary_key=True))
    handle: str = sqlmodel.Field(sa_column=Column(String(24), primary_key=True))
    trainee_external_id: str = sqlmodel.Field(sa_column=Column(
        String(64), ForeignKey("trainee.external_id", ondelete="CASCADE"), nullable=False))


class ScoreMeaning(BaseModel):
    """What the scores of an answer are."""

    score_kind: ScoreKind = Field(description="`retention_probability`: the probability she is still in the job at "
                                              "12 months (a trained outcome model is in use); `relative_score`: a "
                                              "ranking score, not a probability.")
    score_meaning: str = Field(description="The same, in one plain sentence.")


class OpeningSummary(InSitePublic):
    """An opening in one line, so that a match or proposal can be read without looking the opening up."""

    title: str
    employer_external_id: str
    employer_name: str
    district: str
    monthly_wage_inr: int = Field(description="Monthly wage in the site's currency.")
    shift: Shift
    positions_left: int = Field(description="Positions not yet filled by a running placement, now.")


class BlockedRule(BaseModel):
    rule: str = Field(description="The safety rule's code.")
    sentence: str = Field(description="Why, in words a coordinator can repeat.")
    near_miss: bool = Field(default=False, description="A short step from passing this rule: for qualification, "
                                                       "a short course (the sentence says which).")


class Evidence(BaseModel):
    """How much history stands behind a score from the trained outcome model."""

    similar_placements: int = Field(description="Past placements in the same occupation and the same kind of area "
                                                "(metro, urban, rural) the model learnt from.")
    weight_of_history: Annotated[float, AfterValidator(lambda v: round(float(v), 2))] = Field(
        description="0..1, two decimals: the learnt model's share of the score, the programme's transparent prior "
                    "having the rest (0: the prior alone, too little history).")


class OpeningMatch(BaseModel):
    opening_external_id: str
    opening: OpeningSummary
    rank: int
    score: ShownScore = Field(description="0..1, three decimals; what it is: the answer's `score_kind`. 0 for "
                                          "blocked openings.")
    factors: ShownFactors = Field(description="Each factor's contribution to the score (logit scale: positive "
                                              "raises it, 0 changes nothing), three decimals; empty when blocked.")
    reasons: list[str] = Field(description="Why, in sentences a coordinator can repeat.")
    blocked: bool = False
    blocked_by: list[BlockedRule] = Field(default_factory=list)
    evidence: Evidence | None = Field(default=None, description="How much history stands behind the score; null "
                                                                "without a trained outcome model and when blocked.")


class OpeningMatches(ScoreMeaning):
    trainee_external_id: str | None
    as_of: date
    model_version: str
    data: list[OpeningMatch] = Field(description="The best `limit` openings she may be offered, best first; with "
                                                 "`include_blocked`, then up to `limit` blocked ones.")
    count: int = Field(description=COUNT + " With `include_blocked`, the blocked openings are counted too.")


class SkillShown(BaseModel):
    skill: str
    name: str
    level: int


class CandidateProfile(BaseModel):
    """The candidate in brief, and all an employer may see of her: no id, no coordinates, no exclusions, no
    survivor status."""

    skills: list[SkillShown]
    district: str
    languages: list[str]
    # Optional in the schema: the candidate routes leave out nulls (response_model_exclude_none), so a
    # trainee without a track or a start date has no such key rather than a null.
    available_from: date | None = Field(default=None, description="Her first possible day; absent: now.")
    training_track: str | None = Field(default=None, description="The occupation she trained for.")


class Introduction(BaseModel):
    trainee_external_id: str
    partner_org: str
    message: str


class Candidate(BaseModel):
    handle: str = Field(description="A pseudonym stable for this employer; not the programme's id.")
    trainee_external_id: str | None = Field(default=None, description="Programme staff only.")
    rank: int
    score: ShownScore = Field(description="0..1, three decimals; what it is: the answer's `score_kind`.")
    factors: ShownFactors | None = Field(default=None, description="Programme staff only: each factor's "
                                                                   "contribution (logit scale), three decimals.")
    reasons: list[str] | None = Field(default=None, description="Programme staff only.")
    evidence: Evidence | None = Field(default=None, description="Programme staff only: how much history stands "
                                                                "behind the score (with a trained outcome model).")
    profile: CandidateProfile
    introduction: Introduction | None = Field(default=None, description="Only after her recorded consent.")


class CandidateDetail(BaseModel):
    handle: str
    trainee_external_id: str | None = Field(default=None, description="Programme staff only.")
    profile: CandidateProfile
    introduction: Introduction | None = Field(default=None, description="Only after her recorded consent.")


class OpeningCandidates(ScoreMeaning):
    opening_external_id: str
    opening: OpeningSummary
    as_of: date
    model_version: str
    data: list[Candidate] = Field(description="The best `limit` candidates, best first.")
    count: int = Field(description=COUNT)


class ProfilePreview(TraineeCreate):
    """A trainee's profile, ranked against the open openings without being stored."""

    partner_org: Code = "preview"
    status: TraineeStatus = "job_ready"
