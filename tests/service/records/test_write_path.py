"""Every kind of write goes through the one write path: the row's version moves, the change reaches a second
service instance's match index, and an audit entry names it; a failure in the middle of a multi-row write
leaves nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlmodel import Session

from service.core.reference import load_reference
from service.imports.service import import_bundle
from service.main import create_app
from service.nightly.models import Proposal
from service.openings.models import Opening
from service.placements.models import Placement
from service.records import writes
from service.trainees.models import Trainee
from tests.service.auth import world
from tests.service.imports.bundles import FILES, write_bundle

EXAMPLES = Path(__file__).parents[1] / "job_postings" / "examples"


def version_of(engine, table, external_id: str) -> int:
    with Session(engine) as session:
        return session.execute(select(table.version).where(table.external_id == external_id)).scalar_one()


def audit_actions(client: TestClient, headers: dict, entity: str, external_id: str) -> list[str]:
    answer = client.get(f"/v1/audit?entity={entity}&external_id={external_id}&limit=500", headers=headers).json()
    return [event["action"] for event in answer["data"]]


@pytest.fixture
def second_instance(settings):
    """Another worker: its own app, engine and match index, built before the write."""
    with TestClient(create_app(settings)) as other:
        yield other


def index_sees(app, table: str, external_id: str) -> bool:
    """Whether the instance's index, brought up to date, has reloaded this record since its base was built."""
    with Session(app.state.engine) as session:
        index = app.state.index.current(app.state.reference.code, session)
    return external_id in getattr(index, table).touched


def through_the_api(client, built):
    body = {**world.trainee_body("own"), "cohort": "2026-Z"}
    assert client.put("/v1/trainees/TR-own", json=body, headers=built.headers["admin"]).status_code == 200
    return Trainee, "TR-own", "trainees", "update"


def through_patch(client, built):
    answer = client.patch("/v1/openings/OP-own", json={"positions": 5}, headers=built.headers["admin"])
    assert answer.status_code == 200
    return Opening, "OP-own", "openings", "update"


def through_a_job_posting(client, built):
    posting = json.loads((EXAMPLES / "google_style.json").read_text())
    posting["identifier"]["value"] = "OP-own"
    posting["hiringOrganization"]["identifier"] = {"@type": "PropertyValue", "value": "EM-1"} \
        if isinstance(posting["hiringOrganization"].get("identifier"), dict) else "EM-1"
    answer = client.post("/v1/job-postings", json=posting, headers=built.headers["admin"])
    assert answer.status_code == 200, answer.text
    return Opening, "OP-own", "openings", "update"


def through_accept(client, built):
    admin = built.headers["admin"]
    assert client.patch("/v1/placements/PL-own", json={"ended_on": "2026-10-01"}, headers=admin).status_code == 200
    proposals = client.get("/v1/match-runs/latest/proposals?limit=500", headers=admin).json()["data"]
    mine = next(p for p in proposals if p["trainee_external_id"] == "TR-own")
    assert client.post(f"/v1/proposals/{mine['id']}/accept", json={}, headers=admin).status_code == 200
    return Trainee, "TR-own", "trainees", "proposal_accepted"


def through_a_risk_flag(client, built):
    answer = client.put("/v1/followups/PL-own/1", json={"employed": True, "risk_flag": True, "checked_on": "2026-02-10"},
                        headers=built.headers["admin"])
    assert answer.status_code == 200, answer.text
    return Trainee, "TR-own", "trainees", "risk_flag"


WRITES: dict[str, Callable] = {"api put": through_the_api, "api patch": through_patch,
                               "job posting": through_a_job_posting, "accept": through_accept,
                               "risk flag": through_a_risk_flag}


@pytest.mark.parametrize("kind", WRITES)
def test_each_kind_of_write_moves_the_version_reaches_other_indexes_and_is_audited(client, db, second_instance, kind):
    built = world.build(client, db)
    admin = built.headers["admin"]
    assert second_instance.get("/v1/openings/OP-own/candidates?as_of=2026-11-01", headers=admin).status_code == 200
    before = {"TR-own": version_of(db, Trainee, "TR-own"), "OP-own": version_of(db, Opening, "OP-own")}
    table, external_id, index_table, action = WRITES[kind](client, built)
    assert version_of(db, table, external_id) > before[external_id]
    assert index_sees(second_instance.app, index_table, external_id)
    assert action in audit_actions(client, admin, table.__tablename__, external_id)


