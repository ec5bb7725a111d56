"""The record API: keys, upserts, concurrency, filters, paging and problem+json errors."""

from __future__ import annotations

import pytest

EMPLOYER = {"name": "Howrah Garments Unit 1", "sector": "apparel", "district": "howrah", "vetted": True,
            "vetted_on": "2026-05-01"}
OPENING = {"employer_external_id": "EM-1", "title": "Tailor wanted", "occupation": "tailor", "district": "Howrah",
           "monthly_wage_inr": 12000, "required_skills": [{"label": "silai", "level": 2}], "posted_on": "2026-10-01",
           "closes_on": "2026-12-31"}
TRAINEE = {"partner_org": "kolkata_metro", "status": "job_ready", "district": "Kolkata",
           "skills": [{"label": "Tailoring", "level": 2}, {"label": "xyzzy plumbing", "level": 1}],
           "languages": ["bn"], "max_commute_minutes": 45, "is_survivor": True}


def openapi_operations(client):
    for path, operations in client.app.openapi()["paths"].items():
        for method in operations:
            yield method, path


def concrete(path: str) -> str:
    return (path.replace("{external_id}", "X-1").replace("{placement_external_id}", "PL-1").replace("{month}", "3")
            .replace("{district}", "Howrah").replace("{occupation}", "cashier").replace("{period}", "2026-01"))


def test_every_v1_route_answers_401_problem_json_without_a_key(client):
    operations = [(m, p) for m, p in openapi_operations(client) if p.startswith("/v1")]
    assert len(operations) >= 31
    for method, path in operations:
        response = client.request(method, concrete(path))
        assert response.status_code == 401, (method, path)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_wrong_revoked_or_expired_key_is_refused(client, db):
    from datetime import UTC, datetime, timedelta

    from service.auth import service as keys
    from service.records.unit_of_work import unit_of_work
    with unit_of_work(db) as session:
        keys.create(session=session, role="admin")  # the last working admin key cannot be revoked
        revoked, revoked_raw = keys.create(session=session, role="admin")
        keys.revoke(session=session, key_id=revoked.id)
        expired, expired_raw = keys.create(session=session, role="admin", expires_at=datetime.now(UTC) + timedelta(days=1))
        expired.expires_at = datetime.now(UTC) - timedelta(days=1)  # a day later (a key is never created expired)
        session.add(expired)
    for raw in ("jm_not-a-key", revoked_raw, expired_raw):
        response = client.get("/v1/trainees", headers={"Authorization": f"Bearer {raw}"})
        assert response.status_code == 401


def test_employer_keys_cannot_read_trainees_and_batch_keys_only_read(client, db, admin_headers):
    from tests.conftest import make_key
    client.put("/v1/employers/EM-1", json=EMPLOYER, headers=admin_headers)  # a key is bound to an existing employer
    employer = {"Authorization": f"Bearer {make_key(db, 'employer', employer_external_id='EM-1')}"}
    assert client.get("/v1/trainees", headers=employer).status_code == 403
    batch = {"Authorization": f"Bearer {make_key(db, 'batch')}"}
    assert client.get("/v1/trainees", headers=batch).status_code == 200
    assert client.put("/v1/trainees/TR-1", json=TRAINEE, headers=batch).status_code == 403


def test_put_creates_then_updates_and_maps_onto_the_reference_data(client, admin_headers):
    created = client.put("/v1/employers/EM-1", json=EMPLOYER, headers=admin_headers)
    assert created.status_code == 201
    assert created.json()["district"] == "Howrah"  # canonical gazetteer name
    assert created.json()["lat"] is not None  # district centre filled in
    opening = client.put("/v1/openings/OP-1", json=OPENING, headers=admin_headers)
    assert opening.status_code == 201
    body = opening.json()
    assert body["occupation_code"] == "sewing_machine_operator"
    assert body["sector"] == "apparel"
    assert body["required_skills"] == [{"label": "silai", "level": 2, "skill": "machine_stitching", "essential": False}]
    again = client.put("/v1/openings/OP-1", json=OPENING, headers=admin_headers)
    assert again.status_code == 200 and again.json()["version"] == 1  # same body changes nothing
    changed = client.put("/v1/openings/OP-1", json={**OPENING, "positions": 3}, headers=admin_headers)
    assert changed.json()["version"] == 2 and changed.headers["etag"] == '"2"'


