"""The Proposals screen: the newest run's proposals with their openings, alternatives and reasons; accept and decline
in place through the nightly service (the API's functions: same scoping, same audit, same conflicts)."""

from __future__ import annotations

import re

import pytest

from tests.service.auth import world
from tests.service.console.conftest import ConsoleWorld, csrf_of
from tests.service.console.test_pages import text_of

pytestmark = pytest.mark.db
HX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def proposal_ids(console: ConsoleWorld) -> dict[str, int]:
    """A woman of partner P1 with no placement yet (TR-new) and an opening with room for her; the night's run again.
    Her proposal's id, and those of the two women who already work (TR-own of P1, TR-other of P2)."""
    client = console.client()
    new = {**world.trainee_body("own"), "is_survivor": False}
    assert client.put("/v1/trainees/TR-new", json=new, headers=console.admin_headers).status_code == 201
    opening = {**world.opening_body("own"), "title": "Machine Operator", "positions": 3}
    assert client.put("/v1/openings/OP-new", json=opening, headers=console.admin_headers).status_code == 201
    world._nightly(console.engine)
    rows = client.get("/v1/match-runs/latest/proposals?kind=proposal", headers=console.admin_headers).json()["data"]
    return {row["trainee_external_id"]: row["id"] for row in rows}


def status_of(console: ConsoleWorld, proposal_id: int) -> str:
    rows = console.client().get("/v1/match-runs/latest/proposals?limit=500",
                                headers=console.admin_headers).json()["data"]
    return next(row["status"] for row in rows if row["id"] == proposal_id)


def test_the_screen_lists_her_proposal_with_its_opening_alternatives_and_reasons(console: ConsoleWorld,
                                                                               proposal_ids: dict[str, int]):
    page = console.signed_in("coordinator").get("/console/proposals")
    text = text_of(page.text)
    assert page.status_code == 200
    assert "The nightly run for 2026-11-01: 2 of the 2 women you can see wait for a decision." in text
    assert "Trainee TR-new" in text and "Trainee TR-own" in text and "TR-other" not in text  # her partner's only
    assert 'href="/console/trainees/TR-new"' in page.text
    assert "Synthetic Employer own, Howrah · ₹13,000 · day shift" in text
    assert re.search(r"positions left: \d", text) and re.search(r"Score: \d{1,3} in 100", text)
    assert "It is not a probability: no trained outcome model is in use yet." in text
    assert "has the required skill at the required level" in text  # the run's reasons, word for word
    assert "Alternatives (" in text and "alternative 1" in text
    assert f'action="/console/proposals/{proposal_ids["TR-new"]}/accept"' in page.text
    bengali = console.signed_in("coordinator").get("/console/proposals?lang=bn").text
    assert "গ্রহণ করুন" in bengali and "নিয়োগকর্তা রাজি হননি" in bengali  # Accept; the employer declined
    bad = console.signed_in("coordinator").get("/console/proposals?show=someday")
    assert bad.status_code == 422 and "show: must be waiting or all" in text_of(bad.text)


