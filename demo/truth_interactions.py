"""The second, differently shaped truth: ``generate_bundle(..., truth="interactions")``.

A model tuned on the world its authors drew proves little, so the generator can draw its bundle from a truth
whose form differs from the default additive one (:mod:`demo.truth`) in every way a learnt model or a fixed
formula could have quietly relied on:

- **Interactions.** Pay matters through her skill: a well-qualified woman paid below what she needs leaves for
  a better job, one who barely fits stays; a night or rotating shift drives out women with caring duties and
  hardly matters to the others.
- **A threshold in skill.** Below half the required skills at their level she leaves fast (a kink, not a slope).
- **Her own commute tolerance.** What counts is the *true* journey (:mod:`demo.journeys`) against the longest
  journey *she* will bear, which differs from the limit she stated (log-normal around it, sd
  ``tolerance_sd``); beyond it she leaves fast (softplus per ``over_tolerance_minutes``).
- **Employer effects.** A random effect per employer (sd ``employer_effect_sd``, larger than the default's).
- **A selection-biased history.** Coordinators placed mostly pairs the transparent prior rates highly: the
  skill fit they can read, the estimated commute within her stated limit, a wage above what she needs, shifts
  that suit her (:mod:`demo.interactions`); few unqualified or far pairs were ever tried.
- **Mislabelled skills.** For a share of the women (``mislabelled_share``) every recorded skill level in
  ``trainees.csv`` is one off her true level (up or down, the same way for all her skills where the scale
  allows); the truth uses her true levels (``true_skills``, by trainee id, in ``truth.json``).

Retention, P(still in the job 12 months after starting), is ``logistic(eta / sqrt(1 + pi * noise_sd**2 / 8))``
with::

    eta = intercept
        + skill_fit * fit + unqualified * max(0, 0.5 - fit)                   fit from her TRUE levels
        + (log_wage_ratio + fit_x_log_wage_ratio * fit) * log(clip(wage / expected wage, 0.5, 2))
        + (1 - accommodation) * (journey_hour * minutes / 60
                                 + over_tolerance * softplus((minutes - her tolerance) / over_tolerance_minutes))
        + relocation_unwilling * accommodation * [km > relocation_km] * (1 - willing_to_relocate)
        + night_dependents * night * has_dependents + rotating_dependents * rotating * has_dependents
        + odd_hours_no_dependents * (night or rotating) * (1 - has_dependents)
        + odd_hours_no_transport * (night or rotating) * (1 - transport) + transport * transport
        + preferred_sector * match + attendance * (attendance_rate - 0.8)
        + unvetted * unvetted employer + below_minimum * below the statutory minimum
        + employer_effect

``minutes`` is the true one-way journey; the survival within the year, the noise and the demand model are as in
the default form. Trainees are named by pseudonymous ids only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from demo.journeys import JourneyWorld
from demo.truth import FEATURE_NAMES, TruthModel, _PairColumns

#: Names of the coefficients of the linear predictor, in a fixed order.
INTERACTION_COEFFICIENTS: tuple[str, ...] = (
    "skill_fit",
    "unqualified",
    "log_wage_ratio",
    "fit_x_log_wage_ratio",
    "journey_hour",
    "over_tolerance",
    "relocation_unwilling",
    "night_dependents",
    "rotating_dependents",
    "odd_hours_no_dependents",
    "odd_hours_no_transport",
    "transport",
    "preferred_sector",
    "attendance",
    "unvetted",
    "below_minimum",
)

#: Canonical pair features: the default form's, the true journey and her own tolerance.
INTERACTION_FEATURES: tuple[str, ...] = (*FEATURE_NAMES, "journey_minutes", "commute_tolerance")

_BASE_COEFFICIENTS: dict[str, float] = {
    "skill_fit": 1.2, "unqualified": -3.0, "log_wage_ratio": 0.4, "fit_x_log_wage_ratio": 2.6,
    "journey_hour": -0.4, "over_tolerance": -0.6, "relocation_unwilling": -0.8, "night_dependents": -1.4,
    "rotating_dependents": -0.8, "odd_hours_no_dependents": 0.15, "odd_hours_no_transport": -0.5, "transport": 0.2,
    "preferred_sector": 0.4, "attendance": 2.0, "unvetted": -0.5, "below_minimum": -0.6,
}


def draw_interaction_params(rng: np.random.Generator) -> dict[str, Any]:
    """The second truth's parameters (each coefficient scaled by a factor in 0.8..1.2)."""
    scale = rng.uniform(0.8, 1.2, len(INTERACTION_COEFFICIENTS))
    coefficients = {k: round(_BASE_COEFFICIENTS[k] * float(s), 4) for k, s in zip(INTERACTION_COEFFICIENTS, scale)}
    return {
        "form": "interactions",
        "coefficients": coefficients,
        "noise_sd": round(float(rng.uniform(0.25, 0.4)), 4),
        "hazard_shape": round(float(rng.uniform(0.6, 0.8)), 4),
        "commute_cap_km": 80.0,
        "relocation_km": 40.0,
        "target_retention": round(float(rng.uniform(0.48, 0.58)), 4),
        "employer_effect_sd": 0.8,
        "tolerance_sd": 0.35,
        "over_tolerance_minutes": 10.0,
        "mislabelled_share": 0.15,
    }


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


