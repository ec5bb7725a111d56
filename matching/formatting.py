"""Amounts, durations and scores as a coordinator reads them: ``₹1,15,000``, ``35 min``, ``3.5 hours``,
``0.763`` (and what that score means)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np

__all__ = ["SCORE_DECIMALS", "SCORE_MEANINGS", "ScoreKind", "format_duration", "format_journey", "format_money",
           "format_site_money", "round_factors", "round_score", "score_kind"]

#: Decimals a score or a factor is shown with: more would be noise, not precision.
SCORE_DECIMALS = 3
ScoreKind = Literal["retention_probability", "relative_score"]
SCORE_MEANINGS: dict[ScoreKind, str] = {
    "retention_probability": "The probability, from the trained outcome model, that she is still in this job 12 "
                             "months after starting (0 to 1).",
    "relative_score": "A relative score from 0 to 1 for ranking (higher fits better), not a probability: no "
                      "trained outcome model is in use yet.",
}
#: The version an outcome model carries until it is trained (``matching.outcome_model.OutcomeModel.version``).
UNTRAINED_OUTCOME = "outcome-untrained"


def format_money(amount: float, symbol: str, *, indian: bool = True) -> str:
    """``₹11,500``; with ``indian`` grouping, lakhs are grouped too (``₹1,15,000``)."""
    if amount is None or not np.isfinite(amount):
        return "unknown"
    whole = int(round(float(amount)))
    sign, digits = ("-" if whole < 0 else ""), str(abs(whole))
    if indian and len(digits) > 3:
        head, tail = digits[:-3], digits[-3:]
        groups: list[str] = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        if head:
            groups.insert(0, head)
        text = ",".join(groups) + "," + tail
    else:
        text = f"{abs(whole):,}"
    return f"{sign}{symbol}{text}"


def format_site_money(site: Any, amount: float) -> str:
    """An amount in a site's currency symbol, grouped the Indian way on Indian sites."""
    return format_money(amount, site.currency_symbol, indian=site.country == "IN")


def format_duration(minutes: float) -> str:
    """An estimated journey, no more precise than it is: "8 min", "35 min" (to 5), "3.5 hours" (to half hours)."""
    if minutes < 10:
        return f"{max(1, round(minutes))} min"
    if minutes < 120:
        return f"{int(5 * round(minutes / 5))} min"
    return f"{round(minutes / 30) / 2:g} hours"


def _bound(minutes: float) -> str:
    """One end of a range under two hours, in minutes as :func:`format_duration` rounds them, without the unit."""
    return format_duration(minutes).removesuffix(" min")


def format_journey(minutes: float, low_high: tuple[float, float] | None) -> str:
    """A journey as a coordinator reads it: "about 45 min (35–60)" for an estimate with its range ("about 3 hours
    (2.5–4 hours)", "about 100 min (80 min–2 hours)"), "confirmed journey 50 min" when ``low_high`` is None (a
    coordinator confirmed it)."""
    if low_high is None:
        return f"confirmed journey {format_duration(minutes)}"
    low, high = low_high
    if high < 120:
        return f"about {format_duration(minutes)} ({_bound(low)}–{_bound(high)})"
    if low >= 120:
        lower = format_duration(low).removesuffix(" hours")
        return f"about {format_duration(minutes)} ({lower}–{format_duration(high)})"
    return f"about {format_duration(minutes)} ({format_duration(low)}–{format_duration(high)})"


def round_score(value: float) -> float:
    """A score or factor as shown: three decimals, and never ``-0.0`` (a factor that contributes nothing is 0)."""
    shown = round(float(value), SCORE_DECIMALS)
    return 0.0 if shown == 0 else shown


def round_factors(factors: Mapping[str, float]) -> dict[str, float]:
    """Each factor's contribution, rounded as :func:`round_score`."""
    return {name: round_score(value) for name, value in factors.items()}


def score_kind(scorer_version: str | None) -> ScoreKind:
    """What a score is, from the version of the scorer that gave it: a trained outcome model's (registry versions
    ``outcome-<day>-<fingerprint>``) is the probability she is still in the job at 12 months; the transparent
    default's, an untrained model's or an unknown scorer's only ranks."""
    trained = scorer_version is not None and scorer_version.startswith("outcome-") \
        and scorer_version != UNTRAINED_OUTCOME
    return "retention_probability" if trained else "relative_score"
