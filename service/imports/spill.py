"""The checked rows of each file, kept on disk between the check and the write: the write needs no second
reading and checking of the bundle, and memory stays bounded by one chunk."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from typing import IO

from service.imports.checks import Parsed


class Spill:
    """Chunks of checked rows by file, in an unnamed temporary file each (gone when closed)."""

    def __init__(self) -> None:
        self._files: dict[str, IO[bytes]] = {}

    def add(self, name: str, rows: list[Parsed]) -> None:
        if not rows:
            return
        if name not in self._files:
            self._files[name] = tempfile.TemporaryFile(prefix="jobmatch-import-")
        pickle.dump(rows, self._files[name], protocol=pickle.HIGHEST_PROTOCOL)

    def chunks(self, name: str) -> Iterator[list[Parsed]]:
        """The file's chunks in the order they were added (none for a file with no rows)."""
        handle = self._files.get(name)
        if handle is None:
            return
        handle.seek(0)
        while True:
            try:
                yield pickle.load(handle)  # our own rows, written by this import a moment ago
            except EOFError:
                return

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()
