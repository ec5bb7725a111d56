"""Synthetic demo bundle: trainees, employers, openings, placement history,
follow-ups and labour-market signals for the West Bengal site.

Everything is synthetic: trainees carry only pseudonymous ids and employers
have obviously made-up names ("Howrah Garments Unit 12").  The bundle is drawn
from a hidden true outcome model (:mod:`demo.truth`) whose
parameters are written to ``OUT/_truth/truth.json`` so that the quality
benchmarks can compare what the engine learns with what really drives the
outcomes.

The generator is deterministic per seed (numpy ``PCG64`` streams derived from
the seed and a stage name; no global RNG, no wall-clock, no set or dict-order
dependence) and vectorised, so that 100k trainees and 20k openings take a few
seconds.
"""

from __future__ import annotations

import csv
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from demo.truth import (
    COEFFICIENT_NAMES,
    FORMAT_VERSION,
    TruthModel,
    haversine_km,
    logistic,
    skill_fit_from_levels,
)

# ------------------------------------------------------------------ contract

TRAINEE_COLUMNS = (
    "external_id", "partner_org", "cohort", "status", "district", "lat", "lon", "skills", "languages",
    "education", "preferred_sectors", "max_commute_minutes", "willing_to_relocate", "night_shift_ok",
    "has_dependents", "attendance_rate", "expected_wage_inr", "excluded_employers", "excluded_districts",
    "available_from", "is_survivor", "training_track",
)
EMPLOYER_COLUMNS = ("external_id", "name", "sector", "district", "lat", "lon", "vetted", "vetted_on")
OPENING_COLUMNS = (
    "external_id", "employer_external_id", "title", "occupation", "sector", "required_skills", "district",
    "lat", "lon", "monthly_wage_inr", "positions", "shift", "accommodation_provided", "transport_provided",
    "languages_required", "status", "posted_on", "closes_on",
)
PLACEMENT_COLUMNS = ("external_id", "trainee_external_id", "opening_external_id", "started_on", "ended_on")
FOLLOWUP_COLUMNS = (
    "placement_external_id", "month", "checked_on", "employed", "monthly_wage_inr", "wellbeing", "risk_flag",
)
MARKET_SIGNAL_COLUMNS = ("district", "occupation", "period", "postings", "source")

BUNDLE_FILES: dict[str, tuple[str, ...]] = {
    "trainees.csv": TRAINEE_COLUMNS,
    "employers.csv": EMPLOYER_COLUMNS,
    "openings.csv": OPENING_COLUMNS,
    "placements.csv": PLACEMENT_COLUMNS,
    "followups.csv": FOLLOWUP_COLUMNS,
    "market_signals.csv": MARKET_SIGNAL_COLUMNS,
}

STATUSES = ("in_training", "job_ready", "placed", "exited")
EDUCATION_LEVELS = ("none", "primary", "secondary", "higher_secondary", "graduate")
LANGUAGES = ("bn", "hi", "en", "ne")
SHIFTS = ("day", "night", "rotating")
FOLLOWUP_MONTHS = (1, 3, 6, 12)
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
DEFAULT_SECTOR_WEIGHT = 0.05

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


# ------------------------------------------------------------------ helpers


def _rng(seed: int, stage: str) -> np.random.Generator:
    """An independent, reproducible stream per (seed, stage)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([int(seed), zlib.crc32(stage.encode())])))


def _norm(label: str) -> str:
    return " ".join(str(label).strip().lower().split())


def _clean_label(label: str) -> bool:
    """A label can be written into a ``label:level;...`` list as it is."""
    return bool(label.strip()) and ":" not in label and ";" not in label and label == label.strip()


def _bool_str(values: np.ndarray) -> np.ndarray:
    return np.where(np.asarray(values, dtype=bool), "true", "false")


def _dates(ref: np.datetime64, offsets: np.ndarray) -> np.ndarray:
    """ISO date strings of ``ref + offsets`` days."""
    return (ref + np.asarray(offsets, dtype="int64").astype("timedelta64[D]")).astype(str)


def _fmt_coord(values: np.ndarray) -> list[str]:
    return [f"{v:.4f}" for v in np.asarray(values, dtype=float).tolist()]


def _jitter(rng: np.random.Generator, lat: np.ndarray, lon: np.ndarray, max_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Points uniformly within ``max_km`` of (lat, lon), rounded to 4 decimals."""
    n = len(lat)
    r = max_km * np.sqrt(rng.random(n))
    theta = rng.random(n) * 2.0 * np.pi
    dlat = r * np.cos(theta) / 111.32
    dlon = r * np.sin(theta) / (111.32 * np.cos(np.radians(lat)))
    return np.round(lat + dlat, 4), np.round(lon + dlon, 4)


def _choice_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a (n, k) probability matrix."""
    cdf = np.cumsum(probs, axis=1)
    cdf /= cdf[:, -1:]
    u = rng.random((probs.shape[0], 1))
    return np.minimum((u > cdf).sum(axis=1), probs.shape[1] - 1)


def _odd_case(label: str, mode: int) -> str:
    variants = (label.upper(), label.lower(), label.title(), label.swapcase())
    out = variants[mode % 4]
    if out == label:
        for v in variants:
            if v != label:
                return v
    return out


def _join_groups(owner: np.ndarray, parts: Sequence[str], n: int) -> list[str]:
    """``;``-join ``parts`` by ``owner`` (owner sorted ascending) into n strings."""
    out = [""] * n
    if len(owner) == 0:
        return out
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    ends = np.r_[starts[1:], len(owner)]
    for o, s, e in zip(owner[starts].tolist(), starts.tolist(), ends.tolist()):
        out[o] = ";".join(parts[s:e])
    return out


def _bisect_scalar(fn: Callable[[float], float], target: float, lo: float = -15.0, hi: float = 15.0) -> float:
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if fn(mid) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


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

    def minimum(self, category: np.ndarray, zone: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Vectorised statutory minimum (monthly INR) in force on ``day``."""
        out = np.zeros(len(day), dtype=np.int64)
        for (c, z), (dates, amounts) in sorted(self.min_steps.items()):
            mask = (category == c) & (zone == z)
            if mask.any():
                i = np.searchsorted(dates, day[mask], side="right") - 1
                out[mask] = amounts[np.maximum(i, 0)]
        return out


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


