"""Minimum wages for many openings at once, wage ratios, and how pay is explained."""

from __future__ import annotations

import datetime

import numpy as np
import pytest

from matching.engine import MatchEngine
from matching.reference import Site, Taxonomy
from matching.tables import OpeningTable, TraineeTable, categorise
from matching.wages import minimum_wage_grid, minimum_wages, minimum_wages_coded, wage_ratio


def test_minimum_wages_by_category_zone_and_date(site: Site) -> None:
    table = site.minimum_wages
    category = np.array(["unskilled", "semi_skilled", "skilled", "highly_skilled", "semi_skilled", "unknown", None],
                        dtype=object)
    zone = np.array(["A", "B", "A", "B", None, "A", "A"], dtype=object)
    july = minimum_wages(table, category, zone, datetime.date(2025, 7, 1))
    assert july[:4].tolist() == [10329, 10733, 12499, 11807]         # highly skilled falls back to skilled
    assert np.isnan(july[4:]).all()
    june = minimum_wages(table, category, zone, datetime.date(2025, 6, 30))
    assert june[:4].tolist() == [10028, 10420, 12135, 11463]
    assert np.isnan(minimum_wages(table, category, zone, datetime.date(2024, 12, 31))).all()


def test_the_wage_table_is_read_once_per_distinct_category_and_zone(site: Site) -> None:
    calls = []

    class Counting:
        def minimum(self, **kwargs):
            calls.append(kwargs)
            return site.minimum_wages.minimum(**kwargs)

    rng = np.random.default_rng(0)
    category = rng.choice(["unskilled", "semi_skilled", "skilled"], 10_000).astype(object)
    zone = rng.choice(["A", "B"], 10_000).astype(object)
    out = minimum_wages_coded(Counting(), categorise(category), categorise(zone), datetime.date(2026, 1, 1))
    assert len(calls) == 6 and out.shape == (10_000,)
    grid = minimum_wage_grid(site.minimum_wages, ["semi_skilled"], ["A", "B"], datetime.date(2026, 1, 1))
    assert grid.tolist() == [[11363, 10733]]


def test_wage_ratio() -> None:
    ratio = wage_ratio(np.array([11000, 11000, 11000, np.nan]), np.array([10000, np.nan, 0, 10000]))
    assert ratio[0] == pytest.approx(1.1)
    assert np.isnan(ratio[1:]).all()


#: Enough of a kitchen helper's skills for her to qualify.
KITCHEN_SKILLS = [{"label": "Kitchen work", "skill": "kitchen_assistance", "level": 2},
                  {"label": "Hygiene", "skill": "hygiene_safety", "level": 2}]


def _reasons(taxonomy: Taxonomy, site: Site, wage: int, expected) -> list[str]:
    employers = {"E1": {"vetted": True, "vetted_on": datetime.date(2026, 1, 1)}}
    opening = {"external_id": "O1", "employer_external_id": "E1", "title": "Helper", "occupation": "kitchen_helper",
               "occupation_code": "kitchen_helper", "required_skills": [], "district": "Kolkata",
               "monthly_wage_inr": wage, "positions": 1, "shift": "day", "status": "open"}
    trainee = {"external_id": "T1", "status": "job_ready", "district": "Kolkata", "expected_wage_inr": expected,
               "skills": KITCHEN_SKILLS}
    engine = MatchEngine(taxonomy=taxonomy, site=site)
    [match] = engine.rank_openings(TraineeTable.from_records([trainee], taxonomy=taxonomy, site=site), 0,
                                   OpeningTable.from_records([opening], employers=employers, taxonomy=taxonomy,
                                                             site=site),
                                   as_of=datetime.date(2026, 3, 1))
    return match.reasons


def test_wage_reasons(taxonomy: Taxonomy, site: Site) -> None:
    # kitchen helper: unskilled; Kolkata: zone A -> 10,329
    assert "₹11,500 meets her ₹10,500; statutory minimum ₹10,329" in _reasons(taxonomy, site, 11_500, 10_500)
    assert "₹11,500 meets her ₹11,500; statutory minimum ₹10,329" in _reasons(taxonomy, site, 11_500, 11_500)
    assert "₹11,000 is below her ₹12,000; statutory minimum ₹10,329" in _reasons(taxonomy, site, 11_000, 12_000)
    assert ("₹1,15,000 a month (the wage she needs is not recorded); statutory minimum ₹10,329"
            in _reasons(taxonomy, site, 115_000, None))


def test_higher_pay_scores_higher(taxonomy: Taxonomy, site: Site) -> None:
    employers = {"E1": {"vetted": True, "vetted_on": datetime.date(2026, 1, 1)}}
    openings = [{"external_id": f"O{w}", "employer_external_id": "E1", "title": "Helper",
                 "occupation": "kitchen_helper", "occupation_code": "kitchen_helper", "required_skills": [],
                 "district": "Kolkata", "monthly_wage_inr": w, "positions": 1, "shift": "day", "status": "open"}
                for w in (10_400, 11_000, 12_000, 13_500)]
    trainee = {"external_id": "T1", "status": "job_ready", "district": "Kolkata", "expected_wage_inr": 11_500,
               "skills": KITCHEN_SKILLS}
    engine = MatchEngine(taxonomy=taxonomy, site=site)
    ranked = engine.rank_openings(TraineeTable.from_records([trainee], taxonomy=taxonomy, site=site), 0,
                                  OpeningTable.from_records(openings, employers=employers, taxonomy=taxonomy,
                                                            site=site),
                                  as_of=datetime.date(2026, 3, 1))
    assert [m.external_id for m in ranked] == ["O13500", "O12000", "O11000", "O10400"]
    assert ranked[0].factors["wage"] > 0 > ranked[-1].factors["wage"]
