"""The folder where the workers of `jobmatch serve --workers N` share their metrics (prometheus_client's
multiprocess mode): emptied before the workers start, so counts never carry over from an earlier server."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"  # read by prometheus_client in each worker as it loads


@contextmanager
def shared_metrics_folder(folder: Path | None, *, workers: int) -> Iterator[Path | None]:
    """With more than one worker, the folder (a new temporary one when None, removed afterwards) emptied and named
    to the workers; with one, nothing: its metrics stay in its memory."""
    if workers <= 1:
        yield None
        return
    temporary = folder is None
    path = Path(tempfile.mkdtemp(prefix="jobmatch-metrics-")) if folder is None else folder
    path.mkdir(parents=True, exist_ok=True)
    for leftover in path.glob("*.db"):  # an earlier server's counts
        leftover.unlink()
    os.environ[MULTIPROCESS_VARIABLE] = str(path)  # inherited by the workers, which are new processes
    try:
        yield path
    finally:
        if temporary:
            shutil.rmtree(path, ignore_errors=True)
