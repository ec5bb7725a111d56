"""Market-signal input of the demand model: month labels and the monthly posting counts per series."""

from __future__ import annotations

import csv
import datetime
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["SignalFrame", "period_index", "period_label"]

_PERIOD_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def period_index(period: Any) -> int:
    """Month index (``year * 12 + month - 1``) of a ``YYYY-MM`` label, a date, or an index already."""
    if isinstance(period, (int, np.integer)) and not isinstance(period, bool):
        return int(period)
    if isinstance(period, (datetime.date, datetime.datetime)):
        return period.year * 12 + period.month - 1
    if isinstance(period, str):
        match = _PERIOD_RE.match(period[:7] if len(period) >= 10 and period[7:8] == "-" else period)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if 1 <= month <= 12:
                return year * 12 + month - 1
    raise ValueError(f"not a month (YYYY-MM): {period!r}")


def period_label(index: int) -> str:
    """``YYYY-MM`` label of a month index."""
    index = int(index)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


# --------------------------------------------------------------------------- input


@dataclass(frozen=True, eq=False)
class SignalFrame:
    """Monthly posting counts, one row per (district, occupation, month), summed over sources.

    ``period`` holds month indices (:func:`period_index`); rows are sorted by
    district, occupation and month.
    """

    district: np.ndarray
    occupation: np.ndarray
    period: np.ndarray
    postings: np.ndarray

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> SignalFrame:
        """Rows with ``district``, ``occupation``, ``period`` (``YYYY-MM``) and ``postings``.

        Rows of the same district, occupation and month (several sources) are summed.
        Raises ``ValueError`` naming the first bad row.
        """
        totals: dict[tuple[str, str, int], float] = {}
        for number, record in enumerate(records, start=1):
            try:
                district = str(record["district"]).strip()
                occupation = str(record["occupation"]).strip()
                period = period_index(record["period"])
                postings = float(record["postings"])
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"market signal row {number}: {exc}") from None
            if not district or not occupation:
                raise ValueError(f"market signal row {number}: district and occupation are required")
            if not math.isfinite(postings) or postings < 0:
                raise ValueError(f"market signal row {number}: postings must be a count >= 0, not {postings!r}")
            key = (district, occupation, period)
            totals[key] = totals.get(key, 0.0) + postings
        return cls._from_totals(totals)

    @classmethod
    def from_csv(cls, path: Path | str) -> SignalFrame:
        """Read a ``market_signals.csv`` (see the import-bundle spec)."""
        with open(path, newline="", encoding="utf-8-sig") as handle:
            return cls.from_records(csv.DictReader(handle))

    @classmethod
    def _from_totals(cls, totals: Mapping[tuple[str, str, int], float]) -> SignalFrame:
        keys = sorted(totals)
        return cls(
            district=np.array([k[0] for k in keys], dtype=str),
            occupation=np.array([k[1] for k in keys], dtype=str),
            period=np.array([k[2] for k in keys], dtype=np.int64),
            postings=np.array([totals[k] for k in keys], dtype=np.float64),
        )

    def __len__(self) -> int:
        return int(self.period.shape[0])

    def until(self, period: Any) -> SignalFrame:
        """The rows up to and including ``period``."""
        keep = self.period <= period_index(period)
        return SignalFrame(self.district[keep], self.occupation[keep], self.period[keep], self.postings[keep])

    @property
    def first_period(self) -> str:
        return period_label(int(self.period.min()))

    @property
    def last_period(self) -> str:
        return period_label(int(self.period.max()))

    def series(self) -> list[tuple[str, str]]:
        """The distinct (district, occupation) pairs, sorted."""
        return sorted(set(zip(self.district.tolist(), self.occupation.tolist())))

    def dense(self, keys: Sequence[tuple[str, str]], first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
        """``(values, observed)`` of shape ``(len(keys), last - first + 1)``; unobserved cells hold 0."""
        row_of = {key: i for i, key in enumerate(keys)}
        values = np.zeros((len(keys), last - first + 1), dtype=np.float64)
        observed = np.zeros(values.shape, dtype=bool)
        inside = (self.period >= first) & (self.period <= last)
        rows = np.fromiter((row_of.get(k, -1) for k in zip(self.district[inside].tolist(),
                                                              self.occupation[inside].tolist())),
                           dtype=np.int64, count=int(inside.sum()))
        cols = self.period[inside] - first
        ok = rows >= 0
        values[rows[ok], cols[ok]] = self.postings[inside][ok]
        observed[rows[ok], cols[ok]] = True
        return values, observed


def _as_frame(signals: SignalFrame | Iterable[Mapping[str, Any]]) -> SignalFrame:
    return signals if isinstance(signals, SignalFrame) else SignalFrame.from_records(signals)


def _openings_frame(records: Iterable[Mapping[str, Any]]) -> SignalFrame:
    """Monthly counts of the programme's own openings by (district, occupation) of the month posted."""
    counts: dict[tuple[str, str, int], float] = {}
    for number, record in enumerate(records, start=1):
        district = str(record.get("district") or "").strip()
        occupation = str(record.get("occupation") or "").strip()
        when = record.get("posted_on", record.get("period"))
        if not district or not occupation or when in (None, ""):
            continue
        try:
            month = period_index(when)
        except ValueError:
            raise ValueError(f"own opening {number}: posted_on {when!r} is not a date") from None
        key = (district, occupation, month)
        counts[key] = counts.get(key, 0.0) + 1.0
    return SignalFrame._from_totals(counts)
