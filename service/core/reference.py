"""The sites' reference data (gazetteers, wage tables, money, the shared taxonomy), loaded once at start.

A deployment serves one or more sites. Each site is data only (`data/sites/<code>/`); the `Reference` of one site
also knows every served site (`sites`), so whoever holds one can find the site a record belongs to: a partner's
(the site whose training centres list it), else a district's (the one site whose gazetteer names it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from matching.reference import Site, Taxonomy, load_site, load_taxonomy
from matching.skills import SkillNormaliser


class UnknownSite(LookupError):
    """No served site fits (an unknown code, a district no gazetteer names, or one several name)."""


@dataclass(frozen=True)
class Reference:
    site: Site
    taxonomy: Taxonomy
    skills: SkillNormaliser
    occupations: SkillNormaliser
    currency: str
    #: Every served site's reference by code, this one included (shared by all of them).
    sites: Mapping[str, Reference] = field(default_factory=dict, compare=False, repr=False)

    @property
    def code(self) -> str:
        return self.site.code

    def served(self) -> tuple[str, ...]:
        """The codes of the served sites, in order."""
        return tuple(self.sites) or (self.site.code,)

    def of(self, code: str) -> Reference:
        """The reference of one served site."""
        if code == self.site.code:
            return self
        try:
            return self.sites[code]
        except KeyError:
            raise UnknownSite(f"site '{code}' is not served here (served: {', '.join(self.served())})") from None

    def for_partner(self, partner_org: str | None) -> Reference | None:
        """The site whose training centres list this partner (None: none does)."""
        if partner_org is None:
            return None
        for reference in self.sites.values() or (self,):
            if partner_org in reference.site.training_centres:
                return reference
        return None

    def for_district(self, text: str) -> Reference:
        """The one served site whose gazetteer names this district."""
        found = [reference for reference in self.sites.values() or (self,)
                 if reference.site.gazetteer.resolve(text) is not None]
        if len(found) == 1:
            return found[0]
        if not found:
            raise UnknownSite(f"unknown district '{text}' (not in the gazetteer of "
                              f"{' or '.join(r.site.name for r in self.sites.values() or (self,))})")
        raise UnknownSite(f"district '{text}' is in several sites ({', '.join(r.code for r in found)}); "
                          f"name it as one site's gazetteer does")

    def for_record(self, *, partner_org: str | None = None, district: str | None = None) -> Reference:
        """A record's site: her partner's when a site lists it, else its district's, else this one."""
        found = self.for_partner(partner_org)
        if found is not None:
            return found
        if district:
            try:
                return self.for_district(district)
            except UnknownSite:
                return self
        return self

    def matched_sites(self, code: str, *, willing_to_relocate: bool) -> tuple[str, ...]:
        """The sites whose openings a woman of this site is matched to: her own, and, when she is willing to
        relocate and her site allows it, every other site that allows it too."""
        if not (willing_to_relocate and self.of(code).site.relocation_across_sites):
            return (code,)
        return (code, *(other for other in self.relocation_sites() if other != code))

    def relocation_sites(self) -> tuple[str, ...]:
        """The served sites whose women willing to relocate may be matched across sites (and whose openings
        take such women from the others)."""
        return tuple(code for code, reference in self.sites.items() if reference.site.relocation_across_sites)


#: Each loaded site's currency by code: what a record's public view states beside its money.
_CURRENCIES: dict[str, str] = {}


def currency_of(site: str) -> str:
    """The currency code of a site loaded in this process ("XXX", no currency, for a site it does not know)."""
    return _CURRENCIES.get(site, "XXX")


def _one(data_dir: Path, code: str, taxonomy: Taxonomy, currency: str | None,
         sites: Mapping[str, Reference]) -> Reference:
    # each site's normalisers: a site's own labels of skills (Khmer script, transliterations) are its synonyms
    site = load_site(Path(data_dir) / "sites" / code, taxonomy=taxonomy)
    _CURRENCIES[code] = currency or site.currency
    return Reference(site=site, taxonomy=taxonomy, skills=SkillNormaliser(taxonomy, kind="skill", site=site),
                     occupations=SkillNormaliser(taxonomy, kind="occupation", site=site),
                     currency=currency or site.currency, sites=sites)


@lru_cache(maxsize=8)
def load_sites(data_dir: Path, codes: tuple[str, ...], default: str, currency: str | None = None) -> Reference:
    """Load and cache the served sites; returns the default site's reference (each one knows the others).
    ``currency`` overrides the default site's currency code only."""
    taxonomy = load_taxonomy(Path(data_dir) / "taxonomy.json")
    ordered = list(dict.fromkeys([default, *codes]))
    sites: dict[str, Reference] = {}
    for code in ordered:
        sites[code] = _one(data_dir, code, taxonomy, currency if code == default else None, sites)
    return sites[default]


def load_reference(data_dir: Path, site: str, currency: str | None = None,
                   sites: Iterable[str] = ()) -> Reference:
    """Load and cache the reference data of one site (with any other served sites it should know of)."""
    return load_sites(Path(data_dir), tuple(sites), site, currency)
