"""POST /v1/imports: upload a bundle (.zip) and import it all-or-nothing."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from service.auth.deps import CurrentKey, Permission
from service.core.deps import ReferenceDep
from service.core.errors import Unresolvable, problem_responses
from service.imports.reader import UnzipLimits
from service.imports.service import import_bundle

router = APIRouter(prefix="/v1/imports", tags=["imports"], responses=problem_responses(401, 403, 409, 413, 422))


class FileCountsPublic(BaseModel):
    rows: int
    inserted: int
    updated: int
    unchanged: int


class BundleProblem(BaseModel):
    file: str
    line: int
    column: str
    reason: str


class ImportReportPublic(BaseModel):
    dry_run: bool
    files: dict[str, FileCountsPublic]
    warning_count: int
    warnings: list[BundleProblem]


@router.post("", response_model=ImportReportPublic, summary="Import a bundle (.zip of CSV files)",
             dependencies=[Permission("import:create")])
async def create_import(request: Request, reference: ReferenceDep, caller: CurrentKey,
                        file: Annotated[UploadFile, File(description="A .zip of the bundle's CSV files.")],
                        dry_run: Annotated[bool, Query(description="Validate and count, write nothing.")] = False,
                        ) -> Any:
    settings = request.app.state.settings
    with tempfile.TemporaryDirectory(prefix="jobmatch-import-") as folder:
        target = Path(folder) / "bundle.zip"
        with open(target, "wb") as handle:
            await run_in_threadpool(shutil.copyfileobj, file.file, handle)
        if not _is_zip(target):
            raise Unresolvable("Upload the bundle as a .zip of its CSV files.",
                               errors=[{"loc": ["body", "file"], "reason": "not a zip archive"}])
        report = await run_in_threadpool(import_bundle, engine=request.app.state.engine, reference=reference,
                                         path=target, dry_run=dry_run, chunk_rows=settings.import_chunk_rows,
                                         caller=caller, limits=UnzipLimits(max_bytes=settings.max_unzipped_bytes,
                                                                           max_ratio=settings.max_zip_ratio))
    return report.as_dict()


def _is_zip(path: Path) -> bool:
    import zipfile
    return zipfile.is_zipfile(path)
