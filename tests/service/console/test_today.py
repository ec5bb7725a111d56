"""The Today screen on a programme with more checks due than it lists: the counts cover every due check, and a
check on the record of a woman with an open risk flag comes first even when her placement sorts last."""

from __future__ import annotations

import pytest

from service.console import views
from tests.service.console.conftest import ConsoleWorld
from tests.service.console.test_pages import text_of

pytestmark = pytest.mark.db


def test_counts_cover_every_due_check_and_flagged_records_come_first(console: ConsoleWorld,
                                                                     monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(views, "DUE_SHOWN", 1)
    # a risk flag raised at a check of her placement's 12-month follow-up (not due this week) flags her record
    flagged = console.client().patch("/v1/followups/PL-other/12", json={"checked_on": "2026-10-30", "risk_flag": True},
                                     headers=console.admin_headers)
    assert flagged.status_code == 200, flagged.text
    page = console.signed_in("admin").get("/console/")
    text = text_of(page.text)
    # PL-own and PL-other both started on 2026-01-10: their 1-, 3- and 6-month checks are overdue on 2026-11-01
    assert "6 due, 6 overdue; 3 for women with an open risk flag, listed first." in text
    assert "Showing the first 1; see Follow-ups for all of them." in text
    assert 'href="/console/followups/PL-other/1"' in page.text and "PL-own" not in text
    own = text_of(console.signed_in("coordinator").get("/console/").text)  # her partner's checks only
    assert "3 due, 3 overdue; 0 for women with an open risk flag" in own and "PL-own" in own


def test_the_run_counts_the_proposals_the_key_sees_and_those_waiting(console: ConsoleWorld):
    def seen(role: str) -> int:
        headers = {"Authorization": f"Bearer {console.keys[role]}"}
        return console.client().get("/v1/match-runs/latest/proposals?kind=proposal",
                                    headers=headers).json()["count"]

    for role in ("admin", "coordinator"):
        text = text_of(console.signed_in(role).get("/console/").text)
        assert f"proposed {seen(role)} placements you can see" in text
        assert f"{seen(role)} proposals wait for a decision." in text  # nothing decided yet
    assert seen("admin") > seen("coordinator") >= 1
