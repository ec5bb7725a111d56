"""The served sites: which one a partner or a district belongs to, and which sites the settings serve."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from service.core.config import Settings
from service.core.reference import UnknownSite, load_reference

REPO = Path(__file__).resolve().parents[3]


def twin_site(data: Path, code: str, *, relocation: bool) -> None:
    """A copy of West Bengal under another code: the same districts, so a district alone names no one site."""
    shutil.copytree(data / "sites" / "west_bengal", data / "sites" / code)
    path = data / "sites" / code / "site.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**doc, "code": code, "currency": "XTS", "relocation_across_sites": relocation}),
                    encoding="utf-8")
    (data / "sites" / code / doc["training_centres"]).write_text(
        "partner_org,district,lat,lon,note\ntwin_partner,Kolkata,,,\n", encoding="utf-8")
    wages = data / "sites" / code / doc["minimum_wages"]  # not rupees: the neutral money column
    wages.write_text(wages.read_text(encoding="utf-8").replace("monthly_wage_inr", "monthly_wage", 1), encoding="utf-8")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    (folder / "sites").mkdir(parents=True)
    shutil.copy(REPO / "data" / "taxonomy.json", folder / "taxonomy.json")
    shutil.copytree(REPO / "data" / "sites" / "west_bengal", folder / "sites" / "west_bengal")
    twin_site(folder, "twin", relocation=True)
    return folder


def test_a_partner_belongs_to_the_site_whose_training_centres_list_it(data):
    reference = load_reference(data, "west_bengal", sites=("twin",))
    assert reference.served() == ("west_bengal", "twin")
    assert reference.for_partner("kolkata_metro").code == "west_bengal"
    assert reference.for_partner("twin_partner").code == "twin"
    assert reference.for_partner("nobody") is None
    assert reference.for_record(partner_org="twin_partner", district="Kolkata").code == "twin"
    assert reference.of("twin").currency == "XTS" and reference.currency == "INR"


def test_a_district_names_a_site_only_when_exactly_one_gazetteer_has_it(data):
    both = load_reference(data, "west_bengal", sites=("twin",))
    with pytest.raises(UnknownSite, match="several sites"):
        both.for_district("Kolkata")
    with pytest.raises(UnknownSite, match="unknown district"):
        both.for_district("Atlantis")
    alone = load_reference(data, "west_bengal")
    assert alone.for_district("Calcutta").code == "west_bengal"


def test_relocation_across_sites_needs_her_consent_and_both_sites(data):
    reference = load_reference(data, "west_bengal", sites=("twin",))
    assert reference.matched_sites("twin", willing_to_relocate=True) == ("twin",)  # West Bengal does not allow it
    assert reference.matched_sites("west_bengal", willing_to_relocate=True) == ("west_bengal",)


def test_the_settings_serve_every_site_folder_unless_told_which(data, monkeypatch):
    assert Settings(data_dir=data).served_sites() == ("west_bengal", "twin")
    monkeypatch.setenv("JOBMATCH_SITES", "twin, west_bengal")
    assert Settings(data_dir=data, site="twin").served_sites() == ("twin", "west_bengal")
    monkeypatch.setenv("JOBMATCH_SITES", "west_bengal")
    assert Settings(data_dir=data).served_sites() == ("west_bengal",)
