"""Mapping schema.org ``JobPosting`` JSON-LD, as employer partners' HR systems publish it, onto jobmatch openings.

A document is one JobPosting object, a list of them, or an object whose ``@graph`` lists them
(:func:`postings_from_document`). Each posting maps onto the fields of an opening (:func:`map_posting`); what
could not be used is reported back in ``unmapped`` and what makes the posting unusable in ``errors``, each with
the JSON path of the field, so nothing is dropped silently.

How the fields map:

* ``identifier`` (text, or a PropertyValue's ``value``) is the opening's external id;
  ``hiringOrganization.identifier`` the employer's. Both are required and must be usable ids (letters, digits
  and ``. _ : -``, at most 64 characters). Other details of the organisation live on the employer record.
* ``baseSalary`` is required: a MonetaryAmount whose ``currency`` (or the posting's ``salaryCurrency``) is the
  site's currency and whose ``value`` is a number or a QuantitativeValue. The amount per ``unitText`` HOUR,
  DAY, WEEK, MONTH or YEAR becomes a monthly wage in whole rupees (rounded half up): an hour counts
  ``hours_per_month`` times a month, a day ``days_per_month`` times, a week ``weeks_per_month`` times, a
  year a twelfth. For a range the lowest amount (``minValue``) is stored, because the wage is checked against
  the minimum wage; ``maxValue`` is reported as unmapped.
* ``jobLocation`` is required. A district is found from ``address.addressLocality`` (whole, then each
  comma-separated part), then the parts of ``addressRegion``, then the parts of ``streetAddress``, then the
  district headquarters nearest to ``geo`` if within :data:`GEO_DISTRICT_RADIUS_KM`. Coordinates come from
  ``geo``, else the district's centre; ``geo`` farther than :data:`GEO_ADDRESS_TOLERANCE_KM` from the district
  named by the address is not used. An opening has one place of work: with several locations the first that
  resolves is mapped and every other one is reported (post each location as its own JobPosting).
* ``occupationalCategory`` (text, possibly led by an O*NET/ISCO code, or a CategoryCode) and then ``title`` are
  looked up in the occupation taxonomy; the first that maps gives the taxonomy code, else the title is kept as
  the occupation text. ``industry`` gives the sector when it names a taxonomy sector, else the occupation's.
* ``skills`` become required skills at level 1, or level 2 when ``experienceRequirements`` asks for experience
  (:func:`experience_level`). Labels unknown to the taxonomy are passed through; the service warns about them.
* ``workHours`` becomes the shift (:func:`shift_from_work_hours`).
* ``jobBenefits`` and ``description`` set ``accommodation_provided`` and ``transport_provided`` by keywords
  (:data:`ACCOMMODATION_WORDS`, :data:`TRANSPORT_WORDS`), clause by clause. A clause that speaks of an
  allowance or reimbursement does not count, and a clause that negates the thing ("no hostel") makes it false
  whatever else is said, because a wrong "provided" misleads a trainee more than a missing one.
* ``datePosted`` and ``validThrough`` (dates, or date-times read in the site's time zone) become ``posted_on``
  and ``closes_on``; the opening is ``closed`` when ``validThrough`` is before ``today``.
* ``inLanguage`` lists the languages the job needs, as ISO 639-1 codes (``bn``, ``hi``, ``en-IN`` → ``en``).
* ``employmentType`` and ``jobLocationType: TELECOMMUTE`` have no field on an opening and are always reported.
  Any other field (``@``-prefixed JSON-LD keywords aside) is reported as not used.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from matching.geo import haversine_km_scalar as _haversine_km
from matching.reference import normalise_text

__all__ = [
    "ACCOMMODATION_WORDS",
    "GEO_ADDRESS_TOLERANCE_KM",
    "GEO_DISTRICT_RADIUS_KM",
    "MappedPosting",
    "PAY_PERIODS",
    "TRANSPORT_WORDS",
    "experience_level",
    "map_posting",
    "postings_from_document",
    "shift_from_work_hours",
]

#: The ``@type`` values taken to mean a JobPosting.
JOB_POSTING_TYPES = frozenset({"JobPosting", "schema:JobPosting", "http://schema.org/JobPosting",
                               "https://schema.org/JobPosting"})
#: Pay periods a salary can be given per.
PAY_PERIODS = ("HOUR", "DAY", "WEEK", "MONTH", "YEAR")
#: schema.org employment types.
EMPLOYMENT_TYPES = ("FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER")
#: A district is taken from coordinates alone only within this distance of its headquarters.
GEO_DISTRICT_RADIUS_KM = 40.0
#: Coordinates farther than this from the headquarters of the district named by the address are not used.
GEO_ADDRESS_TOLERANCE_KM = 150.0
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

MAX_TITLE = 200
MAX_SKILL_LABEL = 100
MAX_SKILLS = 100
MAX_POSITIONS = 10_000
MAX_MONTHLY_WAGE = 10_000_000

_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$")
_NUMBER = re.compile(r"^\s*-?\d+(\.\d+)?\s*$")
_SIMPLE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LEADING_CODE = re.compile(r"^\s*[0-9][0-9.\-]*\s*[-:–]?\s*")
_TAG = re.compile(r"<[^>]+>")
_SKILL_SEPARATORS = re.compile(r"[,;\n\r•|]+")
_CLAUSE_SEPARATORS = re.compile(r"[.;,\n\r•|()]+|\bbut\b")
_LANGUAGE = re.compile(r"^([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)*$")

_FREE_OF_CHARGE = re.compile(r"\b(at\s+)?no\s+(extra\s+|additional\s+)?(cost|charge|fee|rent)s?\b")

_SPECIFIC_REASONS = {
    "estimatedSalary": "not used by jobmatch: only baseSalary, what the employer pays, is stored as the wage",
    "applicantLocationRequirements": "not used by jobmatch: trainees are matched by district and commute, not by"
                                     " applicant location requirements",
    "salaryCurrency": "not used by jobmatch: the currency is read with baseSalary, and there is none",
}


@dataclass
class MappedPosting:
    """One JobPosting mapped onto an opening.

    ``opening`` holds the fields of an opening (all but ``employer_external_id``, which is
    ``employer_external_id`` here); it is complete only when ``errors`` is empty.
    ``unmapped`` lists fields present in the posting that jobmatch could not use, ``errors`` the problems that
    make the posting unusable; each item is ``{"field": <JSON path>, "reason": <sentence>}``.
    """

    external_id: str | None
    employer_external_id: str | None
    opening: dict[str, Any] = field(default_factory=dict)
    unmapped: list[dict[str, str]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --------------------------------------------------------------------------- documents


def join_path(path: str, key: str | int) -> str:
    """``$`` + ``title`` → ``$.title``; ``$`` + 1 → ``$[1]``; ``$`` + ``@graph`` → ``$['@graph']``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _SIMPLE_KEY.match(key):
        return f"{path}.{key}"
    return "{}['{}']".format(path, key.replace("\\", "\\\\").replace("'", "\\'"))


