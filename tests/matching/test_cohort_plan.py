"""The cohort plan's arithmetic on a case built by hand: forecast, supply and placement rate give the women to
train and the trainers they need."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from matching.cohort_plan import TrackRecord, plan_cohorts
from matching.demand_model import ForecastRow
from matching.reference import load_taxonomy, load_trainer_rules

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def reference():
    taxonomy = load_taxonomy(REPO / "data" / "taxonomy.json")
    return taxonomy, load_trainer_rules(REPO / "data" / "programme" / "trainer_rules.json", taxonomy)


def rows(district: str, occupation: str, monthly: float, months: int = 8) -> list[ForecastRow]:
    return [ForecastRow(district=district, occupation=occupation, period=f"2027-{m:02d}", postings=monthly,
                        lower=monthly, upper=monthly) for m in range(1, months + 1)]


def test_women_to_train_and_trainers_from_forecast_supply_and_placement_rate(reference):
    taxonomy, rules = reference
    forecasts = [*rows("Kolkata", "sewing_machine_operator", 250.0), *rows("Howrah", "sewing_machine_operator", 50.0),
                 *rows("Purulia", "sewing_machine_operator", 1000.0),  # not a district planned for
                 *rows("Kolkata", "cashier", 10.0)]
    records = {"sewing_machine_operator": TrackRecord(job_ready=6, in_training=4, graduates=30, placed=15),
               "cashier": TrackRecord(job_ready=20, in_training=0, graduates=10, placed=5)}
    plan = plan_cohorts(forecasts=forecasts, records=records, rules=rules, taxonomy=taxonomy, months=6,
                        districts={"Kolkata", "Howrah"}, trainers_on_staff={"tailoring_trainer": 1})
    sewing = next(line for line in plan.lines if line.track == "sewing_machine_operator")
    assert sewing.forecast_postings == 6 * 300.0 and sewing.forecast_openings == pytest.approx(0.02 * 1800)
    assert plan.overall_placement_rate == 0.5 and sewing.placement_rate == 0.5  # 15/30, shrunk towards 0.5
    assert sewing.supply == 10
    assert sewing.women_to_train == math.ceil(36 / 0.5 - 10) or sewing.women_to_train == 40  # 62, capped at 40
    assert sewing.women_to_train == 40 and "capped at 40" in sewing.reasoning[-1]
    assert sewing.trainers_needed == 2 and sewing.trainer_occupation == "tailoring_trainer"
    tailoring = next(need for need in plan.trainers if need.occupation == "tailoring_trainer")
    assert (tailoring.needed, tailoring.on_staff, tailoring.to_hire) == (2, 1, 1)
    cashier = next(line for line in plan.lines if line.track == "cashier")
    assert cashier.women_to_train == 0 and "already cover" in cashier.reasoning[-1]  # 1.2 / 0.5 < 20 on the way
    assert plan.lines[0].track == "sewing_machine_operator" and plan.women_to_train == 40


def test_few_graduates_shrink_towards_the_programme_rate_and_small_needs_open_no_cohort(reference):
    taxonomy, rules = reference
    records = {"sewing_machine_operator": TrackRecord(graduates=18, placed=18),  # programme-wide 18/20 = 0.9
               "kantha_embroiderer": TrackRecord(graduates=2, placed=0, job_ready=1)}
    plan = plan_cohorts(forecasts=rows("Kolkata", "kantha_embroiderer", 50.0), records=records, rules=rules,
                        taxonomy=taxonomy, months=3)
    kantha = next(line for line in plan.lines if line.track == "kantha_embroiderer")
    assert kantha.placement_rate == pytest.approx((0 + 10 * 0.9) / (2 + 10), abs=1e-3)  # 0.75, not 0
    assert kantha.forecast_openings == pytest.approx(3.0)
    assert kantha.women_to_train == 0  # ceil(3 / 0.75 - 1) = 3, fewer than the 10 a cohort is opened for
    assert "fewer than the 10 a cohort is opened for" in kantha.reasoning[-1]
