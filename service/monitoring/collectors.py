"""Facts read when /metrics is read: the answering worker's match index and the models its answers use, and the
newest complete nightly run (a separate `jobmatch nightly` process wrote it; the database is where it is known)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.matches.index import SiteIndexes
from service.nightly import repository as nightly_repository

log = logging.getLogger("jobmatch.metrics")


class IndexCollector(Collector):
    """Rows and segments of the in-memory match index, and the model versions answers use, once the index has read
    the newest changes (every worker does before answering, so each reports the same)."""

    def __init__(self, index: SiteIndexes) -> None:
        self.index = index

    def collect(self) -> Iterator[GaugeMetricFamily | InfoMetricFamily]:
        try:
            with Session(self.index.engine) as session:
                self.index.all_current(session)
        except Exception as exc:  # the database does not answer: /readyz says so; the other metrics still answer
            log.warning("match index not brought up to date for /metrics", extra={"error": type(exc).__name__})
            return
        rows = GaugeMetricFamily("jobmatch_match_index_rows", "Records in the in-memory match index, by table "
                                 "(open openings, job-ready trainees).", labels=["table"])
        segments = GaugeMetricFamily("jobmatch_match_index_segments", "Tables the index holds them in: the base "
                                     "and the deltas of changes since it was built.", labels=["table"])
        for table, (count, parts) in self.index.sizes().items():
            rows.add_metric([table], count)
            segments.add_metric([table], parts)
        models = InfoMetricFamily("jobmatch_model", "The model versions match answers use, by kind.",
                                  labels=["kind"])
        for kind, version in sorted(self.index.model_versions.items()):
            models.add_metric([kind], {"version": str(version)})
        yield from (rows, segments, models)


class NightlyCollector(Collector):
    """The newest complete nightly run: when it finished, how long it and each of its stages took, what it
    proposed."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            with Session(self.engine) as session:
                run = nightly_repository.newest_complete_run(session=session)
        except Exception as exc:
            log.warning("nightly run not read for /metrics", extra={"error": type(exc).__name__})
            return
        if run is None or run.finished_at is None:
            return
        finished = GaugeMetricFamily("jobmatch_nightly_last_run_finished_timestamp_seconds",
                                     "When the newest complete nightly run finished (Unix time).")
        finished.add_metric([], run.finished_at.timestamp())
        duration = GaugeMetricFamily("jobmatch_nightly_last_run_duration_seconds",
                                     "How long the newest complete nightly run took, start to commit.")
        duration.add_metric([], (run.finished_at - run.started_at).total_seconds())
        stages = GaugeMetricFamily("jobmatch_nightly_last_run_stage_seconds", "How long each stage of the newest "
                                   "complete nightly run took.", labels=["stage"])
        for name, seconds in sorted((run.counts.get("timings") or {}).items()):
            if name != "total_s" and isinstance(seconds, int | float):
                stages.add_metric([name.removesuffix("_s")], float(seconds))
        proposals = GaugeMetricFamily("jobmatch_nightly_last_run_proposals", "Proposals of the newest complete "
                                      "nightly run.")
        proposals.add_metric([], float(run.counts.get("proposals", 0)))
        yield from (finished, duration, stages, proposals)
