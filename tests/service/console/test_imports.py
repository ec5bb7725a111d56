"""The Imports screen: a bundle checked or imported through the import service, all or nothing, every problem
listed by file, line and column; the upload caps are the API's."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from sqlalchemy import text

from tests.service.console.conftest import ConsoleWorld, csrf_of
from tests.service.console.test_pages import text_of
from tests.service.imports.bundles import FILES

pytestmark = pytest.mark.db
HX = {"HX-Request": "true"}
TRAINEES = FILES["trainees.csv"].splitlines()[0] + "\n" + \
    "kolkata_metro:TR-10,kolkata_metro,2026-C,job_ready,Kolkata,,,Tailoring:2,bn,secondary,apparel,60,false,false,false,0.9,10500," \
    ",,2026-10-01,false\n"
BAD_TRAINEES = TRAINEES + \
    "kolkata_metro:TR-11,kolkata_metro,2026-C,dreaming,Kolkata,,,Tailoring:2,bn,secondary,apparel,60,false,false,false,0.9,10500," \
    ",,2026-10-01,false\n" + \
    "kolkata_metro:TR-12,kolkata_metro,2026-C,job_ready,Atlantis,,,Tailoring:2,bn,secondary,apparel,60,false,false,false,0.9,10500," \
    ",,2026-10-01,false\n"


def bundle(**files: str) -> bytes:
    """A .zip of these CSV files (`trainees_csv=...`)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name.replace("_csv", ".csv"), content)
    return buffer.getvalue()


def counts(console: ConsoleWorld) -> dict[str, int]:
    with console.engine.connect() as connection:
        return {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("trainee", "employer", "opening", "placement", "followup", "audit_event")}


def upload(console: ConsoleWorld, role: str, content: bytes, mode: str, headers: dict | None = None,
           name: str = "bundle.zip"):
    client = console.signed_in(role)
    return client.post("/console/imports", headers=headers or {},
                       data={"mode": mode, "csrf_token": csrf_of(client, "/console/imports")},
                       files={"file": (name, content, "application/zip")})


def test_a_bad_bundle_lists_every_problem_by_file_line_and_column_and_writes_nothing(console: ConsoleWorld):
    before = counts(console)
    for mode in ("dry_run", "import"):
        refused = upload(console, "coordinator", bundle(trainees_csv=BAD_TRAINEES), mode)
        assert refused.status_code == 422
        page = text_of(refused.text)
        assert "The bundle has 2 problem(s); nothing was written." in page and "(bundle.zip)" in page
        rows = [text_of(row).strip() for row in refused.text.split("<tr>")[2:]]
        assert rows[0].startswith("trainees.csv 3 status ") and "dreaming" in rows[0]
        assert rows[1].startswith("trainees.csv 4 district ") and "Atlantis" in rows[1]
    assert counts(console) == before


def test_a_dry_run_checks_a_clean_bundle_and_writes_nothing(console: ConsoleWorld):
    before = counts(console)
    checked = upload(console, "coordinator", bundle(trainees_csv=TRAINEES), "dry_run", headers=HX)
    assert checked.status_code == 200 and checked.text.lstrip().startswith('<section id="import-result"')
    page = text_of(checked.text)
    assert "bundle.zip has no problem. Nothing was written" in page and "trainees.csv 1 1 0 0" in page
    assert counts(console) == before


def test_a_clean_bundle_imports_and_says_what_it_wrote(console: ConsoleWorld):
    imported = upload(console, "admin", bundle(**{f"{name.replace('.csv', '')}_csv": content
                                                 for name, content in FILES.items()}), "import")
    assert imported.status_code == 200
    page = text_of(imported.text)
    assert "bundle.zip was imported." in page
    assert "trainees.csv 2 2 0 0" in page and "employers.csv 2 0 2 0" in page and "followups.csv 3 3 0 0" in page
    assert "Warnings (" in page  # labels kept as typed are reported, not refused
    found = console.client().get("/v1/trainees/TR-2", headers=console.admin_headers)
    assert found.status_code == 200 and found.json()["partner_org"] == "north_bengal"


def test_a_coordinator_imports_only_her_partners_trainees(console: ConsoleWorld):
    other = TRAINEES.replace("kolkata_metro:TR-10,kolkata_metro", "TR-13,north_bengal")
    refused = upload(console, "coordinator", bundle(trainees_csv=other), "import")
    assert refused.status_code == 422 and "trainees.csv 2 partner_org" in text_of(refused.text)


def test_what_is_not_a_bundle_is_refused_in_words(console: ConsoleWorld):
    not_zip = upload(console, "coordinator", b"external_id\nTR-1\n", "import", name="trainees.csv")
    assert not_zip.status_code == 422 and "Upload the bundle as a .zip of its CSV files." in text_of(not_zip.text)
    client = console.signed_in("coordinator")
    no_file = client.post("/console/imports", data={"mode": "import", "csrf_token": csrf_of(client)})
    assert no_file.status_code == 422 and "Choose a .zip bundle to upload first." in text_of(no_file.text)
    assert client.post("/console/imports", files={"file": ("b.zip", bundle(trainees_csv=TRAINEES))},
                       data={"mode": "import"}).status_code == 403  # no CSRF token


def test_the_upload_takes_the_apis_upload_cap_not_the_form_cap(console: ConsoleWorld):
    settings = console.app.state.settings
    assert "At most 200 MB, expanding to at most 1,000 MB." in text_of(
        console.signed_in("coordinator").get("/console/imports").text)
    padding = os.urandom(settings.max_body_bytes + 1000)  # beyond any other form's cap
    big = upload(console, "coordinator", bundle(trainees_csv=TRAINEES, notes_bin=padding.hex()[:len(padding)]),
                 "dry_run")
    assert big.status_code == 200 and "not a file of the bundle contract; ignored" in text_of(big.text)
    client = console.signed_in("coordinator")
    capped = client.post("/console/followups/PL-own/12", data={"csrf_token": csrf_of(client), "note": "x" * (
        settings.max_body_bytes + 1)})
    assert capped.status_code == 413


def test_refused_imports_are_kept_and_shown_on_today_without_cell_text(console: ConsoleWorld):
    named = BAD_TRAINEES.replace(",dreaming,", ",Rupa Sen,")  # what a careless cell might hold
    assert upload(console, "coordinator", bundle(trainees_csv=named), "import").status_code == 422
    assert upload(console, "coordinator", b"not a zip", "dry_run", name="trainees.csv").status_code == 422
    today = text_of(console.signed_in("coordinator").get("/console/").text)
    assert "imports were refused in the last 7 days; nothing of them was written." in today
    assert "The bundle has 2 problem(s); nothing was written." in today
    assert "First problem: trainees.csv, line 3, column status:" in today and "Rupa Sen" not in today
    assert "Upload the bundle as a .zip of its CSV files." in today
    assert "in the last 7 days" in text_of(console.signed_in("admin").get("/console/").text)
    other = text_of(console.signed_in("other_coordinator").get("/console/").text)
    assert "No import was refused in the last 7 days." in other  # another partner's attempts are not hers
    kept = console.client().get("/v1/imports?outcome=refused", headers=console.admin_headers).json()
    assert kept["count"] >= 2 and all(attempt["partner_org"] == "kolkata_metro" for attempt in kept["data"])
    with console.engine.connect() as connection:
        stored = " ".join(str(row) for row in connection.execute(text("SELECT * FROM import_attempt")))
    assert "Rupa Sen" not in stored  # only where the problem was and its kind, never what the cell held
