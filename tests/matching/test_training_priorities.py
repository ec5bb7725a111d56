"""Training priorities: occupations ranked by forecast demand against the local pipeline of trainees."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matching.demand_model import DemandForecaster, ForecastRow, SignalFrame
from matching.qualification import Requirement, assess
from matching.reference import load_site, load_taxonomy
from matching.training_priorities import (
    Priority,
    ShortCourse,
    TraineePipeline,
    district_neighbours,
    short_course_from_trainees,
    supply_from_trainees,
    training_priorities,
)

REPO = Path(__file__).resolve().parents[2]
PERIODS = ["2026-11", "2026-12", "2027-01", "2027-02", "2027-03", "2027-04", "2027-05"]


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy(REPO / "data" / "taxonomy.json")


@pytest.fixture(scope="module")
def gazetteer():
    return load_site(REPO / "data" / "sites" / "west_bengal").gazetteer


def rows(district: str, occupation: str, per_month: float, months: int = 7) -> list[ForecastRow]:
    return [ForecastRow(district, occupation, p, per_month, per_month * 0.5, per_month * 1.5)
            for p in PERIODS[:months]]


def test_ranked_by_unmet_demand(taxonomy) -> None:
    forecasts = (rows("Howrah", "sewing_machine_operator", 10.0)   # 60 over 6 months
                 + rows("Howrah", "cashier", 8.0)                   # 48
                 + rows("Howrah", "housekeeping_attendant", 3.0)    # 18
                 + rows("Kolkata", "cashier", 100.0))               # another district
    supply = {("Howrah", "sewing_machine_operator"): 40.0, ("Howrah", "cashier"): 5.0,
              ("Howrah", "childcare_attendant"): 4.0}
    ranked = training_priorities(forecasts=forecasts, supply=supply, district="Howrah", taxonomy=taxonomy)
    assert all(isinstance(p, Priority) for p in ranked)
    assert [p.occupation for p in ranked] == ["cashier", "sewing_machine_operator", "housekeeping_attendant",
                                              "childcare_attendant"]
    assert [p.rank for p in ranked] == [1, 2, 3, 4]
    first = ranked[0]
    assert (first.district, first.forecast_postings, first.supply, first.gap) == ("Howrah", 48.0, 5.0, 43.0)
    assert first.score == pytest.approx(43.0)  # no growth given: score = gap
    assert first.occupation_name == taxonomy.occupations["cashier"].name
    assert first.skills == [code for code, _ in taxonomy.occupations["cashier"].core_skills]
    assert len(first.skill_names) == len(first.skills)
    assert ranked[-1].gap == -4.0  # trainees but no forecast postings: oversupplied
    assert [p.occupation for p in training_priorities(forecasts=forecasts, supply=supply, district="Howrah",
                                                      taxonomy=taxonomy, limit=2)] == ["cashier",
                                                                                       "sewing_machine_operator"]


def test_growth_breaks_an_even_gap(taxonomy) -> None:
    forecasts = rows("Nadia", "cashier", 10.0) + rows("Nadia", "warehouse_packer", 10.0)
    growth = {("Nadia", "cashier"): -0.10, ("Nadia", "warehouse_packer"): 0.20}
    ranked = training_priorities(forecasts=forecasts, supply={}, district="Nadia", taxonomy=taxonomy,
                                 growth=growth)
    assert [p.occupation for p in ranked] == ["warehouse_packer", "cashier"]
    assert ranked[0].gap == ranked[1].gap == 60.0
    assert ranked[0].score == pytest.approx(60.0 * 1.2 ** 0.5)
    assert ranked[0].growth == pytest.approx(0.20)


def test_neighbours_add_reachable_demand_and_horizon_limits_the_sum(taxonomy) -> None:
    forecasts = rows("Howrah", "cashier", 2.0) + rows("Kolkata", "cashier", 20.0) + rows("Howrah", "beautician", 5.0)
    neighbours = {"Howrah": ["Kolkata"], "Kolkata": ["Howrah"]}
    alone = training_priorities(forecasts=forecasts, supply={}, district="Howrah", taxonomy=taxonomy, horizon=3)
    assert [(p.occupation, p.forecast_postings) for p in alone] == [("beautician", 15.0), ("cashier", 6.0)]
    near = training_priorities(forecasts=forecasts, supply={}, district="Howrah", taxonomy=taxonomy, horizon=3,
                               neighbours=neighbours, neighbour_weight=0.5)
    assert [(p.occupation, p.forecast_postings) for p in near] == [("cashier", 36.0), ("beautician", 15.0)]
    every = training_priorities(forecasts=forecasts, supply={}, district=None, taxonomy=taxonomy)
    assert [(p.district, p.occupation) for p in every][0] == ("Kolkata", "cashier")
    assert {p.district for p in every} == {"Howrah", "Kolkata"}
    with pytest.raises(ValueError):
        training_priorities(forecasts=forecasts, supply={}, district="Howrah", taxonomy=taxonomy, market_share=0)


def test_supply_from_trainees(taxonomy, gazetteer) -> None:
    sewing = taxonomy.occupations["sewing_machine_operator"]
    core = [code for code, _ in sewing.core_skills]
    half = (len(core) + 1) // 2
    trainees = [
        # on the sewing track: counts whatever her skills
        {"district": "Howrah", "status": "in_training", "training_track": "sewing_machine_operator", "skills": []},
        # half the core skills at level 2: counts
        {"district": "howrah district", "status": "job_ready", "training_track": None,
         "skills": [{"skill": c, "level": 2} for c in core[:half]]},
        # the same skills at level 1: does not
        {"district": "Howrah", "status": "job_ready", "skills": [{"skill": c, "level": 1} for c in core]},
        # placed or exited women are not supply
        {"district": "Howrah", "status": "placed", "training_track": "sewing_machine_operator", "skills": []},
        {"district": "Howrah", "status": "exited", "training_track": "sewing_machine_operator", "skills": []},
        # far away
        {"district": "Purulia", "status": "in_training", "training_track": "sewing_machine_operator", "skills": []},
        # unknown district: skipped
        {"district": "Atlantis", "status": "in_training", "training_track": "sewing_machine_operator"},
    ]
    supply = supply_from_trainees(trainees, taxonomy, gazetteer)
    assert supply[("Howrah", "sewing_machine_operator")] == 2.0
    assert supply[("Kolkata", "sewing_machine_operator")] == 2.0  # Howrah is Kolkata's neighbour
    assert supply[("Purulia", "sewing_machine_operator")] == 1.0
    assert ("Bankura", "sewing_machine_operator") not in supply
    own_only = supply_from_trainees(trainees, taxonomy, gazetteer, neighbours={})
    assert ("Kolkata", "sewing_machine_operator") not in own_only


def test_district_neighbours(gazetteer) -> None:
    near = district_neighbours(gazetteer)
    assert "Howrah" in near["Kolkata"] and "Kolkata" in near["Howrah"]
    assert near["Purulia"] == ()
    assert all(name not in others for name, others in near.items())


def test_end_to_end_on_demo_data(taxonomy, gazetteer) -> None:
    sector_of = {code: o.sector for code, o in taxonomy.occupations.items()}
    model = DemandForecaster().fit(SignalFrame.from_csv(REPO / "data" / "demo" / "market_signals.csv"),
                                   sector_of=sector_of)
    ranked = training_priorities(forecasts=model.predict(), supply={}, district="Kolkata", taxonomy=taxonomy,
                                 growth=model)
    assert ranked and all(p.district == "Kolkata" for p in ranked)
    scores = np.array([p.score for p in ranked])
    assert (np.diff(scores) <= 1e-9).all()
    pairs = {(p.district, p.occupation) for p in ranked}
    assert pairs == {k for k in model.series_ if k[0] == "Kolkata"}


def test_short_course_counts_near_misses(taxonomy, gazetteer) -> None:
    """Sewing machine operator asks five skills (machine stitching at level 2, four at level 1): three are needed
    at the level asked or one below, and a near miss is at most two levels from that."""
    policy = load_site(REPO / "data" / "sites" / "west_bengal").qualification
    two = [{"skill": "machine_stitching", "level": 1}, {"skill": "overlock_operation", "level": 1}]
    trainees = [
        {"district": "Howrah", "status": "job_ready", "skills": two},                   # one level away
        {"district": "Howrah", "status": "in_training", "skills": two[:1]},             # two levels away
        {"district": "Howrah", "status": "job_ready", "skills": []},                    # three: not a short course
        {"district": "Howrah", "status": "job_ready", "skills": two,                    # on the track: supply
         "training_track": "sewing_machine_operator"},
        {"district": "Howrah", "status": "job_ready",                                   # qualified already
         "skills": [*two, {"skill": "garment_finishing", "level": 1}]},
        {"district": "Howrah", "status": "placed", "skills": two},                      # not in the pipeline
    ]
    found = short_course_from_trainees(trainees, taxonomy, gazetteer, policy, neighbours={})
    course = found[("Howrah", "sewing_machine_operator")]
    assert course.trainees == 2.0
    # the cheapest steps, in the occupation's order of core skills
    assert course.steps == {("measurement_cutting", 1): 2, ("overlock_operation", 1): 1}

    forecasts = rows("Howrah", "sewing_machine_operator", 1.0)                          # 6 postings
    supply = supply_from_trainees(trainees, taxonomy, gazetteer, neighbours={})
    [sewing] = [p for p in training_priorities(forecasts=forecasts, supply=supply, district="Howrah",
                                               taxonomy=taxonomy, short_course=found)
                if p.occupation == "sewing_machine_operator"]
    assert (sewing.gap, sewing.short_course_trainees, sewing.short_course_postings) == (5.0, 2.0, 2.0)
    assert sewing.short_course == ("About 2 of the 5 postings not yet spoken for could be met with a short course:"
                                   " 2 trainees nearby are one away (most often Measurement & cutting to level 1"
                                   " (basic)).")
    crowded = training_priorities(forecasts=forecasts, supply={("Howrah", "sewing_machine_operator"): 9.0},
                                  district="Howrah", taxonomy=taxonomy, short_course=found)[0]
    assert crowded.short_course_postings == 0.0
    assert crowded.short_course.endswith("but trainees already heading for it cover the postings expected.")
    alone = training_priorities(forecasts=forecasts, supply=supply, district="Howrah", taxonomy=taxonomy)[0]
    assert alone.short_course_trainees == 0.0
    assert alone.short_course == "No trainee nearby is a short course away from this occupation."


def one_by_one(trainees, taxonomy, gazetteer, policy, neighbours):
    """The counts of supply and short courses as the definitions read, trainee by trainee (the oracle)."""
    supply, courses = {}, {}
    for record in trainees:
        if record["status"] not in ("job_ready", "in_training") or gazetteer.resolve(record["district"]) is None:
            continue
        home = gazetteer.resolve(record["district"]).name
        levels = {item["skill"]: item["level"] for item in record["skills"]}
        for code, occupation in taxonomy.trades.items():
            core = [skill for skill, _ in occupation.core_skills]
            is_supply = record.get("training_track") == code or (
                bool(core) and 2 * sum(levels.get(s, 0) >= 2 for s in core) >= len(core))
            near = None
            if not is_supply and core:
                found = assess(levels, [Requirement(s, level) for s, level in occupation.core_skills], policy)
                near = found if found.near_miss else None
            for place in (home, *neighbours.get(home, ())):
                if is_supply:
                    supply[(place, code)] = supply.get((place, code), 0.0) + 1.0
                if near is not None:
                    course = courses.setdefault((place, code), ShortCourse())
                    course.trainees += 1.0
                    course.steps.update((step.skill, step.level) for step in near.plan)
    return supply, courses


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_read_once_as_arrays_equal_the_counts_trainee_by_trainee(taxonomy, gazetteer, seed) -> None:
    policy = load_site(REPO / "data" / "sites" / "west_bengal").qualification
    rng = np.random.default_rng(seed)
    districts = ["Howrah", "Kolkata", "hooghly", "Purulia", "Darjeeling", "Atlantis"]  # any spelling; one unknown
    skills, tracks = list(taxonomy.skills), [None, *taxonomy.occupations]
    trainees = [{"district": str(rng.choice(districts)),
                 "status": str(rng.choice(["job_ready", "in_training", "placed"])),
                 "training_track": tracks[int(rng.integers(len(tracks)))],
                 "skills": [{"skill": str(code), "level": int(rng.integers(1, 4))}
                            for code in rng.choice(skills, size=int(rng.integers(0, 6)), replace=False)]}
                for _ in range(400)]
    neighbours = district_neighbours(gazetteer)
    pipeline = TraineePipeline.from_records(trainees, taxonomy, gazetteer)
    supply, courses = one_by_one(trainees, taxonomy, gazetteer, policy, neighbours)
    assert supply_from_trainees(pipeline, taxonomy, gazetteer, neighbours=neighbours) == supply
    found = short_course_from_trainees(pipeline, taxonomy, gazetteer, policy, neighbours=neighbours)
    assert {key: (course.trainees, dict(course.steps)) for key, course in found.items()} == \
        {key: (course.trainees, dict(course.steps)) for key, course in courses.items()}
    assert courses and supply  # the generated trainees exercise both counts
