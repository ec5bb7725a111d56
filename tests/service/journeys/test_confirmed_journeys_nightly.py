"""A confirmed journey reaches the nightly run: the distance bound that skips openings beyond her reach keeps
every pair a coordinator confirmed a journey for, so the commute rule decides on the confirmed time."""

from __future__ import annotations

from tests.service.auth import world

FAR, HERE = "OP-far", "TR-far"


def _latest(client, headers) -> list[dict]:
    return client.get("/v1/match-runs/latest/proposals?limit=500", headers=headers).json()["data"]


def test_a_far_opening_with_a_confirmed_40_minute_journey_is_a_candidate_and_proposed(client, db):
    built = world.build(client, db)
    admin = built.headers["admin"]
    # She lives in Siliguri and travels at most 45 minutes; the workplace is in Kolkata, about 450 km away.
    her = {**world.trainee_body("own"), "district": "Darjeeling", "lat": 26.7271, "lon": 88.3953,
           "max_commute_minutes": 45}
    assert client.put(f"/v1/trainees/{HERE}", json=her, headers=admin).status_code == 201
    far = {**world.opening_body("own"), "district": "Kolkata", "lat": 22.57, "lon": 88.36, "positions": 1}
    assert client.put(f"/v1/openings/{FAR}", json=far, headers=admin).status_code == 201

    world._nightly(db)
    assert not [p for p in _latest(client, admin) if p["trainee_external_id"] == HERE]  # the estimate blocks it

    # e.g. the employer's bus picks her up: the coordinator confirms 40 minutes door to door
    put = client.put(f"/v1/trainees/{HERE}/journeys/{FAR}", json={"minutes": 40, "confirmed_by": "Siliguri desk"},
                     headers=admin)
    assert put.status_code == 201
    world._nightly(db)
    mine = [p for p in _latest(client, admin) if p["trainee_external_id"] == HERE]
    assert [(p["kind"], p["opening_external_id"]) for p in mine] == [("proposal", FAR)]
    assert any("confirmed journey 40 min" in reason for reason in mine[0]["reasons"])
