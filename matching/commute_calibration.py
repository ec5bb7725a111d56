"""The commute model's rates calibrated on journeys women recorded, shrunk to the defaults where they are few.

Journeys come from two places: the one-way time she gave at a placement's follow-up (home to the workplace),
and her journey to the training centre (home to her partner's centre). Each is a straight-line distance, the
area type at both ends and the minutes recorded. The model of :mod:`matching.commute` is linear in its
parameters once the detour and the 20 local kilometres are fixed:

``minutes = wait + local km × (½ rate(origin) + ½ rate(destination)) + remaining km × intercity rate``

so :class:`CommuteCalibration` fits the wait, the rate of each area type and the intercity rate with a robust
(Huber) regression of the recorded minutes' departure from the default formula: a few journeys noted wrongly
(an hour for a ten-minute walk) do not drag the rates. Each fitted departure is then shrunk towards the default
by ``n / (n + shrinkage)``, ``n`` the journeys that say something about it (with an end in that area type; past
the local kilometres for the intercity rate; all of them for the wait), so three journeys move the defaults a
little and a few hundred replace them. The range shown with an estimate comes from the recorded journeys
around their calibrated estimates (the 10th and 90th percentiles of recorded / estimated, shrunk the same way
towards the default range).

A scikit-learn style estimator: parameters only in ``__init__``, :meth:`CommuteCalibration.fit` returns the
estimator, learnt attributes end in ``_``; :meth:`CommuteCalibration.commute_model` gives the
:class:`~matching.commute.CommuteModel` that matching uses.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.linear_model import HuberRegressor

from .commute import DEFAULT_COMMUTE_MODEL, CommuteModel
from .geo import haversine_km

__all__ = ["AREA_TYPES", "TRUSTED_TYPES", "CommuteCalibration", "journey_table", "recorded_journeys"]

#: The area types with a rate of their own; any other (unknown) area type takes the urban rate.
AREA_TYPES: tuple[str, ...] = ("metro", "urban", "rural")
#: What a stored calibration may contain when loaded with skops (nothing else is trusted).
TRUSTED_TYPES: list[str] = ["matching.commute_calibration.CommuteCalibration"]
#: Learnt rates are kept within these bounds (minutes per road km; wait in minutes) whatever the data says.
_RATE_BOUNDS = (0.5, 15.0)
_WAIT_BOUNDS = (0.0, 60.0)
_FACTOR_BOUNDS = (0.3, 3.0)


def _area(value: Any) -> str:
    return value if isinstance(value, str) and value in AREA_TYPES else "urban"


def _columns(X: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(km, origin area, destination area)`` from rows of three values or a mapping of those columns."""
    if isinstance(X, Mapping):
        km, origin, dest = X["distance_km"], X["area_type_origin"], X["area_type_dest"]
    else:
        rows = np.asarray(X, dtype=object).reshape(-1, 3)
        km, origin, dest = rows[:, 0], rows[:, 1], rows[:, 2]
    return (np.asarray(km, dtype=np.float64), np.array([_area(a) for a in origin], dtype=object),
            np.array([_area(a) for a in dest], dtype=object))


