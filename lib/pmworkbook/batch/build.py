"""Building client packs in four steps: plan (validate the portfolio once, a job per client ×
document), reuse (what is built and unchanged), run (warm-kernel workers, locally or on Dask,
each client's documents moved into its pack together) and report (manifest, index, summary).

A client with errors is refused on its own: its previous pack is left as it was and marked
stale in the manifest and index, and the others are built. One document's failure never stops
the others, and leaves its client's previous pack whole (pmworkbook.batch.packs); an
interrupted build leaves no partial file in place and the next run resumes. Space for the
manifest and index is held from the start, so that a build that fills the disk still writes an
index that says what failed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pmworkbook.batch import index_pages
from pmworkbook.batch.jobs import Job, Result, Settings, plan_jobs
from pmworkbook.batch.manifest import Entries, read_manifest, remove_partials, split_reusable, write_manifest
from pmworkbook.batch.packs import Packs, recover
from pmworkbook.batch.progress import Progress
from pmworkbook.batch.run import run_jobs
from pmworkbook.core.files import SpaceReserve
from pmworkbook.core.problems import Problem
from pmworkbook.plan.validation import Validation, validate

MANIFEST_EVERY = 2.0  # seconds between manifest writes while building
# What one local worker and its kernel take at their peak (about 210 + 150 MiB measured in bench/),
# with room: --jobs is capped so that the workers fit into the memory that is free.
MEMORY_PER_WORKER = 450 * 1024 * 1024


# A rough size of one document with its side files (a calendar is about 0.6 MB, with its notebook,
# HTML, PDF and .ics): the build warns before it starts when the disk has less free for what it builds.
BYTES_PER_DOCUMENT = 1 * 2**20
# What the manifest, the index and the status overview take per document at most (measured: 1.2 kB in
# the manifest, 0.7 kB in the index), and besides, with the stylesheet each page embeds: the space
# held for them from the start of a run (RESERVE).
REPORT_BYTES_PER_DOCUMENT = 4 * 2**10
REPORT_BYTES = 64 * 2**10
RESERVE = ".pmworkbook-reserve"


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
               f"{needed // 2**20} MiB; the clients whose documents do not fit will fail, and their previous packs stay as they were")


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
    notes: list[str] = field(default_factory=list)  # what went wrong besides documents (a cover page not rewritten)
    interrupted: bool = False

    @property
    def failed(self) -> list[Result]:
        """Documents not in their pack as built now: failed, or held back by a failure of their client's."""
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
    run = prepare_run(out, planned, force, jobs, dask_address, report)
    outcome.results += run.reused

    # -- run
    started = time.perf_counter()
    if progress != "quiet":
        where = f"Dask at {dask_address}" if dask_address else f"{run.workers} worker(s)"
        report(f"Building {len(run.todo)} of {len(planned)} documents for {len(selected)} clients "
               f"({len(outcome.results)} unchanged, reused) with {where} into {out}")
    refused_text = {c: [str(p) for p in problems] for c, problems in outcome.refused.items()}
    title = validation.portfolio.portfolio
    known = {c.id for c in validation.portfolio.clients} | set(validation.refused)
    by_id = {c.id: c for c in selected}
    packs = Packs(out, run.todo, run.reused, run.earlier,
                  cover=lambda client_id, documents: index_pages.pack_page(by_id[client_id], documents, settings.templates))

    def record(final: bool = False) -> None:
        """The manifest as it stands, and at the end the index; on a full disk the build goes on,
        and says so at the end."""
        def manifest() -> None:
            write_manifest(out, title, portfolio_path, [*run.restored, *fresh], refused_text, known, prune=prune and final)

        if not final:
            with contextlib.suppress(OSError):  # written again at the end
                manifest()
            return
        outcome.report_error = write_reports(out, manifest, [
            (out / "index.html", lambda: index_pages.write_index(out, validation, settings.templates))])

    bar = Progress(len(run.todo), report, progress)
    fresh = packs.done  # the documents of the clients finished: in their packs, failed, or held back
    last_write = time.perf_counter()
    stopped = False
    try:
        with sigterm_as_interrupt():
            packs.start()
            for _, result in run_jobs(run.todo, run.workers, dask_address):
                bar.update(result)
                packs.add(result)
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
        packs.unfinished()
        outcome.results += fresh
        outcome.results.sort(key=lambda r: (r.client_id, r.name))
        outcome.notes += packs.notes
        run.reserve.release()
        record(final=True)
        remove_partials(out)
    _summarise(outcome, len(planned), time.perf_counter() - started, stopped, out, report)
    if outcome.interrupted:
        raise KeyboardInterrupt
    return outcome


