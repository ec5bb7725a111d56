"""Writing the stored records as a bundle (a folder, or a .zip when the path ends in .zip)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.core.db import table_of
from service.imports.cells import write_cell
from service.imports.files import BUNDLE_FILES, BundleFile
from service.journeys import repository as journeys


def _companions(engine: Engine, spec: BundleFile) -> dict[str, dict[str, Any]]:
    """The values of the file's companion columns by record key: {column: {external id: value}}."""
    found: dict[str, dict[str, Any]] = {}
    if "confirmed_journeys" in spec.companions:
        with Session(engine) as session:
            found["confirmed_journeys"] = journeys.minutes_by_trainee(session=session)
    return found


def _write_file(engine: Engine, spec: BundleFile, handle: io.TextIOBase, progress: Callable[[str, int], None] | None
                ) -> int:
    table = table_of(spec.resource.table)
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(list(spec.columns))
    count = 0
    order = [table.c[name] for name in spec.resource.order_by]
    stored = spec.record_columns
    companions = _companions(engine, spec)
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=2000).execute(
            select(*[table.c[name] for name in stored]).order_by(*order))
        for row in result:
            values = dict(zip(stored, row, strict=True))
            for column, by_key in companions.items():
                values[column] = by_key.get(values[spec.key[0]], {})
            writer.writerow([write_cell(kind, values[name]) for name, kind in spec.columns.items()])
            count += 1
            if progress and count % 5000 == 0:
                progress(spec.name, 5000)
    return count


def export_bundle(*, engine: Engine, path: Path, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Write every file of the bundle contract; returns the rows written per file."""
    path = Path(path)
    counts: dict[str, int] = {}
    if path.suffix.lower() == ".zip":
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for spec in BUNDLE_FILES:
                with archive.open(spec.name, "w") as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
                    counts[spec.name] = _write_file(engine, spec, text, progress)
        return counts
    path.mkdir(parents=True, exist_ok=True)
    for spec in BUNDLE_FILES:
        with open(path / spec.name, "w", encoding="utf-8", newline="") as handle:
            counts[spec.name] = _write_file(engine, spec, handle, progress)
    return counts
