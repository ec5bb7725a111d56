"""Every nightly run stores a fairness report; a fair run puts floors on the groups; who may read what of it."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from matching.formatting import score_kind
from service.matches import loader
from service.models_registry.matcher import build_matcher
from service.nightly import fairness
from service.nightly.models import FairnessReport, Proposal
from tests.conftest import make_key
from tests.service.nightly.demo_runs import AS_OF, run

EMPLOYER = "EM-00001"




def proposals(db, run_id):
    with Session(db) as session:
        return session.exec(select(Proposal.trainee_external_id, Proposal.opening_external_id, Proposal.partner_org)
                            .where(Proposal.run_id == run_id, Proposal.kind == "proposal")).all()


def test_a_plain_run_stores_its_report_and_survivor_status_is_never_a_group(demo, reference):
    finished = run(demo, reference)
    with Session(demo) as session:
        stored = session.get(FairnessReport, finished.id)
        women = len(loader.trainee_records(session))
    assert finished.fairness == "off" and stored is not None
    report = stored.report
    assert set(report["dimensions"]) == {"partner_org", "district", "training_track", "has_dependents"}
    assert "is_survivor" not in report["dimensions"] and "survivor" not in str(report["dimensions"])
    assert report["totals"]["women_job_ready"] == women
    assert report["totals"]["proposed"] == len(proposals(demo, finished.id))
    assert report["totals"]["expected_lasting_placements"] == round(finished.objective, 1)
    assert report["price_of_fairness"] is None
    assert set(stored.survivors) == {"members", "others"}
    # groups under 10 job-ready women show no figures
    for cells in report["dimensions"].values():
        for cell in cells:
            assert isinstance(cell["women_job_ready"], str) or cell["women_job_ready"] >= 10


def test_the_run_hands_the_assignment_no_survivor_column(demo, reference, monkeypatch):
    seen = []
    real = fairness.group_labels

    def spy(records):
        labels = real(records)
        seen.append(set(labels))
        return labels
    monkeypatch.setattr(fairness, "group_labels", spy)
    run(demo, reference, fairness="proportional", fairness_by=("partner_org", "district"))
    assert seen and all("is_survivor" not in dims for dims in seen)
    assert set(fairness.DIMENSIONS) == {"partner_org", "district", "training_track", "has_dependents"}


@pytest.mark.parametrize("mode", ["proportional", "maxmin"])
def test_a_fair_run_keeps_every_limit_and_reports_its_price(demo, reference, mode):
    plain = run(demo, reference)
    before = Counter(partner for _, _, partner in proposals(demo, plain.id))
    fair = run(demo, reference, fairness=mode)
    rows = proposals(demo, fair.id)
    with Session(demo) as session:
        positions = {r["external_id"]: r["positions_left"] for r in loader.opening_records(session)}
        report = session.get(FairnessReport, fair.id).report
    assert fair.fairness == mode
    assert len({trainee for trainee, _, _ in rows}) == len(rows)  # one proposal per woman
    for opening, taken in Counter(opening for _, opening, _ in rows).items():
        assert taken <= positions[opening]
    price = report["price_of_fairness"]
    assert price["mode"] == mode and price["dimensions"] == ["partner_org"]
    assert price["unconstrained_expected_lasting_placements"] == round(plain.objective, 1)
    assert price["expected_lasting_placements"] == round(fair.objective, 1) and price["price"] >= -0.05
    women = {cell["group"]: cell["women_job_ready"] for cell in report["dimensions"]["partner_org"]}
    after = Counter(partner for _, _, partner in rows)
    worst_before = min(before[p] / women[p] for p in women)
    worst_after = min(after[p] / women[p] for p in women)
    assert worst_after >= worst_before - 1e-9


def test_a_run_proposes_only_pairs_the_matcher_allows(demo, reference):
    fair = run(demo, reference, fairness="maxmin")
    with Session(demo) as session:
        trainee_table = loader.trainee_table(reference, loader.trainee_records(session))
        opening_table = loader.opening_table(session, reference, loader.opening_records(session))
    rows = proposals(demo, fair.id)
    matcher, _ = build_matcher(db=demo, reference=reference)
    t_idx = np.array([trainee_table.index_of(t) for t, _, _ in rows])
    o_idx = np.array([opening_table.index_of(o) for _, o, _ in rows])
    assert matcher.score_pairs(trainee_table, t_idx, opening_table, o_idx, as_of=AS_OF).allowed.all()


def test_who_may_read_the_report(demo, reference, client, admin_headers):
    finished = run(demo, reference, fairness="proportional")
    url = f"/v1/match-runs/{finished.id}/fairness"
    admin = client.get(url, headers=admin_headers)
    assert admin.status_code == 200, admin.text
    body = admin.json()
    assert body["fairness"] == "proportional" and body["run_id"] == finished.id
    assert body["survivors"] is not None and body["price_of_fairness"]["mode"] == "proportional"
    assert body["score_kind"] == score_kind(finished.model_versions.get("score"))
    for role, binding in (("coordinator", {"partner_org": "north_bengal"}), ("batch", {})):
        answer = client.get(url, headers={"Authorization": f"Bearer {make_key(demo, role, **binding)}"})
        assert answer.status_code == 200 and answer.json()["survivors"] is None
        assert answer.json()["totals"] == body["totals"]
    employer_key = make_key(demo, "employer", employer_external_id=EMPLOYER)
    employer = client.get(url, headers={"Authorization": f"Bearer {employer_key}"})
    assert employer.status_code == 403
    missing = client.get(f"/v1/match-runs/{finished.id + 1000}/fairness", headers=admin_headers)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")


def test_the_proposals_screen_reads_the_report_as_advice(demo, reference, client):
    from tests.service.console.conftest import sign_in
    from tests.service.console.test_pages import text_of
    finished = run(demo, reference, fairness="proportional", fairness_by=("district",))
    browser = TestClient(client.app, follow_redirects=False)
    assert sign_in(browser, make_key(demo, "admin")).status_code == 303
    text = text_of(browser.get("/console/proposals").text)
    assert "Fairness" in text
    assert "This run gave every group by district at least about its share of proposals; that cost" in text
    with Session(demo) as session:
        report = session.get(FairnessReport, finished.id).report
    overall = round(100 * report["totals"]["share_proposed"])
    for worst in report["worst_share"].values():  # a group well under the overall share is named
        if worst and overall - round(100 * worst["share_proposed"]) >= 5:
            assert f"% of job-ready women proposed against {overall}% overall." in text
