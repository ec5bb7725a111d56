"""The Market screen on the demo programme: for a district, a chart per leading occupation drawn as inline SVG (bars
for counted postings, the forecast line over its interval band) with a text alternative and its numbers, and the
district's training priorities."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.core.config import Settings
from tests.conftest import REPO, empty_database, make_key
from tests.service.console.conftest import sign_in
from tests.service.console.test_pages import text_of

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def demo(engine: Engine, database_url: str, module_today: datetime.date) -> Iterator[TestClient]:
    """The demo programme, and a browser signed in with a coordinator's key."""
    from service.core.reference import load_reference
    from service.imports.service import import_bundle
    from service.main import create_app
    empty_database(engine)
    import_bundle(engine=engine, reference=load_reference(REPO / "data", "west_bengal"), path=REPO / "data" / "demo")
    app = create_app(Settings(database_url=database_url, data_dir=REPO / "data", log_format="text"))
    with TestClient(app, follow_redirects=False) as client:
        assert sign_in(client, make_key(engine, "coordinator", partner_org="kolkata_metro")).status_code == 303
        yield client
    empty_database(engine)


def test_the_market_page_charts_a_districts_demand_with_a_text_alternative(demo: TestClient):
    page = demo.get("/console/market?district=Kolkata&horizon=6")
    assert page.status_code == 200
    charts = re.findall(r"<svg viewBox=\"0 0 360 180\" role=\"img\" .*?</svg>", page.text, re.S)
    assert len(charts) == 6  # the six occupations with the most forecast postings
    first = charts[0]
    assert re.search(r"<title id=\"chart-1-title\">Monthly job postings for [^<]+ in Kolkata</title>", first)
    assert 'aria-describedby="chart-1-summary"' in first
    assert first.count("<rect ") >= 12 and '<polyline class="forecast" points="' in first
    assert '<polygon class="band" points="' in first
    summary = re.search(r'<p class="chart-summary" id="chart-1-summary">([^<]+)</p>', page.text)
    assert summary and re.fullmatch(r"From 2024-11 to 2026-10, between [\d,]+ and [\d,]+ postings a month "
                                    r"\(latest [\d,]+\)\. Forecast for 2026-11 to 2027-04: about [\d,]+ a month, "
                                    r"likely between [\d,]+ and [\d,]+\.", summary.group(1))
    numbers = page.text.split('id="chart-1-summary"')[1].split("</table>")[0]
    assert numbers.count("<tr><th scope=\"row\">") == 30  # 24 counted months and 6 forecast
    text = text_of(page.text)
    assert "Training priorities for Kolkata" in text and "Skills to teach" in text
    assert re.search(r" 1 [A-Z][A-Za-z ]+ [\d,]+ [\d,]+ -?[\d,]+ [+-]\d+% ", text)  # rounded, growth in percent
    assert "<script>" not in page.text and "style=" not in page.text  # nothing the CSP would refuse


def test_the_district_and_horizon_are_chosen_and_checked(demo: TestClient):
    chosen = demo.get("/console/market?district=darjiling&horizon=3", headers={"HX-Request": "true"})
    assert chosen.status_code == 200 and chosen.text.lstrip().startswith('<section id="results"')
    assert "Demand in Darjeeling" in text_of(chosen.text) and "next 3 months" in text_of(chosen.text)
    default = text_of(demo.get("/console/market").text)
    assert re.search(r"Demand in [A-Z]", default)  # the district with the most forecast postings
    assert demo.get("/console/market?district=Atlantis").status_code == 422
    assert demo.get("/console/market?horizon=7").status_code == 422


def test_priorities_follow_a_change_of_the_pipeline_at_once(demo: TestClient, engine: Engine):
    """Supply is read once per change of the records, not once per view: a new trainee on the track counts on the
    next view, and stops counting when she is placed."""
    admin = {"Authorization": f"Bearer {make_key(engine, 'admin')}"}

    def supply() -> float:
        found = demo.get("/v1/market/training-priorities?district=Kolkata&horizon=6", headers=admin).json()["data"]
        return next((p["supply"] for p in found if p["occupation"] == "sewing_machine_operator"), 0.0)

    before = supply()
    body = {"partner_org": "kolkata_metro", "status": "job_ready", "district": "Kolkata", "languages": ["bn"],
            "training_track": "sewing_machine_operator", "skills": [], "lat": 22.6, "lon": 88.4}
    assert demo.put("/v1/trainees/TR-market-1", json=body, headers=admin).status_code == 201
    assert supply() == before + 1
    assert demo.patch("/v1/trainees/TR-market-1", json={"status": "placed"}, headers=admin).status_code == 200
    assert supply() == before


def test_a_demand_model_fitted_on_request_follows_new_market_signals(demo: TestClient, engine: Engine):
    admin = {"Authorization": f"Bearer {make_key(engine, 'admin')}"}
    ask = "/v1/market/demand?district=Howrah&occupation=sewing_machine_operator&horizon=3"
    before = demo.get(ask, headers=admin).json()
    assert before["model_version"] == "demand-fitted-on-request" and before["data"]
    for period in ("2026-08", "2026-09", "2026-10"):  # a sudden surge in the last complete months
        assert demo.put(f"/v1/market-signals/Howrah/sewing_machine_operator/{period}", json={"postings": 5000},
                        headers=admin).status_code in (200, 201)
    after = demo.get(ask, headers=admin).json()
    assert after["data"][0]["postings"] > before["data"][0]["postings"] + 100
