"""POST /v1/imports: upload a bundle (.zip) and import it all-or-nothing; GET /v1/imports: what came of each
import attempt."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from service.auth.deps import CurrentKey, Permission
from service.core.deps import PageDep, ReferenceDep
from service.core.errors import problem_responses
from service.imports import history
from service.imports.models import ImportAttemptsPublic, ImportOutcome
from service.imports.upload import import_upload
from service.records.unit_of_work import SessionDep

router = APIRouter(prefix="/v1/imports", tags=["imports"], responses=problem_responses(401, 403, 409, 413, 422))


class FileCountsPublic(BaseModel):
    rows: int
    inserted: int
    updated: int
    unchanged: int


class JourneyCountsPublic(BaseModel):
    inserted: int
    updated: int
    removed: int
    unchanged: int


class BundleProblem(BaseModel):
    file: str
    line: int
    column: str
    reason: str


class ImportReportPublic(BaseModel):
    dry_run: bool
    files: dict[str, FileCountsPublic]
    confirmed_journeys: JourneyCountsPublic | None = Field(
        default=None, description="With a confirmed_journeys column in trainees.csv: the journeys it confirmed "
                                  "anew, changed, removed (an empty cell removes hers) and left as they were.")
    warning_count: int
    warnings: list[BundleProblem]


@router.post("", response_model=ImportReportPublic, summary="Import a bundle (.zip of CSV files)",
             dependencies=[Permission("import:create")])
async def create_import(request: Request, reference: ReferenceDep, caller: CurrentKey,
                        file: Annotated[UploadFile, File(description="A .zip of the bundle's CSV files.")],
                        dry_run: Annotated[bool, Query(description="Validate and count, write nothing.")] = False,
                        ) -> Any:
    report = await run_in_threadpool(import_upload, upload=file.file, engine=request.app.state.engine,
                                     reference=reference, settings=request.app.state.settings, dry_run=dry_run,
                                     caller=caller)
    return report.as_dict()


@router.get("", response_model=ImportAttemptsPublic, summary="Import attempts, newest first (refused ones too)",
            dependencies=[Permission("import:read")])
def list_imports(session: SessionDep, caller: CurrentKey, page: PageDep,
                 outcome: Annotated[ImportOutcome | None, Query(description="Only attempts with this outcome.")] = None
                 ) -> ImportAttemptsPublic:
    return history.list(session=session, caller=caller, outcome=outcome, page=page)
