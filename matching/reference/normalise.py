"""Text normalisation for looking up district names and skill and occupation labels.

It lives beside the loaders so that they reject two entries that would be
indistinguishable once normalised.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

__all__ = ["LabelIndex", "compact_text", "normalise_text"]

_DROP_CHARS = {"'", "\u2019", "\u2018", "`", "\u00b4"}


def _fold_plural(token: str) -> str:
    """Reduce a simple English plural to its singular ("bags" -> "bag")."""
    if len(token) <= 3 or not token.isascii() or not token.isalpha():
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith(("sses", "shes", "ches", "xes")):
        return token[:-2]
    if token.endswith(("ss", "us")):
        return token
    if token.endswith("s"):
        return token[:-1]
    return token


def _clean(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text).casefold()
    out: list[str] = []
    prev_latin = False
    for ch in text:
        if ch in _DROP_CHARS:
            continue
        if ch == "&":
            out.append(" and ")
            prev_latin = False
            continue
        cat = unicodedata.category(ch)
        if cat[0] == "M":
            # Accents on Latin letters are dropped ("é" -> "e"); vowel signs of
            # Indic scripts are part of the word and kept.
            if not prev_latin:
                out.append(ch)
            continue
        if cat[0] in "LN":
            out.append(ch)
            prev_latin = ch < "\u0250"
        else:
            out.append(" ")
            prev_latin = False
    return "".join(out).split()


# Labels repeat (an import reads the same few hundred skills, districts and occupations on every row), so the
# normalised forms are remembered; the bound keeps a stream of distinct labels from growing memory.
@lru_cache(maxsize=65_536)
def normalise_text(text: str) -> str:
    """Case-, accent-, punctuation-, spacing- and plural-insensitive form of a label.

    >>> normalise_text("  Jute-Bags & Beads ")
    'jute bag and bead'
    """
    return " ".join(_fold_plural(t) for t in _clean(text))


@lru_cache(maxsize=65_536)
def compact_text(text: str) -> str:
    """The normalised label with no spaces and no plural folding ("N24 Pgs" -> "n24pgs")."""
    return "".join(_clean(text))


class LabelIndex:
    """Maps normalised labels to codes.

    Each label is indexed under its normalised form and, as a fallback, under its
    spaceless form; a spaceless form shared by two codes is dropped as ambiguous.
    A label registered with several methods keeps the first ("exact" before
    "synonym" when callers add names before synonyms).
    """

    def __init__(self) -> None:
        self._keys: dict[str, tuple[str, str]] = {}
        self._compact: dict[str, tuple[str, str] | None] = {}

    def add(self, text: str, code: str, method: str) -> str | None:
        """Index ``text`` for ``code``; returns the other code if the label is already taken."""
        key = normalise_text(text)
        if not key:
            return None
        existing = self._keys.get(key)
        if existing is not None and existing[0] != code:
            return existing[0]
        if existing is None:
            self._keys[key] = (code, method)
        compact = compact_text(text)
        if compact not in self._compact:
            self._compact[compact] = (code, method)
        else:
            held = self._compact[compact]
            if held is not None and held[0] != code:
                self._compact[compact] = None
        return None

    def lookup(self, text: str) -> tuple[str, str] | None:
        """``(code, method)`` for a label, or None."""
        hit = self._keys.get(normalise_text(text))
        if hit is not None:
            return hit
        return self._compact.get(compact_text(text))

    def keys(self) -> Mapping[str, tuple[str, str]]:
        """Normalised label -> ``(code, method)``."""
        return MappingProxyType(self._keys)

    def __len__(self) -> int:
        return len(self._keys)
