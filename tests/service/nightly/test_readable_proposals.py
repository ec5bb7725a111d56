"""Proposals a coordinator can act on: each names its opening, alternatives keep their reasons, the CSV (from the
API and from `--export`) has the proposal id to accept by, and accepting needs no body."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import update
from sqlmodel import Session

from service.nightly import run as nightly
from service.nightly.models import MatchRun
from service.nightly.sheets import COLUMNS
from tests.service.auth import world
from tests.service.conftest import TODAY

TRAINED = "outcome-2026-11-01-0123456789"  # a trained outcome model's version, as the registry names them


def read_csv(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


def test_proposals_name_their_opening_and_the_csv_and_export_can_be_acted_on(client, db, tmp_path):
    built = world.build(client, db)
    admin = built.headers["admin"]
    listed = client.get("/v1/match-runs/latest/proposals?limit=500", headers=admin).json()
    assert listed["score_kind"] == "relative_score" and "not a probability" in listed["score_meaning"]
    rows = listed["data"]
    kinds = {p["kind"] for p in rows}
    assert kinds == {"proposal", "alternative"}
    assert all(p["reasons"] for p in rows)  # alternatives too
    own = next(p for p in rows if p["opening_external_id"] == "OP-own")
    assert own["opening"] == {"title": "Tailor", "employer_external_id": "EM-1",
                              "employer_name": "Synthetic Employer own", "district": "Howrah",
                              "monthly_wage_inr": 13000, "shift": "day", "positions_left": 1,
                              "site": "west_bengal", "currency": "INR"}
    assert all(round(p["score"], 3) == p["score"] for p in rows)
    page = client.get("/v1/match-runs/latest/proposals?limit=1", headers=admin).json()
    assert page["count"] == len(rows) > len(page["data"]) == 1  # count: all of them, not the page

    sheet = client.get("/v1/match-runs/latest/proposals", headers={**admin, "Accept": "text/csv"})
    lines = {int(line["proposal_id"]): line for line in read_csv(sheet.text)}
    assert set(lines) == {p["id"] for p in rows}
    line = lines[own["id"]]
    assert (line["status"], line["opening_title"], line["employer_name"], line["district"],
            line["monthly_wage_inr"], line["shift"]) == ("proposed", "Tailor", "Synthetic Employer own", "Howrah",
                                                         "13000", "day")
    assert line["score"] == f"{own['score']:.3f}" and line["score_kind"] == "relative_score"
    assert line["reasons"] == "; ".join(own["reasons"])

    paths = nightly.export(db=db, run_id=listed["run_id"], directory=tmp_path / "out")
    exported = {kind: read_csv(path.read_text(encoding="utf-8")) for kind, path in zip(("proposal", "alternative"),
                                                                                       paths)}
    for kind, found in exported.items():
        assert found and all(line["kind"] == kind and line["reasons"] for line in found)
        assert all(line == lines[int(line["proposal_id"])] for line in found)  # the API's columns and cells


@pytest.mark.usefixtures("frozen_today")
def test_accept_needs_no_body_and_says_what_the_score_is(client, db):
    built = world.build(client, db)
    admin = built.headers["admin"]
    for placement in ("PL-own", "PL-other"):  # both women free to be placed again
        assert client.patch(f"/v1/placements/{placement}", json={"ended_on": "2026-10-01"},
                            headers=admin).status_code == 200
    with Session(db) as session:  # as if the run had scored with a trained outcome model
        session.execute(update(MatchRun).values(model_versions={"score": TRAINED}))
        session.commit()
    rows = client.get("/v1/match-runs/latest/proposals?kind=proposal", headers=admin).json()
    assert rows["score_kind"] == "retention_probability" and "12 months" in rows["score_meaning"]
    first, second = rows["data"][0], rows["data"][1]
    bare = client.post(f"/v1/proposals/{first['id']}/accept", headers=admin)  # no body at all
    assert bare.status_code == 200, bare.text
    accepted = bare.json()
    assert accepted["status"] == "accepted" and accepted["score_kind"] == "retention_probability"
    assert accepted["opening"]["title"] == "Tailor"
    placement = client.get(f"/v1/placements/{accepted['placement_external_id']}", headers=admin).json()
    assert placement["started_on"] == TODAY.isoformat()  # she starts today unless told otherwise
    empty = client.post(f"/v1/proposals/{second['id']}/accept", json={}, headers=admin)
    assert empty.status_code == 200, empty.text
    sheet = client.get("/v1/match-runs/latest/proposals?kind=proposal", headers={**admin, "Accept": "text/csv"})
    assert {(line["status"], line["score_kind"]) for line in read_csv(sheet.text)} == {
        ("accepted", "retention_probability")}
    wrong = client.post(f"/v1/proposals/{first['id']}/accept", json={"started": "2026-11-02"}, headers=admin)
    assert wrong.status_code == 422  # an unknown field is still refused
