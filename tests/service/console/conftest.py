"""The console's fixtures: one app and one small world per test module (the pages only read), signed-in clients."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.core.config import Settings
from tests.conftest import REPO, empty_database, make_key
from tests.service.auth import world
from tests.service.conftest import TODAY

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def module_today() -> Iterator[datetime.date]:
    """The site's today for a whole module (the world's dates stay valid whenever the tests run)."""
    from service.core import clock
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: datetime.datetime.combine(TODAY, datetime.time(12), datetime.UTC))
        yield TODAY


@dataclass
class ConsoleWorld:
    app: FastAPI
    engine: Engine
    keys: dict[str, str]  # role -> raw key ("coordinator" is partner P1's, "other_coordinator" P2's)
    admin_headers: dict[str, str]

    def client(self, base_url: str = "http://testserver") -> TestClient:
        """A browser of its own (its own cookies), not following redirects."""
        return TestClient(self.app, base_url=base_url, follow_redirects=False)

    def signed_in(self, role: str) -> TestClient:
        client = self.client()
        response = sign_in(client, self.keys[role])
        assert response.status_code == 303, response.text
        return client


def sign_in(client: TestClient, key: str, next: str = "/console/"):
    """Sign in through the form, as a person would."""
    page = client.get("/console/sign-in")
    token = CSRF.search(page.text)
    assert token, page.text
    return client.post("/console/sign-in", data={"api_key": key, "csrf_token": token.group(1), "next": next})


def csrf_of(client: TestClient, path: str = "/console/") -> str:
    """The session's CSRF token, as a page's forms carry it."""
    found = CSRF.search(client.get(path).text)
    assert found
    return found.group(1)


@pytest.fixture(scope="module")
def console(engine: Engine, database_url: str, module_today: datetime.date) -> Iterator[ConsoleWorld]:
    """Two partners' trainees, two employers' openings, a nightly run, and a key per role."""
    from service.main import create_app
    empty_database(engine)
    app = create_app(Settings(database_url=database_url, data_dir=REPO / "data", log_format="text"))
    with TestClient(app) as client:
        built = world.build(client, engine)
        night = {**world.opening_body("own"), "title": "Night Tailor", "shift": "night"}  # blocked for both women
        assert client.put("/v1/openings/OP-night", json=night, headers=built.headers["admin"]).status_code == 201
        keys = {role: headers["Authorization"].removeprefix("Bearer ") for role, headers in built.headers.items()}
        keys["other_coordinator"] = make_key(engine, "coordinator", partner_org=world.PARTNERS["other"])
        yield ConsoleWorld(app=app, engine=engine, keys=keys, admin_headers=built.headers["admin"])
    empty_database(engine)