def test_an_import_moves_versions_reaches_other_indexes_and_is_audited(client, db, second_instance, tmp_path,
                                                                        admin_headers):
    reference = load_reference(client.app.state.settings.data_dir, client.app.state.settings.site)
    import_bundle(engine=db, reference=reference, path=write_bundle(tmp_path / "first"))
    assert second_instance.get("/v1/openings/OP-1/candidates?as_of=2026-11-01", headers=admin_headers).status_code == 200
    before = version_of(db, Trainee, "TR-1")
    changed = FILES["trainees.csv"].replace("TR-1,kolkata_metro,2026-A", "TR-1,kolkata_metro,2026-Q")
    report = import_bundle(engine=db, reference=reference, path=write_bundle(tmp_path / "second", trainees_csv=changed))
    assert report.files["trainees.csv"].updated == 1
    assert version_of(db, Trainee, "TR-1") == before + 1
    assert index_sees(second_instance.app, "trainees", "TR-1")
    assert "import" in audit_actions(client, admin_headers, "trainee", "TR-1")


def fail_on_call(monkeypatch, module, name: str, call: int) -> None:
    """Make the n-th call of a write function fail, as a crash in the middle of a multi-row write would."""
    original, calls = getattr(module, name), {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == call:
            raise RuntimeError("simulated failure in the middle of a write")
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, failing)


def counts(engine) -> dict[str, int]:
    with Session(engine) as session:
        return {table: session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("trainee", "opening", "placement", "followup", "change_log", "audit_event")}


def test_two_job_postings_are_written_both_or_neither(client, db, monkeypatch, frozen_today):
    built = world.build(client, db)
    two = json.loads((EXAMPLES / "two_postings.json").read_text())
    two[1]["hiringOrganization"]["identifier"] = "EM-1"  # both employers exist
    before = counts(db)
    fail_on_call(monkeypatch, writes, "insert", 2)
    with TestClient(client.app, raise_server_exceptions=False) as failing:
        answer = failing.post("/v1/job-postings", json=two, headers=built.headers["admin"])
    assert answer.status_code == 500
    assert counts(db) == before


def test_an_accept_failing_after_its_placement_leaves_the_proposal_undecided(client, db, monkeypatch):
    built = world.build(client, db)
    admin = built.headers["admin"]
    assert client.patch("/v1/placements/PL-own", json={"ended_on": "2026-10-01"}, headers=admin).status_code == 200
    mine = next(p for p in client.get("/v1/match-runs/latest/proposals?limit=500", headers=admin).json()["data"]
                if p["trainee_external_id"] == "TR-own")
    before = counts(db)
    fail_on_call(monkeypatch, writes, "insert_many", 1)  # the follow-up schedule, after the placement
    with TestClient(client.app, raise_server_exceptions=False) as failing:
        assert failing.post(f"/v1/proposals/{mine['id']}/accept", json={}, headers=admin).status_code == 500
    assert counts(db) == before
    with Session(db) as session:
        assert session.get(Proposal, mine["id"]).status == "proposed"
        assert session.execute(select(func.count()).select_from(Placement)
                               .where(Placement.trainee_external_id == "TR-own", Placement.ended_on.is_(None))
                               ).scalar_one() == 0


def test_an_erasure_failing_half_way_keeps_her_record_whole(client, db, monkeypatch):
    built = world.build(client, db)
    before = counts(db)
    from service.records import changes
    fail_on_call(monkeypatch, changes, "forget", 1)
    with TestClient(client.app, raise_server_exceptions=False) as failing:
        assert failing.delete("/v1/trainees/TR-own", headers=built.headers["admin"]).status_code == 500
    assert counts(db) == before
    assert client.get("/v1/trainees/TR-own", headers=built.headers["admin"]).status_code == 200


def test_an_import_failing_in_its_second_file_writes_nothing(client, db, monkeypatch, tmp_path):
    before = counts(db)
    reference = load_reference(client.app.state.settings.data_dir, client.app.state.settings.site)
    fail_on_call(monkeypatch, writes, "insert_many", 3)  # employers and trainees are written, then a crash
    with pytest.raises(RuntimeError):
        import_bundle(engine=db, reference=reference, path=write_bundle(tmp_path / "bundle"))
    assert counts(db) == before
