"""Building client packs: every client × document is executed by Papermill (on a warm kernel per
worker), exported to HTML and PDF in the worker, and recorded in the manifest as it finishes.

One document's failure never stops the others; an interrupted build leaves no partial file in
place and the next run reuses everything already built whose inputs have not changed.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import signal
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from pmworkbook import __version__, worker
from pmworkbook.fileio import atomic_write_text
from pmworkbook.paths import NOTEBOOKS_DIR, templates_dir

if TYPE_CHECKING:  # workers import this module to run jobs; they never need pydantic's models
    from pmworkbook.portfolio import Client, Portfolio

FORMATS = ("html", "pdf")
MANIFEST_EVERY = 2.0  # seconds between manifest writes while building


@dataclass
class Job:
    """One document of one client's pack."""

    client_id: str
    kind: str
    role_id: str | None
    portfolio_path: str
    out_dir: str
    formats: tuple[str, ...]
    language: str
    client_name: str
    timeout: int | None = None
    extra: dict[str, str] = field(default_factory=dict)  # further notebook parameters
    fingerprint: str = ""  # of every input: rebuilt only when it changes

    @property
    def name(self) -> str:
        return f"{self.kind}_{self.role_id}" if self.role_id else self.kind

    @property
    def parameters(self) -> dict[str, str]:
        params = {"portfolio": self.portfolio_path, "client_id": self.client_id, "output_dir": self.out_dir}
        if self.role_id:
            params["role_id"] = self.role_id
        return {**params, **self.extra}


@dataclass
class Result:
    client_id: str
    name: str
    kind: str
    status: str  # "ok" or "failed"
    seconds: float
    files: list[dict[str, str]] = field(default_factory=list)
    error: str = ""
    parameters: dict[str, str] = field(default_factory=dict)
    fingerprint: str = ""
    reused: bool = False


# ----------------------------------------------------------------------------- planning


@lru_cache(maxsize=4)
def _code_digest(templates: Path) -> str:
    """What every document depends on besides its client: templates, the library, tool versions."""
    digest = hashlib.sha256()
    library = Path(__file__).parent
    for path in sorted(list(templates.rglob("*")) + list(library.glob("*.py"))):
        if path.is_file():
            digest.update(str(path.relative_to(path.parents[1])).encode())
            digest.update(path.read_bytes())
    digest.update(json.dumps(package_versions(), sort_keys=True).encode())
    return digest.hexdigest()


