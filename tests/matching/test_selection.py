"""Candidate selection loses nothing: on generated programmes, every ranking over the selected rows is the full
scan's answer (ids, order, scores, factors, reasons, the rows allowed), in both directions, under varied
qualification policies, commute models and rule sets, and after records change."""

from __future__ import annotations

import dataclasses
import datetime
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.commute import CommuteModel
from matching.engine import SCORE_DECIMALS, Match, MatchEngine
from matching.geo import haversine_km
from matching.reference import QualificationPolicy, Site, Taxonomy
from matching.safety import SAFETY_RULES, CommuteTooLong, NotQualified
from matching.selection import GeoCells, SkillColumns, openings_for_trainee, prepare, trainees_for_opening
from matching.tables import OpeningTable, TraineeTable

AS_OF = datetime.date(2026, 3, 1)
# Mostly the neighbouring districts around Kolkata, so that many pairs are within reach.
DISTRICTS = ["Kolkata", "Nadia", "Howrah", "North 24 Parganas", "Hooghly", "South 24 Parganas", "Darjeeling",
             "Atlantis", None]
EMPLOYERS = {"E0": {"vetted": True, "vetted_on": datetime.date(2025, 9, 1)},
             "E1": {"vetted": True, "vetted_on": datetime.date(2025, 12, 1)},
             "E2": {"vetted": False, "vetted_on": None}}
POLICIES = [QualificationPolicy(), QualificationPolicy(share_of_required=1.0, levels_below=0),
            QualificationPolicy(share_of_required=0.3, levels_below=2, essential_levels_below=1),
            QualificationPolicy(share_of_required=0.0)]
COMMUTE_MODELS = [CommuteModel(), CommuteModel(wait_minutes=4, metro_minutes_per_km=2.5, urban_minutes_per_km=1.8,
                                               rural_minutes_per_km=1.2, intercity_minutes_per_km=0.9, local_km=8)]


class AnyoneQualifies(NotQualified):
    """A rule of another class than NotQualified (a site's own variant): the skill condition must not apply."""

    def violated(self, ctx):  # type: ignore[no-untyped-def]
        return np.zeros(len(ctx), dtype=bool)


RULE_SETS = [SAFETY_RULES,
             tuple(r for r in SAFETY_RULES if not isinstance(r, CommuteTooLong)),
             tuple(AnyoneQualifies() if isinstance(r, NotQualified) else r for r in SAFETY_RULES)]


# --------------------------------------------------------------------------- generated programmes


def skill_codes(taxonomy: Taxonomy) -> list[str]:
    """A few skills, so that generated trainees and openings share many: two occupations' core skills."""
    codes: list[str] = []
    for occupation in list(taxonomy.occupations.values())[:2]:
        codes += [code for code, _ in occupation.core_skills if code not in codes]
    return codes[:8]


def places(draw: Any, site: Site) -> dict[str, Any]:
    district = draw(st.sampled_from(DISTRICTS))
    out: dict[str, Any] = {"district": district}
    how = draw(st.sampled_from(["headquarters", "near", "near", "near", "far", "cell edge", "unknown"]))
    found = site.gazetteer.resolve(district) if district else None
    base = (found.lat, found.lon) if found is not None else (22.6, 88.4)
    if how == "near":
        out["lat"], out["lon"] = (base[0] + draw(st.floats(-0.2, 0.2)), base[1] + draw(st.floats(-0.2, 0.2)))
    elif how == "far":
        out["lat"], out["lon"] = draw(st.floats(20.0, 27.5)), draw(st.floats(85.5, 90.0))
    elif how == "cell edge":  # exactly on a grid line
        out["lat"], out["lon"] = round(base[0] / 0.05) * 0.05, round(base[1] / 0.05) * 0.05
    elif how == "unknown":
        out["district"] = None
    return out


def at_distance(site: Site, opening: dict[str, Any], km: float, bearing: float) -> dict[str, Any]:
    """A place ``km`` from the opening's workplace (in its district, so the same area type), or unknown."""
    found = site.gazetteer.resolve(opening["district"]) if opening["district"] else None
    lat, lon = opening.get("lat"), opening.get("lon")
    if lat is None and found is not None:
        lat, lon = found.lat, found.lon
    if lat is None or not math.isfinite(km):
        return {"district": None}
    d_lat = math.degrees(km / 6371.0088) * math.cos(bearing)
    d_lon = math.degrees(km / 6371.0088) * math.sin(bearing) / math.cos(math.radians(lat))
    return {"district": opening["district"], "lat": lat + d_lat, "lon": lon + d_lon}


