"""`jobmatch serve` in a subprocess on a free loopback port, for the tests that need a real server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(database_url: str, log: Path, **settings: object) -> Iterator[tuple[subprocess.Popen, str]]:
    """`jobmatch serve` on a loopback port with these settings; yields the process and its base URL."""
    port = free_port()
    env = {**os.environ, "JOBMATCH_DATABASE_URL": database_url, "JOBMATCH_LOG_FORMAT": "text",
           **{f"JOBMATCH_{name.upper()}": str(value) for name, value in settings.items()}}
    with open(log, "wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port",
                                    str(port)], env=env, cwd=REPO, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # up to a minute to start on a busy machine
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, log.read_text()
            time.sleep(0.1)
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
