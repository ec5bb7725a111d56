"""Every mistake a person can make on the command line ends in one plain line saying what is wrong and what to do
next, with a non-zero exit status, never a traceback."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import zipfile

import pytest
from sqlalchemy import text

from tests.conftest import REPO
from tests.service.cli.conftest import one_error_line
from tests.service.imports.bundles import FILES, write_bundle

CLOSED_PORT_URL = "postgresql+psycopg://postgres@127.0.0.1:1/jobmatch"  # nothing listens on port 1


def _rows(db, table: str) -> int:
    with db.connect() as connection:
        return connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


# -- the bundle path ------------------------------------------------------------------------------------------------

def test_a_missing_path_is_named(db, database_url, jobmatch, tmp_path):
    line = one_error_line(jobmatch(database_url, "import", str(tmp_path / "no-such-bundle")))
    assert "no-such-bundle does not exist" in line and "folder or .zip" in line


def test_a_single_csv_is_not_a_bundle_and_the_line_says_what_to_do(db, database_url, jobmatch, tmp_path):
    single = tmp_path / "trainees.csv"
    single.write_text(FILES["trainees.csv"], encoding="utf-8")
    line = one_error_line(jobmatch(database_url, "import", str(single)))
    assert "is a single CSV file" in line and "put it in a folder and import the folder" in line
    assert _rows(db, "trainee") == 0


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04" + b"\x00" * 40], ids=["text", "truncated"])
def test_a_corrupt_zip_is_refused_in_one_line(db, database_url, jobmatch, tmp_path, content):
    archive = tmp_path / "bundle.zip"
    archive.write_bytes(content)
    line = one_error_line(jobmatch(database_url, "import", str(archive)))
    assert "bundle.zip is not a readable .zip" in line and "make the .zip again" in line


def test_a_damaged_zip_member_is_refused_in_one_line(db, database_url, jobmatch, tmp_path):
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        out.writestr("trainees.csv", FILES["trainees.csv"] * 50)
    data = bytearray(archive.read_bytes())
    data[60:90] = b"\xff" * 30  # inside the compressed stream: the headers still read, the content does not
    archive.write_bytes(bytes(data))
    line = one_error_line(jobmatch(database_url, "import", str(archive)))
    assert "damaged" in line
    assert _rows(db, "trainee") == 0


def test_an_empty_folder_imports_nothing_and_says_so(db, database_url, jobmatch, tmp_path):
    (tmp_path / "empty").mkdir()
    line = one_error_line(jobmatch(database_url, "import", str(tmp_path / "empty")))
    assert "empty has no bundle file (it is empty)" in line and "trainees.csv, employers.csv" in line


def test_files_with_headers_only_import_nothing_and_fail(db, database_url, jobmatch, tmp_path):
    folder = tmp_path / "headers"
    folder.mkdir()
    (folder / "trainees.csv").write_text(FILES["trainees.csv"].splitlines()[0] + "\n", encoding="utf-8")
    line = one_error_line(jobmatch(database_url, "import", str(folder)))
    assert "nothing imported" in line and "no rows" in line


def test_wrong_file_names_get_the_expected_names(db, database_url, jobmatch, tmp_path):
    folder = tmp_path / "wrong"
    folder.mkdir()
    (folder / "Trainees.CSV").write_text(FILES["trainees.csv"], encoding="utf-8")
    (folder / "openings.xlsx").write_bytes(b"PK not really a workbook")
    (folder / "notes.txt").write_text("who sent this", encoding="utf-8")
    result = jobmatch(database_url, "import", str(folder))
    line = one_error_line(result)
    assert "2 problem(s); nothing was written" in line
    assert "Trainees.CSV:0:: not a bundle file name; did you mean trainees.csv?" in result.stderr
    assert "openings.xlsx:0:: not a bundle file: save it as UTF-8 CSV named openings.csv" in result.stderr
    assert "notes.txt" not in result.stderr  # an unrelated file is only a warning
    assert _rows(db, "trainee") == 0


def test_an_unrelated_file_alone_is_no_bundle(db, database_url, jobmatch, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "notes.txt").write_text("who sent this", encoding="utf-8")
    line = one_error_line(jobmatch(database_url, "import", str(folder)))
    assert "has no bundle file (it holds notes.txt)" in line
    write_bundle(tmp_path / "exports" / "bundle-2026")
    line = one_error_line(jobmatch(database_url, "import", str(tmp_path / "exports")))
    assert "exports has no bundle file (it holds bundle-2026/)" in line


def test_near_miss_column_names_get_did_you_mean(db, database_url, jobmatch, tmp_path):
    trainees = FILES["trainees.csv"].replace("external_id,partner_org", "External ID,partner_org", 1)
    trainees = trainees.replace(",skills,", ",skils,", 1)
    result = jobmatch(database_url, "import", str(write_bundle(tmp_path / "b", trainees_csv=trainees)))
    one_error_line(result)
    assert "trainees.csv:1:External ID: unknown column; did you mean 'external_id'?" in result.stderr
    assert "trainees.csv:1:skils: unknown column; did you mean 'skills'?" in result.stderr
    assert "external_id: required column is missing" not in result.stderr  # the near miss already says it


# -- the database ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["nightly"], ["keys", "list"], ["train"], ["import", "."]])
def test_a_database_never_set_up_names_the_setup_command_and_is_not_created(jobmatch, tmp_path, command):
    path = tmp_path / "var" / "never.db"
    line = one_error_line(jobmatch(f"sqlite:///{path}", *command))
    assert f"there is no database at {path} yet" in line and "jobmatch setup" in line and "jobmatch db upgrade" in line
    assert not path.exists() and not path.parent.exists()


def test_an_empty_database_file_is_not_set_up(jobmatch, tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    line = one_error_line(jobmatch(f"sqlite:///{path}", "keys", "list"))
    assert "is not set up: run `jobmatch setup`" in line
    assert path.stat().st_size == 0


def test_an_unreachable_database_is_one_line(jobmatch):
    line = one_error_line(jobmatch(CLOSED_PORT_URL, "keys", "list"))
    assert "cannot use the database at postgresql+psycopg://postgres@127.0.0.1:1/jobmatch" in line
    assert "check JOBMATCH_DATABASE_URL" in line
    upgrade = one_error_line(jobmatch(CLOSED_PORT_URL, "db", "upgrade"))
    assert "cannot use the database" in upgrade


def test_a_password_in_the_database_url_is_never_shown(jobmatch):
    line = one_error_line(jobmatch("postgresql+psycopg://postgres:s3cret-pw@127.0.0.1:1/jobmatch", "keys", "list"))
    assert "s3cret-pw" not in line and "***" in line


def test_a_bad_setting_is_one_line(jobmatch, tmp_path):
    line = one_error_line(jobmatch(f"sqlite:///{tmp_path / 'x.db'}", "keys", "list", JOBMATCH_IMPORT_CHUNK_ROWS="lots"))
    assert "JOBMATCH_IMPORT_CHUNK_ROWS is not valid" in line


def test_a_real_process_prints_no_traceback(tmp_path):
    """Run as a person runs it: a separate process, on a database that was never set up and one that does not
    answer."""
    for url, expected in ((f"sqlite:///{tmp_path / 'never.db'}", "there is no database at"),
                          (CLOSED_PORT_URL, "cannot use the database at")):
        env = {**os.environ, "JOBMATCH_DATABASE_URL": url, "JOBMATCH_LOG_FORMAT": "text"}
        result = subprocess.run([sys.executable, "-m", "service", "nightly"], capture_output=True, text=True, env=env,
                                cwd=REPO, timeout=120)
        assert result.returncode == 1
        assert result.stdout == "" and result.stderr.count("\n") == 1 and expected in result.stderr, result.stderr
    assert not (tmp_path / "never.db").exists()


# -- keys -----------------------------------------------------------------------------------------------------------

def test_keys_for_an_unknown_partner_or_employer_are_refused_with_a_hint(db, database_url, jobmatch, tmp_path):
    assert jobmatch(database_url, "import", str(write_bundle(tmp_path / "b"))).exit_code == 0
    typo = one_error_line(jobmatch(database_url, "keys", "create", "--role", "coordinator", "--partner",
                                   "kolkata_mtero"))
    assert "No trainee belongs to partner 'kolkata_mtero'; did you mean kolkata_metro?" in typo
    assert "known partners: kolkata_metro, north_bengal" in typo
    employer = one_error_line(jobmatch(database_url, "keys", "create", "--role", "employer", "--employer",
                                       "EM-99999"))
    assert "No employer 'EM-99999'" in employer
    assert _rows(db, "api_key") == 0


# -- the unexpected -------------------------------------------------------------------------------------------------

def test_an_unexpected_error_is_one_line_that_says_how_to_see_more(db, database_url, jobmatch, monkeypatch):
    from service.auth import service as keys

    def broken(**_: object) -> list:
        try:
            raise RuntimeError("something no one planned for")
        except RuntimeError:  # as a failing service does: it logs, then lets the error go on
            logging.getLogger("jobmatch.keys").exception("listing keys failed")
            raise

    monkeypatch.setattr(keys, "list", broken)
    result = jobmatch(database_url, "keys", "list")
    line = one_error_line(result)  # the service's log line stays, without its traceback
    assert line == "error: unexpected error (RuntimeError); run with JOBMATCH_DEBUG=1 (or jobmatch --debug ...) for " \
                   "details"
    assert "listing keys failed" in result.stderr and "something no one planned for" not in result.stderr
    debug = jobmatch(database_url, "--debug", "keys", "list")
    assert debug.exit_code == 1 and "something no one planned for" in debug.stderr and "Traceback" in debug.stderr
    assert "Traceback" in jobmatch(database_url, "keys", "list", JOBMATCH_DEBUG="1").stderr
