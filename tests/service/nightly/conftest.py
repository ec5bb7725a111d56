"""The fixtures of the nightly tests."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from service.core.reference import Reference
from service.imports.service import import_bundle
from tests.conftest import REPO


@pytest.fixture
def demo(db: Engine, reference: Reference) -> Engine:
    """The database holding West Bengal's demo programme."""
    import_bundle(engine=db, reference=reference, path=REPO / "data" / "demo")
    return db
