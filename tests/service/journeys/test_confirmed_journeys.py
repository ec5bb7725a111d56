"""A coordinator's confirmed journey replaces the estimate in the commute rule and the score, is audited, and is
kept from employers' keys and other partners' coordinators; bundles carry recorded journeys."""

from __future__ import annotations

import pytest

from service.imports.service import BundleInvalid, import_bundle
from tests.service.auth import world
from tests.service.imports.bundles import FILES, write_bundle

HER, THERE = "TR-own", "OP-own"
AS_OF = "2026-11-01"
ITEM = f"/v1/trainees/{HER}/journeys/{THERE}"


def her_match(client, headers) -> dict:
    answer = client.get(f"/v1/trainees/{HER}/matches?as_of={AS_OF}&include_blocked=true", headers=headers).json()
    return next(m for m in answer["data"] if m["opening_external_id"] == THERE)


def candidates(client, headers) -> set[str]:
    found = client.get(f"/v1/openings/{THERE}/candidates?as_of={AS_OF}", headers=headers).json()["data"]
    return {c["trainee_external_id"] for c in found}


def test_a_confirmed_journey_flips_the_commute_rule_both_ways(client, db):
    built = world.build(client, db)
    coordinator, admin = built.headers["coordinator"], built.headers["admin"]
    estimated = her_match(client, coordinator)
    assert not estimated["blocked"]
    journey = next(r for r in estimated["reasons"] if "each way" in r)
    assert journey.startswith("about ") and "(" in journey and journey.endswith("her limit is 120 min")

    # a journey longer than her limit blocks an opening the estimate allowed
    put = client.put(ITEM, json={"minutes": 150, "confirmed_by": "Kolkata desk", "confirmed_on": "2026-10-30"},
                     headers=coordinator)
    assert put.status_code == 201 and put.json()["minutes"] == 150 and put.headers["ETag"] == '"1"'
    blocked = her_match(client, coordinator)
    assert blocked["blocked"] and [b["rule"] for b in blocked["blocked_by"]] == ["commute_too_long"]
    assert blocked["blocked_by"][0]["sentence"] == "Confirmed journey 2.5 hours each way; her limit is 120 min"
    assert HER not in candidates(client, admin)  # the index reloaded her

    # a short confirmed journey allows an opening the estimate blocks
    assert client.patch(f"/v1/trainees/{HER}", json={"max_commute_minutes": 30}, headers=coordinator).status_code == 200
    assert client.delete(ITEM, headers=coordinator).status_code == 204
    assert [b["rule"] for b in her_match(client, coordinator)["blocked_by"]] == ["commute_too_long"]
    again = client.put(ITEM, json={"minutes": 25, "confirmed_by": "Kolkata desk"}, headers=coordinator)
    assert again.status_code == 201 and again.json()["confirmed_on"]
    allowed = her_match(client, coordinator)
    assert not allowed["blocked"] and "confirmed journey 25 min each way, her limit is 30 min" in allowed["reasons"]
    assert HER in candidates(client, admin)

    changed = client.put(ITEM, json={"minutes": 28, "confirmed_by": "Kolkata desk"},
                         headers={**coordinator, "If-Match": '"1"'})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = client.put(ITEM, json={"minutes": 29, "confirmed_by": "x"}, headers={**coordinator, "If-Match": '"1"'})
    assert stale.status_code == 412
    listed = client.get(f"/v1/trainees/{HER}/journeys", headers=coordinator).json()
    assert listed["count"] == 1 and listed["data"][0]["minutes"] == 28

    events = client.get(f"/v1/audit?external_id={HER}", headers=admin).json()["data"]
    actions = {e["action"] for e in events}
    assert {"confirmed_journey_create", "confirmed_journey_update", "confirmed_journey_delete"} <= actions
    assert all(e["entity"] == "trainee" and e["external_id"] == HER for e in events
               if e["action"].startswith("confirmed_journey"))


def test_only_her_programme_staff_may_read_or_confirm_her_journeys(client, db):
    built = world.build(client, db)
    body = {"minutes": 40, "confirmed_by": "desk"}
    employer, batch, coordinator = built.headers["employer"], built.headers["batch"], built.headers["coordinator"]
    for headers in (employer, batch):
        assert client.put(ITEM, json=body, headers=headers).status_code == 403
        assert client.get(f"/v1/trainees/{HER}/journeys", headers=headers).status_code == 403
    # another partner's trainee is unknown to this coordinator, as an unused id is
    assert client.put("/v1/trainees/TR-other/journeys/OP-other", json=body, headers=coordinator).status_code == 404
    assert client.get("/v1/trainees/TR-other/journeys", headers=coordinator).status_code == 404
    assert client.put(f"/v1/trainees/{HER}/journeys/OP-nowhere", json=body, headers=coordinator).status_code == 404
    assert client.get(ITEM, headers=coordinator).status_code == 404
    bad = client.put(ITEM, json={"minutes": 0, "confirmed_by": "desk"}, headers=coordinator)
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")


def _with_column(text: str, column: str, values: list[str]) -> str:
    lines = text.strip().split("\n")
    return "\n".join([f"{lines[0]},{column}", *(f"{line},{v}" for line, v in zip(lines[1:], values, strict=True))]) + "\n"


def test_bundles_carry_recorded_journeys(db, reference, tmp_path):
    from sqlmodel import Session, select

    from service.followups.models import Followup
    from service.trainees.models import Trainee
    trainees = _with_column(FILES["trainees.csv"], "training_commute_minutes", ["35", ""])
    followups = _with_column(FILES["followups.csv"], "commute_minutes", ["50", "", ""])
    import_bundle(engine=db, reference=reference,
                  path=write_bundle(tmp_path / "b", trainees_csv=trainees, followups_csv=followups))
    with Session(db) as session:
        assert {t.external_id: t.training_commute_minutes for t in session.exec(select(Trainee))} == {
            "TR-1": 35, "TR-2": None}
        assert sorted(f.commute_minutes or 0 for f in session.exec(select(Followup))) == [0, 0, 50]


@pytest.mark.parametrize("file, column, value, reason", [
    ("trainees.csv", "training_commute_minutes", "half an hour", "'half an hour' is not a whole number"),
    ("followups.csv", "commute_minutes", "0", "greater than or equal to 1"),
])
def test_a_bad_journey_is_a_located_problem(db, reference, tmp_path, file, column, value, reason):
    rows = {"trainees.csv": 2, "followups.csv": 3}[file]
    text = _with_column(FILES[file], column, [value] + [""] * (rows - 1))
    with pytest.raises(BundleInvalid) as caught:
        import_bundle(engine=db, reference=reference,
                      path=write_bundle(tmp_path / "b", **{file.replace(".csv", "_csv"): text}))
    [problem] = caught.value.errors
    assert (problem["file"], problem["line"], problem["column"]) == (file, 2, column)
    assert reason in problem["reason"]
