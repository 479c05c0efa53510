"""Building client packs in four steps: plan (validate the portfolio once, a job per client ×
document), reuse (what is built and unchanged), run (warm-kernel workers, locally or on Dask)
and report (manifest, index pages, summary).

A client with errors is refused on its own: its previous pack is left as it was and marked
stale in the manifest and index, and the others are built. One document's failure never stops
the others; an interrupted build leaves no partial file in place and the next run resumes.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmworkbook.batch import index_pages
from pmworkbook.batch.jobs import Job, Result, Settings, plan_jobs
from pmworkbook.batch.manifest import remove_partials, split_reusable, write_manifest
from pmworkbook.batch.progress import Progress
from pmworkbook.batch.run import run_jobs
from pmworkbook.core.problems import Problem
from pmworkbook.plan.validation import Validation, validate

MANIFEST_EVERY = 2.0  # seconds between manifest writes while building
# What one local worker and its kernel take at their peak (about 210 + 150 MiB measured in bench/),
# with room: --jobs is capped so that the workers fit into the memory that is free.
MEMORY_PER_WORKER = 450 * 1024 * 1024


# A rough size of one document with its side files (a calendar is about 0.6 MB, with its notebook,
# HTML, PDF and .ics): the build warns before it starts when the disk has less free for what it builds.
BYTES_PER_DOCUMENT = 1 * 2**20


class OutputNotWritable(OSError):
    """--out names a folder that cannot be made or written to."""


def check_writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise OutputNotWritable(f"{out}: cannot write there ({exc.strerror or type(exc).__name__}); choose another --out "
                                "or make it writable") from None


def check_free_space(out: Path, documents: int, report: Callable[[str], None]) -> None:
    needed, free = documents * BYTES_PER_DOCUMENT, shutil.disk_usage(out).free
    if documents and free < needed:
        report(f"Warning: {out} has {free // 2**20} MiB free and these {documents} documents need about "
               f"{needed // 2**20} MiB; documents that do not fit will fail, and their previous versions stay as they were")


class BuildLocked(RuntimeError):
    """Another build is writing into the same output folder (and --no-wait was given)."""


@contextmanager
def output_lock(out: Path, wait: bool, report: Callable[[str], None]) -> Iterator[None]:
    """One build per output folder: two at once would overwrite each other's files and manifest.
    The lock is the kernel's flock on the folder itself (no lock file among the outputs), released
    when its build ends, however it ends, even by SIGKILL."""
    out.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(out, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise BuildLocked(f"{out}: another build is writing into this folder; wait for it to finish, "
                                  "or build into another --out") from None
            report(f"Waiting for the other build writing into {out} to finish…")
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def worker_count(requested: int | None, jobs: int, report: Callable[[str], None]) -> int:
    """--jobs, or the cores, capped by the cores and by the memory that is free."""
    cores = os.cpu_count() or 1
    wanted = requested or cores
    free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    workers = max(1, min(wanted, cores, free // MEMORY_PER_WORKER, jobs or 1))
    if requested and workers < min(requested, jobs or 1):
        report(f"--jobs {requested}: using {workers} worker(s), as many as this machine's {cores} core(s) and "
               f"{free // 2**20} MiB of free memory carry (a worker and its kernel take up to "
               f"{MEMORY_PER_WORKER // 2**20} MiB)")
    return workers


class UnknownClients(ValueError):
    """--clients names ids the portfolio does not have."""


@dataclass
class BuildOutcome:
    """What a build did: a result per document (reused ones included), and who was refused."""

    validation: Validation
    results: list[Result] = field(default_factory=list)
    refused: dict[str, list[Problem]] = field(default_factory=dict)  # client -> its errors
    refused_whole: bool = False  # nothing was built: the file could not be used, or --strict met an error
    report_error: str = ""  # the manifest or index could not be written
    interrupted: bool = False

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.results if r.status != "ok"]


def select_clients(validation: Validation, wanted: list[str] | None) -> tuple[list[Any], list[str]]:
    """The valid clients to build and the refused ones among those wanted."""
    assert validation.portfolio is not None
    valid = {c.id: c for c in validation.portfolio.clients}
    if wanted:
        unknown = [c for c in wanted if c not in valid and c not in validation.refused]
        if unknown:
            raise UnknownClients(f"{validation.source}: no client {', '.join(map(repr, unknown))} (--clients); "
                                 f"the portfolio has: {', '.join(sorted(set(valid) | set(validation.refused)))}")
        return [valid[c] for c in wanted if c in valid], [c for c in wanted if c in validation.refused]
    return list(valid.values()), list(validation.refused)


def build(portfolio_path: str | Path, settings: Settings, *, clients: list[str] | None = None, jobs: int | None = None,
          force: bool = False, fail_fast: bool = False, strict: bool = False, dask_address: str | None = None,
          progress: str = "auto", wait: bool = True, prune: bool = False, report: Callable[[str], None] = print) -> BuildOutcome:
    """Build the packs of a portfolio file. A client with errors is refused alone (all of them,
    with `strict`); the caller reports `outcome.refused` and chooses the exit status. One build
    at a time per output folder: another waits for it (BuildLocked with `wait=False`)."""
    check_writable(settings.out)
    with output_lock(settings.out, wait, report):
        return _build(portfolio_path, settings, clients=clients, jobs=jobs, force=force, fail_fast=fail_fast,
                      strict=strict, dask_address=dask_address, progress=progress, prune=prune, report=report)


def _build(portfolio_path: str | Path, settings: Settings, *, clients: list[str] | None, jobs: int | None,
           force: bool, fail_fast: bool, strict: bool, dask_address: str | None, progress: str, prune: bool,
           report: Callable[[str], None]) -> BuildOutcome:
    # -- plan
    validation = validate(portfolio_path, settings.templates)
    outcome = BuildOutcome(validation)
    if validation.portfolio is None or (strict and validation.errors):
        outcome.refused_whole = True
        return outcome
    selected, refused_ids = select_clients(validation, clients)
    outcome.refused = {c: [p for p in validation.errors if (p.client_id or p.client) == c] for c in refused_ids}
    planned = plan_jobs(selected, settings)
    out = settings.out

    # -- reuse
    reused, todo, workers = prepare_run(out, planned, force, jobs, dask_address, report)
    outcome.results += reused

    # -- run
    started = time.perf_counter()
    if progress != "quiet":
        where = f"Dask at {dask_address}" if dask_address else f"{workers} worker(s)"
        report(f"Building {len(todo)} of {len(planned)} documents for {len(selected)} clients "
               f"({len(outcome.results)} unchanged, reused) with {where} into {out}")
    refused_text = {c: [str(p) for p in problems] for c, problems in outcome.refused.items()}
    title = validation.portfolio.portfolio
    known = {c.id for c in validation.portfolio.clients} | set(validation.refused)

    def record(final: bool = False) -> None:
        """The manifest as it stands; on a full disk the build goes on, and says so at the end."""
        try:
            write_manifest(out, title, portfolio_path, fresh, refused_text, known, prune=prune and final)
            if final:
                index_pages.write_all(out, validation, settings.templates,
                                      {r.client_id for r in outcome.results} | set(outcome.refused))
            outcome.report_error = ""
        except OSError as exc:
            outcome.report_error = f"the manifest and index pages in {out} could not be written: {exc.strerror or exc}"

    bar = Progress(len(todo), report, progress)
    fresh: list[Result] = []
    last_write = time.perf_counter()
    stopped = False
    try:
        with sigterm_as_interrupt():
            for _, result in run_jobs(todo, workers, dask_address):
                fresh.append(result)
                bar.update(result)
                if time.perf_counter() - last_write > MANIFEST_EVERY:
                    record()
                    last_write = time.perf_counter()
                if fail_fast and result.status != "ok":
                    stopped = True
                    break
    except KeyboardInterrupt:
        outcome.interrupted = True
    finally:
        # -- report
        outcome.results += fresh
        outcome.results.sort(key=lambda r: (r.client_id, r.name))
        record(final=True)
        remove_partials(out)
    _summarise(outcome, len(planned), time.perf_counter() - started, stopped, out, report)
    if outcome.interrupted:
        raise KeyboardInterrupt
    return outcome


def _summarise(outcome: BuildOutcome, planned: int, seconds: float, stopped: bool, out: Path,
               report: Callable[[str], None]) -> None:
    failed = outcome.failed
    reused = sum(r.reused for r in outcome.results)
    summary = f"{len(outcome.results) - len(failed) - reused} built, {reused} reused, {len(failed)} failed in {seconds:.1f}s"
    if outcome.refused:
        summary += f"; {len(outcome.refused)} client(s) refused"
    if outcome.interrupted:
        report(f"Interrupted: {summary}; {planned - len(outcome.results)} not built. Run the same command again to resume.")
        return
    if stopped:
        report(f"Stopped at the first failure (--fail-fast): {summary}.")
    else:
        report(f"Done: {summary}. Open {out / 'index.html'}")
    for result in failed:
        report(f"  failed: {result.client_id} {result.name}: {result.error}")
    if outcome.report_error:
        report(f"  {outcome.report_error}")


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM ends a run the way Ctrl-C does (where signals can be handled: the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def prepare_run(out: Path, planned: list[Job], force: bool, jobs: int | None, dask_address: str | None,
                report: Callable[[str], None]) -> tuple[list[Result], list[Job], int]:
    """Before a run writes into `out`: what an interrupted run left cleared, the documents whose
    inputs are unchanged reused, the free space checked, and the number of workers chosen.
    Returns (reused results, jobs to run, workers)."""
    out.mkdir(parents=True, exist_ok=True)
    remove_partials(out)
    reused, todo = split_reusable(planned, out, force)
    check_free_space(out, len(todo), report)
    return reused, todo, 1 if dask_address else worker_count(jobs, len(todo), report)
