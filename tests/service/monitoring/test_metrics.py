"""GET /metrics: Prometheus' text format, readable with an admin key (or from loopback when allowed); requests
counted by route template (never a record id); the match index, the models in use and the last nightly run; and
with two workers, every worker's requests counted whichever worker answers the scrape."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from matching.scoring import WeightedScorer
from service.core.config import Settings
from tests.conftest import make_key
from tests.service.auth import world
from tests.service.test_saturation import serve


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, by name and sorted labels."""
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(text: str, name: str, **labels: str) -> float | None:
    return samples(text).get((name, tuple(sorted(labels.items()))))


def requests_counted(text: str, route: str, status: str = "200", method: str = "GET") -> float:
    return value(text, "jobmatch_http_requests_total", method=method, route=route, status=status) or 0.0


def test_only_an_admin_key_reads_the_metrics(client, db):
    built = world.build(client, db)
    refused = client.get("/metrics")
    assert refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"
    assert client.get("/metrics", headers={"Authorization": "Bearer jm_not-a-key"}).status_code == 401
    for role in ("coordinator", "employer", "batch"):
        forbidden = client.get("/metrics", headers=built.headers[role])
        assert forbidden.status_code == 403 and "may not read the metrics" in forbidden.json()["detail"]
    answer = client.get("/metrics", headers=built.headers["admin"])
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert client.get("/metrics", headers={**built.headers["admin"], "Accept": "application/openmetrics-text"}
                      ).headers["content-type"].startswith("application/openmetrics-text")


def test_loopback_reads_without_a_key_only_when_allowed(settings, db):
    from service.main import create_app
    allowed = Settings(**{**settings.model_dump(), "metrics_allow_loopback": True})
    for address, status in (("127.0.0.1", 200), ("::1", 200), ("203.0.113.7", 401), ("testclient", 401)):
        with TestClient(create_app(allowed), client=(address, 50000)) as client:
            assert client.get("/metrics").status_code == status, address
    with TestClient(create_app(settings), client=("127.0.0.1", 50000)) as client:  # the default: a key is needed
        assert client.get("/metrics").status_code == 401


def test_requests_are_counted_by_route_template_never_by_record_id(client, db):
    built = world.build(client, db)
    admin = built.headers["admin"]
    before = client.get("/metrics", headers=admin).text
    for trainee in ("TR-own", "TR-other", "TR-nobody-9137"):
        client.get(f"/v1/trainees/{trainee}", headers=admin)
    client.get("/v1/trainees/TR-own", headers={"Authorization": "Bearer jm_wrong"})  # refused before routing
    client.get("/no/such/page/TR-own")
    after = client.get("/metrics", headers=admin).text
    template = "/v1/trainees/{external_id}"
    assert requests_counted(after, template) - requests_counted(before, template) == 2
    assert requests_counted(after, template, "404") - requests_counted(before, template, "404") == 1
    assert requests_counted(after, template, "401") - requests_counted(before, template, "401") == 1
    assert requests_counted(after, "unmatched", "404") - requests_counted(before, "unmatched", "404") == 1
    assert value(after, "jobmatch_http_request_duration_seconds_count", method="GET", route=template) >= 3
    assert not re.search(r"TR-|/no/such", after)  # no id or raw path in any label


def test_index_sizes_models_in_use_and_the_last_nightly_run(client, db):
    built = world.build(client, db)  # two job-ready trainees, two open openings, and one complete nightly run
    admin = built.headers["admin"]
    text = client.get("/metrics", headers=admin).text
    assert value(text, "jobmatch_match_index_rows", table="openings") == 2
    assert value(text, "jobmatch_match_index_rows", table="trainees") == 2
    assert value(text, "jobmatch_model_info", kind="outcome", version=WeightedScorer().version) == 1
    assert value(text, "jobmatch_model_info", kind="demand", version="neutral") == 1
    run = client.get("/v1/match-runs", headers=admin).json()["data"][0]
    assert value(text, "jobmatch_nightly_last_run_proposals") == run["counts"]["proposals"]
    assert value(text, "jobmatch_nightly_last_run_duration_seconds") >= 0
    assert {labels for (name, labels) in samples(text) if name == "jobmatch_nightly_last_run_stage_seconds"} == {
        (("stage", stage),) for stage in ("load", "candidates", "assignment", "write")}
    body = {**world.opening_body("own"), "title": "Second tailor"}
    assert client.put("/v1/openings/OP-new", json=body, headers=admin).status_code == 201
    fresher = client.get("/metrics", headers=admin).text  # the index has read the change before it is reported
    assert value(fresher, "jobmatch_match_index_rows", table="openings") == 3
    sites = len(client.app.state.reference.served())  # each site's index takes the change in as one delta
    assert value(fresher, "jobmatch_match_index_segments", table="openings") == value(
        text, "jobmatch_match_index_segments", table="openings") + sites


def test_two_workers_count_every_request_whichever_answers_the_scrape(db, database_url, tmp_path):
    key = {"Authorization": f"Bearer {make_key(db, 'admin')}"}
    shared = tmp_path / "metrics"
    shared.mkdir()
    (shared / "counter_1.db").write_bytes(b"")  # an earlier server's leftover: emptied at start
    with serve(database_url, tmp_path / "server.log", workers=2, metrics_dir=shared) as (_, base):
        for _ in range(30):  # a new connection each: the two workers share them out
            assert httpx.get(f"{base}/v1/trainees?limit=1", headers=key, timeout=30).status_code == 200
        scrapes = [httpx.get(f"{base}/metrics", headers=key, timeout=30).text for _ in range(6)]
    assert [requests_counted(text, "/v1/trainees") for text in scrapes] == [30] * 6
    assert [requests_counted(text, "/metrics") for text in scrapes] == list(range(6))  # counted once answered
    assert all(value(text, "jobmatch_match_index_rows", table="trainees") == 0 for text in scrapes)
    assert not (shared / "counter_1.db").exists() and len(list(shared.glob("counter_*.db"))) >= 1
