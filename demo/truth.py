"""The hidden "true outcome model" behind a generated demo bundle.

The demo-data generator draws the parameters of this model, uses it to
simulate the placement history (how long each woman stays in her job) and the
market-signal series (how fast demand grows), and writes the parameters to
``OUT/_truth/truth.json``.  The importer ignores folders whose name starts with
``_``; only the project's quality benchmarks read the truth, to compare what
the matching engine and the models learn from the data with what is really
behind it.

Retention model
---------------
P(still in the job 12 months after starting) for a (trainee, opening) pair is
``logistic(eta / sqrt(1 + pi * noise_sd**2 / 8))`` where ``eta`` is::

    intercept
    + skill_fit            * skill_fit                 share of required skills met at level (partial credit)
    + commute_km           * min(km, commute_cap_km) * (1 - accommodation)
    + relocation_unwilling * accommodation * [km > relocation_km] * (1 - willing_to_relocate)
    + log_wage_ratio       * log(clip(wage / expected wage, 0.5, 2))
    + night                * night
    + night_dependents     * night * has_dependents
    + night_not_ok         * night * (1 - night_shift_ok)
    + rotating_dependents  * rotating * has_dependents
    + transport            * transport
    + odd_hours_no_transport * (night or rotating) * (1 - transport)
    + preferred_sector     * preferred_sector_match
    + attendance           * (attendance_rate - 0.8)
    + unvetted             * unvetted employer
    + below_minimum        * wage below the statutory minimum
    + employer_effect      (hidden per-employer quality)

When the history was simulated, each placement also got an idiosyncratic
logit noise ``N(0, noise_sd)``; the probability above is the expectation over
that noise (probit approximation), so it is exactly what the history's
12-month retention estimates.  Within the year the woman's survival follows
``S(t) = p ** ((t / 12) ** hazard_shape)`` (a Weibull hazard, highest in the
first weeks), so ``S(12) = p``.

Demand model
------------
Each market-signal series (district x occupation) has a true yearly growth
rate, returned by :meth:`TruthModel.demand_growth`.

Two forms
---------
The retention model above is the default form, ``"additive"``
(``generate_bundle(..., truth="additive")``). ``truth="interactions"`` draws a
differently shaped truth, :class:`demo.truth_interactions.InteractionsTruth`
(interactions, a commute tolerance of her own, employer effects, a selected
history, mislabelled skills; see that module). ``truth.json`` names its form
(no ``form`` key means additive) and :meth:`TruthModel.load` returns the right
class; both answer :meth:`retention_probability` and
:meth:`pair_probability_from_rows` from the bundle's raw rows.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from matching.geo import haversine_km

TRUTH_DIR = "_truth"
TRUTH_FILE = "truth.json"
FORMAT_VERSION = 1
#: The forms of truth a bundle can be drawn from; the first is the default.
TRUTH_FORMS: tuple[str, ...] = ("additive", "interactions")

#: Names of the coefficients of the linear predictor, in a fixed order.
COEFFICIENT_NAMES: tuple[str, ...] = (
    "skill_fit",
    "commute_km",
    "relocation_unwilling",
    "log_wage_ratio",
    "night",
    "night_dependents",
    "night_not_ok",
    "rotating_dependents",
    "transport",
    "odd_hours_no_transport",
    "preferred_sector",
    "attendance",
    "unvetted",
    "below_minimum",
)

#: Canonical pair features consumed by :meth:`TruthModel.linear_predictor`.
FEATURE_NAMES: tuple[str, ...] = (
    "skill_fit",
    "commute_km",
    "wage_ratio",
    "night",
    "rotating",
    "transport",
    "accommodation",
    "has_dependents",
    "night_shift_ok",
    "willing_to_relocate",
    "preferred_sector_match",
    "attendance_rate",
    "unvetted",
    "below_minimum",
    "employer_effect",
)

_TRUE = frozenset({"true", "1", "yes", "y", "t"})


# ---------------------------------------------------------------- helpers


def logistic(x: np.ndarray | float) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _as_bool(values: Any) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype == bool:
        return arr
    if arr.dtype.kind in "iuf":
        return arr.astype(float) != 0
    return np.array([str(v).strip().lower() in _TRUE for v in arr.ravel()], dtype=bool).reshape(arr.shape)


def _norm(label: str) -> str:
    return " ".join(str(label).strip().lower().split())


def parse_skill_list(text: str) -> list[tuple[str, int]]:
    """Parse ``label:level;label:level`` into ``[(label, level)]`` (level defaults to 1)."""
    out: list[tuple[str, int]] = []
    for part in str(text or "").split(";"):
        part = part.strip()
        if not part:
            continue
        label, sep, level = part.rpartition(":")
        if not sep:
            label, level = part, "1"
        try:
            lvl = int(level.strip())
        except ValueError:
            lvl = 1
        out.append((label.strip(), max(1, min(3, lvl))))
    return out


def skill_fit_from_levels(have: np.ndarray, required: np.ndarray) -> np.ndarray:
    """Skill fit from aligned level matrices (rows = pairs, columns = skills).

    For every required skill the credit is ``min(have, required) / required``
    (so a lower level earns partial credit); the fit is the mean credit over the
    required skills, and 1 when nothing is required.
    """
    have = np.asarray(have, dtype=float)
    required = np.asarray(required, dtype=float)
    req_mask = required > 0
    credit = np.where(req_mask, np.minimum(have, required) / np.where(req_mask, required, 1.0), 0.0)
    n_req = req_mask.sum(axis=-1)
    return np.where(n_req > 0, credit.sum(axis=-1) / np.maximum(n_req, 1), 1.0)


# ---------------------------------------------------------------- the model


class TruthModel:
    """The true outcome model of one generated bundle (see the module docs)."""

    form = "additive"
    coefficient_names: tuple[str, ...] = COEFFICIENT_NAMES
    feature_names: tuple[str, ...] = FEATURE_NAMES

    def __init__(self, params: Mapping[str, Any]):
        self.params: dict[str, Any] = dict(params)
        p = self.params
        self.reference_date = date.fromisoformat(p["reference_date"])
        self.intercept = float(p["intercept"])
        self.coefficients: dict[str, float] = {k: float(p["coefficients"][k]) for k in self.coefficient_names}
        self.noise_sd = float(p["noise_sd"])
        self.hazard_shape = float(p["hazard_shape"])
        self.commute_cap_km = float(p["commute_cap_km"])
        self.relocation_km = float(p["relocation_km"])
        self.employer_effects: dict[str, float] = {k: float(v) for k, v in p.get("employer_effects", {}).items()}
        self.unvetted_employers = frozenset(p.get("unvetted_employers", ()))
        self.skill_aliases: dict[str, str] = dict(p.get("skill_aliases", {}))
        self.occupation_aliases: dict[str, str] = dict(p.get("occupation_aliases", {}))
        self.occupation_skill_category: dict[str, str] = dict(p.get("occupation_skill_category", {}))
        self.occupation_sector: dict[str, str] = dict(p.get("occupation_sector", {}))
        self.district_zone: dict[str, str] = {_norm(k): v for k, v in p.get("district_zone", {}).items()}
        self._district_names: dict[str, str] = {_norm(k): k for k in p.get("district_zone", {})}
        # minimum wages: "category|zone" -> sorted [(effective_from, amount)]
        self._minimum: dict[str, tuple[list[str], list[int]]] = {}
        for key, steps in (*p.get("minimum_wages", {}).items(), *p.get("minimum_wages_by_sector", {}).items()):
            steps = sorted((str(d), int(a)) for d, a in steps)
            self._minimum[key] = ([d for d, _ in steps], [a for _, a in steps])
        self.demand_growth_table: dict[str, float] = {k: float(v) for k, v in p.get("demand_growth", {}).items()}
        self.sector_growth: dict[str, float] = {k: float(v) for k, v in p.get("sector_growth", {}).items()}
        self._levels_of: dict[str, dict[str, int]] = {}

    # ---- persistence

    def to_dict(self) -> dict[str, Any]:
        return dict(self.params)

    def dumps(self) -> str:
        return json.dumps(self.params, sort_keys=True, indent=1, ensure_ascii=False) + "\n"

    def save(self, bundle_dir: Path) -> Path:
        path = Path(bundle_dir) / TRUTH_DIR / TRUTH_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.dumps(), encoding="utf-8")
        return path

    @classmethod
    def load(cls, bundle_dir: Path) -> TruthModel:
        """Read ``bundle_dir/_truth/truth.json`` (or the file itself if given), as the class of its form."""
        path = Path(bundle_dir)
        if path.is_dir():
            path = path / TRUTH_DIR / TRUTH_FILE
        params = json.loads(path.read_text(encoding="utf-8"))
        form = params.get("form", TRUTH_FORMS[0])
        if form == "interactions":
            from demo.journeys import JourneyWorld
            from demo.truth_interactions import InteractionsTruth
            return InteractionsTruth(params, journeys=JourneyWorld.load(path.parent))
        if form != TRUTH_FORMS[0]:
            raise ValueError(f"{path}: unknown truth form {form!r} (known: {', '.join(TRUTH_FORMS)})")
        return cls(params)

    # ---- core functions

    @property
    def marginal_scale(self) -> float:
        """Factor that turns the noise-free logit into the logit of the expected probability."""
        return 1.0 / math.sqrt(1.0 + math.pi * self.noise_sd**2 / 8.0)

    def linear_predictor(self, features: Mapping[str, np.ndarray]) -> np.ndarray:
        """Noise-free logit of 12-month retention from canonical features (see ``FEATURE_NAMES``)."""
        c = self.coefficients
        f = {k: np.asarray(features[k], dtype=float) for k in self.feature_names}
        km = np.maximum(f["commute_km"], 0.0)
        accommodation = f["accommodation"]
        night, rotating, transport = f["night"], f["rotating"], f["transport"]
        deps = f["has_dependents"]
        odd_hours = np.maximum(night, rotating)
        eta = (
            self.intercept
            + c["skill_fit"] * np.clip(f["skill_fit"], 0.0, 1.0)
            + c["commute_km"] * np.minimum(km, self.commute_cap_km) * (1.0 - accommodation)
            + c["relocation_unwilling"] * accommodation * (km > self.relocation_km) * (1.0 - f["willing_to_relocate"])
            + c["log_wage_ratio"] * np.log(np.clip(f["wage_ratio"], 0.5, 2.0))
            + c["night"] * night
            + c["night_dependents"] * night * deps
            + c["night_not_ok"] * night * (1.0 - f["night_shift_ok"])
            + c["rotating_dependents"] * rotating * deps
            + c["transport"] * transport
            + c["odd_hours_no_transport"] * odd_hours * (1.0 - transport)
            + c["preferred_sector"] * f["preferred_sector_match"]
            + c["attendance"] * (f["attendance_rate"] - 0.8)
            + c["unvetted"] * f["unvetted"]
            + c["below_minimum"] * f["below_minimum"]
            + f["employer_effect"]
        )
        return eta

    def probability_from_features(self, features: Mapping[str, np.ndarray]) -> np.ndarray:
        """P(still in the job at 12 months) from canonical features."""
        return logistic(self.linear_predictor(features) * self.marginal_scale)

    def survival(self, p12: np.ndarray, months: np.ndarray | float) -> np.ndarray:
        """P(still in the job ``months`` after starting) given the 12-month probability."""
        p12 = np.clip(np.asarray(p12, dtype=float), 1e-12, 1.0)
        t = np.maximum(np.asarray(months, dtype=float), 0.0)
        return p12 ** ((t / 12.0) ** self.hazard_shape)

    def tenure_months(self, p12: np.ndarray, uniform: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`survival`: tenure (months) at which survival equals ``uniform``."""
        p12 = np.clip(np.asarray(p12, dtype=float), 1e-9, 1.0 - 1e-9)
        u = np.clip(np.asarray(uniform, dtype=float), 1e-12, 1.0)
        return 12.0 * (np.log(u) / np.log(p12)) ** (1.0 / self.hazard_shape)

    # ---- lookups

    def skill_code(self, label: str) -> str | None:
        return self.skill_aliases.get(_norm(label))

    def occupation_code(self, label: str) -> str | None:
        return self.occupation_aliases.get(_norm(label))

    def zone_of(self, district: str) -> str | None:
        return self.district_zone.get(_norm(district))

    def minimum_wage(self, skill_category: str, zone: str, on: date | str, sector: str | None = None) -> int | None:
        """Monthly minimum in force on ``on`` (as used by the generator): the sector's own statutory minimum
        where the site has one, else the general one (statutory or the programme's floor)."""
        steps = (self._minimum.get(f"{sector}|{skill_category}|{zone}") if sector else None) \
            or self._minimum.get(f"{skill_category}|{zone}")
        if not steps:
            return None
        day = on.isoformat() if isinstance(on, date) else str(on)[:10]
        i = bisect.bisect_right(steps[0], day) - 1
        return steps[1][max(i, 0)]

    def skill_levels(self, text: str) -> dict[str, int]:
        """Canonical ``{skill_code: level}`` of a raw skill list (unknown labels dropped)."""
        return dict(self._levels(text))

    def _levels(self, text: str) -> Mapping[str, int]:
        """:meth:`skill_levels`, parsed once per distinct list (many pairs share one); not to be changed."""
        key = str(text or "")
        found = self._levels_of.get(key)
        if found is None:
            found = {}
            for label, level in parse_skill_list(key):
                code = self.skill_code(label)
                if code is not None:
                    found[code] = max(found.get(code, 0), level)
            if len(self._levels_of) < 200_000:
                self._levels_of[key] = found
        return found

    def skill_fit(self, trainee_skills: str, required_skills: str) -> float:
        have = self._levels(trainee_skills)
        req = self._levels(required_skills)
        if not req:
            return 1.0
        return sum(min(have.get(code, 0), lvl) / lvl for code, lvl in req.items()) / len(req)

    def is_below_minimum(self, occupation: str, district: str, wage: float, on: date | str) -> bool:
        occ = self.occupation_code(occupation)
        zone = self.zone_of(district)
        if occ is None or zone is None:
            return False
        category = self.occupation_skill_category.get(occ)
        minimum = self.minimum_wage(category, zone, on, self.occupation_sector.get(occ)) if category else None
        return minimum is not None and float(wage) < minimum

    def demand_growth(self, district: str, occupation: str) -> float:
        """True yearly growth (e.g. 0.12 = +12 %/yr) of the district x occupation posting series.

        ``district`` is a gazetteer name (any case), ``occupation`` a code, name
        or synonym.  For a combination without a series in the bundle this is
        the growth such a series would have (that of the district's sector).
        Raises ``KeyError`` when neither is known.
        """
        name = self._district_names.get(_norm(district), district)
        occ = self.occupation_code(occupation) or occupation
        key = f"{name}|{occ}"
        if key in self.demand_growth_table:
            return self.demand_growth_table[key]
        sector = self.occupation_sector.get(occ)
        if sector is not None and f"{name}|{sector}" in self.params.get("district_sector_growth", {}):
            return float(self.params["district_sector_growth"][f"{name}|{sector}"])
        if sector is not None and sector in self.sector_growth:
            return self.sector_growth[sector]
        raise KeyError(f"no demand series for district {district!r} and occupation {occupation!r}")

    # ---- flexible, vectorised entry point

    def retention_probability(
        self,
        trainees: Mapping[str, np.ndarray],
        openings: Mapping[str, np.ndarray],
        employer_effect: np.ndarray | None = None,
    ) -> np.ndarray:
        """P(still in the job at 12 months) for aligned (trainee, opening) pairs.

        ``trainees`` and ``openings`` map column names to arrays of equal
        length (row i of both = pair i).  Pair-level columns may be given in
        either mapping; when absent they are computed from the raw columns:

        ==========================  ============================================================
        skill_fit                   else from trainees ``skills`` and openings ``required_skills``
                                    (raw ``label:level`` strings)
        commute_km                  else haversine of trainees ``lat``/``lon`` and openings ``lat``/``lon``
        wage_ratio                  else openings ``monthly_wage_inr`` / trainees ``expected_wage_inr``
        preferred_sector_match      else openings ``sector`` in trainees ``preferred_sectors`` (``;`` list)
        night, rotating             else from openings ``shift`` (day|night|rotating)
        transport                   or ``transport_provided`` (default false)
        accommodation               or ``accommodation_provided`` (default false)
        below_minimum               else from openings ``occupation``, ``district``,
                                    ``monthly_wage_inr``, ``posted_on`` (default false)
        unvetted                    or ``vetted`` / ``employer_vetted`` (negated), else looked up
                                    by ``employer_external_id`` (default false)
        ==========================  ============================================================

        Trainee columns: ``attendance_rate``, ``has_dependents`` (required),
        ``night_shift_ok`` (default true), ``willing_to_relocate`` (default false).
        The hidden employer effect is ``employer_effect`` if given, else looked up
        from openings ``employer_external_id`` (0 for unknown employers).
        Booleans may be bool/0-1 arrays or ``"true"``/``"false"`` strings.
        """
        features = self.pair_features(trainees, openings, employer_effect)
        return self.probability_from_features(features)

    def pair_features(
        self,
        trainees: Mapping[str, np.ndarray],
        openings: Mapping[str, np.ndarray],
        employer_effect: np.ndarray | None = None,
    ) -> dict[str, np.ndarray]:
        """Canonical features (``FEATURE_NAMES``) from the flexible column mappings."""
        cols = _PairColumns(with_rupee_names(trainees), with_rupee_names(openings))
        f = self._job_features(cols)
        f.update(_person_features(cols))
        f.update(self._employer_features(cols, employer_effect))
        return f

    def _job_features(self, cols: _PairColumns) -> dict[str, np.ndarray]:
        """Skill fit, commute, wage ratio, shift, transport and accommodation of each pair."""
        f: dict[str, np.ndarray] = {}
        value = cols.pick("skill_fit")
        if value is None:
            ts, rs = cols.trainee("skills"), cols.opening("required_skills")
            value = np.array([self.skill_fit(a, b) for a, b in zip(ts, rs)], dtype=float)
        f["skill_fit"] = value.astype(float)

        value = cols.pick("commute_km")
        if value is None:
            value = haversine_km(cols.trainee("lat").astype(float), cols.trainee("lon").astype(float),
                                 cols.opening("lat").astype(float), cols.opening("lon").astype(float))
        f["commute_km"] = value.astype(float)

        value = cols.pick("wage_ratio")
        if value is None:
            wage = cols.opening("monthly_wage_inr").astype(float)
            expected = cols.trainee("expected_wage_inr").astype(float)
            value = wage / np.maximum(expected, 1.0)
        f["wage_ratio"] = value.astype(float)

        night, rotating = cols.pick("night"), cols.pick("rotating")
        if night is None or rotating is None:
            shift = np.char.lower(np.asarray(cols.opening("shift"), dtype=str))
            night = shift == "night" if night is None else night
            rotating = shift == "rotating" if rotating is None else rotating
        f["night"] = _as_bool(night).astype(float)
        f["rotating"] = _as_bool(rotating).astype(float)

        for key, names in (("transport", ("transport", "transport_provided")),
                           ("accommodation", ("accommodation", "accommodation_provided"))):
            value = cols.pick(*names)
            f[key] = np.zeros(cols.n) if value is None else _as_bool(value).astype(float)
        return f

    def _employer_features(self, cols: _PairColumns, employer_effect: np.ndarray | None) -> dict[str, np.ndarray]:
        """Below the statutory minimum, unvetted employer, and the hidden employer effect, of each pair."""
        n, openings = cols.n, cols.openings
        f: dict[str, np.ndarray] = {}
        value = cols.pick("below_minimum")
        if value is None and all(k in openings for k in ("occupation", "district", "monthly_wage_inr", "posted_on")):
            value = np.array([
                self.is_below_minimum(o, d, w, p)
                for o, d, w, p in zip(openings["occupation"], openings["district"],
                                      openings["monthly_wage_inr"], openings["posted_on"])
            ])
        f["below_minimum"] = np.zeros(n) if value is None else _as_bool(value).astype(float)

        employer_ids = cols.pick("employer_external_id")
        value = cols.pick("unvetted")
        if value is None:
            vetted = cols.pick("vetted", "employer_vetted")
            if vetted is not None:
                value = ~_as_bool(vetted)
            elif employer_ids is not None:
                value = np.array([str(e) in self.unvetted_employers for e in employer_ids])
        f["unvetted"] = np.zeros(n) if value is None else _as_bool(value).astype(float)

        if employer_effect is not None:
            f["employer_effect"] = np.asarray(employer_effect, dtype=float) * np.ones(n)
        elif employer_ids is not None:
            f["employer_effect"] = np.array([self.employer_effects.get(str(e), 0.0) for e in employer_ids], dtype=float)
        else:
            f["employer_effect"] = np.zeros(n)
        return f

    def pair_probability_from_rows(
        self,
        trainee_row: Mapping[str, str],
        opening_row: Mapping[str, str],
        employer_row: Mapping[str, str],
    ) -> float:
        """P(still in the job at 12 months) from raw CSV rows (strings) of the bundle."""
        t = {k: np.array([v]) for k, v in with_rupee_names(trainee_row).items()}
        o = {k: np.array([v]) for k, v in with_rupee_names(opening_row).items()}
        employer_id = employer_row.get("external_id", opening_row.get("employer_external_id", ""))
        o["employer_external_id"] = np.array([employer_id])
        o["vetted"] = np.array([employer_row.get("vetted", "true")])
        for key in ("lat", "lon"):
            t[key] = t[key].astype(float)
            o[key] = o[key].astype(float)
        t["expected_wage_inr"] = t["expected_wage_inr"].astype(float)
        t["attendance_rate"] = t["attendance_rate"].astype(float)
        o["monthly_wage_inr"] = o["monthly_wage_inr"].astype(float)
        return float(self.retention_probability(t, o)[0])


