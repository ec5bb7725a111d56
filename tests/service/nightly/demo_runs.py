"""A nightly run over the demo programme (the `demo` fixture, in conftest.py): what the nightly tests share."""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy.engine import Engine

from service.core.reference import Reference
from service.models_registry.matcher import build_matcher
from service.nightly.models import MatchRun
from service.nightly.run import RunOptions, run_nightly

AS_OF = datetime.date(2026, 11, 1)


def run(db: Engine, reference: Reference, **options: Any) -> MatchRun:
    """A nightly run on `AS_OF` with the active models (none trained: the weighted score)."""
    matcher, versions = build_matcher(db=db, reference=reference)
    return run_nightly(db=db, reference=reference, matcher=matcher, options=RunOptions(as_of=AS_OF, **options),
                       model_versions=versions)