@st.composite
def programmes(draw: Any, taxonomy: Taxonomy, site: Site) -> dict[str, Any]:
    codes = skill_codes(taxonomy)
    occupations = list(taxonomy.occupations)[:3]
    n_openings = draw(st.integers(1, 18))
    openings = []
    for k in range(n_openings):
        skills = draw(st.lists(st.tuples(st.sampled_from(codes), st.integers(1, 3), st.booleans()), max_size=4))
        openings.append({
            "external_id": f"O{k:02d}", "employer_external_id": draw(st.sampled_from(["E0", "E1", "E0", "E1", "E2"])),
            "occupation": draw(st.sampled_from(occupations)), **places(draw, site),
            "monthly_wage_inr": draw(st.sampled_from([25000, 18000, 25000, 14000, 25000, 18000, 4000, None])),
            "required_skills": [{"label": c, "skill": c, "level": lvl, "essential": e and draw(st.booleans())}
                                for c, lvl, e in skills],
            "shift": draw(st.sampled_from(["day"] * 4 + ["night", "rotating"])),
            "transport_provided": draw(st.booleans()), "accommodation_provided": draw(st.booleans()),
            "status": draw(st.sampled_from(["open"] * 9 + ["closed"])),
            "posted_on": datetime.date(2026, 1, 1),
            "closes_on": draw(st.sampled_from([None, datetime.date(2026, 6, 1)] * 3 + [datetime.date(2026, 2, 1)])),
            "positions": draw(st.sampled_from([1, 3, 1, 2, 1, 0])),
        })
    opening_ids = [o["external_id"] for o in openings]
    commute = draw(st.sampled_from(COMMUTE_MODELS))
    n_trainees = draw(st.integers(1, 10))
    trainees = []
    for k in range(n_trainees):
        limit = draw(st.sampled_from([90, 60, 45, 240, 90, 30, 12, 0, None, math.inf]))
        like = draw(st.sampled_from(openings))
        if draw(st.booleans()):  # skills near what an opening asks: around the qualification rule's threshold
            skills = [(item["skill"], item["level"] + draw(st.integers(-2, 1))) for item in like["required_skills"]
                      if draw(st.integers(0, 3))]
            skills = [(code, level) for code, level in skills if level >= 1]
        else:
            skills = draw(st.lists(st.tuples(st.sampled_from(codes), st.integers(1, 3)), max_size=5))
        place = places(draw, site)
        if limit is not None and draw(st.booleans()):  # at about her reach from that opening
            place = at_distance(site, like, float(commute.reach_km(limit)) * draw(st.floats(0.9, 1.02)),
                                draw(st.floats(0, 2 * math.pi)))
        confirmed = draw(st.dictionaries(st.sampled_from(opening_ids + ["O-gone"]), st.sampled_from([15.0, 200.0]),
                                         max_size=2))
        trainees.append({
            "external_id": f"T{k:02d}", "status": draw(st.sampled_from(["job_ready"] * 7 + ["in_training"])),
            **place, "skills": [{"label": c, "skill": c, "level": lvl} for c, lvl in skills],
            "max_commute_minutes": limit,
            "willing_to_relocate": draw(st.booleans()), "night_shift_ok": draw(st.booleans()),
            "excluded_employers": draw(st.lists(st.sampled_from(["E1", "E2"]), max_size=1)),
            "excluded_districts": draw(st.lists(st.sampled_from(["Nadia", "Darjeeling"]), max_size=1)),
            "available_from": draw(st.sampled_from([None] * 5 + [datetime.date(2026, 5, 1)])),
            "confirmed_journeys": confirmed, "languages": ["bn"], "expected_wage_inr": 12000,
        })
    return {"openings": openings, "trainees": trainees, "policy": draw(st.sampled_from(POLICIES)),
            "commute": commute, "rules": draw(st.sampled_from(RULE_SETS)),
            "limit": draw(st.sampled_from([1, 3, None]))}


def tables(programme: dict[str, Any], taxonomy: Taxonomy, site: Site) -> tuple[TraineeTable, OpeningTable]:
    return (TraineeTable.from_records(programme["trainees"], taxonomy=taxonomy, site=site),
            OpeningTable.from_records(programme["openings"], employers=EMPLOYERS, taxonomy=taxonomy, site=site))


