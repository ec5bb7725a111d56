"""Labour-market signals: monthly job postings per district x occupation, with growth and seasons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from demo.world import FLAT_SEASON, _Context


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
    season = np.array([ref.profile.seasonality.get(s, FLAT_SEASON) for s in ref.sectors])  # (sectors, 12)
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
