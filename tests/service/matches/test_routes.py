"""The match routes over HTTP: safe ranked answers, fresh after every write, anonymised for employers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import make_key
from tests.service.auth import world

AS_OF = "2026-11-01"
pytestmark = pytest.mark.usefixtures("frozen_today")  # employers always see today: make it AS_OF


def test_matches_rank_safe_openings_and_explain_the_blocked_ones(client, db):
    built = world.build(client, db)
    admin = built.headers["admin"]
    client.put("/v1/openings/OP-night", json={**world.opening_body("own"), "shift": "night"}, headers=admin)
    client.put("/v1/openings/OP-closed", json={**world.opening_body("own"), "closes_on": "2026-10-20"}, headers=admin)
    answer = client.get(f"/v1/trainees/TR-own/matches?as_of={AS_OF}&include_blocked=true", headers=admin).json()
    assert answer["model_version"] and answer["as_of"] == AS_OF
    allowed = [m for m in answer["data"] if not m["blocked"]]
    blocked = {m["opening_external_id"]: m for m in answer["data"] if m["blocked"]}
    assert [m["opening_external_id"] for m in allowed] == ["OP-other", "OP-own"] or \
        {m["opening_external_id"] for m in allowed} == {"OP-own", "OP-other"}
    assert all(0 < m["score"] <= 1 and m["reasons"] and m["factors"] for m in allowed)
    assert [m["rank"] for m in answer["data"]] == list(range(1, len(answer["data"]) + 1))
    assert blocked["OP-night"]["blocked_by"][0]["rule"] == "night_shift_unsafe"
    assert blocked["OP-closed"]["blocked_by"][0]["rule"] == "opening_not_open"
    assert all(rule["sentence"] for m in blocked.values() for rule in m["blocked_by"])
    plain = client.get(f"/v1/trainees/TR-own/matches?as_of={AS_OF}", headers=admin).json()
    assert {m["opening_external_id"] for m in plain["data"]} == {m["opening_external_id"] for m in allowed}


def test_the_index_follows_every_write_even_from_another_worker(client, db, settings):
    from service.main import create_app
    built = world.build(client, db)
    admin = built.headers["admin"]
    before = client.get(f"/v1/trainees/TR-own/matches?as_of={AS_OF}", headers=admin).json()
    assert "OP-new" not in {m["opening_external_id"] for m in before["data"]}
    with TestClient(create_app(settings)) as other_worker:  # its own index, same database
        other_worker.get(f"/v1/trainees/TR-own/matches?as_of={AS_OF}", headers=admin)
        assert client.put("/v1/openings/OP-new", json=world.opening_body("own"), headers=admin).status_code == 201
        seen = other_worker.get(f"/v1/trainees/TR-own/matches?as_of={AS_OF}", headers=admin).json()
        assert "OP-new" in {m["opening_external_id"] for m in seen["data"]}
        client.patch("/v1/employers/EM-1", json={"vetted": False}, headers=admin)
        unvetted = other_worker.get(f"/v1/trainees/TR-own/matches?as_of={AS_OF}", headers=admin).json()
        assert {m["opening_external_id"] for m in unvetted["data"]} == {"OP-other"}
        for month in (1, 3, 6, 12):
            client.delete(f"/v1/followups/PL-other/{month}", headers=admin)
        assert client.delete("/v1/placements/PL-other", headers=admin).status_code == 204
        client.delete("/v1/openings/OP-other", headers=admin)
        gone = other_worker.get(f"/v1/trainees/TR-own/matches?as_of={AS_OF}", headers=admin).json()
        assert gone["data"] == []



def test_each_opening_summary_in_the_matches_follows_every_write_that_changes_it_even_from_another_worker(
        client, db, settings):
    """The wage, the employer's name and the positions left, as the next answer of any worker shows them."""
    from service.main import create_app
    built = world.build(client, db)
    admin = built.headers["admin"]
    url = f"/v1/trainees/TR-own/matches?as_of={AS_OF}"
    with TestClient(create_app(settings)) as other_worker:  # its own index, same database

        def shown() -> dict:
            answer = other_worker.get(url, headers=admin).json()["data"]
            return {m["opening_external_id"]: m["opening"] for m in answer}["OP-own"]

        assert (shown()["monthly_wage_inr"], shown()["positions_left"]) == (13000, 1)
        assert client.patch("/v1/openings/OP-own", json={"monthly_wage_inr": 14000},
                            headers=admin).status_code == 200
        assert shown()["monthly_wage_inr"] == 14000
        assert client.patch("/v1/employers/EM-1", json={"name": "Renamed Employer"}, headers=admin).status_code == 200
        assert shown()["employer_name"] == "Renamed Employer"
        assert client.patch("/v1/placements/PL-own", json={"ended_on": "2026-10-01"},
                            headers=admin).status_code == 200
        assert shown()["positions_left"] == 2


