"""Running candidate generation block by block: here in this process, or spread over a Dask cluster.
Both run the same block function on the same blocks, so they give identical candidates."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

import numpy as np

from matching.candidates import Candidates, candidates_for_block, side_passing, trainee_blocks
from matching.engine import MatchEngine
from matching.tables import OpeningTable, TraineeTable

log = logging.getLogger("jobmatch.nightly")
Progress = Callable[[str, int], None]


def generate(*, matcher: MatchEngine, trainees: TraineeTable, openings: OpeningTable, as_of: datetime.date, k: int,
             block_size: int, excluded: np.ndarray, engine: str = "local", scheduler: str | None = None,
             workers: int = 2, progress: Progress | None = None) -> tuple[Candidates, int]:
    """Each ready trainee's k best allowed openings; returns them and the number of blocks."""
    open_rows = np.flatnonzero(side_passing(matcher, trainees, openings, scope="opening", as_of=as_of))
    blocks = list(trainee_blocks(matcher, trainees, openings, as_of=as_of, block_size=block_size))
    if engine == "dask":
        return _on_dask(matcher, trainees, openings, blocks, open_rows, as_of, k, excluded, scheduler, workers,
                        progress), len(blocks)
    parts = []
    for rows in blocks:
        parts.append(candidates_for_block(matcher, trainees, openings, rows, as_of=as_of, k=k, open_rows=open_rows,
                                          excluded=excluded))
        if progress:
            progress("scoring candidates", rows.size)
    return Candidates.concat(parts), len(blocks)


def _on_dask(matcher: MatchEngine, trainees: TraineeTable, openings: OpeningTable, blocks: list[np.ndarray],
             open_rows: np.ndarray, as_of: datetime.date, k: int, excluded: np.ndarray, scheduler: str | None,
             workers: int, progress: Progress | None) -> Candidates:
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.ERROR)
    client = Client(scheduler or cluster)
    try:
        # The tables and the engine go to every worker once; each task then carries only its block's rows.
        shared = client.scatter([matcher, trainees, openings, open_rows, excluded], broadcast=True)
        futures = {client.submit(candidates_for_block, shared[0], shared[1], shared[2], rows, as_of=as_of, k=k,
                                 open_rows=shared[3], excluded=shared[4], pure=False): position
                   for position, rows in enumerate(blocks)}
        parts: list[Candidates | None] = [None] * len(blocks)
        for future in as_completed(futures):
            parts[futures[future]] = future.result()
            if progress:
                progress("scoring candidates on dask", blocks[futures[future]].size)
        log.info("dask blocks done", extra={"blocks": len(blocks), "workers": len(client.scheduler_info()["workers"])})
        return Candidates.concat([part for part in parts if part is not None])
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
