"""Every route × every role × own/other record, generated from the app's own route table.

A route without a permission dependency (`service.auth.deps.Permission`), or without a request case below, fails
this test; each role's expected answer comes from the route's declared action in service/auth/policy.py."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
from fastapi import FastAPI

from service.auth.deps import api_routes, permission_of
from service.auth.policy import roles_for
from service.core.config import Settings
from tests.service.auth import world


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The matrix sends every route for every role with one key each: more than a key's burst, which is not what
    it tests (the rate limit has its own tests)."""
    return settings.model_copy(update={"rate_limit_burst": 100_000, "rate_limit_per_minute": 100_000})

ROLES = ("admin", "coordinator", "employer", "batch")
# Which role's view of a resource is limited to its own records (others answer 404).
SCOPED = {"/v1/trainees": {"coordinator"}, "/v1/trainees/{external_id}/matches": {"coordinator"}, "/v1/placements": {"coordinator"}, "/v1/followups": {"coordinator"},
          "/v1/openings": {"employer"}, "/v1/trainees/{external_id}/consents": {"coordinator"},
          "/v1/trainees/{external_id}/journeys": {"coordinator"},
          "/v1/imports": {"coordinator"}, "/v1/proposals": {"coordinator"}, "/v1/job-postings": {"employer"},
          "/v1/trainer-candidates": {"coordinator"}}
BULK = {("POST", "/v1/imports"), ("POST", "/v1/job-postings")}  # out-of-scope rows are 422 problems, not 404


def allowed_roles(app: FastAPI, method: str, path: str) -> frozenset[str] | None:
    """The roles granted the action the route declares; None when it declares none."""
    for route in api_routes(app.routes):
        if route.path == path and method in route.methods:
            action = permission_of(route)
            return None if action is None else roles_for(action)
    return None


def bundle_zip(side: str) -> bytes:
    trainee = world.trainee_body(side)
    text = ("external_id,partner_org,status,district\n"
            f"{trainee['partner_org']}:TR-bulk,{trainee['partner_org']},job_ready,Kolkata\n")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("trainees.csv", text)
    return buffer.getvalue()


def job_posting(side: str) -> dict:
    return {"@context": "https://schema.org/", "@type": "JobPosting", "identifier": f"{world.EMPLOYERS[side]}:OP-jp",
            "title": "Retail sales associate", "hiringOrganization": {"identifier": world.EMPLOYERS[side]},
            "baseSalary": {"@type": "MonetaryAmount", "currency": "INR",
                           "value": {"@type": "QuantitativeValue", "value": 13000, "unitText": "MONTH"}},
            "jobLocation": {"@type": "Place", "address": {"addressLocality": "Howrah"}}, "totalJobOpenings": 1}


Case = Callable[[str], dict]
PATCHES = {"/v1/trainees": {"cohort": "2026-Z"}, "/v1/employers": {"vetted": True}, "/v1/openings": {"positions": 3},
           "/v1/placements": {"ended_on": "2026-09-01"}, "/v1/followups": {"wellbeing": 3},
           "/v1/market-signals": {"postings": 5}}
ITEM = {"/v1/trainees": lambda s: f"/v1/trainees/TR-{s}", "/v1/employers": lambda s: f"/v1/employers/{world.EMPLOYERS[s]}",
        "/v1/openings": lambda s: f"/v1/openings/OP-{s}", "/v1/placements": lambda s: f"/v1/placements/PL-{s}",
        "/v1/followups": lambda s: f"/v1/followups/PL-{s}/1",
        "/v1/market-signals": lambda s: f"/v1/market-signals/Howrah/cashier/2026-0{1 if s == 'own' else 2}"}
PUTS = {"/v1/trainees": world.trainee_body, "/v1/employers": world.employer_body, "/v1/openings": world.opening_body,
        "/v1/placements": world.placement_body, "/v1/followups": lambda s: {"employed": True},
        "/v1/market-signals": lambda s: {"postings": 9}}