def _show(value: Any) -> str:
    """A value as JSON, cut short, for messages."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _is_job_posting(node: Any) -> bool:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.strip() in JOB_POSTING_TYPES for k in kinds)


def _check_posting(node: Any, path: str) -> dict:
    if not isinstance(node, dict):
        raise ValueError(f"{path} is {_describe(node)}, not a JobPosting object")
    if "@type" not in node:
        raise ValueError(f"{path} has no @type: give \"@type\": \"JobPosting\"")
    if not _is_job_posting(node):
        raise ValueError(f"{join_path(path, '@type')} is {_show(node['@type'])}, not JobPosting: only JobPosting"
                         " objects are accepted")
    return node


def postings_from_document(document: Any) -> list[tuple[str, dict]]:
    """The JobPostings of a JSON-LD document, each with the JSON path it is at.

    A document is a JobPosting object (``$``), a list of them (``$[0]``, ``$[1]``, ...) or an object whose
    ``@graph`` lists them (``$['@graph'][0]``, ...). Every node must be a JobPosting (``@type`` "JobPosting",
    or a list of types that includes it); nodes referenced by ``@id`` are not looked up. Raises
    :class:`ValueError` naming the path of the first node that is not a JobPosting, or when there are none.
    """
    if isinstance(document, list):
        nodes = [(join_path("$", i), node) for i, node in enumerate(document)]
    elif isinstance(document, dict) and "@graph" in document:
        graph = document["@graph"]
        graph_path = join_path("$", "@graph")
        if isinstance(graph, list):
            nodes = [(join_path(graph_path, i), node) for i, node in enumerate(graph)]
        else:
            nodes = [(graph_path, graph)]
    elif isinstance(document, dict):
        nodes = [("$", document)]
    else:
        raise ValueError(f"$ is {_describe(document)}: send a JobPosting object, a list of them, or an object"
                         " with \"@graph\"")
    if not nodes:
        raise ValueError("$ holds no JobPosting")
    return [(path, _check_posting(node, path)) for path, node in nodes]


# --------------------------------------------------------------------------- small readers


def _strip_html(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", text)).split())


def _html_lines(text: str) -> str:
    """Text with HTML tags turned into line breaks, so list items stay apart."""
    return html.unescape(_TAG.sub("\n", text)) if "<" in text else text


def _number(value: Any) -> float | None:
    """A JSON number or a plain decimal string ("12000", "55.5"); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str) and _NUMBER.match(value):
        return float(value)
    return None


