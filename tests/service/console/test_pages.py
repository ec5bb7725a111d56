"""The console's pages call the API's services with the signed-in key: a coordinator sees only her partner's women,
exactly as the API scopes them, her reads are audited, and each screen shows what a coordinator needs."""

from __future__ import annotations

import html
import re

import pytest

from tests.service.console.conftest import ConsoleWorld

pytestmark = pytest.mark.db


def text_of(page: str) -> str:
    """What a reader sees of a page: its text, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_a_partner_bound_coordinator_cannot_open_another_partners_trainee(console: ConsoleWorld):
    client = console.signed_in("coordinator")
    other = client.get("/console/trainees/TR-other")
    assert other.status_code == 404 and "No trainee with external_id=TR-other" in other.text
    assert "north_bengal" not in other.text
    api = console.client().get("/v1/trainees/TR-other", headers={"Authorization": f"Bearer {console.keys['coordinator']}"})
    assert api.status_code == 404  # the same answer as the API's
    listed = text_of(client.get("/console/trainees").text)
    assert "TR-own" in listed and "TR-other" not in listed
    assert "Showing 1–1 of 1" in listed
    assert '<option value="north_bengal"' not in client.get("/console/trainees").text


def test_her_own_coordinator_sees_her_whole_profile_and_another_partners_does_not(console: ConsoleWorld):
    own = text_of(console.signed_in("coordinator").get("/console/trainees/TR-own").text)
    assert "Survivor status yes" in own and "Districts she must never be sent to Malda" in own
    assert "Employers she must never be sent to EM-9" in own
    admin = text_of(console.signed_in("admin").get("/console/trainees/TR-other").text)
    assert "Survivor status yes" in admin  # admins read every sensitive field
    other = console.signed_in("other_coordinator")
    assert other.get("/console/trainees/TR-own").status_code == 404


def test_her_page_ranks_openings_with_reasons_and_shows_blocked_ones_on_request(console: ConsoleWorld):
    client = console.signed_in("coordinator")
    page = client.get("/console/trainees/TR-own")
    text = text_of(page.text)
    assert "Openings for her" in text and "Tailor" in text and "Synthetic Employer own" in text
    assert re.search(r"Score: \d{1,3} in 100", text)  # rounded, out of 100
    assert "It is not a probability" in text  # what the score means, for the default scorer
    assert "has the required skill at the required level" in text  # a reason, as the match service words it
    assert "Blocked openings" not in text and "Show blocked openings" in text
    assert "Night Tailor" not in text
    blocked = text_of(client.get("/console/trainees/TR-own?blocked=1").text)
    assert "Blocked openings" in blocked and "Night Tailor (OP-night)" in blocked
    assert "Blocked because: Night shift: she has not agreed to night shifts" in blocked  # the rule, as a sentence
    fragment = client.get("/console/trainees/TR-own?blocked=1", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith("<section id=\"matches\"") and "<html" not in fragment.text
    # her placement, its follow-ups and her consents (none recorded)
    assert "PL-own" in text and "1-month check" in text and "No consent recorded." in text


def test_an_opening_page_ranks_only_the_candidates_the_key_may_see(console: ConsoleWorld):
    own = text_of(console.signed_in("coordinator").get("/console/openings/OP-own").text)
    assert "Opening OP-own: Tailor" in own and "Synthetic Employer own (EM-1)" in own and "₹13,000" in own
    assert "Trainee TR-own" in own and "TR-other" not in own
    admin = text_of(console.signed_in("admin").get("/console/openings/OP-own").text)
    assert "Trainee TR-own" in admin and "Trainee TR-other" in admin


def test_searches_filter_and_report_bad_filters_by_name(console: ConsoleWorld):
    client = console.signed_in("admin")
    found = text_of(client.get("/console/trainees?id_contains=other").text)
    assert "TR-other" in found and "TR-own" not in found
    assert "TR-own" in text_of(client.get("/console/trainees?partner_org=kolkata_metro&status=job_ready").text)
    none = text_of(client.get("/console/trainees?training_track=cashier").text)
    assert "No trainee matches these filters." in none
    bad = client.get("/console/trainees?status=dreaming")
    assert bad.status_code == 422 and "status:" in text_of(bad.text)
    openings = text_of(client.get("/console/openings?text=tail&open_today=1").text)
    assert "OP-own" in openings and "OP-other" in openings
    assert "No opening matches" in text_of(client.get("/console/openings?text=plumber").text)
    results = client.get("/console/openings?text=tail", headers={"HX-Request": "true"})
    assert results.text.lstrip().startswith('<section id="results"')


def test_today_lists_due_follow_ups_and_the_last_run(console: ConsoleWorld):
    text = text_of(console.signed_in("coordinator").get("/console/").text)
    assert "Today, 2026-11-01" in text
    assert "Last nightly run" in text and "The run for 2026-11-01" in text
    assert "wait for a decision" in text and 'href="/console/proposals"' in console.signed_in("admin").get(
        "/console/").text
    assert "No import was refused in the last 7 days." in text


def test_what_she_reads_is_audited_as_the_api_audits_it(console: ConsoleWorld):
    console.signed_in("other_coordinator").get("/console/trainees/TR-other")
    events = console.client().get("/v1/audit?external_id=TR-other&role=coordinator",
                                  headers=console.admin_headers).json()["data"]
    assert {"read", "match"} <= {event["action"] for event in events}


def test_pages_speak_bengali_when_asked_and_fall_back_to_english(console: ConsoleWorld):
    client = console.signed_in("coordinator")
    page = client.get("/console/trainees?lang=bn")
    assert '<html lang="bn">' in page.text and "প্রশিক্ষণার্থী" in page.text
    assert "lang=bn" in page.headers["set-cookie"]
    assert '<html lang="bn">' in client.get("/console/").text  # remembered
    browser = console.signed_in("coordinator")
    assert "আজ" in browser.get("/console/", headers={"Accept-Language": "bn-IN,bn;q=0.9,en;q=0.5"}).text
    english = browser.get("/console/?lang=en").text
    assert '<html lang="en">' in english and "Trainees" in english


def test_admins_see_when_an_import_last_wrote_records(console: ConsoleWorld, tmp_path):
    from service.imports.service import import_bundle
    (tmp_path / "employers.csv").write_text("external_id,name,sector,district,vetted,vetted_on\n"
                                            "EM-3,Synthetic Employer three,apparel,Howrah,true,2026-06-01\n",
                                            encoding="utf-8")
    import_bundle(engine=console.engine, reference=console.app.state.reference, path=tmp_path)
    admin = text_of(console.signed_in("admin").get("/console/").text)
    assert re.search(r"The latest import wrote records on \d{4}-\d\d-\d\d \d\d:\d\d, from the command line\.",
                     admin)
    # an import from the command line is no partner's: her coordinators' Today does not show it
    assert "latest import" not in text_of(console.signed_in("coordinator").get("/console/").text)
