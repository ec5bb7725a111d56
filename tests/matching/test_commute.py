"""Commute estimates."""

from __future__ import annotations

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
    with pytest.raises(Exception):
        slow.wait_minutes = 3  # type: ignore[misc]
