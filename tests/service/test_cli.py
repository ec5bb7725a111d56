"""The jobmatch command line, run as a user runs it (a subprocess against a real database)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.service.imports.bundles import FILES, write_bundle

REPO = Path(__file__).resolve().parents[2]


def jobmatch(database_url: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "JOBMATCH_DATABASE_URL": database_url, "JOBMATCH_LOG_FORMAT": "text"}
    return subprocess.run([sys.executable, "-m", "service", *args], capture_output=True, text=True, env=env,
                          cwd=cwd or REPO, timeout=300)


def test_every_command_has_help(tmp_path):
    from typer.testing import CliRunner

    from service.cli import app
    url = f"sqlite:///{tmp_path / 'x.db'}"
    top = jobmatch(url, "--help")  # the installed entry point, in a process of its own
    assert top.returncode == 0 and "Usage" in top.stdout
    for command in (["serve", "--help"], ["db", "upgrade", "--help"], ["import", "--help"],
                    ["export", "--help"], ["demo-data", "--help"], ["keys", "create", "--help"],
                    ["keys", "list", "--help"], ["keys", "revoke", "--help"], ["setup", "--help"],
                    ["audit", "purge", "--help"],
                    ["retention", "apply", "--help"], ["nightly", "--help"], ["train", "--help"],
                    ["forecast", "--help"]):
        result = CliRunner().invoke(app, command, prog_name="jobmatch")
        assert result.exit_code == 0 and "Usage" in result.stdout, command
    assert not (tmp_path / "x.db").exists()  # asking for help touches no database


def test_serve_with_redis_but_without_its_client_says_what_to_install(tmp_path):
    (tmp_path / "shim" / "redis").mkdir(parents=True)  # as if `jobmatch[redis]` were not installed
    (tmp_path / "shim" / "redis" / "__init__.py").write_text("raise ImportError('no redis client here')\n")
    env = {**os.environ, "JOBMATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
           "JOBMATCH_REDIS_URL": "redis://127.0.0.1:6379/0", "PYTHONPATH": f"{tmp_path / 'shim'}{os.pathsep}{REPO}"}
    result = subprocess.run([sys.executable, "-m", "service", "serve", "--port", "1"], capture_output=True,
                            text=True, env=env, cwd=REPO, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    assert "pip install 'jobmatch[redis]'" in result.stderr + result.stdout


def test_keys_create_prints_the_key_last_and_it_works(db, database_url, client, admin_headers):
    from tests.service.auth import world
    client.put("/v1/trainees/TR-1", json=world.trainee_body("own"), headers=admin_headers)  # the partner exists
    result = jobmatch(database_url, "keys", "create", "--role", "coordinator", "--partner", "kolkata_metro",
                      "--name", "Kolkata desk")
    assert result.returncode == 0, result.stderr
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("jm_")
    assert client.get("/v1/trainees", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    listed = jobmatch(database_url, "keys", "list")
    assert "Kolkata desk" in listed.stdout and key not in listed.stdout
    for unbound in (["--role", "employer"], ["--role", "coordinator"]):
        refused = jobmatch(database_url, "keys", "create", *unbound)
        assert refused.returncode != 0 and "must be bound" in refused.stderr


def test_revoked_key_is_refused(db, database_url, client):
    from service.auth import service as keys
    from service.records.unit_of_work import unit_of_work
    with unit_of_work(db) as session:
        key, raw = keys.create(session=session, role="admin")
        key_id = key.id
        keys.create(session=session, role="admin")  # the last working admin key cannot be revoked
    assert jobmatch(database_url, "keys", "revoke", str(key_id)).returncode == 0
    assert client.get("/v1/trainees", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_import_reports_every_problem_and_exits_non_zero(db, database_url, tmp_path):
    bad = FILES["openings.csv"].replace("12000,2,day", "twelve,2,day")
    result = jobmatch(database_url, "import", str(write_bundle(tmp_path / "bad", openings_csv=bad)))
    assert result.returncode == 1
    assert "openings.csv:2:monthly_wage_inr: 'twelve' is not a whole number" in result.stderr
    dry = jobmatch(database_url, "import", "--dry-run", str(write_bundle(tmp_path / "good")))
    assert dry.returncode == 0 and "dry run" in dry.stdout
    done = jobmatch(database_url, "import", str(tmp_path / "good"))
    assert done.returncode == 0, done.stderr
    exported = jobmatch(database_url, "export", str(tmp_path / "out.zip"))
    assert exported.returncode == 0 and "trainees.csv: 2 rows" in exported.stdout


def test_setup_loads_the_demo_once_and_prints_one_admin_key(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    first = jobmatch(url, "setup")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().splitlines()[-1].startswith("jm_")
    # every served site's demo programme, side by side in one database (their ids never collide)
    assert "demo bundle loaded (demo)" in first.stderr and "demo bundle loaded (demo-cambodia)" in first.stderr
    second = jobmatch(url, "setup")
    assert second.returncode == 0 and "jm_" not in second.stdout and "demo bundle loaded" not in second.stderr
    prefix = first.stdout.strip().splitlines()[-1][:10]
    assert f"an admin key already exists (prefix {prefix}, created " in second.stderr
    assert "make another with `jobmatch keys create --role admin`" in second.stderr


def test_retention_erases_only_exited_trainees_past_the_period(db, database_url, client, admin_headers):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update
    from sqlmodel import Session, select

    from service.trainees.models import Trainee
    from tests.service.auth import world
    world.build(client, db)
    client.patch("/v1/trainees/TR-own", json={"status": "exited"}, headers=admin_headers)
    client.patch("/v1/trainees/TR-other", json={"status": "exited"}, headers=admin_headers)
    with Session(db) as session:
        session.exec(update(Trainee).where(Trainee.external_id == "TR-own")
                     .values(updated_at=datetime.now(UTC) - timedelta(days=400)))
        session.commit()
    result = jobmatch(database_url, "retention", "apply", "--days", "365")
    assert result.returncode == 0 and "erased 1 " in result.stderr
    with Session(db) as session:
        ids = set(session.exec(select(Trainee.external_id)).all())
    assert "TR-own" not in ids and "TR-other" in ids


def test_train_forecast_and_nightly_from_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert jobmatch(url, "setup").returncode == 0
    trained = jobmatch(url, "train", "--as-of", "2026-11-01")
    assert trained.returncode == 0, trained.stderr
    table = [line.split("\t") for line in trained.stdout.splitlines()]
    assert table[:2] == [["# trained"], ["model", "version", "trained on", "quality"]]
    assert [row[0] for row in table[2:]] == ["demand", "outcome", "commute"]
    assert table[3][1].startswith("outcome-2026-11-01-") and table[4][1].startswith("commute-2026-11-01-")
    assert re.fullmatch(r"[\d,]+ recorded journeys", table[4][2])
    assert re.fullmatch(r"median error \d+\.\d min \(fixed rates \d+\.\d min\)", table[4][3])
    assert "market signals" in table[2][2] and " placements, " in table[3][2]
    assert re.search(r"backtest WAPE \d\.\d{3} ", table[2][3]) and re.search(r"Brier \d\.\d{3} ", table[3][3])
    assert "{" not in trained.stdout + trained.stderr  # no Python dicts
    assert "training: demand, commute and outcome models (steps) 7/7 (100%)" in trained.stderr
    forecast = jobmatch(url, "forecast", "--horizon", "6", "--out", str(tmp_path / "forecast.csv"))
    assert forecast.returncode == 0
    lines = (tmp_path / "forecast.csv").read_text().splitlines()
    assert lines[0] == "district,occupation,period,postings" and len(lines) > 100
    nightly = jobmatch(url, "nightly", "--as-of", "2026-11-01", "--export", str(tmp_path / "out"))
    assert nightly.returncode == 0, nightly.stderr
    for site, name in (("west_bengal", "West Bengal"), ("cambodia", "Cambodia")):  # one run per site, each its own
        assert re.search(rf"nightly run \({name}\): scoring candidates \(trainees\) 0/\d+ \(0%\)", nightly.stderr)
        assert re.search(rf"nightly run \({name}\): writing proposals (\d+)/\1 \(100%\)", nightly.stderr)
        assert (tmp_path / "out" / site / "proposals.csv").read_text().startswith(
            "proposal_id,status,kind,trainee_external_id")
    bad = jobmatch(url, "nightly", "--as-of", "yesterday")
    assert bad.returncode != 0 and "--as-of" in bad.stderr