def engine_for(programme: dict[str, Any], taxonomy: Taxonomy, site: Site) -> tuple[MatchEngine, Site]:
    site = dataclasses.replace(site, qualification=programme["policy"])
    return MatchEngine(taxonomy=taxonomy, site=site, commute_model=programme["commute"],
                       rules=programme["rules"]), site


def answer(ranked: tuple[list[Match], np.ndarray]) -> tuple[list[tuple[Any, ...]], list[int]]:
    matches, allowed = ranked
    return ([(m.external_id, m.rank, m.score, m.factors, m.reasons, m.blocked_by, m.evidence) for m in matches],
            sorted(allowed.tolist()))


def assert_same_both_ways(engine: MatchEngine, trainees: TraineeTable, openings: OpeningTable,
                          limit: int | None) -> None:
    for i in range(len(trainees)):
        kwargs: dict[str, Any] = {"as_of": AS_OF, "limit": limit}
        selected = engine.rank_openings_and_allowed(trainees, i, openings, **kwargs)
        assert answer(selected) == answer(engine.rank_openings_and_allowed(trainees, i, openings, full_scan=True,
                                                                           **kwargs)), i
    for j in range(len(openings)):
        kwargs = {"as_of": AS_OF, "limit": limit}
        selected = engine.rank_trainees_and_allowed(openings, j, trainees, **kwargs)
        assert answer(selected) == answer(engine.rank_trainees_and_allowed(openings, j, trainees, full_scan=True,
                                                                           **kwargs)), j