def _fingerprint(client: Client, kind: str, name: str, formats: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    digest.update(client.model_dump_json().encode())
    digest.update((NOTEBOOKS_DIR / f"{kind}.ipynb").read_bytes())
    digest.update(_code_digest(templates_dir()).encode())
    digest.update(f"{name}|{','.join(formats)}".encode())
    return digest.hexdigest()


def plan_jobs(portfolio: Portfolio, portfolio_path: Path, out: Path, formats: tuple[str, ...],
              clients: list[str] | None = None, timeout: int | None = None) -> list[Job]:
    selected: list[Client] = [portfolio.client(c) for c in clients] if clients else portfolio.clients
    jobs = []
    for client in selected:
        common = dict(client_id=client.id, portfolio_path=str(portfolio_path.resolve()), out_dir=str((out / client.id).resolve()),
                      formats=formats, language=client.language, client_name=client.name, timeout=timeout)
        # The longest document first: the build's last document is then a short one, and no
        # worker sits idle at the end waiting for a calendar.
        kinds = [("communication_calendar", None)] + [("role_description", role) for role in client.roles] + [("evaluation_sheet", None)]
        for kind, role in kinds:
            job = Job(kind=kind, role_id=role, **common)
            job.fingerprint = _fingerprint(client, kind, job.name, formats)
            jobs.append(job)
    return jobs


# ----------------------------------------------------------------------------- one document


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _side_files(folder: Path, kind: str, role_id: str | None) -> list[Path]:
    """Files a notebook writes beside its document (.ics, .xlsx forms, .eml)."""
    if kind == "communication_calendar":
        return [folder / "communication_calendar.ics"]
    if kind == "evaluation_sheet":
        return sorted(folder.glob("evaluation_form_*.xlsx"))
    if kind == "role_description":
        return [folder / f"announcement_{role_id}.eml"]
    return []


def run_job(job: Job) -> Result:
    """Execute one document's notebook and export it. Runs in a worker process."""
    worker.lean_imports()
    import papermill

    from pmworkbook import catalogs, export, pdf

    started = time.perf_counter()
    folder = Path(job.out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{job.name}.ipynb"
    partial = folder / f".{job.name}.partial.ipynb"
    failed = folder / f"{job.name}.failed.ipynb"
    try:
        notebook = papermill.execute_notebook(
            str(NOTEBOOKS_DIR / f"{job.kind}.ipynb"), str(partial), parameters=job.parameters,
            kernel_name="python3", engine_name="pmworkbook", progress_bar=False, log_output=False, cwd=str(NOTEBOOKS_DIR),
            execution_timeout=job.timeout, request_save_on_cell_execute=False,
        )
        title = catalogs.document_title(job.kind, job.language)
        html = export.notebook_to_html(notebook, language=job.language, client_name=job.client_name, title=title)
        files = []
        if "html" in job.formats:
            files.append(export.write_html(html, folder / f"{job.name}.html"))
        if "pdf" in job.formats:
            files.append(pdf.write_pdf(html, folder / f"{job.name}.pdf", job.language))
        os.replace(partial, final)  # last: a kept notebook means its documents were written
        failed.unlink(missing_ok=True)
        files = [final] + files + [p for p in _side_files(folder, job.kind, job.role_id) if p.exists()]
        return Result(job.client_id, job.name, job.kind, "ok", time.perf_counter() - started,
                      [{"name": p.name, "sha256": _sha256(p)} for p in files], parameters=job.parameters,
                      fingerprint=job.fingerprint)
    except Exception as exc:  # noqa: BLE001 - any failure fails this document only
        if partial.exists():
            os.replace(partial, failed)  # keep the error notebook for the user to open
        return Result(job.client_id, job.name, job.kind, "failed", time.perf_counter() - started,
                      [{"name": failed.name, "sha256": _sha256(failed)}] if failed.exists() else [],
                      error=_first_line(exc), parameters=job.parameters, fingerprint=job.fingerprint)
    finally:
        worker.freeze_heap_once()


def _first_line(exc: BaseException) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return f"{exc.ename}: {exc.evalue}".splitlines()[0]
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return text.splitlines()[-1] if text else type(exc).__name__


def package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {"pmworkbook": __version__, "python": sys.version.split()[0]}
    for name in ("papermill", "nbconvert", "nbclient", "weasyprint", "holidays", "icalendar", "babel", "openpyxl", "pandas"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            pass
    return versions


# ----------------------------------------------------------------------------- manifest


def read_manifest(out: Path) -> dict[str, dict]:
    path = out / "manifest.json"
    if not path.exists():
        return {}
    try:
        return {f"{d['client_id']}/{d['name']}": d for d in json.loads(path.read_text(encoding="utf-8"))["documents"]}
    except (ValueError, KeyError):
        return {}


def write_manifest(out: Path, portfolio: Portfolio, portfolio_path: Path, results: Iterable[Result]) -> Path:
    """Merge results into outputs/manifest.json (documents not rebuilt keep their entry)."""
    entries = read_manifest(out)
    for result in results:
        entries[f"{result.client_id}/{result.name}"] = asdict(result)
    manifest = {
        "portfolio": portfolio.portfolio,
        "source": str(portfolio_path),
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "versions": package_versions(),
        "documents": [entries[key] for key in sorted(entries)],
    }
    out.mkdir(parents=True, exist_ok=True)
    return atomic_write_text(out / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))


def _reusable(job: Job, entry: dict | None) -> Result | None:
    """The earlier result of `job` if its inputs are unchanged and its files are intact."""
    if not entry or entry.get("status") != "ok" or entry.get("fingerprint") != job.fingerprint:
        return None
    folder = Path(job.out_dir)
    for file in entry["files"]:
        path = folder / file["name"]
        if not path.exists() or _sha256(path) != file["sha256"]:
            return None
    return Result(**{**entry, "reused": True, "seconds": 0.0})


def remove_partials(out: Path) -> None:
    """Temporary files an interrupted build left behind (never at a final name)."""
    for path in out.glob("*/.*.partial*"):
        path.unlink(missing_ok=True)


# ----------------------------------------------------------------------------- running


class Progress:
    """A bar with ETA on a terminal; plain lines otherwise; --quiet shows failures only."""

    def __init__(self, total: int, report: Callable[[str], None], mode: str = "auto"):
        self.total, self.done, self.report = total, 0, report
        self.started = time.perf_counter()
        self.mode = ("bar" if sys.stdout.isatty() else "lines") if mode == "auto" else mode

    def update(self, result: Result) -> None:
        self.done += 1
        failed = result.status != "ok"
        status = "reused" if result.reused else (f"FAILED: {result.error}" if failed else "ok")
        line = f"[{self.done}/{self.total}] {result.client_id} {result.name} {status} ({result.seconds:.1f}s)"
        if self.mode == "lines" or (self.mode == "quiet" and failed):
            self.report(line)
        if self.mode != "bar":
            return
        if failed:
            sys.stdout.write("\r\033[K")
            self.report(line)
        elapsed = time.perf_counter() - self.started
        eta = elapsed / self.done * (self.total - self.done)
        filled = int(30 * self.done / self.total)
        sys.stdout.write(f"\r\033[K[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} "
                         f"{result.client_id} {result.name}  ETA {int(eta // 60)}:{int(eta % 60):02d}")
        sys.stdout.flush()
        if self.done == self.total:
            sys.stdout.write("\n")


def _local_pool(workers: int) -> concurrent.futures.Executor:
    # spawn: a clean interpreter per worker; forking a process that has threads (Jupyter's) is unsafe.
    return concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def _gather(futures: dict, as_completed) -> Iterable[tuple[Job, Result]]:
    """(job, result) as futures finish; a worker that died fails its own document only."""
    for future in as_completed(futures):
        job = futures[future]
        try:
            yield job, future.result()
        except Exception as exc:  # noqa: BLE001 - the worker process (or Dask worker) itself failed
            yield job, Result(job.client_id, job.name, job.kind, "failed", 0.0, error=_first_line(exc),
                              parameters=job.parameters, fingerprint=job.fingerprint)


def _run(jobs: list[Job], workers: int, dask_address: str | None) -> Iterable[tuple[Job, Result]]:
    """Run jobs on local worker processes or a Dask cluster, yielding results as they finish."""
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
    futures = {pool.submit(run_job, job): job for job in jobs}
    try:
        yield from _gather(futures, concurrent.futures.as_completed)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _raise_interrupt(signum, frame):  # SIGTERM ends a build the way Ctrl-C does
    raise KeyboardInterrupt


def build(portfolio: Portfolio, portfolio_path: Path, out: Path, *, clients: list[str] | None = None, jobs: int | None = None,
          formats: tuple[str, ...] = FORMATS, timeout: int | None = None, force: bool = False, fail_fast: bool = False,
          dask_address: str | None = None, progress: str = "auto",
          report: Callable[[str], None] = print) -> list[Result]:
    """Build the packs; return one Result per document (reused ones included)."""
    from pmworkbook import index_pages

    planned = plan_jobs(portfolio, portfolio_path, out, formats, clients, timeout)
    out.mkdir(parents=True, exist_ok=True)
    remove_partials(out)
    earlier = {} if force else read_manifest(out)
    results: list[Result] = []
    todo: list[Job] = []
    for job in planned:
        reused = _reusable(job, earlier.get(f"{job.client_id}/{job.name}"))
        if reused:
            results.append(reused)
        else:
            todo.append(job)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    started = time.perf_counter()
    if progress != "quiet":
        where = f"Dask at {dask_address}" if dask_address else f"{workers} worker(s)"
        report(f"Building {len(todo)} of {len(planned)} documents for {len({j.client_id for j in planned})} clients "
               f"({len(results)} unchanged, reused) with {where} into {out}")
    bar = Progress(len(todo), report, progress)
    previous_handler = signal.signal(signal.SIGTERM, _raise_interrupt) if _main_thread() else None
    fresh: list[Result] = []
    last_write = time.perf_counter()
    interrupted = stopped = False
    try:
        for _, result in _run(todo, workers, dask_address):
            fresh.append(result)
            bar.update(result)
            if time.perf_counter() - last_write > MANIFEST_EVERY:
                write_manifest(out, portfolio, portfolio_path, fresh)
                last_write = time.perf_counter()
            if fail_fast and result.status != "ok":
                stopped = True
                break
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if previous_handler is not None:
            signal.signal(signal.SIGTERM, previous_handler)
        write_manifest(out, portfolio, portfolio_path, fresh)
        results += fresh
        results.sort(key=lambda r: (r.client_id, r.name))
        index_pages.write_all(out, portfolio, results)
        remove_partials(out)
    failed = [r for r in results if r.status != "ok"]
    reused = sum(r.reused for r in results)
    summary = (f"{len(results) - len(failed) - reused} built, {reused} reused, {len(failed)} failed "
               f"in {time.perf_counter() - started:.1f}s")
    if interrupted:
        report(f"Interrupted: {summary}; {len(planned) - len(results)} not built. Run the same command again to resume.")
        raise KeyboardInterrupt
    if stopped:
        report(f"Stopped at the first failure (--fail-fast): {summary}.")
    else:
        report(f"Done: {summary}. Open {out / 'index.html'}")
    for result in failed:
        report(f"  failed: {result.client_id} {result.name}: {result.error}")
    return results


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()
