"""Shared fixtures of the matching tests: the shipped taxonomy, the West Bengal site, an engine over them."""

from __future__ import annotations

import pytest

from matching.engine import MatchEngine
from matching.reference import Site, Taxonomy, default_data_dir, load_site, load_taxonomy


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return load_taxonomy(default_data_dir() / "taxonomy.json")


@pytest.fixture(scope="session")
def site() -> Site:
    return load_site(default_data_dir() / "sites" / "west_bengal")


@pytest.fixture(scope="session")
def engine(taxonomy: Taxonomy, site: Site) -> MatchEngine:
    return MatchEngine(taxonomy=taxonomy, site=site)
