"""POST /v1/job-postings over HTTP: mapping, scoping to the employer, all-or-nothing errors."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import make_key
from tests.service.auth import world

EXAMPLES = Path(__file__).parent / "examples"


def google_style() -> dict:
    return json.loads((EXAMPLES / "google_style.json").read_text())


def test_google_style_posting_becomes_an_opening(client, db):
    world.build(client, db)
    employer = {"Authorization": f"Bearer {make_key(db, 'employer', employer_external_id='EM-1')}"}
    posting = google_style()
    posting["identifier"]["value"] = "EM-1:" + posting["identifier"]["value"]  # the employer key's namespace
    response = client.post("/v1/job-postings", json=posting, headers=employer)
    assert response.status_code == 200, response.text
    result = response.json()["data"][0]
    opening = result["opening"]
    assert result["created"] is True and opening["employer_external_id"] == "EM-1"
    assert opening["district"] == "Howrah" and opening["positions"] == posting["totalJobOpenings"]
    assert opening["monthly_wage_inr"] > 10_000  # hourly pay × hours a month
    assert any("one opening per location" in item["reason"] for item in result["unmapped"])
    assert client.get(f"/v1/openings/{result['external_id']}", headers=employer).status_code == 200


def test_malformed_posting_names_the_field_and_writes_nothing(client, admin_headers, db):
    world.build(client, db)
    bad = google_style()
    bad["baseSalary"]["value"]["unitText"] = "FORTNIGHT"
    response = client.post("/v1/job-postings", json=[google_style(), bad], headers=admin_headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert any("unitText" in error["loc"][0] for error in response.json()["errors"])
    assert client.get("/v1/openings?employer_external_id=EM-1", headers=admin_headers).json()["count"] == 1


def test_an_employer_cannot_post_for_another_employer(client, db):
    world.build(client, db)
    employer = {"Authorization": f"Bearer {make_key(db, 'employer', employer_external_id='EM-2')}"}
    response = client.post("/v1/job-postings", json=google_style(), headers=employer)
    assert response.status_code == 422
    assert "hiringOrganization.identifier" in response.json()["errors"][0]["loc"][0]
