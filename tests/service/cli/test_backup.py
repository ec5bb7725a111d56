"""`jobmatch backup` and `jobmatch restore`: a consistent copy while the service writes; a restore that checks the
file, refuses while the database is in use or without --yes, and swaps the database whole; on PostgreSQL, the
exact pg_dump / pg_restore command (and that command works)."""

from __future__ import annotations

import shlex
import shutil
import sqlite3
import subprocess
import threading
from contextlib import closing
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from service import cli_backup
from service.core.config import Settings
from service.core.migrate import head_revision, upgrade
from tests.conftest import REPO, make_key
from tests.service.auth.world import trainee_body
from tests.service.cli.conftest import one_error_line


@pytest.fixture
def sqlite_db(tmp_path: Path) -> tuple[str, Path]:
    """A migrated SQLite database file of its own (the session's database stays open in its engine)."""
    path = tmp_path / "var" / "jobmatch.db"
    upgrade(f"sqlite:///{path}")
    return f"sqlite:///{path}", path


def serving(url: str) -> TestClient:
    from service.main import create_app
    return TestClient(create_app(Settings(database_url=url, data_dir=REPO / "data", log_format="text")))


def trainees(path: Path) -> set[str]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return {row[0] for row in connection.execute("SELECT external_id FROM trainee")}


def add_trainees(client: TestClient, headers: dict[str, str], names: list[str]) -> None:
    for name in names:
        assert client.put(f"/v1/trainees/{name}", json=trainee_body("own"), headers=headers).status_code == 201


def test_a_backup_taken_while_the_service_writes_is_one_consistent_moment(sqlite_db, jobmatch, tmp_path):
    url, path = sqlite_db
    with serving(url) as client:
        admin = {"Authorization": f"Bearer {make_key(client.app.state.engine, 'admin')}"}
        add_trainees(client, admin, [f"TR-{n}" for n in range(20)])
        writer = threading.Thread(target=add_trainees, args=(client, admin, [f"TR-w{n}" for n in range(40)]))
        writer.start()
        result = jobmatch(url, "backup", str(tmp_path / "copy.db"))
        writer.join()
        assert result.exit_code == 0, result.output
        copied = trainees(tmp_path / "copy.db")
        assert {f"TR-{n}" for n in range(20)} <= copied <= trainees(path)
        # whole writes only: every trainee in the copy has her change-log entry and audit event of the same moment
        with closing(sqlite3.connect(tmp_path / "copy.db")) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            logged = copy.execute("SELECT count(*) FROM change_log WHERE entity = 'trainee'").fetchone()[0]
        assert logged == len(copied)
        assert f"{len(copied):,} trainees" in result.stderr and f"migration {head_revision()}" in result.stderr
        assert not list(tmp_path.glob(".copy.db.partial-*"))
        again = jobmatch(url, "backup", str(tmp_path / "copy.db"))
        assert "exists: choose another name, or add --force" in one_error_line(again)
        assert jobmatch(url, "backup", "--force", str(tmp_path / "copy.db")).exit_code == 0


def test_restore_asks_for_yes_refuses_while_in_use_then_swaps_the_database_whole(sqlite_db, jobmatch, tmp_path):
    url, path = sqlite_db
    with serving(url) as client:
        admin = {"Authorization": f"Bearer {make_key(client.app.state.engine, 'admin')}"}
        add_trainees(client, admin, ["TR-kept"])
        assert jobmatch(url, "backup", str(tmp_path / "copy.db")).exit_code == 0
        add_trainees(client, admin, ["TR-after-backup"])
        line = one_error_line(jobmatch(url, "restore", str(tmp_path / "copy.db")))
        assert "restoring replaces the database" in line and "--yes" in line
        line = one_error_line(jobmatch(url, "restore", "--yes", str(tmp_path / "copy.db")))
        assert "is in use" in line and "stop them" in line
        assert trainees(path) == {"TR-kept", "TR-after-backup"}  # untouched
    restored = jobmatch(url, "restore", "--yes", str(tmp_path / "copy.db"))
    assert restored.exit_code == 0, restored.output
    assert trainees(path) == {"TR-kept"}
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    with serving(url) as client:  # the service runs on the restored database, and writes to it
        admin = {"Authorization": f"Bearer {make_key(client.app.state.engine, 'admin')}"}
        assert client.get("/readyz").status_code == 200
        add_trainees(client, admin, ["TR-new"])
        assert client.get("/v1/trainees/TR-kept", headers=admin).status_code == 200
        assert client.get("/v1/trainees/TR-after-backup", headers=admin).status_code == 404
    assert trainees(path) == {"TR-kept", "TR-new"}


