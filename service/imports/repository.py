"""Import attempts: which a key may see (an administrator every one, a coordinator those made with keys of her
partner, nobody else any) and the statements that read and add them."""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import false
from sqlmodel import Session, col, func, select

from service.auth.models import ApiKey
from service.core.models import Page
from service.imports.models import ImportAttempt
from service.records import crud


def visible(key: ApiKey) -> list[Any]:
    """SQL conditions restricting attempts to those this key may see."""
    if key.role == "admin":
        return []
    if key.role == "coordinator" and key.partner_org is not None:
        return [col(ImportAttempt.partner_org) == key.partner_org]
    return [false()]


def add(*, session: Session, attempt: ImportAttempt) -> None:
    session.add(attempt)


def page_of_attempts(*, session: Session, caller: ApiKey, outcome: str | None, page: Page
                     ) -> tuple[list[ImportAttempt], int]:
    """One page of the attempts the caller may see (of one outcome, when given), newest first."""
    conditions = [*visible(caller)]
    if outcome is not None:
        conditions.append(col(ImportAttempt.outcome) == outcome)
    return crud.list(session=session, table=ImportAttempt, conditions=conditions, page=page,
                     order_by=[col(ImportAttempt.at).desc(), col(ImportAttempt.id).desc()])


def refused_since(*, session: Session, caller: ApiKey, since: datetime.datetime, limit: int
                  ) -> tuple[list[ImportAttempt], int]:
    """The newest refused attempts since a moment that the caller may see (at most `limit`), and how many in all."""
    conditions = [col(ImportAttempt.outcome) == "refused", col(ImportAttempt.at) >= since, *visible(caller)]
    total = session.exec(select(func.count()).select_from(ImportAttempt).where(*conditions)).one()
    rows = session.exec(select(ImportAttempt).where(*conditions)
                        .order_by(col(ImportAttempt.at).desc(), col(ImportAttempt.id).desc()).limit(limit)).all()
    return [*rows], int(total)
