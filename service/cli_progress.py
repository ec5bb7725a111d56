"""Progress of long commands: a bar with the total, percentage and time left on a terminal, plain lines now and
then when the output goes to a file or a log (the services report through `service.core.progress.Progress`)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

LINE_INTERVAL_SECONDS = 10.0  # plain lines: at each stage's start and end, and at most this often between


class BarProgress:
    """One rich bar for the command; each stage restarts it with its own total."""

    def __init__(self, bar: Progress, task: TaskID, label: str) -> None:
        self.bar, self.task, self.label = bar, task, label

    def start(self, stage: str, total: int) -> None:
        """A total of 0 is unknown: a spinner and a count, no bar."""
        self.bar.reset(self.task, total=total or None, description=f"{self.label}: {stage}")

    def advance(self, units: int = 1) -> None:
        self.bar.advance(self.task, units)


class LineProgress:
    """`label: stage done/total (pct%), about M:SS left` lines, for output that is not a terminal."""

    def __init__(self, console: Console, label: str, interval: float = LINE_INTERVAL_SECONDS) -> None:
        self.console, self.label, self.interval = console, label, interval
        self.stage, self.total, self.done = "", 0, 0
        self.started = self.last = time.monotonic()

    def start(self, stage: str, total: int) -> None:
        self.stage, self.total, self.done = stage, max(total, 0), 0
        self.started = self.last = time.monotonic()
        self._line()

    def advance(self, units: int = 1) -> None:
        if units <= 0:
            return
        self.done += units
        now = time.monotonic()
        if 0 < self.total <= self.done or now - self.last >= self.interval:
            self.last = now
            self._line()

    def _line(self) -> None:
        if not self.total:  # unknown
            text = f"{self.label}: {self.stage}" + (f" {self.done:,}" if self.done else "")
        else:
            done = min(self.done, self.total)
            text = f"{self.label}: {self.stage} {done:,}/{self.total:,} ({100 * done // self.total}%)"
            elapsed = time.monotonic() - self.started
            if 0 < done < self.total and elapsed >= 1:
                left = round(elapsed / done * (self.total - done))
                text += f", about {timedelta(seconds=left)} left"
        self.console.print(text, highlight=False, markup=False, soft_wrap=True)


@contextmanager
def progress_for(console: Console, label: str) -> Iterator[BarProgress | LineProgress]:
    """What a command passes its service as `progress`: a bar on a terminal, plain lines otherwise."""
    if not console.is_terminal:
        yield LineProgress(console, label)
        return
    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TaskProgressColumn(), TimeRemainingColumn(compact=True, elapsed_when_finished=True)]
    with Progress(*columns, console=console, transient=True) as bar:
        yield BarProgress(bar, bar.add_task(label, total=None), label)
