"""The placement history: who was placed where, how long she stayed, what follow-ups found, her status now."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from demo.draws import _assign_distinct, _bisect_scalar, _GroupSampler
from demo.people import _Employers, _Openings, _Trainees
from demo.truth import TruthModel, logistic, skill_fit_from_levels
from demo.world import DAYS_PER_MONTH, STATUSES, _Context, _Reference
from matching.dates import FOLLOWUP_MONTHS
from matching.geo import haversine_km


def pair_features(emp: _Employers, tr: _Trainees, op: _Openings, ti: np.ndarray,
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


class _PairModel(Protocol):
    """The pairs of a truth's history: their canonical truth features, and how coordinators chose them."""

    def features(self, ti: np.ndarray, oi: np.ndarray) -> dict[str, np.ndarray]: ...

    def selection(self, rng: np.random.Generator, cand: np.ndarray, s_open: np.ndarray,
                  dist: np.ndarray) -> np.ndarray: ...

    def widen(self, rng: np.random.Generator, cand: np.ndarray, s_district: np.ndarray, s_region: np.ndarray,
              s_occ: np.ndarray) -> np.ndarray: ...


class AdditivePairs:
    """The default truth's pairs: coordinators chose by training track, sector, preference and distance."""

    def __init__(self, emp: _Employers, tr: _Trainees, op: _Openings):
        self.emp, self.tr, self.op = emp, tr, op

    def features(self, ti: np.ndarray, oi: np.ndarray) -> dict[str, np.ndarray]:
        return pair_features(self.emp, self.tr, self.op, ti, oi)

    def widen(self, rng: np.random.Generator, cand: np.ndarray, s_district: np.ndarray, s_region: np.ndarray,
              s_occ: np.ndarray) -> np.ndarray:
        return cand

    def selection(self, rng: np.random.Generator, cand: np.ndarray, s_open: np.ndarray,
                  dist: np.ndarray) -> np.ndarray:
        tr, op = self.tr, self.op
        s_occ, s_sector, s_accom = op.occ[s_open], op.sector[s_open], op.accommodation[s_open]
        return (
            2.5 * (tr.track[cand] == s_occ[:, None])
            + 0.8 * (tr.track_sector[cand] == s_sector[:, None])
            + 0.5 * tr.prefs[cand, s_sector[:, None]]
            - 0.09 * np.minimum(dist, 150.0) * (1.0 - 0.85 * (s_accom[:, None] & tr.relocate[cand]))
            + rng.gumbel(0.0, 0.8, cand.shape)
        )


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
                      truth0: TruthModel, pairs: _PairModel | None = None) -> _History:
    """Fill the historical openings' positions with women and simulate how long each stays."""
    pairs = pairs or AdditivePairs(emp, tr, op)
    ref = ctx.ref
    n, n_regions = len(tr.partner), len(ref.partners)
    hist = np.flatnonzero(~op.is_open)
    s_open = np.repeat(hist, op.positions[hist])
    S = len(s_open)
    s_start = np.minimum(op.posted[s_open] + rng.integers(14, 51, S), -1)
    by_time = np.lexsort((s_open, s_start))
    s_open, s_start = s_open[by_time], s_start[by_time]
    s_district = op.district[s_open]
    s_region = ref.district_region[s_district]
    s_occ = op.occ[s_open]
    pool = tr.pool
    cand = pairs.widen(rng, _candidates(rng, ref, tr, s_district, s_region, s_occ), s_district, s_region, s_occ)
    dist = haversine_km(tr.lat[cand], tr.lon[cand], op.lat[s_open][:, None], op.lon[s_open][:, None])
    score = pairs.selection(rng, cand, s_open, dist)
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
    eta = truth0.linear_predictor(pairs.features(s_trainee, s_open))
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
            eta[idx] = truth0.linear_predictor(pairs.features(s_trainee[idx], s_open[idx]))
            s_end[idx] = s_start[idx] + tenure_days(eta[idx], idx)
    return _History(opening=s_open, trainee=s_trainee, start=s_start, end=s_end, eta=eta + intercept,
                    noise=eps, intercept=intercept)



def _candidates(rng: np.random.Generator, ref: _Reference, tr: _Trainees, s_district: np.ndarray,
                s_region: np.ndarray, s_occ: np.ndarray) -> np.ndarray:
    """Candidate women per slot: of the district and region trained for the occupation, of the district,
    and a few from anywhere (who may move for a job with accommodation)."""
    n_occ, n_dist, n_regions = len(ref.occupations), len(ref.district_names), len(ref.partners)
    S = len(s_district)
    pool = tr.pool
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
    return cand

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
    prefixes = np.array([ref.profile.cohort_prefix.get(p, p[:3].upper()) for p in ref.partners])
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


def _make_followups(rng: np.random.Generator, ctx: _Context, emp: _Employers, op: _Openings,
                    hist: _History) -> _FollowUps:
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
    step = float(ctx.ref.profile.wage_step)
    wage = np.round(start_wage * (1.0 + growth[f_idx]) ** (f_month / 12.0) / step) * step
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