def _round_half_up(value: float) -> int:
    return int(math.floor(value + 0.5))


def _text_of(value: Any) -> str | None:
    """Text, or the ``name`` of a DefinedTerm-like object."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("name", "termCode", "codeValue", "@value"):
            if isinstance(value.get(key), str) and value[key].strip():
                return value[key]
    return None


def _parse_day(value: Any, timezone: str | None) -> date | None:
    """An ISO 8601 date, or the date of an ISO 8601 date-time in the site's time zone."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    if moment.tzinfo is not None and timezone:
        try:
            from zoneinfo import ZoneInfo
            moment = moment.astimezone(ZoneInfo(timezone))
        except (ImportError, KeyError, ValueError):
            pass
    return moment.date()


# --------------------------------------------------------------------------- shift and experience

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
    lowered = _strip_html(text).lower().replace("midnight", "12am").replace("noon", "12pm")
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
        months = _number(requirement.get("monthsOfExperience"))
        if months is not None:
            return 2 if months > 0 else 1
        requirement = _text_of(requirement) or requirement.get("description")
    if not isinstance(requirement, str):
        return 1
    lowered = _strip_html(requirement).lower()
    if _NO_EXPERIENCE.search(lowered):
        return 1
    return 2 if "experience" in lowered else 1


# --------------------------------------------------------------------------- the mapper


