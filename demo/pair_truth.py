"""The hidden truth of aligned (trainee, opening) pairs of a generated bundle, read from the bundle's own rows (what
the benchmarks compare the models with)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from demo.truth import TruthModel, with_rupee_names

NUMBERS = {"trainee": ("lat", "lon", "expected_wage_inr", "attendance_rate"),
           "opening": ("lat", "lon", "monthly_wage_inr")}


def raw_rows(path: Path) -> dict[str, dict[str, str]]:
    """A bundle file's rows by external id, every cell as written."""
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["external_id"]: with_rupee_names(row) for row in csv.DictReader(handle)}


def _columns(rows: list[dict[str, str]], numbers: tuple[str, ...]) -> dict[str, np.ndarray]:
    # every column as text (a truth may read any of them: the interactions truth reads her id), numbers as numbers
    found = {name: np.array([row[name] for row in rows], dtype=object) for name in (rows[0] if rows else ())}
    found.update({name: np.array([float(row[name]) for row in rows], dtype=np.float64) for name in numbers})
    return found


def truth_probabilities(truth: TruthModel, bundle: Path, trainee_ids: list[str], opening_ids: list[str]) -> np.ndarray:
    """The true 12-month retention of aligned (trainee, opening) pairs, from the bundle's raw rows."""
    trainees, openings = raw_rows(bundle / "trainees.csv"), raw_rows(bundle / "openings.csv")
    employers = raw_rows(bundle / "employers.csv")
    t = [trainees[i] for i in trainee_ids]
    o = [openings[j] for j in opening_ids]
    ocols = _columns(o, NUMBERS["opening"])
    ocols["vetted"] = np.array([employers[r["employer_external_id"]]["vetted"] for r in o], dtype=object)
    return truth.retention_probability(_columns(t, NUMBERS["trainee"]), ocols)
