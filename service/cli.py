"""The `jobmatch` command line."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlmodel import Session, select

from service.core import clock
from service.core.clock import site_today
from service.core.config import get_settings
from service.core.errors import DomainError

if TYPE_CHECKING:  # the commands import what they use when they run, so that `jobmatch --help` starts fast
    from sqlalchemy.engine import Engine

    from service.core.reference import Reference
    from service.imports.service import ImportReport

app = typer.Typer(help="jobmatch: safe, explained job-matching for workforce-development programmes.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_show_locals=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
console = Console(stderr=True)
out = Console()


@app.callback()
def configure() -> None:
    """Logs go to stderr, structured as the service's: warnings only, unless JOBMATCH_LOG_LEVEL asks for more (a
    terminal shows the command's own output and progress, not INFO lines)."""
    from service.core.logging import configure as configure_logging
    settings = get_settings()
    configure_logging(settings.log_level if "log_level" in settings.model_fields_set else "WARNING",
                      settings.log_format)


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Callable[[str, int], None]]:
    """A progress bar on a terminal; silent otherwise (logs carry the outcome)."""
    if not sys.stderr.isatty():
        yield lambda _stage, _advance: None
        return
    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(description, total=total)

        def advance(stage: str, amount: int) -> None:
            progress.update(task, description=stage, advance=amount)

        yield advance


def print_table(headers: list[str], rows: list[list[str]], title: str | None = None) -> None:
    """A table on a terminal; tab-separated lines for scripts and pipes."""
    if out.is_terminal:
        table = Table(*headers, title=title)
        for row in rows:
            table.add_row(*row)
        out.print(table)
        return
    if title:
        out.print(f"# {title}", highlight=False, markup=False)
    for row in [headers, *rows]:
        out.print("\t".join(row), highlight=False, markup=False, soft_wrap=True)


def _engine() -> Engine:
    from service.core.db import make_engine
    settings = get_settings()
    return make_engine(settings.database_url, pool_size=settings.db_pool_size,
                       pool_timeout=settings.db_pool_timeout_seconds,
                       busy_timeout=settings.sqlite_busy_timeout_seconds)


def _reference() -> Reference:
    from service.core.reference import load_reference
    settings = get_settings()
    return load_reference(settings.data_dir, settings.site, settings.currency)


def _unit_of_work() -> AbstractContextManager[Session]:
    """One unit of work for a command: committed once when the command's work is done."""
    from service.records.unit_of_work import unit_of_work
    return unit_of_work(_engine(), timezone=_reference().site.timezone)


