"""trainees.csv's optional confirmed_journeys column: her confirmed journeys by opening, imported through the write
path (audited, in the change log, all-or-nothing with the rest of the bundle), every bad value located, and
written back by export so that export → import changes nothing."""

from __future__ import annotations

import csv

import pytest
from sqlmodel import Session, select

from service.imports.export import export_bundle
from service.imports.service import BundleInvalid, import_bundle
from service.journeys.models import ConfirmedJourney
from service.trainees.models import Trainee
from tests.service.imports.bundles import FILES, write_bundle

AS_OF = "2026-11-01"


def with_journeys(*cells: str) -> str:
    """The sample trainees.csv with a confirmed_journeys column (one cell per trainee, TR-1 then TR-2)."""
    lines = FILES["trainees.csv"].strip().split("\n")
    return "\n".join([f"{lines[0]},confirmed_journeys",
                      *(f'{line},"{cell}"' for line, cell in zip(lines[1:], cells, strict=True))]) + "\n"


def stored(db) -> dict[tuple[str, str], tuple[int, int]]:
    with Session(db) as session:
        return {(j.trainee_external_id, j.opening_external_id): (j.minutes, j.version)
                for j in session.exec(select(ConfirmedJourney))}


def load(db, reference, folder, **files):
    return import_bundle(engine=db, reference=reference, path=write_bundle(folder, **files))


def test_a_bundle_confirms_her_journeys_which_the_rule_and_score_then_use(db, reference, tmp_path, client,
                                                                          admin_headers):
    # the openings come later in the bundle than the trainees who name them
    report = load(db, reference, tmp_path / "a", trainees_csv=with_journeys("OP-1:50;OP-2:35", ""))
    assert stored(db) == {("TR-1", "OP-1"): (50, 1), ("TR-1", "OP-2"): (35, 1)}
    assert report.confirmed_journeys is not None and report.confirmed_journeys.inserted == 2
    with Session(db) as session:
        journey = session.exec(select(ConfirmedJourney)).first()
        assert journey is not None and journey.confirmed_by == "bundle import (command line)"

    answer = client.get(f"/v1/trainees/TR-1/matches?as_of={AS_OF}&include_blocked=true", headers=admin_headers).json()
    reasons = {m["opening_external_id"]: m["reasons"] for m in answer["data"]}
    assert "confirmed journey 50 min each way, her limit is 60 min" in reasons["OP-1"]
    events = client.get("/v1/audit?external_id=TR-1", headers=admin_headers).json()["data"]
    assert any(e["action"] == "confirmed_journey_import" and e["entity"] == "trainee" for e in events)


def test_export_writes_them_back_and_importing_the_export_changes_nothing(db, reference, tmp_path):
    load(db, reference, tmp_path / "a", trainees_csv=with_journeys("OP-2:35;OP-1:50", ""))
    export_bundle(engine=db, path=tmp_path / "out")
    with open(tmp_path / "out" / "trainees.csv", encoding="utf-8", newline="") as handle:
        cells = {row["external_id"]: row["confirmed_journeys"] for row in csv.DictReader(handle)}
    assert cells == {"TR-1": "OP-1:50;OP-2:35", "TR-2": ""}
    before = stored(db)
    again = import_bundle(engine=db, reference=reference, path=tmp_path / "out")
    assert stored(db) == before
    assert again.confirmed_journeys is not None and vars(again.confirmed_journeys) == {
        "inserted": 0, "updated": 0, "removed": 0, "unchanged": 2}
    assert all(c.inserted == c.updated == 0 for c in again.files.values())


def test_a_present_column_sets_her_journeys_an_empty_cell_removes_them_an_absent_column_leaves_them(
        db, reference, tmp_path):
    load(db, reference, tmp_path / "a", trainees_csv=with_journeys("OP-1:50;OP-2:35", "OP-1:20"))
    changed = load(db, reference, tmp_path / "b", trainees_csv=with_journeys("OP-1:45", "OP-1:20"))
    assert stored(db) == {("TR-1", "OP-1"): (45, 2), ("TR-2", "OP-1"): (20, 1)}
    assert changed.confirmed_journeys is not None and vars(changed.confirmed_journeys) == {
        "inserted": 0, "updated": 1, "removed": 1, "unchanged": 1}
    untouched = load(db, reference, tmp_path / "c")  # the sample trainees.csv has no such column
    assert untouched.confirmed_journeys is None and stored(db) == {("TR-1", "OP-1"): (45, 2), ("TR-2", "OP-1"): (20, 1)}
    load(db, reference, tmp_path / "d", trainees_csv=with_journeys("", "OP-1:20"))
    assert stored(db) == {("TR-2", "OP-1"): (20, 1)}


@pytest.mark.parametrize("cell, reason", [
    ("OP-9:40", "refers to 'OP-9', which is neither in openings.csv nor stored"),
    ("OP-1:0", "journey 1 (OP-1): 0 minutes is not within 1-600"),
    ("OP-2:20;OP-1:601", "journey 2 (OP-1): 601 minutes is not within 1-600"),
    ("OP-1:half an hour", "journey 1 (OP-1): 'half an hour' is not a whole number of minutes"),
    ("OP-1:40;OP-1:50", "journey 2: opening OP-1 is given twice"),
    ("OP-1", "journey 1 ('OP-1') is not opening:minutes"),
    ("OP 1:40", "journey 1: 'OP 1' is not an opening external id"),
])
def test_every_bad_value_is_located_and_nothing_is_written(db, reference, tmp_path, cell, reason):
    with pytest.raises(BundleInvalid) as caught:
        load(db, reference, tmp_path / "a", trainees_csv=with_journeys("OP-1:30", cell))
    [problem] = caught.value.errors
    assert (problem["file"], problem["line"], problem["column"]) == ("trainees.csv", 3, "confirmed_journeys")
    assert reason in problem["reason"]
    with Session(db) as session:  # all or nothing: not even the other trainee or her valid journey
        assert not session.exec(select(Trainee)).all() and not stored(db)
