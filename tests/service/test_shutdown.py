"""Stopping gracefully: on SIGTERM, `jobmatch serve` (one worker or several) lets a request in flight finish and
answer before it exits; `jobmatch nightly` stops as on Ctrl-C, writes nothing of its own, and releases its lock so
that the next run can start."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from service.imports.service import import_bundle
from service.nightly.lock import nightly_lock
from service.nightly.models import MatchRun, Proposal
from tests.conftest import REPO, make_key
from tests.service.auth.world import employer_body
from tests.service.nightly.test_run import AS_OF, run
from tests.service.test_saturation import serve


def read_answer(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_lets_a_request_in_flight_finish_then_stops(db, database_url, tmp_path, workers):
    key = make_key(db, "admin")
    body = httpx.Request("PUT", "http://x", json=employer_body("own")).content
    with serve(database_url, tmp_path / "server.log", workers=workers, shutdown_timeout_seconds=60) as (process,
                                                                                                       base):
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as connection:
            connection.sendall(f"PUT /v1/employers/EM-late HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
                               f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                               + body[:10])
            assert httpx.get(f"{base}/healthz", timeout=30).status_code == 200
            time.sleep(0.5)  # let the request reach the app before the signal (not a measurement)
            process.send_signal(signal.SIGTERM)
            time.sleep(0.5)  # the server is stopping now, the request still waits for the rest of its body
            connection.sendall(body[10:])
            answer = read_answer(connection)
        process.wait(timeout=60)
    assert answer.startswith(b"HTTP/1.1 201"), answer[:200]
    assert b"x-request-id:" in answer.lower()
    with Session(db) as session:
        from service.employers.models import Employer
        assert session.exec(select(Employer.name).where(Employer.external_id == "EM-late")).one() == (
            "Synthetic Employer own",)
    assert process.returncode is not None


def test_sigterm_stops_a_nightly_run_writing_nothing_and_frees_its_lock(db, reference, database_url):
    import_bundle(engine=db, reference=reference, path=REPO / "data" / "demo")
    previous = run(db, reference)
    env = {**os.environ, "JOBMATCH_DATABASE_URL": database_url, "JOBMATCH_NIGHTLY_WRITE_CHUNK": "5",
           "JOBMATCH_LOG_FORMAT": "text", "JOBMATCH_LOG_LEVEL": "INFO"}
    process = subprocess.Popen([sys.executable, "-m", "service", "nightly", "--as-of", AS_OF.isoformat()],
                               env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    said = []
    for line in process.stderr:  # stopped in the middle of its one transaction
        said.append(line)
        if "nightly run writing" in line:
            process.send_signal(signal.SIGTERM)
            break
    said += process.stderr.readlines()
    process.wait(timeout=120)
    errors = [line for line in said if line.startswith("error: ")]
    assert process.returncode == 128 + signal.SIGTERM, "".join(said)
    assert errors == ["error: stopped (SIGTERM); a command that writes writes all or nothing\n"]
    assert any("nightly run stopped: nothing of it is written" in line for line in said)
    assert not any("Traceback" in line for line in said)
    with nightly_lock(db):  # free: taken and given back at once
        pass
    with Session(db) as session:
        assert dict(session.execute(select(MatchRun.id, MatchRun.status)).all()) == {previous.id: "complete"}
        assert session.execute(select(func.count()).select_from(Proposal)
                               .where(Proposal.run_id != previous.id)).scalar() == 0
    again = run(db, reference)  # the next run starts and completes
    assert again.status == "complete"
