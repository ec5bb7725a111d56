"""Importing bundles: all-or-nothing, located problems, idempotent upserts, round trips."""

from __future__ import annotations

import filecmp
import io
import zipfile

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from service.imports.export import export_bundle
from service.imports.service import BundleInvalid, import_bundle
from service.openings.models import Opening
from service.trainees.models import Trainee
from tests.service.imports.bundles import FILES, write_bundle


def count(engine, table) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def test_a_good_bundle_imports_every_file(db, reference, tmp_path):
    report = import_bundle(engine=db, reference=reference, path=write_bundle(tmp_path / "b"))
    assert {name: c.inserted + c.updated for name, c in report.files.items()} == {
        "employers.csv": 2, "trainees.csv": 2, "openings.csv": 2, "placements.csv": 1, "followups.csv": 3,
        "market_signals.csv": 3}
    # the placement's schedule (1 and 3 months: it ended before 6) is already met by the file's follow-ups
    from service.followups.models import Followup
    assert count(db, Followup) == 3
    with Session(db) as session:
        trainee = session.exec(select(Trainee).where(Trainee.external_id == "TR-1")).one()
        opening = session.exec(select(Opening).where(Opening.external_id == "OP-2")).one()
    assert trainee.skills[0] == {"label": "Tailoring", "level": 2, "skill": "machine_stitching"}
    assert trainee.excluded_districts == ["Malda"] and trainee.lat is not None
    assert opening.occupation_code == "retail_sales_associate" and opening.closes_on is None
    assert any("xyzzy plumbing" in warning["reason"] for warning in report.warnings)


def test_one_bad_row_anywhere_writes_nothing_and_every_problem_is_located(db, reference, tmp_path):
    bad_trainees = FILES["trainees.csv"].replace("Kolkata,,,Tailoring:2", "Kolkata,,,Tailoring:5") \
                                        .replace("0.8,9800", "1.8,9800")
    bad_openings = FILES["openings.csv"].replace("OP-2,EM-2", "OP-2,EM-404").replace("12000,2,day", "12000,2,dusk")
    bad_followups = FILES["followups.csv"] + "PL-1,2,2025-08-01,maybe,,,false\n"
    path = write_bundle(tmp_path / "bad", trainees_csv=bad_trainees, openings_csv=bad_openings,
                        followups_csv=bad_followups)
    with pytest.raises(BundleInvalid) as caught:
        import_bundle(engine=db, reference=reference, path=path)
    problems = {(e["file"], e["line"], e["column"]) for e in caught.value.errors}
    assert problems == {
        ("trainees.csv", 2, "skills"), ("trainees.csv", 3, "attendance_rate"),
        ("openings.csv", 2, "shift"), ("openings.csv", 3, "employer_external_id"),
        ("followups.csv", 5, "employed"),
    }
    assert all(e["reason"] for e in caught.value.errors)
    assert count(db, Trainee) == 0 and count(db, Opening) == 0  # nothing half-landed
    fixed = import_bundle(engine=db, reference=reference, path=write_bundle(tmp_path / "fixed"))
    assert fixed.files["trainees.csv"].inserted == 2


def test_missing_required_column_and_duplicate_keys(db, reference, tmp_path):
    no_status = FILES["trainees.csv"].replace(",status,", ",state,")
    dup = FILES["employers.csv"] + "EM-1,Other,apparel,Howrah,,,true,2026-05-01\n"
    with pytest.raises(BundleInvalid) as caught:
        import_bundle(engine=db, reference=reference,
                      path=write_bundle(tmp_path / "b", trainees_csv=no_status, employers_csv=dup))
    located = {(e["file"], e["line"], e["column"]) for e in caught.value.errors}
    assert ("trainees.csv", 1, "status") in located
    assert ("employers.csv", 4, "external_id") in located


def test_a_failing_bundle_leaves_earlier_data_untouched(db, reference, tmp_path):
    import_bundle(engine=db, reference=reference, path=write_bundle(tmp_path / "first"))
    changed = FILES["trainees.csv"].replace("2026-A", "2026-Z").replace("Jalpaiguri,26.52", "Atlantis,26.52")
    with pytest.raises(BundleInvalid):
        import_bundle(engine=db, reference=reference, path=write_bundle(tmp_path / "second", trainees_csv=changed))
    with Session(db) as session:
        assert session.exec(select(Trainee.cohort).where(Trainee.external_id == "TR-1")).one() == "2026-A"