def case(method: str, path: str, side: str, client, headers) -> tuple[str, str, dict]:
    """(method, concrete path, request kwargs) for a route, aimed at the own or the other party's record."""
    for prefix in ITEM:
        template_item = {"/v1/followups": "/v1/followups/{placement_external_id}/{month}",
                         "/v1/market-signals": "/v1/market-signals/{district}/{occupation}/{period}"}.get(
            prefix, prefix + "/{external_id}")
        if path == prefix and method == "GET":
            return method, prefix, {}
        if path == template_item:
            if method == "GET":
                return method, ITEM[prefix](side), {}
            if method == "PUT":
                return method, ITEM[prefix](side), {"json": PUTS[prefix](side)}
            if method == "PATCH":
                return method, ITEM[prefix](side), {"json": PATCHES[prefix]}
            if method == "DELETE":
                return method, ITEM[prefix](side), {}
    if (method, path) == ("POST", "/v1/imports"):
        return method, path, {"files": {"file": ("b.zip", bundle_zip(side), "application/zip")}}
    if (method, path) == ("POST", "/v1/job-postings"):
        return method, path, {"json": job_posting(side)}
    if path == "/v1/trainees/{external_id}/matches":
        return method, f"/v1/trainees/TR-{side}/matches?as_of=2026-11-01&include_blocked=true", {}
    if path == "/v1/matches/preview":
        return method, path, {"json": {k: v for k, v in world.trainee_body(side).items() if k != "partner_org"}}
    if path == "/v1/openings/{external_id}/candidates":
        return method, f"/v1/openings/OP-{side}/candidates", {}  # today (frozen_today): employers cannot choose
    if path == "/v1/openings/{external_id}/candidates/{handle}":
        found = client.get(f"/v1/openings/OP-{side}/candidates?as_of=2026-11-01", headers=headers["admin"]).json()
        handle = next(c["handle"] for c in found["data"] if c["trainee_external_id"] == "TR-own")
        return method, f"/v1/openings/OP-{side}/candidates/{handle}", {}
    if path.startswith("/v1/market/"):
        return method, path + "?district=Howrah", {}
    if path == "/v1/trainer-candidates":
        return method, f"{path}?track=sewing_machine_operator&partner={world.PARTNERS[side]}", {}
    if path.startswith("/v1/match-runs"):
        runs = client.get("/v1/match-runs", headers=headers["admin"]).json()["data"]
        return method, path.replace("{run_id}", str(runs[0]["id"])), {}
    if path.startswith("/v1/proposals/"):
        found = client.get("/v1/match-runs/latest/proposals", headers=headers["admin"]).json()["data"]
        kind = "proposal" if path.endswith("/accept") else "alternative"
        mine = [p for p in found if p["trainee_external_id"] == f"TR-{side}" and p["kind"] == kind]
        body = {"json": {}} if kind == "proposal" else {"json": {"reason": "other"}}
        return method, path.replace("{proposal_id}", str(mine[0]["id"])), body
    if (method, path) in (("GET", "/v1/audit"), ("GET", "/v1/imports")):
        return method, path, {}
    if (method, path) == ("GET", "/v1/keys"):
        return method, path, {}
    if (method, path) == ("POST", "/v1/keys"):
        return method, path, {"json": {"role": "batch", "name": "matrix"}}
    if (method, path) == ("DELETE", "/v1/keys/{key_id}"):
        created = client.post("/v1/keys", json={"role": "batch"}, headers=headers["admin"]).json()
        return method, f"/v1/keys/{created['id']}", {}
    if path == "/v1/trainees/{external_id}/consents":
        body = {"json": {"employer_external_id": "EM-own", "status": "given", "recorded_by": "coordinator"}}
        body["json"]["employer_external_id"] = world.EMPLOYERS["own"]
        return method, f"/v1/trainees/TR-{side}/consents", body if method == "POST" else {}
    if path.startswith("/v1/trainees/{external_id}/journeys"):
        if path.endswith("/journeys"):
            return method, f"/v1/trainees/TR-{side}/journeys", {}
        item, body = f"/v1/trainees/TR-{side}/journeys/OP-{side}", {"minutes": 40, "confirmed_by": "desk"}
        if method != "PUT":  # there is one to read or remove
            client.put(item, json=body, headers=headers["admin"])
        return method, item, {"json": body} if method == "PUT" else {}
    raise AssertionError(f"no request case for {method} {path}: add one to this test")


