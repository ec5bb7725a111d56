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
from matching.commute import CommuteModel
from matching.commute_calibration import CommuteCalibration, journey_table, recorded_journeys
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
    commute: ModelVersion | None = None


def _fingerprint(records: Any) -> str:
    return registry.fingerprint(json.dumps(records, sort_keys=True, default=str).encode())


# progress: read, fit demand, backtest, save demand, commute, build outcome data, fit and save outcome
TRAINING_STEPS = 7


def train(*, db: Engine, reference: Reference, as_of: datetime.date, promote: bool = True,
          progress: Progress = NO_PROGRESS) -> Trained:
    """Fit the demand model on market signals, the commute model's rates on the journeys women recorded, then the
    outcome model on placements and their follow-ups (with the calibrated journeys), each placement weighted by how
    unlike the usual choice it was among the pairs feasible that day."""
    progress.start("demand, commute and outcome models (steps)", TRAINING_STEPS)
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

        placements = [dict(r) for r in session.execute(select(Placement.metadata.tables["placement"])).mappings()]
        followups = [dict(r) for r in session.execute(
            select(col(Followup.placement_external_id), col(Followup.month), col(Followup.employed),
                   col(Followup.checked_on), col(Followup.commute_minutes))
            .where(col(Followup.checked_on).is_not(None))).mappings()]
        # every trainee and opening: who could have been placed, not only who was (the selection correction)
        # (in id order, so that the same records always give the same sample and model)
        trainees = sorted(loader.trainee_records(session, job_ready_only=False, include_erased=True),
                          key=lambda r: str(r["external_id"]))
        openings = sorted(loader.opening_records(session, open_only=False), key=lambda r: str(r["external_id"]))
        employers = loader.employer_vetting(session)
        commute_row, commute = _train_commute(session, reference, as_of, trainees=trainees, openings=openings,
                                              placements=placements, followups=followups)
        progress.advance()

        matcher = MatchEngine(taxonomy=reference.taxonomy, site=reference.site, demand=demand,
                              commute_model=commute)
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
            registry.promote(session=session, version=commute_row.version)
            registry.promote(session=session, version=outcome_row.version)
        progress.advance()
    log.info("models trained", extra={"demand": demand_row.version, "outcome": outcome_row.version,
                                       "commute": commute_row.version, "outcome_is_prior": bool(outcome.is_prior_),
                                       "promoted": promote})
    return Trained(demand=demand_row, outcome=outcome_row, outcome_is_prior=bool(outcome.is_prior_),
                   outcome_reason=outcome.reason_, demand_rows=len(signals), commute=commute_row)


def _train_commute(session: Any, reference: Reference, as_of: datetime.date, *, trainees: list[dict[str, Any]],
                   openings: list[dict[str, Any]], placements: list[dict[str, Any]], followups: list[dict[str, Any]]
                   ) -> tuple[ModelVersion, CommuteModel]:
    """Calibrate the commute rates on the journeys recorded at follow-ups and to the training centres, store the
    calibration, and return it with the commute model it gives (the fixed rates where journeys are few)."""
    journeys = recorded_journeys(trainees=trainees, openings=openings, placements=placements, followups=followups,
                                 centres=reference.site.training_centres)
    X, y = journey_table(journeys, reference.site)
    calibration = CommuteCalibration().fit(X, y)
    by_source = {source: sum(1 for j in journeys if j["source"] == source) for source in ("followup",
                                                                                          "training_centre")}
    data = sorted((round(float(k), 4), str(a), str(b), float(m)) for k, a, b, m in
                  zip(X["distance_km"], X["area_type_origin"], X["area_type_dest"], y))
    row = registry.save(session=session, kind="commute", model=calibration, as_of=as_of,
                        data_fingerprint=_fingerprint([data, as_of]),
                        metrics={**calibration.metrics_, "sources": by_source,
                                 "wait_minutes": calibration.wait_minutes_, "minutes_per_km": calibration.rates_,
                                 "intercity_minutes_per_km": calibration.intercity_minutes_per_km_,
                                 "range_factors": [calibration.low_factor_, calibration.high_factor_],
                                 "weight_of_data": calibration.weights_})
    return row, calibration.commute_model(row.version)
