"""The synthetic programme's world: its partners, sectors and seasons, and the site and taxonomy it is drawn on.

The constants below are West Bengal's programme (:data:`WEST_BENGAL`); another site's comes from
:mod:`demo.profiles`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from demo.draws import _clean_label, _norm
from demo.profiles import CAMBODIA, DEFAULT_SECTOR_WEIGHT, DemoProfile, profile_from_site
from matching.geo import haversine_km

STATUSES = ("in_training", "job_ready", "placed", "exited")
EDUCATION_LEVELS = ("none", "primary", "secondary", "higher_secondary", "graduate")
LANGUAGES = ("bn", "hi", "en", "ne")
SHIFTS = ("day", "night", "rotating")
DAYS_PER_MONTH = 30.4375
SITE = "west_bengal"

#: Field partners and the districts they work in, with the share of each
#: partner's trainees living there (district names as in the gazetteer).
PARTNERS: dict[str, dict[str, float]] = {
    "kolkata_metro": {
        "Kolkata": 0.20, "Howrah": 0.20, "North 24 Parganas": 0.25, "South 24 Parganas": 0.25, "Hooghly": 0.10,
    },
    "north_bengal": {
        "Darjeeling": 0.20, "Jalpaiguri": 0.19, "Alipurduar": 0.09, "Cooch Behar": 0.12, "Uttar Dinajpur": 0.10,
        "Dakshin Dinajpur": 0.08, "Malda": 0.13, "Kalimpong": 0.09,
    },
}
PARTNER_SHARE = {"kolkata_metro": 0.62, "north_bengal": 0.38}
COHORT_PREFIX = {"kolkata_metro": "KOL", "north_bengal": "NB"}
HILL_DISTRICTS = ("Darjeeling", "Kalimpong")
DUARS_DISTRICTS = ("Jalpaiguri", "Alipurduar")

#: Relative weight of each sector among training tracks, employers and openings.
SECTOR_WEIGHTS: dict[str, float] = {
    "apparel": 0.20, "handicrafts": 0.07, "beauty_wellness": 0.14, "retail": 0.16, "healthcare": 0.10,
    "it_ites": 0.06, "hospitality": 0.12, "food_processing": 0.09, "domestic_services": 0.06,
}

#: Words of the synthetic employer names: "<district HQ> <word> <number>".
EMPLOYER_WORDS: dict[str, tuple[str, ...]] = {
    "apparel": ("Garments Unit", "Stitching Unit", "Apparel Unit"),
    "handicrafts": ("Handicrafts Workshop", "Crafts Cooperative Unit"),
    "beauty_wellness": ("Beauty Salon", "Wellness Parlour"),
    "retail": ("Retail Store", "Supermarket Outlet", "Textile Showroom"),
    "healthcare": ("Nursing Home", "Care Centre", "Diagnostic Clinic"),
    "it_ites": ("Data Services Centre", "Back Office Unit"),
    "hospitality": ("Hotel Unit", "Guest House", "Restaurant Unit"),
    "food_processing": ("Food Packaging Unit", "Tea Packing Unit", "Bakery Unit"),
    "domestic_services": ("Home Services Agency", "Care Staffing Agency"),
}
DEFAULT_EMPLOYER_WORDS = ("Enterprise Unit",)

#: Skill labels a coordinator may type that no taxonomy entry knows (imports warn on them).
UNKNOWN_SKILL_LABELS = (
    "candle making", "agarbatti rolling", "soap making", "phenyl making", "paper bag making",
    "mobile repairing", "toto driving", "dokra casting", "shola craft", "terracotta work",
)
#: A skill is a life skill if its name or one synonym is exactly one of these.
LIFE_SKILL_LABELS = frozenset({
    "life skills", "soft skills", "work readiness", "literacy", "numeracy", "english", "communication",
    "financial literacy", "digital literacy",
})

#: Seasonal factors (Jan..Dec) of postings by sector.
_PUJA = (0.93, 0.92, 0.93, 0.94, 0.94, 0.93, 0.95, 1.06, 1.42, 1.50, 0.98, 0.94)
_WEDDING = (1.12, 1.08, 0.96, 0.93, 0.92, 0.92, 0.92, 0.92, 0.94, 0.96, 1.12, 1.18)
SEASONALITY: dict[str, tuple[float, ...]] = {
    "apparel": _PUJA, "retail": _PUJA, "hospitality": _PUJA, "beauty_wellness": _WEDDING,
}
FLAT_SEASON = (1.0,) * 12

ProgressFn = Callable[[str, int], None]

WEST_BENGAL = DemoProfile(
    site=SITE, partners=PARTNERS, partner_share=PARTNER_SHARE, cohort_prefix=COHORT_PREFIX,
    sector_weights=SECTOR_WEIGHTS, employer_words=EMPLOYER_WORDS, unknown_skill_labels=UNKNOWN_SKILL_LABELS,
    seasonality=SEASONALITY, languages=LANGUAGES, language_model="west_bengal",
    opening_languages=(("bn", 0.55), ("", 0.25), ("bn;hi", 0.06), ("bn;en", 0.06), ("hi", 0.05), ("en", 0.03)),
    hill_districts=HILL_DISTRICTS, duars_districts=DUARS_DISTRICTS, wage_step=10, expected_step=100)
#: The programme of each site that has one of its own; other sites get one from their data.
PROFILES: dict[str, DemoProfile] = {profile.site: profile for profile in (WEST_BENGAL, CAMBODIA)}


def profile_for(site: Any) -> DemoProfile:
    """The synthetic programme drawn on a site."""
    return PROFILES.get(site.code) or profile_from_site(site)


# ------------------------------------------------------------------ reference data


@dataclass
class _Reference:
    district_names: list[str]
    district_hq: list[str]
    district_lat: np.ndarray
    district_lon: np.ndarray
    district_zone: np.ndarray          # index into zones
    district_area: list[str]
    district_region: np.ndarray        # partner index (nearest partner for other districts)
    district_is_partner: np.ndarray
    zones: list[str]
    partners: list[str]
    partner_districts: list[np.ndarray]
    partner_weights: list[np.ndarray]
    sectors: list[str]
    occupations: list[str]
    occ_name: list[str]
    occ_sector: np.ndarray             # index into sectors
    occ_category: np.ndarray           # index into categories
    occ_core: list[list[tuple[int, int]]]
    occ_labels: list[list[str]]        # [code, name, synonyms...] (emittable)
    occupation_aliases: dict[str, str]
    skills: list[str]
    skill_variants: list[list[str]]    # [name, synonyms...] (emittable)
    skill_aliases: dict[str, str]
    skill_related: list[list[tuple[int, float]]]
    life_skills: np.ndarray
    unknown_labels: list[str]
    categories: list[str]
    semi_category: int
    min_start: np.datetime64
    min_steps: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]   # (cat, zone) -> (dates, amounts)
    # each partner's training centre (site data): district index, lat, lon
    centre_district: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    centre_lat: np.ndarray = field(default_factory=lambda: np.zeros(0))
    centre_lon: np.ndarray = field(default_factory=lambda: np.zeros(0))
    profile: DemoProfile = WEST_BENGAL
    currency: str = "INR"
    #: (sector, category, zone) -> (dates, amounts), for the sectors with a statutory minimum of their own
    sector_min_steps: dict[tuple[int, int, int], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    #: the site's own labels of skills and occupations, by code: [label, transliteration]
    site_labels: dict[str, list[str]] = field(default_factory=dict)

    def minimum(self, category: np.ndarray, zone: np.ndarray, day: np.ndarray,
                sector: np.ndarray | None = None) -> np.ndarray:
        """Vectorised minimum (monthly, in the site's currency) in force on ``day``: the statutory minimum of the
        job's sector where it has one, else the general one, else the programme's floor."""
        out = np.zeros(len(day), dtype=np.int64)
        for (c, z), (dates, amounts) in sorted(self.min_steps.items()):
            mask = (category == c) & (zone == z)
            if mask.any():
                i = np.searchsorted(dates, day[mask], side="right") - 1
                out[mask] = amounts[np.maximum(i, 0)]
        if sector is not None:
            for (s, c, z), (dates, amounts) in sorted(self.sector_min_steps.items()):
                mask = (sector == s) & (category == c) & (zone == z)
                if mask.any():
                    i = np.searchsorted(dates, day[mask], side="right") - 1
                    out[mask] = amounts[np.maximum(i, 0)]
        return out

    @property
    def neutral_money(self) -> bool:
        """Whether the bundle's money columns take their neutral names (``monthly_wage``, not ``_inr``)."""
        return self.currency != "INR"


def _core_pairs(occ: Any) -> list[tuple[str, int]]:
    out = []
    for item in occ.core_skills:
        if isinstance(item, Mapping):
            out.append((str(item.get("skill") or item.get("code")), int(item.get("level", 1))))
        elif isinstance(item, (tuple, list)):
            out.append((str(item[0]), int(item[1])))
        else:
            out.append((str(getattr(item, "skill", getattr(item, "code", ""))), int(getattr(item, "level", 1))))
    return out


def _related_pairs(skill: Any) -> list[tuple[str, float]]:
    rel = getattr(skill, "related", None) or ()
    if isinstance(rel, Mapping):
        items = list(rel.items())
    else:
        items = [(r[0], r[1]) if isinstance(r, (tuple, list)) else (str(r), 0.5) for r in rel]
    return [(str(code), float(w)) for code, w in items]


def _load_reference(data_dir: Path | None, reference_date: date, site_code: str = SITE) -> _Reference:
    from matching.reference import default_data_dir, load_site, load_taxonomy

    data_dir = Path(data_dir) if data_dir is not None else Path(default_data_dir())
    taxonomy = load_taxonomy(data_dir / "taxonomy.json")
    site = load_site(data_dir / "sites" / site_code, taxonomy=taxonomy)
    profile = profile_for(site)

    districts = sorted(site.gazetteer.districts, key=lambda d: d.name)
    names = [d.name for d in districts]
    zones = sorted({d.zone for d in districts})
    lat = np.array([float(d.lat) for d in districts])
    lon = np.array([float(d.lon) for d in districts])
    partners, partner_districts, partner_weights, region, is_partner = _partner_regions(
        site.gazetteer, names, lat, lon, profile.partners)

    sectors = list(taxonomy.sectors)
    occupations = sorted(taxonomy.occupations)
    # the programme's own trainer roles are filled from its graduates, not drawn as market trades
    occupations = [o for o in occupations if taxonomy.occupations[o].sector in sectors
                   and not taxonomy.occupations[o].trainer
                   and profile.sector_weights.get(taxonomy.occupations[o].sector, DEFAULT_SECTOR_WEIGHT) > 0]
    skills = sorted(taxonomy.skills)
    skill_pos = {s: i for i, s in enumerate(skills)}
    site_labels: dict[str, list[str]] = {}
    for label in site.skill_labels:
        site_labels.setdefault(label.code, []).extend(t for t in (label.label, label.transliteration) if t)
    skill_aliases, skill_variants, skill_related, life, unknown = _skill_tables(
        taxonomy, skills, occupations, profile, site_labels)
    occupation_aliases, occ_labels = _occupation_labels(taxonomy, occupations, site_labels, profile)

    categories = sorted({taxonomy.occupations[o].skill_category for o in occupations})
    semi = [c for c in categories if "semi" in c.lower()]
    if not semi:
        raise ValueError("the taxonomy has no semi-skilled occupation category")
    semi_category = categories.index(semi[0])
    start, min_steps = _minimum_steps(site.minimum_wages, categories, zones, reference_date)
    sector_min_steps = {(sectors.index(sector), c, z): steps for sector in site.minimum_wages.sectors()
                        if sector in sectors
                        for (c, z), steps in _minimum_steps(site.minimum_wages, categories, zones, reference_date,
                                                            sector)[1].items()}

    return _Reference(
        district_names=names,
        district_hq=[str(d.headquarters) for d in districts],
        district_lat=lat,
        district_lon=lon,
        district_zone=np.array([zones.index(d.zone) for d in districts]),
        district_area=[str(d.area_type) for d in districts],
        district_region=region,
        district_is_partner=is_partner,
        zones=zones,
        partners=partners,
        partner_districts=partner_districts,
        partner_weights=partner_weights,
        sectors=sectors,
        occupations=occupations,
        occ_name=[taxonomy.occupations[o].name for o in occupations],
        occ_sector=np.array([sectors.index(taxonomy.occupations[o].sector) for o in occupations]),
        occ_category=np.array([categories.index(taxonomy.occupations[o].skill_category) for o in occupations]),
        occ_core=[[(skill_pos[c], int(lvl)) for c, lvl in _core_pairs(taxonomy.occupations[o]) if c in skill_pos]
                  for o in occupations],
        occ_labels=occ_labels,
        occupation_aliases=occupation_aliases,
        skills=skills,
        skill_variants=skill_variants,
        skill_aliases=skill_aliases,
        skill_related=skill_related,
        life_skills=np.array(life),
        unknown_labels=unknown,
        categories=categories,
        semi_category=semi_category,
        min_start=np.datetime64(start.isoformat()),
        min_steps=min_steps,
        **_centres(site, partners, names, partner_districts, lat, lon),
        profile=profile,
        currency=site.currency,
        sector_min_steps=sector_min_steps,
        site_labels=site_labels,
    )


def _centres(site: Any, partners: list[str], names: list[str], partner_districts: list[np.ndarray],
             lat: np.ndarray, lon: np.ndarray) -> dict[str, np.ndarray]:
    """Each partner's training centre from the site data (else the headquarters of its first district)."""
    district, c_lat, c_lon = [], [], []
    for p_i, partner in enumerate(partners):
        centre = site.training_centres.get(partner)
        if centre is not None and centre.district in names:
            district.append(names.index(centre.district))
            c_lat.append(centre.lat)
            c_lon.append(centre.lon)
        else:
            d = int(partner_districts[p_i][0])
            district.append(d)
            c_lat.append(float(lat[d]))
            c_lon.append(float(lon[d]))
    return {"centre_district": np.array(district, dtype=np.int64), "centre_lat": np.array(c_lat),
            "centre_lon": np.array(c_lon)}


def _partner_regions(gazetteer: Any, names: list[str], lat: np.ndarray, lon: np.ndarray,
                     partner_map: Mapping[str, Mapping[str, float]]
                     ) -> tuple[list[str], list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray]:
    """``(partners, their districts, their district weights, region of each district, partner district?)``.

    A district no partner works in belongs to the region of the nearest partner district.
    """
    pos = {n: i for i, n in enumerate(names)}
    partners = list(partner_map)
    partner_districts: list[np.ndarray] = []
    partner_weights: list[np.ndarray] = []
    region = np.full(len(names), -1)
    for p_i, p in enumerate(partners):
        idx, w = [], []
        for name, weight in partner_map[p].items():
            try:
                d = gazetteer.get(name)
            except KeyError:
                d = None
            if d is None or d.name not in pos:
                continue
            idx.append(pos[d.name])
            w.append(weight)
            region[pos[d.name]] = p_i
        if not idx:
            raise ValueError(f"no gazetteer district found for partner {p}")
        partner_districts.append(np.array(idx))
        partner_weights.append(np.array(w) / sum(w))
    is_partner = region >= 0
    for i in np.flatnonzero(~is_partner):
        best = min(range(len(partners)), key=lambda p_i: haversine_km(
            lat[i], lon[i], lat[partner_districts[p_i]], lon[partner_districts[p_i]]).min())
        region[i] = best
    return partners, partner_districts, partner_weights, region, is_partner


def _skill_tables(taxonomy: Any, skills: list[str], occupations: list[str], profile: DemoProfile,
                  site_labels: Mapping[str, list[str]]
                  ) -> tuple[dict[str, str], list[list[str]], list[list[tuple[int, float]]], list[int], list[str]]:
    """``(skill aliases, emittable variants, related skills, life skills, unknown labels)``.

    A label is emittable only if it names exactly one skill. The site's own labels (its script and their
    transliteration) come last among a skill's variants.
    """
    skill_pos = {s: i for i, s in enumerate(skills)}
    owners: dict[str, set[str]] = {}
    for code in skills:
        sk = taxonomy.skills[code]
        for label in (code, sk.name, *sk.synonyms, *site_labels.get(code, ())):
            owners.setdefault(_norm(label), set()).add(code)
    skill_aliases = {label: next(iter(codes)) for label, codes in sorted(owners.items()) if len(codes) == 1}
    skill_variants = []
    for code in skills:
        sk = taxonomy.skills[code]
        synonyms = sk.synonyms if profile.taxonomy_synonyms else ()
        variants = [sk.name] + [s for s in (*synonyms, *site_labels.get(code, ()))
                                if owners.get(_norm(s)) == {code} and _clean_label(s) and _norm(s) != _norm(sk.name)]
        skill_variants.append(variants)
    core_codes: set[str] = set()
    for o in occupations:
        core_codes.update(c for c, _ in _core_pairs(taxonomy.occupations[o]))
    life = [i for i, code in enumerate(skills)
            if any(_norm(x) in LIFE_SKILL_LABELS
                   for x in (taxonomy.skills[code].name, *taxonomy.skills[code].synonyms))]
    if not life:
        life = [i for i, code in enumerate(skills) if code not in core_codes]
    written = (core_codes | {skills[i] for i in life}) if profile.own_skills_only else set(skills)
    skill_related = [
        [(skill_pos[c], w) for c, w in sorted(_related_pairs(taxonomy.skills[code])) if c in skill_pos
         and c in written]
        for code in skills
    ]
    unknown = [u for u in profile.unknown_skill_labels if _norm(u) not in owners]
    return skill_aliases, skill_variants, skill_related, life, unknown


def _occupation_labels(taxonomy: Any, occupations: list[str], site_labels: Mapping[str, list[str]],
                       profile: DemoProfile) -> tuple[dict[str, str], list[list[str]]]:
    """``(occupation aliases, [code, name, synonyms..., site labels...] per occupation)``: labels that name one
    occupation only."""
    occ_owner: dict[str, set[str]] = {}
    for code in occupations:
        o = taxonomy.occupations[code]
        for label in (code, o.name, *o.synonyms, *site_labels.get(code, ())):
            occ_owner.setdefault(_norm(label), set()).add(code)
    occupation_aliases = {label: next(iter(c)) for label, c in sorted(occ_owner.items()) if len(c) == 1}
    occ_labels = []
    for code in occupations:
        o = taxonomy.occupations[code]
        synonyms = o.synonyms if profile.taxonomy_synonyms else ()
        syn = [s for s in (*synonyms, *site_labels.get(code, ()))
               if occ_owner.get(_norm(s)) == {code} and _norm(s) not in (_norm(o.name), code)]
        occ_labels.append([code, o.name, *syn])
    return occupation_aliases, occ_labels


def _minimum_steps(minimum_wages: Any, categories: list[str], zones: list[str], reference_date: date,
                   sector: str | None = None) -> tuple[date, dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]]:
    """The minimum (for ``sector``, when given) as a step table per (category, zone), probed day by day over the
    simulated span."""
    start = reference_date - timedelta(days=4 * 366 + 120)
    days = [start + timedelta(days=i) for i in range((reference_date - start).days + 120)]
    min_steps: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
    for c_i, cat in enumerate(categories):
        for z_i, zone in enumerate(zones):
            values: list[int | None] = []
            for day in days:
                try:
                    v = (minimum_wages.minimum(skill_category=cat, zone=zone, on=day, sector=sector) if sector
                         else minimum_wages.minimum(skill_category=cat, zone=zone, on=day))
                except (LookupError, ValueError):
                    v = None
                values.append(None if v is None else int(v))
            known = [v for v in values if v is not None]
            if not known:
                raise ValueError(f"no statutory minimum for {cat} in zone {zone}")
            first = known[0]
            step_dates, step_amounts, last = [], [], None
            for day, v in zip(days, values):
                v = first if v is None else v
                if v != last:
                    step_dates.append(np.datetime64(day.isoformat()))
                    step_amounts.append(v)
                    last = v
            min_steps[(c_i, z_i)] = (np.array(step_dates, dtype="datetime64[D]"),
                                     np.array(step_amounts, dtype=np.int64))
    return start, min_steps


@dataclass
class _Context:
    ref: _Reference
    ref_day: np.datetime64
    sector_w: np.ndarray          # share of each sector among tracks, employers and openings
    truth_params: dict[str, Any]


def _sector_weights(ref: _Reference) -> np.ndarray:
    weights = np.array([ref.profile.sector_weights.get(s, DEFAULT_SECTOR_WEIGHT) for s in ref.sectors])
    occ_per_sector = np.bincount(ref.occ_sector, minlength=len(ref.sectors))
    weights = np.where(occ_per_sector > 0, weights, 0.0)
    return weights / weights.sum()
