"""Running jobs on local worker processes or a Dask cluster, yielding results as they finish.

A local worker that dies (killed, or by the out-of-memory killer) breaks Python's process pool
and with it every job still queued. Those jobs did nothing wrong: a new pool takes them over,
and each job gets one retry, so a document whose worker died twice is failed with that reason
while the others carry on.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import time
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool

from pmworkbook.batch.jobs import Job, Result
from pmworkbook.batch.worker import first_line, initialize, run_job

ATTEMPTS = 2  # a job whose worker died is run once more, then failed
DASK_CONNECT_TIMEOUT = 15  # seconds to reach the scheduler


class SchedulerUnreachable(ConnectionError):
    """--dask names a scheduler that does not answer."""


def _start_resource_tracker_quietly() -> None:
    """Python's resource tracker (one helper process per build) prints a KeyError traceback when a
    killed worker's pool is torn down (it is told twice to forget the pool's semaphore). The build
    is unharmed, and a traceback is not what a user should read for a worker that was replaced, so
    the tracker is started with its standard error on /dev/null."""
    from multiprocessing import resource_tracker

    saved, quiet = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 2)
    try:
        resource_tracker.ensure_running()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(quiet)


def _local_pool(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    _start_resource_tracker_quietly()
    # spawn: a clean interpreter per worker; forking a process that has threads (Jupyter's) is unsafe.
    return concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                                  initializer=initialize, initargs=(os.getpid(),))


def run_local(jobs: list[Job], workers: int) -> Iterator[tuple[Job, Result]]:
    attempts = dict.fromkeys(range(len(jobs)), 0)
    waiting = list(range(len(jobs)))
    while waiting:
        pool = _local_pool(workers)
        futures = {}
        for index in waiting:
            attempts[index] += 1
            futures[pool.submit(run_job, jobs[index])] = index
        waiting = []
        try:
            for future in concurrent.futures.as_completed(futures):
                index = futures[future]
                try:
                    yield jobs[index], future.result()
                except BrokenProcessPool:
                    if attempts[index] < ATTEMPTS:
                        waiting.append(index)  # to a new pool once this one has reported all it can
                    else:
                        yield jobs[index], Result.failure(jobs[index], "its worker process died twice (killed, or out of memory)")
                except Exception as exc:  # noqa: BLE001 - anything else that failed the job in its process
                    yield jobs[index], Result.failure(jobs[index], first_line(exc))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def run_dask(jobs: list[Job], address: str) -> Iterator[tuple[Job, Result]]:
    from distributed import Client, as_completed

    try:
        client = Client(address, timeout=DASK_CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerUnreachable(f"cannot reach the Dask scheduler at {address} (--dask): {first_line(exc)}") from None
    with client:
        futures = {client.submit(run_job, job, pure=False, key=f"pmworkbook-{job.client_id}-{job.name}-{time.time_ns()}"): job
                   for job in jobs}
        try:
            for future in as_completed(futures):
                job = futures[future]
                try:
                    yield job, future.result()
                except Exception as exc:  # noqa: BLE001 - the Dask worker itself failed
                    yield job, Result.failure(job, first_line(exc))
        finally:
            client.cancel(list(futures))


def run_jobs(jobs: list[Job], workers: int, dask_address: str | None = None) -> Iterator[tuple[Job, Result]]:
    """(job, result) as each job finishes."""
    if dask_address:
        yield from run_dask(jobs, dask_address)
    else:
        yield from run_local(jobs, workers)
