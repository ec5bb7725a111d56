"""Match and candidate answers a coordinator can read as they come: each row names its opening, numbers are
rounded, the answer says what its score is, and `count` is every item matching, not the page."""

from __future__ import annotations

import pytest

from tests.service.auth import world

AS_OF = "2026-11-01"
pytestmark = pytest.mark.usefixtures("frozen_today")  # employers always see today: make it AS_OF
ROUNDED = 3


def numbers(value) -> list[float]:
    """Every float anywhere in a JSON answer."""
    if isinstance(value, dict):
        return [n for v in value.values() for n in numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in numbers(v)]
    return [value] if isinstance(value, float) else []


def assert_shown_rounded(response) -> None:
    assert "-0.0" not in response.text  # a factor that contributes nothing reads 0.0
    assert all(round(n, ROUNDED) == n for n in numbers(response.json()))


def test_matches_name_each_opening_round_their_numbers_and_count_every_opening(client, db):
    built = world.build(client, db)
    admin = built.headers["admin"]
    client.put("/v1/openings/OP-night", json={**world.opening_body("own"), "shift": "night"}, headers=admin)
    answer = client.get(f"/v1/trainees/TR-own/matches?as_of={AS_OF}&include_blocked=true", headers=admin)
    assert_shown_rounded(answer)
    body = answer.json()
    assert body["score_kind"] == "relative_score" and "not a probability" in body["score_meaning"]
    summaries = {m["opening_external_id"]: m["opening"] for m in body["data"]}
    assert summaries["OP-own"] == {"title": "Tailor", "employer_external_id": "EM-1",
                                   "employer_name": "Synthetic Employer own", "district": "Howrah",
                                   "monthly_wage_inr": 13000, "shift": "day", "site": "west_bengal", "currency": "INR",
                                   "positions_left": 1}  # two positions, PL-own runs in one
    assert summaries["OP-other"]["employer_name"] == "Synthetic Employer other"
    assert summaries["OP-night"]["shift"] == "night" and summaries["OP-night"]["positions_left"] == 2
    allowed = [m for m in body["data"] if not m["blocked"]]
    assert allowed and all(m["factors"] and 0 < m["score"] <= 1 for m in allowed)
    assert body["count"] == len(body["data"]) == 3

    # count is every opening matching; data is at most `limit` of each kind, ranked 1, 2, ...
    page = client.get(f"/v1/trainees/TR-own/matches?as_of={AS_OF}&limit=1&include_blocked=true",
                      headers=admin).json()
    assert page["count"] == 3 and [(m["rank"], m["blocked"]) for m in page["data"]] == [(1, False), (2, True)]
    # a changed opening (held in the index twice, old and new row) is still counted once
    assert client.patch("/v1/openings/OP-own", json={"monthly_wage_inr": 14000}, headers=admin).status_code == 200
    plain = client.get(f"/v1/trainees/TR-own/matches?as_of={AS_OF}&limit=1", headers=admin).json()
    assert plain["count"] == 2 and len(plain["data"]) == 1
    profile = {k: v for k, v in world.trainee_body("own").items() if k != "partner_org"}
    preview = client.post(f"/v1/matches/preview?as_of={AS_OF}&limit=1", json=profile, headers=admin)
    assert preview.json()["count"] == 2 and len(preview.json()["data"]) == 1
    assert_shown_rounded(preview)


def test_candidates_carry_the_opening_rounded_scores_and_the_count_each_key_may_see(client, db):
    built = world.build(client, db)
    staff = client.get(f"/v1/openings/OP-own/candidates?as_of={AS_OF}&limit=1", headers=built.headers["admin"])
    assert_shown_rounded(staff)
    body = staff.json()
    assert body["count"] == 2 and len(body["data"]) == 1  # TR-own and TR-other
    assert body["opening"]["title"] == "Tailor" and body["opening"]["employer_name"] == "Synthetic Employer own"
    assert body["score_kind"] == "relative_score" and body["score_meaning"]
    coordinator = built.headers["coordinator"]
    assert client.patch("/v1/trainees/TR-own", json={"training_track": "tailor", "available_from": "2026-10-15"},
                        headers=coordinator).status_code == 200
    partner = client.get(f"/v1/openings/OP-own/candidates?as_of={AS_OF}", headers=coordinator).json()
    assert partner["count"] == 1 and [c["trainee_external_id"] for c in partner["data"]] == ["TR-own"]
    her = partner["data"][0]["profile"]  # her summary: where she lives, what she trained for, from when
    assert her["district"] == "Kolkata" and her["training_track"] and her["available_from"] == "2026-10-15"

    employer = client.get("/v1/openings/OP-own/candidates", headers=built.headers["employer"])
    assert_shown_rounded(employer)
    seen = employer.json()
    assert seen["count"] == 2 and seen["opening"]["title"] == "Tailor"  # its own opening, named
    # exactly what anonymisation allowed before: a handle, a rank, a score and the anonymised profile
    assert all(set(c) == {"handle", "rank", "score", "profile"} for c in seen["data"])
    assert all(set(c["profile"]) <= {"skills", "district", "languages", "available_from", "training_track"}
               for c in seen["data"])
