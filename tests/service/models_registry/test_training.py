"""Training both models from the demo database, the registry, and the service using what it trained."""

from __future__ import annotations

import datetime
import math

import pytest
from sqlalchemy import select, update
from sqlmodel import Session

from matching.propensity import MIN_SELECTION_ROWS
from service.imports.service import import_bundle
from service.models_registry import service as registry
from service.models_registry.models import ModelVersion
from service.models_registry.training import train
from service.trainees.models import Trainee
from tests.conftest import REPO

AS_OF = datetime.date(2026, 11, 1)


@pytest.fixture
def demo(db, reference):
    import_bundle(engine=db, reference=reference, path=REPO / "data" / "demo")
    return db


def a_trainee_with_matches(client, headers) -> str:
    """The first job-ready trainee some opening is allowed for (the rules leave some with none)."""
    ready = client.get("/v1/trainees?status=job_ready&limit=200", headers=headers).json()["data"]
    return next(t["external_id"] for t in ready
                if client.get(f"/v1/trainees/{t['external_id']}/matches?as_of=2026-11-01", headers=headers).json()["data"])


def test_train_produces_both_models_and_matches_use_them(demo, reference, client, admin_headers):
    her = a_trainee_with_matches(client, admin_headers)
    before = client.get(f"/v1/trainees/{her}/matches?as_of=2026-11-01", headers=admin_headers).json()
    assert before["model_version"] == "weighted-v1"
    trained = train(db=demo, reference=reference, as_of=AS_OF)
    assert trained.demand.version.startswith("demand-") and trained.outcome.version.startswith("outcome-")
    assert trained.outcome.metrics["n_placements"] > 0 and "brier" in trained.outcome.metrics
    assert trained.demand.metrics["backtest"]["improvement_over_seasonal_naive_pct"] >= 25
    after = client.get(f"/v1/trainees/{her}/matches?as_of=2026-11-01", headers=admin_headers).json()
    assert after["model_version"] == trained.outcome.version  # picked up without a restart
    assert after["data"], "she had matches before training; the model changes scores, not which openings are allowed"
    assert all(0 < m["score"] < 1 for m in after["data"])
    assert after["score_kind"] == "retention_probability" and before["score_kind"] == "relative_score"
    # how much history stands behind each score, as a field and as the last reason
    assert all(m["evidence"] is None for m in before["data"])
    for m in after["data"]:
        evidence = m["evidence"]
        assert evidence["similar_placements"] >= 0 and 0 <= evidence["weight_of_history"] < 1
        assert evidence["weight_of_history"] == round(evidence["weight_of_history"], 2)
        assert str(evidence["similar_placements"]) in m["reasons"][-1] or "no similar" in m["reasons"][-1]
    assert any(m["evidence"]["similar_placements"] > 0 for m in after["data"])
    selection = trained.outcome.metrics["selection_correction"]
    # The demo history is thin: judged with the calibrated journeys (longer than the fixed formula's), fewer than
    # MIN_SELECTION_ROWS of its placements are feasible today, and the metrics say the correction was left out.
    assert selection["placements_feasible"] > 0
    assert selection["applied"] == (selection["placements_feasible"] >= MIN_SELECTION_ROWS
                                    and selection["controls"] >= MIN_SELECTION_ROWS)
    assert "weighted" in trained.outcome.metrics["selection"]
    assert trained.commute is not None and trained.commute.version.startswith("commute-")
    assert trained.commute.metrics["journeys"] > 100
    assert trained.commute.metrics["calibrated_mae"] < trained.commute.metrics["fixed_mae"]
    assert after["model_version"] == trained.outcome.version
    candidates = client.get(f"/v1/openings/{after['data'][0]['opening_external_id']}/candidates?as_of=2026-11-01",
                            headers=admin_headers).json()
    assert candidates["data"] and all(c["evidence"]["weight_of_history"] >= 0 for c in candidates["data"])
    # the explanation is the model's own: its contributions add up to the logit of the score (as far as the
    # three decimals shown allow: half a thousandth per factor, and the score's through the logit's slope)
    for m in after["data"]:
        shown = 0.0005 * len(m["factors"]) + 0.0005 / (m["score"] * (1 - m["score"]))
        assert abs(sum(m["factors"].values()) - math.log(m["score"] / (1 - m["score"]))) <= shown + 1e-9


