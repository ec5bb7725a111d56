"""The nightly match run: candidates, one exact assignment, alternatives, and an atomic switch to the new run."""

from __future__ import annotations

import ctypes
import datetime
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from matching.assignment import greedy_assignment, ranked_alternatives, solve_assignment
from matching.candidates import Candidates, pair_keys
from matching.engine import MatchEngine
from matching.explain import reasons as explain_reasons
from matching.fair_assignment import solve_fair_assignment
from matching.features import features_from_context
from matching.formatting import score_kind
from matching.tables import OpeningTable, TraineeTable
from service.core.models import utcnow
from service.core.progress import NO_PROGRESS, Progress, as_callback
from service.core.reference import Reference
from service.matches import loader, summaries
from service.nightly import candidates as candidate_engine
from service.nightly import fairness, repository, sheets
from service.nightly.lock import nightly_lock
from service.nightly.models import FairnessMode, FairnessReport, MatchRun
from service.nightly.repository import DeclineRow
from service.records.unit_of_work import unit_of_work
from service.trainees.models import Trainee

log = logging.getLogger("jobmatch.nightly")
DECLINE_WORDS: dict[str | None, str] = {
    "trainee_declined": "she declined", "employer_declined": "the employer declined",
    "safety_concern": "a safety concern was raised", "other": "it was declined"}


@dataclass(frozen=True)
class RunOptions:
    as_of: datetime.date
    engine: str = "local"
    scheduler: str | None = None
    export_dir: Path | None = None
    candidates_per_trainee: int = 50
    alternatives: int = 5
    block_size: int = 500
    write_chunk: int = 5_000
    workers: int = 2
    fairness: FairnessMode = "off"  # group floors of the assignment (`matching.fair_assignment`)
    fairness_by: tuple[str, ...] = ("partner_org",)  # the dimensions the floors are on


def _rank_in_list(candidates: Candidates) -> np.ndarray:
    """Per candidate pair, the rank of that opening in her own list (candidates come grouped, best first)."""
    t = candidates.trainee
    starts = np.r_[0, np.flatnonzero(t[1:] != t[:-1]) + 1] if t.size else np.zeros(0, dtype=np.int64)
    rank = np.arange(t.size) - np.repeat(starts, np.diff(np.r_[starts, t.size])) + 1 if t.size else t
    return rank


def run_nightly(*, db: Engine, reference: Reference, matcher: MatchEngine, options: RunOptions,
                model_versions: dict[str, str] | None = None, progress: Progress = NO_PROGRESS) -> MatchRun:
    """Propose at most one opening per job-ready trainee, never more per opening than its positions left,
    maximising the expected number of placements still lasting at 12 months.

    The run is written in one unit of work (run, proposals, and the previous run of the day superseded): a run
    killed at any point leaves the previous one current and nothing of its own."""
    with nightly_lock(db):
        log.info("nightly run started", extra={"as_of": str(options.as_of), "engine": options.engine,
                                               "site": reference.code})
        try:
            return _run(db, reference, matcher, options, {"score": matcher.scorer_version, **(model_versions or {})},
                        progress)
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM (the command line turns it into this): nothing is written
            log.warning("nightly run stopped: nothing of it is written",
                        extra={"as_of": str(options.as_of)})
            raise
        except BaseException:
            log.exception("nightly run failed", extra={"as_of": str(options.as_of)})
            raise


