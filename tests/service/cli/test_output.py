"""What long commands show: progress with a total known up front, warnings summarised by kind, the full list on
request."""

from __future__ import annotations

import csv
import io

from rich.console import Console

from service.cli_progress import LineProgress
from service.imports.files import BY_NAME
from service.imports.names import FILE_NAMES
from service.imports.service import import_bundle
from tests.service.imports.bundles import FILES, write_bundle

SAMPLE_ROWS = sum(len(text.strip().splitlines()) - 1 for text in FILES.values())  # 13 rows under the headers


class Recorded:
    """A Progress that keeps what the service told it."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, int]] = []
        self.done: dict[str, int] = {}

    def start(self, stage: str, total: int) -> None:
        self.stages.append((stage, total))
        self.done[stage] = 0

    def advance(self, units: int = 1) -> None:
        self.done[self.stages[-1][0]] += units


def _with_unknown_skills(rows: int) -> str:
    """trainees.csv with one unknown skill on every row and an unknown occupation on every other one."""
    header, first, _ = FILES["trainees.csv"].split("\n", 2)
    lines = [header]
    for i in range(rows):
        lines.append(first.replace("TR-1,", f"TR-{i + 1},", 1).replace("POS billing:1", f"basket weaving {i}:1"))
    return "\n".join(lines) + "\n"


def test_the_import_announces_each_stage_with_its_total_first(db, reference, tmp_path):
    progress = Recorded()
    import_bundle(engine=db, reference=reference, path=write_bundle(tmp_path / "b"), progress=progress)
    assert progress.stages == [("checking rows", SAMPLE_ROWS), ("writing rows", SAMPLE_ROWS)]
    assert progress.done == {"checking rows": SAMPLE_ROWS, "writing rows": SAMPLE_ROWS}


def test_plain_progress_lines_carry_the_total_percentage_and_end_at_100(tmp_path):
    stream = io.StringIO()
    progress = LineProgress(Console(file=stream, width=200), "importing", interval=0)
    progress.start("checking rows", 4)
    progress.advance(1)
    progress.advance(3)
    assert stream.getvalue().splitlines() == ["importing: checking rows 0/4 (0%)", "importing: checking rows 1/4 (25%)",
                                              "importing: checking rows 4/4 (100%)"]
    quiet = io.StringIO()
    progress = LineProgress(Console(file=quiet, width=200), "importing")  # at most every 10 seconds, and the end
    progress.start("writing rows", 3000)
    for _ in range(3):
        progress.advance(1000)
    assert quiet.getvalue().splitlines() == ["importing: writing rows 0/3,000 (0%)",
                                             "importing: writing rows 3,000/3,000 (100%)"]
    unknown = io.StringIO()
    progress = LineProgress(Console(file=unknown, width=200), "exporting")  # no total: no percentage, no flood
    progress.start("writing rows", 0)
    for _ in range(3):
        progress.advance(5000)
    assert unknown.getvalue().splitlines() == ["exporting: writing rows"]


def test_the_import_command_summarises_warnings_by_kind(db, database_url, jobmatch, tmp_path):
    bundle = write_bundle(tmp_path / "b", trainees_csv=_with_unknown_skills(40), placements_csv=None,
                          followups_csv=None)
    result = jobmatch(database_url, "import", str(bundle))
    assert result.exit_code == 0, result.output
    assert "importing: checking rows 0/" in result.stderr and "importing: writing rows" in result.stderr
    assert "40 warning(s) of 1 kind(s)" in result.stderr
    assert "40 × trainees.csv:skills: unknown skill '…' kept as typed" in result.stderr
    assert "warning: trainees.csv:" not in result.output  # no line per warning unless asked
    assert "--verbose, or --warnings-file PATH" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("imported: 47 rows from 4 file(s); 47 new")
    assert "trainees.csv\t40\t40\t0\t0" in result.stdout


def test_every_warning_with_verbose_or_in_a_file(db, database_url, jobmatch, tmp_path):
    bundle = write_bundle(tmp_path / "b", trainees_csv=_with_unknown_skills(30), placements_csv=None,
                          followups_csv=None)
    verbose = jobmatch(database_url, "import", "--dry-run", "--verbose", str(bundle))
    assert verbose.exit_code == 0
    listed = [line for line in verbose.stderr.splitlines() if line.startswith("warning: trainees.csv:")]
    assert len(listed) == 30 and listed[0].startswith("warning: trainees.csv:2:skills: unknown skill 'basket weaving 0'")
    target = tmp_path / "out" / "warnings.csv"
    written = jobmatch(database_url, "import", "--dry-run", "--warnings-file", str(target), str(bundle))
    assert written.exit_code == 0 and f"every warning is listed in {target}" in written.stderr
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert len(rows) == 30 and {"file", "line", "column", "reason"} == set(rows[0])
    assert [row["line"] for row in rows] == [str(line) for line in range(2, 32)]


def test_the_names_in_messages_are_the_contracts_files():
    assert set(FILE_NAMES) == set(BY_NAME)
