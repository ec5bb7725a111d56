"""The per-key rate counter every worker shares: the burst, then one request an interval, whichever worker
counts; on SQLite it keeps counting while an import holds the database's write lock; Redis keeps the same
count, and a Redis that does not answer leaves each worker limiting on its own."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from service.core.config import Settings
from service.core.rate_counters import Budget, DatabaseCounter, RedisCounter, now_us
from tests.conftest import make_key

SECOND = 1_000_000
REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis() -> RedisCounter:
    pytest.importorskip("redis", reason="the optional extra jobmatch[redis] is not installed")
    import redis
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis answers at {REDIS_URL}")
    return RedisCounter(REDIS_URL)


def test_two_workers_share_one_budget_per_key(db):
    budget = Budget.of(per_minute=60, burst=3)  # a request a second, three at once
    first, second = DatabaseCounter(lambda: db), DatabaseCounter(lambda: db)  # two workers' counters
    key, now = uuid.uuid4().hex, now_us()
    waits = [(first, second)[n % 2].take_now(key, budget, now) for n in range(5)]
    assert waits == [0, 0, 0, 1.0, 1.0]  # the burst once, not once per worker; then a second to wait
    assert second.take_now(key, budget, now + SECOND) == 0  # a second later, one more
    assert first.take_now(key, budget, now + SECOND) == 1.0
    assert first.take_now(uuid.uuid4().hex, budget, now) == 0  # another key has its own budget


def test_a_refused_request_costs_nothing(db):
    budget = Budget.of(per_minute=60, burst=1)
    counter, key, now = DatabaseCounter(lambda: db), uuid.uuid4().hex, now_us()
    assert counter.take_now(key, budget, now) == 0
    for _ in range(5):  # refusals do not push the next allowed moment further away
        assert counter.take_now(key, budget, now) == 1.0
    assert counter.take_now(key, budget, now + SECOND) == 0


def test_counting_goes_on_while_an_import_holds_the_sqlite_write_lock(db, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL has no database-wide write lock")
    counter, budget = DatabaseCounter(lambda: db), Budget.of(per_minute=60, burst=2)
    with db.connect() as writer:
        writer.execute(text("DELETE FROM market_signal"))  # a write: the lock an import holds until it commits
        key = uuid.uuid4().hex
        assert [counter.take_now(key, budget, now_us()) for _ in range(2)] == [0, 0]
        assert counter.take_now(key, budget, now_us()) > 0
        writer.rollback()


def test_redis_keeps_the_same_count():
    budget = Budget.of(per_minute=60, burst=3)

    async def waits() -> list[float]:
        first, second = _redis(), RedisCounter(REDIS_URL)
        key, now = uuid.uuid4().hex, now_us()
        try:
            counted = [await (first, second)[n % 2].take(key, budget, now) for n in range(5)]
            return [*counted, await second.take(key, budget, now + SECOND), await first.take(key, budget, now + SECOND)]
        finally:
            await first.close()
            await second.close()

    assert asyncio.run(waits()) == [0, 0, 0, 1.0, 1.0, 0, 1.0]


@pytest.fixture
def limits_log(caplog):
    logger = logging.getLogger("jobmatch.limits")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.WARNING)
    yield caplog
    logger.removeHandler(caplog.handler)


def test_without_redis_each_worker_limits_on_its_own_and_says_so(settings, db, limits_log):
    from service.main import create_app
    pytest.importorskip("redis", reason="the optional extra jobmatch[redis] is not installed")
    down = Settings(**{**settings.model_dump(), "rate_limit_per_minute": 6, "rate_limit_burst": 3,
                       "redis_url": "redis://127.0.0.1:9/0"})  # nothing listens there
    headers = {"Authorization": f"Bearer {make_key(db, 'admin')}"}
    with TestClient(create_app(down)) as limited:
        statuses = [limited.get("/v1/employers", headers=headers).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]  # answered, and still limited (per worker)
    warnings = [r for r in limits_log.records if r.name == "jobmatch.limits"]
    assert len(warnings) == 1 and warnings[0].store == "redis"  # once, not per request
    assert "per worker" in warnings[0].getMessage()


def test_when_the_counters_fail_within_the_key_lookup_each_worker_limits_on_its_own_and_says_so(
        settings, db, database_url, limits_log):
    from service.main import create_app
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite counts in its own file, never within the key lookup")
    tight = Settings(**{**settings.model_dump(), "rate_limit_per_minute": 6, "rate_limit_burst": 3})
    headers = {"Authorization": f"Bearer {make_key(db, 'admin')}"}
    with db.begin() as connection:  # the counters' table gone: the statement that reads the key and counts fails
        connection.execute(text("ALTER TABLE rate_bucket RENAME TO rate_bucket_away"))
    try:
        with TestClient(create_app(tight)) as limited:
            statuses = [limited.get("/v1/employers", headers=headers).status_code for _ in range(5)]
    finally:
        with db.begin() as connection:
            connection.execute(text("ALTER TABLE rate_bucket_away RENAME TO rate_bucket"))
    assert statuses == [200, 200, 200, 429, 429]  # answered, and still limited (per worker)
    warnings = [r for r in limits_log.records if r.name == "jobmatch.limits"]
    assert len(warnings) == 1 and warnings[0].store == "database"
