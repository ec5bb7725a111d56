"""Opening a bundle (a folder or a .zip of one) and streaming the rows of its files."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING

from service.core.errors import InvalidInput, PayloadTooLarge, Unresolvable
from service.imports.names import EXPECTED

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

MAX_CELL_CHARS = 1_000_000
MAX_LINE_BYTES = 16 * MAX_CELL_CHARS  # a row of several long cells, but never a whole upload in one line
csv.field_size_limit(MAX_CELL_CHARS)
RATIO_FLOOR = 10_000_000  # archives smaller than this once unzipped are never refused for their ratio
EXTRA = "\0extra"  # marks a row with more cells than the header


class UnreadableRow(ValueError):
    """Text that is not UTF-8, or not CSV (a cell over the size limit, a stray quote): the file stops there."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line, self.reason = line, reason


def _decoded_lines(raw: IO[bytes]) -> Iterator[str]:
    """The file's lines as text, decoded line by line so that a byte that is not UTF-8 is reported on its line
    (a text wrapper decodes ahead in blocks and would name the wrong one)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    line = 1
    while True:
        data = raw.readline(MAX_LINE_BYTES + 1)
        if len(data) > MAX_LINE_BYTES:
            raise UnreadableRow(line, f"a line is longer than {MAX_LINE_BYTES} bytes")
        try:
            text = decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise UnreadableRow(line, _unreadable(exc)) from None
        if not data:
            return
        line += data.endswith(b"\n")
        yield text


def _unreadable(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return (f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} cannot be decoded); save the file as "
                "UTF-8 CSV")
    if "field larger than field limit" in str(exc):
        return f"a cell is longer than {MAX_CELL_CHARS} characters"
    return f"not a readable CSV row ({exc})"


@dataclass
class Row:
    line: int
    cells: dict[str, str]


@dataclass
class Chunk:
    """Consecutive rows of one file held by column, for checks on whole columns."""

    lines: list[int]  # the CSV line each row starts on (the header is line 1)
    cells: dict[str, list[str]]  # column -> its cells, in row order (a missing trailing cell is empty)
    extra: dict[int, int]  # row position -> its cell count, for rows with more cells than the header

    def __len__(self) -> int:
        return len(self.lines)


class ArchiveTooLarge(PayloadTooLarge):
    """A .zip that would decompress to more than the caps allow (a zip bomb, or just too big)."""

    title = "Bundle too large"
    slug = "bundle-too-large"


class ArchiveDamaged(InvalidInput):
    title = "Invalid bundle"
    slug = "invalid-bundle"


class NotABundle(Unresolvable):
    """A path that is no bundle: missing, a single file, or a .zip that cannot be opened."""

    title = "Not a bundle"
    slug = "not-a-bundle"


def _not_a_bundle(path: Path) -> NotABundle:
    """What is wrong with the path, and what to give instead."""
    if not path.exists():
        return NotABundle(f"{path} does not exist: give the bundle's folder or .zip ({EXPECTED}).")
    if path.suffix.lower() == ".csv":
        return NotABundle(f"{path} is a single CSV file; a bundle is a folder or .zip of CSV files ({EXPECTED}): "
                          f"put it in a folder and import the folder.")
    if path.suffix.lower() == ".zip":
        return NotABundle(f"{path} is not a readable .zip (damaged or incomplete): make the .zip again, or import "
                          f"the folder it was made from.")
    return NotABundle(f"{path} is neither a folder nor a .zip: give the bundle's folder or .zip ({EXPECTED}).")


@dataclass(frozen=True)
class UnzipLimits:
    """Caps on what a bundle .zip may expand to: total bytes, and decompressed:compressed ratio."""

    max_bytes: int
    max_ratio: int


class _Counted(io.RawIOBase):
    """A zip member's stream that stops at its declared size: headers can lie, so bytes are counted as read."""

    def __init__(self, raw: IO[bytes], name: str, limit: int) -> None:
        self.raw, self.name_in_zip, self.left = raw, name, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self.raw.read(len(view))
        if len(data) > self.left:
            raise ArchiveTooLarge(f"{self.name_in_zip} expands to more than its header declares; nothing was written.")
        self.left -= len(data)
        view[:len(data)] = data
        return len(data)


def _check_sizes(archive: zipfile.ZipFile, limits: UnzipLimits) -> None:
    """Refuse from the headers before anything is extracted."""
    members = [info for info in archive.infolist() if not info.is_dir()]
    total = sum(info.file_size for info in members)
    packed = sum(info.compress_size for info in members)
    if total > limits.max_bytes:
        raise ArchiveTooLarge(f"The bundle expands to {total} bytes; at most {limits.max_bytes} are accepted.")
    if total > RATIO_FLOOR and total > packed * limits.max_ratio:
        raise ArchiveTooLarge(f"The bundle expands {total // max(packed, 1)} times its compressed size; at most "
                              f"{limits.max_ratio} times is accepted.")


