"""The Follow-ups screen: the checks due and overdue by partner as the key allows, and one check recorded through
the follow-ups service (the API's PATCH: scoped, versioned, audited), its problems shown beside their fields."""

from __future__ import annotations

import pytest

from tests.service.console.conftest import ConsoleWorld, csrf_of
from tests.service.console.test_pages import text_of

pytestmark = pytest.mark.db
HX = {"HX-Request": "true"}
# PL-own started on 2026-01-10: its 1-, 3- and 6-month checks are overdue on 2026-11-01, the 12-month one is ahead.
CHECK = {"checked_on": "2026-10-30", "employed": "yes", "monthly_wage_inr": "13,500", "wellbeing": "4",
         "notes": "Likes the work; the supervisor changed her shift to days."}


def stored(console: ConsoleWorld, month: int) -> dict:
    return console.client().get(f"/v1/followups/PL-own/{month}", headers=console.admin_headers).json()


def test_the_list_shows_her_partners_checks_due_and_overdue_with_where_she_works(console: ConsoleWorld):
    client = console.signed_in("coordinator")
    page = client.get("/console/followups")
    text = text_of(page.text)
    assert page.status_code == 200
    assert "PL-own: Tailor (Synthetic Employer own, Howrah)" in text and "PL-other" not in text
    assert "3-month check" in text and "205 days overdue" in text and "12-month check" not in text
    assert 'href="/console/followups/PL-own/3"' in page.text and 'href="/console/trainees/TR-own"' in page.text
    assert "12-month check" in text_of(client.get("/console/followups?view=all").text)
    assert "No follow-up is overdue." in text_of(console.signed_in("admin").get(
        "/console/followups?view=overdue&partner_org=nobody_here").text)
    other = text_of(console.signed_in("admin").get("/console/followups?view=overdue&partner_org=north_bengal").text)
    assert "PL-other" in other and "PL-own" not in other
    fragment = client.get("/console/followups?view=all", headers=HX)
    assert fragment.text.lstrip().startswith('<section id="results"')
    assert client.get("/console/followups?view=someday").status_code == 422
    assert 'href="/console/followups/PL-own/1"' in client.get("/console/").text  # linked from Today
    assert 'href="/console/followups/PL-own/1"' in client.get("/console/trainees/TR-own").text  # and her page


def test_a_check_recorded_on_the_page_is_stored_audited_and_leaves_today(console: ConsoleWorld):
    client = console.signed_in("coordinator")
    form = client.get("/console/followups/PL-own/3")
    assert form.status_code == 200 and "Trainee TR-own" in text_of(form.text)
    assert 'name="checked_on" type="date" value="2026-11-01"' in form.text  # a new check is dated today
    version = stored(console, 3)["version"]
    saved = client.post("/console/followups/PL-own/3",
                        data={**CHECK, "version": str(version), "csrf_token": csrf_of(client, "/console/followups")})
    assert saved.status_code == 303 and saved.headers["location"] == "/console/followups/PL-own/3?saved=1"
    assert "The check was recorded." in text_of(client.get(saved.headers["location"]).text)
    check = stored(console, 3)
    assert (check["checked_on"], check["employed"], check["monthly_wage_inr"], check["wellbeing"],
            check["risk_flag"]) == ("2026-10-30", True, 13500, 4, False)
    assert check["notes"] == "Likes the work; the supervisor changed her shift to days."
    assert "the supervisor changed her shift to days" in client.get("/console/followups/PL-own/3").text
    events = console.client().get("/v1/audit?entity=followup&role=coordinator",
                                  headers=console.admin_headers).json()["data"]
    assert any(event["action"] == "update" for event in events)
    today = client.get("/console/").text
    assert 'href="/console/followups/PL-own/3"' not in today and 'href="/console/followups/PL-own/6"' in today


def test_problems_are_shown_beside_their_fields_and_nothing_is_stored(console: ConsoleWorld):
    client = console.signed_in("coordinator")
    before = stored(console, 6)
    refused = client.post("/console/followups/PL-own/6", headers=HX, data={
        "checked_on": "", "monthly_wage_inr": "12k", "wellbeing": "4", "csrf_token": csrf_of(client)})
    assert refused.status_code == 422 and refused.text.lstrip().startswith('<section id="check"')
    text = text_of(refused.text)
    assert "Enter the day of the check." in text and "Say whether she is still in this job." in text
    assert "Enter the wage as a whole number, for example 12000." in text
    assert 'id="f-monthly_wage_inr" name="monthly_wage_inr" inputmode="numeric" value="12k"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    out_of_range = client.post("/console/followups/PL-own/6", data={**CHECK, "checked_on": "1890-01-01",
                                                                    "csrf_token": csrf_of(client)})
    assert out_of_range.status_code == 422 and 'id="f-checked_on-error"' in out_of_range.text
    assert stored(console, 6)["version"] == before["version"]


def test_a_check_changed_meanwhile_is_not_overwritten(console: ConsoleWorld):
    client = console.signed_in("coordinator")
    stale = client.post("/console/followups/PL-own/12", data={**CHECK, "version": "0", "csrf_token": csrf_of(client)})
    assert stale.status_code == 412
    assert "Someone changed this follow-up after you opened it." in text_of(stale.text)
    assert stored(console, 12)["checked_on"] is None


def test_a_risk_flag_recorded_here_is_raised_on_her_record(console: ConsoleWorld):
    client = console.signed_in("coordinator")
    flagged = client.post("/console/followups/PL-own/1", headers=HX,
                          data={**CHECK, "risk_flag": "yes", "csrf_token": csrf_of(client)})
    assert flagged.status_code == 200 and "The check was recorded." in text_of(flagged.text)
    assert 'name="risk_flag" value="yes" aria-describedby="f-risk_flag-hint" checked' in flagged.text
    headers = {"Authorization": f"Bearer {console.keys['coordinator']}"}
    assert console.client().get("/v1/trainees/TR-own", headers=headers).json()["risk_flag"] is True
    assert "Risk flag raised on 2026-10-30" in text_of(client.get("/console/trainees/TR-own").text)


def test_no_token_or_another_partner_is_refused(console: ConsoleWorld):
    client = console.signed_in("coordinator")
    assert client.post("/console/followups/PL-own/12", data=CHECK).status_code == 403
    other = console.signed_in("other_coordinator")
    assert other.get("/console/followups/PL-own/12").status_code == 404
    refused = other.post("/console/followups/PL-own/12", data={**CHECK, "csrf_token": csrf_of(other)})
    assert refused.status_code == 404 and "PL-own" in text_of(refused.text)
    assert client.get("/console/followups/PL-own/2").status_code == 422  # checks are at 1, 3, 6 and 12 months
    assert stored(console, 12)["checked_on"] is None
