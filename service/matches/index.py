"""The in-memory index of open openings and job-ready trainees.

Built from the database at start. Each query first reads the newest change id (one indexed lookup, which the
authentication gate makes with the request's key); if other writes happened since (in this worker or another), the
changed records are reloaded into a small delta table and their old rows in the older tables are masked. When the
delta grows large the base is rebuilt. So answers are always as fresh as the database, and a write costs the index
only the rows it touched. Every table is loaded with the skill and place lists a query selects its candidate rows
from (`matching.selection`): a delta builds lists of its own few rows, and the rows it replaces are masked in the
older tables' answers like the rest of them."""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matching import selection
from matching.tables import OpeningTable, TraineeTable
from service.core.reference import Reference
from service.matches import loader
from service.openings import repository as opening_repository
from service.records import changes

log = logging.getLogger("jobmatch.index")
REBUILD_AFTER = 2_000  # changed rows kept in deltas before the base is rebuilt
MAX_DELTAS = 8  # deltas a query merges before they are combined into one
T = TypeVar("T")
Table = TypeVar("Table", OpeningTable, TraineeTable)


@dataclass
class Segment:
    """One table of the index and the ids it must no longer answer for (replaced or removed since it was built)."""

    table: Any
    stale: set[str] = field(default_factory=set)


@dataclass
class LiveTable:
    """A base table plus small delta tables of the rows changed since it was built.

    Each write loads only the rows it changed into a new delta and masks them in the older segments, so a steady
    trickle of writes costs each one its own rows; the deltas are merged into one after a few, and the base is
    rebuilt once many rows have changed."""

    name: str
    load: Callable[[Session, Collection[str] | None], Any]
    segment_list: tuple[Segment, ...] = ()  # base first; replaced whole, so a query meanwhile sees a consistent set
    touched: set[str] = field(default_factory=set)

    @property
    def built(self) -> bool:
        return bool(self.segment_list)

    def rebuild(self, session: Session) -> None:
        started = time.perf_counter()
        base = Segment(self.load(session, None))
        self.segment_list, self.touched = (base,), set()
        log.info("index built", extra={"table": self.name, "rows": len(base.table),
                                       "ms": round((time.perf_counter() - started) * 1000)})

    def apply(self, session: Session, ids: set[str]) -> None:
        """Load the changed rows into a new delta (merging the deltas, or rebuilding, when they grow)."""
        if not ids:
            return
        touched = self.touched | ids
        if len(touched) > REBUILD_AFTER:
            self.rebuild(session)
            return
        base, *deltas = self.segment_list
        if len(deltas) >= MAX_DELTAS:  # merge: one delta holding every row changed since the base was built
            fresh, deltas = Segment(self.load(session, touched)), []
        else:
            fresh = Segment(self.load(session, ids))
        self.segment_list = (Segment(base.table, touched),
                             *(Segment(delta.table, delta.stale | ids) for delta in deltas), fresh)
        self.touched = touched

    def segments(self) -> list[Segment]:
        return list(self.segment_list)

    def find(self, external_id: str) -> tuple[Any, int] | None:
        """The table and row answering for this id now (None: the index does not hold it)."""
        for segment in reversed(self.segment_list):  # the newest first: an older one masks what a newer replaced
            if external_id in segment.stale:
                continue
            try:
                return segment.table, segment.table.index_of(external_id)
            except KeyError:
                continue
        return None

    def rows(self) -> int:
        """The rows queries answer from: every segment's rows but those masked as replaced or removed."""
        return sum(len(segment.table) - int(np.isin(segment.table.external_id, list(segment.stale)).sum())
                   if segment.stale else len(segment.table) for segment in self.segment_list)


def prepared(table: Table) -> Table:
    """The table with the lists each query selects its candidates from already built, so no query pays for them."""
    selection.prepare(table)
    return table


