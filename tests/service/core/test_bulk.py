"""Bulk writes (COPY on PostgreSQL, executemany on SQLite): rows land as an ORM insert would store them, in the
caller's transaction, and a constraint violation rolls everything back as SQLAlchemy's IntegrityError."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from service.core import bulk
from service.core.db import table_of
from service.core.models import utcnow
from service.records.unit_of_work import has_written, unit_of_work
from service.trainees.models import Trainee

TRAINEES = table_of(Trainee)


def trainee(external_id: str, **values) -> dict:
    now = utcnow()
    return {"external_id": external_id, "partner_org": "kolkata_metro", "status": "job_ready",
            "district": "Kolkata", "site": "west_bengal", "created_at": now, "updated_at": now, "version": 1, **values}


def test_rows_land_with_their_types_and_the_column_defaults(db) -> None:
    skills = [{"label": "Tailoring", "level": 2, "skill": "machine_stitching"}]
    with unit_of_work(db) as session:
        bulk.insert_rows(session, TRAINEES, [trainee("TR-1", skills=skills, available_from=date(2026, 10, 1),
                                                     attendance_rate=0.92),
                                             trainee("TR-2", languages=["bn"], is_survivor=True)])
        assert has_written(session)
    with Session(db) as session:
        first, second = session.exec(select(Trainee).order_by(Trainee.external_id)).scalars().all()
    assert first.skills == skills and first.available_from == date(2026, 10, 1) and first.attendance_rate == 0.92
    assert first.languages == [] and first.max_commute_minutes == 60 and first.risk_flag is False  # defaults
    assert second.languages == ["bn"] and second.is_survivor is True and second.updated_at is not None


def test_updates_set_only_the_columns_given(db) -> None:
    with unit_of_work(db) as session:
        bulk.insert_rows(session, TRAINEES, [trainee("TR-1", cohort="2026-A"), trainee("TR-2", cohort="2026-B")])
    with Session(db) as session:
        ids = dict(session.execute(select(Trainee.external_id, Trainee.id)).all())
    with unit_of_work(db) as session:
        bulk.update_rows(session, TRAINEES, [{"id": ids["TR-2"], "status": "placed", "skills": [], "version": 2}])
    with Session(db) as session:
        rows = {t.external_id: t for t in session.exec(select(Trainee)).scalars()}
    assert (rows["TR-2"].status, rows["TR-2"].version, rows["TR-2"].cohort) == ("placed", 2, "2026-B")
    assert (rows["TR-1"].status, rows["TR-1"].version) == ("job_ready", 1)


def test_a_violation_is_an_integrity_error_and_nothing_lands(db) -> None:
    with pytest.raises(IntegrityError), unit_of_work(db) as session:
        bulk.insert_rows(session, TRAINEES, [trainee("TR-1")])
        bulk.insert_rows(session, TRAINEES, [trainee("TR-2"), trainee("TR-1")])
    with Session(db) as session:
        assert session.execute(select(func.count()).select_from(Trainee)).scalar_one() == 0
