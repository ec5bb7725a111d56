"""Many workers, one truth: `jobmatch serve --workers 2` limits each key once across its workers (the database
counts, or Redis), and a revoked key answers 401 at once whichever worker takes the request."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import make_key
from tests.service.core.test_rate_counters import REDIS_URL, _redis
from tests.service.server import serve

BURST = 10


def _statuses(base: str, key: str, count: int) -> Counter:
    """Send `count` requests at once, each on its own connection, so that both workers take some."""
    def one(_: int) -> int:
        return httpx.get(f"{base}/v1/employers", headers={"Authorization": f"Bearer {key}"}, timeout=60).status_code
    with ThreadPoolExecutor(max_workers=8) as pool:
        return Counter(pool.map(one, range(count)))


def _key_id(base: str, admin: str, raw: str) -> int:
    keys = httpx.get(f"{base}/v1/keys", headers={"Authorization": f"Bearer {admin}"}, timeout=60).json()["data"]
    return next(k["id"] for k in keys if raw.startswith(k["prefix"]))


def test_revoking_a_key_shuts_it_out_of_every_worker_and_the_limit_holds_across_them(db, database_url, tmp_path):
    admin, revoked, busy = (make_key(db, "admin") for _ in range(3))
    # One request a minute beyond a burst of ten: within the test, exactly ten of a key's requests go through.
    with serve(database_url, tmp_path / "server.log", workers=2, rate_limit_per_minute=1,
               rate_limit_burst=BURST) as (_, base):
        assert _statuses(base, busy, 3 * BURST) == Counter({200: BURST, 429: 2 * BURST})  # not twice the burst

        assert _statuses(base, revoked, 8) == Counter({200: 8})  # both workers have seen the key work
        gone = httpx.delete(f"{base}/v1/keys/{_key_id(base, admin, revoked)}",
                            headers={"Authorization": f"Bearer {admin}"}, timeout=60)
        assert gone.status_code == 204
        # Every later request, on either worker (up to the failures one client address may make at once: beyond
        # them the address gets 429, which never lets the key through either).
        assert _statuses(base, revoked, BURST) == Counter({401: BURST})
        assert set(_statuses(base, revoked, 3 * BURST)) <= {401, 429}  # (so the failures come last here)
    assert (tmp_path / "server.log").read_text().count("Started server process") == 2  # two workers answered


def test_the_limit_holds_across_workers_with_redis(db, database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        pytest.skip("the database plays no part in counting with Redis: once is enough")
    _redis()
    busy = make_key(db, "admin")
    with serve(database_url, tmp_path / "server.log", workers=2, rate_limit_per_minute=1, rate_limit_burst=BURST,
               redis_url=REDIS_URL) as (_, base):
        statuses = _statuses(base, busy, 3 * BURST)
    assert statuses == Counter({200: BURST, 429: 2 * BURST}), (tmp_path / "server.log").read_text()[-3000:]
