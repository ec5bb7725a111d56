"""An opening's own wage category and essential skills over the API: stored, shown, and applied by the rules."""

from __future__ import annotations

AS_OF = "2026-11-01"
EMPLOYER = {"name": "Synthetic Garments Unit", "sector": "apparel", "district": "Howrah", "vetted": True,
            "vetted_on": "2026-06-01"}
TRAINEE = {"partner_org": "kolkata_metro", "status": "job_ready", "district": "Howrah",
           "skills": [{"label": "Tailoring", "level": 2}], "max_commute_minutes": 120}
OPENING = {"employer_external_id": "EM-1", "title": "Tailor", "occupation": "sewing_machine_operator",
           "district": "Howrah", "monthly_wage_inr": 12_000, "required_skills": [{"label": "stitching", "level": 2}],
           "posted_on": "2026-10-01", "closes_on": "2026-12-31"}


def _setup(client, headers, **openings: dict) -> None:
    assert client.put("/v1/employers/EM-1", json=EMPLOYER, headers=headers).status_code == 201
    assert client.put("/v1/trainees/TR-1", json=TRAINEE, headers=headers).status_code == 201
    for external_id, changes in openings.items():
        answer = client.put(f"/v1/openings/{external_id}", json={**OPENING, **changes}, headers=headers)
        assert answer.status_code == 201, answer.text


def _matches(client, headers) -> dict[str, dict]:
    answer = client.get(f"/v1/trainees/TR-1/matches?as_of={AS_OF}&include_blocked=true", headers=headers)
    assert answer.status_code == 200, answer.text
    return {m["opening_external_id"]: m for m in answer.json()["data"]}


def test_a_skilled_opening_is_held_to_the_skilled_minimum(client, admin_headers):
    # sewing machine operators are semi-skilled (₹11,363 in zone A); ₹12,000 is below the skilled ₹12,499
    _setup(client, admin_headers, **{"OP-skilled": {"wage_category": "Skilled"}, "OP-usual": {}})
    assert client.get("/v1/openings/OP-skilled", headers=admin_headers).json()["wage_category"] == "skilled"
    assert client.get("/v1/openings/OP-usual", headers=admin_headers).json()["wage_category"] is None
    found = _matches(client, admin_headers)
    assert not found["OP-usual"]["blocked"]
    assert found["OP-skilled"]["blocked_by"] == [{
        "rule": "below_minimum_wage", "near_miss": False,
        "sentence": "₹12,000 a month is below the statutory minimum of ₹12,499 for skilled work in zone A (the "
                    "opening's wage category; in force from 2025-07-01)"}]
    # back to the occupation's category
    assert client.patch("/v1/openings/OP-skilled", json={"wage_category": None},
                        headers=admin_headers).status_code == 200
    assert not _matches(client, admin_headers)["OP-skilled"]["blocked"]
    refused = client.patch("/v1/openings/OP-skilled", json={"wage_category": "expert"}, headers=admin_headers)
    assert refused.status_code == 422 and "wage_category" in refused.text


def test_an_essential_skill_she_lacks_blocks_the_opening_with_a_way_forward(client, admin_headers):
    asked = [{"label": "stitching", "level": 2}, {"label": "overlock", "level": 2, "essential": True}]
    _setup(client, admin_headers, **{"OP-essential": {"required_skills": asked}})
    stored = client.get("/v1/openings/OP-essential", headers=admin_headers).json()["required_skills"]
    assert [(s["skill"], s["essential"]) for s in stored] == [("machine_stitching", False),
                                                               ("overlock_operation", True)]
    [rule] = _matches(client, admin_headers)["OP-essential"]["blocked_by"]
    assert rule == {"rule": "not_qualified", "near_miss": True,
                    "sentence": "Not qualified: short of essential Overlock & interlock machine operation (level 2 asked,"
                                " she has none); could qualify after a short course: Overlock & interlock machine"
                                " operation to level 2 (working)"}
    trained = {**TRAINEE, "skills": [*TRAINEE["skills"], {"label": "overlock", "level": 2}]}
    assert client.put("/v1/trainees/TR-1", json=trained, headers=admin_headers).status_code == 200
    assert not _matches(client, admin_headers)["OP-essential"]["blocked"]
