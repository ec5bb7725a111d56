"""The journeys women really make in the demo world: true one-way times, and the journeys recorded at placements.

The service estimates a journey with a fixed formula (:mod:`matching.commute`: a wait plus road kilometres at a
rate by area type). The demo world's journeys follow a different, hidden model, so that the estimate can be
checked against journeys as they are:

    road km = straight-line km x detour          1.3, or 1.9 when either end lies in a hill district
    minutes = pace x (wait at her end + the first 20 road km at the mean of both ends' area rates
                      + the rest at the intercity rate)

with waits of 12 (metro), 12 (urban) and 20 (rural: few buses) minutes, area rates of 4.6, 3.0 and 2.0 minutes
per road km, 1.7 minutes per km beyond 20 km, and ``pace`` her own factor (how far she walks to the stop, which
buses run near her home: log-normal, sd 0.22, drawn once per woman). The fixed formula knows none of the pace, the
hill roads, the rural waits or the Kolkata traffic.

Each placement's journey is recorded as the true time x a log-normal reporting error (sd 0.12), rounded to
5 minutes as people report it. Both are written under ``OUT/_truth/`` (which the importer ignores):
``journeys.json`` (the model, each district's area type and each woman's pace, by trainee id) and
``journeys.csv`` (one row per placement she travelled to daily, i.e. without employer accommodation:
``placement_external_id, trainee_external_id, opening_external_id, journey_minutes``). The journeys follow
the same model under either truth (see :mod:`demo.truth`).

The bundle itself carries journeys as a programme would record them, for the service to calibrate its commute
model on: ``commute_minutes`` in ``followups.csv`` (at 70 % of the checks where she is still employed at a
workplace she travels to) and ``training_commute_minutes`` in ``trainees.csv`` (her journey to her partner's
training centre, from the site data, for 60 % of the women), each with the same reporting error, and only for
journeys of at most 4 hours (nobody travels longer every day).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from demo.people import _Openings, _Trainees
from demo.world import _Reference
from matching.geo import haversine_km

JOURNEYS_JSON = "journeys.json"
JOURNEYS_CSV = "journeys.csv"
JOURNEY_COLUMNS = ("placement_external_id", "trainee_external_id", "opening_external_id", "journey_minutes")

WAIT_MINUTES: dict[str, float] = {"metro": 12.0, "urban": 12.0, "rural": 20.0}
MINUTES_PER_KM: dict[str, float] = {"metro": 4.6, "urban": 3.0, "rural": 2.0}
UNKNOWN_AREA = "urban"
LOCAL_KM = 20.0
INTERCITY_MINUTES_PER_KM = 1.7
DETOUR = 1.3
HILL_DETOUR = 1.9
PACE_SD = 0.22
REPORTING_SD = 0.12
REPORTED_IN_MINUTES = 5


def _per_area(table: Mapping[str, float], areas: np.ndarray) -> np.ndarray:
    areas = np.asarray(areas, dtype=object)
    labels, inverse = np.unique(areas.astype(str), return_inverse=True)
    values = np.array([table.get(str(label), table[UNKNOWN_AREA]) for label in labels], dtype=float)
    return values[inverse.reshape(areas.shape)]


def true_minutes(km: np.ndarray, area_origin: np.ndarray, area_dest: np.ndarray, hill: np.ndarray,
                 pace: np.ndarray) -> np.ndarray:
    """True one-way minutes of journeys (all arguments broadcast): straight-line km, the area type of her end
    and of the workplace's, whether either end is in the hills, and her pace."""
    road = np.asarray(km, dtype=float) * np.where(np.asarray(hill, dtype=bool), HILL_DETOUR, DETOUR)
    local = np.minimum(road, LOCAL_KM)
    per_km = 0.5 * (_per_area(MINUTES_PER_KM, area_origin) + _per_area(MINUTES_PER_KM, area_dest))
    minutes = _per_area(WAIT_MINUTES, area_origin) + local * per_km + (road - local) * INTERCITY_MINUTES_PER_KM
    return np.asarray(pace, dtype=float) * minutes


def draw_paces(rng: np.random.Generator, n: int) -> np.ndarray:
    """Each woman's pace factor (1 = the model's typical journey)."""
    return np.round(np.clip(rng.lognormal(0.0, PACE_SD, n), 0.6, 1.8), 3)


def recorded_minutes(rng: np.random.Generator, true: np.ndarray) -> np.ndarray:
    """Journey times as women report them: the true time with a reporting error, in whole 5 minutes."""
    noisy = np.asarray(true, dtype=float) * rng.lognormal(0.0, REPORTING_SD, len(true))
    return np.maximum(REPORTED_IN_MINUTES, REPORTED_IN_MINUTES * np.round(noisy / REPORTED_IN_MINUTES)).astype(int)


#: Share of follow-up checks at which she gives her journey time, and of trainees whose journey to the training
#: centre is on record.
FOLLOWUP_JOURNEY_SHARE = 0.7
TRAINING_JOURNEY_SHARE = 0.6
#: Nobody makes a longer journey every day (she stays near the workplace or the centre): none is recorded.
DAILY_JOURNEY_CAP = 240.0


def followup_journeys(rng: np.random.Generator, true_minutes_of_placement: np.ndarray, placement: np.ndarray,
                      employed: np.ndarray, commutes: np.ndarray) -> np.ndarray:
    """The one-way journey she gave at each follow-up (0: none given): only while employed at a workplace she
    travels to daily, at a share of the checks, with the reporting error of :func:`recorded_minutes`."""
    true = true_minutes_of_placement[placement]
    given = ((rng.random(len(placement)) < FOLLOWUP_JOURNEY_SHARE) & np.asarray(employed, bool) & commutes[placement]
             & (true <= DAILY_JOURNEY_CAP))
    recorded = recorded_minutes(rng, true)
    return np.where(given, recorded, 0)


