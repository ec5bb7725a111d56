"""Settings: the one place that reads the environment (``JOBMATCH_*`` or a ``.env`` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """Runtime configuration of jobmatch."""

    model_config = SettingsConfigDict(env_prefix="JOBMATCH_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'jobmatch.db'}",
        description="SQLAlchemy URL of the database (SQLite file by default, PostgreSQL in production).",
    )
    data_dir: Path = Field(default=PROJECT_ROOT / "data", description="Reference data: taxonomy, sites, demo bundle.")
    site: str = Field(default="west_bengal", description="Folder under data/sites with the gazetteer and wage tables.")
    currency: str | None = Field(default=None, description="Currency code; the site's own when unset.")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_level: str = "INFO"
    log_format: str = Field(default="json", description="'json' for structured lines, 'text' for a terminal.")
    default_page_size: int = 50
    max_page_size: int = 500
    max_body_bytes: int = Field(default=1_000_000, description="Largest JSON request body accepted.")
    max_upload_bytes: int = Field(default=200_000_000, description="Largest bundle upload (.zip) accepted.")
    import_chunk_rows: int = Field(default=2_000, description="Rows written per statement during an import.")
    rate_limit_per_minute: int = Field(default=600, description="Requests a key may send per minute (per worker).")
    rate_limit_burst: int = Field(default=120, description="Requests a key may send at once before the rate applies.")
    nightly_write_chunk: int = Field(default=5_000, description="Proposal rows the nightly run writes per commit.")
    retention_days: int | None = Field(default=None, description="Erase exited trainees unchanged for this many "
                                                                  "days (`jobmatch retention apply`); unset: keep.")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
