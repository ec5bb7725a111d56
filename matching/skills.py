"""Map the free-text skill and occupation labels coordinators type onto taxonomy codes.

Labels are compared after :func:`matching.reference.normalise_text` (case,
accents, punctuation, spacing and simple plurals ignored) against each entry's
code, name and synonyms (and, for occupations, its NSQF qualification-pack
code). A label that matches none of them exactly is compared by edit distance
(rapidfuzz ``token_sort_ratio``) and accepted when that similarity reaches
``fuzzy_threshold`` and the two differ by few edits (a typo, not a different
word that shares letters: "accounting" is not "counting").
Results are cached: an import repeats the same few hundred labels many times.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from .reference import SKILL_LEVELS, LabelIndex, Site, Taxonomy, compact_text, normalise_text

__all__ = [
    "LEVEL_WORDS",
    "LabelMatch",
    "SkillNormaliser",
    "normalise_skill_list",
    "parse_skill_list",
]

METHODS = ("exact", "synonym", "fuzzy", "unknown")
#: Below this length a label is only matched exactly: edit distance means little on 2-3 letters.
MIN_FUZZY_LENGTH = 4
#: How close a label must be for an unmatched label to carry a suggestion.
SUGGESTION_THRESHOLD = 0.8
#: A fuzzy match may differ by at most one edit (insertion, deletion, substitution or swap of
#: neighbours) per this many characters, and always by one.
CHARS_PER_EDIT = 6


def _sorted_tokens(text: str) -> str:
    return " ".join(sorted(text.split()))


def _few_edits(a: str, b: str) -> bool:
    """Whether two labels are a typo apart rather than different words that share letters."""
    allowed = max(1, max(len(a), len(b)) // CHARS_PER_EDIT)
    return OSA.distance(a, b, score_cutoff=allowed) <= allowed


@dataclass(frozen=True)
class LabelMatch:
    """How one label was mapped.

    ``method`` is "exact" (the code, name or NSQF code), "synonym", "fuzzy" or
    "unknown" (``code`` is None). ``score`` is 1.0 for exact and synonym
    matches, the similarity (0..1) for fuzzy ones, and for unknown labels the
    similarity of the closest entry, named in ``suggestion`` when it is at
    least :data:`SUGGESTION_THRESHOLD`.
    """

    label: str
    code: str | None
    method: str
    score: float
    suggestion: str | None = None

    @property
    def matched(self) -> bool:
        return self.code is not None


class SkillNormaliser:
    """Maps labels onto skill codes (``kind="skill"``) or occupation codes (``kind="occupation"``).

    With a ``site``, its own labels (``Site.skill_labels``: a label in the site's script and its
    transliteration) are synonyms too.
    """

    def __init__(self, taxonomy: Taxonomy, *, kind: str = "skill", fuzzy_threshold: float = 0.86,
                 cache_size: int = 200_000, site: Site | None = None):
        if kind not in ("skill", "occupation"):
            raise ValueError(f"kind must be 'skill' or 'occupation', not {kind!r}")
        if not 0.0 < fuzzy_threshold <= 1.0:
            raise ValueError(f"fuzzy_threshold must be in (0, 1], not {fuzzy_threshold!r}")
        self.taxonomy = taxonomy
        self.kind = kind
        self.fuzzy_threshold = float(fuzzy_threshold)
        self._cache_size = max(1, int(cache_size))
        self._index = LabelIndex()
        for text, code, method in (*self._labels(taxonomy, kind), *self._site_labels(taxonomy, kind, site)):
            other = self._index.add(text, code, method)
            if other is not None:
                raise ValueError(f"{kind} label {text!r} names both {other!r} and {code!r}")
        keys = sorted(k for k in self._index.keys() if len(k) >= MIN_FUZZY_LENGTH)
        self._choices: list[str] = keys
        self._choice_codes: list[str] = [self._index.keys()[k][0] for k in keys]
        self._by_label: dict[str, LabelMatch] = {}
        self._by_key: dict[tuple[str, str], tuple[str | None, str, float, str | None]] = {}

    @staticmethod
    def _labels(taxonomy: Taxonomy, kind: str) -> Iterable[tuple[str, str, str]]:
        if kind == "skill":
            for skill in taxonomy.skills.values():
                yield skill.code, skill.code, "exact"
                yield skill.name, skill.code, "exact"
            for skill in taxonomy.skills.values():
                for synonym in skill.synonyms:
                    yield synonym, skill.code, "synonym"
        else:
            for occupation in taxonomy.occupations.values():
                yield occupation.code, occupation.code, "exact"
                yield occupation.name, occupation.code, "exact"
                if occupation.nsqf_code:
                    yield occupation.nsqf_code, occupation.code, "exact"
            for occupation in taxonomy.occupations.values():
                for synonym in occupation.synonyms:
                    yield synonym, occupation.code, "synonym"

    @staticmethod
    def _site_labels(taxonomy: Taxonomy, kind: str, site: Site | None) -> Iterable[tuple[str, str, str]]:
        entries = taxonomy.skills if kind == "skill" else taxonomy.occupations
        for label in site.skill_labels if site is not None else ():
            if label.code in entries:
                yield label.label, label.code, "synonym"
                if label.transliteration:
                    yield label.transliteration, label.code, "synonym"

    def codes(self) -> tuple[str, ...]:
        """The codes this normaliser maps onto."""
        entries = self.taxonomy.skills if self.kind == "skill" else self.taxonomy.occupations
        return tuple(entries)

    def match(self, label: str) -> LabelMatch:
        """Map one label."""
        if not isinstance(label, str):
            raise TypeError(f"label must be a string, not {type(label).__name__}")
        cached = self._by_label.get(label)
        if cached is not None:
            return cached
        key = normalise_text(label)
        cache_key = (key, compact_text(label))
        found = self._by_key.get(cache_key)
        if found is None:
            found = self._resolve(label, key)
            self._remember(self._by_key, cache_key, found)
        code, method, score, suggestion = found
        result = LabelMatch(label=label, code=code, method=method, score=score, suggestion=suggestion)
        self._remember(self._by_label, label, result)
        return result

    def match_many(self, labels: Iterable[str]) -> list[LabelMatch]:
        """Map labels, in order."""
        return [self.match(label) for label in labels]

    def _remember(self, cache: dict, key, value) -> None:
        if len(cache) >= self._cache_size:
            cache.clear()
        cache[key] = value

    def _resolve(self, label: str, key: str) -> tuple[str | None, str, float, str | None]:
        if not key:
            return None, "unknown", 0.0, None
        hit = self._index.lookup(label)
        if hit is not None:
            return hit[0], hit[1], 1.0, None
        if len(key) < MIN_FUZZY_LENGTH or not self._choices:
            return None, "unknown", 0.0, None
        candidates = process.extract(key, self._choices, scorer=fuzz.token_sort_ratio, limit=8)
        if not candidates:
            return None, "unknown", 0.0, None
        sorted_key = _sorted_tokens(key)
        accepted = [(score, self._choice_codes[i]) for choice, score, i in candidates
                    if score >= self.fuzzy_threshold * 100.0 and _few_edits(sorted_key, _sorted_tokens(choice))]
        if not accepted:
            best, best_code = candidates[0][1], self._choice_codes[candidates[0][2]]
            score = round(best / 100.0, 4)
            return None, "unknown", score, best_code if score >= SUGGESTION_THRESHOLD else None
        best = accepted[0][0]
        best_codes = {code for score, code in accepted if score >= best - 1e-9}
        score = round(best / 100.0, 4)
        if len(best_codes) == 1:
            return best_codes.pop(), "fuzzy", score, None
        # Equally close to two different entries: refuse to guess.
        return None, "unknown", score, None

    def cache_info(self) -> dict[str, int]:
        return {"labels": len(self._by_label), "normalised": len(self._by_key)}

    def __repr__(self) -> str:
        return f"SkillNormaliser(kind={self.kind!r}, labels={len(self._index)}, threshold={self.fuzzy_threshold})"


# --------------------------------------------------------------------------- "label:level; ..." lists

#: Level words accepted in place of digits.
LEVEL_WORDS = {"basic": 1, "working": 2, "proficient": 3}
_SEPARATORS = re.compile(r"[;\n\r]+")


def _parse_level(raw: str, label: str, position: int) -> int:
    text = raw.strip()
    if not text:
        raise ValueError(f"skill {position} ({label!r}): level is missing after ':' (use 1, 2 or 3)")
    word = LEVEL_WORDS.get(text.casefold())
    if word is not None:
        return word
    if text.isascii() and text.isdigit() and int(text) in SKILL_LEVELS:
        return int(text)
    raise ValueError(f"skill {position} ({label!r}): level {text!r} is not 1, 2 or 3")


def parse_skill_list(text: str | None) -> list[tuple[str, int]]:
    """Parse ``"Tailoring:2; POS billing:1"`` into ``[("Tailoring", 2), ("POS billing", 1)]``.

    Items are separated by ``;`` (or line breaks); the level after the last
    ``:`` is 1 (basic), 2 (working) or 3 (proficient), also written as those
    words, and defaults to 1 when omitted. Empty items (a trailing ``;``) are
    skipped. Raises ``ValueError`` naming the item for an empty label or a bad
    level. Labels are returned as typed (stripped), in order, repeats included.
    """
    if text is None:
        return []
    if not isinstance(text, str):
        raise TypeError(f"skill list must be a string, not {type(text).__name__}")
    result: list[tuple[str, int]] = []
    position = 0
    for item in _SEPARATORS.split(text):
        item = item.strip()
        if not item:
            continue
        position += 1
        if ":" in item:
            label, raw_level = item.rsplit(":", 1)
            label = label.strip()
            if not label:
                raise ValueError(f"skill {position} ({item!r}): the label before ':' is empty")
            level = _parse_level(raw_level, label, position)
        else:
            label, level = item, 1
        if not normalise_text(label):
            raise ValueError(f"skill {position} ({item!r}): the label has no letters or digits")
        result.append((label, level))
    return result


def normalise_skill_list(text: str | None, normaliser: SkillNormaliser
                         ) -> tuple[dict[str, int], list[LabelMatch]]:
    """Parse a skill list and map its labels: ``({code: highest level}, [unmatched labels])``."""
    levels: dict[str, int] = {}
    unmatched: list[LabelMatch] = []
    for label, level in parse_skill_list(text):
        match = normaliser.match(label)
        if match.code is None:
            unmatched.append(match)
        elif level > levels.get(match.code, 0):
            levels[match.code] = level
    return levels, unmatched
