"""A request's unit of work run on one thread commits what it wrote once, when its work returns, and nothing when the
work fails."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlmodel import Session
from starlette.requests import Request

from service.audit import service as audit
from service.audit.models import AuditEvent
from service.core.errors import NotFound
from service.records.unit_of_work import RequestWork


def _events(db, external_id: str) -> int:
    with Session(db) as session:
        return session.execute(select(func.count()).select_from(AuditEvent)
                               .where(AuditEvent.external_id == external_id)).scalar_one()


def test_a_request_unit_of_work_commits_once_what_its_work_wrote_and_nothing_when_it_fails(client, db):
    def request() -> Request:
        return Request({"type": "http", "app": client.app, "headers": [], "state": {}})

    def write(session: Session) -> str:
        audit.record(session=session, caller=None, action="read", entity="employer", external_ids=["EM-kept"])
        return "written"

    work = RequestWork(request())
    assert asyncio.run(work.run(write)) == "written"
    assert _events(db, "EM-kept") == 1
    with pytest.raises(RuntimeError, match="once"):
        asyncio.run(work.run(write))

    def write_then_fail(session: Session) -> None:
        audit.record(session=session, caller=None, action="read", entity="employer", external_ids=["EM-lost"])
        raise NotFound("No such record.")

    with pytest.raises(NotFound):
        asyncio.run(RequestWork(request()).run(write_then_fail))
    assert _events(db, "EM-lost") == 0 and _events(db, "EM-kept") == 1
