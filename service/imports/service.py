"""Importing a bundle all-or-nothing: validate every row first, then upsert in chunks in one transaction."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, col

from service.auth.models import ApiKey
from service.consents import service as consents
from service.core.db import table_of
from service.core.errors import Conflict, DomainError, Unresolvable
from service.core.progress import NO_PROGRESS, Progress
from service.core.reference import Reference, UnknownSite
from service.employers import repository as employers
from service.followups.schedule import schedule
from service.followups.service import raise_risk_flags
from service.imports import history
from service.imports.checks import FileCheck, Parsed
from service.imports.files import BUNDLE_FILES, BY_NAME, BundleFile
from service.imports.names import EXPECTED, meant
from service.imports.reader import Bundle, NotABundle, UnreadableRow, UnzipLimits
from service.imports.spill import Spill
from service.journeys import service as journeys
from service.keys.sites import key_site_codes
from service.openings import service as openings_service
from service.placements.models import Placement
from service.records import writes
from service.records.unit_of_work import unit_of_work
from service.records.writes import same

log = logging.getLogger("jobmatch.imports")
MAX_WARNINGS = 1_000  # listed in a report; all are counted, by kind
_QUOTED = re.compile(r"'[^']*'")


class BundleInvalid(Unresolvable):
    """A bundle with at least one invalid row: nothing was written."""

    title = "Invalid bundle"
    slug = "invalid-bundle"


@dataclass
class FileCounts:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def warning_kind(file: str, column: str, reason: str) -> str:
    """What warnings of one kind share: file, column and reason with the quoted values left out."""
    where = f"{file}:{column}" if column else file
    return f"{where}: " + _QUOTED.sub("'…'", reason)


@dataclass
class ImportReport:
    dry_run: bool
    files: dict[str, FileCounts] = field(default_factory=dict)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    warning_count: int = 0
    warning_kinds: Counter[str] = field(default_factory=Counter)  # every warning, counted by kind
    max_warnings: int | None = MAX_WARNINGS  # how many are listed; None lists every one
    confirmed_journeys: journeys.ReplacedJourneys | None = None  # when trainees.csv has confirmed_journeys

    @property
    def rows(self) -> int:
        """Rows read from every file (inserted, updated or unchanged)."""
        return sum(counts.rows for counts in self.files.values())

    def as_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "files": {name: asdict(counts) for name, counts in self.files.items()},
                "confirmed_journeys": None if self.confirmed_journeys is None else asdict(self.confirmed_journeys),
                "warning_count": self.warning_count, "warnings": self.warnings}


@dataclass
class _Problems:
    errors: list[dict[str, Any]] = field(default_factory=list)
    report: ImportReport | None = None

    def error(self, file: str, line: int, column: str, reason: str) -> None:
        self.errors.append({"file": file, "line": line, "column": column, "reason": reason})

    def warn(self, file: str, line: int, column: str, reason: str) -> None:
        report = self.report
        assert report is not None
        report.warning_count += 1
        report.warning_kinds[warning_kind(file, column, reason)] += 1
        if report.max_warnings is None or len(report.warnings) < report.max_warnings:
            report.warnings.append({"file": file, "line": line, "column": column, "reason": reason})


def _check_header(spec: BundleFile, header: list[str], problems: _Problems) -> list[str]:
    """The contract columns this file has; missing required columns are errors, unknown ones warnings, and an
    unknown one that is a near miss of a contract column the header lacks is an error naming that column (its
    values would otherwise be dropped)."""
    seen: set[str] = set()
    claimed: set[str] = set()
    stored_of = {neutral: stored for stored, neutral in spec.neutral.items()}
    for column in header:
        if column in seen:
            problems.error(spec.name, 1, column, "column appears twice in the header")
        if column in stored_of and stored_of[column] in header:
            problems.error(spec.name, 1, column, f"give '{column}' or '{stored_of[column]}', not both")
        seen.add(stored_of.get(column, column))
    for column in header:
        if column in spec.columns or column in stored_of:
            continue
        intended = meant(column, [name for name in spec.columns if name not in seen])
        if intended is not None:
            claimed.add(intended)
            problems.error(spec.name, 1, column, f"unknown column; did you mean '{intended}'?")
        else:
            problems.warn(spec.name, 1, column, "unknown column ignored")
    for column in spec.required_columns():
        if column not in seen and column not in claimed:
            problems.error(spec.name, 1, column, "required column is missing from the header")
    return [column for column in spec.columns if column in seen]


def _present_fields(spec: BundleFile, columns: list[str]) -> set[str]:
    """Stored fields a file with these columns sets on rows that already exist."""
    present = {column for column in columns if column not in spec.key}
    for column in columns:
        present.update(spec.derived.get(column, ()))
    return present


def _existing_ids(session: Session, spec: BundleFile, ids: list[str], conditions: Sequence[Any] = ()) -> set[str]:
    """Which of these external ids are stored (among the rows the conditions allow)."""
    external_id = table_of(spec.resource.table).c.external_id
    found: set[str] = set()
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        found.update(session.execute(select(external_id).where(external_id.in_(chunk), *conditions)).scalars())
    return found


def _validate_file(spec: BundleFile, bundle: Bundle, reference: Reference, problems: _Problems,
                   progress: Progress, caller: ApiKey | None, bundle_ids: dict[str, set[Any]],
                   pending: list[tuple[str, int, str, str, str, bool]], file_columns: dict[str, list[str]],
                   seen_lines: dict[tuple[Any, ...], int], mentioned: set[str], chunk_rows: int, spill: Spill,
                   key_sites: set[str] | None = None) -> None:
    """First pass over one file: its header, then each chunk's columns, keys and references."""
    with bundle.chunks(spec.name, chunk_rows) as (header, chunks):
        columns = _check_header(spec, header, problems)
        file_columns[spec.name] = columns
        if any(err["file"] == spec.name and err["line"] == 1 for err in problems.errors):
            return
        check = FileCheck(spec, columns, reference, key_sites=key_sites)
        found: list[tuple[int, bool, str, str]] = []  # a chunk's problems: line, is a warning, column, reason

        def error(line: int, column: str, reason: str) -> None:
            found.append((line, False, column, reason))

        def warn(line: int, column: str, reason: str) -> None:
            found.append((line, True, column, reason))

        for chunk in chunks:

            if len(spec.key) == 1:
                mentioned.update(text.strip() for text in chunk.cells.get(spec.key[0], ()))
            rows = check.rows(chunk, error, warn, caller)
            if not problems.errors and not any(not is_warning for _, is_warning, _, _ in found):
                spill.add(spec.name, rows)  # kept for the write; once a problem is found nothing will be written
            for parsed in rows:
                if parsed.key in seen_lines:
                    shown = "/".join(map(str, parsed.key))
                    error(parsed.line, spec.key[0], f"duplicate key {shown}, first on line {seen_lines[parsed.key]}")
                    continue
                seen_lines[parsed.key] = parsed.line
                for column, target in spec.references.items():
                    value = parsed.values.get(column, dict(zip(spec.key, parsed.key)).get(column))
                    if value is not None and value not in bundle_ids.get(target, ()):
                        pending.append((spec.name, parsed.line, column, target, value, False))
                for column, target in spec.list_references.items():
                    for value in parsed.values.get(column) or []:
                        if value not in bundle_ids.get(target, ()):
                            pending.append((spec.name, parsed.line, column, target, value, True))
                for column, target in spec.companions.items():  # may name rows of a later file: checked at the end
                    for value in parsed.companions.get(column) or {}:
                        pending.append((spec.name, parsed.line, column, target, value, False))
            for line, is_warning, column, reason in sorted(found, key=lambda item: item[0]):  # in line order
                (problems.warn if is_warning else problems.error)(spec.name, line, column, reason)
            found.clear()
            progress.advance(len(chunk))