def test_a_trickle_of_single_writes_keeps_answers_equal_to_a_fresh_index(client, db, settings):
    """Each write lands in its own small delta (merged after a few): whatever the order, answers are those of an
    index built from scratch."""
    from service.main import create_app
    from service.matches.index import MAX_DELTAS
    built = world.build(client, db)
    admin = built.headers["admin"]
    url = f"/v1/trainees/TR-own/matches?as_of={AS_OF}&include_blocked=true"
    for n in range(MAX_DELTAS * 2 + 3):  # new openings, and changes to ones already in a delta
        client.get(url, headers=admin)  # the index takes each write on its own
        opening = f"OP-t{n % 5}"
        body = {**world.opening_body("own"), "monthly_wage_inr": 12000 + 500 * n, "shift": "night" if n % 3 else "day"}
        assert client.put(f"/v1/openings/{opening}", json=body, headers=admin).status_code in (200, 201)
    seen = client.get(url, headers=admin).json()["data"]
    with TestClient(create_app(settings)) as fresh_worker:
        fresh = fresh_worker.get(url, headers=admin).json()["data"]
    assert [(m["opening_external_id"], m["score"], m["blocked"]) for m in seen] == \
        [(m["opening_external_id"], m["score"], m["blocked"]) for m in fresh]
    assert {"OP-t0", "OP-t1", "OP-t2", "OP-t3", "OP-t4"} <= {m["opening_external_id"] for m in seen}


def test_as_of_drives_every_date_rule(client, db):
    built = world.build(client, db)
    admin = built.headers["admin"]
    early = client.get("/v1/trainees/TR-own/matches?as_of=2026-09-01", headers=admin).json()  # not yet posted
    late = client.get("/v1/trainees/TR-own/matches?as_of=2027-02-01", headers=admin).json()  # closed by then
    assert early["data"] == [] and late["data"] == []


def test_candidates_for_staff_and_anonymised_for_the_employer(client, db):
    built = world.build(client, db)
    staff = client.get(f"/v1/openings/OP-own/candidates?as_of={AS_OF}", headers=built.headers["admin"]).json()
    assert {c["trainee_external_id"] for c in staff["data"]} == {"TR-own", "TR-other"}
    partner = client.get(f"/v1/openings/OP-own/candidates?as_of={AS_OF}", headers=built.headers["coordinator"]).json()
    assert [c["trainee_external_id"] for c in partner["data"]] == ["TR-own"]  # never another partner's trainee
    employer = built.headers["employer"]
    anonymous = client.get("/v1/openings/OP-own/candidates", headers=employer)
    assert anonymous.status_code == 200
    text = anonymous.text
    for hidden in ("TR-own", "TR-other", "trainee_external_id", "is_survivor", "excluded", "22.61", "partner_org"):
        assert hidden not in text
    handles = [c["handle"] for c in anonymous.json()["data"]]
    assert len(set(handles)) == 2 and all(h.startswith("C-") for h in handles)
    again = client.get("/v1/openings/OP-own/candidates", headers=employer).json()
    assert [c["handle"] for c in again["data"]] == handles  # stable per employer
    assert client.get("/v1/openings/OP-other/candidates", headers=employer).status_code == 404


