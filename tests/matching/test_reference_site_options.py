"""A site's optional languages and relocation setting, read from its site.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from matching.reference import ReferenceDataError, default_data_dir, load_site


def _copy_site(tmp_path: Path, **changes: object) -> Path:
    folder = tmp_path / "west_bengal"
    shutil.copytree(default_data_dir() / "sites" / "west_bengal", folder)
    doc = json.loads((folder / "site.json").read_text(encoding="utf-8"))
    doc.update(changes)
    (folder / "site.json").write_text(json.dumps(doc), encoding="utf-8")
    return folder


def test_west_bengal_states_its_languages_and_keeps_women_within_the_site() -> None:
    site = load_site(default_data_dir() / "sites" / "west_bengal")
    assert site.languages == ("bn", "hi", "en")
    assert site.relocation_across_sites is False


def test_relocation_can_be_allowed_by_data(tmp_path: Path) -> None:
    assert load_site(_copy_site(tmp_path, relocation_across_sites=True)).relocation_across_sites is True


@pytest.mark.parametrize(("key", "value", "message"), [
    ("languages", [], "languages must be a non-empty list"),
    ("languages", ["Bengali"], "languages must be a non-empty list"),
    ("relocation_across_sites", "yes", "relocation_across_sites must be true or false"),
])
def test_bad_options_name_the_file_and_the_problem(tmp_path: Path, key: str, value: object, message: str) -> None:
    with pytest.raises(ReferenceDataError, match=message) as error:
        load_site(_copy_site(tmp_path, **{key: value}))
    assert "site.json" in str(error.value)
