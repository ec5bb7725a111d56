"""Stored model versions in the database: every statement on model_version."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import update
from sqlmodel import Session, col, select

from service.models_registry.models import ModelVersion


def find(*, session: Session, version: str) -> ModelVersion | None:
    """The stored version of that name, or None."""
    return session.exec(select(ModelVersion).where(col(ModelVersion.version) == version)).one_or_none()


def add(*, session: Session, row: ModelVersion) -> None:
    """Store a new version and flush it, so that it has its id."""
    session.add(row)
    session.flush()


def activate(*, session: Session, row: ModelVersion) -> None:
    """Make this version the only active one of its kind."""
    session.exec(update(ModelVersion).where(col(ModelVersion.kind) == row.kind).values(active=False))
    session.exec(update(ModelVersion).where(col(ModelVersion.id) == row.id).values(active=True))


def active(*, session: Session) -> Sequence[ModelVersion]:
    """The active versions (one per kind at most)."""
    return session.exec(select(ModelVersion).where(col(ModelVersion.active).is_(True))).all()


def newest_first(*, session: Session) -> Sequence[ModelVersion]:
    """Every stored version, newest first."""
    return session.exec(select(ModelVersion).order_by(col(ModelVersion.id).desc())).all()
