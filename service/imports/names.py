"""The names a bundle's files must have, and the contract name a mistyped file or column name was meant to be."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# The contract's files (service.imports.files.BUNDLE_FILES), named here for messages, in the order people fill them.
FILE_NAMES = ("trainees.csv", "employers.csv", "openings.csv", "placements.csv", "followups.csv",
              "market_signals.csv")
EXPECTED = "files named " + ", ".join(FILE_NAMES) + ", each optional"


def _plain(name: str) -> str:
    """A name as people mean it: case, spaces, hyphens and underscores aside."""
    return "".join(ch for ch in name.casefold() if ch not in " _-")


def meant(name: str, choices: Iterable[str]) -> str | None:
    """The one choice this name is a near miss of (another case, a typo), or None."""
    options = list(choices)
    if name in options:
        return None
    plain = {_plain(choice): choice for choice in options}
    if _plain(name) in plain:
        return plain[_plain(name)]
    close = difflib.get_close_matches(_plain(name), list(plain), n=1, cutoff=0.8)
    return plain[close[0]] if close else None
