"""Match runs and their proposals.

A run's proposals are visible only once the run is complete: readers select complete runs, a killed run
stays 'running' (invisible) until the next run clears it, and a rerun for the same day supersedes the
earlier run in the one transaction that completes it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator
from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, String, text
from sqlmodel import Field, SQLModel

from matching.formatting import ScoreKind, round_score
from service.core.models import UtcDateTime, utcnow
from service.matches.models import COUNT, OpeningSummary, ScoreMeaning, ShownScore

RunStatus = Literal["running", "complete", "failed", "superseded"]
ProposalStatus = Literal["proposed", "accepted", "declined"]
DeclineReason = Literal["trainee_declined", "employer_declined", "safety_concern", "other"]


class MatchRunBase(SQLModel):
    site: str = Field(max_length=64, index=True, description="The site whose openings and trainees the run matched.")
    as_of: date = Field(index=True)
    status: RunStatus = Field(default="running", sa_type=String(16), index=True)
    engine: str = Field(default="local", max_length=16)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    model_versions: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    counts: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    objective: float | None = Field(default=None, description="Expected placements still lasting at 12 months.")
    greedy_objective: float | None = Field(default=None, description="The same for a greedy choice on the same "
                                                                      "candidates, for comparison.")


class MatchRun(MatchRunBase, table=True):
    __tablename__ = "match_run"

    id: int | None = Field(default=None, primary_key=True)


def _round_optional(value: float | None) -> float | None:
    return None if value is None else round_score(value)


ShownObjective = Annotated[float | None, AfterValidator(_round_optional)]


class MatchRunPublic(MatchRunBase):
    id: int
    objective: ShownObjective = Field(default=None, description="Expected placements still lasting at 12 months "
                                                                "(three decimals).")
    greedy_objective: ShownObjective = Field(default=None, description="The same for a greedy choice on the same "
                                                                       "candidates, for comparison.")


class MatchRunsPublic(SQLModel):
    data: list[MatchRunPublic] = Field(description="This page of runs, newest first.")
    count: int = Field(description=COUNT)


class ProposalBase(SQLModel):
    trainee_external_id: str = Field(max_length=64, index=True)
    opening_external_id: str = Field(max_length=64, index=True)
    kind: Literal["proposal", "alternative"] = Field(sa_type=String(16))
    score: float
    rank_in_her_list: int = Field(description="Where this opening stands in her own ranked list (1 = best).")
    alternative_rank: int | None = Field(default=None, description="1..5 for alternatives.")
    reasons: list[str] = Field(default_factory=list, sa_type=JSON)
    status: ProposalStatus = Field(default="proposed", sa_type=String(16))
    decline_reason: DeclineReason | None = Field(default=None, sa_type=String(32))
    decline_note: str | None = Field(default=None, max_length=500)
    decided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    placement_external_id: str | None = Field(default=None, max_length=64)


class Proposal(ProposalBase, table=True):
    # At most one accepted proposal per trainee in a run, whatever arrives at once.
    __table_args__ = (Index("ux_proposal_one_accepted_per_trainee_run", "run_id", "trainee_external_id", unique=True,
                            sqlite_where=text("status = 'accepted'"), postgresql_where=text("status = 'accepted'")),)

    id: int | None = Field(default=None,
                           sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True))
    run_id: int = Field(sa_column=Column(Integer, ForeignKey("match_run.id", ondelete="CASCADE"), index=True,
                                         nullable=False))
    partner_org: str = Field(max_length=64, index=True)


class ProposalPublic(ProposalBase):
    id: int = Field(description="Accept or decline it by this id: `POST /v1/proposals/{id}/accept` or `/decline`.")
    run_id: int
    score: ShownScore = Field(description="0..1, three decimals; what it is: the answer's `score_kind`.")
    opening: OpeningSummary | None = Field(description="The opening as it stands now; null once it was deleted.")


class DecidedProposal(ProposalPublic):
    """A proposal just accepted or declined, and what its score is."""

    score_kind: ScoreKind = Field(description="`retention_probability` or `relative_score`, as in the run's "
                                              "proposal list.")
    score_meaning: str = Field(description="The same, in one plain sentence.")


class ProposalsPublic(ScoreMeaning):
    run_id: int
    as_of: date
    data: list[ProposalPublic] = Field(description="This page of proposals and alternatives, by trainee.")
    count: int = Field(description=COUNT)