def _load_reference(data_dir: Path | None, reference_date: date) -> _Reference:
    from matching.reference import default_data_dir, load_site, load_taxonomy

    data_dir = Path(data_dir) if data_dir is not None else Path(default_data_dir())
    site = load_site(data_dir / "sites" / SITE)
    taxonomy = load_taxonomy(data_dir / "taxonomy.json")

    districts = sorted(site.gazetteer.districts, key=lambda d: d.name)
    names = [d.name for d in districts]
    zones = sorted({d.zone for d in districts})
    pos = {n: i for i, n in enumerate(names)}

    partners = list(PARTNERS)
    partner_districts: list[np.ndarray] = []
    partner_weights: list[np.ndarray] = []
    region = np.full(len(names), -1)
    for p_i, p in enumerate(partners):
        idx, w = [], []
        for name, weight in PARTNERS[p].items():
            try:
                d = site.gazetteer.get(name)
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
    lat = np.array([float(d.lat) for d in districts])
    lon = np.array([float(d.lon) for d in districts])
    is_partner = region >= 0
    for i in np.flatnonzero(~is_partner):
        best = min(range(len(partners)), key=lambda p_i: haversine_km(
            lat[i], lon[i], lat[partner_districts[p_i]], lon[partner_districts[p_i]]).min())
        region[i] = best

    sectors = [s for s in taxonomy.sectors]
    occupations = sorted(taxonomy.occupations)
    occupations = [o for o in occupations if taxonomy.occupations[o].sector in sectors]
    skills = sorted(taxonomy.skills)
    skill_pos = {s: i for i, s in enumerate(skills)}

    # skill labels: a label is emittable only if it names exactly one skill
    owners: dict[str, set[str]] = {}
    for code in skills:
        sk = taxonomy.skills[code]
        for label in (code, sk.name, *sk.synonyms):
            owners.setdefault(_norm(label), set()).add(code)
    skill_aliases = {label: next(iter(codes)) for label, codes in sorted(owners.items()) if len(codes) == 1}
    skill_variants = []
    for code in skills:
        sk = taxonomy.skills[code]
        variants = [sk.name] + [s for s in sk.synonyms if owners.get(_norm(s)) == {code} and _clean_label(s)
                                and _norm(s) != _norm(sk.name)]
        skill_variants.append(variants)
    skill_related = [
        [(skill_pos[c], w) for c, w in sorted(_related_pairs(taxonomy.skills[code])) if c in skill_pos]
        for code in skills
    ]
    core_codes = set()
    for o in occupations:
        core_codes.update(c for c, _ in _core_pairs(taxonomy.occupations[o]))
    life = [i for i, code in enumerate(skills)
            if any(_norm(x) in LIFE_SKILL_LABELS
                   for x in (taxonomy.skills[code].name, *taxonomy.skills[code].synonyms))]
    if not life:
        life = [i for i, code in enumerate(skills) if code not in core_codes]
    unknown = [u for u in UNKNOWN_SKILL_LABELS if _norm(u) not in owners]

    occ_owner: dict[str, set[str]] = {}
    for code in occupations:
        o = taxonomy.occupations[code]
        for label in (code, o.name, *o.synonyms):
            occ_owner.setdefault(_norm(label), set()).add(code)
    occupation_aliases = {label: next(iter(c)) for label, c in sorted(occ_owner.items()) if len(c) == 1}
    occ_labels = []
    for code in occupations:
        o = taxonomy.occupations[code]
        syn = [s for s in o.synonyms if occ_owner.get(_norm(s)) == {code} and _norm(s) not in (_norm(o.name), code)]
        occ_labels.append([code, o.name, *syn])

    categories = sorted({taxonomy.occupations[o].skill_category for o in occupations})
    semi = [c for c in categories if "semi" in c.lower()]
    if not semi:
        raise ValueError("the taxonomy has no semi-skilled occupation category")
    semi_category = categories.index(semi[0])

    # statutory minimum: step table probed day by day over the simulated span
    start = reference_date - timedelta(days=4 * 366 + 120)
    days = [start + timedelta(days=i) for i in range((reference_date - start).days + 120)]
    min_steps: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
    for c_i, cat in enumerate(categories):
        for z_i, zone in enumerate(zones):
            values: list[int | None] = []
            for day in days:
                try:
                    v = site.minimum_wages.minimum(skill_category=cat, zone=zone, on=day)
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
        occ_core=[[(skill_pos[c], int(l)) for c, l in _core_pairs(taxonomy.occupations[o]) if c in skill_pos]
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
    )


# ------------------------------------------------------------------ skill lists


def _level_draw(rng: np.random.Generator, target: np.ndarray) -> np.ndarray:
    """Levels 1..3 around a target level (mostly 2 for main skills)."""
    u = rng.random(len(target))
    hi = np.where(target >= 2, np.where(u < 0.22, 1, np.where(u < 0.80, 2, 3)),
                  np.where(u < 0.40, 1, np.where(u < 0.88, 2, 3)))
    return hi.astype(np.int8)


def _skill_labels(rng: np.random.Generator, ref: _Reference, skill: np.ndarray, level: np.ndarray) -> list[str]:
    """``label:level`` strings as a coordinator types them: name, synonym or odd case."""
    n = len(skill)
    kind = rng.random(n)
    pick = rng.random(n)
    mode = rng.integers(0, 4, n)
    n_var = np.array([len(v) for v in ref.skill_variants])[skill] if n else np.zeros(0, int)
    syn_idx = 1 + np.floor(pick * np.maximum(n_var - 1, 1)).astype(int)
    idx = np.where((kind >= 0.68) & (kind < 0.92) & (n_var > 1), syn_idx, 0)
    odd = kind >= 0.92
    idx = np.where(odd & (pick < 0.5) & (n_var > 1), syn_idx, idx)
    variants = ref.skill_variants
    out = []
    for s, i, o, m, lv in zip(skill.tolist(), idx.tolist(), odd.tolist(), mode.tolist(), level.tolist()):
        label = variants[s][i]
        if o:
            label = _odd_case(label, m)
        out.append(f"{label}:{lv}")
    return out


def _emit_skill_lists(
    rng: np.random.Generator, ref: _Reference, owner: np.ndarray, skill: np.ndarray, level: np.ndarray,
    order: np.ndarray, n_owners: int, unknown_rate: float,
) -> tuple[list[str], np.ndarray]:
    """Deduplicate entries (max level), build the level matrix and the ``;`` lists."""
    levels = np.zeros((n_owners, len(ref.skills)), dtype=np.int8)
    np.maximum.at(levels, (owner, skill), level)
    # keep the first occurrence (by order) of each (owner, skill)
    key = np.lexsort((order, skill, owner))
    owner, skill, order = owner[key], skill[key], order[key]
    first = np.r_[True, (owner[1:] != owner[:-1]) | (skill[1:] != skill[:-1])]
    owner, skill, order = owner[first], skill[first], order[first]
    lv = levels[owner, skill]
    # unknown labels a coordinator typed
    has_unknown = rng.random(n_owners) < unknown_rate
    u_owner = np.flatnonzero(has_unknown)
    u_label = rng.integers(0, max(len(ref.unknown_labels), 1), len(u_owner))
    u_level = rng.integers(1, 3, len(u_owner))
    labels = _skill_labels(rng, ref, skill, lv)
    if ref.unknown_labels and len(u_owner):
        labels += [f"{ref.unknown_labels[i]}:{l}" for i, l in zip(u_label.tolist(), u_level.tolist())]
        owner = np.r_[owner, u_owner]
        order = np.r_[order, np.full(len(u_owner), 10**6)]
    sort = np.lexsort((order, owner))
    labels_sorted = [labels[i] for i in sort.tolist()]
    return _join_groups(owner[sort], labels_sorted, n_owners), levels


# ------------------------------------------------------------------ truth


def _draw_truth_params(rng: np.random.Generator) -> dict[str, Any]:
    base = {
        "skill_fit": 2.0, "commute_km": -0.03, "relocation_unwilling": -0.7, "log_wage_ratio": 1.8,
        "night": -0.25, "night_dependents": -0.9, "night_not_ok": -0.7, "rotating_dependents": -0.45,
        "transport": 0.3, "odd_hours_no_transport": -0.45, "preferred_sector": 0.5, "attendance": 2.5,
        "unvetted": -0.5, "below_minimum": -0.6,
    }
    scale = rng.uniform(0.8, 1.2, len(COEFFICIENT_NAMES))
    coefficients = {k: round(base[k] * float(s), 4) for k, s in zip(COEFFICIENT_NAMES, scale)}
    return {
        "coefficients": coefficients,
        "noise_sd": round(float(rng.uniform(0.25, 0.4)), 4),
        "hazard_shape": round(float(rng.uniform(0.6, 0.8)), 4),
        "commute_cap_km": 80.0,
        "relocation_km": 40.0,
        "target_retention": round(float(rng.uniform(0.48, 0.58)), 4),
        "employer_effect_sd": 0.6,
    }


# ------------------------------------------------------------------ the generator


