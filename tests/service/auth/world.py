"""Two of everything: partner P1's and P2's trainees, employer E1's and E2's openings, and a key per role.
Used by the authorisation tests: 'own' records belong to the key's partner or employer, 'other' ones do not."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.conftest import make_key

PARTNERS = {"own": "kolkata_metro", "other": "north_bengal"}
EMPLOYERS = {"own": "EM-1", "other": "EM-2"}


def employer_body(side: str) -> dict:
    return {"name": f"Synthetic Employer {side}", "sector": "apparel", "district": "Howrah", "vetted": True,
            "vetted_on": "2026-06-01"}


def trainee_body(side: str) -> dict:
    return {"partner_org": PARTNERS[side], "status": "job_ready", "district": "Kolkata",
            "skills": [{"label": "Tailoring", "level": 2}], "languages": ["bn"], "is_survivor": True,
            "excluded_employers": ["EM-9"], "excluded_districts": ["Malda"], "lat": 22.61, "lon": 88.41,
            "max_commute_minutes": 120}


def opening_body(side: str) -> dict:
    return {"employer_external_id": EMPLOYERS[side], "title": "Tailor", "occupation": "sewing_machine_operator",
            "district": "Howrah", "monthly_wage_inr": 13000, "required_skills": [{"label": "stitching", "level": 2}],
            "posted_on": "2026-10-01", "closes_on": "2026-12-31", "positions": 2}


def placement_body(side: str) -> dict:
    return {"trainee_external_id": f"TR-{side}", "opening_external_id": f"OP-{side}", "started_on": "2026-01-10"}


@dataclass
class World:
    headers: dict[str, dict[str, str]]
    key_ids: dict[str, int]


def build(client: TestClient, engine: Engine) -> World:
    """Create the records through the API with an admin key; keys for every role."""
    admin = {"Authorization": f"Bearer {make_key(engine, 'admin')}"}
    for side in ("own", "other"):
        assert client.put(f"/v1/employers/{EMPLOYERS[side]}", json=employer_body(side), headers=admin).status_code == 201
        assert client.put(f"/v1/trainees/TR-{side}", json=trainee_body(side), headers=admin).status_code == 201
        assert client.put(f"/v1/openings/OP-{side}", json=opening_body(side), headers=admin).status_code == 201
        assert client.put(f"/v1/placements/PL-{side}", json=placement_body(side), headers=admin).status_code == 201
        assert client.put(f"/v1/followups/PL-{side}/1", json={"employed": True, "wellbeing": 4},
                          headers=admin).status_code in (200, 201)  # scheduled with the placement
    for period in ("2026-01", "2026-02"):
        assert client.put(f"/v1/market-signals/Howrah/cashier/{period}", json={"postings": 3},
                          headers=admin).status_code == 201
    _nightly(engine)
    headers = {
        "admin": admin,
        "coordinator": {"Authorization": f"Bearer {make_key(engine, 'coordinator', partner_org=PARTNERS['own'])}"},
        "employer": {"Authorization": f"Bearer {make_key(engine, 'employer', employer_external_id=EMPLOYERS['own'])}"},
        "batch": {"Authorization": f"Bearer {make_key(engine, 'batch')}"},
    }
    return World(headers=headers, key_ids={})


def _nightly(engine: Engine) -> None:
    """A complete match run, so that the run and proposal routes have something to answer."""
    import datetime

    from service.core.config import get_settings
    from service.core.reference import load_reference
    from service.models_registry.matcher import build_matcher
    from service.nightly.run import RunOptions, run_nightly
    settings = get_settings()
    reference = load_reference(settings.data_dir, settings.site)
    matcher, versions = build_matcher(db=engine, reference=reference)
    run_nightly(db=engine, reference=reference, matcher=matcher, model_versions=versions,
                options=RunOptions(as_of=datetime.date(2026, 11, 1)))
