"""Keys learn nothing about ids they cannot see; keys are bound to what exists; the last admin key stays; answers
holding personal data are never cached."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import make_key
from tests.service.auth import world
from tests.service.auth.test_authorization_matrix import job_posting
from tests.service.test_cli import jobmatch


def _same_answer(first, second) -> None:
    """Two answers a client cannot tell apart: equal once the id each asked about, and the id of the request itself
    (in X-Request-ID and a problem's `instance`), are blanked out."""
    def seen(response) -> tuple:
        asked = response.request.url.path.rsplit("/", 1)[-1]
        text = response.text.replace(response.headers["x-request-id"], "<request>").replace(asked, "<id>")
        return response.status_code, response.headers["content-type"], text
    assert seen(first) == seen(second), (first.text, second.text)


def test_an_employer_cannot_tell_another_employers_opening_from_an_unused_id(client, db):
    built = world.build(client, db)
    employer = built.headers["employer"]  # EM-1; OP-other belongs to EM-2
    body = world.opening_body("own")
    taken = client.put("/v1/openings/OP-other", json=body, headers=employer)
    unused = client.put("/v1/openings/OP-unused", json=body, headers=employer)
    assert taken.status_code == 404
    _same_answer(taken, unused)
    assert client.put("/v1/openings/EM-1:OP-7", json=body, headers=employer).status_code == 201  # its namespace
    assert client.put("/v1/openings/OP-own", json=body, headers=employer).status_code == 200  # its own, any id
    assert client.get("/v1/openings/OP-unused", headers=built.headers["admin"]).status_code == 404  # not written
    # The JobPosting intake gives one answer for both, too, and writes nothing.
    taken = client.post("/v1/job-postings", json={**job_posting("own"), "identifier": "OP-other"}, headers=employer)
    unused = client.post("/v1/job-postings", json={**job_posting("own"), "identifier": "OP-unused"}, headers=employer)
    assert taken.status_code == 422
    assert taken.json()["errors"] == unused.json()["errors"] or \
        [e["reason"] for e in taken.json()["errors"]] == [e["reason"] for e in unused.json()["errors"]]
    assert client.get("/v1/openings/OP-unused", headers=built.headers["admin"]).status_code == 404


def test_a_coordinator_cannot_tell_another_partners_trainee_from_an_unused_id(client, db):
    built = world.build(client, db)
    coordinator = built.headers["coordinator"]  # kolkata_metro; TR-other is north_bengal's
    body = world.trainee_body("own")
    taken = client.put("/v1/trainees/TR-other", json=body, headers=coordinator)
    unused = client.put("/v1/trainees/TR-unused", json=body, headers=coordinator)
    assert taken.status_code == 404
    _same_answer(taken, unused)
    assert client.put("/v1/trainees/kolkata_metro:TR-7", json=body, headers=coordinator).status_code == 201
    placement = {**world.placement_body("own")}
    _same_answer(client.put("/v1/placements/PL-other", json=placement, headers=coordinator),
                 client.put("/v1/placements/PL-unused", json=placement, headers=coordinator))
    answers = []
    for external_id in ("TR-other", "TR-unused"):  # and an import says the same of both
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("trainees.csv", f"external_id,partner_org,status,district\n"
                                             f"{external_id},kolkata_metro,job_ready,Kolkata\n")
        answers.append(client.post("/v1/imports", files={"file": ("b.zip", buffer.getvalue(), "application/zip")},
                                   headers=coordinator))
    assert answers[0].status_code == 422
    assert [e["reason"] for e in answers[0].json()["errors"]] == [e["reason"] for e in answers[1].json()["errors"]]


def test_keys_are_bound_only_to_what_exists_and_never_born_expired(client, db):
    built = world.build(client, db)
    admin = built.headers["admin"]
    for body, field in (({"role": "employer", "employer_external_id": "EM-404"}, "employer_external_id"),
                        ({"role": "coordinator", "partner_org": "atlantis"}, "partner_org"),
                        ({"role": "batch", "expires_at": "2020-01-01T00:00:00Z"}, "expires_at")):
        refused = client.post("/v1/keys", json=body, headers=admin)
        assert refused.status_code == 422 and refused.json()["errors"][0]["loc"] == ["body", field], refused.text
    later = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    for body in ({"role": "employer", "employer_external_id": "EM-2"}, {"role": "coordinator", "partner_org": "north_bengal"},
                 {"role": "batch", "expires_at": later}):
        assert client.post("/v1/keys", json=body, headers=admin).status_code == 201, body
    assert client.get("/v1/keys", headers=admin).json()["count"] == 4 + 3  # the world's four and these three


def test_the_cli_refuses_unknown_bindings_and_expired_keys(db, database_url):
    for args, message in ((["--role", "employer", "--employer", "EM-404"], "No employer 'EM-404'"),
                          (["--role", "coordinator", "--partner", "atlantis"], "partner 'atlantis'"),
                          (["--role", "batch", "--expires-in-days", "0"], "expired already")):
        refused = jobmatch(database_url, "keys", "create", *args)
        assert refused.returncode == 1 and message in refused.stderr and "Traceback" not in refused.stderr


def test_the_last_admin_key_cannot_be_revoked(client, db, database_url):
    from sqlmodel import Session, select

    from service.auth.models import ApiKey
    admin = {"Authorization": f"Bearer {make_key(db, 'admin')}"}
    with Session(db) as session:
        only = session.exec(select(ApiKey.id)).one()
    refused = client.delete(f"/v1/keys/{only}", headers=admin)
    assert refused.status_code == 409 and refused.headers["content-type"] == "application/problem+json"
    cli = jobmatch(database_url, "keys", "revoke", str(only))
    assert cli.returncode == 1 and len(cli.stderr.strip().splitlines()) == 1 and "last working admin" in cli.stderr
    assert client.get("/v1/keys", headers=admin).status_code == 200  # still works
    second = client.post("/v1/keys", json={"role": "admin"}, headers=admin).json()
    second_admin = {"Authorization": f"Bearer {second['key']}"}
    assert client.delete(f"/v1/keys/{only}", headers=second_admin).status_code == 204  # another admin remains
    assert client.delete(f"/v1/keys/{second['id']}", headers=second_admin).status_code == 409


@pytest.mark.parametrize("role", ["admin", "coordinator", "employer", "batch"])
def test_every_v1_answer_says_no_store(client, db, role):
    built = world.build(client, db)
    headers = built.headers[role]
    answers = [client.get(url, headers=headers) for url in (
        "/v1/trainees", "/v1/trainees/TR-own", "/v1/trainees/TR-nobody", "/v1/openings/OP-own",
        "/v1/match-runs/latest/proposals", "/v1/audit", "/v1/trainees/TR-own/consents")]
    answers.append(client.get("/v1/match-runs/latest/proposals", headers={**headers, "Accept": "text/csv"}))
    answers.append(client.get("/v1/trainees", headers={"Authorization": "Bearer jm_wrong"}))
    answers.append(client.get("/v1/trainees?limit=-1", headers=headers))
    assert {200, 401} <= {a.status_code for a in answers} and len({a.status_code for a in answers}) >= 3
    assert all(a.headers.get("cache-control") == "no-store" for a in answers), \
        [(a.request.url.path, a.status_code) for a in answers if a.headers.get("cache-control") != "no-store"]
    if role == "coordinator":  # an idempotent replay too
        consent = {"employer_external_id": "EM-1", "status": "given", "recorded_by": "desk"}
        for _ in range(2):
            posted = client.post("/v1/trainees/TR-own/consents", json=consent,
                                 headers={**headers, "Idempotency-Key": "no-store-1"})
            assert posted.headers.get("cache-control") == "no-store"
        assert posted.headers.get("idempotent-replayed") == "true"
    assert client.get("/healthz").headers.get("cache-control") is None  # not personal: cacheable as before