def generate_bundle(
    out_dir: Path,
    *,
    seed: int = 7,
    trainees: int = 2000,
    openings: int = 500,
    reference_date: date = date(2026, 11, 1),
    data_dir: Path | None = None,
    progress: ProgressFn | None = None,
) -> dict[str, int]:
    """Write a synthetic demo bundle to ``out_dir`` and return the rows written per file.

    ``openings`` is the number of currently open openings; closed historical
    openings are added for the past placements (``max(50, trainees / 2)`` of
    them, over the three years before ``reference_date``).  The hidden true
    outcome model goes to ``out_dir/_truth/truth.json``.  Same arguments give
    byte-identical files.  ``progress(stage, rows)`` is called as files fill.
    """
    if trainees < 1 or openings < 1:
        raise ValueError("trainees and openings must be positive")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda stage, rows: None)
    ref = _load_reference(data_dir, reference_date)
    ctx = _Context(ref=ref, ref_day=np.datetime64(reference_date.isoformat()),
                   sector_w=_sector_weights(ref), truth_params=_draw_truth_params(_rng(seed, "truth")))

    emp = _make_employers(_rng(seed, "employers"), ctx, n_emp=max(20, int(round(openings / 8))))
    tr = _make_trainees(_rng(seed, "trainees"), ctx, trainees)
    report("trainees", trainees)
    op = _make_openings(_rng(seed, "openings"), ctx, emp, tr, n_open=openings,
                        n_slots=max(50, int(round(0.5 * trainees))))
    report("openings", len(op.emp))
    truth0 = TruthModel(_truth_dict(ctx, seed, trainees, openings, reference_date, emp, intercept=0.0))
    hist = _simulate_history(_rng(seed, "history"), ctx, emp, tr, op, truth0)
    roster = _make_roster(_rng(seed, "status"), ctx, emp, tr, op, hist)
    fu = _make_followups(_rng(seed, "followups"), ctx, emp, op, hist, truth0)
    market = _make_market_signals(_rng(seed, "market"), ctx)

    truth = _truth_dict(ctx, seed, trainees, openings, reference_date, emp, intercept=hist.intercept)
    truth["risk_flag_intercept"] = fu.risk_intercept
    truth.update(market.truth)
    counts = _write_bundle(out_dir, ctx, emp, tr, op, hist, roster, fu, market, report)
    TruthModel(truth).save(out_dir)
    report("truth", 1)
    return counts


# ------------------------------------------------------------------ stages


@dataclass
class _Context:
    ref: _Reference
    ref_day: np.datetime64
    sector_w: np.ndarray          # share of each sector among tracks, employers and openings
    truth_params: dict[str, Any]


def _sector_weights(ref: _Reference) -> np.ndarray:
    weights = np.array([SECTOR_WEIGHTS.get(s, DEFAULT_SECTOR_WEIGHT) for s in ref.sectors])
    occ_per_sector = np.bincount(ref.occ_sector, minlength=len(ref.sectors))
    weights = np.where(occ_per_sector > 0, weights, 0.0)
    return weights / weights.sum()


@dataclass
class _Employers:
    ids: list[str]
    names: list[str]
    sector: np.ndarray
    district: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    vetted: np.ndarray
    vet_age: np.ndarray           # days before the reference date
    size: np.ndarray
    effect: np.ndarray            # hidden retention effect (logit)


def _make_employers(rng: np.random.Generator, ctx: _Context, n_emp: int) -> _Employers:
    ref, sector_w = ctx.ref, ctx.sector_w
    n_dist = len(ref.district_names)
    sector = rng.choice(len(ref.sectors), n_emp, p=sector_w)
    active_sectors = np.flatnonzero(sector_w > 0)
    if n_emp >= len(active_sectors):  # every sector has at least one employer
        sector[rng.permutation(n_emp)[: len(active_sectors)]] = active_sectors
    # mostly where the partners' women live, a few elsewhere in the state
    partner_mass = np.zeros(n_dist)
    for p_i, p in enumerate(ref.partners):
        partner_mass[ref.partner_districts[p_i]] += PARTNER_SHARE[p] * ref.partner_weights[p_i]
    weights = 0.95 * partner_mass / partner_mass.sum()
    if (~ref.district_is_partner).any():
        weights[~ref.district_is_partner] = 0.05 / (~ref.district_is_partner).sum()
    weights = weights * np.where(np.array(ref.district_area) == "metro", 1.3, 1.0)
    district = rng.choice(n_dist, n_emp, p=weights / weights.sum())
    lat, lon = _jitter(rng, ref.district_lat[district], ref.district_lon[district], 8.0)
    # about 8 % not vetted and 8 % vetted more than a year ago (at least one of each)
    shuffled = rng.permutation(n_emp)
    n_flagged = max(1, int(round(0.08 * n_emp)))
    vetted = np.ones(n_emp, dtype=bool)
    vetted[shuffled[:n_flagged]] = False
    stale = np.zeros(n_emp, dtype=bool)
    stale[shuffled[n_flagged:2 * n_flagged]] = True
    vet_age = np.where(stale, rng.integers(380, 900, n_emp), rng.integers(5, 360, n_emp))
    size = rng.lognormal(0.0, 0.8, n_emp)
    effect = rng.normal(0.0, ctx.truth_params["employer_effect_sd"], n_emp) - 0.3 * (~vetted)
    effect = np.round(effect, 4)
    word_pick = rng.random(n_emp)
    number_offset = rng.integers(0, 12, n_emp)
    names = []
    counters: dict[tuple[str, str], int] = {}
    for i in range(n_emp):
        words = EMPLOYER_WORDS.get(ref.sectors[sector[i]], DEFAULT_EMPLOYER_WORDS)
        word = words[int(word_pick[i] * len(words))]
        hq = ref.district_hq[district[i]]
        counters[(hq, word)] = counters.get((hq, word), int(number_offset[i])) + 1
        names.append(f"{hq} {word} {counters[(hq, word)]}")
    return _Employers(ids=[f"EM-{i + 1:05d}" for i in range(n_emp)], names=names, sector=sector,
                      district=district, lat=lat, lon=lon, vetted=vetted, vet_age=vet_age, size=size, effect=effect)


@dataclass
class _Trainees:
    partner: np.ndarray           # index into ref.partners (also her region)
    district: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    track: np.ndarray             # occupation index
    track_sector: np.ndarray
    education: np.ndarray
    dependents: np.ndarray
    night_ok: np.ndarray
    relocate: np.ndarray
    attendance: np.ndarray
    commute: np.ndarray
    survivor: np.ndarray
    expected_wage: np.ndarray
    languages: np.ndarray         # (n, 4) flags in LANGUAGES order
    first_pref: np.ndarray
    prefs: np.ndarray             # (n, sectors) flags
    skills: list[str]             # the written skill lists
    levels: np.ndarray            # (n, skills) true levels
    in_training: np.ndarray
    pool: np.ndarray              # women who may have been placed before


