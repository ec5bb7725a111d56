"""What jobmatch keeps of each import attempt: when, by which key, what came of it and where its problems were
(file, line, column and the kind of problem, never a cell's text)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import JSON, String
from sqlmodel import Field, SQLModel

from service.core.models import UtcDateTime, utcnow
from service.matches.models import COUNT

ImportOutcome = Literal["imported", "checked", "refused"]
ImportSource = Literal["cli", "api"]


class ImportAttemptBase(SQLModel):
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, index=True)
    source: ImportSource = Field(sa_type=String(8), description="`cli` (jobmatch import) or `api` (API, console).")
    key_prefix: str | None = Field(default=None, max_length=16, description="The key's first characters; none "
                                                                             "from the command line.")
    role: str | None = Field(default=None, max_length=16)
    partner_org: str | None = Field(default=None, max_length=64, index=True,
                                    description="The partner the key is bound to, if any.")
    dry_run: bool = False
    outcome: ImportOutcome = Field(sa_type=String(16), index=True,
                                   description="`imported`, `checked` (a dry run that passed) or `refused`.")
    rows: int = Field(default=0, description="Rows read from the bundle's files (0 when refused).")
    summary: str = Field(default="", max_length=500, description="What came of it, in a sentence.")
    problem_count: int = 0
    problems: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON,
                                           description="The first problems: file, line, column and their kind.")


class ImportAttempt(ImportAttemptBase, table=True):
    __tablename__ = "import_attempt"

    id: int | None = Field(default=None, primary_key=True)


class ImportAttemptPublic(ImportAttemptBase):
    id: int


class ImportAttemptsPublic(SQLModel):
    data: list[ImportAttemptPublic] = Field(description="This page of attempts, newest first.")
    count: int = Field(description=COUNT)
