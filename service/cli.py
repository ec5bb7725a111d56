"""The `jobmatch` command line."""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, cast

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session, select

from service.cli_errors import CommandFailed, GuidedGroup, HideTracebacks, located
from service.cli_progress import progress_for
from service.core import clock
from service.core.clock import site_today
from service.core.config import get_settings
from service.core.errors import Unresolvable
from service.core.progress import as_callback

if TYPE_CHECKING:  # the commands import what they use when they run, so that `jobmatch --help` starts fast
    from sqlalchemy.engine import Engine

    from service.core.reference import Reference
    from service.imports.service import ImportReport
    from service.models_registry.training import Trained

# GuidedGroup: any error a command raises becomes one line and exit status 1 (service/cli_errors.py).
app = typer.Typer(cls=GuidedGroup, help="jobmatch: safe, explained job-matching for workforce-development "
                  "programmes.", no_args_is_help=True, add_completion=False, pretty_exceptions_show_locals=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
console = Console(stderr=True, soft_wrap=True)  # messages stay one line each, whatever the width
out = Console(soft_wrap=True)
GuidedGroup.console = console
SHOWN_WARNING_KINDS = 10  # kinds of import warning listed; --verbose or --warnings-file list every warning


@app.callback()
def configure(debug: Annotated[bool, typer.Option("--debug", help="On an unexpected error, print its traceback "
                                                                   "(also JOBMATCH_DEBUG=1).")] = False) -> None:
    """Logs go to stderr, structured as the service's: warnings only, unless JOBMATCH_LOG_LEVEL asks for more (a
    terminal shows the command's own output and progress, not INFO lines)."""
    from service.core.logging import configure as configure_logging
    settings = get_settings()
    GuidedGroup.debug = debug or settings.debug
    configure_logging(settings.log_level if "log_level" in settings.model_fields_set else "WARNING",
                      settings.log_format)
    for handler in logging.getLogger("jobmatch").handlers:
        handler.addFilter(HideTracebacks())


def print_table(headers: list[str], rows: list[list[str]], title: str | None = None) -> None:
    """A table on a terminal; tab-separated lines for scripts and pipes."""
    if out.is_terminal:
        table = Table(*headers, title=title)
        for row in rows:
            table.add_row(*row)
        out.print(table)
        return
    # Written as they are: rich would expand the tabs into spaces.
    lines = ([f"# {title}"] if title else []) + ["\t".join(row) for row in [headers, *rows]]
    out.file.write("".join(line + "\n" for line in lines))


_checked: set[str] = set()  # database URLs found migrated in this process


def _engine() -> Engine:
    """The database's engine, once it is known to exist and be migrated (else one line says what to run)."""
    from service.cli_database import require_database
    from service.core.db import make_engine
    settings = get_settings()
    if settings.database_url not in _checked:
        require_database(settings.database_url)
        _checked.add(settings.database_url)
    return make_engine(settings.database_url, pool_size=settings.db_pool_size,
                       pool_timeout=settings.db_pool_timeout_seconds,
                       busy_timeout=settings.sqlite_busy_timeout_seconds)


def _reference() -> Reference:
    from service.core.reference import load_reference
    settings = get_settings()
    return load_reference(settings.data_dir, settings.site, settings.currency, sites=settings.served_sites())


def _unit_of_work() -> AbstractContextManager[Session]:
    """One unit of work for a command: committed once when the command's work is done."""
    from service.records.unit_of_work import unit_of_work
    return unit_of_work(_engine(), timezone=_reference().site.timezone)


def _fail(message: str) -> NoReturn:
    """Stop the command: the error handler prints the message as one line, for people, scripts and logs."""
    raise CommandFailed(message)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database if needed and apply every migration."""
    from service.core.migrate import upgrade
    upgrade(get_settings().database_url, default_site=get_settings().site)
    console.print("database is at the newest migration")


@app.command("serve")
def serve(host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
          port: Annotated[int | None, typer.Option(help="Port.")] = None,
          workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None) -> None:
    """Serve the REST API (OpenAPI docs at /docs, metrics at /metrics)."""
    import signal

    import uvicorn

    from service.cli_metrics import shared_metrics_folder
    from service.core.rate_counters import RedisCounter
    settings = get_settings()
    if settings.redis_url:
        try:
            RedisCounter(settings.redis_url)  # refuses at once without the optional redis client
        except RuntimeError as exc:
            _fail(str(exc))
    count = workers or settings.workers
    # The server's own signal handling: on SIGTERM it stops as a server does, not as an interrupted command.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # Several workers add up their metrics in one folder, named to them before any of them starts.
    with shared_metrics_folder(settings.metrics_dir if count > 1 else None, workers=count):
        # A bounded graceful shutdown: on SIGTERM or Ctrl-C the server stops taking connections, requests in flight
        # get this long to finish, then it stops anyway.
        # uvloop and httptools (both dependencies of uvicorn[standard]): the cheapest event loop and HTTP parser.
        uvicorn.run("service.asgi:app", host=host or settings.host, port=port or settings.port, workers=count,
                    log_level=settings.log_level.lower(), access_log=False, loop="uvloop", http="httptools",
                    timeout_graceful_shutdown=settings.shutdown_timeout_seconds)


def _print_warnings(report: ImportReport, *, verbose: bool, warnings_file: Path | None) -> None:
    """Warnings by kind with their counts (most frequent first); every one with --verbose or in --warnings-file."""
    if warnings_file is not None:
        _write_warnings(report, warnings_file)
    if not report.warning_count:
        return
    if verbose:
        for warning in report.warnings:
            console.print(f"warning: {located(warning)}", highlight=False, markup=False, soft_wrap=True)
    kinds = report.warning_kinds.most_common()
    console.print(f"{report.warning_count:,} warning(s) of {len(kinds)} kind(s); nothing was refused for them:",
                  highlight=False, markup=False)
    for kind, count in kinds[:SHOWN_WARNING_KINDS]:
        console.print(f"  {count:>7,} × {kind}", highlight=False, markup=False, soft_wrap=True)
    if len(kinds) > SHOWN_WARNING_KINDS:
        console.print(f"  ... and {len(kinds) - SHOWN_WARNING_KINDS} more kind(s)", highlight=False)
    if warnings_file is not None:
        console.print(f"every warning is listed in {warnings_file}", highlight=False, markup=False)
    elif not verbose:
        console.print("every warning, with its line: --verbose, or --warnings-file PATH", highlight=False,
                      markup=False)


def _write_warnings(report: ImportReport, path: Path) -> None:
    """Every warning as CSV (file, line, column, reason), formula-safe for spreadsheets; a header alone if none."""
    import csv

    from service.imports.cells import escape_formula
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["file", "line", "column", "reason"])
        for warning in report.warnings:
            writer.writerow([escape_formula(str(warning[name])) for name in ("file", "line", "column", "reason")])


def _print_report(report: ImportReport) -> None:
    print_table(["file", "rows", "inserted", "updated", "unchanged"],
                [[name, f"{c.rows:,}", f"{c.inserted:,}", f"{c.updated:,}", f"{c.unchanged:,}"]
                 for name, c in report.files.items()],
                title="dry run: nothing written" if report.dry_run else "imported")
    inserted = sum(c.inserted for c in report.files.values())
    updated = sum(c.updated for c in report.files.values())
    verb = "checked (dry run, nothing written)" if report.dry_run else "imported"
    console.print(f"{verb}: {report.rows:,} rows from {len(report.files)} file(s); {inserted:,} new, {updated:,} "
                  f"changed, {report.rows - inserted - updated:,} unchanged; {report.warning_count:,} warning(s)",
                  highlight=False, markup=False)
    journeys = report.confirmed_journeys
    if journeys is not None:
        console.print(f"confirmed journeys: {journeys.inserted:,} new, {journeys.updated:,} changed, "
                      f"{journeys.removed:,} removed, {journeys.unchanged:,} unchanged", highlight=False, markup=False)


@app.command("import")
def import_(path: Annotated[Path, typer.Argument(help="Bundle folder or .zip.")],
            dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and count; write nothing.")] = False,
            verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every warning with its line.")
                               ] = False,
            warnings_file: Annotated[Path | None, typer.Option("--warnings-file", help="Write every warning to "
                                                                                       "this CSV file.")] = None
            ) -> None:
    """Import a bundle all-or-nothing; every problem is listed as file:line:column: reason."""
    from service.imports.reader import UnzipLimits
    from service.imports.service import import_bundle
    settings = get_settings()
    limits = UnzipLimits(max_bytes=settings.max_unzipped_bytes, max_ratio=settings.max_zip_ratio)
    keep_all = verbose or warnings_file is not None
    engine, reference = _engine(), _reference()
    with progress_for(console, "importing") as progress:
        report = import_bundle(engine=engine, reference=reference, path=path, dry_run=dry_run,
                               chunk_rows=settings.import_chunk_rows, progress=progress, limits=limits,
                               max_warnings=None if keep_all else 0)
    _print_warnings(report, verbose=verbose, warnings_file=warnings_file)
    if not report.rows:
        _fail(f"nothing {'to import' if dry_run else 'imported'}: the bundle's files have a header but no rows "
              f"({', '.join(report.files)})")
    _print_report(report)


@app.command("export")
def export(path: Annotated[Path, typer.Argument(help="Folder to write (or a path ending in .zip).")]) -> None:
    """Write every stored record as a bundle."""
    from service.imports.export import export_bundle
    engine = _engine()
    with progress_for(console, "exporting") as progress:
        progress.start("writing rows", 0)
        counts = export_bundle(engine=engine, path=path, progress=as_callback(progress))
    for name, count in counts.items():
        out.print(f"{name}: {count} rows")


@app.command("backup")
def backup(path: Annotated[Path, typer.Argument(help="File to write the copy to.")],
           force: Annotated[bool, typer.Option("--force", help="Replace PATH if it exists.")] = False) -> None:
    """Copy the SQLite database to PATH, consistent while the server runs (PostgreSQL: names the pg_dump command)."""
    from service import cli_backup
    database = cli_backup.sqlite_path(get_settings().database_url, action="backup", path=path)
    with progress_for(console, "backing up") as progress:
        copied = cli_backup.backup(database=database, target=path, replace=force, progress=progress)
    console.print(f"backed up {database} to {copied.path}: {_megabytes(copied.size_bytes)}, migration "
                  f"{copied.revision}, {copied.trainees:,} trainees", highlight=False, markup=False)


@app.command("restore")
def restore(path: Annotated[Path, typer.Argument(help="A file `jobmatch backup` made.")],
            yes: Annotated[bool, typer.Option("--yes", help="Replace the current database (stop the server and any "
                                                            "nightly run first).")] = False) -> None:
    """Replace the SQLite database by a backup, checked first and swapped in whole (PostgreSQL: names the
    pg_restore command)."""
    from service import cli_backup
    from service.core.migrate import head_revision
    database = cli_backup.sqlite_path(get_settings().database_url, action="restore", path=path)
    with progress_for(console, "restoring") as progress:
        copied = cli_backup.restore(database=database, source=path, confirmed=yes, progress=progress)
    console.print(f"restored {database} from {path}: {_megabytes(copied.size_bytes)}, migration {copied.revision}, "
                  f"{copied.trainees:,} trainees", highlight=False, markup=False)
    if copied.revision != head_revision():
        console.print("the backup is at an earlier migration: run `jobmatch db upgrade` before serving",
                      highlight=False, markup=False)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"


@app.command("demo-data")
def demo_data(out_dir: Annotated[Path, typer.Argument(help="Folder to write the bundle into.")],
              seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = 7,
              trainees: Annotated[int, typer.Option(help="Trainees to generate.")] = 2000,
              openings: Annotated[int, typer.Option(help="Open openings to generate.")] = 500,
              site: Annotated[str, typer.Option(help="The site folder to draw the programme on.")] = "west_bengal",
              ) -> None:
    """Generate a plausible synthetic programme as a bundle (no real person in it)."""
    from demo.generator import generate_bundle
    from matching.reference import available_sites
    data_dir = get_settings().data_dir
    if site not in available_sites(data_dir):
        _fail(f"no site {site!r} in {data_dir / 'sites'}: give --site one of"
              f" {', '.join(available_sites(data_dir))}")
    with progress_for(console, "generating") as progress:
        progress.start("writing files", 0)
        counts = generate_bundle(out_dir, seed=seed, trainees=trainees, openings=openings,
                                 data_dir=data_dir, progress=as_callback(progress), site=site)
    for name, count in counts.items():
        out.print(f"{name}: {count} rows")


@app.command("setup")
def setup(demo: Annotated[bool, typer.Option(help="Load data/demo (and data/demo-<site> of every other served "
                                                 "site that has one) when the database is empty.")] = True) -> None:
    """Migrate, load the demo bundles into an empty database, and print an admin key if none exists."""
    from service.auth import service as keys
    from service.core.migrate import upgrade
    from service.imports.service import import_bundle
    from service.trainees.models import Trainee
    settings = get_settings()
    upgrade(settings.database_url, default_site=settings.site)
    engine = _engine()
    with Session(engine) as session:
        empty = session.exec(select(Trainee.id).limit(1)).first() is None
    if demo and empty:
        bundles = [settings.data_dir / "demo", *(settings.data_dir / f"demo-{code}" for code in _reference().served())]
        for bundle in [path for path in dict.fromkeys(bundles) if path.is_dir()]:
            with progress_for(console, f"loading the demo bundle {bundle.name}") as progress:
                report = import_bundle(engine=engine, reference=_reference(), path=bundle, progress=progress)
            console.print(f"demo bundle loaded ({bundle.name}): "
                          + ", ".join(f"{name} {c.rows}" for name, c in report.files.items()))
    with _unit_of_work() as session:
        if keys.any_admin(session=session):
            admin = next(key for key in keys.list(session=session) if key.role == "admin" and key.revoked_at is None)
            console.print(f"an admin key already exists (prefix {admin.prefix}, created "
                          f"{admin.created_at:%Y-%m-%d %H:%M} UTC); keys are shown only once, when created: make "
                          "another with `jobmatch keys create --role admin`", highlight=False, markup=False)
        else:
            _, raw = keys.create(session=session, role="admin", name="first admin key")
            console.print("An admin API key was created. It is shown only now; keep it safe:")
            out.print(raw)


@app.command("sites")
def sites() -> None:
    """The sites served (JOBMATCH_SITES; every folder under data/sites by default): partners, districts, money."""
    reference = _reference()
    for code in reference.served():
        site = reference.of(code).site
        partners = ", ".join(sorted(site.training_centres)) or "none listed"
        notes = [note for note, shown in (("default", code == reference.code),
                                           ("relocation across sites", site.relocation_across_sites)) if shown]
        out.print(f"{code}: {site.name} ({site.country}), {len(site.gazetteer.districts)} districts, money in "
                  f"{reference.of(code).currency} ({site.currency_symbol}), partners: {partners}"
                  + (f" [{'; '.join(notes)}]" if notes else ""), highlight=False, markup=False)


@app.command("nightly")
def nightly(as_of: Annotated[str | None, typer.Option("--as-of", help="Day the run is for (YYYY-MM-DD); today "
                                                                       "by default.")] = None,
            engine: Annotated[str, typer.Option(help="local, or dask to spread scoring over a Dask "
                                                     "cluster.")] = "local",
            scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address (tcp://host:8786); a "
                                                               "local 2-worker cluster when not given.")] = None,
            export: Annotated[Path | None, typer.Option("--export", help="Write proposals.csv and "
                                                                         "alternatives.csv here (in a folder per "
                                                                         "site when several sites run).")] = None,
            fairness: Annotated[str, typer.Option(help="Group floors on the assignment: off, proportional (each "
                                                       "group near its share of job-ready women) or maxmin (the "
                                                       "worst group's share as high as it can be).")] = "off",
            fairness_by: Annotated[list[str] | None, typer.Option(
                "--fairness-by", help="What the floors are on: partner_org (default), district, training_track or "
                                      "has_dependents; repeat for several (proportional only).")] = None,
            site: Annotated[str | None, typer.Option("--site", help="Run for this site only; every served site "
                                                                    "by default, one run each.")] = None) -> None:
    """Propose the best set of placements for every job-ready trainee at once, one run per site."""
    from service.models_registry.matcher import build_matcher
    from service.nightly import fairness as run_fairness
    from service.nightly.models import FairnessMode
    from service.nightly.run import RunOptions, run_nightly
    if engine not in ("local", "dask"):
        _fail("--engine must be local or dask")
    if fairness not in ("off", "proportional", "maxmin"):
        _fail("--fairness must be off, proportional or maxmin")
    dimensions = tuple(dict.fromkeys(fairness_by or ["partner_org"]))
    if unknown := [name for name in dimensions if name not in run_fairness.DIMENSIONS]:
        _fail(f"--fairness-by {unknown[0]} is not a group: use one of {', '.join(run_fairness.DIMENSIONS)}")
    if fairness == "maxmin" and len(dimensions) > 1:
        _fail("--fairness maxmin balances one dimension: give one --fairness-by, or use proportional")
    settings = get_settings()
    db = _engine()  # first: a database that is not there fails before the reference data loads
    served = _reference().served()
    if site is not None and site not in served:
        _fail(f"site '{site}' is not served here (served: {', '.join(served)}); see `jobmatch sites`")
    sites = (site,) if site is not None else served
    for code in sites:
        reference = _reference().of(code)
        day = _parse_day(as_of, "--as-of") if as_of else site_today(reference.site.timezone)
        matcher, versions = build_matcher(db=db, reference=reference)
        folder = export / code if export is not None and len(sites) > 1 else export
        options = RunOptions(as_of=day, engine=engine, scheduler=scheduler, export_dir=folder,
                             write_chunk=settings.nightly_write_chunk,
                             fairness=cast(FairnessMode, fairness), fairness_by=dimensions)
        label = "nightly run" if len(sites) == 1 else f"nightly run ({reference.site.name})"
        with progress_for(console, label) as progress:
            run = run_nightly(db=db, reference=reference, matcher=matcher, options=options, model_versions=versions,
                              progress=progress)
        counts = run.counts
        console.print(f"{reference.site.name}: run {run.id} for {run.as_of}: {counts['proposals']} proposals for "
                      f"{counts['job_ready_trainees']} job-ready trainees; expected lasting placements "
                      f"{run.objective:.1f} (greedy {run.greedy_objective:.1f}); no feasible opening "
                      f"{counts['unassigned_no_feasible_opening']}, lost to capacity "
                      f"{counts['unassigned_lost_to_capacity']}")
        console.print(run_fairness.summary(run_fairness.stored_report(db=db, run_id=run.id)), highlight=False,
                      markup=False)
        if folder:
            console.print(f"wrote {folder / 'proposals.csv'} and {folder / 'alternatives.csv'}")


@app.command("train")
def train(as_of: Annotated[str | None, typer.Option("--as-of", help="Learn from what was known on this day "
                                                                     "(default today).")] = None,
          promote: Annotated[bool, typer.Option(help="Make the new models the active ones.")] = True) -> None:
    """Train the market-demand, commute and outcome models from the database and store them in the registry."""
    db = _engine()  # first: a database that is not there fails before the models and reference data load
    day = _day(as_of)
    from service.models_registry.training import train as train_models
    reference = _reference()
    with progress_for(console, "training") as progress:
        trained = train_models(db=db, reference=reference, as_of=day, promote=promote, progress=progress)
    _print_trained(trained)
    if trained.outcome_is_prior:
        console.print(f"the outcome model is the prior: {trained.outcome_reason}", highlight=False, markup=False)
    console.print("promoted: the service uses them from its next answer" if promote else "stored, not promoted")


def _day(as_of: str | None) -> date:
    """The --as-of day, or the site's today."""
    return _parse_day(as_of, "--as-of") if as_of else site_today(_reference().site.timezone)


def _parse_day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        _fail(f"{option} must be a date like 2026-11-01, not {text!r}")


def _rounded(value: Any, digits: int = 3) -> str:
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "-"


def _print_trained(trained: Trained) -> None:
    """Model, version, the rows it learnt from, and its quality, rounded."""
    demand, outcome = trained.demand, trained.outcome
    backtest = demand.metrics.get("backtest") or {}
    wape = backtest.get("wape") or {}
    demand_quality = (f"backtest WAPE {_rounded(wape.get('model'))} (seasonal naive "
                      f"{_rounded(wape.get('seasonal_naive'))}; lower is better)" if wape else "no backtest: too "
                      "little history")
    metrics = outcome.metrics
    outcome_quality = (f"Brier {_rounded(metrics.get('brier'))} (lower is better), AUC {_rounded(metrics.get('auc'))}"
                       f" on {metrics.get('evaluated_on') or 'its training placements'}")
    if trained.outcome_is_prior:
        outcome_quality = "prior only (too little follow-up history to learn from)"
    print_table(["model", "version", "trained on", "quality"], [
        ["demand", demand.version, f"{trained.demand_rows:,} market signals, {demand.metrics.get('series', 0):,} "
                                   "series", demand_quality],
        ["outcome", outcome.version, f"{metrics.get('n_placements', 0):,} placements, "
                                     f"{metrics.get('n_events', 0):,} left within 12 months", outcome_quality],
        *([_commute_line(trained.commute)] if trained.commute is not None else [])],
        title="trained")


def _commute_line(row: Any) -> list[str]:
    """The commute calibration's row of the `train` table: journeys, and its error against them."""
    metrics = row.metrics
    journeys = metrics.get("journeys") or 0
    quality = (f"median error {_rounded(metrics.get('calibrated_median_abs_error'), 1)} min "
               f"(fixed rates {_rounded(metrics.get('fixed_median_abs_error'), 1)} min)" if journeys
               else "no recorded journeys: the fixed rates")
    return ["commute", row.version, f"{journeys:,} recorded journeys", quality]


@app.command("forecast")
def forecast(horizon: Annotated[int, typer.Option(help="Months ahead.")] = 6,
             out: Annotated[Path, typer.Option("--out", help="CSV file to write.")] = Path("forecast.csv"),
             as_of: Annotated[str | None, typer.Option("--as-of", help="Use signals up to this day's month.")] = None
             ) -> None:
    """Forecast monthly postings per district × occupation (columns district, occupation, period, postings)."""
    import csv

    from service.imports.cells import escape_formula
    from service.market import service as market
    from service.models_registry import service as registry
    db = _engine()
    _, demand, _, versions = registry.active_models(db=db)
    with Session(db) as session:
        if not hasattr(demand, "series_") or as_of:
            demand = market.fit(session=session, reference=_reference(),
                                as_of=_parse_day(as_of, "--as-of") if as_of else None)
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


@app.command("cohort-plan")
def cohort_plan(partner: Annotated[str | None, typer.Option(help="A partner organisation; the whole site when "
                                                                 "empty.")] = None,
                months: Annotated[int, typer.Option(min=1, max=24, help="Months ahead.")] = 6) -> None:
    """How many women to train in which track next, with the reasoning, and the trainers those cohorts need."""
    from service import cli_cohorts
    plan = cli_cohorts.cohort_plan(engine=_engine(), reference=_reference(), partner=partner, months=months)
    for line in cli_cohorts.print_cohort_plan(plan, print_table):
        out.print(line)


@app.command("trainer-candidates")
def trainer_candidates(track: Annotated[str, typer.Option(help="The training track (an occupation code).")],
                       partner: Annotated[str, typer.Option(help="The partner organisation hiring trainers.")]
                       ) -> None:
    """Graduates of a partner who could teach the next cohorts of a track, ranked by the programme's rules."""
    from service import cli_cohorts
    found = cli_cohorts.trainer_candidates(engine=_engine(), reference=_reference(), track=track, partner=partner)
    cli_cohorts.print_trainer_candidates(found, print_table)


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
                               reference=_reference())
    console.print(f"erased {erased} trainee record(s) older than {retention} days")


audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("purge")
def audit_purge(before: Annotated[str, typer.Option("--before", help="Delete events recorded before this day "
                                                                      "(YYYY-MM-DD, UTC).")]) -> None:
    """Delete audit events older than a day, in one transaction that records the purge as an audit event."""
    from service.audit.purge import purge
    cutoff = datetime.combine(_parse_day(before, "--before"), datetime.min.time(), UTC)
    with _unit_of_work() as session:
        deleted = purge(session=session, before=cutoff)
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
    except Unresolvable as exc:
        _fail(_unknown_binding(exc, employer=employer, partner=partner))
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
    with _unit_of_work() as session:
        key = keys.revoke(session=session, key_id=key_id)
    console.print(f"key {key.id} revoked")


def _unknown_binding(exc: Unresolvable, *, employer: str | None, partner: str | None) -> str:
    """The refusal of an unknown partner or employer, with the name probably meant and the partners there are."""
    from service.imports.names import meant
    from service.keys import bindings
    field = (exc.errors or [{}])[0].get("loc", [""])[-1]
    if field == "partner_org" and partner:
        with Session(_engine()) as session:
            partners = bindings.known_partners(session=session)
        guess = meant(partner, partners)
        hint = f"did you mean {guess}? " if guess else ""
        known = f"known partners: {', '.join(partners)}" if partners else (
            "no partner is known yet: import the partner's trainees first (jobmatch import)")
        return f"No trainee belongs to partner '{partner}'; {hint}{known}"
    if field == "employer_external_id" and employer:
        return (f"No employer '{employer}': check the id (employers.csv, or GET /v1/employers), or import the "
                "employer before its key")
    return exc.detail
