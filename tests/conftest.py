"""Test fixtures: every database test runs on SQLite and, when configured, on PostgreSQL.

PostgreSQL is used when JOBMATCH_TEST_DATABASE_URL is set; each test session creates its own database
there and drops it afterwards. Under CI=true a missing or unreachable PostgreSQL fails the run."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest
from fastapi.testclient import TestClient
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from service.core.config import Settings
from service.core.db import make_engine
from service.core.migrate import upgrade

REPO = Path(__file__).resolve().parents[1]


class TestEnvironment(BaseSettings):
    __test__ = False
    ci: bool = Field(default=False, validation_alias=AliasChoices("CI"))
    test_database_url: str | None = Field(default=None, validation_alias=AliasChoices("JOBMATCH_TEST_DATABASE_URL"))


ENV = TestEnvironment()
BACKENDS = ["sqlite", "postgresql"]

# CI explores the same examples on every run (a red CI must be reproducible); locally they vary.
hypothesis.settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if ENV.ci:
    hypothesis.settings.load_profile("ci")


def pytest_sessionstart(session: pytest.Session) -> None:
    if ENV.ci and not ENV.test_database_url:
        raise pytest.UsageError("CI=true needs JOBMATCH_TEST_DATABASE_URL: the PostgreSQL run is required.")


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, migrated database of each backend for the whole test session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'jobmatch.db'}"
        upgrade(url)
        yield url
        return
    if not ENV.test_database_url:
        pytest.skip("PostgreSQL not configured (set JOBMATCH_TEST_DATABASE_URL)")
    admin_url = make_url(ENV.test_database_url)
    name = f"jobmatch_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        pytest.fail(f"PostgreSQL at {admin_url.render_as_string(hide_password=True)} is not usable: {exc}")
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


TABLES_IN_DELETE_ORDER = ["proposal", "fairness_report", "match_run", "model_version", "candidate_handle", "consent", "confirmed_journey", "followup", "placement", "opening", "trainee", "employer", "market_signal", "signed_in_session", "import_attempt", "api_key",
                         "audit_event", "audit_subject", "idempotency_record",
                         "change_log"]


def empty_database(engine: Engine) -> None:
    """Delete every row the tests write."""
    with engine.begin() as connection:
        # Audit events are deleted only under a purge permit (the database refuses otherwise).
        connection.execute(text("INSERT INTO audit_purge (created_at) VALUES (CURRENT_TIMESTAMP)"))
        for table in TABLES_IN_DELETE_ORDER:
            connection.execute(text(f"DELETE FROM {table}"))
        connection.execute(text("DELETE FROM audit_purge"))


@pytest.fixture
def db(engine: Engine) -> Iterator[Engine]:
    """The session's database, emptied before each test."""
    empty_database(engine)
    yield engine


@pytest.fixture
def settings(db: Engine, database_url: str) -> Settings:
    return Settings(database_url=database_url, data_dir=REPO / "data", log_format="text")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    from service.main import create_app
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def make_key(engine: Engine, role: str, **binding: str) -> str:
    from service.auth import service as keys
    from service.records.unit_of_work import unit_of_work
    with unit_of_work(engine) as session:
        _, raw = keys.create(session=session, role=role, **binding)
    return raw


@pytest.fixture
def admin_headers(db: Engine) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_key(db, 'admin')}"}


@pytest.fixture
def reference():
    from service.core.reference import load_reference
    return load_reference(REPO / "data", "west_bengal")