def _validate(bundle: Bundle, session: Session, reference: Reference, problems: _Problems,
              progress: Progress, caller: ApiKey | None, chunk_rows: int, spill: Spill) -> dict[str, list[str]]:
    """First pass: read every row, keep only keys and references; returns the columns of each file."""
    bundle_ids: dict[str, set[Any]] = {}
    pending: list[tuple[str, int, str, str, str, bool]] = []  # file, line, column, target file, id, is_warning
    file_columns: dict[str, list[str]] = {}
    # a coordinator's or employer's key writes records of its own sites only, as over the API
    key_sites = key_site_codes(session=session, key=caller) if caller is not None else None
    for spec in BUNDLE_FILES:
        if spec.name not in bundle:
            continue
        seen_lines: dict[tuple[Any, ...], int] = {}
        mentioned: set[str] = set()  # ids of every row, valid or not: a bad row is reported once, not by referrers
        try:
            _validate_file(spec, bundle, reference, problems, progress, caller, bundle_ids, pending,
                           file_columns, seen_lines, mentioned, chunk_rows, spill, key_sites)
        except UnreadableRow as exc:
            problems.error(spec.name, exc.line, "", exc.reason)
            continue
        if len(spec.key) == 1:
            bundle_ids[spec.name] = mentioned
            scope = spec.resource.scope.visible(caller) if caller is not None else []
            if scope:  # rows of another party's records cannot be written with this key (and are not named)
                ids = sorted(key[0] for key in seen_lines)
                stored = _existing_ids(session, spec, ids)
                hidden = stored - _existing_ids(session, spec, ids, scope)
                # New ids outside the key's namespace get the same answer as another party's ids.
                hidden |= {i for i in set(ids) - stored if not spec.resource.scope.may_create(caller, i)}
                for external_id in sorted(hidden):
                    problems.error(spec.name, seen_lines[(external_id,)], spec.key[0],
                                   "this external_id cannot be written with this key")
    for target in sorted({item[3] for item in pending}):
        target_scope = BY_NAME[target].resource.scope.visible(caller) if caller is not None else []
        known = _existing_ids(session, BY_NAME[target], sorted({item[4] for item in pending if item[3] == target}),
                              target_scope)
        in_bundle = bundle_ids.get(target, set())
        for file, line, column, item_target, value, is_warning in pending:
            if item_target == target and value not in known and value not in in_bundle:
                reason = f"refers to '{value}', which is neither in {target} nor stored"
                (problems.warn if is_warning else problems.error)(file, line, column, reason)
    return file_columns


