"""Erasure reaches every table and export that names her, all or nothing; the audit log keeps only pseudonyms."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from service.nightly.models import Proposal
from tests.service.auth import world

HER = "TR-own"
AS_OF = "2026-11-01"


def _cell(value) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("latin-1")
    return value if isinstance(value, str) else json.dumps(value, default=str)


def cells_naming(engine, needle: str) -> list[str]:
    """Every table.column (of every table in the database, not only the models') whose value contains needle."""
    found = []
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            result = connection.execute(text(f'SELECT * FROM "{table}"'))
            columns = list(result.keys())
            for row in result:
                found += [f"{table}.{column}" for column, value in zip(columns, row)
                          if value is not None and needle in _cell(value)]
    return sorted(set(found))


def _give_her_a_history(client: TestClient, built) -> None:
    admin, coordinator = built.headers["admin"], built.headers["coordinator"]
    consent = {"employer_external_id": "EM-1", "status": "given", "recorded_by": "desk"}
    posted = client.post(f"/v1/trainees/{HER}/consents", json=consent,
                         headers={**coordinator, "Idempotency-Key": "her-consent-1"})
    assert posted.status_code == 201
    client.patch(f"/v1/trainees/{HER}", json={"cohort": "2026-C"}, headers=coordinator)
    confirmed = client.put(f"/v1/trainees/{HER}/journeys/OP-own", json={"minutes": 45, "confirmed_by": "desk"},
                           headers=coordinator)
    assert confirmed.status_code == 201
    client.get(f"/v1/trainees/{HER}", headers=coordinator)
    client.get(f"/v1/trainees/{HER}/matches?as_of={AS_OF}", headers=coordinator)
    client.get(f"/v1/openings/OP-own/candidates?as_of={AS_OF}", headers=admin)


def test_erasure_leaves_her_id_in_no_table_no_export_and_no_index(client, db, settings):
    from service.main import create_app
    built = world.build(client, db)
    admin, coordinator = built.headers["admin"], built.headers["coordinator"]
    _give_her_a_history(client, built)
    with Session(db) as session:
        assert session.exec(select(Proposal).where(Proposal.trainee_external_id == HER)).first() is not None
    named = cells_naming(db, HER)
    for expected in ("trainee.external_id", "placement.trainee_external_id", "proposal.trainee_external_id",
                     "consent.trainee_external_id", "confirmed_journey.trainee_external_id", "idempotency_record.body",
                     "idempotency_record.path", "change_log.external_id", "audit_subject.external_id",
                     "candidate_handle.trainee_external_id"):
        assert expected in named
    assert "audit_event.external_id" not in named  # the log names her by pseudonym from the start
    audit = client.get(f"/v1/audit?external_id={HER}", headers=admin).json()
    assert audit["count"] >= 5 and {e["external_id"] for e in audit["data"]} == {HER}

    with TestClient(create_app(settings)) as other_worker:  # an index built before the erasure
        before = other_worker.get(f"/v1/openings/OP-own/candidates?as_of={AS_OF}", headers=admin).json()["data"]
        assert HER in {c["trainee_external_id"] for c in before}
        assert client.delete(f"/v1/trainees/{HER}", headers=coordinator).status_code == 204
        after = other_worker.get(f"/v1/openings/OP-own/candidates?as_of={AS_OF}", headers=admin).json()["data"]
        assert HER not in {c["trainee_external_id"] for c in after} and len(after) == 1

    assert cells_naming(db, HER) == []
    for accept in ("application/json", "text/csv"):
        answer = client.get("/v1/match-runs/latest/proposals", headers={**admin, "Accept": accept})
        assert answer.status_code == 200 and HER not in answer.text
    with Session(db) as session:  # her proposals stay for learning, under the anonymised stub's id
        stub_ids = {p.trainee_external_id for p in session.exec(select(Proposal)) if p.partner_org == "kolkata_metro"}
    assert stub_ids and all(i.startswith("ERASED-") for i in stub_ids)
    erased = client.get("/v1/audit?action=erase", headers=admin).json()["data"]
    assert [e["external_id"] for e in erased] == ["erased"]
    assert client.get(f"/v1/audit?external_id={HER}", headers=admin).json()["count"] == 0
    # Her consent POST is never replayed: the stored answer is gone, and the trainee with it.
    replay = client.post(f"/v1/trainees/{HER}/consents", headers={**coordinator, "Idempotency-Key": "her-consent-1"},
                         json={"employer_external_id": "EM-1", "status": "given", "recorded_by": "desk"})
    assert replay.status_code == 404 and replay.headers.get("idempotent-replayed") is None


def test_erasure_without_placements_keeps_no_stub_and_still_names_her_nowhere(client, db):
    built = world.build(client, db)
    admin = built.headers["admin"]
    client.put("/v1/trainees/TR-new", json=world.trainee_body("own"), headers=admin)
    client.get("/v1/trainees/TR-new", headers=admin)
    assert client.delete("/v1/trainees/TR-new", headers=admin).status_code == 204
    assert cells_naming(db, "TR-new") == []


def test_erasure_is_all_or_nothing(client, db, monkeypatch):
    built = world.build(client, db)
    admin = built.headers["admin"]
    _give_her_a_history(client, built)
    named = cells_naming(db, HER)
    from service.audit import subjects

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(subjects, "unlink", broken)  # fails after the stub, proposals, consents, log were written
    assert client.delete(f"/v1/trainees/{HER}", headers=admin).status_code == 500
    assert cells_naming(db, HER) == named
    assert client.get(f"/v1/trainees/{HER}", headers=admin).status_code == 200
    assert client.get(f"/v1/trainees/{HER}/consents", headers=admin).json()["count"] == 1


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_url(request, tmp_path):
    """An empty database of each backend, for migrating step by step."""
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from tests.conftest import ENV
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    if not ENV.test_database_url:
        pytest.skip("PostgreSQL not configured (set JOBMATCH_TEST_DATABASE_URL)")
    admin_url = make_url(ENV.test_database_url)
    name = f"jobmatch_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield admin_url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migration_0007_turns_stored_trainee_ids_into_pseudonyms(blank_url):
    from sqlalchemy import create_engine

    from service.core.migrate import upgrade
    upgrade(blank_url, "0006")
    engine = create_engine(blank_url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO trainee (external_id, partner_org, status, district, skills, languages, preferred_sectors, "
            "max_commute_minutes, willing_to_relocate, night_shift_ok, has_dependents, excluded_employers, "
            "excluded_districts, is_survivor, risk_flag, created_at, updated_at, version) VALUES ('TR-9', 'p', "
            "'job_ready', 'Kolkata', '[]', '[]', '[]', 60, false, false, false, '[]', '[]', true, false, "
            "'2026-01-01', '2026-01-01', 1)"))
        for who in ("TR-9", "TR-GONE"):  # TR-GONE was erased before pseudonyms existed
            connection.execute(text("INSERT INTO audit_event (at, role, action, entity, external_id) "
                                    f"VALUES ('2026-01-01', 'cli', 'read', 'trainee', '{who}')"))
    upgrade(blank_url)
    with engine.connect() as connection:
        stored = [r[0] for r in connection.execute(text("SELECT external_id FROM audit_event ORDER BY id"))]
        links = dict(connection.execute(text("SELECT token, external_id FROM audit_subject")).all())
    with pytest.raises(Exception, match="append-only"):  # the guard is back in place
        with engine.begin() as connection:
            connection.execute(text("UPDATE audit_event SET action = 'x'"))
    engine.dispose()
    assert all(value.startswith("AS-") for value in stored)
    assert links == {stored[0]: "TR-9"}  # the erased one's events stay unlinked
