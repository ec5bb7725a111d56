"""Console page times: how long each screen takes to answer, on the demo programme and on a large one.

    python benchmarks/console_pages.py [--trainees 100000] [--openings 20000] [--repeat 5] [--skip-large]

For each programme it makes a fresh SQLite database, loads the programme (data/demo, or a generated bundle of the
given size), runs the nightly run (so the Proposals screen has proposals), signs in with an admin key through the
sign-in form, then asks each screen `--repeat` times over HTTP in one process (the app's own stack, no network)
and prints the median and slowest answer per screen. The first answer of each screen is shown apart (it may build
the match index and read what the index keeps until a record changes, such as the Market's pipeline of trainees)."""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def screens(trainee: str, opening: str, district: str) -> list[tuple[str, str]]:
    """(screen, path) for every console screen; paths that need a record take one of the programme's."""
    return [
        ("Today", "/console/"),
        ("Trainees (first page)", "/console/trainees"),
        ("Trainees filtered by district", f"/console/trainees?district={district}"),
        ("Trainee: profile and ranked openings", f"/console/trainees/{trainee}"),
        ("Trainee: with the blocked openings", f"/console/trainees/{trainee}?blocked=1"),
        ("Openings (first page)", "/console/openings"),
        ("Opening: ranked candidates", f"/console/openings/{opening}"),
        ("Proposals (latest run)", "/console/proposals"),
        ("Follow-ups", "/console/followups"),
        ("Imports", "/console/imports"),
        ("Market", "/console/market"),
    ]


def jobmatch(url: str, *args: str) -> str:
    """Run a `jobmatch` command on this database; its standard output."""
    done = subprocess.run([sys.executable, "-m", "service", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "JOBMATCH_DATABASE_URL": url}, check=False)
    if done.returncode != 0:
        raise SystemExit(f"jobmatch {' '.join(args)} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


def load_programme(url: str, trainees: int, openings: int, folder: Path) -> str:
    """Migrate, import the programme, run the nightly run, as an administrator would; the raw admin key."""
    bundle = REPO / "data" / "demo"
    if trainees:
        from demo.generator import generate_bundle
        bundle = folder / "bundle"
        generate_bundle(bundle, seed=7, trainees=trainees, openings=openings)
    jobmatch(url, "db", "upgrade")
    for step, args in (("imported", ("import", str(bundle))), ("nightly run", ("nightly",))):
        started = time.perf_counter()
        jobmatch(url, *args)
        print(f"  {step} in {time.perf_counter() - started:.0f} s", flush=True)
    return jobmatch(url, "keys", "create", "--role", "admin", "--name", "console benchmark").split()[0]


def measure(url: str, key: str, repeat: int) -> list[tuple[str, str, int, float, float, float]]:
    """(screen, path, status, first ms, median ms, slowest ms) per screen."""
    from fastapi.testclient import TestClient

    from service.core.config import Settings
    from service.main import create_app

    app = create_app(Settings(database_url=url))
    rows = []
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {key}"}
        some_trainee = client.get("/v1/trainees?status=job_ready&limit=1", headers=headers).json()["data"][0]
        some_opening = client.get("/v1/openings?status=open&limit=1", headers=headers).json()["data"][0]
        form = CSRF.search(client.get("/console/sign-in").text)
        assert form, "the sign-in page has no CSRF field"
        signed = client.post("/console/sign-in", data={"api_key": key, "csrf_token": form.group(1),
                                                        "next": "/console/"}, follow_redirects=False)
        assert signed.status_code == 303, signed.text
        for screen, path in screens(some_trainee["external_id"], some_opening["external_id"],
                                    some_trainee["district"]):
            started = time.perf_counter()
            first = client.get(path)  # builds the index and caches: shown apart
            first_ms = (time.perf_counter() - started) * 1000
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                answer = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
            rows.append((screen, path, answer.status_code if first.status_code == 200 else first.status_code,
                         first_ms, statistics.median(times), max(times)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trainees", type=int, default=100_000, help="trainees of the large programme")
    parser.add_argument("--openings", type=int, default=20_000, help="openings of the large programme")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-large", action="store_true", help="only the demo programme")
    args = parser.parse_args()
    os.environ.setdefault("JOBMATCH_LOG_LEVEL", "WARNING")

    programmes = [("demo programme (data/demo)", 0, 0)]
    if not args.skip_large:
        programmes.append((f"{args.trainees:,} trainees x {args.openings:,} openings", args.trainees, args.openings))
    for title, trainees, openings in programmes:
        with tempfile.TemporaryDirectory(prefix="jobmatch-console-") as folder:
            url = f"sqlite:///{Path(folder) / 'console.db'}"
            print(f"{title}: loading ...", flush=True)
            key = load_programme(url, trainees, openings, Path(folder))
            rows = measure(url, key, args.repeat)
        print(f"\n{title}, SQLite, {args.repeat} answers per screen after a first one")
        print(f"{'screen':<40}{'status':>8}{'first ms':>10}{'median ms':>12}{'slowest ms':>12}")
        for screen, _path, status, first_ms, median, slowest in rows:
            print(f"{screen:<40}{status:>8}{first_ms:>10.0f}{median:>12.0f}{slowest:>12.0f}")
        print()


if __name__ == "__main__":
    main()