def _word_pattern(words: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b")


_ACCOMMODATION = _word_pattern(ACCOMMODATION_WORDS)
_TRANSPORT = _word_pattern(TRANSPORT_WORDS)
_NEGATION = _word_pattern(NEGATION_WORDS)
_ALLOWANCE = _word_pattern(ALLOWANCE_WORDS)


def _mentions(text: str, pattern: re.Pattern) -> tuple[bool, bool]:
    """Whether some clause of the text says the thing is provided, and whether some clause says it is not."""
    lowered = _FREE_OF_CHARGE.sub(" ", _strip_html(text).lower()).replace("n't", " not")
    said = [clause for clause in _CLAUSE_SEPARATORS.split(lowered)
            if clause and pattern.search(clause) and not _ALLOWANCE.search(clause)]
    negated = [clause for clause in said if _NEGATION.search(clause)]
    return len(said) > len(negated), bool(negated)


class _Mapper:
    def __init__(self, posting: dict, reference: Any, path: str, hours_per_month: float, days_per_month: float,
                 weeks_per_month: float, today: date | None):
        self.posting = posting
        self.reference = reference
        self.path = path
        self.per_month = {"HOUR": hours_per_month, "DAY": days_per_month, "WEEK": weeks_per_month,
                          "MONTH": 1.0, "YEAR": 1.0 / 12.0}
        self.today = today
        self.site_name = getattr(reference.site, "name", "the site")
        self.timezone = getattr(reference.site, "timezone", None)
        self.used: set[str] = set()
        self.opening: dict[str, Any] = {}
        self.unmapped: list[dict[str, str]] = []
        self.errors: list[dict[str, str]] = []

    # -- helpers

    def at(self, *keys: str | int) -> str:
        path = self.path
        for key in keys:
            path = join_path(path, key)
        return path

    def error(self, path: str, reason: str) -> None:
        self.errors.append({"field": path, "reason": reason})

    def skip(self, path: str, reason: str) -> None:
        self.unmapped.append({"field": path, "reason": reason})

    def take(self, key: str) -> Any:
        self.used.add(key)
        return self.posting.get(key)

    # -- fields

    def identifier(self, value: Any, path: str, what: str) -> str | None:
        if value is None:
            self.error(path, f"missing: give {what} as text or a PropertyValue with a \"value\"")
            return None
        if isinstance(value, dict):
            path = join_path(path, "value")
            value = value.get("value")
            if value is None:
                self.error(path, f"missing: the PropertyValue of {what} has no \"value\"")
                return None
        if isinstance(value, bool) or isinstance(value, (list, dict)) or value is None:
            self.error(path, f"{what} must be text or a number, not {_describe(value)}")
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        if not _EXTERNAL_ID.match(text) or len(text) > 64:
            self.error(path, f"'{text[:80]}' cannot be used as {what}: use at most 64 letters, digits or . _ : -,"
                             " starting with a letter or digit")
            return None
        return text

    def employer(self) -> str | None:
        organisation = self.take("hiringOrganization")
        path = self.at("hiringOrganization")
        if isinstance(organisation, dict):
            for key in organisation:
                if key != "identifier" and not key.startswith("@"):
                    self.skip(join_path(path, key), "kept on the employer record, not on the opening: only"
                                                    " hiringOrganization.identifier is used")
            return self.identifier(organisation.get("identifier"), join_path(path, "identifier"),
                                   "the employer's id (hiringOrganization.identifier)")
        if organisation is not None and not isinstance(organisation, str):
            self.error(path, f"hiringOrganization is {_describe(organisation)}, not an Organization object")
            return None
        self.error(join_path(path, "identifier"),
                   "missing: give hiringOrganization as an Organization with an \"identifier\" (the employer's id"
                   " in jobmatch)")
        return None

    def positions(self) -> None:
        if "totalJobOpenings" not in self.posting:
            self.opening["positions"] = 1
            return
        value = self.take("totalJobOpenings")
        path = self.at("totalJobOpenings")
        number = _number(value)
        if number is None or not number.is_integer():
            self.error(path, f"{_show(value)} is not a whole number of openings")
        elif not 0 <= number <= MAX_POSITIONS:
            self.error(path, f"{int(number)} openings is out of range: give 0 to {MAX_POSITIONS}")
        else:
            self.opening["positions"] = int(number)

    def salary(self) -> None:
        raw = self.take("baseSalary")
        path = self.at("baseSalary")
        if raw is None:
            self.error(path, "missing: a wage is required; give a MonetaryAmount with currency"
                             f" {self.reference.currency} and a value per HOUR, DAY, WEEK, MONTH or YEAR")
            return
        if isinstance(raw, list):
            if len(raw) != 1:
                self.error(path, f"gives {len(raw)} salaries: give one MonetaryAmount (one opening has one wage)")
                return
            raw, path = raw[0], join_path(path, 0)
        if not isinstance(raw, dict):
            self.error(path, f"is {_describe(raw)}, not a MonetaryAmount: give {{\"currency\": "
                             f"\"{self.reference.currency}\", \"value\": {{\"value\": ..., \"unitText\": \"MONTH\"}}}}"
                             " so the pay period is known")
            return
        self.currency(raw, path)
        holder, holder_path = raw, path
        if isinstance(raw.get("value"), dict):
            holder, holder_path = raw["value"], join_path(path, "value")
        unit, unit_path = self.unit(raw, path, holder, holder_path)
        amount = self.amount(holder, holder_path)
        if unit is None or amount is None:
            return
        monthly = _round_half_up(amount * self.per_month[unit])
        if monthly > MAX_MONTHLY_WAGE:
            self.error(unit_path, f"{amount:g} per {unit} is {monthly} a month, more than {MAX_MONTHLY_WAGE}:"
                                  " check the amount and unitText")
            return
        self.opening["monthly_wage_inr"] = monthly

    def amount(self, holder: dict, holder_path: str) -> float | None:
        """The lowest amount given (value or minValue); maxValue is checked and reported as not stored."""
        amounts: dict[str, float] = {}
        bad = False
        for key in ("value", "minValue", "maxValue"):
            if key in holder and holder[key] is not None:
                number = _number(holder[key])
                if number is None:
                    self.error(join_path(holder_path, key), f"{_show(holder[key])} is not a number: give the amount"
                                                            " as a number, like 12000 or 55.5")
                    bad = True
                else:
                    amounts[key] = number
        if bad:
            return None
        lowest = [(amounts[k], k) for k in ("value", "minValue") if k in amounts]
        if not lowest:
            where = join_path(holder_path, "value" if "maxValue" not in amounts else "minValue")
            self.error(where, "missing: give the amount (value, or minValue for a range; the lowest pay is checked"
                              " against the minimum wage)")
            return None
        amount, key = min(lowest)
        if amount <= 0:
            self.error(join_path(holder_path, key), f"{amount:g} is not a wage: it must be more than zero")
            return None
        if "maxValue" in amounts:
            if amounts["maxValue"] < amount:
                self.error(join_path(holder_path, "maxValue"), f"{amounts['maxValue']:g} is below the lowest amount"
                                                                 f" of the range ({amount:g})")
                return None
            self.skip(join_path(holder_path, "maxValue"), "the lowest pay of the range is stored as the wage (it"
                                                          " is checked against the minimum wage); maxValue is not")
        return amount

    def currency(self, raw: dict, path: str) -> None:
        own = raw.get("currency")
        posting_currency = self.posting.get("salaryCurrency")
        site = self.reference.currency
        if "salaryCurrency" in self.posting:
            self.used.add("salaryCurrency")
        if own is None and posting_currency is None:
            self.error(join_path(path, "currency"), f"missing: give the currency of the wage ({site})")
            return
        for value, where in ((own, join_path(path, "currency")), (posting_currency, self.at("salaryCurrency"))):
            if value is None:
                continue
            if not isinstance(value, str) or value.strip().upper() != site.upper():
                self.error(where, f"{_show(value)} is not the currency of {self.site_name} ({site}): give the wage in"
                                  f" {site}, as it is checked against the minimum wage")

    def unit(self, raw: dict, path: str, holder: dict, holder_path: str) -> tuple[str | None, str]:
        candidates = [(holder.get("unitText"), join_path(holder_path, "unitText"))]
        if holder is not raw:
            candidates.append((raw.get("unitText"), join_path(path, "unitText")))
        given = [(value, where) for value, where in candidates if value is not None]
        if not given:
            self.error(join_path(holder_path, "unitText"),
                       "missing: say what period the amount is for: HOUR, DAY, WEEK, MONTH or YEAR")
            return None, ""
        units = []
        for value, where in given:
            unit = value.strip().upper() if isinstance(value, str) else None
            if unit not in PAY_PERIODS:
                self.error(where, f"{_show(value)} is not a pay period jobmatch can convert to a monthly wage: use HOUR,"
                                  " DAY, WEEK, MONTH or YEAR")
                return None, where
            units.append((unit, where))
        if len({u for u, _ in units}) > 1:
            self.error(units[0][1], f"{units[0][0]} disagrees with {units[1][1]} ({units[1][0]}): give one pay period")
            return None, units[0][1]
        return units[0]

    def location(self) -> None:
        raw = self.take("jobLocation")
        path = self.at("jobLocation")
        if raw is None or raw == []:
            self.error(path, f"missing: an opening needs a place of work in {self.site_name}; give a Place with an"
                             " address (addressLocality: the district or town) or geo coordinates")
            return
        places = [(join_path(path, i), p) for i, p in enumerate(raw)] if isinstance(raw, list) else [(path, raw)]
        results = [(place_path, self.place(place, place_path)) for place_path, place in places]
        chosen = next(((p, r) for p, r in results if not isinstance(r, str)), None)
        if chosen is None:
            if len(results) == 1:
                self.error(path, f"no district of {self.site_name} found: {results[0][1]}")
            else:
                self.error(path, f"no district of {self.site_name} found in any of the {len(results)} locations: "
                           + "; ".join(f"{p}: {r}" for p, r in results))
            return
        chosen_path, (district, lat, lon, notes) = chosen
        self.opening.update(district=district.name, lat=lat, lon=lon)
        for note_path, reason in notes:
            self.skip(note_path, reason)
        for place_path, result in results:
            if place_path == chosen_path:
                continue
            reason = (f"one opening per location: post each location as its own JobPosting (this posting was mapped"
                      f" to {district.name}, from {chosen_path})")
            if isinstance(result, str):
                reason += f"; this location was not understood either: {result}"
            self.skip(place_path, reason)

    def place(self, place: Any, path: str) -> tuple[Any, float | None, float | None, list[tuple[str, str]]] | str:
        """(district, lat, lon, notes) for a Place, or why no district was found."""
        gazetteer = self.reference.site.gazetteer
        if isinstance(place, str):
            place = {"address": place}
        if not isinstance(place, dict):
            return f"is {_describe(place)}, not a Place"
        notes: list[tuple[str, str]] = []
        address = place.get("address")
        address_path = join_path(path, "address")
        tried: list[str] = []
        district = None
        address_is_text = isinstance(address, str)
        if address_is_text:
            address = {"streetAddress": address}
        if isinstance(address, dict):
            country = address.get("addressCountry")
            country = _text_of(country) if isinstance(country, dict) else country
            if isinstance(country, str) and len(country.strip()) == 2 \
                    and country.strip().upper() != self.reference.site.country.upper():
                return f"addressCountry '{country}' is not {self.reference.site.country}"
            for key in ("addressLocality", "addressRegion", "streetAddress"):
                text = address.get(key)
                if not isinstance(text, str) or not text.strip():
                    continue
                tried.append(f"{'address' if address_is_text else key} '{text.strip()}'")
                for part in [text, *text.split(",")]:
                    district = gazetteer.resolve(part.strip())
                    if district is not None:
                        break
                if district is not None:
                    break
            if district is not None:
                for key in ("streetAddress", "postalCode"):
                    if key in address:
                        notes.append((address_path if address_is_text else join_path(address_path, key),
                                      "the opening records the district and coordinates only, not the street"
                                      " address"))
        elif address is not None:
            notes.append((address_path, f"is {_describe(address)}, not a PostalAddress"))
        lat = lon = None
        geo_problem = None
        geo = place.get("geo")
        geo_path = join_path(path, "geo")
        if geo is not None:
            lat = _number(geo.get("latitude")) if isinstance(geo, dict) else None
            lon = _number(geo.get("longitude")) if isinstance(geo, dict) else None
            if lat is None or lon is None or not -90 <= lat <= 90 or not -180 <= lon <= 180:
                notes.append((geo_path, "not used: give GeoCoordinates with numeric latitude (-90..90) and longitude"
                                        " (-180..180)"))
                lat = lon = None
        if district is None and lat is not None:
            nearest = gazetteer.nearest(lat, lon) if hasattr(gazetteer, "nearest") else min(
                gazetteer, key=lambda d: _haversine_km(lat, lon, d.lat, d.lon))
            distance = _haversine_km(lat, lon, nearest.lat, nearest.lon)
            if distance <= GEO_DISTRICT_RADIUS_KM:
                district = nearest
            else:
                geo_problem = (f"geo ({lat:g}, {lon:g}) is {distance:.0f} km from the nearest district headquarters"
                               f" ({nearest.name}), more than {GEO_DISTRICT_RADIUS_KM:.0f} km")
        elif district is not None and lat is not None:
            distance = _haversine_km(lat, lon, district.lat, district.lon)
            if distance > GEO_ADDRESS_TOLERANCE_KM:
                notes.append((geo_path, f"not used: ({lat:g}, {lon:g}) is {distance:.0f} km from {district.name},"
                                        " the district the address names; the district's centre is used instead"))
                lat = lon = None
        if district is None:
            reasons = []
            if tried:
                reasons.append(f"{' and '.join(tried)} {'names' if len(tried) == 1 else 'name'} no district in the"
                               f" {self.site_name} gazetteer")
            else:
                reasons.append("there is no address (addressLocality, addressRegion)")
            if geo_problem:
                reasons.append(geo_problem)
            elif geo is None:
                reasons.append("there are no geo coordinates")
            else:
                reasons.append("the geo coordinates are not valid")
            return "; ".join(reasons)
        if lat is None:
            lat, lon = district.lat, district.lon
        return district, lat, lon, notes

    def location_type(self) -> None:
        value = self.take("jobLocationType")
        if value is None:
            return
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and v.strip().upper() == "TELECOMMUTE" for v in values):
            self.skip(self.at("jobLocationType"), "jobmatch has no remote openings: the opening is placed at its"
                                                  " jobLocation; a job done from home is not recorded as such")
        else:
            self.skip(self.at("jobLocationType"), "not used by jobmatch: only TELECOMMUTE is a schema.org value")

    def title_and_occupation(self) -> None:
        raw = self.take("title")
        path = self.at("title")
        title = None
        if raw is None:
            self.error(path, "missing: give the job title")
        elif not isinstance(raw, str) or not raw.strip():
            self.error(path, f"must be non-empty text, not {_describe(raw)}")
        else:
            title = _strip_html(raw)
            if len(title) > MAX_TITLE:
                self.skip(path, f"{len(title)} characters long: truncated to the first {MAX_TITLE}")
                title = title[:MAX_TITLE].rstrip()
            self.opening["title"] = title
        category = self.take("occupationalCategory")
        category_path = self.at("occupationalCategory")
        code = None
        if category is not None:
            code, tried = self.category_code(category)
            if code is None:
                by_title = self.reference.occupations.match(title).code if title else None
                how = (f"the occupation was taken from title ('{title}' → {by_title})" if by_title
                       else "the title is kept as the occupation text")
                self.skip(category_path, f"{tried} is not an occupation of the jobmatch taxonomy; {how}")
                code = by_title
        elif title:
            code = self.reference.occupations.match(title).code
        occupation = code or title
        if occupation:
            self.opening["occupation"] = occupation
        self.sector(code)

    def category_code(self, category: Any) -> tuple[str | None, str]:
        texts: list[str] = []
        for item in category if isinstance(category, list) else [category]:
            if isinstance(item, str):
                texts.append(item)
            elif isinstance(item, dict):
                texts += [item[k] for k in ("codeValue", "name") if isinstance(item.get(k), str)]
        for text in texts:
            for candidate in (text, _LEADING_CODE.sub("", text)):
                if candidate.strip():
                    code = self.reference.occupations.match(candidate.strip()).code
                    if code:
                        return code, text
        shown = " / ".join(f"'{t}'" for t in texts) if texts else f"{_describe(category)}"
        return None, shown

    def sector(self, occupation_code: str | None) -> None:
        industry = self.take("industry")
        sectors = self.reference.taxonomy.sectors
        from_occupation = (self.reference.taxonomy.occupations[occupation_code].sector
                           if occupation_code in self.reference.taxonomy.occupations else None)
        if industry is not None:
            text = _text_of(industry)
            wanted = normalise_text(text) if text else ""
            for code, name in sectors.items():
                if wanted and wanted in (normalise_text(code), normalise_text(name)):
                    self.opening["sector"] = code
                    return
            fallback = (f"the sector is taken from the occupation ({from_occupation})" if from_occupation
                        else "no sector is recorded")
            self.skip(self.at("industry"), f"{_show(text or industry)} is not a sector of the jobmatch taxonomy"
                                           f" ({', '.join(sectors)}); {fallback}")
        self.opening["sector"] = from_occupation

    def skills(self) -> None:
        raw = self.take("skills")
        requirement = self.take("experienceRequirements")
        path = self.at("skills")
        level = experience_level(requirement) if requirement is not None else 1
        if raw is None:
            self.opening["required_skills"] = []
            if requirement is not None:
                self.skip(self.at("experienceRequirements"), "not used: it only sets the level of listed skills, and"
                                                             " the posting lists no skills")
            return
        items = [(join_path(path, i), item) for i, item in enumerate(raw)] if isinstance(raw, list) else [(path, raw)]
        labels: list[str] = []
        seen: set[str] = set()
        for item_path, item in items:
            text = _text_of(item)
            if text is None:
                self.skip(item_path, f"is {_describe(item)}: give skills as text or DefinedTerm objects with a name")
                continue
            for label in _SKILL_SEPARATORS.split(_html_lines(text)):
                label = " ".join(label.split())
                if not label or label.casefold() in seen:
                    continue
                if len(label) > MAX_SKILL_LABEL:
                    self.skip(item_path, f"'{label[:40]}...' is longer than {MAX_SKILL_LABEL} characters: not read"
                                         " as a skill")
                    continue
                if len(labels) >= MAX_SKILLS:
                    self.skip(item_path, f"'{label}' not kept: an opening lists at most {MAX_SKILLS} skills")
                    continue
                seen.add(label.casefold())
                labels.append(label)
        self.opening["required_skills"] = [{"label": label, "level": level} for label in labels]

    def employment_type(self) -> None:
        raw = self.take("employmentType")
        if raw is None:
            return
        items = [(self.at("employmentType", i), v) for i, v in enumerate(raw)] if isinstance(raw, list) \
            else [(self.at("employmentType"), raw)]
        for item_path, value in items:
            kind = value.strip().upper() if isinstance(value, str) else None
            if kind in ("FULL_TIME", "PART_TIME"):
                reason = (f"{kind} is not stored: jobmatch openings have no employment-type field; say it in the"
                          " title if trainees should see it")
            elif kind in EMPLOYMENT_TYPES:
                reason = (f"{kind} is not stored: jobmatch openings have no employment-type field, so coordinators"
                          " and trainees will not see it; say it in the title and tell the programme's coordinator")
            else:
                reason = f"{_show(value)} is not a schema.org employment type ({', '.join(EMPLOYMENT_TYPES)})"
            self.skip(item_path, reason)

    def shift(self) -> None:
        raw = self.take("workHours")
        if raw is None:
            return
        path = self.at("workHours")
        if isinstance(raw, list) and all(isinstance(v, str) for v in raw):
            raw = "; ".join(raw)
        if not isinstance(raw, str):
            self.skip(path, f"is {_describe(raw)}, not text: the opening is recorded as a day shift")
            self.opening["shift"] = "day"
            return
        shift, understood = shift_from_work_hours(raw)
        self.opening["shift"] = shift
        if not understood:
            self.skip(path, f"no hours or shift pattern read from '{raw[:80]}': the opening is recorded as a day"
                            " shift; say 'night shift', 'rotating shifts' or give hours like 22:00-06:00 otherwise")

    def dates(self) -> None:
        days = {}
        for key, target in (("datePosted", "posted_on"), ("validThrough", "closes_on")):
            raw = self.take(key)
            if raw is None:
                continue
            day = _parse_day(raw, self.timezone)
            if day is None:
                self.error(self.at(key), f"{_show(raw)} is not an ISO 8601 date or date-time (like 2026-12-31 or"
                                         " 2026-12-31T18:00:00+05:30)")
                continue
            days[target] = day
            self.opening[target] = day
        if "posted_on" in days and "closes_on" in days and days["closes_on"] < days["posted_on"]:
            self.error(self.at("validThrough"), f"{days['closes_on']} is before datePosted ({days['posted_on']})")
        closed = self.today is not None and "closes_on" in days and days["closes_on"] < self.today
        self.opening["status"] = "closed" if closed else "open"

    def benefits(self) -> None:
        found = {"accommodation": [False, False], "transport": [False, False]}
        for key in ("jobBenefits", "description"):
            raw = self.take(key)
            if raw is None:
                continue
            text = raw if isinstance(raw, str) else " ; ".join(t for t in map(_text_of, raw if isinstance(raw, list)
                                                                               else [raw]) if t)
            named = False
            for name, pattern in (("accommodation", _ACCOMMODATION), ("transport", _TRANSPORT)):
                provided, refused = _mentions(text, pattern)
                found[name][0] |= provided
                found[name][1] |= refused
                named |= provided or refused
            if key == "jobBenefits" and not named:
                self.skip(self.at(key), "no accommodation or transport named: other benefits are not stored on the"
                                        " opening")
        self.opening["accommodation_provided"] = found["accommodation"] == [True, False]
        self.opening["transport_provided"] = found["transport"] == [True, False]

    def languages(self) -> None:
        raw = self.take("inLanguage")
        if raw is None:
            self.opening["languages_required"] = []
            return
        items = [(self.at("inLanguage", i), v) for i, v in enumerate(raw)] if isinstance(raw, list) \
            else [(self.at("inLanguage"), raw)]
        codes: list[str] = []
        for item_path, value in items:
            if isinstance(value, dict):
                value = value.get("alternateName") or value.get("name")
            match = _LANGUAGE.match(value.strip()) if isinstance(value, str) else None
            if match is None:
                self.skip(item_path, f"{_show(value)} is not an ISO 639-1 language code (like bn, hi, en or en-IN)")
                continue
            code = match.group(1).lower()
            if code not in codes:
                codes.append(code)
        self.opening["languages_required"] = codes[:20]

    def leftovers(self) -> None:
        for key in self.posting:
            if key in self.used or key.startswith("@"):
                continue
            self.skip(self.at(key), _SPECIFIC_REASONS.get(key, "not used by jobmatch"))