def _run(db: Engine, reference: Reference, matcher: MatchEngine, options: RunOptions, versions: dict[str, str],
         progress: Progress) -> MatchRun:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    progress.start("loading trainees and openings", 1)
    with Session(db) as session:
        # One site's openings, and the women matched with them: hers, and where both sites allow it, women
        # willing to relocate from the other sites.
        trainee_rows = loader.trainee_records(session, conditions=loader.trainee_conditions(reference))
        opening_rows = loader.opening_records(session, conditions=loader.opening_conditions(reference))
        trainees = loader.trainee_table(reference, trainee_rows)
        openings = loader.opening_table(session, reference, opening_rows)
        declines = repository.declines(session)
        # her groups for the report and the floors; survivor status only for the admins' aggregate
        labels = fairness.group_labels(trainee_rows)
        survivor = fairness.survivor_mask(trainee_rows)
        partner_of: dict[str, str | None] = dict(session.exec(select(col(Trainee.external_id), col(Trainee.partner_org))
                                                              .where(col(Trainee.status) == "job_ready",
                                                                     *loader.trainee_conditions(reference))).all())
    del trainee_rows, opening_rows
    trainee_row = {tid: i for i, tid in enumerate(trainees.external_id.tolist())}
    opening_row = {oid: j for j, oid in enumerate(openings.external_id.tolist())}
    known = [(trainee_row[t], opening_row[o]) for t, o, _, _ in declines if t in trainee_row and o in opening_row]
    declined_keys = np.unique(pair_keys(np.array([t for t, _ in known], dtype=np.int64),
                                        np.array([o for _, o in known], dtype=np.int64), len(openings)))
    timings["load_s"] = time.perf_counter() - started

    mark = time.perf_counter()
    progress.advance()
    # Scoring advances by the trainees of each block; those no opening could take are not scored, so the stage
    # may end short of its total.
    progress.start("scoring candidates (trainees)", len(trainees))
    candidates, blocks = candidate_engine.generate(
        matcher=matcher, trainees=trainees, openings=openings, as_of=options.as_of, k=options.candidates_per_trainee,
        block_size=options.block_size, excluded=declined_keys, engine=options.engine, scheduler=options.scheduler,
        workers=options.workers, progress=as_callback(progress))
    timings["candidates_s"] = time.perf_counter() - mark
    progress.start("assigning openings", 1)

    mark = time.perf_counter()
    capacity = openings.positions_left.astype(np.int64)
    best = solve_assignment(candidates.trainee, candidates.opening, candidates.score, capacity,
                            n_trainees=len(trainees))
    fair = None
    if options.fairness != "off":
        fair = solve_fair_assignment(candidates.trainee, candidates.opening, candidates.score, capacity,
                                     mode=options.fairness, unconstrained=best,
                                     groups={name: labels[name] for name in options.fairness_by})
        best = fair.result
    greedy = greedy_assignment(candidates.trainee, candidates.opening, candidates.score, capacity)
    alt_t, alt_o, alt_s, alt_rank = ranked_alternatives(candidates.trainee, candidates.opening, candidates.score,
                                                        top=options.alternatives, exclude=best)
    timings["assignment_s"] = time.perf_counter() - mark
    progress.advance()

    ranks = dict(zip(pair_keys(candidates.trainee, candidates.opening, len(openings)).tolist(),
                     _rank_in_list(candidates).tolist()))
    proposal_keys = pair_keys(best.trainee, best.opening, len(openings))
    with_any = np.zeros(len(trainees), dtype=bool)
    with_any[candidates.trainee] = True
    assigned = np.zeros(len(trainees), dtype=bool)
    assigned[best.trainee] = True
    ready = int(np.unique(candidates.trainee).size) if candidates.trainee.size else 0
    counts = {"job_ready_trainees": len(trainees), "open_openings": len(openings), "trainees_with_candidates": ready,
              "candidate_pairs": len(candidates), "blocks": blocks, "proposals": int(best.trainee.size),
              "alternatives": int(alt_t.size), "positions_left": int(capacity.sum()),
              "unassigned_no_feasible_opening": int((~with_any).sum()),
              "unassigned_lost_to_capacity": int((with_any & ~assigned).sum())}

    mark = time.perf_counter()
    proposal_reasons = _reasons(matcher, trainees, openings, best.trainee, best.opening, options.as_of, declines)
    rows = [{"trainee_external_id": trainees.external_id[t], "opening_external_id": openings.external_id[o],
             "partner_org": partner_of.get(trainees.external_id[t], ""), "kind": "proposal", "score": float(s),
             "rank_in_her_list": ranks[int(key)], "alternative_rank": None, "reasons": proposal_reasons[i],
             "status": "proposed"}
            for i, (t, o, s, key) in enumerate(zip(best.trainee.tolist(), best.opening.tolist(), best.score.tolist(),
                                                   proposal_keys.tolist()))]
    alt_keys = pair_keys(alt_t, alt_o, len(openings))
    alternative_reasons = _reasons(matcher, trainees, openings, alt_t, alt_o, options.as_of, declines)
    rows += [{"trainee_external_id": trainees.external_id[t], "opening_external_id": openings.external_id[o],
              "partner_org": partner_of.get(trainees.external_id[t], ""), "kind": "alternative", "score": float(s),
              "rank_in_her_list": ranks[int(key)], "alternative_rank": int(r), "reasons": alternative_reasons[i],
              "status": "proposed"}
             for i, (t, o, s, r, key) in enumerate(zip(alt_t.tolist(), alt_o.tolist(), alt_s.tolist(),
                                                       alt_rank.tolist(), alt_keys.tolist()))]
    report, survivors = fairness.run_report(labels=labels, survivor=survivor, proposals=best, fair=fair,
                                            score_kind=score_kind(versions.get("score")))
    run = _write_run(db, options, rows, counts, timings, started, progress, site=reference.code, versions=versions,
                     objective=best.objective, greedy_objective=greedy.objective,
                     report=report, survivors=survivors)
    log.info("nightly run complete", extra={"run": run.id, **counts, "objective": round(best.objective, 3),
                                             "greedy_objective": round(greedy.objective, 3)})
    if options.export_dir is not None:
        assert run.id is not None  # written and flushed: the run has its id
        export(db=db, run_id=run.id, directory=options.export_dir)
    return run


