"""The served rankings, which score only the rows each query selects from the live index's lists, equal a full
scan of the records as stored, before and after writes that the index takes in as deltas (scores as shown,
rounded)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from matching.formatting import round_score
from service.imports.service import import_bundle
from service.matches import loader
from tests.conftest import REPO, make_key

AS_OF = "2026-11-01"
pytestmark = pytest.mark.usefixtures("frozen_today")


def served_matches(client, headers, trainee_id: str) -> tuple[list[tuple[str, float]], int]:
    answer = client.get(f"/v1/trainees/{trainee_id}/matches?as_of={AS_OF}&limit=10", headers=headers).json()
    return [(m["opening_external_id"], m["score"]) for m in answer["data"]], answer["count"]


def full_scan_matches(db, reference, matcher, trainee_id: str) -> tuple[list[tuple[str, float]], int]:
    with Session(db) as session:
        her = loader.trainee_table(reference, loader.trainee_records(session, ids=[trainee_id], job_ready_only=False))
        openings = loader.load_openings(session, reference)
    ranked, allowed = matcher.rank_openings_and_allowed(her, 0, openings, as_of=AS_OF, limit=10, full_scan=True)
    return [(m.external_id, round_score(m.score)) for m in ranked], len(allowed)


def served_candidates(client, headers, opening_id: str) -> tuple[list[tuple[str, float]], int]:
    answer = client.get(f"/v1/openings/{opening_id}/candidates?as_of={AS_OF}&limit=20", headers=headers).json()
    return [(c["trainee_external_id"], c["score"]) for c in answer["data"]], answer["count"]


def full_scan_candidates(db, reference, matcher, opening_id: str) -> tuple[list[tuple[str, float]], int]:
    with Session(db) as session:
        opening = loader.opening_table(session, reference,
                                       loader.opening_records(session, ids=[opening_id], open_only=False))
        trainees = loader.load_trainees(session, reference)
    ranked, allowed = matcher.rank_trainees_and_allowed(opening, 0, trainees, as_of=AS_OF, limit=20, full_scan=True)
    return [(m.external_id, round_score(m.score)) for m in ranked], len(allowed)


def test_served_rankings_equal_the_full_scan_after_every_write(client, db, reference) -> None:
    import_bundle(engine=db, reference=reference, path=REPO / "data" / "demo")
    admin = {"Authorization": f"Bearer {make_key(db, 'admin')}"}
    with Session(db) as session:
        trainees, openings = loader.load_trainees(session, reference), loader.load_openings(session, reference)
    matcher = client.app.state.index.by_site["west_bengal"].matcher
    # The trainees offered the most openings and the openings with the most candidates, and a few with none.
    offered = {trainees.external_id[i]: len(matcher.rank_openings_and_allowed(trainees, i, openings, as_of=AS_OF,
                                                                             limit=1)[1]) for i in range(len(trainees))}
    wanted = {openings.external_id[j]: len(matcher.rank_trainees_and_allowed(openings, j, trainees, as_of=AS_OF,
                                                                            limit=1)[1]) for j in range(len(openings))}
    trainee_ids = sorted(offered, key=lambda t: (-offered[t], t))[:6] + sorted(t for t in offered if not offered[t])[:2]
    opening_ids = sorted(wanted, key=lambda o: (-wanted[o], o))[:6] + sorted(o for o in wanted if not wanted[o])[:2]

    def check(step: str) -> None:
        matcher = client.app.state.index.by_site["west_bengal"].matcher
        for trainee_id in trainee_ids:
            assert served_matches(client, admin, trainee_id) == full_scan_matches(db, reference, matcher,
                                                                                  trainee_id), (step, trainee_id)
        for opening_id in opening_ids:
            assert served_candidates(client, admin, opening_id) == full_scan_candidates(db, reference, matcher,
                                                                                        opening_id), (step, opening_id)

    check("imported")
    shown = {opening for trainee_id in trainee_ids for opening, _ in served_matches(client, admin, trainee_id)[0]}
    assert len(shown) >= 5
    first, second, third = sorted(shown)[:3]
    some_trainee = trainee_ids[0]
    writes: list[tuple[str, str, dict[str, Any]]] = [
        ("close an opening she was offered", f"openings/{first}", {"status": "closed"}),
        ("change an opening's skills", f"openings/{second}",
         {"required_skills": [{"label": "Basic numeracy", "level": 1}]}),
        ("move an opening", f"openings/{third}", {"district": "Darjeeling", "lat": None, "lon": None}),
        ("change a trainee's skills", f"trainees/{some_trainee}",
         {"skills": [{"label": "Basic numeracy", "level": 3}, {"label": "Digital literacy", "level": 2}]}),
        ("change a trainee's reach", f"trainees/{trainee_ids[1]}", {"max_commute_minutes": 150,
                                                                    "willing_to_relocate": True}),
    ]
    for step, path, change in writes:
        assert client.patch(f"/v1/{path}", json=change, headers=admin).status_code == 200, step
        check(step)
    assert client.app.state.index.sizes()["openings"][1] > 1  # the writes were taken in as deltas
