"""`jobmatch train`: both models from the database, saved to the registry, and (by default) promoted."""

from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from matching.backtest import rolling_origin_backtest
from matching.engine import MatchEngine
from matching.outcome_data import build_training_set
from matching.outcome_model import OutcomeModel
from matching.propensity import correct_selection
from service.core.errors import InvalidInput
from service.core.progress import NO_PROGRESS, Progress
from service.core.reference import Reference
from service.followups.models import Followup
from service.market import service as market
from service.matches import loader
from service.models_registry import service as registry
from service.models_registry.models import ModelVersion
from service.placements.models import Placement
from service.records.unit_of_work import unit_of_work

log = logging.getLogger("jobmatch.training")
OUTCOME_C = 0.03  # strong regularisation: histories are small, and it needs no calibration step on them


@dataclass(frozen=True)
class Trained:
    demand: ModelVersion
    outcome: ModelVersion
    outcome_is_prior: bool
    outcome_reason: str
    demand_rows: int = 0  # market signals the demand model learnt from


def _fingerprint(records: Any) -> str:
    return registry.fingerprint(json.dumps(records, sort_keys=True, default=str).encode())


TRAINING_STEPS = 6  # progress: read, fit demand, backtest, save demand, build outcome data, fit and save outcome


def train(*, db: Engine, reference: Reference, as_of: datetime.date, promote: bool = True,
          progress: Progress = NO_PROGRESS) -> Trained:
    """Fit the demand model on market signals, then the outcome model on placements and their follow-ups, each
    placement weighted by how unlike the usual choice it was among the pairs feasible that day."""
    progress.start("demand and outcome models (steps)", TRAINING_STEPS)
    with unit_of_work(db) as session:
        signals = market.signal_records(session, until=market.last_complete_day(as_of))
        own = market.own_opening_records(session, until=market.last_complete_day(as_of))
        progress.advance()
        try:
            demand = market.fit(session=session, reference=reference, as_of=as_of)
        except ValueError as exc:
            raise InvalidInput(f"Not enough market history to train the demand model: {exc}") from exc
        progress.advance()
        sector_of = {code: o.sector for code, o in reference.taxonomy.occupations.items()}
        backtest = rolling_origin_backtest(signals, sector_of=sector_of, own_openings=own) if signals else None
        progress.advance()
        demand_metrics = {"series": int(demand.n_series_), "backtest": backtest.as_dict() if backtest else None}
        demand_row = registry.save(session=session, kind="demand", model=demand, as_of=as_of,
                                   data_fingerprint=_fingerprint([signals, own, as_of]), metrics=demand_metrics)
        progress.advance()

        matcher = MatchEngine(taxonomy=reference.taxonomy, site=reference.site, demand=demand)
        placements = [dict(r) for r in session.execute(select(Placement.metadata.tables["placement"])).mappings()]
        followups = [dict(r) for r in session.execute(
            select(col(Followup.placement_external_id), col(Followup.month), col(Followup.employed),
                   col(Followup.checked_on))
            .where(col(Followup.checked_on).is_not(None))).mappings()]
        # every trainee and opening: who could have been placed, not only who was (the selection correction)
        # (in id order, so that the same records always give the same sample and model)
        trainees = sorted(loader.trainee_records(session, job_ready_only=False, include_erased=True),
                          key=lambda r: str(r["external_id"]))
        openings = sorted(loader.opening_records(session, open_only=False), key=lambda r: str(r["external_id"]))
        employers = loader.employer_vetting(session)
        data = build_training_set(engine=matcher, trainees=trainees, openings=openings, employers=employers,
                                  placements=placements, followups=followups, as_of=as_of)
        correction = correct_selection(engine=matcher, trainees=trainees, openings=openings, employers=employers,
                                       placements=placements, data=data)
        progress.advance()
        outcome = OutcomeModel(C=OUTCOME_C).fit(data, sample_weight=correction.weights)
        fingerprint = _fingerprint([placements, followups, trainees, openings, employers, as_of,
                                    demand_row.data_fingerprint])
        outcome_row = registry.save(session=session, kind="outcome", model=outcome, as_of=as_of,
                                    data_fingerprint=fingerprint,
                                    metrics={**outcome.metrics_, "is_prior": bool(outcome.is_prior_),
                                             "reason": outcome.reason_, "selection_correction": correction.summary()},
                                    note=outcome.reason_ if outcome.is_prior_ else "")
        if promote:
            registry.promote(session=session, version=demand_row.version)
            registry.promote(session=session, version=outcome_row.version)
        progress.advance()
    log.info("models trained", extra={"demand": demand_row.version, "outcome": outcome_row.version,
                                       "outcome_is_prior": bool(outcome.is_prior_), "promoted": promote})
    return Trained(demand=demand_row, outcome=outcome_row, outcome_is_prior=bool(outcome.is_prior_),
                   outcome_reason=outcome.reason_, demand_rows=len(signals))
