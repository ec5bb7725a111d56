"""The console's strings live in one catalogue per language: every key a template names exists in English,
another language's strings fill the same fields, and what it lacks falls back to English."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path
from typing import get_args

import pytest

from matching.formatting import ScoreKind
from service.console import i18n
from service.console.web import NAV
from service.nightly.models import DeclineReason

CONSOLE = Path(i18n.__file__).resolve().parent
NAMED = re.compile(r"""\bt\(\s*f?["']([a-z_.0-9]*[a-z0-9])["']""")  # t("key"); not t("status." ~ value)
# Keys built from a value: every value they can take must have a string.
FAMILIES = {"status.": ["in_training", "job_ready", "placed", "exited", "open", "closed"],
            "role.": ["admin", "coordinator", "employer", "batch"], "shift.": ["day", "night", "rotating"],
            "trainee.level_": ["1", "2", "3"], "consent.": ["given", "withdrawn"], "language.": ["en", "bn"],
            "decline_reason.": list(get_args(DeclineReason)), "proposals.meaning.": list(get_args(ScoreKind)),
            "proposals.show_": ["waiting", "all"],
            "followups.view_": ["due", "overdue", "all"], "followups.none_": ["due", "overdue", "all"],
            "followups.wellbeing_": ["1", "2", "3", "4", "5"]}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_the_console_names_has_an_english_string():
    english = i18n.catalogue("en")
    sources = [*CONSOLE.glob("templates/*.html"), *CONSOLE.glob("*.py")]
    named = {key for path in sources for key in NAMED.findall(path.read_text(encoding="utf-8"))}
    named |= {prefix + value for prefix, values in FAMILIES.items() for value in values}
    named |= {entry.label for entry in NAV}
    assert len(named) > 100
    assert not sorted(named - set(english))


def test_bengali_strings_are_a_subset_with_the_same_fields():
    english, bengali = i18n.catalogue("en"), i18n.catalogue("bn")
    assert bengali and not sorted(set(bengali) - set(english))
    assert not [key for key, text in bengali.items() if fields(text) != fields(english[key])]
    assert all(re.search("[\u0980-\u09ff]", text) for text in bengali.values())  # written in Bengali script


def test_a_missing_string_falls_back_to_english():
    bengali = i18n.Translator("bn")
    assert bengali("nav.today") == "আজ"
    assert "signin.key_hint" not in i18n.catalogue("bn")
    assert bengali("signin.key_hint") == i18n.Translator("en")("signin.key_hint")
    assert bengali("today.run.waiting", count=3) == "3টি প্রস্তাব সিদ্ধান্তের অপেক্ষায়।"
    with pytest.raises(KeyError):
        bengali("no.such.key")


@pytest.mark.parametrize(("query", "cookie", "header", "chosen"), [
    ("bn", "en", "en", "bn"),
    (None, "bn", "en", "bn"),
    (None, None, "fr;q=1, bn-IN;q=0.8, en;q=0.5", "bn"),
    (None, None, "en-GB, bn;q=0.5", "en"),
    ("xx", "yy", "bn;q=0", "en"),
    (None, None, None, "en"),
])
def test_the_language_is_the_query_then_the_cookie_then_the_browser(query, cookie, header, chosen):
    assert i18n.choose(query=query, cookie=cookie, accept_language=header) == chosen


def test_every_catalogue_is_valid_json_keyed_by_plain_names():
    for path in (CONSOLE / "locales").glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert all(re.fullmatch(r"[a-z_.0-9]+", key) for key in data), path.name