def test_importing_twice_changes_nothing_and_export_round_trips(db, reference, tmp_path):
    source = write_bundle(tmp_path / "b")
    import_bundle(engine=db, reference=reference, path=source)
    with Session(db) as session:
        stamps = dict(session.exec(select(Trainee.external_id, Trainee.updated_at)).all())
    again = import_bundle(engine=db, reference=reference, path=source)
    assert all(c.inserted == 0 and c.updated == 0 and c.unchanged == c.rows for c in again.files.values())
    with Session(db) as session:
        assert dict(session.exec(select(Trainee.external_id, Trainee.updated_at)).all()) == stamps
    export_bundle(engine=db, path=tmp_path / "out1")
    third = import_bundle(engine=db, reference=reference, path=tmp_path / "out1")
    assert all(c.updated == 0 and c.inserted == 0 for c in third.files.values()), third.files
    export_bundle(engine=db, path=tmp_path / "out2")
    names = sorted(p.name for p in (tmp_path / "out1").iterdir())
    assert filecmp.cmpfiles(tmp_path / "out1", tmp_path / "out2", names, shallow=False)[0] == names


def test_changed_rows_update_and_absent_columns_are_kept(db, reference, tmp_path):
    import_bundle(engine=db, reference=reference, path=write_bundle(tmp_path / "b"))
    slim = "external_id,partner_org,status,district\nTR-1,kolkata_metro,placed,Kolkata\n"
    report = import_bundle(engine=db, reference=reference,
                           path=write_bundle(tmp_path / "slim", **{**{name.replace(".", "_"): None for name in FILES},
                                                                   "trainees_csv": slim}))
    assert report.files["trainees.csv"].updated == 1
    with Session(db) as session:
        trainee = session.exec(select(Trainee).where(Trainee.external_id == "TR-1")).one()
    assert trainee.status == "placed" and trainee.version == 2
    assert trainee.is_survivor is True and trainee.expected_wage_inr == 10500  # not in the file: untouched


def test_dry_run_counts_but_writes_nothing(db, reference, tmp_path):
    report = import_bundle(engine=db, reference=reference, path=write_bundle(tmp_path / "b"), dry_run=True)
    assert report.dry_run and report.files["trainees.csv"].inserted == 2
    assert count(db, Trainee) == 0


def test_references_may_point_at_stored_rows(db, reference, tmp_path):
    import_bundle(engine=db, reference=reference, path=write_bundle(tmp_path / "a", trainees_csv=None,
                                                                    openings_csv=None, placements_csv=None,
                                                                    followups_csv=None))
    only_openings = {name.replace(".", "_"): None for name in FILES if name != "openings.csv"}
    report = import_bundle(engine=db, reference=reference, path=write_bundle(tmp_path / "o", **only_openings))
    assert report.files == {"openings.csv": report.files["openings.csv"]}
    assert report.files["openings.csv"].inserted == 2


def _zip(folder) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in sorted(folder.iterdir()):
            archive.write(item, f"bundle/{item.name}")
    return buffer.getvalue()


def test_upload_a_zip_over_the_api(client, admin_headers, tmp_path):
    payload = _zip(write_bundle(tmp_path / "b"))
    dry = client.post("/v1/imports?dry_run=true", files={"file": ("bundle.zip", payload, "application/zip")},
                      headers=admin_headers)
    assert dry.status_code == 200 and dry.json()["dry_run"] is True
    assert client.get("/v1/trainees", headers=admin_headers).json()["count"] == 0
    done = client.post("/v1/imports", files={"file": ("bundle.zip", payload, "application/zip")},
                       headers=admin_headers)
    assert done.status_code == 200 and done.json()["files"]["trainees.csv"]["inserted"] == 2
    assert client.get("/v1/trainees", headers=admin_headers).json()["count"] == 2


def test_a_bad_zip_answers_422_problem_json_with_every_problem(client, admin_headers, tmp_path):
    bad = FILES["openings.csv"].replace("12000,2,day", "twelve,2,day")
    payload = _zip(write_bundle(tmp_path / "b", openings_csv=bad))
    response = client.post("/v1/imports", files={"file": ("bundle.zip", payload, "application/zip")},
                           headers=admin_headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [{"file": "openings.csv", "line": 2, "column": "monthly_wage_inr",
                                          "reason": "'twelve' is not a whole number"}]
    not_zip = client.post("/v1/imports", files={"file": ("x.zip", b"hello", "application/zip")}, headers=admin_headers)
    assert not_zip.status_code == 422
    assert client.get("/v1/trainees", headers=admin_headers).json()["count"] == 0
