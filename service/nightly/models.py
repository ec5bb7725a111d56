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
FairnessMode = Literal["off", "proportional", "maxmin"]
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
    fairness: FairnessMode = Field(default="off", sa_type=String(16),
                                   description="Group floors of the assignment: off, proportional or maxmin.")


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


# --------------------------------------------------------------------------- fairness reports


class FairnessReport(SQLModel, table=True):
    """A run's fairness report, written with the run. The survivors' aggregate is kept apart: admins only."""

    __tablename__ = "fairness_report"

    run_id: int = Field(sa_column=Column(Integer, ForeignKey("match_run.id", ondelete="CASCADE"), primary_key=True))
    report: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    survivors: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


Suppressed = Literal["suppressed"]
FewerThanTen = Literal["fewer than 10"]


class FairnessCell(SQLModel):
    """One group of women. A group of fewer than 10 job-ready women shows no figures (and, when it is alone in
    that, the next smallest group neither, since the totals would give it away)."""

    group: str = Field(description="The group: a partner, district, training track, or yes/no for dependents.")
    women_job_ready: int | FewerThanTen | Suppressed
    proposed: int | Suppressed = Field(description="Women of the group the run proposed an opening.")
    share_proposed: float | Suppressed | None = Field(description="proposed / women_job_ready, three decimals.")
    mean_expected_retention: float | Suppressed | None = Field(
        description="Mean of the proposals' scores: expected 12-month retention when `score_kind` is "
                    "retention_probability; null when none was proposed.")


class FairnessTotals(SQLModel):
    women_job_ready: int
    proposed: int
    share_proposed: float | None
    expected_lasting_placements: float = Field(description="Sum of the proposals' scores, one decimal.")
    mean_expected_retention: float | None


class WorstShare(SQLModel):
    group: str
    share_proposed: float


class GroupFloor(SQLModel):
    """A group's floor in a fair run (groups of fewer than 10 women are not listed)."""

    dimension: str
    group: str
    women_job_ready: int
    achievable: int = Field(description="The most proposals its women's safe pairs allow, were no other group "
                                        "served.")
    floor: int = Field(description="Proposals asked for the group (at most `achievable`).")
    proposed: int


class PriceOfFairness(SQLModel):
    mode: Literal["proportional", "maxmin"]
    dimensions: list[str]
    unconstrained_expected_lasting_placements: float = Field(description="Without floors, on the same candidates.")
    expected_lasting_placements: float = Field(description="With the floors: the run's proposals.")
    price: float = Field(description="Expected lasting placements given up for the floors.")
    price_percent: float
    unconstrained_proposals: int
    proposals: int
    best_worst_share: float | None = Field(description="maxmin: the best share every group could have at once.")
    relaxed: bool = Field(description="Some floors could not all be met together and were lowered to what the "
                                      "openings allow.")
    gap: float = Field(description="Relative optimality gap of the solver (0 when exact).")
    solver: str
    solve_seconds: float
    floors: list[GroupFloor]


class SurvivorAggregate(SQLModel):
    """Survivors against the other women of the run, never broken down further (admins only)."""

    members: FairnessCell
    others: FairnessCell


class FairnessReportPublic(SQLModel):
    run_id: int
    as_of: date
    fairness: FairnessMode
    score_kind: ScoreKind
    totals: FairnessTotals
    dimensions: dict[str, list[FairnessCell]] = Field(description="Per dimension (partner_org, district, "
                                                                 "training_track, has_dependents), its groups.")
    worst_share: dict[str, WorstShare | None] = Field(description="Per dimension, the shown group with the smallest "
                                                                  "share proposed.")
    price_of_fairness: PriceOfFairness | None = Field(description="Only when the run had group floors.")
    survivors: SurvivorAggregate | None = Field(default=None, description="Admins only; null for other keys.")
