"""How long work says how far it has got, without knowing who shows it: the command line draws a bar with the
time left, the API passes nothing. Work announces each stage with its total first, then advances it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Progress(Protocol):
    def start(self, stage: str, total: int) -> None:
        """A stage of `total` units (rows, blocks, steps) begins; it ends the previous one."""

    def advance(self, units: int = 1) -> None:
        """`units` more units of the current stage are done."""


class NoProgress:
    """Reports nowhere: the default of every service."""

    def start(self, stage: str, total: int) -> None:
        pass

    def advance(self, units: int = 1) -> None:
        pass


NO_PROGRESS: Progress = NoProgress()


def as_callback(progress: Progress) -> Callable[[str, int], None]:
    """The `(stage, units)` callback of code that reports units only, advancing the current stage."""
    return lambda _stage, units: progress.advance(units)
