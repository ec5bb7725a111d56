"""A run's fairness: the women's groups read from their records, the group-fair assignment when asked for, and the
report stored with the run (survivor status only as an aggregate, kept apart for admins, never a group of the
assignment)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matching.assignment import AssignmentResult
from matching.fair_assignment import FairAssignment
from matching.fairness import SUPPRESS_BELOW, fairness_report, sensitive_aggregate
from service.nightly import repository

#: What the report breaks the women down by, and what a fair run may put floors on.
DIMENSIONS = ("partner_org", "district", "training_track", "has_dependents")
NOT_RECORDED = "not recorded"


def _label(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return NOT_RECORDED if value is None or str(value).strip() == "" else str(value)


def group_labels(records: Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """Per dimension, each woman's group, in the order of the records (the trainee table's)."""
    labels: dict[str, np.ndarray] = {}
    for dimension in DIMENSIONS:
        column = np.empty(len(records), dtype=object)
        column[:] = [_label(record.get(dimension)) for record in records]
        labels[dimension] = column
    return labels


def survivor_mask(records: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """Whether each woman is a survivor: for the admins' aggregate only."""
    return np.array([bool(record.get("is_survivor")) for record in records], dtype=bool)


def _floors(fair: FairAssignment) -> list[dict[str, Any]]:
    """The groups' floors; a group under the suppression threshold is left out (its counts would show)."""
    return [{"dimension": target.dimension, "group": target.group, "women_job_ready": target.women,
             "achievable": target.achievable, "floor": target.target, "proposed": target.proposed}
            for target in fair.targets if target.women >= SUPPRESS_BELOW]


def price_of_fairness(fair: FairAssignment) -> dict[str, Any]:
    """What the floors cost in expected lasting placements (on the run's scores), and how they were met."""
    base = fair.unconstrained.objective
    return {"mode": fair.mode, "dimensions": list(fair.dimensions),
            "unconstrained_expected_lasting_placements": round(base, 1),
            "expected_lasting_placements": round(fair.result.objective, 1),
            "price": round(fair.price, 1), "price_percent": round(100 * fair.price / base, 2) if base else 0.0,
            "unconstrained_proposals": fair.unconstrained.size, "proposals": fair.result.size,
            "best_worst_share": None if fair.best_worst_share is None else round(fair.best_worst_share, 3),
            "relaxed": fair.relaxed, "gap": round(fair.gap, 5), "solver": fair.solver,
            "solve_seconds": round(fair.seconds, 2), "floors": _floors(fair)}


def run_report(*, labels: Mapping[str, np.ndarray], survivor: np.ndarray, proposals: AssignmentResult,
               fair: FairAssignment | None, score_kind: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The report of a run's proposals (every woman of the run is job-ready), and the survivors' aggregate."""
    n = survivor.size
    proposed = np.zeros(n, bool)
    proposed[proposals.trainee] = True
    retention = np.full(n, np.nan)
    retention[proposals.trainee] = proposals.score
    ready = np.ones(n, bool)
    report = fairness_report(groups=labels, job_ready=ready, proposed=proposed, retention=retention)
    report["score_kind"] = score_kind
    report["price_of_fairness"] = None if fair is None else price_of_fairness(fair)
    survivors = sensitive_aggregate(member=survivor, job_ready=ready, proposed=proposed, retention=retention)
    return report, survivors


def summary(report: Mapping[str, Any]) -> str:
    """One line: the worst partner's share against the overall one, and the price of fairness when it was on."""
    totals = report["totals"]
    overall = totals.get("share_proposed")
    worst = (report.get("worst_share") or {}).get("partner_org")
    words = ["fairness:"]
    if worst and overall is not None:
        words.append(f"{worst['group']} {worst['share_proposed']:.0%} of job-ready women proposed against "
                     f"{overall:.0%} overall")
    else:
        words.append("no partner with 10 or more job-ready women")
    price = report.get("price_of_fairness")
    if price:
        words.append(f"; {price['mode']} floors by {', '.join(price['dimensions'])} cost {price['price']:.1f} "
                     f"expected lasting placements ({price['price_percent']:.1f}%)"
                     + (", some floors relaxed to what the openings allow" if price["relaxed"] else ""))
    return " ".join(words).replace(" ;", ";")


def stored_report(*, db: Engine, run_id: int | None) -> dict[str, Any]:
    """A written run's report (without the survivors' aggregate)."""
    with Session(db) as session:
        found = repository.find_fairness_report(session=session, run_id=run_id) if run_id is not None else None
    return dict(found.report) if found is not None else {"totals": {}}
