"""openings.csv's optional wage_category column and essential-skill mark: read, stored, exported, and never
needed (bundles without them import as before)."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import Session, select

from service.imports.export import export_bundle
from service.imports.service import BundleInvalid, import_bundle
from service.matches import loader
from service.openings.models import Opening
from tests.service.imports.bundles import FILES, write_bundle


def _openings(*cells: tuple[str, str]) -> str:
    """The sample openings with a wage_category column, and required_skills and wage_category set row by row."""
    rows = list(csv.DictReader(io.StringIO(FILES["openings.csv"])))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*rows[0], "wage_category"], lineterminator="\n")
    writer.writeheader()
    for row, (skills, category) in zip(rows, cells, strict=True):
        writer.writerow({**row, "required_skills": skills, "wage_category": category})
    return out.getvalue()


def test_wage_category_and_essential_marks_round_trip(db, reference, tmp_path):
    text = _openings(("stitching:2;overlock:1!", "semi-skilled"), ("POS billing:1;customer communication:2", ""))
    import_bundle(engine=db, reference=reference, path=write_bundle(tmp_path / "b", openings_csv=text))
    with Session(db) as session:
        first, second = session.exec(select(Opening).order_by(Opening.external_id)).all()
    assert (first.wage_category, second.wage_category) == ("semi_skilled", None)
    # only an essential skill carries the flag
    assert first.required_skills == [{"label": "stitching", "level": 2, "skill": "machine_stitching"},
                                     {"label": "overlock", "level": 1, "skill": "overlock_operation",
                                      "essential": True}]
    export_bundle(engine=db, path=tmp_path / "out")
    with open(tmp_path / "out" / "openings.csv", encoding="utf-8", newline="") as handle:
        exported = {row["external_id"]: row for row in csv.DictReader(handle)}
    assert exported["OP-1"]["required_skills"] == "stitching:2;overlock:1!"
    assert (exported["OP-1"]["wage_category"], exported["OP-2"]["wage_category"]) == ("semi_skilled", "")
    again = import_bundle(engine=db, reference=reference, path=tmp_path / "out")
    assert again.files["openings.csv"].unchanged == 2


def test_bundles_without_them_keep_the_occupations_category(db, reference, tmp_path):
    import_bundle(engine=db, reference=reference, path=write_bundle(tmp_path / "b"))
    with Session(db) as session:
        table = loader.load_openings(session, reference)
        stored = session.exec(select(Opening).where(Opening.external_id == "OP-1")).one()
    assert stored.wage_category is None and all("essential" not in item for item in stored.required_skills)
    row = table.index_of("OP-1")
    assert (table.wage_category[row], table.minimum_wage_category[row]) == (None, "semi_skilled")
    assert table.essential.nnz == 0


@pytest.mark.parametrize("skills, category, column", [
    ("stitching:2;!", "", "required_skills"),
    ("stitching:2", "expert", "wage_category"),
])
def test_a_bad_cell_is_a_located_problem(db, reference, tmp_path, skills, category, column):
    text = _openings((skills, category), ("POS billing:1", ""))
    with pytest.raises(BundleInvalid) as caught:
        import_bundle(engine=db, reference=reference, path=write_bundle(tmp_path / "b", openings_csv=text))
    assert [(e["file"], e["line"], e["column"]) for e in caught.value.errors] == [("openings.csv", 2, column)]
