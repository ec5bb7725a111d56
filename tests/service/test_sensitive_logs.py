"""Control characters are refused at the edge, and nothing a woman told the programme reaches a log line:
not through a failed SQL statement's parameters, not through an unexpected error's text."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.service.auth.world import trainee_body

SENSITIVE = ("is_survivor", "22.61", "88.41", "EM-9", "Malda")
# What every LogRecord carries (its timestamps, source line, process...): not what the service said. `created`
# and `msecs` are digits that may happen to contain "22.61"; the extra fields a log call adds are searched.
_BUILT_IN = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


@pytest.fixture
def logs(caplog):
    """Every jobmatch and server log line (jobmatch's logger does not propagate to the root)."""
    loggers = [logging.getLogger(name) for name in ("jobmatch", "uvicorn.error", "sqlalchemy")]
    for logger in loggers:
        logger.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)
    yield caplog
    for logger in loggers:
        logger.removeHandler(caplog.handler)


def _logged(record: logging.LogRecord) -> str:
    """One record as the service wrote it: the rendered message, the extra fields, the exception's text."""
    extra = {key: value for key, value in record.__dict__.items() if key not in _BUILT_IN}
    return f"{record.getMessage()} {extra} {record.exc_text or ''}"


def _all_text(caplog) -> str:
    """What the service logged (the test client's own request lines left out)."""
    return "\n".join(_logged(r) for r in caplog.records if r.name != "httpx")


def test_the_log_search_sees_extra_fields_and_not_timestamps():
    record = logging.LogRecord("jobmatch", logging.INFO, __file__, 1, "stored %s", ("a row",), None)
    record.created, record.msecs = 1722.61, 22.61  # a timestamp that contains the digits of a coordinate
    assert "22.61" not in _logged(record)
    record.__dict__["lat"] = 22.61  # an extra field, as `extra={"lat": ...}` would add
    assert "22.61" in _logged(record)
    assert "a row" in _logged(record)


@pytest.mark.parametrize("where", ["cohort", "skill label", "excluded district"])
def test_a_nul_in_a_body_string_is_a_422_and_nothing_is_written(client, admin_headers, logs, where):
    body = trainee_body("own")
    if where == "cohort":
        body["cohort"] = "2026\x00A"
    elif where == "skill label":
        body["skills"] = [{"label": "Tail\x00oring", "level": 2}]
    else:
        body["excluded_districts"] = ["Mal\x00da"]
    response = client.put("/v1/trainees/TR-1", json=body, headers=admin_headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/v1/trainees/TR-1", headers=admin_headers).status_code == 404
    logged = _all_text(logs)
    assert not [value for value in SENSITIVE if value in logged]


@pytest.mark.parametrize("url", ["/v1/trainees?district=a%00b", "/v1/openings?sector=x%01y",
                                 "/v1/audit?action=a%00", "/v1/market-signals/How%00rah/cashier/2026-01",
                                 "/v1/trainees/TR-1%00/matches", "/v1/market/demand?district=%00"])
def test_a_control_character_in_a_query_or_path_is_a_422(client, admin_headers, logs, url):
    assert client.put("/v1/trainees/TR-1", json=trainee_body("own"), headers=admin_headers).status_code == 201
    response = client.get(url, headers=admin_headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert not [value for value in SENSITIVE if value in _all_text(logs)]


def test_free_text_keeps_newlines_but_not_nul(client, admin_headers):
    from service.nightly.service import Decline
    assert Decline(reason="other", note="line one\nline two\ttabbed").note.endswith("tabbed")
    with pytest.raises(ValueError):
        Decline(reason="other", note="before\x00after")


def test_the_engine_never_puts_parameters_into_its_errors(engine):
    with pytest.raises(DBAPIError) as raised:
        with engine.connect() as connection:
            connection.execute(text("SELECT no_such_column FROM trainee WHERE lat = :lat AND partner_org = :who"),
                               {"lat": 22.61, "who": "is_survivor"})
    assert "22.61" not in str(raised.value) and "is_survivor" not in str(raised.value)


def test_an_unexpected_error_logs_its_type_and_route_only(client, admin_headers, logs, monkeypatch):
    from service.records import resource

    def broken(**_kwargs):
        raise RuntimeError("row (is_survivor=True, lat=22.61, lon=88.41, excluded_employers=['EM-9'], 'Malda')")

    monkeypatch.setattr(resource, "upsert", broken)
    response = client.put("/v1/trainees/TR-1", json=trainee_body("own"), headers=admin_headers)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "is_survivor" not in response.text
    logged = _all_text(logs)
    assert "RuntimeError" in logged and "/v1/trainees/{external_id}" in logged
    assert not [value for value in SENSITIVE if value in logged]



@pytest.mark.parametrize("field, value", [
    ("identifier", "OP\x0077"), ("title", "Tai\x00lor"), ("hiringOrganization", {"identifier": "EM\x001"}),
    ("jobLocation", {"@type": "Place", "address": {"addressLocality": "How\x00rah"}}),
    ("employmentType", "FULL\x00TIME"), ("skills", "sew\x00ing")])
def test_a_nul_in_a_json_ld_posting_is_never_stored_or_a_500(client, admin_headers, field, value):
    from tests.service.auth.world import employer_body
    assert client.put("/v1/employers/EM-1", json=employer_body("own"), headers=admin_headers).status_code == 201
    posting = {"@context": "https://schema.org/", "@type": "JobPosting", "identifier": "OP-77", "title": "Tailor",
               "hiringOrganization": {"identifier": "EM-1"}, "baseSalary": {"@type": "MonetaryAmount",
               "currency": "INR", "value": {"@type": "QuantitativeValue", "value": 70, "unitText": "HOUR"}},
               "jobLocation": {"@type": "Place", "address": {"addressLocality": "Howrah"}}, field: value}
    response = client.post("/v1/job-postings", json=posting, headers=admin_headers)
    assert response.status_code in (200, 422), response.text
    stored = client.get("/v1/openings?limit=500", headers=admin_headers).json()["data"]
    assert not [opening for opening in stored if "\x00" in str(opening)]
