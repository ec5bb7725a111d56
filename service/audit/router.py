"""GET /v1/audit: the audit log, for admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.audit import service
from service.audit.models import AuditEventsPublic
from service.audit.service import AuditFilters
from service.auth.deps import Permission
from service.core.deps import PageDep
from service.core.errors import problem_responses
from service.records.unit_of_work import SessionDep

router = APIRouter(prefix="/v1/audit", tags=["audit"], responses=problem_responses(401, 403, 422, 429))


@router.get("", response_model=AuditEventsPublic, summary="List audit events, newest first",
            dependencies=[Permission("audit:read")])
def list_events(session: SessionDep, page: PageDep, filters: Annotated[AuditFilters, Query()]
                ) -> AuditEventsPublic:
    rows, count = service.list(session=session, filters=filters, page=page)
    return AuditEventsPublic(data=rows, count=count)
