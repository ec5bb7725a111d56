"""The programme's people and jobs: employers, trainees (with their skills) and openings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo.draws import _choice_rows, _GroupSampler, _jitter, _join_groups, _odd_case
from demo.world import DEFAULT_EMPLOYER_WORDS, _Context, _Reference
from matching.geo import haversine_km

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
        labels += [f"{ref.unknown_labels[i]}:{lvl}" for i, lvl in zip(u_label.tolist(), u_level.tolist())]
        owner = np.r_[owner, u_owner]
        order = np.r_[order, np.full(len(u_owner), 10**6)]
    sort = np.lexsort((order, owner))
    labels_sorted = [labels[i] for i in sort.tolist()]
    return _join_groups(owner[sort], labels_sorted, n_owners), levels


# ------------------------------------------------------------------ employers, trainees, openings


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
        partner_mass[ref.partner_districts[p_i]] += ref.profile.partner_share[p] * ref.partner_weights[p_i]
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
        words = ref.profile.employer_words.get(ref.sectors[sector[i]], DEFAULT_EMPLOYER_WORDS)
        word = words[int(word_pick[i] * len(words))]
        hq = ref.district_hq[district[i]]
        counters[(hq, word)] = counters.get((hq, word), int(number_offset[i])) + 1
        names.append(f"{hq} {word} {counters[(hq, word)]}")
    prefix = ctx.ref.profile.id_prefix
    return _Employers(ids=[f"{prefix}EM-{i + 1:05d}" for i in range(n_emp)], names=names, sector=sector,
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
    languages: np.ndarray         # (n, languages) flags in the profile's language order
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
    partner = rng.choice(len(ref.partners), n, p=[ref.profile.partner_share[p] for p in ref.partners])
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
    step = float(ref.profile.expected_step)
    expected_wage = (np.round(semi_min * rng.uniform(0.85, 1.15, n) / step) * step).astype(np.int64)
    languages = (_trainee_languages(rng, ref, partner, district, education)
                 if ref.profile.language_model == "west_bengal"
                 else _site_languages(rng, len(ref.profile.languages), education))
    # preferred sectors: usually the track's sector first, sometimes a second one
    first_pref = np.where(rng.random(n) < 0.8, track_sector, rng.choice(n_sectors, n, p=sector_w))
    second = rng.choice(n_sectors, n, p=sector_w)
    has_second = (rng.random(n) < 0.45) & (second != first_pref)
    prefs = np.zeros((n, n_sectors), dtype=bool)
    prefs[np.arange(n), first_pref] = True
    prefs[np.flatnonzero(has_second), second[has_second]] = True
    skills, levels = _trainee_skills(rng, ref, track)
    in_training = rng.random(n) < 0.20
    return _Trainees(
        partner=partner, district=district, lat=lat, lon=lon, track=track, track_sector=track_sector,
        education=education, dependents=dependents, night_ok=night_ok, relocate=relocate, attendance=attendance,
        commute=commute, survivor=survivor, expected_wage=expected_wage, languages=languages,
        first_pref=first_pref, prefs=prefs, skills=skills, levels=levels, in_training=in_training,
        pool=np.flatnonzero(~in_training))


def _trainee_languages(rng: np.random.Generator, ref: _Reference, partner: np.ndarray, district: np.ndarray,
                       education: np.ndarray) -> np.ndarray:
    """``(n, 4)`` flags in LANGUAGES order: mostly Bengali; Nepali in the hills and some in the Duars."""
    n = len(partner)
    names = np.array(ref.district_names)[district]
    hills, duars = np.isin(names, ref.profile.hill_districts), np.isin(names, ref.profile.duars_districts)
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
    return languages


def _site_languages(rng: np.random.Generator, n_languages: int, education: np.ndarray) -> np.ndarray:
    """``(n, languages)`` flags: the site's first language for nearly all, English (when listed) more often with
    more schooling, any other language rarely; everyone speaks at least the first."""
    n = len(education)
    p_lang = np.full((n, n_languages), 0.05)
    p_lang[:, 0] = 0.97
    english = np.array([0.04, 0.08, 0.18, 0.35, 0.70])[education]
    if n_languages > 1:
        p_lang[:, -1] = english
    languages = rng.random((n, n_languages)) < p_lang
    languages[~languages.any(axis=1), 0] = True
    return languages


def _trainee_skills(rng: np.random.Generator, ref: _Reference, track: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Written skill lists and true levels: core skills of the track, sometimes a related skill, 1-3 life skills."""
    n, n_occ = len(track), len(ref.occupations)
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
    return skills, levels


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
    n_emp, n_sectors = len(emp.ids), len(ref.sectors)
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
    seeds, seed_employers = _seed_employers(rng, ref, emp, tr, n_hist)
    o_emp[hist_rows] = seed_employers
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
                          ctx.ref_day + posted.astype("timedelta64[D]"), sector=ref.occ_sector[o_occ])
    step = float(ref.profile.wage_step)
    wage = np.where(
        below,
        np.floor(minimum * rng.uniform(0.78, 0.97, M) / step) * step,
        np.ceil(minimum * (1.0 + rng.uniform(0.0, 0.40, M)) / step) * step,
    ).astype(np.int64)
    lang_opts = np.array([text for text, _ in ref.profile.opening_languages])
    languages = lang_opts[rng.choice(len(lang_opts), M, p=[weight for _, weight in ref.profile.opening_languages])]
    swap_ne = np.isin(np.array(ref.district_names)[o_district], ref.profile.hill_districts) & (rng.random(M) < 0.5)
    languages = np.where(swap_ne & (languages == "bn"), "ne",
                         np.where(swap_ne & (languages == "bn;hi"), "hi;ne", languages))
    title_u = rng.random(M)
    skills, levels = _required_skills(rng, ref, o_occ)
    occ_kind = rng.random(M)
    occ_pick = rng.random(M)
    occupation_labels, titles = _typed_labels(ref, o_occ, occ_kind, occ_pick, title_u)
    return _Openings(
        is_open=is_open, emp=o_emp, sector=o_sector, occ=o_occ, district=o_district, lat=emp.lat[o_emp],
        lon=emp.lon[o_emp], positions=o_positions, posted=posted, closes=closes, shift=shift, transport=transport,
        accommodation=accommodation, wage=wage, below_minimum=wage < minimum, languages=languages, titles=titles,
        occupation_labels=occupation_labels, skills=skills, levels=levels)