#: A bundle of a site paid in another currency names its money columns without ``_inr``.
_NEUTRAL_MONEY = {"monthly_wage": "monthly_wage_inr", "expected_wage": "expected_wage_inr"}


def with_rupee_names(columns: Mapping[str, Any]) -> dict[str, Any]:
    """The columns, with each neutral money column (``monthly_wage``) also under the name the truth reads
    (``monthly_wage_inr``); the amounts are in the site's currency either way."""
    found = dict(columns)
    for neutral, named in _NEUTRAL_MONEY.items():
        if neutral in found and named not in found:
            found[named] = found[neutral]
    return found


class _PairColumns:
    """The column mappings of :meth:`TruthModel.pair_features`: pair-level columns may be in either."""

    def __init__(self, trainees: Mapping[str, np.ndarray], openings: Mapping[str, np.ndarray]):
        self.trainees, self.openings = trainees, openings
        n = None
        for source in (trainees, openings):
            for value in source.values():
                if value is not None:
                    n = len(np.atleast_1d(np.asarray(value)))
                    break
            if n is not None:
                break
        if n is None:
            raise ValueError("empty feature mappings")
        self.n: int = n

    def pick(self, *names: str) -> np.ndarray | None:
        """The first of ``names`` given, in the openings, then in the trainees."""
        for source in (self.openings, self.trainees):
            for name in names:
                if name in source and source[name] is not None:
                    return np.asarray(source[name])
        return None

    def trainee(self, name: str) -> np.ndarray:
        return _need(self.trainees, name, "trainee")

    def opening(self, name: str) -> np.ndarray:
        return _need(self.openings, name, "opening")


def _need(source: Mapping[str, np.ndarray], name: str, what: str) -> np.ndarray:
    if name not in source:
        raise KeyError(f"retention_probability needs {what} column {name!r}")
    return np.asarray(source[name])


def _person_features(cols: _PairColumns) -> dict[str, np.ndarray]:
    """Dependents, attendance, night shifts, relocation and preferred sector of each pair's woman."""
    f: dict[str, np.ndarray] = {}
    f["has_dependents"] = _as_bool(cols.trainee("has_dependents")).astype(float)
    f["attendance_rate"] = cols.trainee("attendance_rate").astype(float)
    value = cols.pick("night_shift_ok")
    f["night_shift_ok"] = np.ones(cols.n) if value is None else _as_bool(value).astype(float)
    value = cols.pick("willing_to_relocate")
    f["willing_to_relocate"] = np.zeros(cols.n) if value is None else _as_bool(value).astype(float)

    value = cols.pick("preferred_sector_match")
    if value is None:
        prefs = cols.trainee("preferred_sectors")
        sectors = cols.opening("sector")
        value = np.array([str(s).strip() in {x.strip() for x in str(p).split(";")} for p, s in zip(prefs, sectors)])
    f["preferred_sector_match"] = _as_bool(value).astype(float)
    return f
