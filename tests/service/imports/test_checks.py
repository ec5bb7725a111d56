"""Checking a bundle in chunks, column by column: the same rows, values and located problems whatever the chunk
size, with line numbers that count the header and the lines a quoted cell spans."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from service.audit.models import AuditEvent
from service.imports.service import BundleInvalid, import_bundle
from service.openings.models import Opening
from service.trainees.models import Trainee
from tests.service.imports.bundles import FILES, write_bundle

HEADER, FIRST, SECOND = FILES["trainees.csv"].strip().split("\n")
# Her skills cell spans two lines (line breaks separate skills): the row after it starts on line 4.
SPANNING = FIRST.replace("Tailoring:2;POS billing:1", '"Tailoring:2\nPOS billing:1"')


def problems(db, reference, path, chunk_rows: int) -> list[tuple[str, int, str, str]]:
    with pytest.raises(BundleInvalid) as caught:
        import_bundle(engine=db, reference=reference, path=path, chunk_rows=chunk_rows)
    return [(e["file"], e["line"], e["column"], e["reason"]) for e in caught.value.errors]


def test_a_row_after_a_quoted_line_break_is_reported_on_its_own_line(db, reference, tmp_path):
    trainees = "\n".join([HEADER, SPANNING, SECOND.replace("0.8,9800", "1.8,9800"),
                          SECOND.replace("TR-2", "TR-3").replace("Jalpaiguri", "Atlantis")]) + "\n"
    found = problems(db, reference, write_bundle(tmp_path / "b", trainees_csv=trainees), chunk_rows=2_000)
    assert [(file, line, column) for file, line, column, _ in found] == [
        ("trainees.csv", 4, "attendance_rate"), ("trainees.csv", 5, "district")]
    assert "less than or equal to 1" in found[0][3] and "unknown district 'Atlantis'" in found[1][3]


def test_the_chunk_size_changes_no_answer(db, reference, tmp_path):
    trainees = "\n".join([HEADER, SPANNING, SECOND.replace("0.8,9800", "1.8,9800"),
                          SECOND.replace("TR-2", "TR-3").replace(",no,no,no,", ",no,perhaps,no,"),
                          SECOND.replace("TR-2", "TR-1"),  # a duplicate key across chunks
                          SECOND.replace("TR-2", "TR-4").replace("silai:1", "silai:7")]) + "\n"
    openings = FILES["openings.csv"].replace("12000,2,day", "12000,2,dusk")
    path = write_bundle(tmp_path / "b", trainees_csv=trainees, openings_csv=openings)
    one_by_one = problems(db, reference, path, chunk_rows=1)
    assert one_by_one == problems(db, reference, path, chunk_rows=2_000)
    assert [(line, column) for file, line, column, _ in one_by_one if file == "trainees.csv"] == [
        (4, "attendance_rate"), (5, "night_shift_ok"), (6, "external_id"), (7, "skills")]
    assert ("openings.csv", 2, "shift") in {(file, line, column) for file, line, column, _ in one_by_one}


def test_rows_stored_are_the_same_whatever_the_chunk_size(db, reference, tmp_path):
    import_bundle(engine=db, reference=reference, path=write_bundle(tmp_path / "b", trainees_csv="\n".join(
        [HEADER, SPANNING, SECOND]) + "\n"), chunk_rows=1)
    with Session(db) as session:
        trainees = {t.external_id: t for t in session.exec(select(Trainee)).scalars()}
        opening = session.exec(select(Opening).where(Opening.external_id == "OP-2")).scalars().one()
    assert trainees["TR-1"].skills == [{"label": "Tailoring", "level": 2, "skill": "machine_stitching"},
                                       {"label": "POS billing", "level": 1, "skill": "pos_billing"}]
    assert trainees["TR-2"].willing_to_relocate is False and trainees["TR-2"].max_commute_minutes == 45
    assert trainees["TR-1"].lat is not None and trainees["TR-2"].lat == 26.52
    assert opening.sector == "retail" and opening.positions == 1 and opening.status == "open"


def test_a_reimport_moves_only_the_rows_that_changed(db, reference, tmp_path):
    import_bundle(engine=db, reference=reference, path=write_bundle(tmp_path / "a"))

    def versions_and_events() -> tuple[dict[str, int], int]:
        with Session(db) as session:
            versions = dict(session.execute(select(Trainee.external_id, Trainee.version)).all())
            events = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        return versions, events

    before, events_before = versions_and_events()
    again = import_bundle(engine=db, reference=reference, path=write_bundle(tmp_path / "same"))
    assert all(counts.unchanged == counts.rows for counts in again.files.values())
    assert versions_and_events() == (before, events_before)  # nothing written, nothing audited
    changed = FILES["trainees.csv"].replace("2026-B", "2026-C")
    report = import_bundle(engine=db, reference=reference, path=write_bundle(tmp_path / "one", trainees_csv=changed))
    assert (report.files["trainees.csv"].updated, report.files["trainees.csv"].unchanged) == (1, 1)
    after, events_after = versions_and_events()
    assert after == {"TR-1": before["TR-1"], "TR-2": before["TR-2"] + 1}
    assert events_after == events_before + 1  # one audit event, for her record