def _check_opening_sites(bundle: Bundle, session: Session, reference: Reference, problems: _Problems) -> None:
    """An opening is in its employer's site: its district must be in the site of the employer's district."""
    def site_of(district: str) -> str | None:
        try:
            return reference.for_district(district).code
        except UnknownSite:  # reported with the row already
            return None

    employer_sites: dict[str, str | None] = {}
    if "employers.csv" in bundle:
        with bundle.rows("employers.csv") as (_, rows):
            for row in rows:
                employer_sites[row.cells.get("external_id", "").strip()] = site_of(row.cells.get("district", ""))
    openings: list[tuple[int, str, str | None]] = []
    with bundle.rows("openings.csv") as (_, rows):
        for row in rows:
            openings.append((row.line, row.cells.get("employer_external_id", "").strip(),
                             site_of(row.cells.get("district", ""))))
    stored = employers.sites(session=session, external_ids={e for _, e, _ in openings if e not in employer_sites})
    for line, employer, site in openings:
        reason = None if site is None else openings_service.site_problem(
            opening_site=site, employer_site=employer_sites.get(employer, stored.get(employer)), reference=reference)
        if reason is not None:
            problems.error("openings.csv", line, "district", reason)


def _check_open_placements(bundle: Bundle, session: Session, problems: _Problems) -> None:
    """One woman, one open placement: within the bundle, and against the stored placements it does not rewrite."""
    open_rows: dict[str, tuple[int, str]] = {}  # trainee -> (line, placement) of the bundle's open placement
    in_bundle: set[str] = set()
    with bundle.rows("placements.csv") as (header, rows):
        for row in rows:
            placement, trainee = (row.cells.get(name, "").strip() for name in ("external_id", "trainee_external_id"))
            in_bundle.add(placement)
            if "ended_on" in header and row.cells.get("ended_on", "").strip():
                continue
            if trainee in open_rows:
                problems.error("placements.csv", row.line, "trainee_external_id",
                               f"she already has an open placement ({open_rows[trainee][1]}, line "
                               f"{open_rows[trainee][0]}); end it (ended_on) before starting another")
            else:
                open_rows[trainee] = (row.line, placement)
    trainees = sorted(open_rows)
    for start in range(0, len(trainees), 1000):
        stored = session.execute(select(col(Placement.trainee_external_id), col(Placement.external_id)).where(
            col(Placement.trainee_external_id).in_(trainees[start:start + 1000]), col(Placement.ended_on).is_(None)))
        for trainee, placement in stored:
            line, new = open_rows[trainee]
            if placement not in in_bundle and placement != new:
                problems.error("placements.csv", line, "trainee_external_id",
                               f"she already has an open placement ({placement}); end it before starting another")