# --------------------------------------------------------------------------- the differential tests


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_selected_rankings_are_the_full_scans(data: st.DataObject, taxonomy: Taxonomy, site: Site) -> None:
    programme = data.draw(programmes(taxonomy, site))
    engine, site = engine_for(programme, taxonomy, site)
    trainees, openings = tables(programme, taxonomy, site)
    assert_same_both_ways(engine, trainees, openings, programme["limit"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(limits=st.lists(st.sampled_from([20, 30, 45, 60, 90, 150]), min_size=1, max_size=6),
       openings=st.lists(st.tuples(st.floats(-0.3, 0.3), st.floats(-0.3, 0.3), st.booleans()), min_size=1, max_size=6),
       spots=st.data(), commute=st.sampled_from(COMMUTE_MODELS))
def test_pairs_at_the_edge_of_her_reach_are_kept(limits: list[int], openings: list[tuple[float, float, bool]],
                                                 spots: st.DataObject, commute: CommuteModel, taxonomy: Taxonomy,
                                                 site: Site) -> None:
    """Rural workplaces and homes (the fastest rates, where the reach bound is exact), every other rule passing,
    each trainee just inside or just outside her reach of one of the openings."""
    code = skill_codes(taxonomy)[0]
    jobs = [{"external_id": f"O{k}", "employer_external_id": "E0", "district": "Nadia", "lat": 23.4 + d_lat,
             "lon": 88.5 + d_lon, "monthly_wage_inr": 25000, "required_skills": [{"skill": code, "level": 1}],
             "accommodation_provided": housed, "posted_on": datetime.date(2026, 1, 1), "positions": 1}
            for k, (d_lat, d_lon, housed) in enumerate(openings)]
    people = []
    for k, limit in enumerate(limits):
        like = spots.draw(st.sampled_from(jobs))
        place = at_distance(site, like, float(commute.reach_km(limit)) * spots.draw(st.floats(0.95, 1.001)),
                            spots.draw(st.floats(0, 2 * math.pi)))
        people.append({"external_id": f"T{k}", "status": "job_ready", **place, "max_commute_minutes": limit,
                       "skills": [{"skill": code, "level": 1}], "willing_to_relocate": spots.draw(st.booleans())})
    programme = {"openings": jobs, "trainees": people, "policy": QualificationPolicy(), "commute": commute,
                 "rules": SAFETY_RULES}
    engine, site = engine_for(programme, taxonomy, site)
    trainees, openings_table = tables(programme, taxonomy, site)
    assert_same_both_ways(engine, trainees, openings_table, None)


def merged(engine: MatchEngine, segments: list[tuple[TraineeTable | OpeningTable, set[str]]], query: Any,
           limit: int | None) -> tuple[list[tuple[str, float, list[str]]], set[str]]:
    """Rank over a base table and the delta of changed rows, masking in each the ids a newer one replaced: as the
    service's live index answers (each table with its own lists, built once)."""
    found: list[Match] = []
    allowed: set[str] = set()
    for table, stale in segments:
        ranked, rows = query(table, None if limit is None else limit + len(stale))
        found += [m for m in ranked if m.external_id not in stale]
        allowed |= {str(e) for e in table.external_id[rows]} - stale
    found.sort(key=lambda m: (-round(m.score, SCORE_DECIMALS), m.external_id))
    return [(m.external_id, m.score, m.reasons) for m in found[:limit]], allowed


def full(ranked: tuple[list[Match], np.ndarray], table: Any) -> tuple[list[tuple[str, float, list[str]]], set[str]]:
    matches, rows = ranked
    return [(m.external_id, m.score, m.reasons) for m in matches], {str(e) for e in table.external_id[rows]}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_after_changes_the_base_and_its_delta_answer_as_a_full_scan(data: st.DataObject, taxonomy: Taxonomy,
                                                                    site: Site) -> None:
    """Close an opening, change another's skills and place, change a trainee's skills and limit: the changed rows
    go into a delta table with lists of its own, and their old rows are masked in the base."""
    programme = data.draw(programmes(taxonomy, site))
    engine, site = engine_for(programme, taxonomy, site)
    trainees, openings = tables(programme, taxonomy, site)
    for table in (trainees, openings):
        prepare(table)
    codes = skill_codes(taxonomy)
    changed_openings = [dict(o) for o in data.draw(st.lists(st.sampled_from(programme["openings"]), max_size=3,
                                                           unique_by=lambda o: o["external_id"]))]
    for opening in changed_openings:
        opening["status"] = data.draw(st.sampled_from(["open", "closed"]))
        opening["required_skills"] = [{"label": c, "skill": c, "level": data.draw(st.integers(1, 3))}
                                      for c in data.draw(st.lists(st.sampled_from(codes), max_size=3, unique=True))]
        opening.update(places(data.draw, site))
    changed_trainees = [dict(t) for t in data.draw(st.lists(st.sampled_from(programme["trainees"]), max_size=3,
                                                           unique_by=lambda t: t["external_id"]))]
    for trainee in changed_trainees:
        trainee["skills"] = [{"label": c, "skill": c, "level": data.draw(st.integers(1, 3))}
                             for c in data.draw(st.lists(st.sampled_from(codes), max_size=4, unique=True))]
        trainee["max_commute_minutes"] = data.draw(st.sampled_from([15, 60, 120]))
    now = {**{o["external_id"]: o for o in programme["openings"]}, **{o["external_id"]: o for o in changed_openings}}
    people = {**{t["external_id"]: t for t in programme["trainees"]}, **{t["external_id"]: t for t in changed_trainees}}
    updated = {**programme, "openings": list(now.values()), "trainees": list(people.values())}
    fresh_trainees, fresh_openings = tables(updated, taxonomy, site)
    delta_trainees, delta_openings = tables({"openings": changed_openings, "trainees": changed_trainees}, taxonomy, site)
    stale_openings = {o["external_id"] for o in changed_openings}
    stale_trainees = {t["external_id"] for t in changed_trainees}
    limit = programme["limit"]
    for i, trainee_id in enumerate(fresh_trainees.external_id.tolist()):
        her = fresh_trainees.subset(np.array([i]))  # as a request builds her from her record
        segments = [(openings, stale_openings), (delta_openings, set())]
        got = merged(engine, segments, lambda table, size, her=her: engine.rank_openings_and_allowed(
            her, 0, table, as_of=AS_OF, limit=size), limit)
        assert got == full(engine.rank_openings_and_allowed(her, 0, fresh_openings, as_of=AS_OF, limit=limit,
                                                            full_scan=True), fresh_openings), trainee_id
    for j, opening_id in enumerate(fresh_openings.external_id.tolist()):
        job = fresh_openings.subset(np.array([j]))
        segments = [(trainees, stale_trainees), (delta_trainees, set())]
        got = merged(engine, segments, lambda table, size, job=job: engine.rank_trainees_and_allowed(
            job, 0, table, as_of=AS_OF, limit=size), limit)
        assert got == full(engine.rank_trainees_and_allowed(job, 0, fresh_trainees, as_of=AS_OF, limit=limit,
                                                            full_scan=True), fresh_trainees), opening_id


# --------------------------------------------------------------------------- the lists themselves


@settings(max_examples=200, deadline=None)
@given(points=st.lists(st.tuples(st.floats(-60, 60), st.floats(-170, 170)), min_size=1, max_size=40),
       centre=st.tuples(st.floats(-60, 60), st.floats(-170, 170)), km=st.floats(0, 3000))
def test_the_grid_returns_every_point_within_the_distance(points: list[tuple[float, float]],
                                                         centre: tuple[float, float], km: float) -> None:
    lat, lon = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    found = set(GeoCells.of(lat, lon).within(centre[0], centre[1], km).tolist())
    near = set(np.flatnonzero(haversine_km(centre[0], centre[1], lat, lon) <= km).tolist())
    assert near <= found


def test_the_grid_knows_no_point_without_a_place_and_every_point_at_an_infinite_distance() -> None:
    cells = GeoCells.of(np.array([22.5, np.nan, 23.0, 22.5]), np.array([88.3, 88.0, np.nan, 88.3 - 360]))
    assert sorted(cells.within(22.5, 88.3, math.inf).tolist()) == [0, 3]
    assert sorted(cells.within(22.5, 88.3, 0.0).tolist()) == [0, 3]  # a longitude off its range is the same place
    assert cells.within(22.5, 88.3, math.nan).tolist() == []
    assert cells.within(math.nan, 88.3, 10.0).tolist() == []


def test_skill_columns_hold_each_rows_level_in_each_skill(taxonomy: Taxonomy, site: Site) -> None:
    first, second = sorted(taxonomy.skill_index, key=taxonomy.skill_index.get)[:2]
    records = [{"external_id": f"T{k}", "skills": [{"skill": code, "level": level}]}
               for k, (code, level) in enumerate([(first, 1), (first, 3), (second, 2), (first, 2)])]
    table = TraineeTable.from_records(records, taxonomy=taxonomy, site=site)
    columns = SkillColumns.of(table.skills)
    assert columns.column(taxonomy.skill_index[first], None).tolist() == [1, 3, 0, 2]
    assert columns.column(taxonomy.skill_index[second], np.array([1, 2])).tolist() == [0, 2]


def test_the_selection_leaves_out_most_rows_of_the_demo_programme(taxonomy: Taxonomy, site: Site) -> None:
    """Not a speed test: the selected rows are a small share of the table (what makes the index worth having)."""
    from matching.outcome_data import read_bundle_records
    from matching.reference import default_data_dir
    records = read_bundle_records(default_data_dir() / "demo", taxonomy=taxonomy)
    trainees = TraineeTable.from_records(records.trainees, taxonomy=taxonomy, site=site)
    openings = OpeningTable.from_records(records.openings, employers=records.employers, taxonomy=taxonomy, site=site)
    engine = MatchEngine(taxonomy=taxonomy, site=site)
    setting = engine.selection_setting
    shares = [len(openings_for_trainee(trainees, i, openings, rules=engine.rules, setting=setting)) / len(openings)
              for i in range(len(trainees))]
    assert np.mean(shares) < 0.25
    shares = [len(trainees_for_opening(openings, j, trainees, rules=engine.rules, setting=setting)) / len(trainees)
              for j in range(len(openings))]
    assert np.mean(shares) < 0.25


@pytest.mark.parametrize("rules", [(), tuple(r for r in SAFETY_RULES if not isinstance(r, (NotQualified,
                                                                                          CommuteTooLong)))])
def test_without_the_rules_they_come_from_no_condition_applies(rules: tuple, taxonomy: Taxonomy,
                                                             site: Site) -> None:
    trainees = TraineeTable.from_records([{"external_id": "T", "status": "job_ready", "district": "Kolkata"}],
                                         taxonomy=taxonomy, site=site)
    openings = OpeningTable.from_records([{"external_id": "O", "district": "Darjeeling", "required_skills": []}],
                                         employers=EMPLOYERS, taxonomy=taxonomy, site=site)
    engine = MatchEngine(taxonomy=taxonomy, site=site, rules=rules)
    assert openings_for_trainee(trainees, 0, openings, rules=rules, setting=engine.selection_setting) is None
    assert trainees_for_opening(openings, 0, trainees, rules=rules, setting=engine.selection_setting) is None
