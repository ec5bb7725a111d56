"""The Cohort plan and Trainer candidates screens on the demo programme: the numbers and reasons the API gives for
the same key, a partner picker that offers a coordinator her own partner only, and the API's refusals as pages."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.core.config import Settings
from tests.conftest import REPO, empty_database, make_key
from tests.service.console.conftest import sign_in
from tests.service.console.test_pages import text_of

pytestmark = pytest.mark.db
OWN, OTHER = "kolkata_metro", "north_bengal"


@dataclass
class Demo:
    app: object
    keys: dict[str, str]  # "admin", "coordinator" (kolkata_metro's), "other_coordinator" (north_bengal's)

    def browser(self, role: str) -> TestClient:
        client = TestClient(self.app, follow_redirects=False)
        assert sign_in(client, self.keys[role]).status_code == 303
        return client

    def api(self, role: str, path: str) -> dict:
        answer = TestClient(self.app).get(path, headers={"Authorization": f"Bearer {self.keys[role]}"})
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture(scope="module")
def demo(engine: Engine, database_url: str, module_today: datetime.date) -> Iterator[Demo]:
    """The demo programme, with a key per role."""
    from service.core.reference import load_reference
    from service.imports.service import import_bundle
    from service.main import create_app
    empty_database(engine)
    import_bundle(engine=engine, reference=load_reference(REPO / "data", "west_bengal"), path=REPO / "data" / "demo")
    keys = {"admin": make_key(engine, "admin"), "coordinator": make_key(engine, "coordinator", partner_org=OWN),
            "other_coordinator": make_key(engine, "coordinator", partner_org=OTHER)}
    app = create_app(Settings(database_url=database_url, data_dir=REPO / "data", log_format="text"))
    with TestClient(app):
        yield Demo(app=app, keys=keys)
    empty_database(engine)


def women(n: int) -> str:
    return f"{n:,} {'woman' if n == 1 else 'women'}"


def test_a_coordinator_sees_her_partners_plan_with_the_apis_numbers_and_reasoning(demo: Demo):
    browser = demo.browser("coordinator")
    page = browser.get("/console/cohort-plan")
    assert page.status_code == 200
    plan = demo.api("coordinator", "/v1/market/cohort-plan?months=6")  # her partner's, as the page's default
    text = text_of(page.text)
    assert f"Train {women(plan['women_to_train'])} over the next 6 months for {OWN}." in text
    to_train = [line for line in plan["data"] if line["women_to_train"]]
    assert to_train and len(to_train) < len(plan["data"])  # the demo has tracks with and without a cohort
    for line in plan["data"]:
        label = f"{line['track_name']} ({line['track']})"
        assert " ".join(line["reasoning"]) in text  # the service's sentences, whole
        if line["women_to_train"]:
            assert f"{label}: train {women(line['women_to_train'])}" in text
            assert f"Openings expected {round(line['forecast_openings']):,}" in text
            assert f'href="/console/trainer-candidates?track={line["track"]}&amp;partner={OWN}"' in page.text
    for need in plan["trainers"]:
        row = f"{need['occupation_name']} ({need['occupation']}) "
        assert re.search(re.escape(row) + r"[^0-9]+ " + f"{need['needed']:,} not known {need['to_hire']:,}", text)
    assert '<option value="north_bengal"' not in page.text and "Every partner" not in page.text  # hers only
    assert 'aria-current="page">Cohort plan</a>' in page.text
    assert "<script>" not in page.text and "style=" not in page.text  # nothing the CSP would refuse


def test_an_admin_plans_for_the_whole_site_or_picks_a_partner(demo: Demo):
    browser = demo.browser("admin")
    whole = browser.get("/console/cohort-plan")
    assert '<option value="">Every partner (the whole site)</option>' in whole.text
    assert f'<option value="{OWN}"' in whole.text and f'<option value="{OTHER}"' in whole.text
    site = demo.api("admin", "/v1/market/cohort-plan")
    assert f"Train {women(site['women_to_train'])} over the next 6 months for West Bengal." in text_of(whole.text)
    chosen = browser.get(f"/console/cohort-plan?partner={OTHER}&months=12", headers={"HX-Request": "true"})
    assert chosen.status_code == 200 and chosen.text.lstrip().startswith('<section id="results"')
    theirs = demo.api("admin", f"/v1/market/cohort-plan?partner={OTHER}&months=12")
    text = text_of(chosen.text)
    assert f"Train {women(theirs['women_to_train'])} over the next 12 months for {OTHER}." in text
    assert all(" ".join(line["reasoning"]) in text for line in theirs["data"])


def test_the_plan_refuses_what_the_api_refuses(demo: Demo):
    browser = demo.browser("coordinator")
    other = browser.get(f"/console/cohort-plan?partner={OTHER}")
    assert other.status_code == 404 and f"it may ask for partner &#39;{OWN}&#39; only" in other.text
    assert browser.get("/console/cohort-plan?months=25").status_code == 422
    assert browser.get("/console/cohort-plan?months=six").status_code == 422


@pytest.fixture(scope="module")
def answers(demo: Demo) -> list[dict]:
    """The API's trainer candidates of her partner for every track of its plan."""
    plan = demo.api("admin", f"/v1/market/cohort-plan?partner={OWN}")
    return [demo.api("admin", f"/v1/trainer-candidates?track={line['track']}&partner={OWN}") for line in plan["data"]]


