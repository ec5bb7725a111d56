"""Authentication comes first: no body is read, replayed, rate-limited by spelling or size-capped by content type
for a caller without a valid key."""

from __future__ import annotations

import asyncio
import json
import logging

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from service.core.config import Settings
from service.idempotency.models import IdempotencyRecord
from tests.conftest import make_key
from tests.service.auth import world


def _raw_post(app, path: str, headers: dict[str, str], declared_bytes: int) -> tuple[int, int]:
    """POST straight through ASGI; the status and how many times the app asked for the body."""
    reads = 0
    status = 0

    async def receive() -> dict:
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": b"x" * 65536, "more_body": reads < declared_bytes // 65536}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
             "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
             "headers": [(name.lower().encode(), value.encode()) for name, value in headers.items()]}
    asyncio.run(app(scope, receive, send))
    return status, reads


def test_a_made_up_key_is_refused_before_any_of_the_body_is_read(settings):
    from service.main import create_app
    app = create_app(settings)
    big = 190_000_000
    headers = {"Authorization": "Bearer jm_made-up", "Idempotency-Key": "k-1", "Content-Length": str(big),
               "Content-Type": "multipart/form-data; boundary=xyz"}
    status, reads = _raw_post(app, "/v1/imports", headers, big)
    assert (status, reads) == (401, 0)
    status, reads = _raw_post(app, "/v1/job-postings", {k: v for k, v in headers.items() if k != "Authorization"}, big)
    assert (status, reads) == (401, 0)


def test_a_malformed_body_without_a_key_answers_401_not_422(client):
    response = client.put("/v1/trainees/TR-1", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 401 and response.headers["content-type"] == "application/problem+json"
    assert client.post("/v1/job-postings", content=b"[", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_a_multipart_body_keeps_the_json_cap_outside_imports(client, admin_headers):
    body = b"--xyz\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n" + b"x" * 2_000_000 + b"\r\n--xyz--\r\n"
    response = client.post("/v1/job-postings", content=body,
                           headers={**admin_headers, "Content-Type": "multipart/form-data; boundary=xyz"})
    assert response.status_code == 413 and response.headers["content-type"] == "application/problem+json"


def test_the_rate_limit_follows_the_key_whatever_the_header_spelling(settings, db):
    from service.main import create_app
    tight = Settings(**{**settings.model_dump(), "rate_limit_per_minute": 6, "rate_limit_burst": 3})
    raw = make_key(db, "admin")
    with TestClient(create_app(tight)) as limited:
        statuses = [limited.get("/v1/employers", headers={"Authorization": f"{scheme} {raw}"}).status_code
                    for scheme in ("Bearer", "bearer", "BEARER", "Bearer ")]
    assert statuses == [200, 200, 200, 429]


def test_guessing_keys_is_rate_limited_by_address(settings, db):
    from service.main import create_app
    tight = Settings(**{**settings.model_dump(), "rate_limit_per_minute": 6, "rate_limit_burst": 3})
    with TestClient(create_app(tight)) as limited:
        statuses = [limited.get("/v1/employers", headers={"Authorization": f"Bearer jm_guess{n}"}).status_code
                    for n in range(4)]
        assert statuses == [401, 401, 401, 429]
        refused = limited.get("/v1/employers", headers={"Authorization": "Bearer jm_guess9"})
        assert int(refused.headers["retry-after"]) >= 1


def test_a_revoked_key_gets_401_never_its_stored_answer(client, db):
    built = world.build(client, db)
    raw = make_key(db, "admin")
    body = {"employer_external_id": "EM-1", "status": "given", "recorded_by": "Kolkata desk"}
    headers = {"Authorization": f"Bearer {raw}", "Idempotency-Key": "consent-1"}
    assert client.post("/v1/trainees/TR-own/consents", json=body, headers=headers).status_code == 201
    key_id = next(k["id"] for k in client.get("/v1/keys", headers=built.headers["admin"]).json()["data"]
                  if raw.startswith(k["prefix"]))
    assert client.delete(f"/v1/keys/{key_id}", headers=built.headers["admin"]).status_code == 204
    replay = client.post("/v1/trainees/TR-own/consents", json=body, headers=headers)
    assert replay.status_code == 401 and "idempotent-replayed" not in replay.headers
    assert "recorded_by" not in replay.text


def test_a_new_key_is_never_stored_nor_shown_again(client, db, caplog):
    admin = {"Authorization": f"Bearer {make_key(db, 'admin')}", "Idempotency-Key": "new-key-1"}
    body = {"role": "batch", "name": "nightly runner"}
    first = client.post("/v1/keys", json=body, headers=admin)
    assert first.status_code == 201
    secret = first.json()["key"]
    with Session(db) as session:
        stored = session.exec(select(IdempotencyRecord)).all()
    assert stored and all(secret.encode() not in record.body for record in stored)
    with caplog.at_level(logging.INFO, logger="jobmatch"):
        again = client.post("/v1/keys", json=body, headers=admin)
    assert again.status_code == 409 and again.headers["content-type"] == "application/problem+json"
    assert again.headers["idempotent-replayed"] == "true" and secret not in again.text
    assert "cannot be shown again" in again.json()["detail"]
    assert client.get("/v1/keys", headers=admin).json()["count"] == 2  # the admin key and one batch key
    replays = [r for r in caplog.records if getattr(r, "replay", None) is True]
    assert [(r.route, r.key) for r in replays] == [("/v1/keys", admin["Authorization"][7:17])]
    assert all("nightly runner" not in f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert json.loads(first.text)["key"] == secret


def test_a_revoked_key_is_never_counted(settings, db, database_url):
    from service.auth.service import hash_key
    from service.core.rate_counters import sidecar_engine
    from service.main import create_app
    raw = make_key(db, "admin")
    with db.begin() as connection:
        connection.execute(text("UPDATE api_key SET revoked_at = CURRENT_TIMESTAMP"))
    with TestClient(create_app(settings)) as app:
        assert [app.get("/v1/employers", headers={"Authorization": f"Bearer {raw}"}).status_code
                for _ in range(3)] == [401, 401, 401]
    counters = sidecar_engine(str(make_url(database_url).database)) if database_url.startswith("sqlite") else db
    with counters.connect() as connection:
        counted = connection.execute(text("SELECT count(*) FROM rate_bucket WHERE bucket = :bucket"),
                                     {"bucket": hash_key(raw)}).scalar_one()
    assert counted == 0
