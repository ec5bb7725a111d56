"""schemathesis against the app's own OpenAPI document: generated requests, with a valid admin key, never
cause a server error, an undocumented status or content type, or a response off its schema; requests that
break the schema are refused, and requests without the key are refused."""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from fastapi.testclient import TestClient
from schemathesis import checks

from service.core.config import Settings
from service.core.db import make_engine
from service.core.errors import PROBLEM_JSON
from service.core.migrate import upgrade
from tests.conftest import REPO, make_key
from tests.service.auth import world

MAX_EXAMPLES = 25


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}"
    upgrade(url)
    from service.main import create_app
    app = create_app(Settings(database_url=url, data_dir=REPO / "data", log_level="ERROR",
                              rate_limit_per_minute=1_000_000, rate_limit_burst=1_000_000))
    engine = make_engine(url)
    with TestClient(app) as client:
        world.build(client, engine)
    key = make_key(engine, "admin")
    return app, {"Authorization": f"Bearer {key}"}


STATE_REFUSALS = {422: "https://jobmatch.example/problems/unresolvable",
                  412: "https://jobmatch.example/problems/precondition-failed"}


def refused_for_state(response) -> bool:
    """A documented refusal for what the stored data says, not for the request's shape."""
    content_type = response.headers.get("content-type", "")
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    if response.status_code not in STATE_REFUSALS or not content_type.startswith(PROBLEM_JSON):
        return False
    return response.json().get("type") == STATE_REFUSALS[response.status_code]


def test_api_conforms_to_its_openapi(fuzz_target):
    app, headers = fuzz_target
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40
    failures = []
    examples = 0
    for operation in operations:

        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                             suppress_health_check=list(hypothesis.HealthCheck))
        def check(case) -> None:
            nonlocal examples
            examples += 1
            response = case.call(headers=headers)
            # Every check runs. The one exception is narrow: schema-valid data that the service cannot resolve
            # (an unknown district, a referenced record that does not exist, an upload that is not a bundle)
            # is rightly refused with the documented 422 of problem type "unresolvable", and a made-up If-Match
            # with the documented 412; only for those answers is positive_data_acceptance left out.
            excluded = [checks.positive_data_acceptance] if refused_for_state(response) else []
            case.validate_response(response, headers=headers, excluded_checks=excluded)

        try:
            check()
        except BaseException as exc:
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    print(f"schemathesis: {len(operations)} operations, {examples} generated requests")
    assert not failures, "\n\n".join(failures)
