"""Small readers of JobPosting values: JSON paths, numbers, text, HTML and dates, and values shown in messages."""

from __future__ import annotations

import html
import json
import math
import re
from datetime import date, datetime
from typing import Any

_NUMBER = re.compile(r"^\s*-?\d+(\.\d+)?\s*$")
_SIMPLE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TAG = re.compile(r"<[^>]+>")


def join_path(path: str, key: str | int) -> str:
    """``$`` + ``title`` → ``$.title``; ``$`` + 1 → ``$[1]``; ``$`` + ``@graph`` → ``$['@graph']``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _SIMPLE_KEY.match(key):
        return f"{path}.{key}"
    return "{}['{}']".format(path, key.replace("\\", "\\\\").replace("'", "\\'"))


def show(value: Any) -> str:
    """A value as JSON, cut short, for messages."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def describe(value: Any) -> str:
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


def strip_html(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", text)).split())


def html_lines(text: str) -> str:
    """Text with HTML tags turned into line breaks, so list items stay apart."""
    return html.unescape(_TAG.sub("\n", text)) if "<" in text else text


def read_number(value: Any) -> float | None:
    """A JSON number or a plain decimal string ("12000", "55.5"); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str) and _NUMBER.match(value):
        return float(value)
    return None


def round_half_up(value: float) -> int:
    return int(math.floor(value + 0.5))


def text_of(value: Any) -> str | None:
    """Text, or the ``name`` of a DefinedTerm-like object."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("name", "termCode", "codeValue", "@value"):
            if isinstance(value.get(key), str) and value[key].strip():
                return value[key]
    return None


def parse_day(value: Any, timezone: str | None) -> date | None:
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
