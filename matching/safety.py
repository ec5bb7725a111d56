"""Hard safety filters: a pair that breaks any rule is never proposed.

Each rule is a small class with a ``code``, a vectorised :meth:`violated` over
the pairs of a :class:`~matching.features.PairContext`, and a plain-language
:meth:`sentence` for one pair, shown to the coordinator. :data:`SAFETY_RULES`
is the one list of rules in force; adding a rule means writing one class and
adding it there. Rules are listed, and reported, in this order: her readiness,
the opening, the employer, pay, shift, her exclusions, the journey, her skills.

Unknown values never pass a rule by default: an employer check without a date,
a wage without a known statutory minimum, a workplace at an unknown distance
are all treated as breaking the rule concerned.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from .dates import add_months
from .explain import occupation_phrase
from .features import VETTING_VALID_MONTHS, PairContext
from .formatting import format_duration, format_journey, format_money, format_site_money
from .qualification import LEVEL_NAMES, Assessment, Requirement, assess_pair, near_miss_pairs, qualified_pairs
from .reference import QualificationPolicy

__all__ = [
    "SAFETY_RULES",
    "BelowMinimumWage",
    "CommuteTooLong",
    "EmployerNotVetted",
    "ExcludedDistrict",
    "ExcludedEmployer",
    "NightShiftUnsafe",
    "NotQualified",
    "OpeningNotOpen",
    "PairContext",
    "RuleViolation",
    "SafetyRule",
    "TraineeNotReady",
    "allowed_positions",
    "evaluate_rules",
    "narrow",
    "only_near_misses",
    "rule_scope",
    "format_duration",
    "format_money",
    "violations_for",
]


@dataclass(frozen=True)
class RuleViolation:
    """A rule a pair breaks: its ``code``, a sentence a coordinator can act on, and whether the pair is a near
    miss of that rule (a short step, such as a course, from passing it)."""

    code: str
    sentence: str
    near_miss: bool = False


@runtime_checkable
class SafetyRule(Protocol):
    """A hard rule. ``code`` names it in results and logs.

    A rule may also set ``scope`` to ``"opening"`` (it reads only opening columns) or
    ``"trainee"`` (only trainee columns); the engine then evaluates it once per table and day
    instead of once per query. Without ``scope`` a rule is evaluated on every pair. A rule may also offer
    ``near_miss(ctx) -> np.ndarray``: the pairs it blocks that are a short step from passing it; among blocked
    results breaking as many rules, those that are near misses of every rule they break come first.
    """

    code: str

    def violated(self, ctx: PairContext) -> np.ndarray:
        """One bool per pair of ``ctx``: True where the pair breaks the rule."""
        ...

    def sentence(self, ctx: PairContext, i: int) -> str:
        """Why pair ``i`` of ``ctx`` breaks the rule, in plain language."""
        ...


def _day(value: np.datetime64) -> datetime.date | None:
    return None if np.isnat(value) else value.astype("datetime64[D]").item()


# --------------------------------------------------------------------------- the rules


class TraineeNotReady:
    """She is not job-ready (status other than ``job_ready``) or cannot start yet on ``as_of``."""

    code = "trainee_not_ready"
    scope = "trainee"

    def violated(self, ctx: PairContext) -> np.ndarray:
        not_ready = ctx.t_map("status", lambda s: s != "job_ready")
        later = np.asarray(ctx.t("available_from") > ctx.as_of64)
        return not_ready | later

    def sentence(self, ctx: PairContext, i: int) -> str:
        parts = []
        status = ctx.t_at("status", i)
        if status != "job_ready":
            parts.append(f"She is not job-ready yet (status: {str(status or 'unknown').replace('_', ' ')})")
        available = _day(ctx.t_at("available_from", i))
        if available is not None and available > ctx.as_of:
            parts.append(f"She can start only from {available.isoformat()}")
        return "; ".join(parts)


class OpeningNotOpen:
    """The opening is closed, not yet posted, past its closing date, or has no positions left on ``as_of``."""

    code = "opening_not_open"
    scope = "opening"

    def violated(self, ctx: PairContext) -> np.ndarray:
        return (~ctx.o("is_open") | (ctx.o("posted_on") > ctx.as_of64) | (ctx.o("closes_on") < ctx.as_of64)
                | (ctx.o("positions_left") <= 0))

    def sentence(self, ctx: PairContext, i: int) -> str:
        parts = []
        if not ctx.o_at("is_open", i):
            parts.append("The opening is closed")
        posted, closes = _day(ctx.o_at("posted_on", i)), _day(ctx.o_at("closes_on", i))
        if posted is not None and posted > ctx.as_of:
            parts.append(f"The opening is only posted from {posted.isoformat()}")
        if closes is not None and closes < ctx.as_of:
            parts.append(f"The opening closed on {closes.isoformat()}")
        if ctx.o_at("positions_left", i) <= 0:
            parts.append("The opening has no positions left")
        return "; ".join(parts)


class EmployerNotVetted:
    """The employer has not passed the safety check, the check has no date, is dated after ``as_of``, or is
    older than 12 months (a check of 2025-03-01 is valid up to and including 2026-03-01)."""

    code = "employer_not_vetted"
    scope = "opening"

    def violated(self, ctx: PairContext) -> np.ndarray:
        on = ctx.o("employer_vetted_on")
        cutoff = np.datetime64(ctx.vetting_cutoff, "D")
        return ~ctx.o("employer_vetted") | np.isnat(on) | (on < cutoff) | (on > ctx.as_of64)

    def sentence(self, ctx: PairContext, i: int) -> str:
        if not ctx.o_at("employer_vetted", i):
            return "The employer has not passed the programme's safety check"
        checked = _day(ctx.o_at("employer_vetted_on", i))
        if checked is None:
            return "The employer's safety check has no date, so it cannot be shown to be current"
        if checked > ctx.as_of:
            return f"The employer's safety check is dated {checked.isoformat()}, after {ctx.as_of.isoformat()}"
        valid_until = add_months(checked, VETTING_VALID_MONTHS)
        return (f"The employer's safety check of {checked.isoformat()} is older than {VETTING_VALID_MONTHS} months"
                f" (it lapsed after {valid_until.isoformat()})")


def _category_words(category: object) -> str:
    """``semi_skilled`` as it reads in a sentence: ``semi-skilled`` (``highly_skilled``: ``highly skilled``)."""
    text = str(category)
    return text.replace("highly_", "highly ").replace("_", "-")


class BelowMinimumWage:
    """The wage is below the minimum for the workplace's zone, the opening's wage category and its sector on
    ``as_of`` (or either is unknown): the statutory minimum, or the programme's floor where the law sets none.
    The category is the opening's own ``wage_category`` when it has one, else its occupation's (unskilled for an
    unknown occupation)."""

    code = "below_minimum_wage"
    scope = "opening"

    def violated(self, ctx: PairContext) -> np.ndarray:
        return ~(ctx.o("monthly_wage") >= ctx.minimum_wage)

    def sentence(self, ctx: PairContext, i: int) -> str:
        wage = float(ctx.o_at("monthly_wage", i))
        if not np.isfinite(wage):
            return "The opening gives no monthly wage, so it cannot be checked against the statutory minimum"
        category, zone = ctx.o_at("minimum_wage_category", i), ctx.o_at("zone", i)
        rate = ctx.minimum_wage_rate(i)
        if rate is None:
            return (f"No statutory minimum wage is known for this workplace on {ctx.as_of.isoformat()}"
                    f" (zone {zone or 'unknown'}), so {format_site_money(ctx.site, wage)} cannot be checked")
        minimum = format_site_money(ctx.site, rate.monthly_wage)
        below = f"{format_site_money(ctx.site, wage)} a month is below"
        in_zone = f" in zone {zone}" if len(ctx.site.minimum_wages.zones()) > 1 else ""
        since = f"in force from {rate.effective_from.isoformat()}"
        sector = ctx.o_at("sector", i)
        sectors = ctx.taxonomy.sectors if ctx.taxonomy is not None else {}
        sector_name = sectors.get(sector, sector) if isinstance(sector, str) else None
        if not rate.is_statutory:
            law = (f"no legal minimum applies to {sector_name} jobs" if sector_name
                   else "no legal minimum applies to this job")
            return f"{below} the programme's floor of {minimum}{in_zone} ({law}; {since})"
        if rate.sector is not None:
            return (f"{below} the legal minimum of {minimum} for the {sector_name} sector{in_zone}"
                    f" ({rate.notification}; {since})")
        occupation = ctx.o_at("occupation_code", i)
        why = ("the opening's wage category" if ctx.o_at("wage_category", i) is not None
               else f"as usual for {occupation_phrase(ctx.taxonomy, occupation)}" if occupation is not None
               else "its occupation is not known")
        return (f"{below} the statutory minimum of {minimum} for {_category_words(category)} work in zone {zone}"
                f" ({why}; {since})")


class NightShiftUnsafe:
    """A night or rotating shift, unless she accepts night shifts and the employer provides transport."""

    code = "night_shift_unsafe"
    scope = "pair"

    def violated(self, ctx: PairContext) -> np.ndarray:
        night = ctx.o_map("shift", lambda s: s != "day")
        return night & ~(ctx.t("night_shift_ok") & ctx.o("transport_provided"))

    def sentence(self, ctx: PairContext, i: int) -> str:
        shift = str(ctx.o_at("shift", i)).capitalize()
        missing = []
        if not ctx.t_at("night_shift_ok", i):
            missing.append("she has not agreed to night shifts")
        if not ctx.o_at("transport_provided", i):
            missing.append("the employer provides no transport")
        return f"{shift} shift: {' and '.join(missing)}"


class ExcludedEmployer:
    """The employer is on her list of employers she must never be matched with."""

    code = "excluded_employer"
    scope = "pair"

    def violated(self, ctx: PairContext) -> np.ndarray:
        return ctx.member("employer_external_id", "excluded_employers")

    def sentence(self, ctx: PairContext, i: int) -> str:
        return "The employer is on her list of employers she must never be matched with"


class ExcludedDistrict:
    """The workplace is in a district she must never be sent to."""

    code = "excluded_district"
    scope = "pair"

    def violated(self, ctx: PairContext) -> np.ndarray:
        return ctx.member("district", "excluded_districts")

    def sentence(self, ctx: PairContext, i: int) -> str:
        return f"The workplace is in {ctx.o_at('district', i)}, a district she must never be sent to"


class CommuteTooLong:
    """The one-way commute exceeds her limit (or cannot be estimated), unless she is willing to relocate and the
    employer provides accommodation. The journey is the one a coordinator confirmed for the pair when there is
    one, else the commute model's estimate."""

    code = "commute_too_long"
    scope = "pair"

    def violated(self, ctx: PairContext) -> np.ndarray:
        return ~(ctx.commute_minutes <= ctx.t("max_commute_minutes")) & ~ctx.relocation

    def sentence(self, ctx: PairContext, i: int) -> str:
        minutes = float(ctx.commute_minutes[i])
        limit = float(ctx.t_at("max_commute_minutes", i))
        if not np.isfinite(minutes):
            text = "The distance to the workplace is not known, so the journey cannot be checked against her limit"
        else:
            journey = format_journey(minutes, ctx.commute_range(i))
            text = f"{journey[:1].upper()}{journey[1:]} each way; her limit is {limit:.0f} min"
        if ctx.t_at("willing_to_relocate", i):
            text += " (she would relocate, but the employer provides no accommodation)"
        return text


