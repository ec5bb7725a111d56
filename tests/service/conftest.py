"""Fixtures shared by the service tests."""

from __future__ import annotations

import datetime

import pytest

TODAY = datetime.date(2026, 11, 1)


@pytest.fixture
def frozen_today(monkeypatch):  # noqa: ANN001, ANN201
    """The site's 'today' of the match routes (an employer key cannot choose another day), so that the test
    world's dates stay valid whenever the tests run."""
    import service.matches.router as router
    monkeypatch.setattr(router, "today", lambda reference: TODAY)
    return TODAY
