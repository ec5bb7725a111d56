"""What free text in a posting says: the shift of its working hours, whether it asks for experience, and
whether accommodation or transport is provided."""

from __future__ import annotations

import re
from typing import Any

from service.job_postings.readers import read_number, strip_html, text_of

#: Words in jobBenefits or description that mean accommodation is provided.
ACCOMMODATION_WORDS = ("accommodation", "hostel", "housing", "lodging", "dormitory", "living quarters",
                       "staff quarters")
#: Words in jobBenefits or description that mean transport is provided. "Drop" and "pick up" count only as
#: pick-up-and-drop phrases: alone they also mean "drop your CV" or "pick up and pack items".
TRANSPORT_WORDS = ("transport", "transportation", "cab", "cabs", "shuttle", "company bus", "office bus",
                   "conveyance", "pick-up and drop", "pick up and drop", "pickup and drop", "pick-up & drop",
                   "pick up & drop", "pickup & drop", "pick and drop", "pick & drop", "pick-up/drop", "pickup/drop",
                   "drop facility", "home drop", "pick-up facility", "pickup facility")
#: A clause with one of these words says accommodation or transport is NOT provided ("at no cost", "no charge"
#: and "no rent" aside); such a clause anywhere in jobBenefits or description outweighs any other mention.
NEGATION_WORDS = ("no", "not", "without", "nor", "none", "unavailable")
#: A clause with one of these words speaks of money towards it, which is not providing it: it does not count.
ALLOWANCE_WORDS = ("allowance", "allowances", "reimbursed", "reimbursement", "reimburse")

# --------------------------------------------------------------------------- shift

_NIGHT = re.compile(r"\b(over)?nights?\b")
_NO_NIGHT = re.compile(r"\b(no|not|never|without|zero)\s+(any\s+)?nights?\b")
_ROTATING = re.compile(
    r"\brotat\w*|\bshifts?\s+(vary|varies|change|changes)\b|\b(varying|variable|changing|alternat\w*)\s+shifts?\b"
    r"|\bshift\s+roster|\brostered\b|\bday\s*(and|&|/|or|-)\s*night\b")
_DAY = re.compile(r"\b(day|daytime|morning|general|evening|office)\s+(shift|hours|timings?)\b|\bday\s+shift")
_TIME = r"(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?\s?m\.?|p\.?\s?m\.?)?"
_RANGE = re.compile(rf"(?<![\d:.]){_TIME}\s*(?:-|–|—|to|till|until)\s*{_TIME}(?![\d:])")


def _meridiem(text: str | None) -> str | None:
    return None if not text else text.replace(".", "").replace(" ", "")[:1]


def _minutes(hour: int, minute: int, meridiem: str | None) -> int:
    if meridiem == "a":
        hour %= 12
    elif meridiem == "p":
        hour = hour % 12 + 12
    return hour * 60 + minute


def _duration(start: int, end: int) -> int:
    return (end - start) % 1440


def _range_minutes(match: re.Match) -> tuple[int, int] | None:
    """Start and end of a time range in minutes after midnight; bare 1-12 hours are read as daytime hours."""
    h1, m1, p1, h2, m2, p2 = match.groups()
    h1, h2, m1, m2 = int(h1), int(h2), int(m1 or 0), int(m2 or 0)
    p1, p2 = _meridiem(p1), _meridiem(p2)
    if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59 or ((p1 or p2) and (h1 > 12 or h2 > 12)):
        return None
    if p1 and p2:
        start, end = _minutes(h1, m1, p1), _minutes(h2, m2, p2)
    elif p1 or p2:
        readings = []
        for guess in ("a", "p"):
            start = _minutes(h1, m1, p1 or guess)
            end = _minutes(h2, m2, p2 or guess)
            readings.append((_duration(start, end) or 1440, start, end))
        readings.sort()
        _, start, end = readings[0]
    elif h1 > 12 or h2 > 12 or h1 == 0 or h2 == 0 or match.group(0).lstrip().startswith("0"):
        start, end = (h1 % 24) * 60 + m1, (h2 % 24) * 60 + m2
    else:
        start = _minutes(h1, m1, "a" if 6 <= h1 <= 11 else "p")
        end = _minutes(h2, m2, "a")
        if end <= start:
            end = _minutes(h2, m2, "p")
        if end <= start:
            return None
    if start == end:
        return None
    return start, end


