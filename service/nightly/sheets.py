"""Proposals as spreadsheet rows a coordinator can act on: one set of columns for the API's CSV
(`GET /v1/match-runs/latest/proposals` with `Accept: text/csv`) and the files of `jobmatch nightly --export`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from matching.formatting import SCORE_DECIMALS, round_score
from service.imports.cells import escape_formula
from service.matches.models import OpeningSummary

COLUMNS = ("proposal_id", "status", "kind", "trainee_external_id", "opening_external_id", "opening_title",
           "employer_external_id", "employer_name", "district", "monthly_wage_inr", "shift", "score", "score_kind",
           "rank_in_her_list", "alternative_rank", "reasons")
REASON_SEPARATOR = "; "


def cells(row: Mapping[str, Any], opening: OpeningSummary | None, score_kind: str) -> list[str]:
    """One proposal's cells, formula-safe: `row` holds its stored columns (id, status, kind, ids, score, ranks,
    reasons); the opening's are empty once the opening was deleted."""
    values: dict[str, Any] = {
        "proposal_id": row["id"], "status": row["status"], "kind": row["kind"],
        "trainee_external_id": row["trainee_external_id"], "opening_external_id": row["opening_external_id"],
        "score": f"{round_score(row['score']):.{SCORE_DECIMALS}f}", "score_kind": score_kind,
        "rank_in_her_list": row["rank_in_her_list"], "alternative_rank": row["alternative_rank"],
        "reasons": REASON_SEPARATOR.join(row["reasons"] or ()),
    }
    if opening is not None:
        values |= {"opening_title": opening.title, "employer_external_id": opening.employer_external_id,
                   "employer_name": opening.employer_name, "district": opening.district,
                   "monthly_wage_inr": opening.monthly_wage_inr, "shift": opening.shift}
    return [escape_formula(str(values[column])) if values.get(column) is not None else "" for column in COLUMNS]


def write(handle: TextIO, rows: Iterable[Mapping[str, Any]], openings: Mapping[str, OpeningSummary],
          score_kind: str) -> None:
    """The header and one line per proposal."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(cells(row, openings.get(row["opening_external_id"]), score_kind))


def text(rows: Iterable[Mapping[str, Any]], openings: Mapping[str, OpeningSummary], score_kind: str) -> str:
    """The same as one string."""
    buffer = io.StringIO()
    write(buffer, rows, openings, score_kind)
    return buffer.getvalue()