class InteractionsTruth(TruthModel):
    """The second form of the hidden truth (see the module docs); the same interface as :class:`TruthModel`."""

    form = "interactions"
    coefficient_names = INTERACTION_COEFFICIENTS
    feature_names = INTERACTION_FEATURES

    def __init__(self, params: Mapping[str, Any], journeys: JourneyWorld | None = None):
        super().__init__(params)
        p = self.params
        self.journeys = journeys
        self.over_tolerance_minutes = float(p["over_tolerance_minutes"])
        self.commute_tolerance: dict[str, float] = {k: float(v) for k, v in p.get("commute_tolerance", {}).items()}
        self.true_skills: dict[str, str] = dict(p.get("true_skills", {}))

    def linear_predictor(self, features: Mapping[str, np.ndarray]) -> np.ndarray:
        """Noise-free logit of 12-month retention from canonical features (``INTERACTION_FEATURES``)."""
        c = self.coefficients
        f = {k: np.asarray(features[k], dtype=float) for k in self.feature_names}
        fit = np.clip(f["skill_fit"], 0.0, 1.0)
        log_wage = np.log(np.clip(f["wage_ratio"], 0.5, 2.0))
        minutes = np.maximum(f["journey_minutes"], 0.0)
        accommodation, deps, transport = f["accommodation"], f["has_dependents"], f["transport"]
        night, rotating = f["night"], f["rotating"]
        odd_hours = np.maximum(night, rotating)
        over = _softplus((minutes - f["commute_tolerance"]) / self.over_tolerance_minutes)
        return (
            self.intercept
            + c["skill_fit"] * fit + c["unqualified"] * np.maximum(0.0, 0.5 - fit)
            + (c["log_wage_ratio"] + c["fit_x_log_wage_ratio"] * fit) * log_wage
            + (1.0 - accommodation) * (c["journey_hour"] * minutes / 60.0 + c["over_tolerance"] * over)
            + c["relocation_unwilling"] * accommodation * (f["commute_km"] > self.relocation_km)
            * (1.0 - f["willing_to_relocate"])
            + c["night_dependents"] * night * deps + c["rotating_dependents"] * rotating * deps
            + c["odd_hours_no_dependents"] * odd_hours * (1.0 - deps)
            + c["odd_hours_no_transport"] * odd_hours * (1.0 - transport) + c["transport"] * transport
            + c["preferred_sector"] * f["preferred_sector_match"] + c["attendance"] * (f["attendance_rate"] - 0.8)
            + c["unvetted"] * f["unvetted"] + c["below_minimum"] * f["below_minimum"]
            + f["employer_effect"]
        )

    def pair_features(
        self,
        trainees: Mapping[str, np.ndarray],
        openings: Mapping[str, np.ndarray],
        employer_effect: np.ndarray | None = None,
    ) -> dict[str, np.ndarray]:
        """Canonical features (``INTERACTION_FEATURES``) from the column mappings of
        :meth:`TruthModel.retention_probability`.

        Beyond the default form's columns: the skill fit is computed from her true levels, so without a
        ``skill_fit`` column the trainees need ``external_id`` (and ``skills``); ``journey_minutes`` (else the
        true journey, from trainees ``external_id``, ``lat``, ``lon``, ``district`` and openings ``lat``,
        ``lon``, ``district``); ``commute_tolerance`` (else hers by ``external_id``, else her
        ``max_commute_minutes``, else 60).
        """
        cols = _PairColumns(trainees, openings)
        ids = np.asarray(trainees["external_id"]) if trainees.get("external_id") is not None else None
        trainees = dict(trainees)
        if cols.pick("skill_fit") is None:
            if ids is None:
                raise KeyError("retention_probability needs trainee column 'external_id' (her true skills)")
            recorded, required = cols.trainee("skills"), cols.opening("required_skills")
            trainees["skill_fit"] = np.array([
                self.skill_fit(self.true_skills.get(str(i), str(s)), str(r))
                for i, s, r in zip(ids, recorded, required)], dtype=float)
        f = super().pair_features(trainees, openings, employer_effect)

        value = cols.pick("journey_minutes")
        if value is None:
            if self.journeys is None:
                raise KeyError("retention_probability needs a 'journey_minutes' column (no journey world loaded)")
            if ids is None:
                raise KeyError("retention_probability needs trainee column 'external_id' (her journey)")
            value = self.journeys.minutes(ids, cols.trainee("lat"), cols.trainee("lon"), cols.trainee("district"),
                                          cols.opening("lat"), cols.opening("lon"), cols.opening("district"))
        f["journey_minutes"] = np.asarray(value, dtype=float)

        value = cols.pick("commute_tolerance")
        if value is None:
            stated = trainees.get("max_commute_minutes")
            fallback = (np.full(cols.n, 60.0) if stated is None
                        else np.array([float(v) if str(v).strip() else 60.0 for v in np.asarray(stated).ravel()]))
            value = fallback if ids is None else np.array(
                [self.commute_tolerance.get(str(i), float(d)) for i, d in zip(ids, fallback)])
        f["commute_tolerance"] = np.asarray(value, dtype=float)
        return f
