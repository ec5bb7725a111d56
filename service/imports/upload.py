"""A bundle uploaded over the API: kept in a temporary file, checked to be a zip, then imported."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import IO

from sqlalchemy.engine import Engine

from service.auth.models import ApiKey
from service.core.config import Settings
from service.core.errors import Unresolvable
from service.core.reference import Reference
from service.imports.reader import UnzipLimits
from service.imports.service import ImportReport, import_bundle, keep_refused


def import_upload(*, upload: IO[bytes], engine: Engine, reference: Reference, settings: Settings, dry_run: bool,
                  caller: ApiKey) -> ImportReport:
    """Import an uploaded .zip bundle all-or-nothing, within the service's unzip limits."""
    with tempfile.TemporaryDirectory(prefix="jobmatch-import-") as folder:
        target = Path(folder) / "bundle.zip"
        with open(target, "wb") as handle:
            shutil.copyfileobj(upload, handle)
        if not zipfile.is_zipfile(target):
            refused = Unresolvable("Upload the bundle as a .zip of its CSV files.",
                                   errors=[{"loc": ["body", "file"], "reason": "not a zip archive"}])
            keep_refused(engine=engine, caller=caller, dry_run=dry_run, error=refused)
            raise refused
        limits = UnzipLimits(max_bytes=settings.max_unzipped_bytes, max_ratio=settings.max_zip_ratio)
        return import_bundle(engine=engine, reference=reference, path=target, dry_run=dry_run,
                             chunk_rows=settings.import_chunk_rows, caller=caller, limits=limits)