def expected(app: FastAPI, method: str, path: str, role: str, side: str) -> set[int]:
    roles = allowed_roles(app, method, path)
    if role not in roles:
        return {403}
    prefix = next((p for p in sorted(SCOPED, key=len, reverse=True) if path == p or path.startswith(p + "/")), None)
    listed = method == "GET" and path == prefix and (prefix in ITEM or prefix == "/v1/imports")  # a list: 200
    if prefix and role in SCOPED[prefix] and side == "other" and not listed:
        return {422} if (method, path) in BULK else {404}
    if method == "DELETE":
        return {204, 409}  # allowed; 409 when records this key cannot delete still refer to it
    return {200, 201, 204}


def routes(client) -> list[tuple[str, str]]:
    return [(method.upper(), path) for path, operations in client.app.openapi()["paths"].items()
            for method in operations if path.startswith("/v1")]


def test_every_route_has_a_rule(client):
    missing = [(m, p) for m, p in routes(client) if allowed_roles(client.app, m, p) is None]
    assert missing == []


@pytest.mark.parametrize("role", ROLES)
def test_authorisation_matrix(client, db, role, frozen_today):
    built = world.build(client, db)
    checked = 0
    # Deletions last, children before parents: they remove the records the other cases aim at.
    order = ["/v1/trainees/{external_id}/journeys", "/v1/followups", "/v1/placements", "/v1/openings", "/v1/trainees",
             "/v1/employers"]
    for method, path in sorted(routes(client), key=lambda r: (r[0] == "DELETE", next(
            (i for i, p in enumerate(order) if r[1].startswith(p + "/")), len(order)))):
        for side in ("own", "other"):
            verb, concrete, kwargs = case(method, path, side, client, built.headers)
            response = client.request(verb, concrete, headers=built.headers[role], **kwargs)
            want = expected(client.app, method, path, role, side)
            assert response.status_code in want, (role, side, method, path, response.status_code, response.text[:300])
            checked += 1
    assert checked == 2 * len(routes(client))


def test_lists_show_only_the_keys_own_records(client, db):
    built = world.build(client, db)
    coordinator = built.headers["coordinator"]
    for path, expected in (("/v1/trainees", 1), ("/v1/placements", 1), ("/v1/followups", 4)):
        body = client.get(path, headers=coordinator).json()
        text = str(body["data"])
        assert "-other" not in text and "-own" in text and body["count"] == expected, path
    employer = built.headers["employer"]
    openings = client.get("/v1/openings", headers=employer).json()
    assert [o["external_id"] for o in openings["data"]] == ["OP-own"]


def test_keys_cannot_move_records_out_of_their_scope(client, db):
    built = world.build(client, db)
    moved = client.put("/v1/trainees/kolkata_metro:TR-new", json=world.trainee_body("other"),
                       headers=built.headers["coordinator"])
    assert moved.status_code == 403
    posted = client.put("/v1/openings/EM-1:OP-new", json=world.opening_body("other"), headers=built.headers["employer"])
    assert posted.status_code == 403
    placed = client.put("/v1/placements/kolkata_metro:PL-new", json=world.placement_body("other"),
                        headers=built.headers["coordinator"])
    assert placed.status_code == 422  # her trainee does not exist as far as this key can tell
