"""The cohort plan and the trainer pipeline on the demo programme, over the API and the command line: who may ask,
what the answers hold, and that trainer roles at a partner organisation are named."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.core.config import Settings
from tests.conftest import REPO, empty_database, make_key
from tests.service.conftest import TODAY
from tests.service.test_cli import jobmatch

pytestmark = pytest.mark.db
PARTNERS = ("kolkata_metro", "north_bengal")


@pytest.fixture(scope="module")
def demo(engine: Engine, database_url: str) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    """The demo programme on the site's 2026-11-01, and a key per role."""
    from service.core import clock
    from service.core.reference import load_reference
    from service.imports.service import import_bundle
    from service.main import create_app
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: datetime.datetime.combine(TODAY, datetime.time(12), datetime.UTC))
        empty_database(engine)
        import_bundle(engine=engine, reference=load_reference(REPO / "data", "west_bengal"),
                      path=REPO / "data" / "demo")
        keys = {"admin": make_key(engine, "admin"), "batch": make_key(engine, "batch"),
                "coordinator": make_key(engine, "coordinator", partner_org="kolkata_metro"),
                "employer": make_key(engine, "employer", employer_external_id="EM-00001")}
        headers = {role: {"Authorization": f"Bearer {key}"} for role, key in keys.items()}
        app = create_app(Settings(database_url=database_url, data_dir=REPO / "data", log_format="text"))
        with TestClient(app) as client:
            yield client, headers
        empty_database(engine)


def candidates_of(client: TestClient, headers: dict[str, str], partner: str) -> list[dict]:
    plan = client.get(f"/v1/market/cohort-plan?partner={partner}", headers=headers).json()
    found = []
    for line in plan["data"]:
        answer = client.get(f"/v1/trainer-candidates?track={line['track']}&partner={partner}", headers=headers)
        assert answer.status_code == 200, answer.text
        found.extend(answer.json()["data"])
    return found


def test_the_demo_gives_a_plan_with_reasoning_and_a_trainer_candidate_per_partner(demo):
    client, headers = demo
    for partner in PARTNERS:
        plan = client.get(f"/v1/market/cohort-plan?partner={partner}&months=6", headers=headers["admin"])
        assert plan.status_code == 200, plan.text
        body = plan.json()
        assert body["partner"] == partner and body["site"] == "west_bengal" and body["women_to_train"] > 0
        first = body["data"][0]
        assert first["women_to_train"] > 0 and first["trainers_needed"] >= 1 and first["trainer_occupation"]
        assert any("openings" in sentence for sentence in first["reasoning"])
        assert any(need["tracks"] and need["needed"] >= 1 for need in body["trainers"])
        found = candidates_of(client, headers["admin"], partner)
        assert found and all(c["eligible"] and c["reasons"] for c in found)
        assert not any("survivor" in str(c).casefold() for c in found)


def test_who_may_ask(demo):
    client, headers = demo
    plan = "/v1/market/cohort-plan?months=3"
    assert client.get(plan, headers=headers["batch"]).status_code == 200
    assert client.get(plan, headers=headers["employer"]).status_code == 403
    own = client.get(plan, headers=headers["coordinator"]).json()
    assert own["partner"] == "kolkata_metro"  # her own partner's plan when she names none
    assert client.get(plan + "&partner=north_bengal", headers=headers["coordinator"]).status_code == 404
    # a site not served answers 404, as on every market route
    assert client.get(plan + "&site=jharkhand", headers=headers["admin"]).status_code == 404
    assert client.get(plan + "&months=25", headers=headers["admin"]).status_code == 422
    candidates = "/v1/trainer-candidates?track=fnb_service_associate"
    assert client.get(candidates + "&partner=kolkata_metro", headers=headers["coordinator"]).status_code == 200
    assert client.get(candidates + "&partner=north_bengal", headers=headers["coordinator"]).status_code == 404
    for role in ("batch", "employer"):
        assert client.get(candidates + "&partner=kolkata_metro", headers=headers[role]).status_code == 403
    assert client.get(candidates, headers=headers["coordinator"]).status_code == 200  # hers when she names none
    assert client.get(candidates, headers=headers["admin"]).status_code == 422  # an admin names the partner
    assert client.get("/v1/trainer-candidates?track=astronaut&partner=kolkata_metro",
                      headers=headers["admin"]).status_code == 422