def _write_chunk(session: Session, spec: BundleFile, chunk: list[Parsed], present: set[str],
                 counts: FileCounts, caller: ApiKey | None, follow_on: dict[str, list]) -> None:
    table = spec.resource.table
    key_columns = [getattr(table, name) for name in spec.key]
    keys = [parsed.key for parsed in chunk]
    condition = key_columns[0].in_([key[0] for key in keys]) if len(keys[0]) == 1 else tuple_(*key_columns).in_(keys)
    existing = {tuple(row[name] for name in spec.key): row
                for row in session.execute(select(table_of(table)).where(condition)).mappings()}
    # id -> external id (None for follow-ups, which have none); values as the database gave them
    existing_by_id: dict[int, Any] = {row["id"]: row.get("external_id") for row in existing.values()}
    inserts: list[dict[str, Any]] = []
    changed: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for parsed in chunk:
        current = existing.get(parsed.key)
        if current is None:
            inserts.append({**dict(zip(spec.key, parsed.key)), **parsed.values})
            continue
        fields = {name: value for name, value in parsed.values.items() if name in present}
        if all(same(current[name], value) for name, value in fields.items()):
            counts.unchanged += 1
            continue
        changed.append((dict(current), fields))
    writes.insert_many(session=session, table=table, rows=inserts, action="import")
    writes.update_many(session=session, table=table, changes_by_row=changed, action="import")
    counts.inserted += len(inserts)
    counts.updated += len(changed)
    updates = [{"id": current["id"], **fields} for current, fields in changed]
    if updates and spec.name == "trainees.csv" and "excluded_employers" in present:  # exclusion withdraws consent
        consents.withdraw_excluded(session=session, caller=caller, exclusions={
            existing_by_id[row["id"]]: row["excluded_employers"] for row in updates if "excluded_employers" in row})
    if spec.name == "placements.csv":  # their follow-up schedule, once the bundle's own follow-ups are in
        follow_on["placements"] += [(row["external_id"], row["started_on"], row.get("ended_on")) for row in inserts]
        follow_on["placements"] += [(existing_by_id[row["id"]], row["started_on"], row.get("ended_on"))
                                    for row in updates if row.get("started_on")]
    for column in spec.companions:  # her confirmed journeys, written once the files they name are in
        follow_on[column] += [(parsed.key[0], parsed.companions[column]) for parsed in chunk
                              if column in parsed.companions]
    if spec.name == "followups.csv":
        follow_on["flags"] += [(p.key[0], p.values.get("checked_on")) for p in chunk if p.values.get("risk_flag")]
    counts.rows += len(chunk)


def _confirmed_by(caller: ApiKey | None) -> str:
    """Who confirmed the journeys a bundle brings: the key's name (or its prefix), or the command line."""
    if caller is None:
        return "bundle import (command line)"
    return f"bundle import ({caller.name or caller.prefix})"


def _check_names(bundle: Bundle, problems: _Problems) -> None:
    """Files the contract does not name are ignored with a warning, unless a file name is a near miss of a
    contract file the bundle lacks (`Trainees.CSV`): its rows would be lost, so it is an error naming the file
    meant. A bundle with no contract file at all is refused: importing it would import nothing."""
    present = [name for name in bundle.names() if name in BY_NAME]
    for name in bundle.names():
        if name in BY_NAME:
            continue
        intended = meant(name, [spec.name for spec in BUNDLE_FILES if spec.name not in present])
        if intended is None:
            problems.warn(name, 0, "", "not a file of the bundle contract; ignored")
        elif not name.lower().endswith(".csv"):
            problems.error(name, 0, "", f"not a bundle file: save it as UTF-8 CSV named {intended}")
        else:
            problems.error(name, 0, "", f"not a bundle file name; did you mean {intended}? (names are lower case)")
    for name in bundle.ignored:
        problems.warn(name, 0, "", "sub-folders are not part of a bundle; ignored")
    if not present and not problems.errors:
        held = bundle.names() + bundle.ignored  # a folder that holds the bundle's folder: name it
        found = f" (it holds {', '.join(held[:5])}{', ...' if len(held) > 5 else ''})" if held else " (it is empty)"
        raise NotABundle(f"{bundle.path.name} has no bundle file{found}; a bundle holds {EXPECTED}.")


