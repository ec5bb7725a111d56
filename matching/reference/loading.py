"""Reading reference data files: errors that name the file and line, CSV rows and JSON objects with line numbers.

Every loader validates its file and raises :class:`ReferenceDataError` (a
``ValueError``) whose message names the file, the line and the problem, one
line per problem, so a bad data file is caught when the service starts.
"""

from __future__ import annotations

import bisect
import csv
import json
import json.decoder
import json.scanner
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["ReferenceDataError", "default_data_dir"]

_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_ZONE_RE = re.compile(r"^[A-Za-z0-9]+$")


def default_data_dir() -> Path:
    """The repository's ``data/`` directory, found relative to this package."""
    return Path(__file__).resolve().parents[2] / "data"


class ReferenceDataError(ValueError):
    """A reference data file is invalid.

    ``problems`` holds ``(path, line, message)`` triples; ``line`` is 1-based, or
    0 when the problem concerns the file as a whole.
    """

    def __init__(self, problems: Iterable[tuple[str, int, str]]):
        self.problems: tuple[tuple[str, int, str], ...] = tuple(problems)
        lines = [f"{path}:{line}: {message}" if line else f"{path}: {message}"
                 for path, line, message in self.problems]
        super().__init__("invalid reference data:\n" + "\n".join(lines) if len(lines) > 1
                         else "invalid reference data: " + (lines[0] if lines else "unknown problem"))


class _Problems:
    """Collects problems found in one file, to report them together."""

    def __init__(self, path: Path | str):
        self.path = str(path)
        self.items: list[tuple[str, int, str]] = []
        #: The line of a CSV file's header row, once read.
        self.header_line = 1

    def add(self, line: int, message: str) -> None:
        self.items.append((self.path, line, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise ReferenceDataError(self.items)


class _LineDict(dict):
    """A JSON object that remembers the line its opening brace is on."""

    line: int = 0


def _load_json_with_lines(path: Path, problems: _Problems) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        problems.add(0, f"cannot read file: {exc}")
        problems.raise_if_any()
        raise AssertionError("unreachable") from exc  # pragma: no cover
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    decoder = json.JSONDecoder()

    def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):
        s, end = s_and_end
        # JSONObject is the json module's own (undocumented) object parser; typeshed leaves it out.
        obj, new_end = json.decoder.JSONObject(s_and_end, strict, scan_once,  # type: ignore[attr-defined]
                                               object_hook, object_pairs_hook, memo)
        result = _LineDict(obj)
        result.line = bisect.bisect_right(line_starts, end - 1)
        return result, new_end

    # The decoder's object parser is swapped for one that records line numbers; typeshed does not declare
    # these internal attributes of json.JSONDecoder.
    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as exc:
        problems.add(exc.lineno, f"not valid JSON: {exc.msg} (column {exc.colno})")
        problems.raise_if_any()
        raise AssertionError("unreachable") from exc  # pragma: no cover


def _line(obj: Any, default: int = 0) -> int:
    return getattr(obj, "line", default)


def _read_csv(path: Path, required: tuple[str, ...], problems: _Problems,
              one_of: tuple[str, ...] = ()) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file as ``(line, row)``; problems with the header or row shape are recorded.

    ``one_of``: alternative names of one column, of which the header must hold exactly one.
    """
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        problems.add(0, f"cannot read file: {exc}")
        problems.raise_if_any()
        raise AssertionError("unreachable") from exc  # pragma: no cover
    rows: list[tuple[int, dict[str, str]]] = []
    with handle:
        reader = csv.reader(handle)
        header: list[str] | None = None
        previous_end = 0
        try:
            for record in reader:
                line = previous_end + 1
                previous_end = reader.line_num
                if not any(cell.strip() for cell in record):
                    continue
                if header is None:
                    header = [h.strip() for h in record]
                    problems.header_line = line
                    missing = [c for c in required if c not in header]
                    if missing:
                        problems.add(line, f"missing column(s): {', '.join(missing)}"
                                           f" (expected {','.join(required)})")
                    if one_of and sum(c in header for c in one_of) != 1:
                        problems.add(line, f"give exactly one of the columns {', '.join(one_of)}")
                    problems.raise_if_any()
                    continue
                if len(record) != len(header):
                    problems.add(line, f"{len(record)} fields, expected {len(header)} ({','.join(header)})")
                    continue
                rows.append((line, {k: v.strip() for k, v in zip(header, record)}))
        except csv.Error as exc:
            problems.add(reader.line_num, f"not valid CSV: {exc}")
    if header is None:
        problems.add(0, "empty file: no header row")
    elif not rows and not problems.items:
        problems.add(0, "no data rows")
    return rows