def test_restore_into_a_new_place_needs_no_yes(sqlite_db, jobmatch, tmp_path):
    url, _ = sqlite_db
    assert jobmatch(url, "backup", str(tmp_path / "copy.db")).exit_code == 0
    fresh = tmp_path / "elsewhere" / "jobmatch.db"
    assert jobmatch(f"sqlite:///{fresh}", "restore", str(tmp_path / "copy.db")).exit_code == 0
    assert trainees(fresh) == set()


def test_a_restore_interrupted_mid_copy_leaves_the_database_as_it_was(sqlite_db, jobmatch, tmp_path, monkeypatch):
    url, path = sqlite_db
    with serving(url) as client:
        admin = {"Authorization": f"Bearer {make_key(client.app.state.engine, 'admin')}"}
        add_trainees(client, admin, [f"TR-{n}" for n in range(30)])
    assert jobmatch(url, "backup", str(tmp_path / "copy.db")).exit_code == 0
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("DELETE FROM change_log")
        connection.commit()
    before = trainees(path)

    class StopMidway:
        def start(self, stage: str, total: int) -> None:
            assert total > 4

        def advance(self, units: int = 1) -> None:
            raise KeyboardInterrupt  # Ctrl-C after the first pages

    monkeypatch.setattr(cli_backup, "PAGES_PER_STEP", 2)
    with pytest.raises(KeyboardInterrupt):
        cli_backup.restore(database=path, source=tmp_path / "copy.db", confirmed=True, progress=StopMidway())
    assert trainees(path) == before
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("SELECT count(*) FROM change_log").fetchone() == (0,)
    assert not [p for p in path.parent.iterdir() if "partial" in p.name]


def test_restore_checks_the_file_first(sqlite_db, jobmatch, tmp_path):
    url, path = sqlite_db
    assert jobmatch(url, "backup", str(tmp_path / "copy.db")).exit_code == 0
    good = (tmp_path / "copy.db").read_bytes()
    (tmp_path / "notes.txt").write_text("not a database")
    (tmp_path / "half.db").write_bytes(good[: len(good) // 2])
    with closing(sqlite3.connect(tmp_path / "other.db")) as other:
        other.execute("CREATE TABLE things (x)")
    shutil.copy(tmp_path / "copy.db", tmp_path / "newer.db")
    with closing(sqlite3.connect(tmp_path / "newer.db")) as newer:
        newer.execute("UPDATE alembic_version SET version_num = '9999'")
        newer.commit()
    expected = {"missing.db": "does not exist", "notes.txt": "is not a SQLite database", "half.db": "is damaged",
                "other.db": "is not a jobmatch database", "newer.db": "migration 9999, which this jobmatch does not "
                                                                      "know"}
    for name, words in expected.items():
        line = one_error_line(jobmatch(url, "restore", "--yes", str(tmp_path / name)))
        assert words in line, (name, line)
    assert trainees(path) == set() and (tmp_path / "copy.db").read_bytes() == good


def test_a_backup_at_an_earlier_migration_restores_and_says_to_upgrade(jobmatch, tmp_path):
    older = tmp_path / "older.db"
    upgrade(f"sqlite:///{older}", "0008")
    target = tmp_path / "var" / "jobmatch.db"
    result = jobmatch(f"sqlite:///{target}", "restore", str(older))
    assert result.exit_code == 0 and "run `jobmatch db upgrade` before serving" in result.stderr
    assert "needs migrating" in one_error_line(jobmatch(f"sqlite:///{target}", "nightly"))


def test_on_postgresql_both_commands_name_the_exact_command_and_it_works(db, database_url, jobmatch, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL way")
    password_url = database_url.replace("postgres@", "postgres:s3cret@", 1)
    dump = tmp_path / "jobmatch.dump"
    backup_line = one_error_line(jobmatch(password_url, "backup", str(dump)))
    restore_line = one_error_line(jobmatch(password_url, "restore", str(dump)))
    assert "s3cret" not in backup_line + restore_line
    assert "pg_dump --format=custom" in backup_line and "pg_restore --clean" in restore_line
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed here")
    make_key(db, "admin")
    subprocess.run(shlex.split(backup_line.split("): ", 1)[1]), check=True, timeout=120)
    with db.begin() as connection:
        connection.execute(text("DELETE FROM api_key"))
    subprocess.run(shlex.split(restore_line.split("): ", 1)[1]), check=True, timeout=120)
    with db.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM api_key")).scalar_one() == 1
