"""Metrics of a retention model: Brier score, reliability table, AUC, and their JSON-safe summary."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

__all__ = ["RELIABILITY_BINS", "brier_score", "reliability_table"]

RELIABILITY_BINS = 10


def brier_score(predicted: np.ndarray, observed: np.ndarray) -> float:
    predicted = np.asarray(predicted, dtype=np.float64)
    observed = np.asarray(observed, dtype=np.float64)
    return float(np.mean((predicted - observed) ** 2)) if predicted.size else float("nan")


def reliability_table(predicted: np.ndarray, observed: np.ndarray,
                      bins: int = RELIABILITY_BINS) -> list[tuple[float, float, int]]:
    """``(mean predicted, observed rate, n)`` per bin of equal count (predictions sorted; ties in input order)."""
    predicted = np.asarray(predicted, dtype=np.float64)
    observed = np.asarray(observed, dtype=np.float64)
    order = np.argsort(predicted, kind="stable")
    out = []
    for chunk in np.array_split(order, min(bins, predicted.size)) if predicted.size else []:
        out.append((float(predicted[chunk].mean()), float(observed[chunk].mean()), int(chunk.size)))
    return out


def _auc(predicted: np.ndarray, observed: np.ndarray) -> float:
    observed = np.asarray(observed, dtype=bool)
    if observed.all() or not observed.any():
        return float("nan")
    return float(roc_auc_score(observed, predicted))


def _json_safe(value: Any) -> Any:
    """Metrics as plain JSON values: NaN (no AUC with one class, say) becomes None."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_json_safe(v) for v in value)
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _summary(predicted: np.ndarray, observed: np.ndarray, base_rate: float) -> dict[str, Any]:
    observed = np.asarray(observed, dtype=bool)
    n = int(observed.size)
    return _json_safe({
        "n": n, "observed_rate": float(observed.mean()) if n else float("nan"),
        "mean_predicted": float(np.mean(predicted)) if n else float("nan"),
        "brier": brier_score(predicted, observed), "brier_base_rate": brier_score(np.full(n, base_rate), observed),
        "auc": _auc(predicted, observed), "reliability": reliability_table(predicted, observed)})
