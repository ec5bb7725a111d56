"""One trained model version: its artefact (skops bytes), where it came from, how good it is, whether active."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import JSON, LargeBinary, String
from sqlmodel import Field, SQLModel

from service.core.models import UtcDateTime, utcnow

ModelKind = Literal["outcome", "demand", "commute"]


class ModelVersionBase(SQLModel):
    kind: ModelKind = Field(sa_type=String(16), index=True)
    version: str = Field(max_length=80, unique=True, index=True)
    trained_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    as_of: date
    data_fingerprint: str = Field(max_length=64, description="SHA-256 of the training data.")
    artefact_sha256: str = Field(max_length=64)
    metrics: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    active: bool = Field(default=False, index=True)
    note: str = Field(default="", max_length=500)


class ModelVersion(ModelVersionBase, table=True):
    __tablename__ = "model_version"

    id: int | None = Field(default=None, primary_key=True)
    artefact: bytes = Field(sa_type=LargeBinary)


class ModelVersionPublic(ModelVersionBase):
    id: int
