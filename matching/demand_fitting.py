"""Numerical steps of the demand model's fit: Poisson level and slope, over-dispersion, pooling, intervals.

Each works on whole arrays of series at once; :class:`matching.demand_model.DemandForecaster` strings them together.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

#: Newton/backfitting rounds of the fit.
_MAX_ITER = 60
_TOL = 1e-8
#: Largest monthly log-slope a series may have (about x6 a year), and the largest Newton step.
_MAX_SLOPE = 0.15
_MAX_STEP = 0.05
#: Damping added to the Newton step of a slope (numerical only; it vanishes at convergence).
_RIDGE = 25.0
#: Pseudo-counts keeping the log of a seasonal ratio finite.
_SEASON_PSEUDO = 0.5
#: Below this spread a trend level is pooled completely (prior precision 1 / this).
_MIN_TAU2 = 1e-12


def _level_slope_step(y: np.ndarray, observed: np.ndarray, seasonal: np.ndarray, x: np.ndarray,
                      slope: np.ndarray, fixed: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Level in closed form and (unless ``fixed``) one Newton step of the slope, given seasonal factors.

    Returns ``(level, slope, information)`` where ``information`` is the Poisson information of the
    slope with the level profiled out.
    """
    shape = np.where(observed, seasonal * np.exp(slope[:, None] * x[None, :]), 0.0)
    total = y.sum(axis=1)
    exposure = shape.sum(axis=1)
    level = np.where(exposure > 0, total / np.where(exposure > 0, exposure, 1.0), 0.0)
    mu = level[:, None] * shape
    s0 = mu.sum(axis=1)
    s1 = (mu * x).sum(axis=1)
    s2 = (mu * x * x).sum(axis=1)
    safe = np.where(s0 > 0, s0, 1.0)
    information = np.where(s0 > 0, s2 - s1 * s1 / safe, 0.0)
    if not fixed:
        gradient = ((y - mu) * x).sum(axis=1)
        step = np.clip(gradient / (information + _RIDGE), -_MAX_STEP, _MAX_STEP)
        slope = np.clip(slope + step, -_MAX_SLOPE, _MAX_SLOPE)
    return level, slope, np.maximum(information, 0.0)


def _dispersion(y: np.ndarray, mu: np.ndarray, observed: np.ndarray, group: np.ndarray, n_groups: int,
                params_per_row: float, params_per_group: float) -> np.ndarray:
    """Pearson over-dispersion per group (at least 1: counts are never taken as less noisy than Poisson)."""
    pearson = np.where(observed & (mu > 0), (y - mu) ** 2 / np.where(mu > 0, mu, 1.0), 0.0).sum(axis=1)
    n_obs = observed.sum(axis=1).astype(np.float64)
    chi2 = np.bincount(group, weights=pearson, minlength=n_groups)
    dof = (np.bincount(group, weights=n_obs, minlength=n_groups)
           - params_per_row * np.bincount(group, minlength=n_groups) - params_per_group)
    phi = np.where(dof > 0, chi2 / np.where(dof > 0, dof, 1.0), 1.0)
    return np.maximum(phi, 1.0)


def _between_variance(estimate: np.ndarray, variance: np.ndarray, group: np.ndarray, n_groups: int) -> float:
    """DerSimonian-Laird moment estimate of the spread of true values around their group means."""
    if estimate.size == 0:
        return 0.0
    w = 1.0 / variance
    sw = np.bincount(group, weights=w, minlength=n_groups)
    swx = np.bincount(group, weights=w * estimate, minlength=n_groups)
    swx2 = np.bincount(group, weights=w * estimate * estimate, minlength=n_groups)
    sww = np.bincount(group, weights=w * w, minlength=n_groups)
    count = np.bincount(group, minlength=n_groups)
    used = count >= 2
    if not used.any():
        return 0.0
    q = float(np.sum(swx2[used] - swx[used] ** 2 / sw[used]))
    dof = float(np.sum(count[used] - 1))
    c = float(np.sum(sw[used] - sww[used] / sw[used]))
    return max(0.0, (q - dof) / c) if c > 0 else 0.0


def _pooled(estimate: np.ndarray, variance: np.ndarray, group: np.ndarray, n_groups: int
            ) -> tuple[np.ndarray, np.ndarray]:
    """Precision-weighted mean and its variance per group (NaN mean, inf variance for empty groups)."""
    w = 1.0 / variance
    sw = np.bincount(group, weights=w, minlength=n_groups)
    swx = np.bincount(group, weights=w * estimate, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sw > 0, swx / np.where(sw > 0, sw, 1.0), np.nan), np.where(sw > 0, 1.0 / sw, np.inf)


def _posterior(estimate: np.ndarray, variance: np.ndarray, prior_mean: np.ndarray, prior_precision: float
               ) -> tuple[np.ndarray, np.ndarray]:
    """Normal posterior of a noisy estimate under a normal prior; an estimate of infinite variance takes the prior."""
    own = np.where(np.isfinite(variance) & np.isfinite(estimate), 1.0 / variance, 0.0)
    own_estimate = np.where(own > 0, estimate, 0.0)
    precision = own + prior_precision
    mean = (own * own_estimate + prior_precision * prior_mean) / precision
    return mean, 1.0 / precision


def _count_interval(mean: np.ndarray, variance: np.ndarray, coverage: float) -> tuple[np.ndarray, np.ndarray]:
    """Central interval of a count with this mean and variance: negative binomial (Poisson if not over-dispersed)."""
    alpha = (1.0 - coverage) / 2.0
    mean = np.maximum(mean, 0.0)
    over = variance > mean * (1.0 + 1e-9)
    lower = np.zeros_like(mean)
    upper = np.zeros_like(mean)
    positive = mean > 0
    nb = over & positive
    if nb.any():
        n = mean[nb] ** 2 / (variance[nb] - mean[nb])
        p = mean[nb] / variance[nb]
        lower[nb] = stats.nbinom.ppf(alpha, n, p)
        upper[nb] = stats.nbinom.ppf(1.0 - alpha, n, p)
    pois = positive & ~over
    if pois.any():
        lower[pois] = stats.poisson.ppf(alpha, mean[pois])
        upper[pois] = stats.poisson.ppf(1.0 - alpha, mean[pois])
    return lower, upper
