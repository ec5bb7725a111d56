"""One rule for a trainee's sensitive fields: admins and her own partner's coordinators read them; nobody else."""

from __future__ import annotations

import pytest

from service.auth.policy import SENSITIVE_TRAINEE_FIELDS
from tests.service.auth import world

FIELDS = {"lat": 22.61, "lon": 88.41, "excluded_employers": ["EM-9"], "excluded_districts": ["Malda"],
          "is_survivor": True}


@pytest.fixture
def built(client, db):
    return world.build(client, db)


def _own(answer) -> dict:
    return next(t for t in answer.json()["data"] if t["external_id"] == "TR-own")


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_admins_and_her_own_partners_coordinators_read_her_sensitive_fields(client, built, role):
    headers = built.headers[role]
    for answer in (client.get("/v1/trainees/TR-own", headers=headers).json(),
                   _own(client.get("/v1/trainees", headers=headers)),
                   client.patch("/v1/trainees/TR-own", json={"cohort": "C"}, headers=headers).json(),
                   client.put("/v1/trainees/TR-own", json=world.trainee_body("own"), headers=headers).json()):
        assert {name: answer[name] for name in FIELDS} == FIELDS
    assert client.get("/v1/trainees/TR-own/consents", headers=headers).status_code == 200


def test_another_partners_coordinator_gets_404(client, built):
    coordinator = built.headers["coordinator"]
    for method, url in (("GET", "/v1/trainees/TR-other"), ("GET", "/v1/trainees/TR-other/consents"),
                        ("PATCH", "/v1/trainees/TR-other"), ("GET", "/v1/trainees/TR-other/matches")):
        answer = client.request(method, url, headers=coordinator, json={} if method == "PATCH" else None)
        assert answer.status_code == 404 and "Malda" not in answer.text
    assert "TR-other" not in {t["external_id"] for t in client.get("/v1/trainees", headers=coordinator).json()["data"]}


def test_the_batch_role_reads_trainees_without_sensitive_fields(client, built):
    batch = built.headers["batch"]
    one = client.get("/v1/trainees/TR-own", headers=batch)
    listed = client.get("/v1/trainees", headers=batch)
    assert one.status_code == 200 and listed.status_code == 200 and listed.json()["count"] == 2
    for answer in (one.json(), *listed.json()["data"]):
        assert {name: answer[name] for name in FIELDS} == dict.fromkeys(FIELDS)  # withheld, not made up
        assert answer["skills"] and answer["district"] == "Kolkata"  # the rest is there for the nightly run
    for secret in ("Malda", "EM-9", "22.61", "88.41"):
        assert secret not in listed.text
    assert client.get("/v1/trainees/TR-own/consents", headers=batch).status_code == 403


def test_an_employer_reads_no_trainee_record(client, built):
    employer = built.headers["employer"]
    for url in ("/v1/trainees", "/v1/trainees/TR-own", "/v1/trainees/TR-own/consents", "/v1/trainees/TR-own/matches"):
        assert client.get(url, headers=employer).status_code == 403


def test_the_rule_names_every_sensitive_field_of_the_model():
    from service.trainees.models import TraineeBase
    marked = {name for name, field in TraineeBase.model_fields.items() if "Sensitive" in (field.description or "")}
    assert marked | {"consents"} == SENSITIVE_TRAINEE_FIELDS
