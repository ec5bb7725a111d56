"""A bundle that is not UTF-8, has a cell over the size limit, a control character or a date no programme can
mean is refused with file:line:column problems (API and CLI), never a 500, and nothing is written."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from service.imports.service import BundleInvalid, import_bundle
from service.trainees.models import Trainee
from tests.conftest import REPO
from tests.service.imports.bundles import FILES, write_bundle

TRAINEES = FILES["trainees.csv"]


def bad_bundles() -> dict[str, tuple[bytes, tuple[int, str]]]:
    """trainees.csv variants, and the (line, column) each must be reported at."""
    header, first, second = TRAINEES.strip().split("\n")
    return {
        "cp1252": ((header + "\n" + first.replace("2026-A", "Cohort \u00e9t\u00e9") + "\n" + second + "\n")
                   .encode("cp1252"), (2, "")),
        "invalid utf-8": ((header + "\n" + first + "\n").encode() + b"TR-3,kolkata_metro,\xff\xfe,job_ready\n",
                          (3, "")),
        "cell over 1 MB": ((header + "\n" + first + "\n" + second.replace("2026-B", "x" * 1_100_000) + "\n")
                           .encode(), (3, "")),
        "NUL in a cell": ((header + "\n" + first.replace("2026-A", "2026\x00A") + "\n").encode(), (2, "cohort")),
        "far date": ((header + "\n" + first.replace("2026-10-01", "9999-06-01") + "\n").encode(),
                     (2, "available_from")),
        "huge number": ((header + "\n" + first.replace(",60,", ",99999999999999999999,") + "\n").encode(),
                        (2, "max_commute_minutes")),
    }


def count(db) -> int:
    with Session(db) as session:
        return session.execute(select(func.count()).select_from(Trainee)).scalar_one()


@pytest.mark.parametrize("case", sorted(bad_bundles()))
def test_unreadable_text_is_a_located_problem(db, reference, tmp_path, case):
    content, (line, column) = bad_bundles()[case]
    folder = write_bundle(tmp_path / "b")
    (folder / "trainees.csv").write_bytes(content)
    with pytest.raises(BundleInvalid) as caught:
        import_bundle(engine=db, reference=reference, path=folder)
    located = [(e["file"], e["line"], e["column"]) for e in caught.value.errors]
    assert ("trainees.csv", line, column) in located, caught.value.errors
    assert count(db) == 0


def test_the_api_answers_422_with_the_located_problem(client, admin_headers):
    content, _ = bad_bundles()["cp1252"]
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as archive:
        archive.writestr("trainees.csv", content)
    response = client.post("/v1/imports", files={"file": ("bundle.zip", payload.getvalue(), "application/zip")},
                           headers=admin_headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["file"] == "trainees.csv" and "UTF-8" in response.json()["errors"][0]["reason"]


def test_the_cli_prints_file_line_column(db, database_url, tmp_path):
    content, _ = bad_bundles()["invalid utf-8"]
    folder = write_bundle(tmp_path / "b", employers_csv=None, openings_csv=None, placements_csv=None,
                          followups_csv=None, market_signals_csv=None)
    (folder / "trainees.csv").write_bytes(content)
    env = {**os.environ, "JOBMATCH_DATABASE_URL": database_url, "JOBMATCH_LOG_FORMAT": "text"}
    result = subprocess.run([sys.executable, "-m", "service", "import", str(folder)], capture_output=True, text=True,
                            env=env, cwd=REPO, timeout=300)
    assert result.returncode == 1
    assert "trainees.csv:3:: not UTF-8 text" in result.stderr
    assert "Traceback" not in result.stderr
    assert count(db) == 0