def _make_trainees(rng: np.random.Generator, ctx: _Context, n: int) -> _Trainees:
    ref, sector_w = ctx.ref, ctx.sector_w
    n_sectors, n_occ = len(ref.sectors), len(ref.occupations)
    occ_per_sector = np.bincount(ref.occ_sector, minlength=n_sectors)
    occ_w = sector_w[ref.occ_sector] / occ_per_sector[ref.occ_sector]
    partner = rng.choice(len(ref.partners), n, p=[PARTNER_SHARE[p] for p in ref.partners])
    district = np.zeros(n, dtype=int)
    for p_i in range(len(ref.partners)):
        m = partner == p_i
        district[m] = rng.choice(ref.partner_districts[p_i], m.sum(), p=ref.partner_weights[p_i])
    lat, lon = _jitter(rng, ref.district_lat[district], ref.district_lon[district], 12.0)
    track = rng.choice(n_occ, n, p=occ_w)
    track_sector = ref.occ_sector[track]
    it_sector = ref.sectors.index("it_ites") if "it_ites" in ref.sectors else -1
    edu_general = np.array([0.15, 0.30, 0.30, 0.18, 0.07])
    edu_it = np.array([0.0, 0.05, 0.35, 0.40, 0.20])
    education = _choice_rows(rng, np.where((track_sector == it_sector)[:, None], edu_it[None, :], edu_general[None, :]))
    dependents = rng.random(n) < 0.55
    night_ok = rng.random(n) < np.where(dependents, 0.19, 0.32)
    relocate = rng.random(n) < np.where(dependents, 0.06, 0.15)
    attendance = np.round(np.clip(rng.beta(8.0, 2.0, n), 0.3, 1.0), 2)
    commute = rng.choice(np.array([30, 45, 60, 75, 90]), n, p=[0.2, 0.3, 0.25, 0.15, 0.1])
    survivor = rng.random(n) < 0.60
    semi_min = ref.minimum(np.full(n, ref.semi_category), ref.district_zone[district], np.full(n, ctx.ref_day))
    expected_wage = (np.round(semi_min * rng.uniform(0.85, 1.15, n) / 100.0) * 100).astype(np.int64)
    # languages: mostly Bengali; Nepali in the hills and some in the Duars
    names = np.array(ref.district_names)[district]
    hills, duars = np.isin(names, HILL_DISTRICTS), np.isin(names, DUARS_DISTRICTS)
    nb = partner == ref.partners.index("north_bengal") if "north_bengal" in ref.partners else np.zeros(n, bool)
    p_lang = np.stack([
        np.where(hills, 0.50, 0.93),
        np.where(nb, 0.40, 0.28),
        np.array([0.04, 0.08, 0.18, 0.35, 0.70])[education],
        np.where(hills, 0.75, np.where(duars, 0.12, 0.01)),
    ], axis=1)
    languages = rng.random((n, 4)) < p_lang
    none = ~languages.any(axis=1)
    languages[none & hills, 3] = True
    languages[none & ~hills, 0] = True
    # preferred sectors: usually the track's sector first, sometimes a second one
    first_pref = np.where(rng.random(n) < 0.8, track_sector, rng.choice(n_sectors, n, p=sector_w))
    second = rng.choice(n_sectors, n, p=sector_w)
    has_second = (rng.random(n) < 0.45) & (second != first_pref)
    prefs = np.zeros((n, n_sectors), dtype=bool)
    prefs[np.arange(n), first_pref] = True
    prefs[np.flatnonzero(has_second), second[has_second]] = True
    # skills: core skills of the track, sometimes a related skill, 1-3 life skills
    owners, sk, lv, order = [], [], [], []
    for o in range(n_occ):
        idx = np.flatnonzero(track == o)
        core = ref.occ_core[o]
        for j, (s, target) in enumerate(core):
            keep = idx if j == 0 else idx[rng.random(len(idx)) < 0.88]
            owners.append(keep)
            sk.append(np.full(len(keep), s))
            lv.append(_level_draw(rng, np.full(len(keep), max(target, 2) if j == 0 else target)))
            order.append(np.full(len(keep), j))
        if core:
            related = [(s, w) for s, w in ref.skill_related[core[0][0]] if s not in {c for c, _ in core}]
            if related:
                extra = idx[rng.random(len(idx)) < 0.30]
                w = np.array([w for _, w in related])
                pick = rng.choice(len(related), len(extra), p=w / w.sum())
                owners.append(extra)
                sk.append(np.array([related[i][0] for i in pick.tolist()], dtype=int))
                lv.append(np.where(rng.random(len(extra)) < 0.7, 1, 2).astype(np.int8))
                order.append(np.full(len(extra), 50))
    n_life = rng.choice(np.array([1, 2, 3]), n, p=[0.4, 0.4, 0.2])
    life_rank = np.argsort(rng.random((n, len(ref.life_skills))), axis=1)
    for k in range(min(3, len(ref.life_skills))):
        who = np.flatnonzero(n_life > k)
        owners.append(who)
        sk.append(ref.life_skills[life_rank[who, k]])
        lv.append(_level_draw(rng, np.ones(len(who), dtype=int)))
        order.append(np.full(len(who), 100 + k))
    skills, levels = _emit_skill_lists(
        rng, ref, np.concatenate(owners), np.concatenate(sk).astype(int), np.concatenate(lv).astype(np.int8),
        np.concatenate(order), n, unknown_rate=0.06)
    in_training = rng.random(n) < 0.20
    return _Trainees(
        partner=partner, district=district, lat=lat, lon=lon, track=track, track_sector=track_sector,
        education=education, dependents=dependents, night_ok=night_ok, relocate=relocate, attendance=attendance,
        commute=commute, survivor=survivor, expected_wage=expected_wage, languages=languages,
        first_pref=first_pref, prefs=prefs, skills=skills, levels=levels, in_training=in_training,
        pool=np.flatnonzero(~in_training))


@dataclass
class _Openings:
    is_open: np.ndarray
    emp: np.ndarray
    sector: np.ndarray
    occ: np.ndarray
    district: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    positions: np.ndarray
    posted: np.ndarray            # days relative to the reference date
    closes: np.ndarray
    shift: np.ndarray             # index into SHIFTS
    transport: np.ndarray
    accommodation: np.ndarray
    wage: np.ndarray
    below_minimum: np.ndarray
    languages: np.ndarray         # written strings
    titles: list[str]
    occupation_labels: list[str]
    skills: list[str]
    levels: np.ndarray            # (n, skills) required levels


