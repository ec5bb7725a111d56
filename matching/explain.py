"""Plain-language reasons for a match, for the coordinator who proposes it.

Reasons are built from a pair's features (and, for the skills it falls short
on, from the two tables), in a fixed order: skills, journey, pay, shift,
preferences, languages, demand, training. Amounts use the site's currency
symbol. Blocked pairs are explained by the sentences of the rules they break
(:mod:`matching.safety`), not here.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .features import PairContext
from .formatting import format_journey, format_site_money
from .qualification import assess_pair
from .reference import Taxonomy

__all__ = ["DEMAND_THRESHOLD", "occupation_phrase", "reasons", "skill_shortfalls"]

#: Yearly growth (either way) from which demand is worth mentioning.
DEMAND_THRESHOLD = 0.05
#: At most this many skills are named in a shortfall reason.
MAX_NAMED_SKILLS = 3


def _mid_sentence(name: str) -> str:
    """Lower-case the capitalised words of a name, keeping acronyms.

    "F&B Service Associate" reads "F&B service associate".
    """
    words = []
    for word in name.split(" "):
        letters = [c for c in word if c.isalpha()]
        words.append(word.lower() if len(letters) > 1 and "".join(letters[1:]).islower() else word)
    return " ".join(words)


def occupation_phrase(taxonomy: Taxonomy | None, code: str | None) -> str:
    """The occupation's name as it reads mid-sentence ("retail sales associate", "F&B service associate")."""
    occupation = taxonomy.occupations.get(code) if taxonomy is not None and code else None
    return "this occupation" if occupation is None else _mid_sentence(occupation.name)


def skill_shortfalls(ctx: PairContext, i: int) -> list[tuple[str, int, int]]:
    """``(skill name, required level, her level)`` for each required skill pair ``i`` does not meet at level."""
    taxonomy = ctx.taxonomy
    if taxonomy is None:
        return []
    codes = taxonomy.skill_codes
    required, skills = ctx.openings.required, ctx.trainees.skills
    r, t = int(ctx.o_idx[i]), int(ctx.t_idx[i])
    lo, hi = required.indptr[r], required.indptr[r + 1]
    held = dict(zip(skills.indices[skills.indptr[t]:skills.indptr[t + 1]].tolist(),
                    skills.data[skills.indptr[t]:skills.indptr[t + 1]].tolist()))
    out = []
    for column, level in zip(required.indices[lo:hi].tolist(), required.data[lo:hi].tolist()):
        has = held.get(column, 0)
        if has < level:
            out.append((taxonomy.skills[codes[column]].name, int(level), int(has)))
    return out


def reasons(ctx: PairContext, features: Mapping[str, np.ndarray], i: int) -> list[str]:
    """The reasons for pair ``i`` of ``ctx``, given the features of ``ctx``'s pairs."""
    out: list[str] = []

    def f(name: str) -> float:
        return float(features[name][i])

    # Skills
    required, met, partial = int(f("skills_required")), int(f("skills_met")), int(f("skills_partial"))
    if required == 0:
        out.append("no specific skills required")
    else:
        text = (f"has all {required} required skills at the required level" if met == required and required > 1
                else "has the required skill at the required level" if met == required
                else f"has {met} of {required} required skills at the required level")
        if partial and met < required:
            # those she holds near the level asked (the qualification rule counts them), then the rest
            below = assess_pair(ctx, i).n_reached - met if ctx.site.qualification.levels_below else 0
            levels = ctx.site.qualification.levels_below
            if below:
                text += f", {below} more {'one level' if levels == 1 else f'up to {levels} levels'} below"
            if partial > below:
                text += f", {partial - below} more partly"
        out.append(text)
        shortfalls = skill_shortfalls(ctx, i)
        if shortfalls:
            named = [f"{name} (needs level {need}" + (f", has {has})" if has else ")")
                     for name, need, has in shortfalls[:MAX_NAMED_SKILLS]]
            more = len(shortfalls) - MAX_NAMED_SKILLS
            out.append("short of: " + ", ".join(named) + (f" and {more} more" if more > 0 else ""))

    # Journey
    if bool(features["relocation"][i]):
        out.append("the employer provides accommodation and she is willing to relocate")
    elif np.isfinite(f("commute_minutes")):
        out.append(f"{format_journey(f('commute_minutes'), ctx.commute_range(i))} each way, her limit is"
                   f" {f('max_commute_minutes'):.0f} min")

    # Pay
    wage, expected, minimum = f("monthly_wage"), f("expected_wage"), f("minimum_wage")
    if np.isfinite(wage):
        if np.isfinite(expected) and expected > 0:
            verb = "meets" if wage >= expected else "is below"
            text = f"{format_site_money(ctx.site, wage)} {verb} her {format_site_money(ctx.site, expected)}"
        else:
            text = f"{format_site_money(ctx.site, wage)} a month (the wage she needs is not recorded)"
        if np.isfinite(minimum):
            rate = ctx.minimum_wage_rate(i)
            kind = "the programme's floor" if rate is not None and not rate.is_statutory else "statutory minimum"
            text += f"; {kind} {format_site_money(ctx.site, minimum)}"
        out.append(text)

    # Shift and transport
    if bool(features["night_or_rotating"][i]):
        shift = str(ctx.o_at("shift", i))
        out.append(f"{shift} shift: she accepts night shifts and the employer provides transport")
    elif bool(features["transport_provided"][i]):
        out.append("the employer provides transport")

    # Preferences and languages
    if f("preferred_sector_match") == 1.0:
        sector = ctx.o_at("sector", i)
        name = ctx.taxonomy.sectors.get(sector, sector) if ctx.taxonomy is not None else sector
        out.append(f"in a sector she prefers ({_mid_sentence(str(name))})")
    language = f("language_match")
    if np.isfinite(language) and language < 1.0:
        missing = sorted(ctx.o_at("languages_required", i) - ctx.t_at("languages", i))
        out.append("she does not speak every language the job needs (missing: " + ", ".join(missing) + ")")

    # Demand
    growth = f("demand_growth")
    if abs(growth) >= DEMAND_THRESHOLD:
        occupation = occupation_phrase(ctx.taxonomy, ctx.o_at("occupation_code", i))
        district = ctx.o_at("district", i)
        trend = "growing" if growth > 0 else "falling"
        out.append(f"demand for {occupation} in {district} is {trend} ({growth:+.0%} a year)")

    # Training
    if f("training_track_match") == 1.0:
        out.append("she trained for this occupation")
    return out