def _fail(message: str) -> NoReturn:
    console.print(f"[red]error:[/red] {message}", soft_wrap=True)  # one line, for scripts and logs
    raise typer.Exit(code=1)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database if needed and apply every migration."""
    from service.core.migrate import upgrade
    upgrade(get_settings().database_url)
    console.print("database is at the newest migration")


@app.command("serve")
def serve(host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
          port: Annotated[int | None, typer.Option(help="Port.")] = None,
          workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None) -> None:
    """Serve the REST API (OpenAPI docs at /docs)."""
    import uvicorn
    settings = get_settings()
    # A bounded graceful shutdown: on SIGTERM, requests in flight get this long, then the server stops anyway.
    uvicorn.run("service.asgi:app", host=host or settings.host, port=port or settings.port,
                workers=workers or settings.workers, log_level=settings.log_level.lower(), access_log=False,
                timeout_graceful_shutdown=settings.shutdown_timeout_seconds)


def _print_report(report: ImportReport) -> None:
    print_table(["file", "rows", "inserted", "updated", "unchanged"],
                [[name, str(c.rows), str(c.inserted), str(c.updated), str(c.unchanged)]
                 for name, c in report.files.items()],
                title="dry run: nothing written" if report.dry_run else "imported")
    for warning in report.warnings:
        out.print(f"warning: {warning['file']}:{warning['line']}:{warning['column']}: {warning['reason']}",
                  highlight=False, markup=False)
    if report.warning_count > len(report.warnings):
        out.print(f"... and {report.warning_count - len(report.warnings)} more warnings")


@app.command("import")
def import_(path: Annotated[Path, typer.Argument(help="Bundle folder or .zip.", exists=True)],
            dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and count; write nothing.")] = False
            ) -> None:
    """Import a bundle all-or-nothing; every problem is listed as file:line:column: reason."""
    from service.imports.reader import UnzipLimits
    from service.imports.service import import_bundle
    settings = get_settings()
    limits = UnzipLimits(max_bytes=settings.max_unzipped_bytes, max_ratio=settings.max_zip_ratio)
    try:
        with progress_bar("importing") as advance:
            report = import_bundle(engine=_engine(), reference=_reference(), path=path, dry_run=dry_run,
                                   chunk_rows=settings.import_chunk_rows, progress=advance, limits=limits)
    except DomainError as exc:
        for err in exc.errors or []:
            console.print(f"{err['file']}:{err['line']}:{err['column']}: {err['reason']}", highlight=False,
                          markup=False)
        _fail(exc.detail)
    _print_report(report)


@app.command("export")
def export(path: Annotated[Path, typer.Argument(help="Folder to write (or a path ending in .zip).")]) -> None:
    """Write every stored record as a bundle."""
    from service.imports.export import export_bundle
    with progress_bar("exporting") as advance:
        counts = export_bundle(engine=_engine(), path=path, progress=advance)
    for name, count in counts.items():
        out.print(f"{name}: {count} rows")


@app.command("demo-data")
def demo_data(out_dir: Annotated[Path, typer.Argument(help="Folder to write the bundle into.")],
              seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = 7,
              trainees: Annotated[int, typer.Option(help="Trainees to generate.")] = 2000,
              openings: Annotated[int, typer.Option(help="Open openings to generate.")] = 500) -> None:
    """Generate a plausible synthetic programme as a bundle (no real person in it)."""
    from demo.generator import generate_bundle
    with progress_bar("generating") as advance:
        counts = generate_bundle(out_dir, seed=seed, trainees=trainees, openings=openings,
                                 data_dir=get_settings().data_dir, progress=advance)
    for name, count in counts.items():
        out.print(f"{name}: {count} rows")


@app.command("setup")
def setup(demo: Annotated[bool, typer.Option(help="Load data/demo when the database is empty.")] = True) -> None:
    """Migrate, load the demo bundle into an empty database, and print an admin key if none exists."""
    from service.auth import service as keys
    from service.core.migrate import upgrade
    from service.imports.service import import_bundle
    from service.trainees.models import Trainee
    settings = get_settings()
    upgrade(settings.database_url)
    engine = _engine()
    with Session(engine) as session:
        empty = session.exec(select(Trainee.id).limit(1)).first() is None
    if demo and empty:
        with progress_bar("loading the demo bundle") as advance:
            report = import_bundle(engine=engine, reference=_reference(), path=settings.data_dir / "demo",
                                   progress=advance)
        console.print("demo bundle loaded: " + ", ".join(f"{name} {c.rows}" for name, c in report.files.items()))
    with _unit_of_work() as session:
        if not keys.any_admin(session=session):
            _, raw = keys.create(session=session, role="admin", name="first admin key")
            console.print("An admin API key was created. It is shown only now; keep it safe:")
            out.print(raw)


@app.command("nightly")
def nightly(as_of: Annotated[str | None, typer.Option("--as-of", help="Day the run is for (YYYY-MM-DD); today "
                                                                       "by default.")] = None,
            engine: Annotated[str, typer.Option(help="local, or dask to spread scoring over a Dask "
                                                     "cluster.")] = "local",
            scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address (tcp://host:8786); a "
                                                               "local 2-worker cluster when not given.")] = None,
            export: Annotated[Path | None, typer.Option("--export", help="Write proposals.csv and "
                                                                         "alternatives.csv here.")] = None) -> None:
    """Propose the best set of placements for every job-ready trainee at once."""
    from datetime import date

    from service.core.errors import Conflict
    from service.models_registry.matcher import build_matcher
    from service.nightly.run import RunOptions, run_nightly
    if engine not in ("local", "dask"):
        _fail("--engine must be local or dask")
    try:
        day = date.fromisoformat(as_of) if as_of else site_today(_reference().site.timezone)
    except ValueError:
        _fail(f"--as-of must be a date like 2026-11-01, not {as_of!r}")
    settings = get_settings()
    db = _engine()
    reference = _reference()
    matcher, versions = build_matcher(db=db, reference=reference)
    options = RunOptions(as_of=day, engine=engine, scheduler=scheduler, export_dir=export,
                         write_chunk=settings.nightly_write_chunk)
    try:
        with progress_bar("nightly run") as advance:
            run = run_nightly(db=db, reference=reference, matcher=matcher, options=options, model_versions=versions,
                              progress=advance)
    except Conflict as exc:
        _fail(exc.detail)
    counts = run.counts
    console.print(f"run {run.id} for {run.as_of}: {counts['proposals']} proposals for "
                  f"{counts['job_ready_trainees']} job-ready trainees; expected lasting placements "
                  f"{run.objective:.1f} (greedy {run.greedy_objective:.1f}); no feasible opening "
                  f"{counts['unassigned_no_feasible_opening']}, lost to capacity "
                  f"{counts['unassigned_lost_to_capacity']}")
    if export:
        console.print(f"wrote {export / 'proposals.csv'} and {export / 'alternatives.csv'}")


@app.command("train")
def train(as_of: Annotated[str | None, typer.Option("--as-of", help="Learn from what was known on this day "
                                                                     "(default today).")] = None,
          promote: Annotated[bool, typer.Option(help="Make the new models the active ones.")] = True) -> None:
    """Train the market-demand and outcome models from the database and store them in the registry."""
    from datetime import date

    from service.models_registry.training import train as train_models
    try:
        day = date.fromisoformat(as_of) if as_of else site_today(_reference().site.timezone)
    except ValueError:
        _fail(f"--as-of must be a date like 2026-11-01, not {as_of!r}")
    try:
        with progress_bar("training") as advance:
            advance("training", 0)
            trained = train_models(db=_engine(), reference=_reference(), as_of=day, promote=promote)
    except DomainError as exc:
        _fail(exc.detail)
    demand, outcome = trained.demand, trained.outcome
    backtest = (demand.metrics.get("backtest") or {})
    console.print(f"demand model {demand.version}: {demand.metrics.get('series')} series; backtest WAPE "
                  f"{backtest.get('wape', {})}")
    reason = f" — {trained.outcome_reason}" if trained.outcome_is_prior else ""
    console.print(f"outcome model {outcome.version}: Brier {outcome.metrics.get('brier')}, AUC "
                  f"{outcome.metrics.get('auc')}{reason}")
    console.print("promoted: the service uses them from its next answer" if promote else "stored, not promoted")


@app.command("forecast")
def forecast(horizon: Annotated[int, typer.Option(help="Months ahead.")] = 6,
             out: Annotated[Path, typer.Option("--out", help="CSV file to write.")] = Path("forecast.csv"),
             as_of: Annotated[str | None, typer.Option("--as-of", help="Use signals up to this day's month.")] = None
             ) -> None:
    """Forecast monthly postings per district × occupation (columns district, occupation, period, postings)."""
    import csv
    from datetime import date

    from service.imports.cells import escape_formula
    from service.market import service as market
    from service.models_registry import service as registry
    db = _engine()
    _, demand, versions = registry.active_models(db=db)
    with Session(db) as session:
        if not hasattr(demand, "series_") or as_of:
            demand = market.fit(session=session, reference=_reference(),
                                as_of=date.fromisoformat(as_of) if as_of else None)
            versions["demand"] = "fitted now"
    rows = market.forecast(model=demand, horizon=horizon)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["district", "occupation", "period", "postings"])
        for row in rows:
            writer.writerow([escape_formula(row.district), escape_formula(row.occupation), row.period,
                             f"{row.postings:.1f}"])
    console.print(f"wrote {len(rows)} forecast rows ({versions['demand']}) to {out}")


retention_app = typer.Typer(help="Retention of personal data.", no_args_is_help=True)
app.add_typer(retention_app, name="retention")


@retention_app.command("apply")
def retention_apply(days: Annotated[int | None, typer.Option(help="Override JOBMATCH_RETENTION_DAYS.")] = None
                    ) -> None:
    """Erase the personal data of exited trainees unchanged for the retention period (keeps outcome statistics)."""

    from service.trainees.erasure import erase_expired
    retention = days if days is not None else get_settings().retention_days
    if retention is None:
        _fail("no retention period: set JOBMATCH_RETENTION_DAYS or pass --days")
    from service.records.unit_of_work import today
    with _unit_of_work() as session:
        erased = erase_expired(session=session, retention_days=retention, today=today(session),
                               gazetteer=_reference().site.gazetteer)
    console.print(f"erased {erased} trainee record(s) older than {retention} days")


audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("purge")
def audit_purge(before: Annotated[str, typer.Option("--before", help="Delete events recorded before this day "
                                                                      "(YYYY-MM-DD, UTC).")]) -> None:
    """Delete audit events older than a day, in one transaction that records the purge as an audit event."""
    from datetime import date

    from service.audit.purge import purge
    try:
        cutoff = datetime.combine(date.fromisoformat(before), datetime.min.time(), UTC)
    except ValueError:
        _fail(f"--before must be a date like 2025-01-01, not {before!r}")
    try:
        with _unit_of_work() as session:
            deleted = purge(session=session, before=cutoff)
    except DomainError as exc:
        _fail(exc.detail)
    console.print(f"deleted {deleted} audit event(s) recorded before {cutoff.date().isoformat()}; the purge is "
                  "itself recorded in the audit log")


@keys_app.command("create")
def keys_create(role: Annotated[str, typer.Option(help="admin, coordinator, employer or batch.")],
                employer: Annotated[str | None, typer.Option(help="Employer external id (employer keys).")] = None,
                partner: Annotated[str | None, typer.Option(help="Partner organisation (coordinator keys).")] = None,
                name: Annotated[str, typer.Option(help="What the key is for.")] = "",
                expires_in_days: Annotated[int | None, typer.Option(help="Days until it expires.")] = None) -> None:
    """Create an API key; the key itself is the last line of the output, shown only this once."""
    from service.auth import service as keys
    from service.auth.models import ROLES, is_role
    from service.keys import bindings
    if not is_role(role):
        _fail(f"--role must be one of {', '.join(ROLES)}")
    expires = clock.now() + timedelta(days=expires_in_days) if expires_in_days is not None else None
    try:
        with _unit_of_work() as session:
            key, raw = keys.create(session=session, role=role, name=name, employer_external_id=employer,
                                   partner_org=partner, expires_at=expires, check_binding=bindings.check)
    except DomainError as exc:
        _fail(exc.detail)
    console.print(f"created key {key.id} ({key.role}, prefix {key.prefix})")
    out.print(raw)


@keys_app.command("list")
def keys_list() -> None:
    """List keys (never the keys themselves)."""
    from service.auth import service as keys
    with Session(_engine(), expire_on_commit=False) as session:
        rows = [[str(key.id), key.prefix, key.role, key.employer_external_id or "", key.partner_org or "", key.name,
                 str(key.expires_at or ""), str(key.revoked_at or "")] for key in keys.list(session=session)]
    print_table(["id", "prefix", "role", "employer", "partner", "name", "expires", "revoked"], rows)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[int, typer.Argument(help="The key's id (see keys list).")]) -> None:
    """Revoke a key; it is refused from then on."""
    from service.auth import service as keys
    try:
        with _unit_of_work() as session:
            key = keys.revoke(session=session, key_id=key_id)
    except DomainError as exc:
        _fail(exc.detail)
    console.print(f"key {key.id} revoked")