def map_posting(posting: dict, *, reference: Any, path: str = "$", hours_per_month: float = 208,
                days_per_month: float = 26, weeks_per_month: float = 4.33,
                today: date | None = None) -> MappedPosting:
    """Map one JobPosting object onto an opening.

    ``reference`` is the site's :class:`service.core.reference.Reference`; ``path`` the posting's JSON path in its
    document, which prefixes every reported field. ``today`` closes postings whose ``validThrough`` has passed.
    """
    if not isinstance(posting, dict):
        raise TypeError(f"{path} is {_describe(posting)}, not a JobPosting object")
    mapper = _Mapper(posting, reference, path, hours_per_month, days_per_month, weeks_per_month, today)
    external_id = mapper.identifier(mapper.take("identifier"), mapper.at("identifier"),
                                    "the posting's id (identifier)")
    employer_external_id = mapper.employer()
    mapper.title_and_occupation()
    mapper.skills()
    mapper.location()
    mapper.location_type()
    mapper.salary()
    mapper.positions()
    mapper.shift()
    mapper.opening.setdefault("shift", "day")
    mapper.benefits()
    mapper.languages()
    mapper.dates()
    mapper.employment_type()
    mapper.leftovers()
    return MappedPosting(external_id=external_id, employer_external_id=employer_external_id,
                         opening=mapper.opening, unmapped=mapper.unmapped, errors=mapper.errors)