def _is_night(start: int, end: int) -> bool:
    """Crosses midnight, or more than half of it falls between 22:00 and 06:00."""
    if end < start and end > 0:
        return True
    length = _duration(start, end)
    night = sum(1 for k in range(length) if not 360 <= (start + k) % 1440 < 1320)
    return night * 2 > length


def shift_from_work_hours(text: str) -> tuple[str, bool]:
    """The shift ("day", "night" or "rotating") of a ``workHours`` text, and whether anything in it was read.

    Rotating when it says rotating/rotational, shifts vary, alternate shifts, a roster or "day and night";
    else night when it says night (not "no night") or a time range crosses midnight or lies mostly between
    22:00 and 06:00 (a mix of night and day ranges is rotating); else day. Hours without am/pm from 1 to 12
    are read as daytime hours ("9-6" is 09:00-18:00).
    """
    lowered = strip_html(text).lower().replace("midnight", "12am").replace("noon", "12pm")
    if _ROTATING.search(lowered):
        return "rotating", True
    if _NIGHT.search(lowered) and not _NO_NIGHT.search(lowered):
        return "night", True
    kinds = set()
    for match in _RANGE.finditer(lowered):
        minutes = _range_minutes(match)
        if minutes is not None:
            kinds.add("night" if _is_night(*minutes) else "day")
    if kinds == {"night"}:
        return "night", True
    if kinds == {"night", "day"}:
        return "rotating", True
    return "day", bool(kinds) or bool(_DAY.search(lowered)) or bool(_NO_NIGHT.search(lowered))


# --------------------------------------------------------------------------- experience

_NO_EXPERIENCE = re.compile(r"\bno\s+(prior\s+|previous\s+|work\s+)?experience\b|\bnot\s+(required|necessary|needed)\b"
                            r"|\bfreshers?\b|\bnone\b|\bwithout\s+experience\b")


def experience_level(requirement: Any) -> int:
    """Level 2 when ``experienceRequirements`` asks for experience, else 1.

    Text asks for experience when it mentions "experience"/"experienced" and does not say "no experience",
    "not required", "fresher" or "none"; an OccupationalExperienceRequirements asks for it when its
    ``monthsOfExperience`` is above zero.
    """
    if isinstance(requirement, list):
        return max((experience_level(item) for item in requirement), default=1)
    if isinstance(requirement, dict):
        months = read_number(requirement.get("monthsOfExperience"))
        if months is not None:
            return 2 if months > 0 else 1
        requirement = text_of(requirement) or requirement.get("description")
    if not isinstance(requirement, str):
        return 1
    lowered = strip_html(requirement).lower()
    if _NO_EXPERIENCE.search(lowered):
        return 1
    return 2 if "experience" in lowered else 1


# --------------------------------------------------------------------------- accommodation and transport

_CLAUSE_SEPARATORS = re.compile(r"[.;,\n\r•|()]+|\bbut\b")
_FREE_OF_CHARGE = re.compile(r"\b(at\s+)?no\s+(extra\s+|additional\s+)?(cost|charge|fee|rent)s?\b")


def _word_pattern(words: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b")


ACCOMMODATION_PATTERN = _word_pattern(ACCOMMODATION_WORDS)
TRANSPORT_PATTERN = _word_pattern(TRANSPORT_WORDS)
_NEGATION = _word_pattern(NEGATION_WORDS)
_ALLOWANCE = _word_pattern(ALLOWANCE_WORDS)


def mentions(text: str, pattern: re.Pattern) -> tuple[bool, bool]:
    """Whether some clause of the text says the thing is provided, and whether some clause says it is not."""
    lowered = _FREE_OF_CHARGE.sub(" ", strip_html(text).lower()).replace("n't", " not")
    said = [clause for clause in _CLAUSE_SEPARATORS.split(lowered)
            if clause and pattern.search(clause) and not _ALLOWANCE.search(clause)]
    negated = [clause for clause in said if _NEGATION.search(clause)]
    return len(said) > len(negated), bool(negated)