def _make_openings(rng: np.random.Generator, ctx: _Context, emp: _Employers, tr: _Trainees,
                   n_open: int, n_slots: int) -> _Openings:
    """The open openings plus the closed historical ones holding ``n_slots`` past placements."""
    ref = ctx.ref
    n_emp, n_sectors, n_occ = len(emp.ids), len(ref.sectors), len(ref.occupations)
    pos_values = np.array([1, 2, 3, 4, 5])
    pos_p = np.array([0.50, 0.28, 0.12, 0.06, 0.04])
    h_positions = rng.choice(pos_values, n_slots, p=pos_p)  # >= 1 each: enough openings
    cum = np.cumsum(h_positions)
    n_hist = int(np.searchsorted(cum, n_slots) + 1)
    h_positions = h_positions[:n_hist]
    h_positions[-1] -= int(cum[n_hist - 1] - n_slots)
    M = n_open + n_hist
    is_open = np.r_[np.ones(n_open, bool), np.zeros(n_hist, bool)]
    # open openings: at employers by size; historical ones: where the programme found
    # jobs for its women (an employer near a trainee, in the sector she trained for)
    o_emp = rng.choice(n_emp, M, p=emp.size / emp.size.sum())
    hist_rows = np.flatnonzero(~is_open)
    seeds = tr.pool[rng.integers(0, len(tr.pool), n_hist)]
    emp_by_region = _GroupSampler(ref.district_region[emp.district], np.arange(n_emp), len(ref.partners))
    ec = emp_by_region.sample(rng, tr.partner[seeds], 10)
    ec = np.where(ec >= 0, ec, rng.integers(0, n_emp, ec.shape))
    km = haversine_km(tr.lat[seeds][:, None], tr.lon[seeds][:, None], emp.lat[ec], emp.lon[ec])
    sc = (2.0 * (emp.sector[ec] == tr.track_sector[seeds][:, None]) + 0.5 * np.log(emp.size[ec])
          - 0.05 * np.minimum(km, 150.0) + rng.gumbel(0.0, 0.7, ec.shape))
    o_emp[hist_rows] = ec[np.arange(n_hist), np.argmax(sc, axis=1)]
    o_sector = emp.sector[o_emp]
    o_occ = np.zeros(M, dtype=int)
    for s in range(n_sectors):
        m = o_sector == s
        if m.any():
            o_occ[m] = rng.choice(np.flatnonzero(ref.occ_sector == s), m.sum())
    own_track = (o_sector[hist_rows] == tr.track_sector[seeds]) & (rng.random(n_hist) < 0.85)
    o_occ[hist_rows[own_track]] = tr.track[seeds[own_track]]
    o_district = emp.district[o_emp]
    o_positions = np.where(is_open, rng.choice(pos_values, M, p=pos_p), 0)
    o_positions[~is_open] = h_positions
    posted = np.where(is_open, -rng.integers(0, 61, M), -rng.integers(20, 3 * 365 - 14, M))
    close_after = np.where(rng.random(M) < 0.05, -rng.integers(1, 21, M), rng.integers(15, 91, M))
    closes = np.where(is_open, np.maximum(close_after, posted + 7), np.minimum(posted + rng.integers(15, 61, M), -1))
    shift_u = rng.random(M)
    shift = np.where(shift_u < 0.12, 1, np.where(shift_u < 0.20, 2, 0))
    transport = rng.random(M) < np.array([0.15, 0.50, 0.40])[shift]
    accommodation = rng.random(M) < np.where(ref.district_is_partner[o_district], 0.08, 0.6)
    below = rng.random(M) < 0.07
    minimum = ref.minimum(ref.occ_category[o_occ], ref.district_zone[o_district],
                          ctx.ref_day + posted.astype("timedelta64[D]"))
    wage = np.where(
        below,
        np.floor(minimum * rng.uniform(0.78, 0.97, M) / 10.0) * 10,
        np.ceil(minimum * (1.0 + rng.uniform(0.0, 0.40, M)) / 10.0) * 10,
    ).astype(np.int64)
    lang_opts = np.array(["bn", "", "bn;hi", "bn;en", "hi", "en"])
    languages = lang_opts[rng.choice(len(lang_opts), M, p=[0.55, 0.25, 0.06, 0.06, 0.05, 0.03])]
    swap_ne = np.isin(np.array(ref.district_names)[o_district], HILL_DISTRICTS) & (rng.random(M) < 0.5)
    languages = np.where(swap_ne & (languages == "bn"), "ne",
                         np.where(swap_ne & (languages == "bn;hi"), "hi;ne", languages))
    title_u = rng.random(M)
    # required skills: 2-4 of the occupation's core skills (the main one always)
    owners, sk, lv, order = [], [], [], []
    for o in range(n_occ):
        idx = np.flatnonzero(o_occ == o)
        core = ref.occ_core[o]
        if not len(idx) or not core:
            continue
        k = np.minimum(rng.integers(2, 5, len(idx)), len(core))
        rank = np.argsort(rng.random((len(idx), max(len(core) - 1, 1))), axis=1)
        for j, (s, target) in enumerate(core):
            chosen = np.ones(len(idx), bool) if j == 0 else np.argmax(rank == (j - 1), axis=1) < (k - 1)
            who = idx[chosen]
            owners.append(who)
            sk.append(np.full(len(who), s))
            lv.append(_level_draw(rng, np.full(len(who), target)))
            order.append(np.full(len(who), j))
    skills, levels = _emit_skill_lists(
        rng, ref, np.concatenate(owners), np.concatenate(sk).astype(int), np.concatenate(lv).astype(np.int8),
        np.concatenate(order), M, unknown_rate=0.03)
    occ_kind = rng.random(M)
    occ_pick = rng.random(M)
    # the occupation as typed: mostly the code, sometimes the name or a synonym
    occupation_labels = []
    for o, kind, pick in zip(o_occ.tolist(), occ_kind.tolist(), occ_pick.tolist()):
        labels = ref.occ_labels[o]
        if kind < 0.8 or len(labels) < 2:
            occupation_labels.append(labels[0])
        elif kind < 0.9 or len(labels) < 3:
            occupation_labels.append(labels[1])
        else:
            occupation_labels.append(labels[2 + int(pick * (len(labels) - 2))])
    titles = []
    for o, tu in zip(o_occ.tolist(), title_u.tolist()):
        name = ref.occ_name[o]
        titles.append(name if tu < 0.75 else f"Junior {name}" if tu < 0.85 else f"{name} Trainee" if tu < 0.95
                      else f"Senior {name}")
    return _Openings(
        is_open=is_open, emp=o_emp, sector=o_sector, occ=o_occ, district=o_district, lat=emp.lat[o_emp],
        lon=emp.lon[o_emp], positions=o_positions, posted=posted, closes=closes, shift=shift, transport=transport,
        accommodation=accommodation, wage=wage, below_minimum=wage < minimum, languages=languages, titles=titles,
        occupation_labels=occupation_labels, skills=skills, levels=levels)


def _pair_features(emp: _Employers, tr: _Trainees, op: _Openings, ti: np.ndarray,
                   oi: np.ndarray) -> dict[str, np.ndarray]:
    """Canonical truth features of (trainee ti, opening oi) pairs, as the bundle's rows give them."""
    return {
        "skill_fit": skill_fit_from_levels(tr.levels[ti], op.levels[oi]),
        "commute_km": haversine_km(tr.lat[ti], tr.lon[ti], op.lat[oi], op.lon[oi]),
        "wage_ratio": op.wage[oi] / tr.expected_wage[ti],
        "night": op.shift[oi] == 1,
        "rotating": op.shift[oi] == 2,
        "transport": op.transport[oi],
        "accommodation": op.accommodation[oi],
        "has_dependents": tr.dependents[ti],
        "night_shift_ok": tr.night_ok[ti],
        "willing_to_relocate": tr.relocate[ti],
        "preferred_sector_match": tr.prefs[ti, op.sector[oi]],
        "attendance_rate": tr.attendance[ti],
        "unvetted": ~emp.vetted[op.emp[oi]],
        "below_minimum": op.below_minimum[oi],
        "employer_effect": emp.effect[op.emp[oi]],
    }


@dataclass
class _History:
    opening: np.ndarray           # per placement (sorted by start)
    trainee: np.ndarray
    start: np.ndarray             # days relative to the reference date
    end: np.ndarray               # start + tenure; > 0 means still there
    eta: np.ndarray               # noise-free logit of the pair
    noise: np.ndarray             # the placement's idiosyncratic logit noise
    intercept: float

    @property
    def ongoing(self) -> np.ndarray:
        return self.end > 0