class MatchIndex:
    """One site's open openings and the job-ready trainees matched with them, kept consistent with the database."""

    def __init__(self, *, engine: Engine, reference: Reference) -> None:
        self.engine, self.reference = engine, reference
        self.matcher: Any = None  # the MatchEngine with the active models; rebuilt when one is promoted
        self.model_versions: dict[str, str] = {}
        self.openings = LiveTable("openings", lambda s, ids: prepared(loader.load_openings(s, reference, ids=ids)))
        self.trainees = LiveTable("trainees", lambda s, ids: prepared(loader.load_trainees(s, reference, ids=ids)))
        self.version = -1
        self._lock = threading.Lock()
        self._derived: dict[str, tuple[Any, Any]] = {}
        self._changed_at: dict[str, int] = {}  # entity -> the newest change id that touched it, as this index saw it

    def current(self, session: Session, *, seen: int | None = None) -> MatchIndex:
        """Bring the index up to the database's newest change; cheap when nothing changed. `seen`, the newest
        change id read at the start of the request (with its key), saves reading it again."""
        latest = changes.latest(session=session) if seen is None else seen
        if latest == self.version:
            return self
        with self._lock:
            if latest == self.version or (seen is not None and latest < self.version):
                return self  # another request brought it further meanwhile: never back
            changed = {} if self.version < 0 else changes.since(session=session, after=self.version, upto=latest)
            for entity in changed:
                self._changed_at[entity] = latest
            if self.matcher is None or "model" in changed:
                from service.models_registry.matcher import build_matcher
                self.matcher, self.model_versions = build_matcher(db=self.engine, reference=self.reference)
            if self.version < 0 or not self.openings.built or "model" in changed:
                # New models may read the tables differently (demand per opening is cached in them): rebuild.
                self.openings.rebuild(session)
                self.trainees.rebuild(session)
            elif changes.ERASURE in changed:
                # An erasure is logged without her id (the log must not keep it): reload every trainee.
                self.openings.apply(session, self._changed_openings(session, changed))
                self.trainees.rebuild(session)
            else:
                self.openings.apply(session, self._changed_openings(session, changed))
                self.trainees.apply(session, set(changed.get("trainee", ())))
            self.version = latest
        return self

    def confirmed_journeys(self, trainee_external_id: str) -> dict[str, float] | None:
        """Her confirmed journeys ({opening: minutes}) as the index holds them (a journey is logged as a change of
        her record), or None when she is not in it (not job-ready); the index must be current first."""
        found = self.trainees.find(trainee_external_id)
        if found is None:
            return None
        table, row = found
        return table.confirmed_journeys[row] or {}

    def derived(self, name: str, build: Callable[[], T], *, day: Any, reads: Collection[str]) -> T:
        """A value computed from the records of some entities (say, the market's pipeline of trainees), kept until
        one of them changes, a model is promoted or the site's day turns; the index must be current first."""
        key = (tuple(self._changed_at.get(entity, -1) for entity in sorted({*reads, "model"})), day)
        found = self._derived.get(name)
        if found is not None and found[0] == key:
            return cast(T, found[1])
        value = build()
        self._derived[name] = (key, value)
        return value

    def sizes(self) -> dict[str, tuple[int, int]]:
        """Per table, the rows answered from and the segments they are held in (base and deltas)."""
        return {table.name: (table.rows(), len(table.segment_list)) for table in (self.openings, self.trainees)}

    @property
    def site(self) -> str:
        return self.reference.code

    @staticmethod
    def _changed_openings(session: Session, changed: dict[str, set[str]]) -> set[str]:
        """The openings changed, and those of changed employers: vetting changes alter their openings' safety."""
        found = set(changed.get("opening", ()))
        employers = changed.get("employer", set())
        if employers:
            found |= opening_repository.list_ids_of_employers(session=session, employer_external_ids=employers)
        return found


class SiteIndexes:
    """One index per served site: a site's openings are only ever ranked against the women its tables hold."""

    def __init__(self, *, engine: Engine, reference: Reference) -> None:
        self.engine, self.reference = engine, reference
        self.by_site = {code: MatchIndex(engine=engine, reference=reference.of(code)) for code in reference.served()}
        #: The newest change id a request read with its key (see `seeing`); None: read it when needed.
        self.seen: int | None = None

    def seeing(self, seen: int | None) -> SiteIndexes:
        """The same indexes for one request that has read the newest change id already (`seen`)."""
        view = copy.copy(self)
        view.seen = seen
        return view

    def current(self, site: str, session: Session) -> MatchIndex:
        """The site's index, brought up to the database's newest change (404 for a site not served)."""
        index = self.by_site.get(site)
        if index is None:
            from service.core.errors import NotFound
            raise NotFound(f"Site '{site}' is not served here.")
        return index.current(session, seen=self.seen)

    def all_current(self, session: Session) -> list[MatchIndex]:
        """Every site's index, each brought up to date."""
        return [index.current(session, seen=self.seen) for index in self.by_site.values()]

    @property
    def model_versions(self) -> dict[str, str]:
        """The model versions answers use (every site's index uses the same active models)."""
        return next(iter(self.by_site.values())).model_versions

    def sizes(self) -> dict[str, tuple[int, int]]:
        """Per table, the rows answered from and the segments they are held in, summed over the sites."""
        total: dict[str, tuple[int, int]] = {}
        for index in self.by_site.values():
            for name, (rows, segments) in index.sizes().items():
                before = total.get(name, (0, 0))
                total[name] = (before[0] + rows, before[1] + segments)
        return total
