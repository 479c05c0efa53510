"""Running jobs on local worker processes or a Dask cluster, yielding results as they finish;
a worker that dies fails its own document only."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pmworkbook.batch.jobs import Job, Result
from pmworkbook.batch.worker import first_line, run_job


def _local_pool(workers: int) -> concurrent.futures.Executor:
    # spawn: a clean interpreter per worker; forking a process that has threads (Jupyter's) is unsafe.
    return concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def _gather(futures: dict[Any, Job], as_completed: Callable[[Any], Iterable[Any]]) -> Iterator[tuple[Job, Result]]:
    for future in as_completed(futures):
        job = futures[future]
        try:
            yield job, future.result()
        except Exception as exc:  # noqa: BLE001 - the worker process (or Dask worker) itself failed
            yield job, Result.failure(job, first_line(exc))


def run_jobs(jobs: list[Job], workers: int, dask_address: str | None = None) -> Iterator[tuple[Job, Result]]:
    """(job, result) as each job finishes."""
    if dask_address:
        from distributed import Client, as_completed

        with Client(dask_address) as client:
            futures = {client.submit(run_job, job, pure=False, key=f"pmworkbook-{job.client_id}-{job.name}-{time.time_ns()}"): job
                       for job in jobs}
            try:
                yield from _gather(futures, as_completed)
            finally:
                client.cancel(list(futures))
        return
    pool = _local_pool(workers)
    local = {pool.submit(run_job, job): job for job in jobs}
    try:
        yield from _gather(local, concurrent.futures.as_completed)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