def _simulate_history(rng: np.random.Generator, ctx: _Context, emp: _Employers, tr: _Trainees, op: _Openings,
                      truth0: TruthModel) -> _History:
    """Fill the historical openings' positions with women and simulate how long each stays."""
    ref = ctx.ref
    n, n_occ, n_dist, n_regions = len(tr.partner), len(ref.occupations), len(ref.district_names), len(ref.partners)
    hist = np.flatnonzero(~op.is_open)
    s_open = np.repeat(hist, op.positions[hist])
    S = len(s_open)
    s_start = np.minimum(op.posted[s_open] + rng.integers(14, 51, S), -1)
    by_time = np.lexsort((s_open, s_start))
    s_open, s_start = s_open[by_time], s_start[by_time]
    s_district = op.district[s_open]
    s_region = ref.district_region[s_district]
    s_occ, s_sector, s_accom = op.occ[s_open], op.sector[s_open], op.accommodation[s_open]
    pool = tr.pool
    # candidates per slot: women of the district and region trained for the occupation,
    # women of the district, and a few from anywhere (who may move for a job with accommodation)
    by_track = _GroupSampler(tr.partner[pool] * n_occ + tr.track[pool], pool, n_regions * n_occ)
    by_local_track = _GroupSampler(tr.district[pool] * n_occ + tr.track[pool], pool, n_dist * n_occ)
    by_district = _GroupSampler(tr.district[pool], pool, n_dist)
    by_region = _GroupSampler(tr.partner[pool], pool, n_regions)
    anywhere = _GroupSampler(np.zeros(len(pool), dtype=int), pool, 1)
    fallback = by_region.sample(rng, s_region, 1)[:, 0]
    fallback = np.where(fallback >= 0, fallback, anywhere.sample(rng, np.zeros(S, dtype=int), 1)[:, 0])
    cand = np.concatenate([
        by_local_track.sample(rng, s_district * n_occ + s_occ, 8),
        by_track.sample(rng, s_region * n_occ + s_occ, 6),
        by_district.sample(rng, s_district, 6),
        by_region.sample(rng, s_region, 2),
        anywhere.sample(rng, np.zeros(S, dtype=int), 2),
    ], axis=1)
    cand = np.where(cand >= 0, cand, fallback[:, None])
    dist = haversine_km(tr.lat[cand], tr.lon[cand], op.lat[s_open][:, None], op.lon[s_open][:, None])
    score = (
        2.5 * (tr.track[cand] == s_occ[:, None])
        + 0.8 * (tr.track_sector[cand] == s_sector[:, None])
        + 0.5 * tr.prefs[cand, s_sector[:, None]]
        - 0.09 * np.minimum(dist, 150.0) * (1.0 - 0.85 * (s_accom[:, None] & tr.relocate[cand]))
        + rng.gumbel(0.0, 0.8, cand.shape)
    )
    s_trainee = _assign_distinct(score, cand, n)
    left = np.flatnonzero(s_trainee < 0)
    if len(left):
        free = np.setdiff1d(pool, s_trainee[s_trainee >= 0])
        free = free[rng.permutation(len(free))]
        s_trainee[left[: len(free)]] = free[: len(left)]
        if (s_trainee < 0).any():
            raise ValueError("too few trainees for the placement history")

    # calibrate the intercept to the drawn overall retention, then draw each tenure
    eps = rng.normal(0.0, ctx.truth_params["noise_sd"], S)
    u_tenure = rng.random(S)
    eta = truth0.linear_predictor(_pair_features(emp, tr, op, s_trainee, s_open))
    scale = truth0.marginal_scale
    intercept = round(_bisect_scalar(lambda b: float(logistic((eta + b) * scale).mean()),
                                     ctx.truth_params["target_retention"]), 4)

    def tenure_days(eta_free: np.ndarray, idx: np.ndarray) -> np.ndarray:
        p_i = logistic(eta_free + intercept + eps[idx])
        months = truth0.tenure_months(p_i, u_tenure[idx])
        return np.maximum(1, np.round(np.minimum(months, 1200.0) * DAYS_PER_MONTH)).astype(np.int64)

    s_end = s_start + tenure_days(eta, np.arange(S))

    # some women who left come back and are placed again (replacing the first choice)
    cand_src = np.flatnonzero(s_end <= -14)
    r2 = np.flatnonzero((s_start > s_start.min() + 120) & (rng.random(S) < 0.12))
    src_ok = np.ones(S, bool)
    src_ok[r2] = False
    cand_src = cand_src[src_ok[cand_src]]
    if len(r2) and len(cand_src):
        c2 = np.full((len(r2), 30), -1, dtype=np.int64)
        for r in range(n_regions):
            m = np.flatnonzero(s_region[r2] == r)
            src_r = cand_src[s_region[cand_src] == r]
            if len(m) and len(src_r):
                c2[m] = src_r[rng.integers(0, len(src_r), (len(m), c2.shape[1]))]
        valid = c2 >= 0
        c2_safe = np.where(valid, c2, 0)
        ok = valid & (s_end[c2_safe] + 14 <= s_start[r2][:, None])
        who = s_trainee[c2_safe]
        sc2 = np.where(ok, 1.5 * (tr.track[who] == s_occ[r2][:, None]) + rng.gumbel(0.0, 1.0, c2.shape), -np.inf)
        chosen = _assign_distinct(sc2, who, n)
        idx = r2[chosen >= 0]
        s_trainee[idx] = chosen[chosen >= 0]
        if len(idx):
            eta[idx] = truth0.linear_predictor(_pair_features(emp, tr, op, s_trainee[idx], s_open[idx]))
            s_end[idx] = s_start[idx] + tenure_days(eta[idx], idx)
    return _History(opening=s_open, trainee=s_trainee, start=s_start, end=s_end, eta=eta + intercept,
                    noise=eps, intercept=intercept)


@dataclass
class _Roster:
    status: np.ndarray            # index into STATUSES
    cohort: np.ndarray
    available_from: np.ndarray    # days relative to the reference date
    excluded_employers: list[str]
    excluded_district: np.ndarray


def _make_roster(rng: np.random.Generator, ctx: _Context, emp: _Employers, tr: _Trainees, op: _Openings,
                 hist: _History) -> _Roster:
    """Status, cohort, availability and exclusions: what the history implies for each woman."""
    ref = ctx.ref
    n, n_emp, S = len(tr.partner), len(emp.ids), len(hist.trainee)
    ongoing = hist.ongoing
    status = np.full(n, STATUSES.index("job_ready"))
    status[tr.in_training] = STATUSES.index("in_training")
    status[hist.trainee[ongoing]] = STATUSES.index("placed")
    n_placements = np.bincount(hist.trainee, minlength=n)
    first_start = np.full(n, 10**9)
    np.minimum.at(first_start, hist.trainee, hist.start)
    eligible_exit = np.flatnonzero(status == STATUSES.index("job_ready"))
    n_exit = min(int(round(0.05 * n)), len(eligible_exit))
    if n_exit:
        w = np.where(n_placements[eligible_exit] > 0, 3.0, 1.0)
        status[rng.choice(eligible_exit, n_exit, replace=False, p=w / w.sum())] = STATUSES.index("exited")
    # cohort: the month her training began
    in_training, job_ready = status == STATUSES.index("in_training"), status == STATUSES.index("job_ready")
    cohort_day = np.where(
        n_placements > 0, first_start - rng.integers(60, 200, n),
        np.where(in_training, -rng.integers(20, 150, n), -rng.integers(90, 540, n)))
    cohort_month = (ctx.ref_day + cohort_day.astype("timedelta64[D]")).astype("datetime64[M]").astype(str)
    prefixes = np.array([COHORT_PREFIX.get(p, p[:3].upper()) for p in ref.partners])
    cohort = np.char.add(np.char.add(prefixes[tr.partner], "-"), cohort_month)
    available = np.where(in_training, rng.integers(0, 46, n),
                         np.where(job_ready, rng.integers(-60, 11, n), rng.integers(-60, 46, n)))
    # excluded employers: often where she left early, else employers of her area
    ongoing_emp = np.full(n, -1)
    ongoing_emp[hist.trainee[ongoing]] = op.emp[hist.opening[ongoing]]
    left_early = (~ongoing) & (hist.end - hist.start < 183)
    excl_first = np.full(n, -1)
    excl_second = np.full(n, -1)
    bad = np.flatnonzero(left_early & (rng.random(S) < 0.35))
    excl_first[hist.trainee[bad]] = op.emp[hist.opening[bad]]
    need = np.flatnonzero((excl_first < 0) & (rng.random(n) < 0.125))
    for r in range(len(ref.partners)):
        m = need[tr.partner[need] == r]
        src = np.flatnonzero(ref.district_region[emp.district] == r)
        src = src if len(src) else np.arange(n_emp)
        excl_first[m] = src[rng.integers(0, len(src), len(m))]
        two = m[rng.random(len(m)) < 0.3]
        excl_second[two] = src[rng.integers(0, len(src), len(two))]
    for arr in (excl_first, excl_second):
        arr[arr == ongoing_emp] = -1
    excl_second[excl_second == excl_first] = -1
    ids = np.array(emp.ids)
    excluded_employers = [";".join(ids[x] for x in (a, b) if x >= 0)
                          for a, b in zip(excl_first.tolist(), excl_second.tolist())]
    # excluded district: another district of her partner area where she was never placed
    placed_district = np.full(n, -1)
    placed_district[hist.trainee] = op.district[hist.opening]
    excl_district = np.full(n, -1)
    want = np.flatnonzero(rng.random(n) < 0.10)
    for _ in range(6):
        if not len(want):
            break
        draws = np.empty(len(want), dtype=int)
        for r in range(len(ref.partners)):
            m = tr.partner[want] == r
            draws[m] = rng.choice(ref.partner_districts[r], m.sum(), p=ref.partner_weights[r])
        ok = (draws != tr.district[want]) & (draws != placed_district[want])
        excl_district[want[ok]] = draws[ok]
        want = want[~ok]
    clash = excl_district[hist.trainee] == op.district[hist.opening]  # twice-placed women
    excl_district[hist.trainee[clash]] = -1
    return _Roster(status=status, cohort=cohort, available_from=available, excluded_employers=excluded_employers,
                   excluded_district=excl_district)


