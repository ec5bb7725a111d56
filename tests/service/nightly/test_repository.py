"""Which women of a run wait for a decision, counted and paged in the database: her first row (the proposal, or
else her first alternative) undecided and nothing of hers accepted; a coordinator sees her partner's only."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy.engine import Engine

from service.auth.models import ApiKey
from service.nightly import repository
from service.nightly.models import MatchRun, Proposal
from service.records.unit_of_work import unit_of_work

pytestmark = pytest.mark.db
ADMIN = ApiKey(prefix="test", role="admin", name="test", key_hash="-")
COORDINATOR = ApiKey(prefix="test2", role="coordinator", name="test", key_hash="-", partner_org="north")

# (trainee, kind, alternative rank, status); every woman's rows as the run wrote them
ROWS = [
    ("TR-1", "proposal", None, "proposed"), ("TR-1", "alternative", 1, "proposed"),      # waits
    ("TR-2", "proposal", None, "declined"), ("TR-2", "alternative", 1, "proposed"),      # decided
    ("TR-3", "alternative", 1, "proposed"), ("TR-3", "alternative", 2, "proposed"),      # waits (no proposal)
    ("TR-4", "alternative", 1, "declined"), ("TR-4", "alternative", 2, "proposed"),      # decided
    ("TR-5", "proposal", None, "proposed"), ("TR-5", "alternative", 1, "accepted"),      # placed from an alternative
    ("TR-6", "proposal", None, "proposed"),                                              # waits
]


@pytest.fixture
def run_id(db: Engine) -> int:
    with unit_of_work(db) as session:
        run = MatchRun(site="west_bengal", as_of=datetime.date(2026, 11, 1), status="complete")
        session.add(run)
        session.flush()
        assert run.id is not None
        session.add_all(Proposal(run_id=run.id, trainee_external_id=trainee, opening_external_id=f"OP-{i}", kind=kind,
                                 alternative_rank=rank, status=status, score=0.5, rank_in_her_list=1,
                                 partner_org="north" if trainee in ("TR-3", "TR-5") else "south")
                        for i, (trainee, kind, rank, status) in enumerate(ROWS))
        return run.id


def rows(db: Engine, run_id: int, caller: ApiKey, *, waiting_only: bool, offset: int = 0, limit: int = 10):
    with unit_of_work(db) as session:
        return repository.trainee_rows(session=session, run_id=run_id, caller=caller, waiting_only=waiting_only,
                                       offset=offset, limit=limit)


def test_waiting_women_are_those_whose_first_row_is_undecided_and_nothing_accepted(db: Engine, run_id: int):
    waiting = rows(db, run_id, ADMIN, waiting_only=True)
    assert (waiting.trainee_external_ids, waiting.total, waiting.waiting) == (["TR-1", "TR-3", "TR-6"], 6, 3)
    everyone = rows(db, run_id, ADMIN, waiting_only=False)
    assert everyone.trainee_external_ids == ["TR-1", "TR-2", "TR-3", "TR-4", "TR-5", "TR-6"]


def test_pages_and_scope(db: Engine, run_id: int):
    assert rows(db, run_id, ADMIN, waiting_only=True, offset=1, limit=1).trainee_external_ids == ["TR-3"]
    assert rows(db, run_id, ADMIN, waiting_only=True, offset=2, limit=5).trainee_external_ids == ["TR-6"]
    beyond = rows(db, run_id, ADMIN, waiting_only=True, offset=3, limit=5)
    assert (beyond.trainee_external_ids, beyond.total, beyond.waiting) == ([], 6, 3)
    north = rows(db, run_id, COORDINATOR, waiting_only=False)
    assert (north.trainee_external_ids, north.total, north.waiting) == (["TR-3", "TR-5"], 2, 1)
