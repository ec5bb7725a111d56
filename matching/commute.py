"""Door-to-door commute time estimated from distance and how built-up the two ends are.

The estimate is deliberately simple and transparent, because a coordinator must
be able to check it against what a trainee says about her journey:

``road km = straight-line km × detour_factor``
``minutes = wait_minutes + local km × area rate + remaining km × intercity rate``

The first ``local_km`` road kilometres are travelled at the area rate, the mean
of the origin's and the destination's rates (half of it is spent at each end).
Dense metro traffic (Kolkata, Howrah, North 24 Parganas) is the slowest per
kilometre; rural roads with few stops are the fastest, although rural journeys
tend to be longer. Kilometres beyond ``local_km`` are covered by local trains
and highway buses at the intercity rate, so that long journeys are not
estimated as if driven through city traffic all the way.

Each estimate comes with a range, ``estimate × low_factor`` to ``estimate × high_factor``: with the
fixed defaults a conventional 0.8–1.3 (journeys run longer more often than shorter), and once the rates
are calibrated on recorded journeys (:mod:`matching.commute_calibration`) the 10th and 90th percentiles
of the recorded journeys around their estimates, so that about 8 journeys in 10 fall within it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["DEFAULT_COMMUTE_MODEL", "CommuteModel", "commute_minutes"]


@dataclass(frozen=True)
class CommuteModel:
    """Parameters of the commute estimate (one way, door to door).

    - ``wait_minutes`` (10): walking to the stop and waiting for the first bus,
      auto-rickshaw or local train, paid once per journey.
    - ``detour_factor`` (1.3): road distance over straight-line distance, a
      typical value for the road networks of Indian districts.
    - ``metro_minutes_per_km`` (4.0, about 15 km/h door to door): Kolkata-area
      buses and autos in traffic, with changes.
    - ``urban_minutes_per_km`` (3.0, about 20 km/h): town traffic.
    - ``rural_minutes_per_km`` (2.0, about 30 km/h): highway buses and trekkers
      with few stops.
    - ``unknown_minutes_per_km``: used for an area type the model does not know
      (the urban rate).
    - ``local_km`` (20): road kilometres travelled at the area rate; typical
      daily commutes lie entirely within it.
    - ``intercity_minutes_per_km`` (1.5, about 40 km/h): the rest of a longer
      journey, by local train or highway bus.
    - ``low_factor`` (0.8) and ``high_factor`` (1.3): the range shown with an estimate, as factors of it.
    - ``version``: which calibration the rates come from (``commute-fixed`` for these defaults).
    """

    wait_minutes: float = 10.0
    detour_factor: float = 1.3
    metro_minutes_per_km: float = 4.0
    urban_minutes_per_km: float = 3.0
    rural_minutes_per_km: float = 2.0
    unknown_minutes_per_km: float = 3.0
    local_km: float = 20.0
    intercity_minutes_per_km: float = 1.5
    low_factor: float = 0.8
    high_factor: float = 1.3
    version: str = "commute-fixed"

    def rate(self, area_type: str | None) -> float:
        """Minutes per road kilometre in an area type (``metro``, ``urban``, ``rural``)."""
        rates: dict[str | None, float] = {"metro": self.metro_minutes_per_km, "urban": self.urban_minutes_per_km,
                                          "rural": self.rural_minutes_per_km}
        return rates.get(area_type, self.unknown_minutes_per_km)

    def rates(self, area_types) -> np.ndarray:
        """Minutes per road kilometre for an array (or scalar) of area types."""
        values = np.asarray(area_types, dtype=object)
        if values.ndim == 0:
            return np.asarray(self.rate(values.item()), dtype=np.float64)
        labels, inverse = np.unique(values.astype(str), return_inverse=True)
        table = np.array([self.rate(str(label)) for label in labels], dtype=np.float64)
        return table[inverse.reshape(values.shape)]

    def minutes_from_rates(self, distance_km, rate_origin, rate_dest) -> np.ndarray:
        """Minutes for straight-line distances given the per-km rates at both ends (vectorised)."""
        road = np.asarray(distance_km, dtype=np.float64) * self.detour_factor
        per_km = 0.5 * (np.asarray(rate_origin, dtype=np.float64) + np.asarray(rate_dest, dtype=np.float64))
        return self.minutes_from_road(road, per_km)

    def minutes_from_road(self, road_km, per_km) -> np.ndarray:
        """Minutes for road kilometres: the first ``local_km`` at the area rate ``per_km`` (the mean of both
        ends' rates), the rest at the intercity rate, plus the wait (vectorised)."""
        local = np.minimum(road_km, self.local_km)
        return self.wait_minutes + local * per_km + (road_km - local) * self.intercity_minutes_per_km

    def reach_km(self, max_minutes) -> np.ndarray:
        """The farthest straight-line distance any journey within the minutes could cover (an upper bound).

        Every journey is at least as slow as the fastest area rate over its first ``local_km`` road kilometres and
        the intercity rate beyond them (the formula at the fastest rate of both ends), so this inverts that
        formula; NaN minutes give NaN.
        """
        minutes = np.maximum(np.asarray(max_minutes, dtype=np.float64) - self.wait_minutes, 0)  # NaN stays NaN
        fastest = min(self.metro_minutes_per_km, self.urban_minutes_per_km, self.rural_minutes_per_km,
                      self.unknown_minutes_per_km)
        local = self.local_km * fastest  # minutes the local kilometres take at the fastest area rate
        with np.errstate(divide="ignore", invalid="ignore"):
            within_local = minutes / fastest if fastest > 0 else np.full(minutes.shape, np.inf)
            intercity = self.intercity_minutes_per_km
            beyond = (self.local_km + (minutes - local) / intercity if intercity > 0
                      else np.full(minutes.shape, np.inf))
        road = np.where(minutes <= local, within_local, beyond)
        return np.where(np.isnan(minutes), np.nan, road / self.detour_factor)

    def minutes(self, distance_km, area_type_origin, area_type_dest) -> np.ndarray:
        return self.minutes_from_rates(distance_km, self.rates(area_type_origin), self.rates(area_type_dest))

    def minutes_range(self, minutes) -> tuple[np.ndarray, np.ndarray]:
        """The range shown with estimates of these minutes: ``(low, high)`` (vectorised; NaN stays NaN)."""
        estimate = np.asarray(minutes, dtype=np.float64)
        return estimate * self.low_factor, estimate * self.high_factor


DEFAULT_COMMUTE_MODEL = CommuteModel()


def commute_minutes(distance_km, area_type_origin, area_type_dest,
                    model: CommuteModel | None = None) -> np.ndarray:
    """Estimated one-way door-to-door minutes for straight-line distances in km.

    ``area_type_origin``/``area_type_dest`` are ``metro``/``urban``/``rural``
    (scalars or arrays broadcasting with ``distance_km``). NaN distances give NaN.
    """
    return (model or DEFAULT_COMMUTE_MODEL).minutes(distance_km, area_type_origin, area_type_dest)
