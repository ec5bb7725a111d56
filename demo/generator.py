"""Synthetic demo bundle: trainees, employers, openings, placement history,
follow-ups and labour-market signals for a site (West Bengal unless told otherwise).

The site's data gives the districts, the partners' training centres, the wage
table, the currency and the area types; the programme drawn on it (partners'
districts, sectors, languages, seasons) is the site's profile (:mod:`demo.profiles`).
A site paid in another currency than rupees gets the neutral money columns
(``monthly_wage``, ``expected_wage``) instead of the ``_inr`` ones.

Everything is synthetic: trainees carry only pseudonymous ids and employers
have obviously made-up names ("Howrah Garments Unit 12").  The bundle is drawn
from a hidden true outcome model (:mod:`demo.truth`) whose
parameters are written to ``OUT/_truth/truth.json`` so that the quality
benchmarks can compare what the engine learns with what really drives the
outcomes.

``truth`` chooses the form of that hidden truth: ``"additive"`` (the default)
or ``"interactions"``, a differently shaped one (:mod:`demo.truth_interactions`:
interactions, a commute tolerance of her own, employer effects, a history of
pairs coordinators favoured, mislabelled skill levels). Under either, each
placement's true journey is recorded in ``OUT/_truth/journeys.csv``, with the
journey model in ``OUT/_truth/journeys.json`` (:mod:`demo.journeys`); the bundle
carries journeys as a programme records them (``commute_minutes`` at follow-ups,
``training_commute_minutes`` to the training centre), with a reporting error.

The generator is deterministic per seed (numpy ``PCG64`` streams derived from
the seed and a stage name; no global RNG, no wall-clock, no set or dict-order
dependence) and vectorised, so that 100k trainees and 20k openings take a few
seconds.

The stages live in their own modules: :mod:`demo.world` (the programme's partners and sectors, and the
site and taxonomy it is drawn on), :mod:`demo.people` (employers, trainees, openings),
:mod:`demo.history` (placements, follow-ups, each woman's status), :mod:`demo.market` (market signals)
and :mod:`demo.draws` (random draws); this module runs them and writes the files.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from demo.draws import _bool_str, _dates, _fmt_coord, _rng
from demo.history import (
    AdditivePairs,
    _FollowUps,
    _History,
    _make_followups,
    _make_roster,
    _PairModel,
    _Roster,
    _simulate_history,
)
from demo.interactions import InteractionPairs, interaction_truth_extras, make_hidden_people
from demo.journeys import (
    JOURNEY_COLUMNS,
    JOURNEYS_CSV,
    draw_paces,
    followup_journeys,
    pair_minutes,
    recorded_minutes,
    training_journeys,
    world_of,
)
from demo.market import _make_market_signals, _Market
from demo.people import _Employers, _make_employers, _make_openings, _make_trainees, _Openings, _Trainees
from demo.truth import COEFFICIENT_NAMES, FORMAT_VERSION, TRUTH_DIR, TRUTH_FORMS, TruthModel
from demo.truth_interactions import InteractionsTruth, draw_interaction_params
from demo.world import (
    DEFAULT_EMPLOYER_WORDS,
    EDUCATION_LEVELS,
    EMPLOYER_WORDS,
    SHIFTS,
    SITE,
    STATUSES,
    ProgressFn,
    _Context,
    _load_reference,
    _sector_weights,
)

__all__ = [
    "BUNDLE_FILES",
    "DEFAULT_EMPLOYER_WORDS",
    "EMPLOYER_COLUMNS",
    "EMPLOYER_WORDS",
    "FOLLOWUP_COLUMNS",
    "MARKET_SIGNAL_COLUMNS",
    "OPENING_COLUMNS",
    "PLACEMENT_COLUMNS",
    "TRAINEE_COLUMNS",
    "TRUTH_FORMS",
    "bundle_columns",
    "generate_bundle",
]

# ------------------------------------------------------------------ contract

TRAINEE_COLUMNS = (
    "external_id", "partner_org", "cohort", "status", "district", "lat", "lon", "skills", "languages",
    "education", "preferred_sectors", "max_commute_minutes", "willing_to_relocate", "night_shift_ok",
    "has_dependents", "attendance_rate", "expected_wage_inr", "excluded_employers", "excluded_districts",
    "available_from", "is_survivor", "training_track", "training_commute_minutes", "trainer_consent",
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
    "commute_minutes",
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

#: The neutral names of the money columns, used by sites paid in another currency than rupees.
NEUTRAL_MONEY = {"expected_wage_inr": "expected_wage", "monthly_wage_inr": "monthly_wage"}


def bundle_columns(columns: Sequence[str], *, neutral_money: bool) -> tuple[str, ...]:
    """A file's columns, with the neutral money names when ``neutral_money``."""
    return tuple(NEUTRAL_MONEY.get(c, c) if neutral_money else c for c in columns)


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
    truth: str = "additive",
    site: str = SITE,
) -> dict[str, int]:
    """Write a synthetic demo bundle to ``out_dir`` and return the rows written per file.

    ``openings`` is the number of currently open openings; closed historical
    openings are added for the past placements (``max(50, trainees / 2)`` of
    them, over the three years before ``reference_date``).  The hidden true
    outcome model goes to ``out_dir/_truth/truth.json``, in the form ``truth``
    names (see the module docs).  Same arguments give byte-identical files.
    ``progress(stage, rows)`` is called as files fill. ``site`` is the site folder the
    programme is drawn on (``data_dir/sites/<site>``).
    """
    if trainees < 1 or openings < 1:
        raise ValueError("trainees and openings must be positive")
    if truth not in TRUTH_FORMS:
        raise ValueError(f"unknown truth {truth!r}: choose one of {', '.join(TRUTH_FORMS)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda stage, rows: None)
    ref = _load_reference(data_dir, reference_date, site)
    params = (_draw_truth_params(_rng(seed, "truth")) if truth == "additive"
              else draw_interaction_params(_rng(seed, "truth-interactions")))
    ctx = _Context(ref=ref, ref_day=np.datetime64(reference_date.isoformat()),
                   sector_w=_sector_weights(ref), truth_params=params)

    emp = _make_employers(_rng(seed, "employers"), ctx, n_emp=max(20, int(round(openings / 8))))
    tr = _make_trainees(_rng(seed, "trainees"), ctx, trainees)
    report("trainees", trainees)
    op = _make_openings(_rng(seed, "openings"), ctx, emp, tr, n_open=openings,
                        n_slots=max(50, int(round(0.5 * trainees))))
    report("openings", len(op.emp))
    trainee_ids = _trainee_ids(trainees, ref.profile.id_prefix)
    pace = draw_paces(_rng(seed, "journeys"), trainees)
    journeys = world_of(ref, pace, trainee_ids)
    truth_args = (ctx, seed, trainees, openings, reference_date, emp)
    pairs: _PairModel
    if truth == "additive":
        extras: dict[str, Any] = {}
        truth0 = TruthModel(_truth_dict(*truth_args, intercept=0.0))
        pairs = AdditivePairs(emp, tr, op)
    else:
        hidden = make_hidden_people(_rng(seed, "truth-people"), ctx, tr)
        pairs = InteractionPairs(ctx, emp, tr, op, pace, hidden)
        tr = replace(tr, skills=hidden.recorded_skills)  # what the bundle shows
        extras = interaction_truth_extras(ref, tr, hidden, trainee_ids, params)
        truth0 = InteractionsTruth({**_truth_dict(*truth_args, intercept=0.0), **extras}, journeys=journeys)
    hist = _simulate_history(_rng(seed, "history"), ctx, emp, tr, op, truth0, pairs)
    roster = _make_roster(_rng(seed, "status"), ctx, emp, tr, op, hist)
    fu = _make_followups(_rng(seed, "followups"), ctx, emp, op, hist)
    market = _make_market_signals(_rng(seed, "market"), ctx)
    true_journeys = pair_minutes(ref, pace, tr, op, hist.trainee, hist.opening)
    journey_minutes = recorded_minutes(_rng(seed, "journeys-recorded"), true_journeys)
    recorded = (followup_journeys(_rng(seed, "journeys-followups"), true_journeys, fu.placement, fu.employed,
                                  ~op.accommodation[hist.opening]),
                training_journeys(_rng(seed, "journeys-training"), ref, pace, tr))

    truth_params = {**_truth_dict(*truth_args, intercept=hist.intercept), **extras}
    truth_params["risk_flag_intercept"] = fu.risk_intercept
    truth_params.update(market.truth)
    consent = _trainer_consent(_rng(seed, "trainer-consent"), roster)
    counts = _write_bundle(out_dir, ctx, emp, tr, op, hist, roster, fu, market, report, journey_minutes, recorded,
                           consent)
    truth_model = TruthModel(truth_params) if truth == "additive" else InteractionsTruth(truth_params)
    truth_model.save(out_dir)
    journeys.save(out_dir / TRUTH_DIR)
    report("truth", 1)
    return counts


#: The share of graduates who agree to be considered for a trainer role at their partner organisation.
TRAINER_CONSENT_SHARE = 0.4


def _trainer_consent(rng: np.random.Generator, roster: _Roster) -> np.ndarray:
    """Whether each woman agreed to be considered as a trainer: some of the graduates (job-ready or placed)."""
    graduate = np.isin(roster.status, [STATUSES.index("job_ready"), STATUSES.index("placed")])
    return graduate & (rng.random(len(roster.status)) < TRAINER_CONSENT_SHARE)


def _trainee_ids(n: int, prefix: str) -> list[str]:
    return [f"{prefix}TR-{i + 1:06d}" for i in range(n)]


def _write_bundle(out_dir: Path, ctx: _Context, emp: _Employers, tr: _Trainees, op: _Openings, hist: _History,
                  roster: _Roster, fu: _FollowUps, market: _Market, report: ProgressFn,
                  journey_minutes: np.ndarray, recorded: tuple[np.ndarray, np.ndarray],
                  trainer_consent: np.ndarray) -> dict[str, int]:
    ref, ref_day = ctx.ref, ctx.ref_day
    n, M, S = len(tr.partner), len(op.emp), len(hist.trainee)
    names = np.array(ref.district_names)
    sectors = np.array(ref.sectors)
    # openings get chronological ids (by posting date); placements are sorted by start already
    o_order = np.lexsort((np.arange(M), op.posted))
    o_id_of = np.empty(M, dtype=np.int64)
    o_id_of[o_order] = np.arange(M)
    prefix = ref.profile.id_prefix
    o_ids = np.array([f"{prefix}OP-{i + 1:06d}" for i in range(M)])
    t_ids = np.array(_trainee_ids(n, prefix))
    e_ids = np.array(emp.ids)
    p_ids = np.array([f"{prefix}PL-{i + 1:06d}" for i in range(S)])
    counts: dict[str, int] = {}
    neutral = ref.neutral_money

    columns = [
        t_ids, np.array(ref.partners)[tr.partner], roster.cohort, np.array(STATUSES)[roster.status],
        names[tr.district], _fmt_coord(tr.lat), _fmt_coord(tr.lon), tr.skills,
        _flags_to_str(tr.languages, ref.profile.languages),
        np.array(EDUCATION_LEVELS)[tr.education], _pref_to_str(tr.prefs, tr.first_pref, ref.sectors), tr.commute,
        _bool_str(tr.relocate), _bool_str(tr.night_ok), _bool_str(tr.dependents),
        [f"{a:.2f}" for a in tr.attendance.tolist()], tr.expected_wage, roster.excluded_employers,
        np.where(roster.excluded_district >= 0, names[np.maximum(roster.excluded_district, 0)], ""),
        _dates(ref_day, roster.available_from), _bool_str(tr.survivor), np.array(ref.occupations)[tr.track],
        _blank_zero(recorded[1]), _bool_str(trainer_consent),
    ]
    header = bundle_columns(TRAINEE_COLUMNS, neutral_money=neutral)
    counts["trainees.csv"] = _write_csv(out_dir / "trainees.csv", header, columns, report)

    columns = [e_ids, emp.names, sectors[emp.sector], names[emp.district], _fmt_coord(emp.lat), _fmt_coord(emp.lon),
               _bool_str(emp.vetted), np.where(emp.vetted, _dates(ref_day, -emp.vet_age), "")]
    counts["employers.csv"] = _write_csv(out_dir / "employers.csv", EMPLOYER_COLUMNS, columns, report)

    columns = [
        o_ids[o_id_of], e_ids[op.emp], op.titles, op.occupation_labels, sectors[op.sector], op.skills,
        names[op.district], _fmt_coord(op.lat), _fmt_coord(op.lon), op.wage, op.positions,
        np.array(SHIFTS)[op.shift], _bool_str(op.accommodation), _bool_str(op.transport), op.languages,
        np.where(op.is_open, "open", "closed"), _dates(ref_day, op.posted), _dates(ref_day, op.closes),
    ]
    header = bundle_columns(OPENING_COLUMNS, neutral_money=neutral)
    counts["openings.csv"] = _write_csv(out_dir / "openings.csv", header, columns, report, row_order=o_order)

    ended = np.where(hist.ongoing, "", _dates(ref_day, np.minimum(hist.end, 0)))
    columns = [p_ids, t_ids[hist.trainee], o_ids[o_id_of[hist.opening]], _dates(ref_day, hist.start), ended]
    counts["placements.csv"] = _write_csv(out_dir / "placements.csv", PLACEMENT_COLUMNS, columns, report)

    columns = [p_ids[fu.placement], fu.month, _dates(ref_day, fu.checked), _bool_str(fu.employed),
               np.where(fu.employed, fu.wage.astype(str), ""), fu.wellbeing, _bool_str(fu.risk),
               _blank_zero(recorded[0])]
    counts["followups.csv"] = _write_csv(out_dir / "followups.csv",
                                         bundle_columns(FOLLOWUP_COLUMNS, neutral_money=neutral), columns, report)

    columns = [market.district, market.occupation, market.period, market.postings, market.source]
    counts["market_signals.csv"] = _write_csv(out_dir / "market_signals.csv", MARKET_SIGNAL_COLUMNS, columns, report)

    (out_dir / TRUTH_DIR).mkdir(exist_ok=True)
    commuted = np.flatnonzero(~op.accommodation[hist.opening])  # she lives at the workplace otherwise
    columns = [p_ids[commuted], t_ids[hist.trainee[commuted]], o_ids[o_id_of[hist.opening[commuted]]],
               journey_minutes[commuted]]
    _write_csv(out_dir / TRUTH_DIR / JOURNEYS_CSV, JOURNEY_COLUMNS, columns, lambda stage, rows: None)
    return counts


def _blank_zero(values: np.ndarray) -> np.ndarray:
    """Whole numbers as text, 0 (not recorded) as an empty cell."""
    return np.where(values > 0, values.astype(str), "")


def _flags_to_str(flags: np.ndarray, labels: Sequence[str]) -> list[str]:
    return [";".join(labels[j] for j in np.flatnonzero(row).tolist()) for row in flags]


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
    by_sector = {}
    for (s, c, z), (dates, amounts) in sorted(ref.sector_min_steps.items()):
        by_sector[f"{ref.sectors[s]}|{ref.categories[c]}|{ref.zones[z]}"] = [
            [str(d), int(a)] for d, a in zip(dates.astype(str).tolist(), amounts.tolist())]
    # A site whose wage table has sector rows of its own says so (West Bengal's truth is unchanged without them).
    sector_minimums = {"minimum_wages_by_sector": by_sector} if by_sector else {}
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
        **sector_minimums,
    }
