"""`jobmatch nightly --fairness`: the mode is recorded on the run, a one-line summary follows, mistakes are one line."""

from __future__ import annotations

from sqlmodel import Session, select

from service.imports.service import import_bundle
from service.nightly.models import MatchRun
from tests.conftest import REPO
from tests.service.cli.conftest import one_error_line


def test_a_fair_run_from_the_command_line_says_what_fairness_cost(db, database_url, reference, jobmatch):
    import_bundle(engine=db, reference=reference, path=REPO / "data" / "demo")
    result = jobmatch(database_url, "nightly", "--as-of", "2026-11-01", "--fairness", "maxmin",
                      "--fairness-by", "district")
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stderr.splitlines() if line.startswith("fairness:"))
    assert "of job-ready women proposed against" in line and "overall" in line
    assert "maxmin floors by district cost" in line and "expected lasting placements" in line
    with Session(db) as session:
        assert session.exec(select(MatchRun.fairness).where(MatchRun.site == "west_bengal")).all() == ["maxmin"]


def test_a_plain_run_still_prints_the_fairness_line(db, database_url, reference, jobmatch):
    import_bundle(engine=db, reference=reference, path=REPO / "data" / "demo")
    result = jobmatch(database_url, "nightly", "--as-of", "2026-11-01")
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stderr.splitlines() if line.startswith("fairness:"))
    assert "floors" not in line


def test_fairness_mistakes_are_one_line(db, database_url, jobmatch):
    assert "--fairness must be off, proportional or maxmin" in one_error_line(
        jobmatch(database_url, "nightly", "--fairness", "equal"))
    assert "--fairness-by is_survivor is not a group" in one_error_line(
        jobmatch(database_url, "nightly", "--fairness", "proportional", "--fairness-by", "is_survivor"))
    assert "maxmin balances one dimension" in one_error_line(
        jobmatch(database_url, "nightly", "--fairness", "maxmin", "--fairness-by", "district",
                 "--fairness-by", "partner_org"))
