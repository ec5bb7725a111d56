"""The checked rows of each file, kept on disk between the check and the write: the write needs no second
reading and checking of the bundle, and memory stays bounded by one chunk.

Rows are written as JSON lines (one chunk a line) with the few types a checked row holds besides JSON's own
(dates and times) tagged, so that reading them back executes nothing and gives the same values."""

from __future__ import annotations

import datetime
import json
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from service.imports.checks import Parsed

_TAG = "$"  # a one-key object {"$": [kind, value]} is a tagged value; no checked row holds such a key


def _tagged(value: Any) -> Any:
    """What JSON cannot say itself: called by the encoder for those values only."""
    if isinstance(value, datetime.datetime):  # before date: a datetime is a date too
        return {_TAG: ["datetime", value.isoformat()]}
    if isinstance(value, datetime.date):
        return {_TAG: ["date", value.isoformat()]}
    raise TypeError(f"a checked row holds a {type(value).__name__}, which the import's spill file cannot keep")


def _untagged(value: dict[str, Any]) -> Any:
    if len(value) == 1 and _TAG in value:
        kind, text = value[_TAG]
        return (datetime.datetime if kind == "datetime" else datetime.date).fromisoformat(text)
    return value


class Spill:
    """Chunks of checked rows by file, in an unnamed temporary file each (gone when closed)."""

    def __init__(self) -> None:
        self._files: dict[str, IO[str]] = {}

    def add(self, name: str, rows: list[Parsed]) -> None:
        if not rows:
            return
        if name not in self._files:
            self._files[name] = tempfile.TemporaryFile("w+", encoding="utf-8", prefix="jobmatch-import-")
        chunk = [[row.line, row.key, row.values, row.companions] for row in rows]
        self._files[name].write(json.dumps(chunk, ensure_ascii=False, separators=(",", ":"), default=_tagged) + "\n")

    def chunks(self, name: str) -> Iterator[list[Parsed]]:
        """The file's chunks in the order they were added (none for a file with no rows)."""
        handle = self._files.get(name)
        if handle is None:
            return
        handle.seek(0)
        for text in handle:
            yield [Parsed(line=line, key=tuple(key), values=values, companions=companions)
                   for line, key, values, companions in json.loads(text, object_hook=_untagged)]

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()
