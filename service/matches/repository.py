"""The handle map's SQL: storing the handles a candidate list issues, resolving one, forgetting hers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from service.core.db import table_of
from service.matches.models import CandidateHandle


def store_handles(*, session: Session, employer_external_id: str, handles: Mapping[str, str]) -> None:
    """Remember which trainee each handle (handle -> her id) stands for with this employer; in the caller's unit
    of work. Known handles are looked up first, so that listing the same candidates again takes no row lock."""
    if not handles:
        return
    known = set(session.execute(select(col(CandidateHandle.handle)).where(
        col(CandidateHandle.employer_external_id) == employer_external_id,
        col(CandidateHandle.handle).in_(sorted(handles)))).scalars())
    missing = [{"employer_external_id": employer_external_id, "handle": handle, "trainee_external_id": trainee}
               for handle, trainee in sorted(handles.items()) if handle not in known]
    if missing:
        dialect: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(dialect.insert(table_of(CandidateHandle)).on_conflict_do_nothing(), missing)


def find_trainee(*, session: Session, employer_external_id: str, handle: str) -> str | None:
    """The trainee a handle issued to this employer stands for (one primary-key lookup), if any."""
    return session.execute(select(col(CandidateHandle.trainee_external_id)).where(
        col(CandidateHandle.employer_external_id) == employer_external_id,
        col(CandidateHandle.handle) == handle)).scalar()


def delete_of_trainee(*, session: Session, trainee_external_id: str) -> None:
    """Forget every handle that stands for her (erasure)."""
    session.execute(delete(CandidateHandle).where(col(CandidateHandle.trainee_external_id) == trainee_external_id))
