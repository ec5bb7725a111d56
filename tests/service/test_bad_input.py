"""Bad input is a 4xx, never a 500 or a half write: far dates, huge numbers, NUL and overlong strings, on
every operation of the OpenAPI document, with every table's row count unchanged."""

from __future__ import annotations

from urllib.parse import quote

import hypothesis
import pytest
from hypothesis import strategies as st
from sqlalchemy import func, inspect, select, table

from tests.service.auth import world

BASE = {
    "TraineeCreate": world.trainee_body("own"), "ProfilePreview": world.trainee_body("own"),
    "EmployerCreate": world.employer_body("own"), "OpeningCreate": world.opening_body("own"),
    "PlacementCreate": {"trainee_external_id": "TR-own", "opening_external_id": "OP-other",
                        "started_on": "2026-01-10"},
    "FollowupCreate": {"employed": True, "wellbeing": 3}, "MarketSignalCreate": {"postings": 4},
    "ConsentCreate": {"employer_external_id": "EM-1", "status": "given", "recorded_by": "desk"},
    "ApiKeyCreate": {"role": "batch"}, "Decision": {"started_on": "2026-11-10"},
    "Decline": {"reason": "other"},
}
PATH_VALUES = {"placement_external_id": "PL-own", "month": "3", "district": "Howrah", "occupation": "cashier",
               "period": "2026-01", "run_id": "1", "proposal_id": "1", "key_id": "1",
               "handle": "C-AAAAAAAAAAAAAAAA"}
RESOURCE_IDS = {"trainees": "TR-own", "employers": "EM-1", "openings": "OP-own", "placements": "PL-own"}

HUGE_INTS = st.one_of(st.integers(min_value=2**31), st.integers(max_value=-(2**31) - 1),
                      st.sampled_from([2**63, 2**64, 99999999999999999999]))
FAR_DATES = st.one_of(st.dates(max_value=__import__("datetime").date(1949, 12, 31)),
                      st.dates(min_value=__import__("datetime").date(2101, 1, 1))).map(str)
FAR_INSTANTS = FAR_DATES.map(lambda day: f"{day}T00:00:00+01:00")
BAD_TEXT = st.one_of(st.text(max_size=5).map(lambda text: text + "\x00" + text),
                     st.sampled_from(["\x00", "a\x01b", "x" * 5_000]))


def _kind(schema: dict, components: dict) -> str:
    """integer, date, date-time, string, or other, looking through $ref, anyOf and arrays."""
    if "$ref" in schema:
        return _kind(components[schema["$ref"].rsplit("/", 1)[1]], components)
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            return _kind(option, components)
    if schema.get("type") == "array":
        return "list:" + _kind(schema.get("items", {}), components)
    if schema.get("type") == "string":
        return {"date": "date", "date-time": "date-time"}.get(schema.get("format"), "string")
    return schema.get("type", "other")


def _bad(kind: str) -> st.SearchStrategy:
    base = kind.removeprefix("list:")
    strategy = {"integer": HUGE_INTS, "date": FAR_DATES, "date-time": FAR_INSTANTS, "string": BAD_TEXT}.get(base)
    if strategy is None:
        return st.nothing()
    return strategy.map(lambda value: [value]) if kind.startswith("list:") else strategy


def targets(app) -> list[tuple[str, str, str, str, str, str | None]]:
    """(method, path, location, name, kind, body schema) for every parameter and top-level body field."""
    spec = app.openapi()
    components = spec["components"]["schemas"]
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            body_name = body.get("$ref", "").rsplit("/", 1)[-1] or None
            for parameter in operation.get("parameters", []):
                if parameter["in"] in ("path", "query"):
                    found.append((method, path, parameter["in"], parameter["name"],
                                  _kind(parameter["schema"], components), body_name))
            if body_name:
                for name, schema in components[body_name].get("properties", {}).items():
                    found.append((method, path, "body", name, _kind(schema, components), body_name))
    return [t for t in found if t[4].removeprefix("list:") in ("integer", "date", "date-time", "string")]


def _concrete(path: str, override: tuple[str, str] | None) -> str:
    resource = path.split("/")[2] if path.count("/") >= 2 else ""
    values = {**PATH_VALUES, "external_id": RESOURCE_IDS.get(resource, "TR-own")}
    if override:
        values[override[0]] = override[1]
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