def import_bundle(*, engine: Engine, reference: Reference, path: Path, dry_run: bool = False,
                  chunk_rows: int = 2_000, progress: Progress = NO_PROGRESS, caller: ApiKey | None = None,
                  limits: UnzipLimits | None = None, max_warnings: int | None = MAX_WARNINGS) -> ImportReport:
    """Validate the whole bundle, then write it in one transaction (rolled back on a dry run); the attempt is kept
    in the import history whatever comes of it.

    With a caller (an API key), rows outside that key's scope are problems; without one (the CLI), all is allowed.
    With limits, a .zip that would expand beyond them is refused (ArchiveTooLarge) before or while it is read.
    Progress counts rows: the rows are counted first, then checked, then written. The report lists at most
    `max_warnings` warnings (None: all) and counts all of them by kind."""
    try:
        report = _import_bundle(engine=engine, reference=reference, path=path, dry_run=dry_run, chunk_rows=chunk_rows,
                                progress=progress, caller=caller, limits=limits, max_warnings=max_warnings)
    except DomainError as exc:
        keep_refused(engine=engine, caller=caller, dry_run=dry_run, error=exc)
        raise
    keep(lambda: history.record_done(engine=engine, source="api" if caller else "cli", caller=caller,
                                     dry_run=dry_run, rows=report.rows))
    return report


def keep_refused(*, engine: Engine, caller: ApiKey | None, dry_run: bool, error: DomainError) -> None:
    """Keep a refused import in the history (an upload refused before its bundle was read, too)."""
    keep(lambda: history.record_refused(engine=engine, source="api" if caller else "cli", caller=caller,
                                        dry_run=dry_run, error=error))


def keep(record: Callable[[], None]) -> None:
    """Keep an attempt in the history; a history that cannot be written must not hide what came of the import."""
    try:
        record()
    except SQLAlchemyError as exc:
        log.warning("import attempt not kept", extra={"error": exc.__class__.__name__})


def _import_bundle(*, engine: Engine, reference: Reference, path: Path, dry_run: bool, chunk_rows: int,
                   progress: Progress, caller: ApiKey | None, limits: UnzipLimits | None, max_warnings: int | None
                   ) -> ImportReport:
    report = ImportReport(dry_run=dry_run, max_warnings=max_warnings)
    problems = _Problems(report=report)
    bundle = Bundle(path, limits=limits)
    spill = Spill()
    try:
        _check_names(bundle, problems)
        total = sum(bundle.count_rows(spec.name) for spec in BUNDLE_FILES if spec.name in bundle)
        progress.start("checking rows", total)
        with Session(engine) as session:
            file_columns = _validate(bundle, session, reference, problems, progress, caller, chunk_rows, spill)
            if not problems.errors and "placements.csv" in file_columns:
                _check_open_placements(bundle, session, problems)
            if not problems.errors and "openings.csv" in file_columns:
                _check_opening_sites(bundle, session, reference, problems)
        if problems.errors:
            raise BundleInvalid(f"The bundle has {len(problems.errors)} problem(s); nothing was written. Fix them and "
                                "import it again.",
                                errors=problems.errors)
        follow_on: dict[str, list] = {"placements": [], "flags": [], "confirmed_journeys": []}
        progress.start("writing rows" if not dry_run else "writing rows (a dry run: rolled back)", total)
        try:
            with unit_of_work(engine, timezone=reference.site.timezone, actor=caller, dry_run=dry_run) as session:
                for spec in BUNDLE_FILES:
                    if spec.name not in file_columns:
                        continue
                    counts = report.files.setdefault(spec.name, FileCounts())
                    present = _present_fields(spec, file_columns[spec.name])
                    for chunk in spill.chunks(spec.name):
                        _write_chunk(session, spec, chunk, present, counts, caller, follow_on)
                        progress.advance(len(chunk))
                schedule(session=session, placements=follow_on["placements"])
                raise_risk_flags(session, follow_on["flags"])
                if "confirmed_journeys" in file_columns.get("trainees.csv", ()):
                    report.confirmed_journeys = journeys.replace_confirmed(
                        session=session, journeys=dict(follow_on["confirmed_journeys"]),
                        confirmed_by=_confirmed_by(caller))
        except IntegrityError as exc:
            raise Conflict("The bundle conflicts with records stored meanwhile; nothing was written. "
                           f"({exc.orig.__class__.__name__})") from exc
    finally:
        bundle.close()
        spill.close()
    log.info("bundle imported", extra={"dry_run": dry_run, **{name: asdict(c) for name, c in report.files.items()}})
    return report