def test_only_consenting_graduates_are_listed_and_a_risk_flag_excludes_with_a_reason(demo):
    client, headers = demo
    admin = headers["admin"]
    best = candidates_of(client, admin, "north_bengal")[0]
    track = client.get(f"/v1/trainees/{best['external_id']}", headers=admin).json()["training_track"]
    url = f"/v1/trainer-candidates?track={track}&partner=north_bengal"

    def listed() -> dict[str, dict]:
        body = client.get(url, headers=admin).json()
        return {c["external_id"]: c for c in body["data"] + body["near_misses"]}

    assert listed()[best["external_id"]]["eligible"]
    client.patch(f"/v1/trainees/{best['external_id']}", json={"trainer_consent": False}, headers=admin)
    assert best["external_id"] not in listed()
    client.patch(f"/v1/trainees/{best['external_id']}", json={"trainer_consent": True}, headers=admin)
    from sqlalchemy import update
    from sqlmodel import Session

    from service.trainees.models import Trainee
    with Session(client.app.state.engine) as session:  # a follow-up raised a flag on her record
        session.execute(update(Trainee).where(Trainee.external_id == best["external_id"]).values(risk_flag=True))
        session.commit()
    flagged = listed()[best["external_id"]]
    assert not flagged["eligible"] and flagged["why_not"] == [
        "a risk flag from a follow-up is open: clear it with her first"]
    with Session(client.app.state.engine) as session:
        session.execute(update(Trainee).where(Trainee.external_id == best["external_id"]).values(risk_flag=False))
        session.commit()


def test_trainer_roles_are_openings_at_the_partner_organisation(demo):
    client, headers = demo
    admin = headers["admin"]
    employer = {"name": "North Bengal training partner", "sector": "hospitality", "district": "Jalpaiguri"}
    assert client.put("/v1/employers/partner:north_bengal", json=employer, headers=admin).status_code in (200, 201)
    opening = {"employer_external_id": "partner:north_bengal", "title": "Hospitality Trainer",
               "occupation": "hospitality_trainer", "district": "Jalpaiguri", "monthly_wage_inr": 16000,
               "positions": 1, "required_skills": [{"label": "Food & beverage service", "level": 3}]}
    put = client.put("/v1/openings/TRAINER-NB-1", json=opening, headers=admin)
    assert put.status_code in (200, 201), put.text
    body = client.get("/v1/trainer-candidates?track=fnb_service_associate&partner=north_bengal",
                      headers=admin).json()
    assert body["trainer_occupation"] == "hospitality_trainer" and body["trainer_occupation_name"] == \
        "Hospitality Trainer"
    assert [o["external_id"] for o in body["openings"]] == ["TRAINER-NB-1"]
    plan = client.get("/v1/market/cohort-plan?partner=north_bengal", headers=admin).json()
    assert all(need["on_staff"] == 0 for need in plan["trainers"])  # the partner's record exists: none yet


def test_the_command_line_prints_the_plan_and_the_candidates(demo, database_url):
    plan = jobmatch(database_url, "cohort-plan", "--partner", "kolkata_metro", "--months", "6")
    assert plan.returncode == 0, plan.stderr
    assert "# Cohort plan for kolkata_metro, next 6 months" in plan.stdout
    assert "Sewing Machine Operator (sewing_machine_operator)" in plan.stdout
    assert "So train" in plan.stdout and "Traceback" not in plan.stderr
    found = jobmatch(database_url, "trainer-candidates", "--track", "food_packaging_helper", "--partner",
                     "kolkata_metro")
    assert found.returncode == 0, found.stderr
    assert "1\tTR-" in found.stdout and "attendance" in found.stdout
    unknown = jobmatch(database_url, "trainer-candidates", "--track", "astronaut", "--partner", "kolkata_metro")
    assert unknown.returncode == 1 and "'astronaut' is not a training track" in unknown.stderr
    assert "Traceback" not in unknown.stderr
