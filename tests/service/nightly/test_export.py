"""`--export DIR` is all or nothing: a crash or kill -9 while writing leaves the previous export complete."""

from __future__ import annotations

import datetime
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import insert
from sqlmodel import Session

from service.nightly import run as nightly
from service.nightly import sheets
from service.nightly.models import MatchRun, Proposal
from tests.conftest import REPO


def make_run(db, score: float) -> int:
    """A complete run with 30 trainees' proposals and alternatives; scores tell runs apart."""
    with Session(db) as session:
        match_run = MatchRun(site="west_bengal", as_of=datetime.date(2026, 11, 1), status="complete")
        session.add(match_run)
        session.commit()
        rows = [{"run_id": match_run.id, "trainee_external_id": f"TR-{t:03d}", "opening_external_id": f"OP-{o}",
                 "partner_org": "p", "kind": "proposal" if o == 0 else "alternative", "score": score,
                 "rank_in_her_list": o + 1, "alternative_rank": None if o == 0 else o, "reasons": [],
                 "status": "proposed"} for t in range(30) for o in range(4)]
        session.execute(insert(Proposal.__table__), rows)
        session.commit()
        return match_run.id


def snapshot(folder):
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_an_error_while_writing_leaves_the_previous_export_intact(db, tmp_path, monkeypatch):
    target = tmp_path / "export"
    nightly.export(db=db, run_id=make_run(db, 0.25), directory=target)
    before = snapshot(target)
    assert len(before["alternatives.csv"].splitlines()) == 1 + 90

    real_writer = sheets.csv.writer

    def failing_writer(handle, **kwargs):
        writer = real_writer(handle, **kwargs)

        class Failing:
            rows = 0

            def writerow(self, row):
                self.rows += 1
                if handle.name.endswith("alternatives.csv") and self.rows > 40:
                    raise OSError("disk full")
                return writer.writerow(row)

        return Failing()

    monkeypatch.setattr(sheets.csv, "writer", failing_writer)
    with pytest.raises(OSError):
        nightly.export(db=db, run_id=make_run(db, 0.75), directory=target)
    assert snapshot(target) == before
    assert [path.name for path in tmp_path.iterdir()] == ["export"]  # the partial folder is gone too


def test_kill_9_while_writing_leaves_the_previous_export_intact(db, database_url, tmp_path):
    target = tmp_path / "export"
    nightly.export(db=db, run_id=make_run(db, 0.25), directory=target)
    before = snapshot(target)
    new_run = make_run(db, 0.75)
    # The child writes part of alternatives.csv, flushes it, and is killed (SIGKILL) mid-file.
    script = textwrap.dedent(f"""
        import csv, os, signal
        from pathlib import Path
        from service.core.db import make_engine
        from service.nightly import run as nightly
        from service.nightly import sheets
        real = csv.writer
        def writer(handle, **kwargs):
            inner = real(handle, **kwargs)
            class Killing:
                rows = 0
                def writerow(self, row):
                    self.rows += 1
                    if handle.name.endswith("alternatives.csv") and self.rows > 40:
                        handle.flush()
                        os.kill(os.getpid(), signal.SIGKILL)
                    return inner.writerow(row)
            return Killing()
        sheets.csv.writer = writer
        nightly.export(db=make_engine({database_url!r}), run_id={new_run}, directory=Path({str(target)!r}))
    """)
    process = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, timeout=120)
    assert process.returncode == -9, process.stderr.decode()[-2000:]
    assert snapshot(target) == before
    leftovers = [path for path in tmp_path.iterdir() if path.name != "export"]
    assert leftovers and (leftovers[0] / "proposals.csv").exists()  # the killed export's partial folder
    nightly.export(db=db, run_id=new_run, directory=target)  # the next export clears it and lands whole
    assert [path.name for path in tmp_path.iterdir()] == ["export"]
    after = snapshot(target)
    assert after != before and len(after["alternatives.csv"].splitlines()) == 1 + 90
    assert b",0.750," in after["proposals.csv"]
