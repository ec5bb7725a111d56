"""The site's reference data (gazetteer, wage tables, taxonomy), loaded once at start."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from matching.reference import Site, Taxonomy, load_site, load_taxonomy
from matching.skills import SkillNormaliser


@dataclass(frozen=True)
class Reference:
    site: Site
    taxonomy: Taxonomy
    skills: SkillNormaliser
    occupations: SkillNormaliser
    currency: str


@lru_cache(maxsize=8)
def load_reference(data_dir: Path, site: str, currency: str | None = None) -> Reference:
    """Load and cache the reference data of one site."""
    taxonomy = load_taxonomy(Path(data_dir) / "taxonomy.json")
    site_data = load_site(Path(data_dir) / "sites" / site, taxonomy=taxonomy)
    return Reference(site=site_data, taxonomy=taxonomy,
                     skills=SkillNormaliser(taxonomy, kind="skill", site=site_data),
                     occupations=SkillNormaliser(taxonomy, kind="occupation", site=site_data),
                     currency=currency or site_data.currency)
