"""Great-circle distances."""

from __future__ import annotations

import math

import numpy as np
import pytest

from matching.geo import haversine_km

KOLKATA = (22.5726, 88.3639)
HOWRAH = (22.5958, 88.2636)
SILIGURI = (26.7271, 88.3953)


def test_known_distances() -> None:
    assert haversine_km(*KOLKATA, *HOWRAH) == pytest.approx(10.6, abs=0.2)
    assert haversine_km(*KOLKATA, *SILIGURI) == pytest.approx(462, rel=0.01)
    assert haversine_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(math.pi * 6371.0088)
    assert haversine_km(*KOLKATA, *KOLKATA) == 0.0


def test_symmetric_and_vectorised() -> None:
    rng = np.random.default_rng(1)
    lat1, lon1 = rng.uniform(21, 27, 500), rng.uniform(86, 90, 500)
    lat2, lon2 = rng.uniform(21, 27, 500), rng.uniform(86, 90, 500)
    forward = haversine_km(lat1, lon1, lat2, lon2)
    assert forward.shape == (500,)
    assert np.allclose(forward, haversine_km(lat2, lon2, lat1, lon1))
    # one origin against many destinations broadcasts
    from_kolkata = haversine_km(KOLKATA[0], KOLKATA[1], lat2, lon2)
    assert np.allclose(from_kolkata, [haversine_km(*KOLKATA, a, b) for a, b in zip(lat2, lon2)])
    # triangle inequality
    via = haversine_km(lat1, lon1, KOLKATA[0], KOLKATA[1]) + from_kolkata
    assert np.all(forward <= via + 1e-9)


def test_missing_coordinates_give_nan() -> None:
    out = haversine_km(np.array([22.5, np.nan]), np.array([88.3, 88.3]), 22.6, 88.4)
    assert np.isfinite(out[0]) and np.isnan(out[1])


def test_the_scalar_distance_is_the_vectorised_one() -> None:
    from matching.geo import haversine_km_scalar

    rng = np.random.default_rng(3)
    points = rng.uniform([-80, -180, -80, -180], [80, 180, 80, 180], size=(200, 4))
    for lat1, lon1, lat2, lon2 in points.tolist():
        assert haversine_km_scalar(lat1, lon1, lat2, lon2) == pytest.approx(
            float(haversine_km(lat1, lon1, lat2, lon2)), rel=1e-12, abs=1e-9)
    assert haversine_km_scalar(*KOLKATA, *KOLKATA) == 0.0
