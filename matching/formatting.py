"""Amounts and durations as a coordinator reads them: ``₹1,15,000``, ``35 min``, ``3.5 hours``."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["format_duration", "format_money", "format_site_money"]


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
