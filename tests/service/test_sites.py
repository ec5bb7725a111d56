"""Several sites in one deployment: a new site is a folder of files (no code), its records take their site from
their partner or district, matching and nightly runs stay within a site (unless she is willing to relocate and both
sites allow it), money is stated in the site's currency, and a key of one site never receives another site's
records."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.core.config import Settings
from tests.conftest import REPO, make_key

AS_OF = "2026-11-01"
LAKE = "lakeland"
LAKE_PARTNER = "lakeland_partner"
# Made-up districts of the made-up site, each on the ground of a West Bengal one (same point, zone and area type):
# without the site boundary a West Bengal woman would be matched to them as readily as to her own.
LAKE_DISTRICTS = {"kolkata": ("mae_lao", "Mae Lao"), "howrah": ("chiang_dao", "Chiang Dao"),
                  "malda": ("wiang_pa", "Wiang Pa")}
pytestmark = pytest.mark.usefixtures("frozen_today")


def add_site(data: Path, *, relocation: bool) -> None:
    """data/sites/lakeland, made from West Bengal's files: new code, name, districts, partner, money and zone."""
    source, folder = data / "sites" / "west_bengal", data / "sites" / LAKE
    folder.mkdir()
    doc = json.loads((source / "site.json").read_text(encoding="utf-8"))
    doc.update(code=LAKE, name="Lakeland", country="TH", currency="THB", currency_symbol="฿",
               timezone="Asia/Bangkok", languages=["th", "en"], relocation_across_sites=relocation)
    (folder / "site.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    wages = (source / doc["minimum_wages"]).read_text(encoding="utf-8")  # amounts in bahts: the neutral column
    (folder / doc["minimum_wages"]).write_text(wages.replace("monthly_wage_inr", "monthly_wage", 1), encoding="utf-8")
    with open(source / doc["gazetteer"], encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["code"] in LAKE_DISTRICTS]
    with open(folder / doc["gazetteer"], "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            code, name = LAKE_DISTRICTS[row["code"]]
            writer.writerow({**row, "code": code, "name": name, "aliases": "", "headquarters": name})
    (folder / doc["training_centres"]).write_text("partner_org,district,lat,lon,note\n"
                                                 f"{LAKE_PARTNER},Mae Lao,,,a made-up partner\n", encoding="utf-8")


def allow_relocation(data: Path, site: str, allowed: bool) -> None:
    path = data / "sites" / site / "site.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**doc, "relocation_across_sites": allowed}, ensure_ascii=False), encoding="utf-8")


def data_with_sites(tmp_path: Path, *, lake_relocation: bool = False, bengal_relocation: bool = False) -> Path:
    """A copy of the repository's reference data with the made-up site beside West Bengal."""
    data = tmp_path / "data"
    (data / "sites").mkdir(parents=True)
    shutil.copy(REPO / "data" / "taxonomy.json", data / "taxonomy.json")
    shutil.copytree(REPO / "data" / "sites" / "west_bengal", data / "sites" / "west_bengal")
    shutil.copytree(REPO / "data" / "programme", data / "programme")
    allow_relocation(data, "west_bengal", bengal_relocation)
    add_site(data, relocation=lake_relocation)
    return data


def serve(database_url: str, data: Path) -> TestClient:
    from service.main import create_app
    return TestClient(create_app(Settings(database_url=database_url, data_dir=data, log_format="text",
                                          sites=["west_bengal", LAKE])))


def write_bundle(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text.strip() + "\n", encoding="utf-8")
    return folder


LAKE_BUNDLE = {
    "employers.csv": """
external_id,name,sector,district,lat,lon,vetted,vetted_on
LK-EM-1,Lakeside Garments,apparel,Chiang Dao,,,true,2026-06-01
""",
    "trainees.csv": """
external_id,partner_org,cohort,status,district,skills,languages,education,preferred_sectors,expected_wage,willing_to_relocate,max_commute_minutes
LK-TR-1,lakeland_partner,2026-A,job_ready,Mae Lao,Tailoring:2,th,secondary,apparel,9000,no,120
""",
    "openings.csv": """
external_id,employer_external_id,title,occupation,required_skills,district,monthly_wage,positions,shift,transport_provided,accommodation_provided,status,posted_on,closes_on
LK-OP-1,LK-EM-1,Tailor,sewing_machine_operator,stitching:2,Chiang Dao,13000,2,day,yes,yes,open,2026-10-01,2026-12-31
""",
    "market_signals.csv": """
district,occupation,period,postings,source
Chiang Dao,sewing_machine_operator,2026-09,12,job_board
""",
}


def bengal_records(client: TestClient, admin: dict[str, str], *, willing_to_relocate: bool = False) -> None:
    """West Bengal's own: an employer, an opening a Kolkata woman qualifies for, and her (through the API)."""
    employer = {"name": "Synthetic Employer", "sector": "apparel", "district": "Howrah", "vetted": True,
                "vetted_on": "2026-06-01"}
    trainee = {"partner_org": "kolkata_metro", "status": "job_ready", "district": "Kolkata",
               "skills": [{"label": "Tailoring", "level": 2}], "languages": ["bn"], "max_commute_minutes": 120,
               "willing_to_relocate": willing_to_relocate, "expected_wage_inr": 9000}
    opening = {"employer_external_id": "WB-EM-1", "title": "Tailor", "occupation": "sewing_machine_operator",
               "district": "Howrah", "monthly_wage_inr": 13000, "required_skills": [{"label": "stitching", "level": 2}],
               "posted_on": "2026-10-01", "closes_on": "2026-12-31", "positions": 2, "accommodation_provided": True}
    assert client.put("/v1/employers/WB-EM-1", json=employer, headers=admin).status_code == 201
    assert client.put("/v1/trainees/WB-TR-1", json=trainee, headers=admin).status_code == 201
    assert client.put("/v1/openings/WB-OP-1", json=opening, headers=admin).status_code == 201
    assert client.put("/v1/market-signals/Howrah/cashier/2026-09", json={"postings": 3},
                      headers=admin).status_code == 201


def import_lakeland(client: TestClient, tmp_path: Path) -> None:
    from service.imports.service import import_bundle
    bundle = write_bundle(tmp_path / "lakeland-bundle", LAKE_BUNDLE)
    report = import_bundle(engine=client.app.state.engine, reference=client.app.state.reference, path=bundle)
    assert report.files["trainees.csv"].inserted == 1


def nightly_for_every_site(client: TestClient) -> dict[str, int]:
    from service.models_registry.matcher import build_matcher
    from service.nightly.run import RunOptions, run_nightly
    runs = {}
    for code in client.app.state.reference.served():
        reference = client.app.state.reference.of(code)
        matcher, versions = build_matcher(db=client.app.state.engine, reference=reference)
        run = run_nightly(db=client.app.state.engine, reference=reference, matcher=matcher, model_versions=versions,
                          options=RunOptions(as_of=datetime.date.fromisoformat(AS_OF)))
        assert run.site == code
        runs[code] = run.id
    return runs


@pytest.fixture
def two_sites(db: Engine, database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    with serve(database_url, data_with_sites(tmp_path)) as client:
        yield client


def test_a_site_added_as_files_is_served_matched_and_run_without_code(two_sites, db, tmp_path):
    client = two_sites
    admin = {"Authorization": f"Bearer {make_key(db, 'admin')}"}
    bengal_records(client, admin)
    import_lakeland(client, tmp_path)

    her = client.get("/v1/trainees/LK-TR-1", headers=admin).json()
    assert (her["site"], her["currency"], her["expected_wage_inr"]) == (LAKE, "THB", 9000)
    opening = client.get("/v1/openings/LK-OP-1", headers=admin).json()
    assert (opening["site"], opening["currency"], opening["monthly_wage_inr"]) == (LAKE, "THB", 13000)
    assert client.get("/v1/openings/WB-OP-1", headers=admin).json()["currency"] == "INR"
    assert client.get("/v1/employers/LK-EM-1", headers=admin).json()["site"] == LAKE

    matches = client.get(f"/v1/trainees/LK-TR-1/matches?as_of={AS_OF}&include_blocked=true", headers=admin).json()
    assert [(m["opening_external_id"], m["blocked"]) for m in matches["data"]] == [("LK-OP-1", False)]
    assert matches["data"][0]["opening"]["currency"] == "THB"
    bengal = client.get(f"/v1/trainees/WB-TR-1/matches?as_of={AS_OF}&include_blocked=true", headers=admin).json()
    assert [m["opening_external_id"] for m in bengal["data"]] == ["WB-OP-1"]
    candidates = client.get(f"/v1/openings/LK-OP-1/candidates?as_of={AS_OF}", headers=admin).json()
    assert [c["trainee_external_id"] for c in candidates["data"]] == ["LK-TR-1"]

    runs = nightly_for_every_site(client)
    for site, trainee, opening_id in ((LAKE, "LK-TR-1", "LK-OP-1"), ("west_bengal", "WB-TR-1", "WB-OP-1")):
        answer = client.get(f"/v1/match-runs/latest/proposals?site={site}", headers=admin).json()
        assert answer["run_id"] == runs[site]
        assert {(p["trainee_external_id"], p["opening_external_id"]) for p in answer["data"]} == {(trainee, opening_id)}
    listed = client.get(f"/v1/match-runs?site={LAKE}", headers=admin).json()
    assert [run["site"] for run in listed["data"]] == [LAKE]


def test_money_of_a_site_that_is_not_rupees_must_not_be_named_in_rupees(two_sites, db, tmp_path):
    from service.imports.service import BundleInvalid, import_bundle
    files = {**LAKE_BUNDLE, "openings.csv": LAKE_BUNDLE["openings.csv"].replace(",monthly_wage,", ",monthly_wage_inr,")}
    bundle = write_bundle(tmp_path / "rupees", files)
    with pytest.raises(BundleInvalid) as refused:
        import_bundle(engine=two_sites.app.state.engine, reference=two_sites.app.state.reference, path=bundle)
    problems = {(p["file"], p["line"], p["column"]) for p in refused.value.errors}
    assert ("openings.csv", 2, "monthly_wage_inr") in problems
    assert "name the column 'monthly_wage'" in str(refused.value.errors)
    both = {**LAKE_BUNDLE, "trainees.csv": LAKE_BUNDLE["trainees.csv"].replace(
        ",expected_wage,", ",expected_wage,expected_wage_inr,").replace(",9000,", ",9000,9000,")}
    with pytest.raises(BundleInvalid) as twice:
        import_bundle(engine=two_sites.app.state.engine, reference=two_sites.app.state.reference,
                      path=write_bundle(tmp_path / "both", both))
    assert any(p["file"] == "trainees.csv" and p["line"] == 1 for p in twice.value.errors)


def test_a_record_whose_district_no_served_site_names_is_refused(two_sites, db):
    admin = {"Authorization": f"Bearer {make_key(db, 'admin')}"}
    body = {"name": "Nowhere Ltd", "sector": "apparel", "district": "Atlantis"}
    answer = two_sites.put("/v1/employers/X-1", json=body, headers=admin)
    assert answer.status_code == 422 and "Atlantis" in answer.text


def _get_routes(client: TestClient) -> list[str]:
    paths = client.get("/openapi.json").json()["paths"]
    return [path for path, operations in paths.items() if path.startswith("/v1/") and "get" in operations]


def test_keys_of_one_site_never_receive_another_sites_records(two_sites, db, tmp_path):
    client = two_sites
    admin = {"Authorization": f"Bearer {make_key(db, 'admin')}"}
    bengal_records(client, admin)
    import_lakeland(client, tmp_path)
    runs = nightly_for_every_site(client)
    keys = {"coordinator": {"Authorization": f"Bearer {make_key(db, 'coordinator', partner_org=LAKE_PARTNER)}"},
            "employer": {"Authorization": f"Bearer {make_key(db, 'employer', employer_external_id='LK-EM-1')}"}}
    bengal_ids = {"external_id": ["WB-TR-1", "WB-OP-1", "WB-EM-1"], "run_id": [str(runs["west_bengal"])]}
    lake_ids = {"external_id": ["LK-TR-1", "LK-OP-1", "LK-EM-1"], "run_id": [str(runs[LAKE])]}
    assert "WB-OP-1" in client.get("/v1/openings", headers=admin).text  # the admin sees both: the test has teeth

    asked = 0
    for route in _get_routes(client):
        names = re.findall(r"{(\w+)}", route)
        if any(name not in ("external_id", "run_id") for name in names):
            continue  # keyed by something else (a district, a handle...): the lists cover their records
        urls = [(route, "")]
        if names:
            name = names[0]
            urls = [(route.replace(f"{{{name}}}", value), value) for value in bengal_ids[name] + lake_ids[name]]
        for role, headers in keys.items():
            for url, value in urls:
                answer = client.get(url, headers=headers)
                asked += 1
                # A refusal may repeat the id asked for; nothing else of the other site may appear.
                text = answer.text.replace(value, "") if answer.status_code >= 400 and value else answer.text
                assert "WB-" not in text, (role, url, answer.text[:300])
                assert str(runs["west_bengal"]) not in re.findall(r'"run_id":\s*(\d+)', answer.text), (role, url)
    assert asked > 20
    # and they do see their own site's records
    assert "LK-OP-1" in client.get("/v1/openings", headers=keys["coordinator"]).text
    assert "LK-OP-1" in client.get("/v1/openings", headers=keys["employer"]).text
    assert "LK-EM-1" in client.get("/v1/employers", headers=keys["coordinator"]).text
    assert client.get(f"/v1/match-runs/{runs['west_bengal']}", headers=keys["coordinator"]).status_code == 404
    assert client.get("/v1/match-runs/latest/proposals?site=west_bengal",
                      headers=keys["coordinator"]).status_code == 404


@pytest.mark.parametrize(("lake_allows", "bengal_allows", "willing", "crosses"), [
    (True, True, True, True),
    (True, False, True, False),
    (False, True, True, False),
    (True, True, False, False),
])
def test_proposals_cross_sites_only_for_a_woman_willing_to_relocate_where_both_sites_allow_it(
        db, database_url, tmp_path, lake_allows, bengal_allows, willing, crosses):
    data = data_with_sites(tmp_path, lake_relocation=lake_allows, bengal_relocation=bengal_allows)
    with serve(database_url, data) as client:
        admin = {"Authorization": f"Bearer {make_key(db, 'admin')}"}
        bengal_records(client, admin, willing_to_relocate=willing)
        import_lakeland(client, tmp_path)
        client.patch("/v1/openings/WB-OP-1", json={"status": "closed"}, headers=admin)  # only Lakeland's is open
        matches = client.get(f"/v1/trainees/WB-TR-1/matches?as_of={AS_OF}", headers=admin).json()
        assert ("LK-OP-1" in {m["opening_external_id"] for m in matches["data"]}) is crosses
        candidates = client.get(f"/v1/openings/LK-OP-1/candidates?as_of={AS_OF}", headers=admin).json()
        assert ("WB-TR-1" in {c["trainee_external_id"] for c in candidates["data"]}) is crosses
        nightly_for_every_site(client)
        proposed = client.get(f"/v1/match-runs/latest/proposals?site={LAKE}", headers=admin).json()
        pairs = {(p["trainee_external_id"], p["opening_external_id"]) for p in proposed["data"]}
        assert (("WB-TR-1", "LK-OP-1") in pairs) is crosses
        bengal = client.get("/v1/match-runs/latest/proposals?site=west_bengal", headers=admin).json()
        assert all(p["opening_external_id"].startswith("WB-") for p in bengal["data"])


def test_an_opening_is_in_its_employers_site(two_sites, db, tmp_path):
    from service.imports.service import BundleInvalid, import_bundle
    client = two_sites
    admin = {"Authorization": f"Bearer {make_key(db, 'admin')}"}
    bengal_records(client, admin)
    elsewhere = {"employer_external_id": "WB-EM-1", "title": "Tailor", "occupation": "sewing_machine_operator",
                 "district": "Mae Lao", "monthly_wage_inr": 13000}
    answer = client.put("/v1/openings/WB-OP-2", json=elsewhere, headers=admin)
    assert answer.status_code == 422 and "employer's site" in answer.text
    assert client.patch("/v1/openings/WB-OP-1", json={"district": "Wiang Pa"}, headers=admin).status_code == 422
    files = {name: LAKE_BUNDLE[name] for name in ("employers.csv", "openings.csv")}
    files["openings.csv"] = files["openings.csv"].replace(",Chiang Dao,13000", ",Howrah,13000")
    with pytest.raises(BundleInvalid) as refused:
        import_bundle(engine=client.app.state.engine, reference=client.app.state.reference,
                      path=write_bundle(tmp_path / "astray", files))
    assert [(p["file"], p["line"], p["column"]) for p in refused.value.errors] == [("openings.csv", 2, "district")]


def test_the_command_line_lists_the_sites_and_runs_the_nightly_per_site(two_sites, db, database_url, tmp_path):
    import os
    import subprocess
    import sys
    client = two_sites
    admin = {"Authorization": f"Bearer {make_key(db, 'admin')}"}
    bengal_records(client, admin)
    import_lakeland(client, tmp_path)
    env = {**os.environ, "JOBMATCH_DATABASE_URL": database_url, "JOBMATCH_LOG_FORMAT": "text",
           "JOBMATCH_DATA_DIR": str(tmp_path / "data")}

    def jobmatch(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "service", *args], capture_output=True, text=True, env=env,
                              cwd=REPO, timeout=300)

    listed = jobmatch("sites")
    assert listed.returncode == 0, listed.stderr
    assert "lakeland: Lakeland (TH), 3 districts, money in THB (฿), partners: lakeland_partner" in listed.stdout
    assert "west_bengal: West Bengal" in listed.stdout and "[default]" in listed.stdout
    one = jobmatch("nightly", "--site", LAKE, "--as-of", AS_OF)
    assert one.returncode == 0, one.stderr
    said = one.stdout + one.stderr  # progress and summaries go to stderr, as for every command
    assert "Lakeland: run" in said and "West Bengal: run" not in said
    both = jobmatch("nightly", "--as-of", AS_OF)
    assert "Lakeland: run" in both.stderr and "West Bengal: run" in both.stderr
    unknown = jobmatch("nightly", "--site", "atlantis")
    assert unknown.returncode == 1 and "Traceback" not in unknown.stderr + unknown.stdout
    assert "jobmatch sites" in unknown.stderr + unknown.stdout
    runs = client.get("/v1/match-runs", headers=admin).json()["data"]
    assert sorted(run["site"] for run in runs) == [LAKE, LAKE, "west_bengal"]
    assert [run["status"] for run in runs if run["site"] == LAKE] == ["complete", "superseded"]


def test_the_console_shows_each_wage_in_its_sites_money_and_offers_the_sites_a_key_works_in(two_sites, db, tmp_path):
    from tests.service.console.conftest import sign_in
    client = two_sites
    admin_key = make_key(db, "admin")
    bengal_records(client, {"Authorization": f"Bearer {admin_key}"})
    import_lakeland(client, tmp_path)
    assert sign_in(client, admin_key).status_code in (200, 303)
    opening = client.get("/console/openings/LK-OP-1").text
    assert "฿13,000" in opening and "₹" not in opening.split("<main", 1)[-1]
    home = client.get(f"/console/?site={LAKE}").text
    assert "Placement console · Lakeland" in home and 'href="?site=west_bengal"' in home
    coordinator = TestClient(client.app)
    sign_in(coordinator, make_key(db, "coordinator", partner_org=LAKE_PARTNER))
    page = coordinator.get("/console/").text
    assert "Placement console · Lakeland" in page and "?site=" not in page
    assert coordinator.get("/console/openings/WB-OP-1").status_code == 404


def test_a_key_writes_records_of_its_own_site_only(two_sites, db, tmp_path):
    client = two_sites
    admin = {"Authorization": f"Bearer {make_key(db, 'admin')}"}
    bengal_records(client, admin)
    import_lakeland(client, tmp_path)
    coordinator = {"Authorization": f"Bearer {make_key(db, 'coordinator', partner_org=LAKE_PARTNER)}"}
    employer = {"name": "Elsewhere Ltd", "sector": "apparel", "district": "Howrah"}
    assert client.put("/v1/employers/X-1", json=employer, headers=coordinator).status_code == 403
    assert client.put("/v1/employers/X-1", json={**employer, "district": "Wiang Pa"},
                      headers=coordinator).status_code == 201
    assert client.patch("/v1/employers/X-1", json={"district": "Malda"}, headers=coordinator).status_code == 403
    assert client.put("/v1/market-signals/Howrah/cashier/2026-10", json={"postings": 1},
                      headers=coordinator).status_code == 403


def test_a_keys_bundle_writes_records_of_its_own_site_only(two_sites, db, tmp_path):
    client = two_sites
    import_lakeland(client, tmp_path)
    coordinator = {"Authorization": f"Bearer {make_key(db, 'coordinator', partner_org=LAKE_PARTNER)}"}
    employers = ("external_id,name,sector,district,lat,lon,vetted,vetted_on\n"
                 "LK-EM-2,Lakeside Tailors,apparel,Wiang Pa,,,true,2026-06-01\n"
                 "WB-EM-9,Elsewhere Ltd,apparel,Howrah,,,true,2026-06-01\n")
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as archive:
        archive.writestr("bundle/employers.csv", employers)
    refused = client.post("/v1/imports", files={"file": ("bundle.zip", payload.getvalue(), "application/zip")},
                          headers=coordinator)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"] == [{"file": "employers.csv", "line": 3, "column": "district",
                                         "reason": "this key works in lakeland; the row's site is 'west_bengal'"}]
    admin = {"Authorization": f"Bearer {make_key(db, 'admin')}"}
    assert client.get("/v1/employers/LK-EM-2", headers=admin).status_code == 404  # nothing of it was written
