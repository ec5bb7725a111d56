"""The matching engine the service uses: the active trained models when there are any, else the transparent
weighted score, neutral demand and the fixed commute rates."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from matching.engine import MatchEngine
from service.core.reference import Reference


def build_matcher(*, db: Engine, reference: Reference) -> tuple[MatchEngine, dict[str, str]]:
    """A MatchEngine with the active scorer, demand signal and commute model, and the versions it uses."""
    from service.models_registry import service as registry
    scorer, demand, commute, versions = registry.active_models(db=db)
    return MatchEngine(taxonomy=reference.taxonomy, site=reference.site, scorer=scorer, demand=demand,
                       commute_model=commute), versions
