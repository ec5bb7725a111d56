"""Commute estimates."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from matching.commute import DEFAULT_COMMUTE_MODEL, CommuteModel, commute_minutes


def test_metro_is_slower_per_km_than_urban_and_rural() -> None:
    km = np.array([5.0, 10.0, 20.0])
    metro = commute_minutes(km, "metro", "metro")
    urban = commute_minutes(km, "urban", "urban")
    rural = commute_minutes(km, "rural", "rural")
    assert np.all(metro > urban) and np.all(urban > rural)
    per_km = lambda minutes: np.diff(minutes) / np.diff(km)  # noqa: E731
    assert np.all(per_km(metro) > per_km(urban)) and np.all(per_km(urban) > per_km(rural))


def test_the_formula() -> None:
    model = DEFAULT_COMMUTE_MODEL
    assert model.wait_minutes == 10 and model.detour_factor == 1.3
    # 10 km straight line = 13 road km; metro 4 min/km
    assert commute_minutes(10.0, "metro", "metro") == pytest.approx(10 + 13 * 4)
    # half the journey at each end's rate: metro 4 and rural 2 -> 3 min/km
    assert commute_minutes(10.0, "metro", "rural") == pytest.approx(10 + 13 * 3)
    assert commute_minutes(0.0, "rural", "rural") == pytest.approx(10)
    # unknown area types use the urban rate
    assert commute_minutes(10.0, None, "unknown") == pytest.approx(commute_minutes(10.0, "urban", "urban"))


def test_long_journeys_continue_at_the_intercity_rate() -> None:
    model = DEFAULT_COMMUTE_MODEL
    assert model.local_km == 20 and model.intercity_minutes_per_km == 1.5
    # 100 km straight line = 130 road km: 20 km at the metro rate, 110 km at 1.5 min/km
    assert commute_minutes(100.0, "metro", "metro") == pytest.approx(10 + 20 * 4 + 110 * 1.5)
    # within the local stretch the area rates apply alone
    assert commute_minutes(15.0, "metro", "metro") == pytest.approx(10 + 19.5 * 4)
    # still increasing with distance, never faster per km than the intercity rate
    km = np.linspace(0, 300, 301)
    minutes = commute_minutes(km, "rural", "metro")
    assert np.all(np.diff(minutes) > 0)
    assert np.all(np.diff(minutes) / np.diff(km * model.detour_factor) >= model.intercity_minutes_per_km - 1e-9)


def test_vectorised_over_area_types_and_nan() -> None:
    km = np.array([1.0, 2.0, np.nan, 4.0])
    origin = np.array(["metro", "rural", "urban", None], dtype=object)
    dest = np.array(["metro", "metro", "urban", "rural"], dtype=object)
    out = commute_minutes(km, origin, dest)
    expected = [commute_minutes(k, o, d) for k, o, d in zip(km, origin, dest)]
    assert np.allclose(out, expected, equal_nan=True)
    assert np.isnan(out[2])


def test_parameters_are_configurable() -> None:
    slow = CommuteModel(wait_minutes=20, detour_factor=1.5, metro_minutes_per_km=5)
    assert commute_minutes(10.0, "metro", "metro", slow) == pytest.approx(20 + 15 * 5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        slow.wait_minutes = 3  # type: ignore[misc]


def test_reach_is_an_upper_bound_on_the_distance_within_the_minutes() -> None:
    model = DEFAULT_COMMUTE_MODEL
    limits = np.array([5.0, 10.0, 30.0, 60.0, 90.0, 240.0])
    reach = model.reach_km(limits)
    assert reach[0] == 0.0  # less than the wait: nowhere
    for origin in ("metro", "urban", "rural", None):
        for dest in ("metro", "urban", "rural", None):
            assert np.all(commute_minutes(reach, origin, dest) >= limits - 1e-9)


def test_minutes_from_road_is_the_formula_on_road_kilometres() -> None:
    model = CommuteModel()
    road = np.array([0.0, 10.0, 20.0, 50.0])
    assert model.minutes_from_road(road, 4.0).tolist() == pytest.approx([10, 50, 90, 135])
    km = road / model.detour_factor
    assert np.allclose(model.minutes_from_rates(km, 4.0, 4.0), model.minutes_from_road(road, 4.0))
