"""Signing in to the console: a key becomes a session cookie a script cannot read, every form carries a CSRF token,
only programme staff get in, and a revoked key is out at once."""

from __future__ import annotations

import pytest

from tests.service.console.conftest import ConsoleWorld, csrf_of, sign_in

pytestmark = pytest.mark.db


def test_the_site_root_and_every_page_lead_to_sign_in(console: ConsoleWorld):
    client = console.client()
    assert client.get("/").headers["location"] == "/console/"
    answer = client.get("/console/trainees?status=job_ready")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/sign-in?next=%2Fconsole%2Ftrainees%3Fstatus%3Djob_ready"
    form = client.get("/console/sign-in")
    assert form.status_code == 200 and 'for="f-api-key"' in form.text and 'name="csrf_token"' in form.text


def test_a_coordinator_signs_in_with_her_key_and_lands_where_she_was_going(console: ConsoleWorld):
    client = console.client()
    answer = sign_in(client, console.keys["coordinator"], next="/console/trainees")
    assert answer.status_code == 303 and answer.headers["location"] == "/console/trainees"
    cookie = next(value for name, value in answer.headers.multi_items()
                  if name == "set-cookie" and value.startswith("jobmatch_console="))
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in attributes and "samesite=lax" in attributes and "path=/console" in attributes
    assert "secure" not in attributes  # plain http here; see the https test below
    assert console.keys["coordinator"] not in cookie and console.keys["coordinator"][3:12] not in cookie
    page = client.get("/console/")
    assert page.status_code == 200
    assert "Signed in as coordinator" in page.text and "partner kolkata_metro" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_cookies_are_secure_over_https_or_as_configured(console: ConsoleWorld):
    def cookie_attributes(client) -> list[str]:
        answer = sign_in(client, console.keys["admin"])
        cookie = next(value for name, value in answer.headers.multi_items()
                      if name == "set-cookie" and value.startswith("jobmatch_console="))
        return cookie.lower().split("; ")

    assert "secure" in cookie_attributes(console.client("https://testserver"))
    settings = console.app.state.settings
    try:
        console.app.state.settings = settings.model_copy(update={"console_secure_cookie": True})
        form = console.client().get("/console/sign-in")  # a browser on plain http would not send it back
        assert "secure" in form.headers["set-cookie"].lower().split("; ")
        console.app.state.settings = settings.model_copy(update={"console_secure_cookie": False})
        assert "secure" not in cookie_attributes(console.client("https://testserver"))
    finally:
        console.app.state.settings = settings


def test_a_wrong_key_is_refused_with_a_sentence_and_no_session(console: ConsoleWorld):
    client = console.client()
    answer = sign_in(client, "jm_not-a-key")
    assert answer.status_code == 401
    assert "That key is not valid" in answer.text
    assert "jobmatch_console=" not in answer.headers.get("set-cookie", "")
    assert client.get("/console/").status_code == 303


def test_sign_in_without_the_form_token_is_refused(console: ConsoleWorld):
    client = console.client()
    client.get("/console/sign-in")
    answer = client.post("/console/sign-in", data={"api_key": console.keys["admin"], "csrf_token": "forged"})
    assert answer.status_code == 403 and "form expired" in answer.text
    assert client.get("/console/").status_code == 303


@pytest.mark.parametrize("role", ["employer", "batch"])
def test_keys_of_other_roles_get_the_staff_only_page(console: ConsoleWorld, role: str):
    client = console.client()
    answer = sign_in(client, console.keys[role])
    assert answer.status_code == 403
    assert "This console is for programme staff" in answer.text
    assert "jobmatch_console=" not in answer.headers.get("set-cookie", "")
    assert client.get("/console/trainees/TR-own").status_code == 303  # nothing of hers, ever


def test_sign_out_needs_the_sessions_csrf_token(console: ConsoleWorld):
    client = console.signed_in("admin")
    other = console.signed_in("admin")
    refused = client.post("/console/sign-out", data={"csrf_token": csrf_of(other)})
    assert refused.status_code == 403 and "did not come from this console" in refused.text
    assert client.get("/console/").status_code == 200  # still signed in
    done = client.post("/console/sign-out", data={"csrf_token": csrf_of(client)})
    assert done.status_code == 303 and done.headers["location"] == "/console/sign-in"
    assert client.get("/console/").status_code == 303


def test_revoking_her_key_ends_her_session_at_once(console: ConsoleWorld):
    from tests.conftest import make_key
    key = make_key(console.engine, "coordinator", partner_org="kolkata_metro")
    client = console.client()
    assert sign_in(client, key).status_code == 303
    assert client.get("/console/").status_code == 200
    listed = console.client().get("/v1/keys", headers=console.admin_headers).json()["data"]
    key_id = next(row["id"] for row in listed if key.startswith(row["prefix"]))
    assert console.client().delete(f"/v1/keys/{key_id}", headers=console.admin_headers).status_code in (200, 204)
    assert client.get("/console/").status_code == 303


def test_a_tampered_session_cookie_is_refused(console: ConsoleWorld):
    client = console.signed_in("coordinator")
    value = client.cookies.get("jobmatch_console")
    key_id, rest = value.split(".", 1)
    client.cookies.set("jobmatch_console", f"{int(key_id) - 1}.{rest}", path="/console")
    assert client.get("/console/").status_code == 303


def test_signing_out_ends_every_copy_of_the_cookie(console: ConsoleWorld):
    client = console.signed_in("coordinator")
    copied = console.client()
    copied.cookies.set("jobmatch_console", client.cookies["jobmatch_console"], path="/console")
    assert copied.get("/console/").status_code == 200  # the copy works while she is signed in
    assert client.post("/console/sign-out", data={"csrf_token": csrf_of(client)}).status_code == 303
    later = copied.get("/console/")
    assert later.status_code == 303 and later.headers["location"].startswith("/console/sign-in")