def test_training_the_same_data_twice_gives_the_same_model(demo, reference):
    first = train(db=demo, reference=reference, as_of=AS_OF, promote=False)
    second = train(db=demo, reference=reference, as_of=AS_OF, promote=False)
    assert first.outcome.version == second.outcome.version
    assert first.outcome.artefact_sha256 == second.outcome.artefact_sha256
    assert first.demand.artefact_sha256 == second.demand.artefact_sha256
    assert first.commute is not None and second.commute is not None
    assert first.commute.artefact_sha256 == second.commute.artefact_sha256
    with Session(demo) as session:
        assert session.execute(select(ModelVersion.version)).scalars().all().__len__() == 3  # demand, commute, outcome


def test_models_load_only_with_their_trusted_types(demo, reference):
    import skops.io as sio
    trained = train(db=demo, reference=reference, as_of=AS_OF, promote=False)
    with Session(demo) as session:
        row = session.execute(select(ModelVersion).where(ModelVersion.version == trained.outcome.version)).scalar_one()
    with pytest.raises(Exception):  # noqa: B017 - skops refuses untrusted types
        sio.loads(row.artefact, trusted=[])
    assert registry.load(row).version == trained.outcome.version


def test_survivor_status_changes_no_score(demo, reference, client, admin_headers):
    train(db=demo, reference=reference, as_of=AS_OF)
    ids = [t["external_id"] for t in client.get("/v1/trainees?status=job_ready&limit=40",
                                                   headers=admin_headers).json()["data"]]
    first = {i: client.get(f"/v1/trainees/{i}/matches?as_of=2026-11-01&limit=5", headers=admin_headers).json()["data"]
             for i in ids}
    with Session(demo) as session:
        session.execute(update(Trainee).values(is_survivor=~Trainee.is_survivor))
        session.commit()
    client.patch(f"/v1/trainees/{ids[0]}", json={"is_survivor": True}, headers=admin_headers)  # a logged change
    second = {i: client.get(f"/v1/trainees/{i}/matches?as_of=2026-11-01&limit=5", headers=admin_headers).json()["data"]
              for i in ids}
    assert first == second
    retrained = train(db=demo, reference=reference, as_of=AS_OF, promote=False)
    model = registry.load(retrained.outcome)
    assert model.feature_names_ and not any("survivor" in name for name in model.feature_names_)


def test_demand_forecasts_and_training_priorities(demo, reference, client, admin_headers):
    train(db=demo, reference=reference, as_of=AS_OF)
    everything = client.get("/v1/market/demand?horizon=6&limit=500", headers=admin_headers).json()
    assert everything["count"] > 500 and len(everything["data"]) == 500
    assert everything["model_version"].startswith("demand-")
    howrah = client.get("/v1/market/demand?district=Howrah&occupation=sewing_machine_operator&horizon=3",
                        headers=admin_headers).json()
    assert [row["period"] for row in howrah["data"]] == ["2026-11", "2026-12", "2027-01"]
    assert all(row["lower"] <= row["postings"] <= row["upper"] for row in howrah["data"])
    priorities = client.get("/v1/market/training-priorities?district=kolkata", headers=admin_headers).json()
    assert priorities["data"] and priorities["data"][0]["rank"] == 1
    assert {p["district"] for p in priorities["data"]} == {"Kolkata"}
    scores = [p["score"] for p in priorities["data"]]
    assert scores == sorted(scores, reverse=True) and priorities["data"][0]["skills"]