def test_unknown_skill_labels_are_kept_with_no_code(client, admin_headers):
    trainee = client.put("/v1/trainees/TR-1", json=TRAINEE, headers=admin_headers).json()
    assert trainee["skills"][0]["skill"] == "machine_stitching"
    assert trainee["skills"][1] == {"label": "xyzzy plumbing", "level": 1, "skill": None}


def test_if_match_guards_against_lost_updates(client, admin_headers):
    client.put("/v1/employers/EM-1", json=EMPLOYER, headers=admin_headers)
    etag = client.get("/v1/employers/EM-1", headers=admin_headers).headers["etag"]
    first = client.patch("/v1/employers/EM-1", json={"vetted": False}, headers={**admin_headers, "If-Match": etag})
    assert first.status_code == 200 and first.json()["vetted"] is False
    stale = client.patch("/v1/employers/EM-1", json={"vetted": True}, headers={**admin_headers, "If-Match": etag})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert client.get("/v1/employers/EM-1", headers=admin_headers).json()["vetted"] is False


@pytest.mark.parametrize("body, field", [
    ({**OPENING, "surprise": 1}, "surprise"),
    ({**OPENING, "monthly_wage_inr": -5}, "monthly_wage_inr"),
    ({**OPENING, "shift": "evening"}, "shift"),
    ({**OPENING, "district": "Atlantis"}, "district"),
    ({**OPENING, "employer_external_id": "EM-404"}, "employer_external_id"),
    ({**OPENING, "closes_on": "2026-01-01"}, "closes_on"),
    ({**OPENING, "required_skills": [{"label": "silai", "level": 7}]}, "required_skills"),
])
def test_bad_input_is_a_422_problem_naming_the_field(client, admin_headers, body, field):
    client.put("/v1/employers/EM-1", json=EMPLOYER, headers=admin_headers)
    response = client.put("/v1/openings/OP-9", json=body, headers=admin_headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and problem["title"]
    assert any(field in error["loc"] for error in problem["errors"]), problem
    assert client.get("/v1/openings/OP-9", headers=admin_headers).status_code == 404


def test_patch_moving_district_recomputes_coordinates_and_validates_the_whole_record(client, admin_headers):
    client.put("/v1/trainees/TR-1", json=TRAINEE, headers=admin_headers)
    before = client.get("/v1/trainees/TR-1", headers=admin_headers).json()
    moved = client.patch("/v1/trainees/TR-1", json={"district": "Darjeeling"}, headers=admin_headers).json()
    assert moved["district"] == "Darjeeling" and moved["lat"] > before["lat"] + 3
    invalid = client.patch("/v1/trainees/TR-1", json={"status": "retired"}, headers=admin_headers)
    assert invalid.status_code == 422


def test_delete_refuses_while_referred_to_then_deletes(client, admin_headers):
    client.put("/v1/employers/EM-1", json=EMPLOYER, headers=admin_headers)
    client.put("/v1/openings/OP-1", json=OPENING, headers=admin_headers)
    assert client.delete("/v1/employers/EM-1", headers=admin_headers).status_code == 409
    assert client.delete("/v1/openings/OP-1", headers=admin_headers).status_code == 204
    assert client.delete("/v1/employers/EM-1", headers=admin_headers).status_code == 204
    missing = client.get("/v1/employers/EM-1", headers=admin_headers)
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"


def test_list_filters_paging_and_sync(client, admin_headers):
    for number in range(1, 8):
        district = "Kolkata" if number % 2 else "Malda"
        body = {**TRAINEE, "district": district, "status": "job_ready" if number < 6 else "in_training",
                "partner_org": "kolkata_metro" if district == "Kolkata" else "north_bengal"}
        client.put(f"/v1/trainees/TR-{number}", json=body, headers=admin_headers)
    page = client.get("/v1/trainees?limit=3&offset=0", headers=admin_headers).json()
    assert page["count"] == 7 and [t["external_id"] for t in page["data"]] == ["TR-1", "TR-2", "TR-3"]
    assert client.get("/v1/trainees?limit=3&offset=6", headers=admin_headers).json()["data"][0]["external_id"] == "TR-7"
    ready_kolkata = client.get("/v1/trainees?status=job_ready&district=Kolkata", headers=admin_headers).json()
    assert ready_kolkata["count"] == 3
    assert client.get("/v1/trainees?partner_org=north_bengal", headers=admin_headers).json()["count"] == 3
    stamp = client.get("/v1/trainees/TR-7", headers=admin_headers).json()["updated_at"]
    client.patch("/v1/trainees/TR-2", json={"max_commute_minutes": 30}, headers=admin_headers)
    since = client.get("/v1/trainees", params={"updated_since": stamp}, headers=admin_headers).json()
    assert {t["external_id"] for t in since["data"]} == {"TR-2", "TR-7"}
    capped = client.get("/v1/trainees?limit=100000", headers=admin_headers)
    assert capped.status_code == 200 and capped.json()["count"] == 7


def test_openings_open_as_of(client, admin_headers):
    client.put("/v1/employers/EM-1", json=EMPLOYER, headers=admin_headers)
    client.put("/v1/openings/OP-1", json=OPENING, headers=admin_headers)
    client.put("/v1/openings/OP-2", json={**OPENING, "closes_on": "2026-10-15"}, headers=admin_headers)
    client.put("/v1/openings/OP-3", json={**OPENING, "status": "closed"}, headers=admin_headers)
    client.put("/v1/openings/OP-4", json={**OPENING, "positions": 0}, headers=admin_headers)
    found = client.get("/v1/openings?open_as_of=2026-11-01", headers=admin_headers).json()
    assert [o["external_id"] for o in found["data"]] == ["OP-1"]
    by_code = client.get("/v1/openings?occupation=sewing_machine_operator", headers=admin_headers).json()
    assert by_code["count"] == 4


def test_followups_and_market_signals_by_their_natural_keys(client, admin_headers):
    client.put("/v1/employers/EM-1", json=EMPLOYER, headers=admin_headers)
    client.put("/v1/openings/OP-1", json=OPENING, headers=admin_headers)
    client.put("/v1/trainees/TR-1", json=TRAINEE, headers=admin_headers)
    placement = client.put("/v1/placements/PL-1", json={"trainee_external_id": "TR-1", "opening_external_id": "OP-1",
                                                        "started_on": "2026-06-01"}, headers=admin_headers)
    assert placement.status_code == 201
    followup = client.put("/v1/followups/PL-1/3", json={"checked_on": "2026-09-01", "employed": True, "wellbeing": 4},
                          headers=admin_headers)
    assert followup.status_code == 200 and followup.json()["month"] == 3  # scheduled with the placement
    assert followup.json()["due_on"] == "2026-09-01" and followup.json()["trainee_external_id"] == "TR-1"
    assert client.put("/v1/followups/PL-1/2", json={}, headers=admin_headers).status_code == 422
    assert client.put("/v1/followups/PL-404/3", json={}, headers=admin_headers).status_code == 422
    signal = client.put("/v1/market-signals/howrah/Retail Sales Associate/2026-01?source=job_board",
                        json={"postings": 12}, headers=admin_headers)
    assert signal.status_code == 201
    assert signal.json()["district"] == "Howrah" and signal.json()["occupation_code"] == "retail_sales_associate"
    listed = client.get("/v1/market-signals?occupation=retail_sales_associate", headers=admin_headers).json()
    assert listed["count"] == 1 and listed["data"][0]["postings"] == 12


def test_oversized_body_is_refused_with_413(client, admin_headers):
    huge = {**TRAINEE, "cohort": "x" * 2_000_000}
    response = client.put("/v1/trainees/TR-1", json=huge, headers=admin_headers)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_errors_are_declared_in_openapi(client):
    spec = client.app.openapi()
    put = spec["paths"]["/v1/openings/{external_id}"]["put"]
    for status in ("401", "409", "412", "422"):
        assert "application/problem+json" in put["responses"][status]["content"], status
