"""Great-circle distances: vectorised over arrays of points, and for one pair of points."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["EARTH_RADIUS_KM", "haversine_km", "haversine_km_scalar", "haversine_prepared"]

#: Mean Earth radius (IUGG), kilometres.
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km between points given in decimal degrees (WGS 84).

    Arguments broadcast against each other (a scalar origin against arrays of
    destinations, or aligned arrays). NaN coordinates give NaN.
    """
    lat1 = np.radians(np.asarray(lat1, dtype=np.float64))
    lon1 = np.radians(np.asarray(lon1, dtype=np.float64))
    lat2 = np.radians(np.asarray(lat2, dtype=np.float64))
    lon2 = np.radians(np.asarray(lon2, dtype=np.float64))
    h = np.sin((lat2 - lat1) * 0.5) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) * 0.5) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def haversine_prepared(lat1, lon1, cos_lat1, lat2, lon2, cos_lat2) -> np.ndarray:
    """:func:`haversine_km` from coordinates already in radians with their cosines (cached per table)."""
    h = np.sin((lat2 - lat1) * 0.5) ** 2 + cos_lat1 * cos_lat2 * np.sin((lon2 - lon1) * 0.5) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def haversine_km_scalar(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """:func:`haversine_km` of one pair of points, in plain Python floats (no numpy per call)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((p2 - p1) * 0.5) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin((math.radians(lon2) - math.radians(lon1)) * 0.5) ** 2)
    return 2.0 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(h, 1.0)))