class Bundle:
    """The CSV files of a bundle by name, opened on demand so that large files stream."""

    def __init__(self, path: Path, *, limits: UnzipLimits | None = None) -> None:
        self.path = Path(path)
        self.limits = limits
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, str] = {}
        self.ignored: list[str] = []
        if self.path.is_dir():
            for item in sorted(self.path.iterdir()):
                if item.name.startswith(("_", ".")):
                    continue
                if item.is_file():
                    self._members[item.name] = str(item)
                else:
                    self.ignored.append(item.name + "/")
        elif zipfile.is_zipfile(self.path):
            try:
                self._zip = zipfile.ZipFile(self.path)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise _not_a_bundle(self.path) from exc
            if limits is not None:
                _check_sizes(self._zip, limits)
            names = [name for name in self._zip.namelist() if not name.endswith("/")]
            roots = {PurePosixPath(name).parts[0] for name in names if len(PurePosixPath(name).parts) > 1}
            prefix = roots.pop() + "/" if len(roots) == 1 and all("/" in name for name in names) else ""
            for name in sorted(names):
                relative = name[len(prefix):]
                parts = PurePosixPath(relative).parts
                if any(part.startswith(("_", ".")) for part in parts) or parts[0] == "__MACOSX":
                    continue
                if len(parts) == 1:
                    self._members[relative] = name
                else:
                    self.ignored.append(relative)
        else:
            raise _not_a_bundle(self.path)

    def names(self) -> list[str]:
        return list(self._members)

    def __contains__(self, name: str) -> bool:
        return name in self._members

    @contextmanager
    def _open(self, name: str) -> Iterator[Iterator[str]]:
        if self._zip is not None:
            info = self._zip.getinfo(self._members[name])
            try:
                with self._zip.open(info) as raw:
                    stream: IO[bytes] = raw
                    if self.limits is not None:
                        stream = io.BufferedReader(_Counted(raw, name, min(info.file_size, self.limits.max_bytes)))
                    yield _decoded_lines(stream)
            except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
                raise ArchiveDamaged(f"{name} in the .zip is damaged ({exc}); nothing was written.") from exc
        else:
            with open(self._members[name], "rb") as raw:
                yield _decoded_lines(raw)

    @contextmanager
    def rows(self, name: str) -> Iterator[tuple[list[str], Iterator[Row]]]:
        """The header and an iterator of rows (with their first line number; the header is line 1).

        Text that cannot be read raises UnreadableRow with its line, from the header or from the iterator."""
        with self.rows_raw(name) as (header, raw_rows):
            def iterate() -> Iterator[Row]:
                for line, cells in raw_rows:
                    yield Row(line=line, cells=dict(zip(header, cells, strict=False)) if len(cells) <= len(header)
                              else {**dict(zip(header, cells, strict=False)), EXTRA: str(len(cells))})

            yield header, iterate()

    @contextmanager
    def chunks(self, name: str, size: int) -> Iterator[tuple[list[str], Iterator[Chunk]]]:
        """The header and an iterator of chunks of at most `size` rows (memory stays bounded by the chunk);
        unreadable text raises UnreadableRow as `rows` does."""
        with self.rows_raw(name) as (header, raw_rows):
            width = len(header)

            def iterate() -> Iterator[Chunk]:
                lines: list[int] = []
                rows: list[list[str]] = []
                for line, cells in raw_rows:
                    lines.append(line)
                    rows.append(cells)
                    if len(rows) >= size:
                        yield _columns(header, width, lines, rows)
                        lines, rows = [], []
                if rows:
                    yield _columns(header, width, lines, rows)

            yield header, iterate()

    @contextmanager
    def rows_raw(self, name: str) -> Iterator[tuple[list[str], Iterator[tuple[int, list[str]]]]]:
        """The header and an iterator of (first line, cells) of the rows that are not all empty."""
        with self._open(name) as handle:
            reader = csv.reader(handle)
            try:
                header = [cell.strip() for cell in next(reader)]
            except StopIteration:
                header = []
            except (UnicodeDecodeError, csv.Error) as exc:
                raise UnreadableRow(1, _unreadable(exc)) from None

            def iterate() -> Iterator[tuple[int, list[str]]]:
                line = reader.line_num + 1
                while True:
                    try:
                        cells = next(reader)
                    except StopIteration:
                        return
                    except (UnicodeDecodeError, csv.Error) as exc:
                        raise UnreadableRow(max(line, reader.line_num), _unreadable(exc)) from None
                    if any(cells) and any(cell.strip() for cell in cells):
                        yield line, cells
                    line = reader.line_num + 1

            yield header, iterate()

    def count_rows(self, name: str) -> int:
        """The rows of a file, counted as they will be read (blank rows skipped), so progress has its total up
        front; a file that stops being readable counts up to there (the check reports it)."""
        count = 0
        try:
            with self.rows(name) as (_, rows):
                for _ in rows:
                    count += 1
        except (UnreadableRow, ArchiveDamaged, ArchiveTooLarge):
            pass
        return count

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _columns(header: list[str], width: int, lines: list[int], rows: list[list[str]]) -> Chunk:
    """Rows turned into columns: short rows padded with empty cells, long ones noted and cut to the header."""
    extra: dict[int, int] = {}
    if any(len(cells) != width for cells in rows):
        for position, row in enumerate(rows):
            if len(row) > width:
                extra[position] = len(row)
                rows[position] = row[:width]
            elif len(row) < width:
                rows[position] = row + [""] * (width - len(row))
    columns = list(zip(*rows)) if rows else [() for _ in header]
    cells: dict[str, list[str]] = {}
    for name, column in zip(header, columns):
        cells[name] = list(column)  # a name twice: the last one, as a row's cells (the header check reports it)
    return Chunk(lines=lines, cells=cells, extra=extra)