def test_accepting_creates_her_placement_and_accepting_again_shows_the_conflict(console: ConsoleWorld,
                                                                              proposal_ids: dict[str, int]):
    client = console.signed_in("coordinator")
    token = csrf_of(client, "/console/proposals")
    proposal = proposal_ids["TR-new"]
    accepted = client.post(f"/console/proposals/{proposal}/accept", data={"csrf_token": token, "started_on": ""})
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/console/proposals/{proposal}"
    shown = text_of(client.get(accepted.headers["location"]).text)
    assert re.search(r"Accepted on \d{4}-\d\d-\d\d\.", shown) and re.search(r"Her placement is PL-20261101-[0-9a-f]{8}", shown)
    headers = {"Authorization": f"Bearer {console.keys['coordinator']}"}
    placements = console.client().get("/v1/placements?trainee_external_id=TR-new", headers=headers).json()["data"]
    assert [(p["opening_external_id"], p["started_on"]) for p in placements] == [("OP-new", "2026-11-01")]
    assert console.client().get("/v1/trainees/TR-new", headers=headers).json()["status"] == "placed"
    events = console.client().get("/v1/audit?action=proposal_accepted&role=coordinator",
                                  headers=console.admin_headers).json()["data"]
    assert {event["entity"] for event in events} >= {"placement", "trainee"}  # audited as the API audits it

    again = client.post(f"/console/proposals/{proposal}/accept", data={"csrf_token": token}, headers=HX)
    assert again.status_code == 409
    assert again.text.lstrip().startswith('<li class="card proposal-group"')  # the row, replaced in place
    assert f"Proposal {proposal} was already accepted." in text_of(again.text)
    placed = client.post(f"/console/proposals/{proposal_ids['TR-own']}/accept", data={"csrf_token": token})
    assert placed.status_code == 409  # no JavaScript: the proposal's page, with the service's sentence
    assert "She already has an open placement (PL-own); end it before accepting another proposal." \
        in text_of(placed.text)
    assert status_of(console, proposal_ids["TR-own"]) == "proposed"
    waiting = text_of(client.get("/console/proposals").text)
    assert "Trainee TR-new" not in waiting and "Trainee TR-own" in waiting
    assert "Trainee TR-new" in text_of(client.get("/console/proposals?show=all").text)


def test_declining_needs_a_reason_from_the_list(console: ConsoleWorld, proposal_ids: dict[str, int]):
    client = console.signed_in("admin")
    token = csrf_of(client, "/console/proposals")
    proposal = proposal_ids["TR-other"]
    for reason in ("", "she was bored"):
        refused = client.post(f"/console/proposals/{proposal}/decline", headers=HX,
                              data={"csrf_token": token, "reason": reason, "note": "kept"})
        assert refused.status_code == 422
        assert 'class="field-error" id="reason-' in refused.text and "Choose a reason from the list." in refused.text
        assert 'value="kept"' in refused.text  # what she typed is kept
        assert status_of(console, proposal) == "proposed"
    declined = client.post(f"/console/proposals/{proposal}/decline", headers=HX,
                           data={"csrf_token": token, "reason": "employer_declined", "note": "Unit closed"})
    assert declined.status_code == 200
    assert re.search(r"Declined on \d{4}-\d\d-\d\d: The employer declined\. Unit closed", text_of(declined.text))
    assert status_of(console, proposal) == "declined"
    events = console.client().get("/v1/audit?action=proposal_declined", headers=console.admin_headers).json()
    assert events["count"] == 1


def test_a_decision_without_the_forms_token_is_refused(console: ConsoleWorld, proposal_ids: dict[str, int]):
    client = console.signed_in("coordinator")
    proposal = proposal_ids["TR-own"]
    for path in (f"/console/proposals/{proposal}/accept", f"/console/proposals/{proposal}/decline"):
        refused = client.post(path, data={"reason": "other"})
        assert refused.status_code == 403 and "This form has expired" in text_of(refused.text)
    assert status_of(console, proposal) == "proposed"


def test_a_coordinator_of_another_partner_cannot_decide_her_proposal(console: ConsoleWorld,
                                                                    proposal_ids: dict[str, int]):
    client = console.signed_in("other_coordinator")
    token = csrf_of(client, "/console/proposals")
    proposal = proposal_ids["TR-own"]
    page = client.post(f"/console/proposals/{proposal}/accept", data={"csrf_token": token})
    api = console.client().post(f"/v1/proposals/{proposal}/accept",
                                headers={"Authorization": f"Bearer {console.keys['other_coordinator']}"})
    assert page.status_code == api.status_code == 404
    assert api.json()["detail"] == f"No proposal {proposal}." and f"No proposal {proposal}." in text_of(page.text)
    refused = client.post(f"/console/proposals/{proposal}/decline", data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 404  # not even whether a reason is missing
    assert client.get(f"/console/proposals/{proposal}").status_code == 404
    assert status_of(console, proposal) == "proposed"
