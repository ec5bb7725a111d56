"""Rate counters every worker and instance shares: one row per API key in the database, or one Redis key when
`JOBMATCH_REDIS_URL` is set.

Each counter is GCRA, the token bucket written as one number: the key's theoretical arrival time `tat` (integer
microseconds since the epoch). A request at `now` is let through when `max(tat, now) + interval - now <= burst *
interval`, and then moves `tat` by one interval; otherwise it waits the excess. That is exactly the per-worker
token bucket it replaces (`per_minute` a minute refilled, `burst` at once), decided by one atomic statement: an
`INSERT ... ON CONFLICT DO UPDATE ... RETURNING` (PostgreSQL and SQLite alike) or a Lua script in Redis.

On PostgreSQL the table is UNLOGGED (no write-ahead log, so no disk flush on commit; a server crash empties it,
which only forgets who was near their limit). On SQLite the counters live in a file beside the database, not in
it: an import holds SQLite's write lock until it commits, and counting requests in the same file would make every
request wait for it. Each instance's clock decides `now`: keep them in step (NTP); a skew of s seconds lets a key
gain at most s × rate requests."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import anyio
from sqlalchemy import BigInteger, Boolean, Column, bindparam, case, create_engine, event, func, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.schema import CreateTable
from sqlalchemy.sql.dml import ReturningInsert
from sqlalchemy.sql.selectable import CTE, Select
from sqlmodel import Field, SQLModel

from service.core.db import table_of

log = logging.getLogger("jobmatch.limits")
MICROS = 1_000_000


class RateBucket(SQLModel, table=True):
    """One shared rate counter: its bucket (an API key's hash) and theoretical arrival time."""

    __tablename__ = "rate_bucket"

    bucket: str = Field(primary_key=True, max_length=80)
    tat_us: int = Field(sa_column=Column(BigInteger, nullable=False))
    allowed: bool = Field(sa_column=Column(Boolean, nullable=False))  # the last request's verdict, for RETURNING


@dataclass(frozen=True)
class Budget:
    """A key's budget in microseconds: one request every `interval`, at most `burst` of them at once."""

    interval: int
    tolerance: int

    @classmethod
    def of(cls, *, per_minute: int, burst: int) -> Budget:
        """The budget of `per_minute` requests a minute with bursts of `burst`."""
        interval = max(1, round(60 * MICROS / max(per_minute, 1)))
        return cls(interval=interval, tolerance=max(burst, 1) * interval)


def now_us() -> int:
    """This instance's clock, in integer microseconds since the epoch (shared counters compare instants)."""
    return time.time_ns() // 1000


class SharedCounter(Protocol):
    """A rate counter shared by every worker: `take` answers the seconds to wait (0: go ahead)."""

    name: str

    async def take(self, bucket: str, budget: Budget, now: int) -> float: ...

    async def close(self) -> None: ...


def _upsert(dialect_name: str, buckets: Select[Any] | None = None) -> ReturningInsert[Any]:
    """The one statement that counts a request: insert the bucket or move its `tat`, returning the verdict. With
    `buckets` (a select of one column), it counts the buckets that select gives instead of the `bucket` parameter:
    none, nothing is counted."""
    table = table_of(RateBucket)
    now, interval = bindparam("now", type_=BigInteger), bindparam("interval", type_=BigInteger)
    tolerance = bindparam("tolerance", type_=BigInteger)
    dialect: Any = postgresql if dialect_name == "postgresql" else sqlite
    start = (func.greatest if dialect_name == "postgresql" else func.max)(table.c.tat_us, now)
    fits = start + interval - now <= tolerance
    if buckets is None:
        insert = dialect.insert(table).values(bucket=bindparam("bucket"), tat_us=now + interval, allowed=True)
    else:
        rows = buckets.with_only_columns(*buckets.selected_columns, now + interval, true())
        insert = dialect.insert(table).from_select(["bucket", "tat_us", "allowed"], rows)
    return insert.on_conflict_do_update(
        index_elements=[table.c.bucket],
        set_={"tat_us": case((fits, start + interval), else_=table.c.tat_us), "allowed": fits},
    ).returning(table.c.tat_us, table.c.allowed)


def counting_part(buckets: Select[Any]) -> CTE:
    """PostgreSQL: the count of the buckets a select gives (one column) as a part of a larger statement (columns
    `tat_us`, `allowed`; no row when nothing was counted), so a request is counted in the round trip that does
    other work; its parameters are `counting_parameters`'."""
    return _upsert("postgresql", buckets).cte("counted")


def counting_parameters(budget: Budget, now: int) -> dict[str, int]:
    """The parameters of a count at `now` (microseconds) within this budget."""
    return {"now": now, "interval": budget.interval, "tolerance": budget.tolerance}


def wait_of(tat: int, allowed: bool, budget: Budget, now: int) -> float:
    """The seconds a counted request must wait (0: go ahead), from the counter's verdict."""
    return 0.0 if allowed else (max(tat, now) + budget.interval - now - budget.tolerance) / MICROS


class DatabaseCounter:
    """Counters in the database (PostgreSQL), or in a SQLite file beside it; one autocommitted statement each."""

    name = "database"

    def __init__(self, engine_of: Callable[[], Engine]) -> None:
        self.engine_of = engine_of
        self.threads = anyio.CapacityLimiter(4)  # never queued behind the request handlers' threads
        self._engine: Engine | None = None
        self._statement: ReturningInsert[Any] | None = None

    def _connectable(self) -> tuple[Engine, ReturningInsert[Any]]:
        if self._engine is None or self._statement is None:
            engine = self.engine_of()
            if engine.dialect.name == "sqlite":
                engine = sidecar_engine(str(make_url(str(engine.url)).database))
            self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
            self._statement = _upsert(engine.dialect.name)
        return self._engine, self._statement

    def take_now(self, bucket: str, budget: Budget, now: int, connection: Connection | None = None) -> float:
        """Count one request of this bucket (blocking: one statement). `connection`, an autocommit connection to
        the same database that the caller holds already (the authentication gate's), saves taking another; on
        SQLite the counters' own file is used whatever is given."""
        engine, statement = self._connectable()
        values = {"bucket": bucket, **counting_parameters(budget, now)}
        if connection is not None and connection.dialect.name == "postgresql":
            tat, allowed = connection.execute(statement, values).one()
        else:
            with engine.connect() as own:
                tat, allowed = own.execute(statement, values).one()
        return wait_of(tat, allowed, budget, now)

    async def take(self, bucket: str, budget: Budget, now: int) -> float:
        return await anyio.to_thread.run_sync(self.take_now, bucket, budget, now, limiter=self.threads)

    async def close(self) -> None:
        """Nothing to close: the connections are the app's engine's (or the process's counters file's)."""


def sidecar_path(database: str) -> str:
    """Where a SQLite database's rate counters are kept: a file beside it."""
    return f"{database}.ratelimit"


_SIDECARS: dict[str, Engine] = {}


def sidecar_engine(database: str) -> Engine:
    """The engine of the counters' SQLite file (created with its table on first use; one per process)."""
    path = sidecar_path(database)
    if path not in _SIDECARS:
        engine = create_engine(f"sqlite:///{path}", hide_parameters=True,
                               connect_args={"check_same_thread": False, "timeout": 2.0})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=OFF")  # counters are not records: a power cut may forget some
            cursor.execute("PRAGMA busy_timeout=2000")
            cursor.close()

        with engine.begin() as connection:
            connection.execute(CreateTable(table_of(RateBucket), if_not_exists=True))
        _SIDECARS[path] = engine
    return _SIDECARS[path]


# GCRA in Redis: KEYS[1] the bucket, ARGV now, interval, tolerance (microseconds). Returns the microseconds to wait.
REDIS_SCRIPT = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
if tat < now then tat = now end
local new = tat + interval
if new - now > tolerance then return new - now - tolerance end
redis.call('SET', KEYS[1], string.format('%d', new), 'PX', math.ceil((new - now) / 1000))
return 0
"""


class RedisCounter:
    """Counters in Redis (`pip install jobmatch[redis]`): one Lua script call a request, on the event loop."""

    name = "redis"
    PREFIX = "jobmatch:rate:"

    def __init__(self, url: str) -> None:
        try:
            import redis.asyncio  # noqa: F401  (the optional extra: refuse to start without it)
        except ImportError as exc:
            raise RuntimeError("JOBMATCH_REDIS_URL is set but the redis client is not installed: "
                               "pip install 'jobmatch[redis]', or unset JOBMATCH_REDIS_URL") from exc
        self.url = url
        self._client: Any = None
        self._script: Any = None

    def _connected(self) -> Any:
        if self._script is None:
            import redis.asyncio as aioredis
            # Short timeouts: a Redis that does not answer costs one request at most a second, then is left alone.
            self._client = aioredis.Redis.from_url(self.url, socket_connect_timeout=1.0, socket_timeout=1.0)
            self._script = self._client.register_script(REDIS_SCRIPT)
        return self._script

    async def take(self, bucket: str, budget: Budget, now: int) -> float:
        wait = await self._connected()(keys=[self.PREFIX + bucket], args=[now, budget.interval, budget.tolerance])
        return int(wait) / MICROS

    async def close(self) -> None:
        """Close the connection pool (at shutdown)."""
        if self._client is not None:
            await self._client.aclose()
            self._client = self._script = None


def retry_after(wait: float) -> str:
    """A Retry-After header value: whole seconds, at least one."""
    return str(max(1, math.ceil(wait)))
