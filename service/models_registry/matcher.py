"""The matching engine the service uses: the active trained models when there are any, else the transparent
weighted score and neutral demand."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from matching.engine import MatchEngine
from service.core.reference import Reference


def build_matcher(*, db: Engine, reference: Reference) -> tuple[MatchEngine, dict[str, str]]:
    """A MatchEngine with the active scorer and demand signal, and the versions it uses."""
    from service.models_registry import service as registry
    scorer, demand, versions = registry.active_models(db=db)
    return MatchEngine(taxonomy=reference.taxonomy, site=reference.site, scorer=scorer, demand=demand), versions