#: At most this many skills are named in one part of a sentence.
_NAMED_SKILLS = 5


class NotQualified:
    """She does not hold enough of the opening's required skills at (or near) the level asked, or lacks a skill
    it marks essential: the programme's qualification policy (``qualification`` in the site data, see
    :mod:`matching.qualification`). The sentence names the skills she is short of and, for a near miss, what
    would qualify her ("could qualify after a short course: …")."""

    code = "not_qualified"
    scope = "pair"

    def violated(self, ctx: PairContext) -> np.ndarray:
        return ~qualified_pairs(ctx, ctx.site.qualification)

    def near_miss(self, ctx: PairContext) -> np.ndarray:
        return near_miss_pairs(ctx, ctx.site.qualification)

    def sentence(self, ctx: PairContext, i: int) -> str:
        found = assess_pair(ctx, i)
        policy = ctx.site.qualification
        parts = []
        if found.n_reached < found.n_needed:
            parts.append(f"Not qualified: she has {found.n_reached} of the {found.n_required} required skills"
                         f" {_within(policy)} ({found.n_needed} needed); short of "
                         + _named([_shortfall(ctx, r, found) for r in found.unreached]))
        if found.essential_short:
            parts.append(("Not qualified: " if not parts else "")
                         + "short of essential " + _named([_shortfall(ctx, r, found) for r in found.essential_short]))
        steps = [f"{_skill_name(ctx, step.skill)} to level {step.level} ({LEVEL_NAMES.get(step.level, step.level)})"
                 for step in found.plan]
        if found.near_miss:
            parts.append("could qualify after a short course: " + _named(steps))
        else:
            parts.append(f"more than a short course away ({found.levels_to_gain} skill levels to gain)")
        return "; ".join(parts)


