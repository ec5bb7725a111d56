"""Random draws and array helpers of the demo generator: reproducible streams, jitter, group sampling."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence

import numpy as np


def _rng(seed: int, stage: str) -> np.random.Generator:
    """An independent, reproducible stream per (seed, stage)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([int(seed), zlib.crc32(stage.encode())])))


def _norm(label: str) -> str:
    return " ".join(str(label).strip().lower().split())


def _clean_label(label: str) -> bool:
    """A label can be written into a ``label:level;...`` list as it is."""
    return bool(label.strip()) and ":" not in label and ";" not in label and label == label.strip()


def _bool_str(values: np.ndarray) -> np.ndarray:
    return np.where(np.asarray(values, dtype=bool), "true", "false")


def _dates(ref: np.datetime64, offsets: np.ndarray) -> np.ndarray:
    """ISO date strings of ``ref + offsets`` days."""
    return (ref + np.asarray(offsets, dtype="int64").astype("timedelta64[D]")).astype(str)


def _fmt_coord(values: np.ndarray) -> list[str]:
    return [f"{v:.4f}" for v in np.asarray(values, dtype=float).tolist()]


def _jitter(rng: np.random.Generator, lat: np.ndarray, lon: np.ndarray, max_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Points uniformly within ``max_km`` of (lat, lon), rounded to 4 decimals."""
    n = len(lat)
    r = max_km * np.sqrt(rng.random(n))
    theta = rng.random(n) * 2.0 * np.pi
    dlat = r * np.cos(theta) / 111.32
    dlon = r * np.sin(theta) / (111.32 * np.cos(np.radians(lat)))
    return np.round(lat + dlat, 4), np.round(lon + dlon, 4)


def _choice_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a (n, k) probability matrix."""
    cdf = np.cumsum(probs, axis=1)
    cdf /= cdf[:, -1:]
    u = rng.random((probs.shape[0], 1))
    return np.minimum((u > cdf).sum(axis=1), probs.shape[1] - 1)


def _odd_case(label: str, mode: int) -> str:
    variants = (label.upper(), label.lower(), label.title(), label.swapcase())
    out = variants[mode % 4]
    if out == label:
        for v in variants:
            if v != label:
                return v
    return out


def _join_groups(owner: np.ndarray, parts: Sequence[str], n: int) -> list[str]:
    """``;``-join ``parts`` by ``owner`` (owner sorted ascending) into n strings."""
    out = [""] * n
    if len(owner) == 0:
        return out
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    ends = np.r_[starts[1:], len(owner)]
    for o, s, e in zip(owner[starts].tolist(), starts.tolist(), ends.tolist()):
        out[o] = ";".join(parts[s:e])
    return out


def _bisect_scalar(fn: Callable[[float], float], target: float, lo: float = -15.0, hi: float = 15.0) -> float:
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if fn(mid) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _assign_distinct(score: np.ndarray, cand: np.ndarray, n_people: int) -> np.ndarray:
    """Give each row its best-scoring candidate, every person at most once.

    Conflicts go to the earlier row; a losing row falls back to its next best
    candidate.  Rows left without a free candidate get -1.
    """
    score = np.array(score, dtype=float, copy=True)
    rows = score.shape[0]
    assigned = np.full(rows, -1, dtype=np.int64)
    taken = np.zeros(n_people, dtype=bool)
    for _ in range(score.shape[1] + 1):
        open_rows = np.flatnonzero(assigned < 0)
        if not len(open_rows):
            break
        sub = score[open_rows]
        c = cand[open_rows]
        sub[taken[c]] = -np.inf
        score[open_rows] = sub
        best = np.argmax(sub, axis=1)
        best_score = sub[np.arange(len(open_rows)), best]
        valid = np.isfinite(best_score)
        if not valid.any():
            break
        rows_v = open_rows[valid]
        people = c[valid, best[valid]]
        uniq, first = np.unique(people, return_index=True)
        winners = rows_v[first]
        assigned[winners] = uniq
        taken[uniq] = True
        score[rows_v, best[valid]] = np.where(np.isin(rows_v, winners), score[rows_v, best[valid]], -np.inf)
    return assigned


class _GroupSampler:
    """Uniform draws of members of a group (members given with their group key)."""

    def __init__(self, keys: np.ndarray, members: np.ndarray, n_groups: int):
        order = np.argsort(keys, kind="stable")
        self.members = np.asarray(members)[order]
        self.counts = np.bincount(keys, minlength=n_groups)
        self.offsets = np.r_[0, np.cumsum(self.counts)[:-1]]

    def sample(self, rng: np.random.Generator, groups: np.ndarray, k: int) -> np.ndarray:
        """(len(groups), k) members drawn with replacement; -1 where a group is empty."""
        counts = self.counts[groups][:, None]
        pick = np.floor(rng.random((len(groups), k)) * np.maximum(counts, 1)).astype(np.int64)
        idx = self.offsets[groups][:, None] + pick
        return np.where(counts > 0, self.members[np.minimum(idx, len(self.members) - 1)], -1)
