"""Settings: the one place that reads the environment (``JOBMATCH_*`` or a ``.env`` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from matching.reference import available_sites

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """Runtime configuration of jobmatch."""

    model_config = SettingsConfigDict(env_prefix="JOBMATCH_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'jobmatch.db'}",
        description="SQLAlchemy URL of the database (SQLite file by default, PostgreSQL in production).",
    )
    data_dir: Path = Field(default=PROJECT_ROOT / "data", description="Reference data: taxonomy, sites, demo bundle.")
    site: str = Field(default="west_bengal", description="The default site (a folder under data/sites): where a "
                                                         "request with no record to decide from belongs.")
    sites: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Sites served, as a comma list (JOBMATCH_SITES=west_bengal,cambodia); "
                                          "empty: every folder under data/sites with a site.json.")
    currency: str | None = Field(default=None, description="Currency code of the default site; its own when unset.")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_level: str = "INFO"
    log_format: str = Field(default="json", description="'json' for structured lines, 'text' for a terminal.")
    default_page_size: int = 50
    max_page_size: int = 500
    max_body_bytes: int = Field(default=1_000_000, description="Largest JSON request body accepted.")
    max_upload_bytes: int = Field(default=200_000_000,
                                  description="Largest bundle upload (.zip) accepted; only POST /v1/imports may "
                                              "send more than max_body_bytes.")
    max_unzipped_bytes: int = Field(default=1_000_000_000, description="Largest total size of a bundle .zip's "
                                                                       "files once decompressed.")
    max_zip_ratio: int = Field(default=100, description="Largest decompressed:compressed size ratio of a bundle .zip.")
    import_chunk_rows: int = Field(default=2_000, description="Rows an import reads, checks and writes at a time.")
    rate_limit_per_minute: int = Field(default=600, ge=1, description="Requests a key may send per minute, across "
                                                                       "every worker and instance.")
    rate_limit_burst: int = Field(default=120, ge=1, description="Requests a key may send at once before the rate "
                                                                 "applies.")
    redis_url: str | None = Field(default=None, description="Redis (redis://host:6379/0) for the per-key rate "
                                                            "counters, with `pip install jobmatch[redis]`; unset: "
                                                            "the database keeps them.")
    # Matching is CPU-bound: beyond a few threads requests only queue for the GIL and starve the event loop that
    # answers 503s and /healthz (benchmarks/load.py on 2 cores: with 8 or 20 threads most overload timed out,
    # with 4 it was answered 503 in milliseconds).
    worker_threads: int = Field(default=4, description="Threads each worker runs blocking handlers on (anyio's "
                                                       "limiter).")
    # A request that waits for a handler thread may already hold a connection (its dependencies ran in an earlier
    # thread hop): with fewer connections than requests in flight, threads then wait for connections held by
    # requests that wait for threads, until the pool timeout (benchmarks/load.py: 4 connections, a third of the
    # load answered 503 after 3 s and some timed out; 20 connections, none).
    db_pool_size: int = Field(default=20, description="Database connections each worker keeps; raised to "
                                                      "max_in_flight_requests + worker_threads when smaller.")
    db_pool_timeout_seconds: float = Field(default=3.0, description="How long a request waits for a database "
                                                                    "connection before answering 503.")
    max_in_flight_requests: int = Field(default=16, description="/v1 requests one worker handles at once; beyond, "
                                                                 "503 with Retry-After.")
    sqlite_busy_timeout_seconds: float = Field(default=5.0, description="How long SQLite waits for a write lock "
                                                                        "before the request answers 503.")
    shutdown_timeout_seconds: int = Field(default=5, description="On SIGTERM, how long requests in flight may "
                                                                 "finish before the server stops anyway.")
    nightly_write_chunk: int = Field(default=5_000, description="Proposal rows the nightly run writes per commit.")
    console_secure_cookie: bool | None = Field(default=None, description="Mark the console's cookies Secure: "
                                                                        "unset, when the request came over https.")
    console_session_hours: int = Field(default=8, ge=1, le=24 * 14, description="How long a console sign-in lasts.")
    metrics_allow_loopback: bool = Field(default=False, description="GET /metrics answers requests from the "
                                                                     "loopback address without a key (never set "
                                                                     "behind a reverse proxy on the same host).")
    metrics_dir: Path | None = Field(default=None, description="Folder where the workers of `jobmatch serve "
                                                               "--workers N` (N > 1) share their metrics; emptied at "
                                                               "start. Unset: a new temporary folder.")
    debug: bool = Field(default=False, description="Commands print the traceback of an unexpected error.")
    retention_days: int | None = Field(default=None, description="Erase exited trainees unchanged for this many "
                                                                  "days (`jobmatch retention apply`); unset: keep.")

    @field_validator("sites", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [code.strip() for code in value.split(",") if code.strip()]
        return value

    def served_sites(self) -> tuple[str, ...]:
        """The codes of the sites served: the default site first, then the others (named, or every site folder)."""
        others = self.sites or list(available_sites(self.data_dir))
        return tuple(dict.fromkeys([self.site, *others]))


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