def _within(policy: QualificationPolicy) -> str:
    below = policy.levels_below
    return ("at the level asked" if below == 0 else "at or one level below the level asked" if below == 1
            else f"at most {below} levels below the level asked")


def _skill_name(ctx: PairContext, code: str) -> str:
    skill = ctx.taxonomy.skills.get(code) if ctx.taxonomy is not None else None
    return skill.name if skill is not None else code


def _shortfall(ctx: PairContext, requirement: Requirement, found: Assessment) -> str:
    held = found.held.get(requirement.skill, 0)
    return (f"{_skill_name(ctx, requirement.skill)} (level {requirement.level} asked,"
            f" she has {f'level {held}' if held else 'none'})")


def _named(items: list[str]) -> str:
    more = len(items) - _NAMED_SKILLS
    return ", ".join(items[:_NAMED_SKILLS]) + (f" and {more} more" if more > 0 else "")


#: The rules in force, in the order they are checked and reported.
SAFETY_RULES: tuple[SafetyRule, ...] = (
    TraineeNotReady(),
    OpeningNotOpen(),
    EmployerNotVetted(),
    BelowMinimumWage(),
    NightShiftUnsafe(),
    ExcludedEmployer(),
    ExcludedDistrict(),
    CommuteTooLong(),
    NotQualified(),
)


