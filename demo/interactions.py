"""What the second truth (:mod:`demo.truth_interactions`) adds to the generated world: each woman's own commute
tolerance, skill levels recorded one off for a share of the women, and coordinators who placed mostly the pairs
the transparent prior rates highly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from demo.draws import _norm
from demo.history import _candidates, pair_features
from demo.journeys import pair_minutes
from demo.people import _Employers, _Openings, _Trainees
from demo.truth import parse_skill_list
from demo.world import _Context, _Reference
from matching.commute import DEFAULT_COMMUTE_MODEL


@dataclass
class _HiddenPeople:
    tolerance: np.ndarray          # minutes of journey she will really bear
    mislabelled: np.ndarray        # her recorded skill levels are one off
    recorded_levels: np.ndarray    # (n, skills) what trainees.csv says
    recorded_skills: list[str]     # the written lists, with the recorded levels


def make_hidden_people(rng: np.random.Generator, ctx: _Context, tr: _Trainees) -> _HiddenPeople:
    """Draw each woman's tolerance around her stated limit, and which women's skill levels are mislabelled."""
    params, ref = ctx.truth_params, ctx.ref
    n = len(tr.partner)
    tolerance = np.round(np.clip(tr.commute * rng.lognormal(0.0, params["tolerance_sd"], n), 15.0, 180.0), 1)
    mislabelled = rng.random(n) < params["mislabelled_share"]
    direction = np.where(rng.random(n) < 0.5, -1, 1).astype(np.int8)[:, None]
    true = tr.levels
    shifted = true + direction
    shifted = np.where((shifted < 1) | (shifted > 3), true - direction, shifted)
    recorded = np.where(mislabelled[:, None] & (true > 0), shifted, true).astype(np.int8)
    written = list(tr.skills)
    for i in np.flatnonzero(mislabelled).tolist():
        written[i] = _relabel(written[i], recorded[i], ref)
    return _HiddenPeople(tolerance=tolerance, mislabelled=mislabelled, recorded_levels=recorded,
                         recorded_skills=written)


def _relabel(text: str, levels: np.ndarray, ref: _Reference) -> str:
    """A written skill list with each known skill's level replaced by ``levels`` (unknown labels kept)."""
    position = {code: i for i, code in enumerate(ref.skills)}
    parts = []
    for label, level in parse_skill_list(text):
        code = ref.skill_aliases.get(_norm(label))
        if code is not None and levels[position[code]] > 0:
            level = int(levels[position[code]])
        parts.append(f"{label}:{level}")
    return ";".join(parts)


def true_skill_lists(ref: _Reference, tr: _Trainees, hidden: _HiddenPeople, trainee_ids: list[str]) -> dict[str, str]:
    """``{trainee id: "code:level;..."}`` of her true levels, for the mislabelled women only."""
    out = {}
    for i in np.flatnonzero(hidden.mislabelled).tolist():
        row = tr.levels[i]
        out[trainee_ids[i]] = ";".join(f"{ref.skills[s]}:{int(row[s])}" for s in np.flatnonzero(row).tolist())
    return out


class InteractionPairs:
    """The pairs of the second truth's history: their true features, and how coordinators chose them."""

    def __init__(self, ctx: _Context, emp: _Employers, tr: _Trainees, op: _Openings, pace: np.ndarray,
                 hidden: _HiddenPeople):
        self.ctx, self.emp, self.tr, self.op, self.pace, self.hidden = ctx, emp, tr, op, pace, hidden
        self.area_rate = DEFAULT_COMMUTE_MODEL.rates(np.array(ctx.ref.district_area, dtype=object))

    def features(self, ti: np.ndarray, oi: np.ndarray) -> dict[str, np.ndarray]:
        """The truth's canonical features of (trainee ti, opening oi) pairs: her true levels, true journey."""
        return {
            **pair_features(self.emp, self.tr, self.op, ti, oi),
            "journey_minutes": pair_minutes(self.ctx.ref, self.pace, self.tr, self.op, ti, oi),
            "commute_tolerance": self.hidden.tolerance[ti],
        }

    def widen(self, rng: np.random.Generator, cand: np.ndarray, s_district: np.ndarray, s_region: np.ndarray,
              s_occ: np.ndarray) -> np.ndarray:
        """Three times the candidates of the default history: coordinators looked further for a woman who fits."""
        more = [_candidates(rng, self.ctx.ref, self.tr, s_district, s_region, s_occ) for _ in range(2)]
        return np.concatenate([cand, *more], axis=1)

    def selection(self, rng: np.random.Generator, cand: np.ndarray, s_open: np.ndarray,
                  dist: np.ndarray) -> np.ndarray:
        """How much a coordinator favours each candidate (rows: slots): what the transparent prior sees, the
        recorded skills, the estimated journey against her stated limit, the wage, the shift, little else."""
        tr, op = self.tr, self.op
        o = s_open[:, None]
        fit = _candidate_fit(self.hidden.recorded_levels, cand, op.levels[s_open])
        estimate = DEFAULT_COMMUTE_MODEL.minutes_from_rates(dist, self.area_rate[tr.district[cand]],
                                                            self.area_rate[op.district[o]])
        daily = ~(op.accommodation[o] & tr.relocate[cand])
        share = np.minimum(estimate / tr.commute[cand], 1.5)
        odd_hours = op.shift[o] > 0
        return (
            6.0 * (fit - 0.5)
            + 1.5 * (tr.track[cand] == op.occ[o]) + 0.5 * (tr.track_sector[cand] == op.sector[o])
            + 0.6 * tr.prefs[cand, op.sector[o]]
            - daily * (1.5 * share + 5.0 * (estimate > tr.commute[cand]))
            + 2.0 * np.clip(np.log(op.wage[o] / tr.expected_wage[cand]), -0.5, 0.5)
            - 2.5 * (odd_hours & ~(tr.night_ok[cand] & op.transport[o]))
            + rng.gumbel(0.0, 0.25, cand.shape)
        )


def _candidate_fit(levels: np.ndarray, cand: np.ndarray, required: np.ndarray) -> np.ndarray:
    """Skill fit (partial credit, as :func:`demo.truth.skill_fit_from_levels`) of each candidate (rows: slots,
    columns: candidates) for her slot's required levels, reading only the few skills each slot requires."""
    width = max(int((required > 0).sum(axis=1).max(initial=0)), 1)
    skills = np.argsort(~(required > 0), axis=1, kind="stable")[:, :width]
    need = np.take_along_axis(required, skills, axis=1).astype(float)
    have = levels[cand[:, :, None], skills[:, None, :]].astype(float)
    mask = need > 0
    credit = np.where(mask[:, None, :], np.minimum(have, need[:, None, :]) / np.where(mask, need, 1.0)[:, None, :],
                      0.0)
    n_req = mask.sum(axis=1)[:, None]
    return np.where(n_req > 0, credit.sum(axis=2) / np.maximum(n_req, 1), 1.0)


def interaction_truth_extras(ref: _Reference, tr: _Trainees, hidden: _HiddenPeople,
                             trainee_ids: list[str], params: dict[str, Any]) -> dict[str, Any]:
    """What ``truth.json`` holds for the second truth beyond the default form's keys."""
    return {
        "form": "interactions",
        "tolerance_sd": params["tolerance_sd"],
        "over_tolerance_minutes": params["over_tolerance_minutes"],
        "mislabelled_share": params["mislabelled_share"],
        "commute_tolerance": dict(zip(trainee_ids, hidden.tolerance.tolist())),
        "true_skills": true_skill_lists(ref, tr, hidden, trainee_ids),
    }
