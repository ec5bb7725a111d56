"""The sign-constrained, weighted logistic regression behind the outcome model's hazards."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from matching.constrained_logit import fit_logistic


@pytest.fixture(scope="module")
def problem() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3000, 6))
    y = rng.random(3000) < 1 / (1 + np.exp(-(0.8 * x[:, 0] - 0.6 * x[:, 1] + 0.3 * x[:, 2] - 0.5)))
    return x, y


def test_without_bounds_it_is_scikit_learns_fit(problem: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = problem
    reference = LogisticRegression(C=0.05, solver="lbfgs", max_iter=5000, tol=1e-10).fit(x, y)
    fitted = fit_logistic(x, y, C=0.05)
    assert fitted.converged
    np.testing.assert_allclose(fitted.coef, reference.coef_.ravel(), atol=1e-6)
    assert fitted.intercept == pytest.approx(float(reference.intercept_[0]), abs=1e-6)


def test_a_coefficient_held_to_its_sign_stays_there(problem: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = problem
    upper = np.full(6, np.inf)
    upper[0] = 0.0  # the data say positive; the bound says it may not be
    lower = np.full(6, -np.inf)
    lower[1] = 0.0
    fitted = fit_logistic(x, y, C=1.0, lower=lower, upper=upper)
    assert fitted.coef[0] == 0.0 and fitted.coef[1] == 0.0
    assert fitted.coef[2] > 0.2  # the free ones are still learnt


def test_a_weight_of_two_is_the_row_twice(problem: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = problem
    weights = np.where(np.arange(len(y)) % 3 == 0, 2.0, 1.0)
    doubled = np.flatnonzero(weights == 2.0)
    twice = fit_logistic(np.vstack([x, x[doubled]]), np.concatenate([y, y[doubled]]), C=0.5)
    weighted = fit_logistic(x, y, C=0.5, sample_weight=weights)
    np.testing.assert_allclose(weighted.coef, twice.coef, atol=1e-6)


def test_bad_weights_and_bounds_are_refused(problem: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = problem
    with pytest.raises(ValueError, match="sample_weight"):
        fit_logistic(x, y, C=1.0, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="lower"):
        fit_logistic(x, y, C=1.0, lower=np.ones(6), upper=np.zeros(6))
