"""One woman, one open placement: however accepts, PUTs and imports race, the database keeps one and every
other attempt is a 409 (or a located bundle problem), never a 500 or a second placement."""

from __future__ import annotations

import datetime
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select
from sqlmodel import Session

from service.followups.models import Followup
from service.imports.service import BundleInvalid, import_bundle
from service.nightly.models import MatchRun, Proposal
from service.placements.models import Placement
from tests.service.auth.world import employer_body, opening_body, trainee_body


@pytest.fixture
def proposals(client, db, admin_headers) -> list[int]:
    """Her proposal and two alternatives in a complete run."""
    assert client.put("/v1/employers/EM-own", json=employer_body("own"), headers=admin_headers).status_code == 201
    assert client.put("/v1/trainees/TR-1", json=trainee_body("own"), headers=admin_headers).status_code == 201
    for opening in ("OP-1", "OP-2", "OP-3"):
        body = {**opening_body("own"), "employer_external_id": "EM-own"}
        assert client.put(f"/v1/openings/{opening}", json=body, headers=admin_headers).status_code == 201
    with Session(db) as session:
        run = MatchRun(site="west_bengal", as_of=datetime.date(2026, 11, 1), status="complete")
        session.add(run)
        session.commit()
        rows = [{"run_id": run.id, "trainee_external_id": "TR-1", "opening_external_id": f"OP-{i}",
                 "partner_org": "kolkata_metro", "kind": "proposal" if i == 1 else "alternative", "score": 0.5,
                 "rank_in_her_list": i, "alternative_rank": None if i == 1 else i - 1, "reasons": [],
                 "status": "proposed"} for i in (1, 2, 3)]
        session.execute(insert(Proposal.__table__), rows)
        session.commit()
        return [*session.execute(select(Proposal.id).order_by(Proposal.rank_in_her_list)).scalars()]


def counts(db) -> tuple[int, int]:
    with Session(db) as session:
        return (session.execute(select(func.count()).select_from(Placement)).scalar_one(),
                session.execute(select(func.count()).select_from(Followup)).scalar_one())


def test_accepting_an_alternative_after_her_proposal_was_accepted_is_409(client, db, admin_headers, proposals):
    first = client.post(f"/v1/proposals/{proposals[0]}/accept", json={"started_on": "2026-11-10"},
                        headers=admin_headers)
    assert first.status_code == 200
    for alternative in proposals[1:]:
        refused = client.post(f"/v1/proposals/{alternative}/accept", json={}, headers=admin_headers)
        assert refused.status_code == 409
        assert refused.headers["content-type"] == "application/problem+json"
        assert first.json()["placement_external_id"] in refused.json()["detail"]
    assert counts(db) == (1, 4)


def test_simultaneous_accepts_of_one_proposal_give_one_placement(client, db, admin_headers, proposals):
    statuses: list[int] = []
    start = threading.Barrier(8)

    def accept(target: int) -> None:
        own = TestClient(client.app)  # its own connection pool checkout and session, as separate clients would
        start.wait()
        statuses.append(own.post(f"/v1/proposals/{target}/accept", json={"started_on": "2026-11-10"},
                                 headers=admin_headers).status_code)

    threads = [threading.Thread(target=accept, args=(proposals[i % 3 if i >= 6 else 0],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [200] + [409] * 7
    assert counts(db) == (1, 4)


def test_a_second_open_placement_by_put_is_409_and_naming_the_first(client, db, admin_headers, proposals):
    body = {"trainee_external_id": "TR-1", "opening_external_id": "OP-1", "started_on": "2026-01-10"}
    assert client.put("/v1/placements/PL-A", json=body, headers=admin_headers).status_code == 201
    second = client.put("/v1/placements/PL-B", json={**body, "opening_external_id": "OP-2"}, headers=admin_headers)
    assert second.status_code == 409 and "PL-A" in second.json()["detail"]
    ended = client.put("/v1/placements/PL-A", json={**body, "ended_on": "2026-03-01"}, headers=admin_headers)
    assert ended.status_code == 200
    assert client.put("/v1/placements/PL-B", json={**body, "opening_external_id": "OP-2"},
                      headers=admin_headers).status_code == 201
    accepted = client.post(f"/v1/proposals/{proposals[0]}/accept", json={}, headers=admin_headers)
    assert accepted.status_code == 409 and "PL-B" in accepted.json()["detail"]


def test_a_bundle_with_a_second_open_placement_is_a_located_problem(client, db, admin_headers, proposals, reference,
                                                                    tmp_path):
    body = {"trainee_external_id": "TR-1", "opening_external_id": "OP-1", "started_on": "2026-01-10"}
    assert client.put("/v1/placements/PL-A", json=body, headers=admin_headers).status_code == 201
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "placements.csv").write_text("external_id,trainee_external_id,opening_external_id,started_on,ended_on\n"
                                           "PL-B,TR-1,OP-2,2026-02-01,\n")
    with pytest.raises(BundleInvalid) as caught:
        import_bundle(engine=db, reference=reference, path=folder)
    assert [(e["file"], e["line"], e["column"]) for e in caught.value.errors] == [
        ("placements.csv", 2, "trainee_external_id")]
    assert "PL-A" in caught.value.errors[0]["reason"]
    (folder / "placements.csv").write_text("external_id,trainee_external_id,opening_external_id,started_on,ended_on\n"
                                           "PL-A,TR-1,OP-1,2026-01-10,2026-01-31\nPL-B,TR-1,OP-2,2026-02-01,\n"
                                           "PL-C,TR-1,OP-3,2026-02-01,\n")
    with pytest.raises(BundleInvalid) as caught:
        import_bundle(engine=db, reference=reference, path=folder)
    assert [(e["line"], e["column"]) for e in caught.value.errors] == [(4, "trainee_external_id")]
    assert counts(db)[0] == 1