def most(answers: list[dict], part: str) -> dict:
    """The track with the most graduates in `part` ("data": ranked, "near_misses": a rule short)."""
    best = max(answers, key=lambda answer: len(answer[part]))
    assert best[part], f"the demo has no track with {part}"
    return best


def test_trainer_candidates_are_ranked_with_reasons_and_near_misses_with_why_not(demo: Demo, answers: list[dict]):
    expected = most(answers, "data")
    track = expected["track"]
    browser = demo.browser("coordinator")
    page = browser.get(f"/console/trainer-candidates?track={track}")  # her partner's
    assert page.status_code == 200
    text = text_of(page.text)
    assert (f"{expected['trainer_occupation_name']} candidates among {OWN}'s {expected['track_name']} ({track}) "
            "graduates") in text
    ranked = re.findall(r'<td>(\d+)</td>\s*<td><a href="/console/trainees/([^"]+)">', page.text)
    assert [(int(rank), who) for rank, who in ranked] == [(c["rank"], c["external_id"]) for c in expected["data"]]
    for c in expected["data"]:
        assert f"{c['external_id']} cohort {c['cohort']}, {expected['track_name']} {round(c['score'] * 100)} " in text
        assert " ".join(c["reasons"]) in text
    assert f"{OWN} has no open trainer opening for this role." in text
    near = most(answers, "near_misses")
    page = browser.get(f"/console/trainer-candidates?track={near['track']}&partner={OWN}")
    text = text_of(page.text)
    assert "Near misses: one rule short" in text
    for c in near["near_misses"]:
        assert f"{c['external_id']} cohort {c['cohort']}, {near['track_name']} {' '.join(c['why_not'])}" in text
    assert "survivor" not in text.casefold()


def test_the_partners_open_trainer_openings_are_named_by_title(demo: Demo, answers: list[dict]):
    expected = most(answers, "data")
    admin = {"Authorization": f"Bearer {demo.keys['admin']}"}
    api = TestClient(demo.app)
    employer = {"name": "Kolkata metro training partner", "sector": "training", "district": "Kolkata"}
    assert api.put(f"/v1/employers/partner:{OWN}", json=employer, headers=admin).status_code in (200, 201)
    opening = {"employer_external_id": f"partner:{OWN}", "title": "Trainer for the spring cohort",
               "occupation": expected["trainer_occupation"], "district": "Kolkata", "monthly_wage_inr": 16000,
               "positions": 2, "required_skills": []}
    assert api.put("/v1/openings/TRAINER-KM-1", json=opening, headers=admin).status_code in (200, 201)
    page = demo.browser("admin").get(f"/console/trainer-candidates?track={expected['track']}&partner={OWN}")
    text = text_of(page.text)
    assert f"{OWN}'s open {expected['trainer_occupation_name']} openings" in text
    assert re.search(r"Trainer for the spring cohort \(TRAINER-KM-1\) ?: Kolkata; positions: 2", text)
    assert '<a href="/console/openings/TRAINER-KM-1">' in page.text


def test_trainer_candidates_are_refused_as_the_api_refuses_them(demo: Demo, answers: list[dict]):
    track = most(answers, "data")["track"]
    other = demo.browser("other_coordinator")
    refused = other.get(f"/console/trainer-candidates?track={track}&partner={OWN}")
    assert refused.status_code == 404 and "candidates among" not in refused.text
    assert f'<option value="{OWN}"' not in other.get("/console/trainer-candidates").text  # her own partner only
    admin = demo.browser("admin")
    asked = text_of(admin.get(f"/console/trainer-candidates?track={track}").text)  # an admin names the partner
    assert "Choose a track and a partner to see who could teach it." in asked
    assert admin.get(f"/console/trainer-candidates?track=astronaut&partner={OWN}").status_code == 422
    assert TestClient(demo.app, follow_redirects=False).get(
        "/console/trainer-candidates").headers["location"].startswith("/console/sign-in")
