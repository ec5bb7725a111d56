"""Property: whatever the trainees look like, no answer an employer's key can get, on any route it may call,
holds a sensitive field or a programme external id of a trainee."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import empty_database
from tests.service.auth import world
from tests.service.auth.test_authorization_matrix import allowed_roles, case, routes

SENSITIVE_KEYS = ("is_survivor", "excluded_employers", "excluded_districts", "partner_org", "trainee_external_id",
                  "expected_wage_inr", "attendance_rate", "has_dependents", "cohort")
DISTRICTS = ["Kolkata", "Howrah", "North 24 Parganas", "Hooghly", "Darjeeling", "Jalpaiguri"]

trainee_strategy = st.fixed_dictionaries({
    "external_id": st.text(alphabet=string.ascii_uppercase + string.digits, min_size=6, max_size=10).map(
        lambda s: f"TRX-{s}"),
    "district": st.sampled_from(DISTRICTS),
    # six significant decimals, so that no opening's four-decimal coordinate can equal hers by chance
    "lat": st.integers(22_300_001, 22_899_999).filter(lambda k: k % 100).map(lambda k: k / 1e6),
    "lon": st.integers(88_100_001, 88_599_999).filter(lambda k: k % 100).map(lambda k: k / 1e6),
    "is_survivor": st.booleans(),
    "night_shift_ok": st.booleans(),
    "max_commute_minutes": st.integers(min_value=30, max_value=240),
    "excluded_districts": st.lists(st.sampled_from(["Malda", "Purulia", "Nadia"]), max_size=2, unique=True),
    "excluded_employers": st.lists(st.sampled_from(["EM-2", "EM-77"]), max_size=2, unique=True),
    "skills": st.lists(st.fixed_dictionaries({"label": st.sampled_from(["silai", "stitching", "POS billing",
                                                                        "kantha", "patient care"]),
                                              "level": st.integers(1, 3)}), min_size=1, max_size=3),
})


def numbers_in(value) -> set[float]:
    """Every number anywhere in a JSON answer."""
    if isinstance(value, dict):
        return set().union(*(numbers_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(numbers_in(v) for v in value)) if value else set()
    return {float(value)} if isinstance(value, (int, float)) and not isinstance(value, bool) else set()


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(trainees=st.lists(trainee_strategy, min_size=1, max_size=5, unique_by=lambda t: t["external_id"]))
def test_no_employer_response_holds_sensitive_fields_or_trainee_ids(client, db, trainees):
    empty_database(db)
    built = world.build(client, db)
    admin = built.headers["admin"]
    for trainee in trainees:
        body = {**world.trainee_body("own"), **{k: v for k, v in trainee.items() if k != "external_id"}}
        assert client.put(f"/v1/trainees/{trainee['external_id']}", json=body, headers=admin).status_code == 201
    secrets = {t["external_id"] for t in trainees} | {"TR-own", "TR-other"}
    coordinates = {t["lat"] for t in trainees} | {t["lon"] for t in trainees}
    employer = built.headers["employer"]
    employer_routes = [(m, p) for m, p in routes(client)
                       if "employer" in allowed_roles(client.app, m, p) and m != "DELETE"]
    assert employer_routes
    for method, path in employer_routes:
        verb, concrete, kwargs = case(method, path, "own", client, built.headers)
        response = client.request(verb, concrete, headers=employer, **kwargs)
        assert response.status_code < 500
        body = response.text
        for key in SENSITIVE_KEYS:
            assert f'"{key}"' not in body, (path, key)
        for secret in secrets:
            assert secret not in body, (path, secret)
        assert not coordinates & numbers_in(response.json()), path