@dataclass
class _FollowUps:
    placement: np.ndarray         # index into the history, sorted by placement then month
    month: np.ndarray
    checked: np.ndarray           # days relative to the reference date
    employed: np.ndarray
    wage: np.ndarray
    wellbeing: np.ndarray
    risk: np.ndarray
    risk_intercept: float


def _make_followups(rng: np.random.Generator, ctx: _Context, emp: _Employers, op: _Openings, hist: _History,
                    truth0: TruthModel) -> _FollowUps:
    """Follow-ups due by the reference date, up to and including the one that finds she left."""
    S = len(hist.trainee)
    growth = rng.uniform(0.0, 0.08, S)
    alive = np.ones(S, bool)
    eta_centre = float(np.mean(hist.eta))
    bad_emp = np.clip(-emp.effect[op.emp[hist.opening]] / ctx.truth_params["employer_effect_sd"], -3, 3)
    parts = []
    for m in FOLLOWUP_MONTHS:
        checked = hist.start + int(round(m * DAYS_PER_MONTH)) + rng.integers(-3, 11, S)
        done = alive & (checked <= 0)
        employed = hist.end > checked
        idx = np.flatnonzero(done)
        parts.append((idx, np.full(len(idx), m), checked[idx], employed[idx]))
        alive = done & employed
    f_idx, f_month, f_checked, f_employed = (np.concatenate([p[i] for p in parts]) for i in range(4))
    F = len(f_idx)
    start_wage = op.wage[hist.opening[f_idx]]
    wage = np.round(start_wage * (1.0 + growth[f_idx]) ** (f_month / 12.0) / 10.0) * 10
    wage = np.where(f_month == 1, start_wage, wage).astype(np.int64)
    latent = (0.6 * (hist.eta[f_idx] + hist.noise[f_idx] - eta_centre) + np.where(f_employed, 0.45, -0.75)
              + rng.normal(0.0, 0.8, F))
    wellbeing = np.clip(np.round(3.2 + latent), 1, 5).astype(int)
    opening = hist.opening[f_idx]
    risk_lin = (1.0 * bad_emp[f_idx] + 1.0 * (~emp.vetted[op.emp[opening]]) + 0.7 * op.below_minimum[opening]
                + 0.6 * (~f_employed))
    risk_u = rng.random(F)
    risk_b = round(_bisect_scalar(lambda b: float(logistic(risk_lin + b).mean()), 0.02), 4) if F else 0.0
    order = np.lexsort((f_month, f_idx))
    return _FollowUps(placement=f_idx[order], month=f_month[order], checked=f_checked[order],
                      employed=f_employed[order], wage=wage[order], wellbeing=wellbeing[order],
                      risk=(risk_u < logistic(risk_lin + risk_b))[order], risk_intercept=risk_b)


@dataclass
class _Market:
    district: np.ndarray          # per row, sorted by district, occupation, period
    occupation: np.ndarray
    period: np.ndarray
    postings: np.ndarray
    source: np.ndarray
    truth: dict[str, Any]


def _make_market_signals(rng: np.random.Generator, ctx: _Context) -> _Market:
    """36 monthly posting counts per selected district x occupation series."""
    ref, sector_w = ctx.ref, ctx.sector_w
    n_sectors, n_occ, n_dist = len(ref.sectors), len(ref.occupations), len(ref.district_names)
    sector_growth = np.round(rng.uniform(-0.05, 0.18, n_sectors), 4)
    ds_shared = rng.random((n_dist, n_sectors)) < 0.4
    ds_growth = np.where(ds_shared, sector_growth[None, :],
                         np.clip(sector_growth[None, :] + rng.normal(0.0, 0.08, (n_dist, n_sectors)), -0.10, 0.25))
    ds_growth = np.round(ds_growth, 4)
    select_p = np.where(ref.district_is_partner, 0.55, 0.22)
    d_idx, oc_idx = np.nonzero(rng.random((n_dist, n_occ)) < select_p[:, None])
    n_series = len(d_idx)
    area_level = {"metro": 22.0, "urban": 10.0, "rural": 5.0}
    level = (np.array([area_level.get(a, 6.0) for a in ref.district_area])[d_idx]
             * rng.lognormal(0.0, 0.45, n_occ)[oc_idx]
             * (1.5 * sector_w / sector_w.mean())[ref.occ_sector[oc_idx]] ** 0.5
             * rng.lognormal(0.0, 0.35, n_series))
    first_period = np.where(rng.random(n_series) < 0.15, rng.integers(6, 25, n_series), 0)
    source = np.where(rng.random(n_series) < 0.7, "job_board", "employer_survey")
    last_month = ctx.ref_day.astype("datetime64[M]") - np.timedelta64(1, "M")
    periods = last_month - np.arange(35, -1, -1).astype("timedelta64[M]")
    month_of_year = periods.astype(int) % 12
    season = np.array([SEASONALITY.get(s, FLAT_SEASON) for s in ref.sectors])  # (sectors, 12)
    g_series = ds_growth[d_idx, ref.occ_sector[oc_idx]]
    lam = (level[:, None] * (1.0 + g_series[:, None]) ** (np.arange(36) / 12.0)[None, :]
           * season[ref.occ_sector[oc_idx]][:, month_of_year])
    postings = rng.poisson(lam)
    present = (np.arange(36)[None, :] >= first_period[:, None]) & (rng.random((n_series, 36)) >= 0.03)
    series, t = np.nonzero(present)  # row-major: by series (district, occupation), then period
    truth = {
        "sector_growth": {ref.sectors[s]: float(sector_growth[s]) for s in range(n_sectors)},
        "district_sector_growth": {f"{ref.district_names[d]}|{ref.sectors[s]}": float(ds_growth[d, s])
                                   for d in range(n_dist) for s in range(n_sectors)},
        "demand_growth": {f"{ref.district_names[d]}|{ref.occupations[o]}": float(g)
                          for d, o, g in zip(d_idx.tolist(), oc_idx.tolist(), g_series.tolist())},
        "seasonality": {ref.sectors[s]: [float(x) for x in season[s]] for s in range(n_sectors)},
    }
    names, occs = np.array(ref.district_names), np.array(ref.occupations)
    order = np.lexsort((t, occs[oc_idx[series]], names[d_idx[series]]))
    series, t = series[order], t[order]
    return _Market(district=names[d_idx[series]], occupation=occs[oc_idx[series]], period=periods[t].astype(str),
                   postings=postings[series, t], source=source[series], truth=truth)


