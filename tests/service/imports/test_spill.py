"""The checked rows kept on disk between the check and the write come back exactly as they were checked (values
and their types), without unpickling anything."""

from __future__ import annotations

import copy
import datetime

import pytest

from service.core.reference import load_reference
from service.imports.checks import Parsed
from service.imports.service import import_bundle
from service.imports.spill import Spill
from tests.conftest import REPO


def test_both_demo_programmes_rows_come_back_from_the_spill_unchanged(db, monkeypatch):
    written: dict[str, list[Parsed]] = {}
    read: dict[str, list[Parsed]] = {}
    add, chunks = Spill.add, Spill.chunks

    def keeping_add(self: Spill, name: str, rows: list[Parsed]) -> None:
        written.setdefault(name, []).extend(copy.deepcopy(rows))
        add(self, name, rows)

    def keeping_chunks(self: Spill, name: str):
        for chunk in chunks(self, name):
            read.setdefault(name, []).extend(copy.deepcopy(chunk))
            yield chunk

    monkeypatch.setattr(Spill, "add", keeping_add)
    monkeypatch.setattr(Spill, "chunks", keeping_chunks)
    reference = load_reference(REPO / "data", "west_bengal", sites=("west_bengal", "cambodia"))
    for bundle in ("demo", "demo-cambodia"):
        import_bundle(engine=db, reference=reference, path=REPO / "data" / bundle)
    assert set(read) == set(written) >= {"trainees.csv", "openings.csv", "placements.csv", "followups.csv"}
    for name, rows in written.items():
        assert read[name] == rows, name
        assert [type(v) for row in read[name] for v in row.values.values()] == [
            type(v) for row in rows for v in row.values.values()], name  # a date stays a date
    dates = [v for row in read["placements.csv"] for v in row.values.values() if isinstance(v, datetime.date)]
    assert dates, "placements carry dates: the round trip was tested on them"


def test_a_value_it_cannot_keep_is_refused_when_written():
    with pytest.raises(TypeError, match="Decimal"):
        from decimal import Decimal
        Spill().add("trainees.csv", [Parsed(line=2, key=("T-1",), values={"wage": Decimal("1.5")})])