class CommuteCalibration:
    """Calibrate the commute model's wait and rates per area type on recorded journeys (see the module docs).

    Parameters: ``shrinkage`` (20): the journeys at which a fitted rate counts as much as the default;
    ``interval`` (0.8): the share of journeys the range should hold; ``epsilon`` (1.35) and ``alpha`` (1.0):
    the Huber regression's threshold and ridge penalty (on the departure from the defaults). The defaults are
    :data:`~matching.commute.DEFAULT_COMMUTE_MODEL`'s.

    Learnt attributes: ``wait_minutes_``, ``rates_`` (minutes per road km by area type),
    ``intercity_minutes_per_km_``, ``low_factor_``/``high_factor_`` (the range), ``n_journeys_``,
    ``support_`` (journeys behind each parameter), ``weights_`` (the share of each parameter taken from the
    data, ``n / (n + shrinkage)``) and ``metrics_`` (the error of the fixed and the calibrated formula on the
    journeys fitted).
    """

    def __init__(self, *, shrinkage: float = 20.0, interval: float = 0.8, epsilon: float = 1.35,
                 alpha: float = 1.0):
        self.shrinkage = shrinkage
        self.interval = interval
        self.epsilon = epsilon
        self.alpha = alpha

    # ------------------------------------------------------------------ fitting

    def fit(self, X: Any, y: Any) -> CommuteCalibration:
        """Fit on journeys: ``X`` rows of (straight-line km, area type at her end, area type at the other end)
        (or a mapping with ``distance_km``, ``area_type_origin``, ``area_type_dest``), ``y`` the one-way minutes
        recorded. Journeys with a missing or non-positive distance or time are left out."""
        km, origin, dest = _columns(X)
        minutes = np.asarray(y, dtype=np.float64).reshape(-1)
        if minutes.shape[0] != km.shape[0]:
            raise ValueError(f"X has {km.shape[0]} journeys and y {minutes.shape[0]}")
        usable = np.isfinite(km) & np.isfinite(minutes) & (km >= 0) & (minutes > 0)
        km, origin, dest, minutes = km[usable], origin[usable], dest[usable], minutes[usable]
        base = DEFAULT_COMMUTE_MODEL
        n = int(minutes.shape[0])
        road = km * base.detour_factor
        local = np.minimum(road, base.local_km)
        beyond = road - local
        design = np.column_stack([0.5 * local * ((origin == a).astype(float) + (dest == a).astype(float))
                                  for a in AREA_TYPES] + [beyond])
        support = {a: int(((origin == a) | (dest == a)).sum()) for a in AREA_TYPES}
        support["intercity"] = int((beyond > 0).sum())
        support["wait"] = n
        default = self._default_vector(base)
        fitted = default.copy()
        if n >= 2:
            prior = default[0] + design @ default[1:]
            huber = HuberRegressor(epsilon=self.epsilon, alpha=self.alpha, max_iter=500)
            huber.fit(design, minutes - prior)
            fitted = default + np.r_[huber.intercept_, huber.coef_]
        names = ("wait", *AREA_TYPES, "intercity")
        weights = {name: support[name] / (support[name] + self.shrinkage) for name in names}
        values = {name: float(d + weights[name] * (f - d)) for name, d, f in zip(names, default, fitted)}
        self.wait_minutes_ = float(np.clip(values["wait"], *_WAIT_BOUNDS))
        self.rates_ = {a: float(np.clip(values[a], *_RATE_BOUNDS)) for a in AREA_TYPES}
        self.intercity_minutes_per_km_ = float(np.clip(values["intercity"], *_RATE_BOUNDS))
        self.n_journeys_ = n
        self.support_ = support
        self.weights_ = {name: round(float(w), 4) for name, w in weights.items()}
        self.low_factor_, self.high_factor_ = DEFAULT_COMMUTE_MODEL.low_factor, DEFAULT_COMMUTE_MODEL.high_factor

        calibrated = self.commute_model()
        estimate = calibrated.minutes(km, origin, dest)
        low, high = base.low_factor, base.high_factor
        if n >= 2:
            ratio = np.log(minutes / np.maximum(estimate, 1.0))
            tail = (1.0 - self.interval) / 2.0
            q_low, q_high = np.quantile(ratio, [tail, 1.0 - tail])
            w = n / (n + self.shrinkage)
            low = math.exp(w * q_low + (1 - w) * math.log(base.low_factor))
            high = math.exp(w * q_high + (1 - w) * math.log(base.high_factor))
        self.low_factor_ = float(np.clip(low, _FACTOR_BOUNDS[0], 1.0))
        self.high_factor_ = float(np.clip(high, 1.0, _FACTOR_BOUNDS[1]))
        fixed = base.minutes(km, origin, dest)
        self.metrics_ = {"journeys": n, **{f"journeys_{k}": v for k, v in support.items() if k != "wait"},
                         **_errors("fixed", fixed, minutes), **_errors("calibrated", estimate, minutes),
                         "within_range": (float(np.mean((minutes >= estimate * self.low_factor_)
                                                        & (minutes <= estimate * self.high_factor_)))
                                          if n else None)}
        return self

    @staticmethod
    def _default_vector(base: CommuteModel) -> np.ndarray:
        return np.array([base.wait_minutes, *(base.rate(a) for a in AREA_TYPES), base.intercity_minutes_per_km])

    # ------------------------------------------------------------------ using it

    def commute_model(self, version: str | None = None) -> CommuteModel:
        """The :class:`~matching.commute.CommuteModel` with the calibrated wait, rates and range."""
        if not hasattr(self, "rates_"):
            raise ValueError("CommuteCalibration is not fitted yet")
        return CommuteModel(wait_minutes=self.wait_minutes_, metro_minutes_per_km=self.rates_["metro"],
                            urban_minutes_per_km=self.rates_["urban"], rural_minutes_per_km=self.rates_["rural"],
                            unknown_minutes_per_km=self.rates_["urban"],
                            intercity_minutes_per_km=self.intercity_minutes_per_km_,
                            low_factor=self.low_factor_, high_factor=self.high_factor_,
                            version=version or getattr(self, "version", None) or "commute-calibrated")

    def predict(self, X: Any) -> np.ndarray:
        """Calibrated one-way minutes of journeys given as for :meth:`fit`."""
        km, origin, dest = _columns(X)
        return self.commute_model().minutes(km, origin, dest)


