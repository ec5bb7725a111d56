"""A run's fairness report: per group of women (partner, district, training track, has dependents...), how many
job-ready women were proposed an opening and the mean expected 12-month retention of those proposals.

Small cells are suppressed: a group with fewer than ``SUPPRESS_BELOW`` job-ready women is listed as
``"fewer than 10"`` with its counts and shares ``"suppressed"``. When exactly one group of a dimension is
suppressed, the next smallest is too (every figure ``"suppressed"``), or the totals would give its counts away.
A sensitive group (one the report never breaks down by, such as a status shown only to admins) has its own aggregate,
:func:`sensitive_aggregate`, kept apart by the caller."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["FEWER", "SUPPRESSED", "SUPPRESS_BELOW", "fairness_report", "sensitive_aggregate"]

SUPPRESS_BELOW = 10
SUPPRESSED = "suppressed"
FEWER = f"fewer than {SUPPRESS_BELOW}"
DECIMALS = 3


def _cell(group: str, women: int, proposed: int, retention_sum: float) -> dict[str, Any]:
    return {"group": group, "women_job_ready": women, "proposed": proposed,
            "share_proposed": round(proposed / women, DECIMALS) if women else None,
            "mean_expected_retention": round(retention_sum / proposed, DECIMALS) if proposed else None}


def _suppressed(group: str, *, small: bool = True) -> dict[str, Any]:
    return {"group": group, "women_job_ready": FEWER if small else SUPPRESSED, "proposed": SUPPRESSED,
            "share_proposed": SUPPRESSED, "mean_expected_retention": SUPPRESSED}


def _counts(code: np.ndarray, n_groups: int, ready: np.ndarray, proposed: np.ndarray, retention: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    chosen = ready & proposed
    women = np.bincount(code[ready], minlength=n_groups)
    got = np.bincount(code[chosen], minlength=n_groups)
    kept = np.bincount(code[chosen], weights=retention[chosen], minlength=n_groups)
    return women, got, kept


def _hidden(women: np.ndarray) -> np.ndarray:
    """Which groups are suppressed: under the threshold, and a second one when only one would be."""
    hidden = women < SUPPRESS_BELOW
    if int(hidden.sum()) == 1 and women.size > 1:
        shown = np.flatnonzero(~hidden)
        hidden[shown[np.argmin(women[shown])]] = True
    return hidden


def fairness_report(*, groups: Mapping[str, np.ndarray], job_ready: np.ndarray, proposed: np.ndarray,
                    retention: np.ndarray) -> dict[str, Any]:
    """Per dimension, per group (sorted by name): job-ready women, proposed, share proposed, mean expected
    retention of the proposals; the worst shown group's share per dimension; totals, with the expected lasting
    placements (the sum of expected retention over the proposals).

    ``groups``: dimension -> one label per trainee; ``job_ready`` and ``proposed``: boolean per trainee;
    ``retention``: per trainee, the expected 12-month retention of her proposal (ignored where not proposed)."""
    ready = np.asarray(job_ready, bool)
    chosen = np.asarray(proposed, bool)
    kept = np.where(chosen, np.nan_to_num(np.asarray(retention, np.float64)), 0.0)
    n = ready.size
    if chosen.shape != (n,) or kept.shape != (n,):
        raise ValueError("job_ready, proposed and retention must have one entry per trainee")
    dimensions: dict[str, list[dict[str, Any]]] = {}
    worst: dict[str, dict[str, Any] | None] = {}
    for name, labels in groups.items():
        values = np.asarray(labels, dtype=object)
        if values.shape != (n,):
            raise ValueError(f"group labels of '{name}' must have one entry per trainee ({n})")
        names, code = np.unique(values.astype(str), return_inverse=True)
        women, got, retained = _counts(code, names.size, ready, chosen, kept)
        present = women > 0
        hidden = _hidden(women[present])
        cells = []
        for index, hide in zip(np.flatnonzero(present).tolist(), hidden.tolist()):
            small = bool(women[index] < SUPPRESS_BELOW)
            cells.append(_suppressed(str(names[index]), small=small) if hide else
                         _cell(str(names[index]), int(women[index]), int(got[index]), float(retained[index])))
        dimensions[name] = cells
        shown = [cell for cell in cells if cell["proposed"] != SUPPRESSED]
        lowest = min(shown, key=lambda cell: (cell["share_proposed"], cell["group"])) if shown else None
        worst[name] = None if lowest is None else {"group": lowest["group"], "share_proposed": lowest["share_proposed"]}
    total_women, total_proposed = int(ready.sum()), int((ready & chosen).sum())
    lasting = float(kept[ready].sum())
    totals = {"women_job_ready": total_women, "proposed": total_proposed,
              "share_proposed": round(total_proposed / total_women, DECIMALS) if total_women else None,
              "expected_lasting_placements": round(lasting, 1),
              "mean_expected_retention": round(lasting / total_proposed, DECIMALS) if total_proposed else None}
    return {"totals": totals, "dimensions": dimensions, "worst_share": worst}


def sensitive_aggregate(*, member: np.ndarray, job_ready: np.ndarray, proposed: np.ndarray,
                        retention: np.ndarray) -> dict[str, Any]:
    """Members of a sensitive group against the other women, as two cells; both suppressed when either side has
    fewer than ``SUPPRESS_BELOW`` job-ready women (the totals would give the other away)."""
    code = np.asarray(member, bool).astype(np.int64)
    ready = np.asarray(job_ready, bool)
    chosen = np.asarray(proposed, bool)
    kept = np.where(chosen, np.nan_to_num(np.asarray(retention, np.float64)), 0.0)
    women, got, retained = _counts(code, 2, ready, chosen, kept)
    if int(women.min()) < SUPPRESS_BELOW:
        return {"members": _suppressed("members", small=bool(women[1] < SUPPRESS_BELOW)),
                "others": _suppressed("others", small=bool(women[0] < SUPPRESS_BELOW))}
    return {"members": _cell("members", int(women[1]), int(got[1]), float(retained[1])),
            "others": _cell("others", int(women[0]), int(got[0]), float(retained[0]))}