def _seed_employers(rng: np.random.Generator, ref: _Reference, emp: _Employers, tr: _Trainees,
                    n_hist: int) -> tuple[np.ndarray, np.ndarray]:
    """For each historical opening, a woman it was found for and her employer: one near her, in her sector."""
    n_emp = len(emp.ids)
    seeds = tr.pool[rng.integers(0, len(tr.pool), n_hist)]
    emp_by_region = _GroupSampler(ref.district_region[emp.district], np.arange(n_emp), len(ref.partners))
    ec = emp_by_region.sample(rng, tr.partner[seeds], 10)
    ec = np.where(ec >= 0, ec, rng.integers(0, n_emp, ec.shape))
    km = haversine_km(tr.lat[seeds][:, None], tr.lon[seeds][:, None], emp.lat[ec], emp.lon[ec])
    sc = (2.0 * (emp.sector[ec] == tr.track_sector[seeds][:, None]) + 0.5 * np.log(emp.size[ec])
          - 0.05 * np.minimum(km, 150.0) + rng.gumbel(0.0, 0.7, ec.shape))
    return seeds, ec[np.arange(n_hist), np.argmax(sc, axis=1)]


def _required_skills(rng: np.random.Generator, ref: _Reference, o_occ: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Written required-skill lists and levels: 2-4 of the occupation's core skills (the main one always)."""
    M, n_occ = len(o_occ), len(ref.occupations)
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
    return skills, levels


def _typed_labels(ref: _Reference, o_occ: np.ndarray, occ_kind: np.ndarray, occ_pick: np.ndarray,
                  title_u: np.ndarray) -> tuple[list[str], list[str]]:
    """The occupation as typed (mostly the code, sometimes the name or a synonym) and the job title."""
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
    return occupation_labels, titles
