"""The Imports screen: upload a bundle (.zip of the contract's CSV files, as `POST /v1/imports` takes it) to check
it only or to import it. The import service checks the whole bundle first and writes nothing unless it is
clean; every problem is listed by file, line and column. The upload caps are the API's (`service.main`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import HTMLResponse, Response

from service.auth import policy
from service.console.web import ConsoleRoute, CsrfChecked, Page, PageDep
from service.core.errors import DomainError, Forbidden
from service.imports.files import BUNDLE_FILES
from service.imports.upload import import_upload

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
MODES = ("dry_run", "import")


def megabytes(size: int) -> str:
    """A byte cap in whole megabytes (at least 1)."""
    return f"{max(1, round(size / 1_000_000)):,} MB"


def may_import(page: Page) -> None:
    """The API's permission for imports (`import:create`), checked here as its route checks it."""
    if not policy.allows(page.key, "import:create"):
        raise Forbidden("This key may not import bundles.")


def import_form(page: Page) -> dict[str, Any]:
    """The upload form: what a bundle holds and how large it may be."""
    may_import(page)
    settings = page.request.app.state.settings
    return {"files": [spec.name for spec in BUNDLE_FILES], "max_upload": megabytes(settings.max_upload_bytes),
            "max_unzipped": megabytes(settings.max_unzipped_bytes), "result": None}


def located(error: dict[str, Any]) -> dict[str, Any]:
    """A problem as a row: a bundle's cell (file, line, column), or a part of the request."""
    if error.get("file") is not None:
        return {"file": error["file"], "line": error.get("line") or "", "column": error.get("column") or "",
                "reason": error.get("reason", "")}
    return {"file": "", "line": "", "column": ".".join(str(part) for part in error.get("loc", ())[1:]),
            "reason": error.get("reason", "")}


def run_import(page: Page, *, upload: UploadFile | None, mode: str) -> tuple[dict[str, Any], int]:
    """Check (dry run) or import the uploaded bundle through the import service; its report or its problems."""
    context = import_form(page)
    if mode not in MODES:
        return {**context, "result": {"failed": True, "message": page.t("imports.mode_unknown"), "errors": []}}, 422
    if upload is None or not upload.filename:
        return {**context, "field_error": page.t("imports.choose_file")}, 422
    settings = page.request.app.state.settings
    try:
        report = import_upload(upload=upload.file, engine=page.request.app.state.engine, reference=page.reference,
                               settings=settings, dry_run=mode == "dry_run", caller=page.key)
    except DomainError as exc:
        return {**context, "result": {"failed": True, "dry_run": mode == "dry_run", "message": exc.detail,
                                      "filename": upload.filename,
                                      "errors": [located(error) for error in exc.errors or []]}}, exc.status
    files = [{"name": name, **vars(counts)} for name, counts in report.files.items()]
    return {**context, "result": {"failed": False, "dry_run": report.dry_run, "filename": upload.filename,
                                  "files": files, "warnings": report.warnings, "warning_count": report.warning_count,
                                  "errors": []}}, 200


@router.get("/imports", response_class=HTMLResponse)
def imports(page: PageDep) -> Response:
    return page.render("imports.html", import_form(page))


@router.post("/imports", response_class=HTMLResponse, dependencies=[CsrfChecked])
def upload_bundle(page: PageDep, file: Annotated[UploadFile | None, File()] = None,
                  mode: Annotated[str, Form(max_length=20)] = "dry_run") -> Response:
    context, status = run_import(page, upload=file, mode=mode)
    return page.render("imports.html", context, fragment="imports_result.html", status=status)
