"""`jobmatch cohort-plan` and `jobmatch trainer-candidates`: the answers of the API as tables for a terminal."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine

from service.cohorts import service
from service.cohorts.models import CohortPlanPublic, TrainerCandidatesPublic
from service.core.config import get_settings
from service.core.reference import Reference
from service.records.unit_of_work import today, unit_of_work

Table = Callable[[list[str], list[list[str]], str | None], None]


def cohort_plan(*, engine: Engine, reference: Reference, partner: str | None, months: int) -> CohortPlanPublic:
    """The plan, with the active demand model or one fitted now on the stored signals."""
    from service.market import service as market
    from service.models_registry import service as registry
    reference = reference.for_partner(partner) or reference
    _, demand, _, versions = registry.active_models(db=engine)
    with unit_of_work(engine, timezone=reference.site.timezone) as session:
        day = today(session)
        version = versions.get("demand", "demand")
        if not hasattr(demand, "series_"):
            try:
                demand, version = market.fit(session=session, reference=reference, as_of=day), "fitted now"
            except ValueError:  # too little market history for any series
                demand, version = None, "none"
        return service.plan(session=session, reference=reference, data_dir=get_settings().data_dir, model=demand,
                            model_version=version,
                            site=None, partner=partner, months=months, today=day, caller=None)


def print_cohort_plan(plan: CohortPlanPublic, table: Table) -> list[str]:
    """The plan's tables; returns its reasoning lines for the tracks to train, to print after them."""
    scope = plan.partner or plan.site
    rows = [[line.track_name + f" ({line.track})", f"{line.forecast_openings:,.0f}", f"{line.supply:,}",
             f"{line.placement_rate:.0%}", f"{line.women_to_train:,}", f"{line.trainers_needed:,}",
             line.trainer_occupation_name or "-"] for line in plan.data]
    table(["track", "openings expected", "on the way", "placed", "women to train", "trainers", "trainer role"], rows,
          f"Cohort plan for {scope}, next {plan.months} months ({plan.women_to_train:,} women; demand model "
          f"{plan.model_version})")
    if plan.trainers:
        table(["trainer role", "tracks", "needed", "on staff", "to hire"],
              [[need.occupation_name + f" ({need.occupation})", ", ".join(need.tracks), f"{need.needed:,}",
                "unknown" if need.on_staff is None else f"{need.on_staff:,}", f"{need.to_hire:,}"]
               for need in plan.trainers], "Trainers the planned cohorts need")
    return [f"{line.track_name}: {' '.join(line.reasoning)}" for line in plan.data if line.women_to_train]


def trainer_candidates(*, engine: Engine, reference: Reference, track: str, partner: str) -> TrainerCandidatesPublic:
    """The ranked candidates (audited as a read of their records, by the command line)."""
    with unit_of_work(engine, timezone=reference.site.timezone) as session:
        return service.trainer_candidates(session=session, reference=reference, data_dir=get_settings().data_dir,
                                          track=track,
                                          partner=partner, today=today(session), caller=None)


def print_trainer_candidates(found: TrainerCandidatesPublic, table: Table) -> None:
    role = found.trainer_occupation_name or "no trainer role in the rules"
    table(["rank", "trainee", "cohort", "score", "why"],
          [[str(c.rank), c.external_id, c.cohort or "-", f"{c.score:.2f}", "; ".join(c.reasons)] for c in found.data],
          f"{role} candidates among {found.partner}'s {found.track_name} graduates ({found.count})")
    if found.near_misses:
        table(["trainee", "cohort", "why not yet"],
              [[c.external_id, c.cohort or "-", "; ".join(c.why_not)] for c in found.near_misses],
              "Near misses: one rule short")
    if found.openings:
        table(["opening", "title", "district", "positions"],
              [[o.external_id, o.title, o.district, str(o.positions)] for o in found.openings],
              f"{found.partner}'s open {role} openings")