def row_counts(engine) -> dict[str, int]:
    names = [name for name in inspect(engine).get_table_names() if name != "alembic_version"]
    with engine.connect() as connection:
        return {name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
                for name in names}


@pytest.fixture
def built(client, db):
    return world.build(client, db)


@pytest.mark.parametrize("method, url, body", [
    ("GET", "/v1/trainees/TR-own/matches?as_of=0001-01-01", None),
    ("GET", "/v1/openings/OP-own/candidates?as_of=0001-01-01", None),
    ("PUT", "/v1/placements/PL-new", {"trainee_external_id": "TR-own", "opening_external_id": "OP-own",
                                      "started_on": "9999-06-01"}),
    ("POST", "/v1/proposals/1/accept", {"started_on": "9999-12-31"}),
    ("GET", "/v1/audit?key_id=99999999999999999999", None),
    ("GET", "/v1/match-runs/9223372036854775808", None),
    ("DELETE", "/v1/keys/9223372036854775808", None),
    ("GET", "/v1/trainees?updated_since=0.5", None),
    ("GET", "/v1/trainees?updated_since=0001-01-01T00:00:00%2B01:00", None),
    ("GET", "/v1/trainees?updated_since=2026-01-01T00:00", None),
    ("PATCH", "/v1/followups/PL-own/1", {"employed": 0.0}),
    ("PUT", "/v1/employers/EM-1", {**world.employer_body("own"), "vetted": "yes"}),
])
def test_reported_bad_input_is_a_422_and_writes_nothing(client, db, built, method, url, body):
    before = row_counts(db)
    response = client.request(method, url, json=body, headers=built.headers["admin"])
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert row_counts(db) == before


def test_a_placement_whose_follow_ups_fail_leaves_nothing_written(client, db, built, monkeypatch):
    from service.placements import service as placements

    def broken(**_kwargs):
        raise RuntimeError("the schedule could not be written")

    monkeypatch.setattr(placements, "schedule", broken)
    admin = built.headers["admin"]
    assert client.put("/v1/trainees/TR-new", json=world.trainee_body("own"), headers=admin).status_code == 201
    body = {"trainee_external_id": "TR-new", "opening_external_id": "OP-own", "started_on": "2026-06-01"}
    before = row_counts(db)
    assert client.put("/v1/placements/PL-new", json=body, headers=built.headers["admin"]).status_code == 500
    assert row_counts(db) == before


def test_out_of_range_values_on_every_operation_are_4xx_and_write_nothing(client, db, built):
    every = targets(client.app)
    assert {t[1] for t in every} >= {"/v1/trainees", "/v1/proposals/{proposal_id}/accept", "/v1/audit"}
    headers = built.headers["admin"]
    before = row_counts(db)
    seen: set[tuple[str, str, str]] = set()

    @hypothesis.settings(max_examples=300, deadline=None, database=None,
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(data=st.data())
    def check(data) -> None:
        method, path, location, name, kind, body_name = data.draw(st.sampled_from(every), label="target")
        value = data.draw(_bad(kind), label="value")
        body = dict(BASE.get(body_name, {})) if body_name else None
        params, override = {}, None
        if location == "path":
            override = (name, quote(str(value), safe=""))
        elif location == "query":
            params[name] = str(value)
        else:
            body[name] = value
        url = _concrete(path, override)
        response = client.request(method.upper(), url, params=params, json=body, headers=headers)
        seen.add((method, path, location))
        assert 400 <= response.status_code < 500, (method, url, location, name, response.status_code,
                                                   response.text[:300])
        assert row_counts(db) == before, (method, url, location, name)

    check()
    assert len({(m, p) for m, p, _ in seen}) >= 25


@pytest.mark.parametrize("content_type, payload", [
    ("application/json", b"\xff\xfe{"), ("application/json", b'{"started_on": '),
    ("multipart/form-data; boundary=x", b"--x\r\nTrue--x--\r\n")])
def test_a_body_that_cannot_be_parsed_is_the_documented_422(client, built, content_type, payload):
    for url in ("/v1/proposals/1/accept", "/v1/imports"):
        response = client.post(url, content=payload, headers={**built.headers["admin"], "Content-Type": content_type})
        assert response.status_code == 422, (url, response.text)
        assert response.headers["content-type"] == "application/problem+json"