def evaluate_rules(ctx: PairContext, rules: Sequence[SafetyRule] = SAFETY_RULES) -> np.ndarray:
    """``(len(ctx), len(rules))`` bool matrix: column ``k`` is where rule ``k`` is broken."""
    out = np.zeros((len(ctx), len(rules)), dtype=bool)
    for k, rule in enumerate(rules):
        out[:, k] = rule.violated(ctx)
    return out


def rule_scope(rule: SafetyRule) -> str:
    """``"opening"``, ``"trainee"`` or ``"pair"`` (the default)."""
    return getattr(rule, "scope", "pair")


def narrow(ctx: PairContext, rules: Sequence[SafetyRule] = SAFETY_RULES) -> tuple[np.ndarray, PairContext]:
    """The positions of the pairs of ``ctx`` breaking none of ``rules``, and the context of those pairs.

    Each rule is evaluated only on the pairs that passed the previous ones (cheaper than
    :func:`evaluate_rules` when only the allowed pairs are wanted).
    """
    keep = np.arange(len(ctx))
    current = ctx
    for rule in rules:
        if keep.size == 0:
            break
        ok = ~np.asarray(rule.violated(current), dtype=bool)
        if not ok.all():
            keep = keep[ok]
            current = current.subset(ok)
    return keep, current


def allowed_positions(ctx: PairContext, rules: Sequence[SafetyRule] = SAFETY_RULES) -> np.ndarray:
    """Positions of the pairs of ``ctx`` breaking none of ``rules``."""
    return narrow(ctx, rules)[0]


def only_near_misses(ctx: PairContext, broken: np.ndarray, rules: Sequence[SafetyRule] = SAFETY_RULES) -> np.ndarray:
    """Per pair, given its row of :func:`evaluate_rules`: it breaks a rule, and is a near miss of every rule it
    breaks (rules without ``near_miss`` have none)."""
    out = np.asarray(broken.any(axis=1), dtype=bool).copy()
    for k, rule in enumerate(rules):
        hit = broken[:, k] & out
        if not hit.any():
            continue
        method = getattr(rule, "near_miss", None)
        if method is None:
            out &= ~hit
            continue
        rows = np.flatnonzero(hit)
        near = np.asarray(method(ctx.subset(rows)), dtype=bool)
        out[rows[~near]] = False
    return out


def violations_for(ctx: PairContext, i: int, broken: np.ndarray,
                   rules: Sequence[SafetyRule] = SAFETY_RULES) -> list[RuleViolation]:
    """The violations of pair ``i`` given its row of :func:`evaluate_rules`."""
    found = []
    for rule, hit in zip(rules, broken):
        if hit:
            method = getattr(rule, "near_miss", None)
            near = bool(method(ctx.subset(np.array([i])))[0]) if method is not None else False
            found.append(RuleViolation(rule.code, rule.sentence(ctx, i), near_miss=near))
    return found
