"""The candidate routes answer only for pairs the safety rules allow today; employers cannot pick the day."""

from __future__ import annotations

import pytest

from service.imports.service import import_bundle
from tests.service.auth import world
from tests.service.conftest import TODAY


def _handle(client, admin, opening="OP-own", trainee="TR-own"):
    staff = client.get(f"/v1/openings/{opening}/candidates?as_of={TODAY}", headers=admin).json()["data"]
    return next(c["handle"] for c in staff if c["trainee_external_id"] == trainee)


# (what to change, the change, how to undo it): each breaks one safety rule for TR-own x OP-own.
RULES = [
    ("employers/EM-1", {"vetted": False}, {"vetted": True}),  # employer not vetted
    ("employers/EM-1", {"vetted_on": "2025-10-01"}, {"vetted_on": "2026-06-01"}),  # vetting lapsed
    ("openings/OP-own", {"monthly_wage_inr": 3000}, {"monthly_wage_inr": 13000}),  # below the minimum wage
    ("openings/OP-own", {"shift": "night"}, {"shift": "day"}),  # night shift, no transport, she declines nights
    ("trainees/TR-own", {"excluded_employers": ["EM-1"]}, {"excluded_employers": ["EM-9"]}),
    ("trainees/TR-own", {"excluded_districts": ["Howrah"]}, {"excluded_districts": ["Malda"]}),
    ("trainees/TR-own", {"max_commute_minutes": 5}, {"max_commute_minutes": 120}),  # commute too long
    ("openings/OP-own", {"status": "closed"}, {"status": "open"}),  # opening not open
    ("openings/OP-own", {"closes_on": "2026-10-20"}, {"closes_on": "2026-12-31"}),  # past its closing date
    ("openings/OP-own", {"positions": 0}, {"positions": 2}),  # no positions left
    ("trainees/TR-own", {"status": "in_training"}, {"status": "job_ready"}),  # not job-ready
    ("trainees/TR-own", {"available_from": "2027-01-01"}, {"available_from": None}),  # not yet available
]


def test_the_handle_route_applies_every_safety_rule(client, db, frozen_today):
    built = world.build(client, db)
    admin, employer, coordinator = (built.headers[role] for role in ("admin", "employer", "coordinator"))
    handle = _handle(client, admin)
    url = f"/v1/openings/OP-own/candidates/{handle}"
    unknown = client.get("/v1/openings/OP-own/candidates/C-AAAAAAAAAAAAAAAA", headers=employer)
    assert unknown.status_code == 404
    for path, change, undo in RULES:
        assert client.get(url, headers=employer).status_code == 200, path
        assert client.patch(f"/v1/{path}", json=change, headers=admin).status_code == 200, change
        for headers in (employer, coordinator, admin):
            refused = client.get(url, headers=headers)
            assert refused.status_code == 404, (change, refused.json())
            assert refused.json()["detail"] == unknown.json()["detail"]  # exactly like an unknown handle
        listed = client.get("/v1/openings/OP-own/candidates", headers=employer).json()["data"]
        assert handle not in {c["handle"] for c in listed}, change  # the list and the handle route agree
        assert client.patch(f"/v1/{path}", json=undo, headers=admin).status_code == 200, undo
    assert client.get(url, headers=employer).status_code == 200


def _consent(client, coordinator, employer_id, status="given"):
    answer = client.post("/v1/trainees/TR-own/consents", headers=coordinator,
                         json={"employer_external_id": employer_id, "status": status, "recorded_by": "desk"})
    assert answer.status_code == 201


@pytest.mark.parametrize("how", ["patch", "put", "import"])
def test_an_exclusion_hides_her_and_withdraws_her_consent(client, db, frozen_today, tmp_path, reference, how):
    built = world.build(client, db)
    admin, employer, coordinator = (built.headers[role] for role in ("admin", "employer", "coordinator"))
    handle = _handle(client, admin)
    url = f"/v1/openings/OP-own/candidates/{handle}"
    _consent(client, coordinator, "EM-1")
    _consent(client, coordinator, "EM-2")
    assert client.get(url, headers=employer).json()["introduction"]["trainee_external_id"] == "TR-own"
    excluded = ["EM-9", "EM-1"]
    if how == "patch":
        assert client.patch("/v1/trainees/TR-own", json={"excluded_employers": excluded},
                            headers=coordinator).status_code == 200
    elif how == "put":
        body = {**world.trainee_body("own"), "excluded_employers": excluded}
        assert client.put("/v1/trainees/TR-own", json=body, headers=coordinator).status_code == 200
    else:
        (tmp_path / "b").mkdir()
        (tmp_path / "b" / "trainees.csv").write_text(
            "external_id,partner_org,status,district,excluded_employers\n"
            "TR-own,kolkata_metro,job_ready,Kolkata,EM-9;EM-1\n", encoding="utf-8")
        import_bundle(engine=db, reference=reference, path=tmp_path / "b")
    answer = client.get(url, headers=employer)
    assert answer.status_code == 404 and "TR-own" not in answer.text
    listed = client.get("/v1/openings/OP-own/candidates", headers=employer).json()["data"]
    assert handle not in {c["handle"] for c in listed}
    history = client.get("/v1/trainees/TR-own/consents", headers=coordinator).json()["data"]
    latest = {c["employer_external_id"]: c["status"] for c in history}
    assert latest == {"EM-1": "withdrawn", "EM-2": "given"}  # only the excluded employer loses her consent
    events = client.get("/v1/audit?external_id=TR-own&action=consent_withdrawn", headers=admin).json()
    assert events["count"] == 1
    # Lifting the exclusion does not bring the consent back: she must give it again.
    client.patch("/v1/trainees/TR-own", json={"excluded_employers": []}, headers=coordinator)
    again = client.get(url, headers=employer)
    assert again.status_code == 200 and "introduction" not in again.json()


def test_an_employer_cannot_choose_the_day(client, db, frozen_today):
    built = world.build(client, db)
    admin, employer = built.headers["admin"], built.headers["employer"]
    handle = _handle(client, admin)
    # Its vetting lapsed; it back-dates its own opening and asks for a day when the check was still valid.
    client.patch("/v1/employers/EM-1", json={"vetted_on": "2025-08-01"}, headers=admin)
    client.patch("/v1/openings/OP-own", json={"posted_on": "2025-07-01"}, headers=employer)
    for url in ("/v1/openings/OP-own/candidates?as_of=2025-07-31",
                f"/v1/openings/OP-own/candidates/{handle}?as_of=2025-07-31"):
        refused = client.get(url, headers=employer)
        assert refused.status_code == 403 and "as_of" in refused.json()["detail"]
        assert refused.headers["content-type"] == "application/problem+json"
    today = client.get("/v1/openings/OP-own/candidates", headers=employer).json()
    assert today["as_of"] == TODAY.isoformat() and today["data"] == []
    assert client.get(f"/v1/openings/OP-own/candidates/{handle}", headers=employer).status_code == 404
    staff = client.get("/v1/openings/OP-own/candidates?as_of=2025-07-31", headers=admin)  # staff may look back
    assert staff.status_code == 200 and staff.json()["as_of"] == "2025-07-31"
