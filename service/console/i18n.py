"""The console's strings, one catalogue per language (`locales/<lang>.json`): templates name a string by its key,
so a language is added by adding a file, never by touching a template. A key a language lacks falls back to
English; a key English lacks is a programming error (the catalogue test checks every template's keys)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LOCALES = Path(__file__).resolve().parent / "locales"
DEFAULT = "en"
LANG_COOKIE = "lang"


@cache
def catalogue(lang: str) -> Mapping[str, str]:
    """The strings of one language as stored (no fallback)."""
    path = LOCALES / f"{lang}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


@cache
def languages() -> tuple[str, ...]:
    """Every language with a catalogue, English first."""
    found = sorted(path.stem for path in LOCALES.glob("*.json"))
    return (DEFAULT, *[lang for lang in found if lang != DEFAULT])


@dataclass(frozen=True)
class Translator:
    """The strings of one language, falling back to English key by key."""

    lang: str

    def __call__(self, name: str, /, **values: object) -> str:
        """The string named `name` in this language (English when it has none), with `{field}`s filled in."""
        text = catalogue(self.lang).get(name) or catalogue(DEFAULT).get(name)
        if text is None:
            raise KeyError(f"No string '{name}' in service/console/locales/{DEFAULT}.json")
        return text.format(**values) if values else text


def _accepted(header: str) -> list[str]:
    """Languages of an Accept-Language header, most wanted first (primary subtags only)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag:
            ranked.append((-quality, position, tag.split("-")[0].lower()))
    return [tag for quality, _, tag in sorted(ranked) if quality < 0]


def choose(*, query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The language to answer in: the one asked for in the query, else the cookie's, else the browser's first
    known one, else English."""
    known = languages()
    for wanted in (query, cookie):
        if wanted in known:
            return wanted
    for wanted in _accepted(accept_language or ""):
        if wanted in known:
            return wanted
    return DEFAULT