def _write_run(db: Engine, options: RunOptions, rows: Sequence[dict[str, Any]], counts: dict[str, int],
               timings: dict[str, float], started: float, progress: Progress, *, site: str, versions: dict[str, str],
               objective: float, greedy_objective: float, report: dict[str, Any], survivors: dict[str, Any]
               ) -> MatchRun:
    """The run, its proposals, its fairness report and the switch from the site's previous run of the day, in one
    unit of work."""
    mark = time.perf_counter()
    log.info("nightly run writing", extra={"rows": len(rows)})
    progress.start("writing proposals", len(rows))
    with unit_of_work(db) as session:
        repository.clear_stale_runs(session)
        repository.supersede_complete_runs(session, options.as_of, site)
        run = MatchRun(site=site, as_of=options.as_of, engine=options.engine, status="complete",
                       model_versions=versions, objective=objective, greedy_objective=greedy_objective,
                       fairness=options.fairness)
        repository.save_run(session, run)
        assert run.id is not None  # flushed: the run has its id
        repository.save_fairness_report(session, FairnessReport(run_id=run.id, report=report, survivors=survivors))
        for start in range(0, len(rows), options.write_chunk):
            repository.insert_proposals(session, run.id, rows[start:start + options.write_chunk])
            progress.advance(min(options.write_chunk, len(rows) - start))
        timings["write_s"] = time.perf_counter() - mark
        timings["total_s"] = time.perf_counter() - started
        run.counts = {**counts, "timings": {k: round(v, 2) for k, v in timings.items()}}
        run.finished_at = utcnow()
        repository.save_run(session, run)
    return run


def _reasons(matcher: MatchEngine, trainees: TraineeTable, openings: OpeningTable, t_idx: np.ndarray,
             o_idx: np.ndarray, as_of: datetime.date, declines: Sequence[DeclineRow]) -> list[list[str]]:
    """Plain-language reasons for each proposal or alternative, and her earlier declines (kept for learning, shown
    here)."""
    if t_idx.size == 0:
        return []
    ctx = matcher.context(trainees, t_idx, openings, o_idx, as_of=as_of)
    features = features_from_context(ctx, demand=matcher.demand)
    earlier: dict[str, list[str]] = {}
    for trainee_id, opening_id, reason, when in declines:
        day = when.date().isoformat() if when else "earlier"
        earlier.setdefault(trainee_id, []).append(f"earlier proposal {opening_id}: {DECLINE_WORDS.get(reason, reason)}"
                                                  f" ({day})")
    return [explain_reasons(ctx, features, i) + earlier.get(trainees.external_id[t], [])[:3]
            for i, t in enumerate(t_idx.tolist())]


def export(*, db: Engine, run_id: int, directory: Path) -> tuple[Path, Path]:
    """proposals.csv and alternatives.csv of a run, sorted by trainee, formula-safe for spreadsheets.

    Written into a new folder beside the target, then swapped into place: a run killed while exporting leaves
    the previous export complete (and a hidden partial folder that the next export removes)."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    for leftover in directory.parent.glob(f".{directory.name}.export-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.export-", dir=directory.parent))
    try:
        _write_export(db, run_id, staging)
        _swap_into_place(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return directory / "proposals.csv", directory / "alternatives.csv"


def _write_export(db: Engine, run_id: int, folder: Path) -> None:
    """Both files, in the columns of the API's CSV (`service.nightly.sheets`)."""
    with Session(db) as session:
        run = repository.find_run(session=session, run_id=run_id)
        kind_of_score = score_kind(run.model_versions.get("score") if run is not None else None)
        openings = summaries.opening_summaries(session, repository.opening_ids_of_run(session, run_id))
        for name, kind in (("proposals.csv", "proposal"), ("alternatives.csv", "alternative")):
            with open(folder / name, "w", encoding="utf-8", newline="") as handle:
                sheets.write(handle, repository.export_rows(session, run_id, kind), openings, kind_of_score)
                handle.flush()
                os.fsync(handle.fileno())
    os.chmod(folder, 0o755)  # mkdtemp makes it private; the export folder is as readable as before


def _swap_into_place(staging: Path, directory: Path) -> None:
    """Replace the folder by the staged one: one atomic exchange on Linux; elsewhere two renames, and the
    previous export kept until the new one is in place."""
    if not directory.exists():
        os.rename(staging, directory)
        return
    if _exchange(staging, directory):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous export
        return
    previous = staging.with_name(staging.name + "-previous")
    os.rename(directory, previous)
    os.rename(staging, directory)
    shutil.rmtree(previous, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): swap two paths atomically (Linux 3.15+); False where unavailable."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0