def _write_bundle(out_dir: Path, ctx: _Context, emp: _Employers, tr: _Trainees, op: _Openings, hist: _History,
                  roster: _Roster, fu: _FollowUps, market: _Market, report: ProgressFn) -> dict[str, int]:
    ref, ref_day = ctx.ref, ctx.ref_day
    n, M, S = len(tr.partner), len(op.emp), len(hist.trainee)
    names = np.array(ref.district_names)
    sectors = np.array(ref.sectors)
    # openings get chronological ids (by posting date); placements are sorted by start already
    o_order = np.lexsort((np.arange(M), op.posted))
    o_id_of = np.empty(M, dtype=np.int64)
    o_id_of[o_order] = np.arange(M)
    o_ids = np.array([f"OP-{i + 1:06d}" for i in range(M)])
    t_ids = np.array([f"TR-{i + 1:06d}" for i in range(n)])
    e_ids = np.array(emp.ids)
    p_ids = np.array([f"PL-{i + 1:06d}" for i in range(S)])
    counts: dict[str, int] = {}

    columns = [
        t_ids, np.array(ref.partners)[tr.partner], roster.cohort, np.array(STATUSES)[roster.status],
        names[tr.district], _fmt_coord(tr.lat), _fmt_coord(tr.lon), tr.skills, _flags_to_str(tr.languages, LANGUAGES),
        np.array(EDUCATION_LEVELS)[tr.education], _pref_to_str(tr.prefs, tr.first_pref, ref.sectors), tr.commute,
        _bool_str(tr.relocate), _bool_str(tr.night_ok), _bool_str(tr.dependents),
        [f"{a:.2f}" for a in tr.attendance.tolist()], tr.expected_wage, roster.excluded_employers,
        np.where(roster.excluded_district >= 0, names[np.maximum(roster.excluded_district, 0)], ""),
        _dates(ref_day, roster.available_from), _bool_str(tr.survivor), np.array(ref.occupations)[tr.track],
    ]
    counts["trainees.csv"] = _write_csv(out_dir / "trainees.csv", TRAINEE_COLUMNS, columns, report)

    columns = [e_ids, emp.names, sectors[emp.sector], names[emp.district], _fmt_coord(emp.lat), _fmt_coord(emp.lon),
               _bool_str(emp.vetted), np.where(emp.vetted, _dates(ref_day, -emp.vet_age), "")]
    counts["employers.csv"] = _write_csv(out_dir / "employers.csv", EMPLOYER_COLUMNS, columns, report)

    columns = [
        o_ids[o_id_of], e_ids[op.emp], op.titles, op.occupation_labels, sectors[op.sector], op.skills,
        names[op.district], _fmt_coord(op.lat), _fmt_coord(op.lon), op.wage, op.positions,
        np.array(SHIFTS)[op.shift], _bool_str(op.accommodation), _bool_str(op.transport), op.languages,
        np.where(op.is_open, "open", "closed"), _dates(ref_day, op.posted), _dates(ref_day, op.closes),
    ]
    counts["openings.csv"] = _write_csv(out_dir / "openings.csv", OPENING_COLUMNS, columns, report, row_order=o_order)

    ended = np.where(hist.ongoing, "", _dates(ref_day, np.minimum(hist.end, 0)))
    columns = [p_ids, t_ids[hist.trainee], o_ids[o_id_of[hist.opening]], _dates(ref_day, hist.start), ended]
    counts["placements.csv"] = _write_csv(out_dir / "placements.csv", PLACEMENT_COLUMNS, columns, report)

    columns = [p_ids[fu.placement], fu.month, _dates(ref_day, fu.checked), _bool_str(fu.employed),
               np.where(fu.employed, fu.wage.astype(str), ""), fu.wellbeing, _bool_str(fu.risk)]
    counts["followups.csv"] = _write_csv(out_dir / "followups.csv", FOLLOWUP_COLUMNS, columns, report)

    columns = [market.district, market.occupation, market.period, market.postings, market.source]
    counts["market_signals.csv"] = _write_csv(out_dir / "market_signals.csv", MARKET_SIGNAL_COLUMNS, columns, report)
    return counts


# ------------------------------------------------------------------ pieces


def _assign_distinct(score: np.ndarray, cand: np.ndarray, n_people: int) -> np.ndarray:
    """Give each row its best-scoring candidate, every person at most once.

    Conflicts go to the earlier row; a losing row falls back to its next best
    candidate.  Rows left without a free candidate get -1.
    """
    score = np.array(score, dtype=float, copy=True)
    rows = score.shape[0]
    assigned = np.full(rows, -1, dtype=np.int64)
    taken = np.zeros(n_people, dtype=bool)
    for _ in range(score.shape[1] + 1):
        open_rows = np.flatnonzero(assigned < 0)
        if not len(open_rows):
            break
        sub = score[open_rows]
        c = cand[open_rows]
        sub[taken[c]] = -np.inf
        score[open_rows] = sub
        best = np.argmax(sub, axis=1)
        best_score = sub[np.arange(len(open_rows)), best]
        valid = np.isfinite(best_score)
        if not valid.any():
            break
        rows_v = open_rows[valid]
        people = c[valid, best[valid]]
        uniq, first = np.unique(people, return_index=True)
        winners = rows_v[first]
        assigned[winners] = uniq
        taken[uniq] = True
        score[rows_v, best[valid]] = np.where(np.isin(rows_v, winners), score[rows_v, best[valid]], -np.inf)
    return assigned


class _GroupSampler:
    """Uniform draws of members of a group (members given with their group key)."""

    def __init__(self, keys: np.ndarray, members: np.ndarray, n_groups: int):
        order = np.argsort(keys, kind="stable")
        self.members = np.asarray(members)[order]
        self.counts = np.bincount(keys, minlength=n_groups)
        self.offsets = np.r_[0, np.cumsum(self.counts)[:-1]]

    def sample(self, rng: np.random.Generator, groups: np.ndarray, k: int) -> np.ndarray:
        """(len(groups), k) members drawn with replacement; -1 where a group is empty."""
        counts = self.counts[groups][:, None]
        pick = np.floor(rng.random((len(groups), k)) * np.maximum(counts, 1)).astype(np.int64)
        idx = self.offsets[groups][:, None] + pick
        return np.where(counts > 0, self.members[np.minimum(idx, len(self.members) - 1)], -1)


def _flags_to_str(flags: np.ndarray, labels: Sequence[str]) -> list[str]:
    return [";".join(labels[j] for j in np.flatnonzero(row)) for row in flags]


def _pref_to_str(pref: np.ndarray, first: np.ndarray, sectors: Sequence[str]) -> list[str]:
    out = []
    for row, f in zip(pref, first.tolist()):
        rest = [sectors[j] for j in np.flatnonzero(row).tolist() if j != f]
        out.append(";".join([sectors[f], *rest]))
    return out


def _write_csv(
    path: Path, header: Sequence[str], columns: Sequence[Iterable[Any]], report: ProgressFn,
    row_order: np.ndarray | None = None, chunk: int = 20000,
) -> int:
    """Write columns as CSV rows (optionally reordered), converting one chunk at a time."""
    cols = [c if isinstance(c, np.ndarray) else np.asarray(c, dtype=object) for c in columns]
    n = len(cols[0]) if cols else 0
    assert all(len(c) == n for c in cols), f"ragged columns for {path.name}"
    order = np.arange(n) if row_order is None else np.asarray(row_order)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for start in range(0, n, chunk):
            idx = order[start:start + chunk]
            writer.writerows(zip(*(c[idx].tolist() for c in cols)))
            report(path.name, min(n, start + chunk))
    return n


def _truth_dict(ctx: _Context, seed: int, trainees: int, openings: int, reference_date: date, emp: _Employers,
                intercept: float) -> dict[str, Any]:
    """The truth's parameters (market-signal growth and the risk intercept are added by the caller)."""
    ref, params = ctx.ref, ctx.truth_params
    minimum_wages = {}
    for (c, z), (dates, amounts) in sorted(ref.min_steps.items()):
        minimum_wages[f"{ref.categories[c]}|{ref.zones[z]}"] = [
            [str(d), int(a)] for d, a in zip(dates.astype(str).tolist(), amounts.tolist())]
    return {
        "format_version": FORMAT_VERSION,
        "description": "Hidden true outcome model of a synthetic jobmatch demo bundle (read by benchmarks only).",
        "generator": {"seed": int(seed), "trainees": int(trainees), "openings": int(openings)},
        "reference_date": reference_date.isoformat(),
        "intercept": float(intercept),
        "coefficients": dict(params["coefficients"]),
        "noise_sd": params["noise_sd"],
        "hazard_shape": params["hazard_shape"],
        "commute_cap_km": params["commute_cap_km"],
        "relocation_km": params["relocation_km"],
        "target_retention": params["target_retention"],
        "employer_effect_sd": params["employer_effect_sd"],
        "employer_effects": {e: float(x) for e, x in zip(emp.ids, emp.effect.tolist())},
        "unvetted_employers": [e for e, v in zip(emp.ids, emp.vetted.tolist()) if not v],
        "skill_aliases": dict(ref.skill_aliases),
        "occupation_aliases": dict(ref.occupation_aliases),
        "occupation_skill_category": {o: ref.categories[c] for o, c in zip(ref.occupations, ref.occ_category.tolist())},
        "occupation_sector": {o: ref.sectors[s] for o, s in zip(ref.occupations, ref.occ_sector.tolist())},
        "district_zone": {n: ref.zones[z] for n, z in zip(ref.district_names, ref.district_zone.tolist())},
        "minimum_wages": minimum_wages,
    }
