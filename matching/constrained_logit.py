"""L2-penalised logistic regression whose coefficients may be held to a sign, with weighted rows.

scikit-learn's :class:`~sklearn.linear_model.LogisticRegression` has neither bounds on coefficients
nor a way to say "this one may not be positive". The outcome model needs both (more skill fit never
raises the hazard of leaving) and per-row weights (to correct for who was placed), so it minimises
the same objective as scikit-learn's ``lbfgs`` solver,

    C · Σ_i w_i · logloss(y_i, b + x_iᵀβ) + ½ ‖β‖²       (the intercept b is not penalised)

with L-BFGS-B, each coefficient within its bounds. Without bounds and with unit weights the answer is
scikit-learn's (to the solver's tolerance). Deterministic: the same inputs give the same bits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

__all__ = ["LogisticFit", "fit_logistic"]


@dataclass(frozen=True)
class LogisticFit:
    intercept: float
    coef: np.ndarray
    n_iter: int
    converged: bool


def fit_logistic(design: np.ndarray, target: np.ndarray, *, C: float, sample_weight: np.ndarray | None = None,
                 lower: np.ndarray | None = None, upper: np.ndarray | None = None,
                 max_iter: int = 5000) -> LogisticFit:
    """Fit ``P(y = 1) = sigmoid(b + xᵀβ)``; ``lower``/``upper`` bound each coefficient (``±inf``: free)."""
    x = np.ascontiguousarray(design, dtype=np.float64)
    y = np.asarray(target, dtype=np.float64)
    n, p = x.shape
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if w.shape != (n,) or not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("sample_weight must be one finite, non-negative weight per row")
    low = np.full(p, -np.inf) if lower is None else np.asarray(lower, dtype=np.float64)
    high = np.full(p, np.inf) if upper is None else np.asarray(upper, dtype=np.float64)
    if low.shape != (p,) or high.shape != (p,) or (low > high).any():
        raise ValueError("lower and upper must give one bound per column, lower <= upper")
    c = float(C)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        beta = theta[1:]
        eta = theta[0] + x @ beta
        loss = float(np.dot(w, np.logaddexp(0.0, eta) - y * eta))
        residual = w * (expit(eta) - y)
        gradient = np.empty(p + 1)
        gradient[0] = c * residual.sum()
        gradient[1:] = c * (x.T @ residual) + beta
        return c * loss + 0.5 * float(beta @ beta), gradient

    start = np.zeros(p + 1)
    start[1:] = np.clip(0.0, low, high)
    bounds = [(None, None)] + [(None if not np.isfinite(a) else float(a), None if not np.isfinite(b) else float(b))
                               for a, b in zip(low.tolist(), high.tolist())]
    result = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=bounds,
                      options={"maxiter": max_iter, "ftol": 1e-15, "gtol": 1e-9, "maxcor": 20})
    theta = np.asarray(result.x, dtype=np.float64)
    return LogisticFit(intercept=float(theta[0]), coef=np.clip(theta[1:], low, high), n_iter=int(result.nit),
                       converged=bool(result.success))
