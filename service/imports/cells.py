"""Reading one CSV cell of a bundle into a Python value, with a reason when it cannot be read."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from matching.skills import parse_skill_list

TRUE = {"true", "yes", "1", "y"}
FALSE = {"false", "no", "0", "n"}
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class CellError(ValueError):
    """A cell whose text is not a value of its column's kind."""


def read_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise CellError(f"'{text}' is not a boolean (true/false, yes/no, 1/0)")


def read_int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise CellError(f"'{text}' is not a whole number") from None


def read_float(text: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise CellError(f"'{text}' is not a number") from None


def read_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CellError(f"'{text}' is not an ISO 8601 date (YYYY-MM-DD)") from None


def read_period(text: str) -> str:
    if not PERIOD.match(text.strip()):
        raise CellError(f"'{text}' is not a month (YYYY-MM)")
    return text.strip()


def read_list(text: str) -> list[str]:
    return [read_text(part) for part in text.split(";") if part.strip()]


def read_skills(text: str) -> list[dict[str, Any]]:
    text = read_text(text)
    try:
        return [{"label": label, "level": level} for label, level in parse_skill_list(text)]
    except ValueError as exc:
        raise CellError(str(exc)) from None


#: Marks a required skill as essential in openings.csv: `Tailoring:2!`.
ESSENTIAL_MARK = "!"
ITEM_SEPARATORS = re.compile(r"[;\n\r]+")  # as matching.skills.parse_skill_list splits a list


def read_required_skills(text: str) -> list[dict[str, Any]]:
    """Skills as `read_skills` reads them; an item ending in `!` is essential (`Tailoring:2!;POS billing:1`)."""
    items = [item.strip() for item in ITEM_SEPARATORS.split(read_text(text)) if item.strip()]
    marked = [item.endswith(ESSENTIAL_MARK) for item in items]
    bare = [item[:-1].strip() if flag else item for item, flag in zip(items, marked)]
    for position, item in enumerate(bare, 1):
        if not item:
            raise CellError(f"skill {position} ('{ESSENTIAL_MARK}'): a skill must come before '{ESSENTIAL_MARK}'")
    skills = read_skills(";".join(bare))
    return [dict(skill, essential=True) if flag else skill for skill, flag in zip(skills, marked, strict=True)]


#: A confirmed journey's opening id (as ExternalId) and its whole one-way minutes (as the API takes them).
JOURNEY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$")
JOURNEY_MINUTES = (1, 600)


def read_journeys(text: str) -> dict[str, int]:
    """Confirmed journeys `OP-000123:50;OP-000456:35` (opening external id : one-way minutes) as {opening: minutes};
    the minutes follow the last `:` (an id may hold `:` too)."""
    found: dict[str, int] = {}
    for position, item in enumerate((part.strip() for part in read_text(text).split(";")), 1):
        if not item:
            continue
        opening, colon, minutes = item.rpartition(":")
        opening = opening.strip()
        if not colon or not opening:
            raise CellError(f"journey {position} ('{item}') is not opening:minutes, e.g. OP-000123:50")
        if not JOURNEY_ID.match(opening):
            raise CellError(f"journey {position}: '{opening}' is not an opening external id")
        try:
            value = int(minutes.strip())
        except ValueError:
            raise CellError(f"journey {position} ({opening}): '{minutes.strip()}' is not a whole number of minutes"
                            ) from None
        low, high = JOURNEY_MINUTES
        if not low <= value <= high:
            raise CellError(f"journey {position} ({opening}): {value} minutes is not within {low}-{high}")
        if opening in found:
            raise CellError(f"journey {position}: opening {opening} is given twice")
        found[opening] = value
    return found


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def read_text(text: str) -> str:
    text = text.strip()
    if text.startswith("'") and text[1:2] in FORMULA_STARTS:
        return text[1:]  # written escaped by an export; see escape_formula
    return text


def escape_formula(text: str) -> str:
    """Cells a spreadsheet would run as a formula get a leading apostrophe (OWASP CSV injection)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# The empty value of each kind: lists are empty, everything else is missing (the model's default applies).
READERS: dict[str, tuple[Callable[[str], Any], Any]] = {
    "text": (read_text, None), "int": (read_int, None), "float": (read_float, None), "bool": (read_bool, None),
    "date": (read_date, None), "period": (read_period, None), "list": (read_list, []), "skills": (read_skills, []),
    "required_skills": (read_required_skills, []), "journeys": (read_journeys, {}),
}


def write_cell(kind: str, value: Any) -> str:
    """The bundle text of a stored value (the inverse of reading it)."""
    if value is None:
        return ""
    if kind == "bool":
        return "true" if value else "false"
    if kind == "list":
        return ";".join(escape_formula(item) for item in value)
    if kind in ("skills", "required_skills"):
        return escape_formula(";".join(f"{item['label']}:{item['level']}"
                                       + (ESSENTIAL_MARK if item.get("essential") else "") for item in value))
    if kind == "journeys":
        return escape_formula(";".join(f"{opening}:{minutes}" for opening, minutes in sorted(value.items())))
    if kind == "date":
        return value.isoformat()
    if kind == "float":
        return repr(float(value))
    if kind == "text":
        return escape_formula(str(value))
    return str(value)
