"""How the synthetic programme looks on each site: its partners and where their women live, its sectors, the
words of employer names, the languages written, seasons, and how finely wages are rounded.

West Bengal's profile is built in :mod:`demo.world` from its constants; Cambodia's is here. A site with no
profile of its own gets one from its data (:func:`profile_from_site`): one partner per training centre, living
in the districts nearest it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from matching.geo import haversine_km_scalar

__all__ = ["CAMBODIA", "DEFAULT_SECTOR_WEIGHT", "DemoProfile", "profile_from_site"]

DEFAULT_SECTOR_WEIGHT = 0.05


@dataclass(frozen=True)
class DemoProfile:
    """The synthetic programme of one site."""

    site: str
    #: partner -> district name (as in the gazetteer) -> share of its trainees living there
    partners: Mapping[str, Mapping[str, float]]
    partner_share: Mapping[str, float]
    cohort_prefix: Mapping[str, str]
    #: relative weight of each sector among training tracks, employers and openings (0: not trained here)
    sector_weights: Mapping[str, float]
    employer_words: Mapping[str, tuple[str, ...]]
    unknown_skill_labels: tuple[str, ...]
    #: seasonal factors (Jan..Dec) of postings by sector
    seasonality: Mapping[str, tuple[float, ...]]
    #: the languages a trainee's flags stand for, and how they are drawn: "west_bengal" (hills and plains) or
    #: "site" (the site's first language for nearly all, English with schooling, the others rarely)
    languages: tuple[str, ...]
    language_model: str
    #: what an opening's ``languages_required`` may say, with weights
    opening_languages: tuple[tuple[str, float], ...]
    hill_districts: tuple[str, ...] = ()
    duars_districts: tuple[str, ...] = ()
    #: openings' and follow-ups' wages are multiples of ``wage_step``; the wage she needs of ``expected_step``
    wage_step: int = 10
    expected_step: int = 100
    #: only the skills of the occupations trained here (and life skills) are written, related skills included
    own_skills_only: bool = False
    #: skills and occupations are written with the taxonomy's synonyms too (West Bengal's are Bengali and Hindi
    #: spellings), not only their names and the site's own labels
    taxonomy_synonyms: bool = True
    #: put before every generated id (TR-, EM-, OP-, PL-), so that two sites' programmes can share a database
    id_prefix: str = ""


_FLAT = (1.0,) * 12
#: Khmer New Year (mid-April) and Pchum Ben (September/October) lift retail; tourists come November to March.
_KH_TOURISM = (1.25, 1.2, 1.1, 1.0, 0.85, 0.8, 0.85, 0.85, 0.85, 0.95, 1.15, 1.25)
_KH_FESTIVALS = (1.0, 0.98, 1.05, 1.3, 0.95, 0.92, 0.92, 0.94, 1.08, 1.1, 0.94, 1.0)

CAMBODIA = DemoProfile(
    site="cambodia",
    partners={
        "phnom_penh_partner": {"Phnom Penh": 0.34, "Kandal": 0.24, "Kampong Speu": 0.14, "Takéo": 0.10,
                               "Prey Veng": 0.10, "Kampong Chhnang": 0.08},
        "siem_reap_partner": {"Siem Reap": 0.50, "Banteay Meanchey": 0.18, "Battambang": 0.16,
                              "Oddar Meanchey": 0.08, "Kampong Thom": 0.08},
    },
    partner_share={"phnom_penh_partner": 0.6, "siem_reap_partner": 0.4},
    cohort_prefix={"phnom_penh_partner": "PNH", "siem_reap_partner": "REP"},
    sector_weights={
        "apparel": 0.36, "handicrafts": 0.0, "beauty_wellness": 0.08, "retail": 0.12, "healthcare": 0.04,
        "it_ites": 0.04, "hospitality": 0.18, "food_processing": 0.10, "domestic_services": 0.08,
    },
    employer_words={
        "apparel": ("Garment Factory", "Sewing Workshop", "Apparel Factory"),
        "beauty_wellness": ("Beauty Salon", "Spa"),
        "retail": ("Minimart", "Market Stall Group", "Clothing Shop"),
        "healthcare": ("Clinic", "Care Centre"),
        "it_ites": ("Data Services Office", "Call Centre"),
        "hospitality": ("Hotel", "Guesthouse", "Restaurant"),
        "food_processing": ("Rice Mill Packing Unit", "Food Packaging Unit", "Bakery"),
        "domestic_services": ("Home Services Agency", "Care Staffing Agency"),
    },
    unknown_skill_labels=("tuk-tuk driving", "motorbike repair", "rice farming", "krama weaving",
                          "palm sugar making", "fish sauce making", "silk reeling"),
    seasonality={"hospitality": _KH_TOURISM, "retail": _KH_FESTIVALS, "apparel": _FLAT},
    languages=("km", "en"),
    language_model="site",
    opening_languages=(("km", 0.6), ("", 0.2), ("km;en", 0.15), ("en", 0.05)),
    wage_step=1,
    expected_step=5,
    own_skills_only=True,
    taxonomy_synonyms=False,
    id_prefix="KH-",
)


def profile_from_site(site: Any) -> DemoProfile:
    """A profile drawn from a site's data alone: a partner per training centre (or one at the first district),
    living in the five districts nearest it; every sector; the site's languages."""
    districts = list(site.gazetteer.districts)
    centres = [(code, centre.lat, centre.lon) for code, centre in sorted(site.training_centres.items())]
    if not centres:
        first = districts[0]
        centres = [(f"{site.code}_partner", first.lat, first.lon)]
    partners: dict[str, dict[str, float]] = {}
    for code, lat, lon in centres:
        nearest = sorted(districts, key=lambda d: haversine_km_scalar(lat, lon, d.lat, d.lon))[:5]
        partners[code] = {d.name: 1.0 / (1 + rank) for rank, d in enumerate(nearest)}
    minimum = min((rate.monthly_wage for day in site.minimum_wages.effective_dates()
                   for rate in _rates_on(site.minimum_wages, day)), default=100)
    step = max(1, 10 ** (int(math.log10(max(minimum, 1))) - 3))
    languages = tuple(site.languages)
    main = languages[0]
    return DemoProfile(
        site=site.code, partners=partners, partner_share={code: 1.0 / len(partners) for code in partners},
        cohort_prefix={code: code[:3].upper() for code in partners}, sector_weights={}, employer_words={},
        unknown_skill_labels=("mobile repairing", "candle making"), seasonality={}, languages=languages,
        language_model="site",
        opening_languages=((main, 0.6), ("", 0.3), *(((f"{main};en", 0.1),) if "en" in languages and main != "en"
                                                     else ((main, 0.1),))),
        wage_step=step, expected_step=10 * step, id_prefix=f"{site.code.upper()}-")


def _rates_on(table: Any, day: Any) -> list[Any]:
    """The rows of every category and zone in force on a day (those the table knows)."""
    found = []
    for category in table.categories():
        for zone in table.zones():
            try:
                found.append(table.rate(skill_category=category, zone=zone, on=day))
            except (LookupError, ValueError):
                continue
    return found