def _errors(name: str, estimate: np.ndarray, recorded: np.ndarray) -> dict[str, float | None]:
    if not recorded.size:
        return {f"{name}_mae": None, f"{name}_median_abs_error": None}
    error = np.abs(estimate - recorded)
    return {f"{name}_mae": round(float(error.mean()), 2),
            f"{name}_median_abs_error": round(float(np.median(error)), 2)}


def recorded_journeys(*, trainees: Iterable[Mapping[str, Any]], openings: Iterable[Mapping[str, Any]],
                      placements: Iterable[Mapping[str, Any]], followups: Iterable[Mapping[str, Any]],
                      centres: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The journeys women recorded, as records for :func:`journey_table`: each follow-up's ``commute_minutes``
    (from her home to the placement's workplace) and each trainee's ``training_commute_minutes`` (to her
    partner's training centre in ``centres``, by partner; a partner without one contributes nothing)."""
    trainee_of = {str(t["external_id"]): t for t in trainees}
    opening_of = {str(o["external_id"]): o for o in openings}
    placement_of = {str(p["external_id"]): p for p in placements}
    out: list[dict[str, Any]] = []

    def home(trainee: Mapping[str, Any]) -> dict[str, Any]:
        return {"from_district": trainee.get("district"), "from_lat": trainee.get("lat"),
                "from_lon": trainee.get("lon")}

    for followup in followups:
        minutes = followup.get("commute_minutes")
        placement = placement_of.get(str(followup.get("placement_external_id")))
        if minutes is None or placement is None:
            continue
        trainee = trainee_of.get(str(placement.get("trainee_external_id")))
        opening = opening_of.get(str(placement.get("opening_external_id")))
        if trainee is None or opening is None:
            continue
        out.append({**home(trainee), "to_district": opening.get("district"), "to_lat": opening.get("lat"),
                    "to_lon": opening.get("lon"), "minutes": minutes, "source": "followup"})
    for trainee in trainee_of.values():
        minutes = trainee.get("training_commute_minutes")
        centre = centres.get(str(trainee.get("partner_org")))
        if minutes is None or centre is None:
            continue
        out.append({**home(trainee), "to_district": centre.district, "to_lat": centre.lat, "to_lon": centre.lon,
                    "minutes": minutes, "source": "training_centre"})
    return out


def journey_table(journeys: Iterable[Mapping[str, Any]], site: Any) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """``(X, y)`` for :meth:`CommuteCalibration.fit` from journey records: ``from_lat``, ``from_lon``,
    ``from_district``, ``to_lat``, ``to_lon``, ``to_district`` and ``minutes``. A missing point takes its
    district's centre; an area type comes from the district (or the nearest district to the point) in the site's
    gazetteer. Records whose either end cannot be placed are left out."""
    km: list[float] = []
    origin: list[str | None] = []
    dest: list[str | None] = []
    minutes: list[float] = []
    places: dict[Any, Any] = {}

    def place(district: Any, lat: Any, lon: Any) -> tuple[float, float, str | None] | None:
        if district not in places:
            places[district] = site.gazetteer.resolve(district) if isinstance(district, str) else None
        found = places[district]
        lat = float(lat) if lat is not None else math.nan
        lon = float(lon) if lon is not None else math.nan
        if found is not None:
            if math.isnan(lat) or math.isnan(lon):
                lat, lon = found.lat, found.lon
            return lat, lon, found.area_type
        if math.isnan(lat) or math.isnan(lon):
            return None
        return lat, lon, site.gazetteer.nearest(lat, lon).area_type

    for record in journeys:
        value = record.get("minutes")
        start = place(record.get("from_district"), record.get("from_lat"), record.get("from_lon"))
        end = place(record.get("to_district"), record.get("to_lat"), record.get("to_lon"))
        if value is None or start is None or end is None:
            continue
        km.append(float(haversine_km(start[0], start[1], end[0], end[1])))
        origin.append(start[2])
        dest.append(end[2])
        minutes.append(float(value))
    X = {"distance_km": np.array(km, dtype=np.float64), "area_type_origin": _objects(origin),
         "area_type_dest": _objects(dest)}
    return X, np.array(minutes, dtype=np.float64)


def _objects(values: Sequence[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out