def test_handles_differ_between_employers(client, db):
    built = world.build(client, db)
    admin = built.headers["admin"]
    mine = client.get(f"/v1/openings/OP-own/candidates?as_of={AS_OF}", headers=admin).json()["data"]
    theirs = client.get(f"/v1/openings/OP-other/candidates?as_of={AS_OF}", headers=admin).json()["data"]
    by_id = {c["trainee_external_id"]: c["handle"] for c in mine}
    assert all(by_id[c["trainee_external_id"]] != c["handle"] for c in theirs)


def test_a_handle_an_employer_was_shown_resolves_on_any_worker_and_a_made_up_one_never(client, db, settings):
    from service.main import create_app
    built = world.build(client, db)
    employer = built.headers["employer"]
    shown = [c["handle"] for c in client.get("/v1/openings/OP-own/candidates", headers=employer).json()["data"]]
    with TestClient(create_app(settings)) as other_worker:  # nothing of the first worker's memory
        details = [other_worker.get(f"/v1/openings/OP-own/candidates/{h}", headers=employer) for h in shown]
        assert [d.status_code for d in details] == [200] * len(shown)
        assert [d.json()["handle"] for d in details] == shown
        made_up = other_worker.get("/v1/openings/OP-own/candidates/C-ABCDEFGHIJKLMNOP", headers=employer)
        assert made_up.status_code == 404 and made_up.headers["content-type"] == "application/problem+json"
        # another employer's opening does not resolve this employer's handles
        assert other_worker.get(f"/v1/openings/OP-other/candidates/{shown[0]}",
                                headers=built.headers["admin"]).status_code == 404


def test_introduction_only_after_consent_for_that_employer(client, db):
    built = world.build(client, db)
    employer = built.headers["employer"]
    candidates = client.get("/v1/openings/OP-own/candidates", headers=employer).json()["data"]
    staff = client.get(f"/v1/openings/OP-own/candidates?as_of={AS_OF}", headers=built.headers["admin"]).json()["data"]
    handle = next(c["handle"] for c in staff if c["trainee_external_id"] == "TR-own")
    assert handle in {c["handle"] for c in candidates}
    before = client.get(f"/v1/openings/OP-own/candidates/{handle}", headers=employer).json()
    assert "introduction" not in before and "TR-own" not in str(before)
    client.post("/v1/trainees/TR-own/consents", json={"employer_external_id": "EM-2", "status": "given",
                                                       "recorded_by": "desk"}, headers=built.headers["coordinator"])
    other_employer = client.get(f"/v1/openings/OP-own/candidates/{handle}", headers=employer).json()
    assert "introduction" not in other_employer  # consent to EM-2 does not introduce her to EM-1
    client.post("/v1/trainees/TR-own/consents", json={"employer_external_id": "EM-1", "status": "given",
                                                       "recorded_by": "desk"}, headers=built.headers["coordinator"])
    after = client.get(f"/v1/openings/OP-own/candidates/{handle}", headers=employer).json()
    assert after["introduction"]["trainee_external_id"] == "TR-own"


def test_preview_ranks_a_profile_without_storing_it(client, db):
    built = world.build(client, db)
    admin = built.headers["admin"]
    body = {k: v for k, v in world.trainee_body("own").items() if k != "partner_org"}
    answer = client.post(f"/v1/matches/preview?as_of={AS_OF}", json=body, headers=admin)
    assert answer.status_code == 200
    assert {m["opening_external_id"] for m in answer.json()["data"]} == {"OP-own", "OP-other"}
    assert client.get("/v1/trainees", headers=admin).json()["count"] == 2
    bad = client.post("/v1/matches/preview", json={**body, "district": "Atlantis"}, headers=admin)
    assert bad.status_code == 422


def test_another_partners_trainee_has_no_matches_for_a_coordinator(client, db):
    built = world.build(client, db)
    coordinator = built.headers["coordinator"]
    assert client.get("/v1/trainees/TR-other/matches", headers=coordinator).status_code == 404
    employer = {"Authorization": f"Bearer {make_key(db, 'employer', employer_external_id='EM-1')}"}
    assert client.get("/v1/trainees/TR-own/matches", headers=employer).status_code == 403
