"""The nightly run on the demo programme: safe, capacity-aware, repeatable, crash-safe, and distributable."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from service.core.errors import Conflict
from service.matches import loader
from service.models_registry.matcher import build_matcher
from service.nightly.lock import nightly_lock
from service.nightly.models import MatchRun, Proposal
from tests.conftest import REPO
from tests.service.nightly.demo_runs import AS_OF, run


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def without_ids(path: Path) -> list[dict[str, str]]:
    """The rows of an export but for the proposal ids, which every run gives anew."""
    return [{k: v for k, v in row.items() if k != "proposal_id"} for row in read_csv(path)]


def test_proposals_respect_capacity_one_per_trainee_and_every_safety_rule(demo, reference, tmp_path):
    finished = run(demo, reference, export_dir=tmp_path / "out")
    assert finished.status == "complete" and finished.objective >= finished.greedy_objective > 0
    proposals = read_csv(tmp_path / "out" / "proposals.csv")
    assert proposals and len({row["trainee_external_id"] for row in proposals}) == len(proposals)  # one each
    with Session(demo) as session:
        openings = {r["external_id"]: r for r in loader.opening_records(session)}
        trainees = loader.trainee_records(session)
        matcher, _ = build_matcher(db=demo, reference=reference)
        trainee_table = loader.trainee_table(reference, trainees)
        opening_table = loader.opening_table(session, reference, list(openings.values()))
    for opening_id, taken in Counter(row["opening_external_id"] for row in proposals).items():
        assert taken <= openings[opening_id]["positions_left"], opening_id
    t_idx = np.array([trainee_table.index_of(row["trainee_external_id"]) for row in proposals])
    o_idx = np.array([opening_table.index_of(row["opening_external_id"]) for row in proposals])
    checked = matcher.score_pairs(trainee_table, t_idx, opening_table, o_idx, as_of=AS_OF)
    assert checked.allowed.all(), [checked.violated_codes(i) for i in np.flatnonzero(~checked.allowed)]
    # and independently of the engine: vetted within a year, at least the minimum wage, no unsafe night work
    employers = {e["external_id"]: e for e in loader.employer_vetting_records(Session(demo))}
    for row in proposals:
        opening = openings[row["opening_external_id"]]
        vetting = employers[opening["employer_external_id"]]
        assert vetting["vetted"] and (AS_OF - vetting["vetted_on"]).days <= 366
        assert opening["status"] == "open" and (opening["closes_on"] is None or opening["closes_on"] >= AS_OF)
    alternatives = read_csv(tmp_path / "out" / "alternatives.csv")
    assert all(1 <= int(row["alternative_rank"]) <= 5 for row in alternatives)
    pairs = {(r["trainee_external_id"], r["opening_external_id"]) for r in proposals}
    assert not {(r["trainee_external_id"], r["opening_external_id"]) for r in alternatives} & pairs


def test_rerun_gives_the_same_files_and_replaces_the_run(demo, reference, tmp_path):
    first = run(demo, reference, export_dir=tmp_path / "a")
    second = run(demo, reference, export_dir=tmp_path / "b")
    for name in ("proposals.csv", "alternatives.csv"):  # the same rows; each run's proposals have ids of their own
        assert without_ids(tmp_path / "a" / name) == without_ids(tmp_path / "b" / name)
        assert {row["proposal_id"] for row in read_csv(tmp_path / "a" / name)}.isdisjoint(
            row["proposal_id"] for row in read_csv(tmp_path / "b" / name))
    with Session(demo) as session:
        statuses = dict(session.execute(select(MatchRun.id, MatchRun.status)).all())
    assert statuses == {first.id: "superseded", second.id: "complete"}


def test_two_runs_at_once_are_refused(demo, reference):
    with nightly_lock(demo):
        with pytest.raises(Conflict):
            run(demo, reference)


def test_dask_gives_the_same_proposals_as_the_local_engine(demo, reference, tmp_path):
    run(demo, reference, export_dir=tmp_path / "local")
    run(demo, reference, export_dir=tmp_path / "dask", engine="dask", workers=2)
    for name in ("proposals.csv", "alternatives.csv"):
        assert without_ids(tmp_path / "local" / name) == without_ids(tmp_path / "dask" / name)


def test_a_run_killed_while_writing_leaves_the_previous_run_current_and_nothing_of_its_own(
        demo, reference, database_url, client, admin_headers):
    previous = run(demo, reference)
    with Session(demo) as session:
        before = session.execute(select(func.count()).select_from(Proposal).where(Proposal.run_id == previous.id)).scalar()
    env = {**os.environ, "JOBMATCH_DATABASE_URL": database_url, "JOBMATCH_NIGHTLY_WRITE_CHUNK": "5",
           "JOBMATCH_LOG_FORMAT": "text", "JOBMATCH_LOG_LEVEL": "INFO"}
    process = subprocess.Popen([sys.executable, "-m", "service", "nightly", "--as-of", AS_OF.isoformat()],
                               env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    killed_while_writing = False
    for line in process.stderr:  # killed as soon as it says it is writing: in the middle of its one transaction
        if "nightly run writing" in line:
            os.kill(process.pid, signal.SIGKILL)
            killed_while_writing = True
            break
    process.wait(timeout=60)
    assert killed_while_writing, "the run never reached its write"
    latest = client.get("/v1/match-runs/latest/proposals?limit=500", headers=admin_headers).json()
    assert latest["run_id"] == previous.id and latest["count"] == before
    runs = client.get("/v1/match-runs", headers=admin_headers).json()["data"]
    assert [(r["id"], r["status"]) for r in runs] == [(previous.id, "complete")]
    with Session(demo) as session:
        assert session.execute(select(func.count()).select_from(Proposal)).scalar() == before
    again = run(demo, reference)  # the next run completes and supersedes the previous one
    with Session(demo) as session:
        statuses = dict(session.execute(select(MatchRun.id, MatchRun.status)).all())
    assert statuses == {previous.id: "superseded", again.id: "complete"}


def test_runs_and_proposals_over_the_api(demo, reference, client, admin_headers):
    finished = run(demo, reference)
    runs = client.get("/v1/match-runs", headers=admin_headers).json()
    assert runs["data"][0]["id"] == finished.id and runs["data"][0]["counts"]["proposals"] > 0
    one = client.get(f"/v1/match-runs/{finished.id}", headers=admin_headers).json()
    assert one["objective"] == round(finished.objective, 3) and one["model_versions"]["score"]  # as shown: rounded
    as_csv = client.get("/v1/match-runs/latest/proposals?kind=proposal", headers={**admin_headers, "Accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert len(as_csv.text.strip().splitlines()) - 1 == finished.counts["proposals"]


def test_accept_creates_a_placement_with_follow_ups_and_decline_is_remembered(demo, reference, client, admin_headers):
    run(demo, reference)
    proposals = client.get("/v1/match-runs/latest/proposals?kind=proposal&limit=10", headers=admin_headers).json()
    first, second = proposals["data"][0], proposals["data"][1]
    accepted = client.post(f"/v1/proposals/{first['id']}/accept", json={"started_on": "2026-11-10"},
                           headers=admin_headers)
    assert accepted.status_code == 200 and accepted.json()["placement_external_id"]
    placement = accepted.json()["placement_external_id"]
    due = client.get(f"/v1/followups?placement_external_id={placement}", headers=admin_headers).json()
    assert [(f["month"], f["due_on"]) for f in due["data"]] == [(1, "2026-12-10"), (3, "2027-02-10"),
                                                               (6, "2027-05-10"), (12, "2027-11-10")]
    assert client.get(f"/v1/trainees/{first['trainee_external_id']}", headers=admin_headers).json()["status"] == "placed"
    assert client.post(f"/v1/proposals/{first['id']}/accept", json={}, headers=admin_headers).status_code == 409
    declined = client.post(f"/v1/proposals/{second['id']}/decline", json={"reason": "trainee_declined"},
                           headers=admin_headers)
    assert declined.status_code == 200 and declined.json()["decline_reason"] == "trainee_declined"
    run(demo, reference)
    later = client.get("/v1/match-runs/latest/proposals?limit=500", headers=admin_headers).json()["data"]
    hers = [p for p in later if p["trainee_external_id"] == second["trainee_external_id"]]
    assert all(p["opening_external_id"] != second["opening_external_id"] for p in hers)  # not proposed again
    proposal = [p for p in hers if p["kind"] == "proposal"]
    if proposal:
        assert any("she declined" in reason for reason in proposal[0]["reasons"])


def test_due_follow_ups_per_partner_with_risk_flags(demo, client, admin_headers):
    due = client.get("/v1/followups?due_before=2027-12-31&limit=500", headers=admin_headers)
    assert due.status_code == 200 and due.json()["count"] > 0
    assert all(f["checked_on"] is None and f["due_on"] < "2027-12-31" for f in due.json()["data"])
    pending = due.json()["data"][0]
    placement, trainee = pending["placement_external_id"], pending["trainee_external_id"]
    partner = client.get(f"/v1/trainees/{trainee}", headers=admin_headers).json()["partner_org"]
    mine = client.get(f"/v1/followups?due_before=2027-12-31&partner_org={partner}&limit=500",
                      headers=admin_headers).json()
    others = client.get("/v1/followups?due_before=2027-12-31&partner_org=nobody", headers=admin_headers).json()
    assert 0 < mine["count"] <= due.json()["count"] and others["count"] == 0
    client.put(f"/v1/followups/{placement}/{pending['month']}", json={"checked_on": "2026-11-20", "employed": True,
                                                                     "wellbeing": 2, "risk_flag": True},
               headers=admin_headers)
    assert client.get(f"/v1/trainees/{trainee}", headers=admin_headers).json()["risk_flag"] is True
    listed = client.get(f"/v1/followups?placement_external_id={placement}", headers=admin_headers).json()["data"]
    assert listed and all(f["trainee_risk_flag"] is True for f in listed)
