"""Every answer names its request: the caller's sane X-Request-ID or a new one, echoed in the header, carried by
the log lines written while it was handled, and named by a problem's `instance` — also for the refusals the
middleware makes before any route runs (401, 413, 429, 503)."""

from __future__ import annotations

import json
import logging
import re

import pytest
from fastapi.testclient import TestClient

from service.core.config import Settings
from service.core.logging import JsonFormatter, TextFormatter
from service.core.request_id import _current, accepted_or_new
from tests.conftest import make_key

GENERATED = re.compile(r"^[0-9a-f]{32}$")


def app_client(settings: Settings, **changes: object) -> TestClient:
    from service.main import create_app
    return TestClient(create_app(Settings(**{**settings.model_dump(), "log_format": "json", **changes})))


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.mark.parametrize(("sent", "kept"), [("abc-123", True), ("req.2026_11_01-7", True), ("a" * 64, True),
                                            ("a" * 65, False), ("two words", False), ("<script>", False),
                                            ("", False), ("-leading-dash", False), ("ünïcode", False)])
def test_a_short_token_is_kept_anything_else_replaced(sent, kept):
    chosen = accepted_or_new(sent.encode("utf-8"))
    assert (chosen == sent) is kept
    if not kept:
        assert GENERATED.match(chosen)


def test_the_callers_id_is_echoed_logged_and_named_by_the_problem(settings, db, capsys):
    key = make_key(db, "admin")
    with app_client(settings) as client:
        capsys.readouterr()
        answer = client.get("/v1/trainees/TR-unknown", headers={"Authorization": f"Bearer {key}",
                                                                 "X-Request-ID": "support-ticket-42"})
    assert answer.status_code == 404 and answer.headers["x-request-id"] == "support-ticket-42"
    assert answer.json()["instance"] == "urn:jobmatch:request:support-ticket-42"
    lines = [line for line in json_lines(capsys.readouterr().err) if line.get("logger") == "jobmatch.http"]
    assert [(line["request_id"], line["route"], line["status"]) for line in lines] == [
        ("support-ticket-42", "/v1/trainees/{external_id}", 404)]


def test_an_unfit_id_is_replaced_and_every_request_gets_its_own(settings, db):
    key = make_key(db, "admin")
    with app_client(settings) as client:
        ids = [client.get("/v1/trainees?limit=1", headers={"Authorization": f"Bearer {key}",
                                                           "X-Request-ID": "has spaces; and more"}
                          ).headers["x-request-id"] for _ in range(3)]
        ids.append(client.get("/healthz").headers["x-request-id"])
    assert all(GENERATED.match(one) for one in ids) and len(set(ids)) == 4


def refusal(client: TestClient, kind: str, key: str):
    headers = {"Authorization": f"Bearer {key}", "X-Request-ID": f"refused-{kind}"}
    if kind == "401":
        return client.get("/v1/trainees", headers={"X-Request-ID": "refused-401"})
    if kind == "413":
        return client.put("/v1/trainees/TR-1", content=b"{" + b" " * 2_000 + b"}",
                          headers={**headers, "Content-Type": "application/json"})
    if kind == "429":
        client.get("/v1/trainees?limit=1", headers=headers)
        return client.get("/v1/trainees?limit=1", headers=headers)
    return client.get("/v1/trainees?limit=1", headers=headers)  # 503: no request may be in flight


@pytest.mark.parametrize(("kind", "changes"), [("401", {}), ("413", {"max_body_bytes": 1_000}),
                                               ("429", {"rate_limit_burst": 1, "rate_limit_per_minute": 1}),
                                               ("503", {"max_in_flight_requests": 0})])
def test_refusals_made_before_routing_name_the_request_too(settings, db, capsys, kind, changes):
    key = make_key(db, "admin")
    with app_client(settings, **changes) as client:
        capsys.readouterr()
        answer = refusal(client, kind, key)
    assert answer.status_code == int(kind)
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["x-request-id"] == f"refused-{kind}"
    assert answer.json()["instance"] == f"urn:jobmatch:request:refused-{kind}"
    logged = [line for line in json_lines(capsys.readouterr().err) if line.get("logger") == "jobmatch.http"]
    assert logged[-1]["request_id"] == f"refused-{kind}" and logged[-1]["status"] == int(kind)
    assert logged[-1]["route"] in ("/v1/trainees", "/v1/trainees/{external_id}")  # the template, never the path


def test_lines_written_outside_a_request_carry_no_id():
    record = logging.LogRecord("jobmatch.test", logging.INFO, __file__, 1, "started", (), None)
    assert "request_id" not in json.loads(JsonFormatter().format(record))
    token = _current.set("abc")
    try:
        assert json.loads(JsonFormatter().format(record))["request_id"] == "abc"
        assert TextFormatter().format(record) == "INFO jobmatch.test started [abc]"
    finally:
        _current.reset(token)