def write_reports(out: Path, manifest: Callable[[], object], pages: list[tuple[Path, Callable[[], object]]]) -> str:
    """Write the manifest, then the pages built from it. Returns "", or when one cannot be written
    the message that says which are stale, and why."""
    try:
        manifest()
    except OSError as exc:
        return _stale(out, [*(path for path, _ in pages), out / "manifest.json"], exc)
    for number, (_, write) in enumerate(pages):
        try:
            write()
        except OSError as exc:
            return _stale(out, [p for p, _ in pages[number:]], exc)
    return ""


def _stale(out: Path, paths: list[Path], exc: OSError) -> str:
    names = " and ".join([str(paths[0]), *(p.name for p in paths[1:])])
    them = "them" if len(paths) > 1 else "it"
    state = f"stale ({'they show' if len(paths) > 1 else 'it shows'} an earlier run)" if paths[0].exists() else "missing"
    return (f"{names} {'are' if len(paths) > 1 else 'is'} {state}: this run could not write {them} "
            f"({exc.strerror or exc}); make room in {out} and run the same command again")


def _summarise(outcome: BuildOutcome, planned: int, seconds: float, stopped: bool, out: Path,
               report: Callable[[str], None]) -> None:
    failed = [r for r in outcome.results if r.status == "failed"]
    held = [r for r in outcome.results if r.status == "held"]
    reused = sum(r.reused for r in outcome.results)
    summary = (f"{len(outcome.results) - len(failed) - len(held) - reused} built, {reused} reused, {len(failed)} failed"
               + (f", {len(held)} held back" if held else "") + f" in {seconds:.1f}s")
    if outcome.refused:
        summary += f"; {len(outcome.refused)} client(s) refused"
    if outcome.interrupted:
        report(f"Interrupted: {summary}; {planned - len(outcome.results)} not built. Run the same command again to resume.")
        if outcome.report_error:  # the caller gets no outcome to report it from
            report(f"  {outcome.report_error}")
    elif stopped:
        report(f"Stopped at the first failure (--fail-fast): {summary}.")
    else:
        report(f"Done: {summary}." + ("" if outcome.report_error else f" Open {out / 'index.html'}"))
    for result in failed:
        report(f"  failed: {result.client_id} {result.name}: {result.error}")
    for client_id in sorted({r.client_id for r in failed + held}):
        mine = [r for r in held if r.client_id == client_id]
        why = mine[0].error.removeprefix("not updated: ") if mine else \
            f"{', '.join(r.name for r in failed if r.client_id == client_id)} failed"
        report(f"  not updated: {client_id}: its previous pack kept whole"
               + (f", {len(mine)} document(s) built but held back" if mine else "") + f" ({why})")
    for note in outcome.notes:
        report(f"  {note}")


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


@dataclass
class PreparedRun:
    reused: list[Result]  # the documents whose inputs are unchanged
    todo: list[Job]  # the documents to build
    workers: int
    earlier: Entries  # the manifest as the run found it
    reserve: SpaceReserve  # space for the manifest and index, held until they are written

    @property
    def restored(self) -> list[Result]:
        """Reused documents whose entry says held: the pack holds what their inputs make now, so
        they are ready again; the manifest is told."""
        return [replace(r, reused=False, seconds=self.earlier[f"{r.client_id}/{r.name}"].get("seconds", 0.0))
                for r in self.reused if self.earlier[f"{r.client_id}/{r.name}"]["status"] != "ok"]


def prepare_run(out: Path, planned: list[Job], force: bool, jobs: int | None, dask_address: str | None,
                report: Callable[[str], None], extra_report_bytes: int = 0) -> PreparedRun:
    """Before a run writes into `out`: what an interrupted run left cleared (or its last commit
    finished), the documents whose inputs are unchanged reused, space held for the manifest and
    index, the free space checked, and the number of workers chosen."""
    out.mkdir(parents=True, exist_ok=True)
    remove_partials(out)
    recover(out, report)
    earlier = read_manifest(out)
    reused, todo = split_reusable(planned, out, force, earlier)
    documents = len(set(earlier) | {f"{job.client_id}/{job.name}" for job in planned})
    reserve = SpaceReserve(out / RESERVE, REPORT_BYTES + extra_report_bytes + documents * REPORT_BYTES_PER_DOCUMENT
                           + 2 * len(planned[0].settings.templates.css_path.read_bytes() if planned else b""))
    reserve.claim()
    check_free_space(out, len(todo), report)
    return PreparedRun(reused, todo, 1 if dask_address else worker_count(jobs, len(todo), report), earlier, reserve)
