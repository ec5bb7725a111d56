"""Fitting the demand model from stored market signals, forecasting, and training priorities."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from matching.demand_model import DemandForecaster, ForecastRow
from matching.training_priorities import (
    SUPPLY_STATUSES,
    Priority,
    TraineePipeline,
    district_neighbours,
    short_course_from_trainees,
    supply_from_trainees,
    training_priorities,
)
from service.core.reference import Reference
from service.market_signals.models import MarketSignal
from service.matches.index import MatchIndex
from service.openings.models import Opening
from service.records.changes import ERASURE
from service.records.unit_of_work import today
from service.trainees.models import Trainee


def signal_records(session: Session, *, until: datetime.date | None = None, since: datetime.date | None = None,
                   district: str | None = None) -> list[dict[str, Any]]:
    """Monthly postings per district × occupation code, summed over sources (from and up to a day's month; one
    district's only, when given)."""
    district_column, period = col(MarketSignal.district), col(MarketSignal.period)
    occupation = func.coalesce(col(MarketSignal.occupation_code), col(MarketSignal.occupation))
    statement = select(district_column, occupation, period, func.sum(col(MarketSignal.postings))) \
        .group_by(district_column, occupation, period)
    if until is not None:
        statement = statement.where(period <= f"{until:%Y-%m}")
    if since is not None:
        statement = statement.where(period >= f"{since:%Y-%m}")
    if district is not None:
        statement = statement.where(district_column == district)
    return [{"district": d, "occupation": o, "period": p, "postings": int(n)}
            for d, o, p, n in session.execute(statement.order_by(district_column, occupation, period))]


def own_opening_records(session: Session, *, until: datetime.date | None = None) -> list[dict[str, Any]]:
    """The programme's own openings: a second, smaller signal of the same demand."""
    statement = select(col(Opening.district), col(Opening.occupation_code), col(Opening.posted_on)).where(
        col(Opening.occupation_code).is_not(None), col(Opening.posted_on).is_not(None))
    if until is not None:
        statement = statement.where(col(Opening.posted_on) <= until)
    return [{"district": d, "occupation": o, "posted_on": p} for d, o, p in session.execute(statement)]


def last_complete_day(as_of: datetime.date) -> datetime.date:
    """The last day of the month before as_of's: the newest month whose counts are complete."""
    return as_of.replace(day=1) - datetime.timedelta(days=1)


def fit(*, session: Session, reference: Reference, as_of: datetime.date | None = None) -> DemandForecaster:
    """A demand model fitted on the complete months before the day (all known months when no day is given)."""
    sector_of = {code: occupation.sector for code, occupation in reference.taxonomy.occupations.items()}
    until = last_complete_day(as_of) if as_of else None
    model = DemandForecaster()
    model.fit(signal_records(session, until=until), sector_of=sector_of,
              own_openings=own_opening_records(session, until=until),
              as_of_period=f"{until:%Y-%m}" if until else None)
    return model


def forecast(*, model: DemandForecaster, horizon: int, district: str | None = None, occupation: str | None = None,
             reference: Reference | None = None) -> list[ForecastRow]:
    """Forecast rows, for every series or the ones matching the filters (of one site's districts, when given)."""
    districts = None if reference is None else {d.name for d in reference.site.gazetteer.districts}
    series = [key for key in model.series_ if (district is None or key[0] == district)
              and (occupation is None or key[1] == occupation) and (districts is None or key[0] in districts)]
    return model.predict(horizon=horizon, series=series) if series else []


def priorities(*, session: Session, index: MatchIndex, reference: Reference, model: DemandForecaster,
               district: str | None, horizon: int = 6) -> list[Priority]:
    """Occupations ranked by forecast demand against job-ready and in-training trainees nearby."""
    gazetteer = reference.site.gazetteer
    neighbours = district_neighbours(gazetteer)
    # read once per change of the records (a large programme's skills take seconds to read), not once per view
    everyone = index.derived("market pipeline", lambda: TraineePipeline.from_records(
        pipeline_records(session, site=reference.code), reference.taxonomy, gazetteer), day=today(session),
        reads=("trainee", ERASURE))
    # one district's priorities count only the women living in it or next to it
    pipeline = everyone if district is None else everyone.living_in({district, *neighbours.get(district, ())})
    supply = supply_from_trainees(pipeline, reference.taxonomy, gazetteer, neighbours=neighbours)
    short_course = short_course_from_trainees(pipeline, reference.taxonomy, gazetteer, reference.site.qualification,
                                              neighbours=neighbours)
    rows = forecast(model=model, horizon=horizon, district=None, reference=reference)
    return training_priorities(forecasts=rows, supply=supply, district=district, taxonomy=reference.taxonomy,
                               neighbours=neighbours, horizon=horizon, growth=model, short_course=short_course)


def pipeline_records(session: Session, *, site: str) -> Iterator[dict[str, Any]]:
    """One site's job-ready and in-training trainees: district, status, track and skills."""
    statement = select(col(Trainee.district), col(Trainee.status), col(Trainee.training_track),
                       col(Trainee.skills)).where(col(Trainee.erased_at).is_(None), col(Trainee.site) == site,
                                                  col(Trainee.status).in_(SUPPLY_STATUSES))
    for row in session.execute(statement.execution_options(yield_per=5000)).mappings():
        yield dict(row)


def demand_model(*, session: Session, index: MatchIndex, reference: Reference) -> tuple[DemandForecaster | None, str]:
    """The active trained demand model and its version; without one, a model fitted on the stored signals (kept
    until a record changes or the day turns; None when the signals are too short to fit one)."""
    demand = index.matcher.demand
    if isinstance(demand, DemandForecaster):
        return demand, index.model_versions.get("demand", "demand")
    day = today(session)

    def fitted() -> tuple[DemandForecaster | None, str]:
        try:
            return fit(session=session, reference=reference, as_of=day), "demand-fitted-on-request"
        except ValueError as exc:  # too little market history for any series
            return None, f"none: {exc}"

    return index.derived("demand model fitted on request", fitted, day=day, reads=("market_signal", "opening"))