def training_journeys(rng: np.random.Generator, ref: _Reference, pace: np.ndarray, tr: _Trainees) -> np.ndarray:
    """Her journey to her partner's training centre as recorded (0: not on record), at a share of the trainees."""
    hill = np.isin(np.array(ref.district_names), ref.profile.hill_districts)
    area = np.array(ref.district_area, dtype=object)
    centre = ref.centre_district[tr.partner]
    km = haversine_km(tr.lat, tr.lon, ref.centre_lat[tr.partner], ref.centre_lon[tr.partner])
    true = true_minutes(km, area[tr.district], area[centre], hill[tr.district] | hill[centre], pace)
    given = (rng.random(len(pace)) < TRAINING_JOURNEY_SHARE) & (true <= DAILY_JOURNEY_CAP)
    return np.where(given, recorded_minutes(rng, true), 0)


def pair_minutes(ref: _Reference, pace: np.ndarray, tr: _Trainees, op: _Openings, ti: np.ndarray,
                 oi: np.ndarray) -> np.ndarray:
    """True one-way minutes of the generator's (trainee ti, opening oi) pairs (any broadcasting shapes)."""
    hill = np.isin(np.array(ref.district_names), ref.profile.hill_districts)
    area = np.array(ref.district_area, dtype=object)
    td, od = tr.district[ti], op.district[oi]
    km = haversine_km(tr.lat[ti], tr.lon[ti], op.lat[oi], op.lon[oi])
    return true_minutes(km, area[td], area[od], hill[td] | hill[od], pace[ti])


def world_of(ref: _Reference, pace: np.ndarray, trainee_ids: list[str]) -> JourneyWorld:
    """The journey world of a generated programme, as ``journeys.json`` records it."""
    return JourneyWorld(district_area=dict(zip(ref.district_names, ref.district_area)),
                        hill_districts=[d for d in ref.district_names if d in ref.profile.hill_districts],
                        pace=dict(zip(trainee_ids, pace.tolist())))


def _norm(name: Any) -> str:
    return " ".join(str(name).strip().lower().split())


class JourneyWorld:
    """The demo world's true journeys between homes and workplaces given by district and coordinates."""

    def __init__(self, *, district_area: Mapping[str, str], hill_districts: Iterable[str],
                 pace: Mapping[str, float]):
        self.district_area = {_norm(k): str(v) for k, v in district_area.items()}
        hills = sorted(str(d) for d in hill_districts)
        self.hill_districts = frozenset(_norm(d) for d in hills)
        self.pace = {str(k): float(v) for k, v in pace.items()}
        self._names, self._hills = dict(district_area), hills

    def minutes(self, trainee_ids: np.ndarray, t_lat: np.ndarray, t_lon: np.ndarray, t_district: np.ndarray,
                o_lat: np.ndarray, o_lon: np.ndarray, o_district: np.ndarray) -> np.ndarray:
        """True one-way minutes of aligned (trainee, workplace) pairs; districts by gazetteer name (any case)."""
        t_key = [_norm(d) for d in np.asarray(t_district, dtype=object).ravel()]
        o_key = [_norm(d) for d in np.asarray(o_district, dtype=object).ravel()]
        area_t = np.array([self.district_area.get(k, UNKNOWN_AREA) for k in t_key], dtype=object)
        area_o = np.array([self.district_area.get(k, UNKNOWN_AREA) for k in o_key], dtype=object)
        hill = np.array([a in self.hill_districts or b in self.hill_districts for a, b in zip(t_key, o_key)],
                        dtype=bool)
        pace = np.array([self.pace.get(str(i), 1.0) for i in np.asarray(trainee_ids, dtype=object).ravel()])
        km = haversine_km(np.asarray(t_lat, dtype=float), np.asarray(t_lon, dtype=float),
                          np.asarray(o_lat, dtype=float), np.asarray(o_lon, dtype=float))
        return true_minutes(km, area_t, area_o, hill, pace)

    def to_dict(self) -> dict[str, Any]:
        return {
            "description": "True one-way journeys of a synthetic jobmatch demo bundle (read by benchmarks only).",
            "model": {"wait_minutes": WAIT_MINUTES, "minutes_per_km": MINUTES_PER_KM, "local_km": LOCAL_KM,
                      "intercity_minutes_per_km": INTERCITY_MINUTES_PER_KM, "detour": DETOUR,
                      "hill_detour": HILL_DETOUR, "pace_sd": PACE_SD, "reporting_sd": REPORTING_SD},
            "district_area": dict(sorted(self._names.items())),
            "hill_districts": self._hills,
            "pace": self.pace,
        }

    def save(self, truth_dir: Path) -> Path:
        path = Path(truth_dir) / JOURNEYS_JSON
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), sort_keys=True, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        return path

    @classmethod
    def load(cls, truth_dir: Path) -> JourneyWorld:
        """Read ``journeys.json`` from a bundle's ``_truth`` folder (or the bundle folder itself)."""
        folder = Path(truth_dir)
        if not (folder / JOURNEYS_JSON).is_file() and (folder / "_truth" / JOURNEYS_JSON).is_file():
            folder = folder / "_truth"
        data = json.loads((folder / JOURNEYS_JSON).read_text(encoding="utf-8"))
        return cls(district_area=data["district_area"], hill_districts=data["hill_districts"], pace=data["pace"])


def read_recorded_journeys(bundle_dir: Path) -> list[dict[str, str]]:
    """The recorded journeys of a bundle's placements (``_truth/journeys.csv``), as strings."""
    with open(Path(bundle_dir) / "_truth" / JOURNEYS_CSV, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
