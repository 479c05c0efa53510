"""One document, in a worker process (a local pool process or a Dask worker): execute its
notebook with Papermill on the warm kernel, export HTML and PDF, and report the files.

Two things make a long-lived worker cheaper, both measured in `bench/`:
- lean imports: jsonschema (through nbformat) loads `rfc3987_syntax` when it is installed
  (jupyter-events pulls it in next to JupyterLab); that module builds a grammar at import,
  0.7 s per worker, to check IRI formats that no notebook schema uses
  (python-jsonschema/jsonschema#1392). The worker skips it, as if it were not installed.
- a frozen heap: after the first document every library is loaded; `gc.freeze()` takes those
  objects out of the collector's view, so the full collections that WeasyPrint's many small
  objects trigger (about 0.2 s each, 13 in 20 documents) only walk the newer objects: GC time
  per 20 documents goes from 2.8 s to 0.6 s. (A larger young threshold saved no time in a full
  build and cost 110 MiB per worker, so Python's defaults stay.)

Workers never import pandas or pydantic: the job carries the client's data as plain JSON.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import shutil
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pmworkbook.batch.jobs import Job, Result
from pmworkbook.batch.manifest import sha256
from pmworkbook.core.templates import NOTEBOOKS_DIR

_UNUSED_MODULES = ("rfc3987_syntax",)
_state = {"heap_frozen": False}


class DocumentTimeout(Exception):
    """The document (notebook, HTML and PDF together) took longer than --timeout."""


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def initialize(parent_pid: int) -> None:
    """A local pool worker's start: it dies with the build process, whatever kills that (even
    SIGKILL, which runs no clean-up), so no worker goes on writing into the output folder for a
    build nobody records. Its kernel follows it: ipykernel exits when its parent changes."""
    lean_imports()
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent_pid:  # the build died before the line above took effect
            os._exit(1)


@contextmanager
def time_limit(seconds: int | None) -> Iterator[None]:
    """Raise DocumentTimeout in this thread after `seconds`: Papermill's own timeout covers the
    notebook only, not the HTML and PDF export, which a long table can make take minutes. Only in
    a process's main thread (a local worker); Dask runs tasks in threads, where the notebook's
    own timeout is all there is."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise DocumentTimeout(f"took longer than the time limit of {seconds} s (--timeout), export included")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def lean_imports() -> None:
    """Before the first import of papermill/nbformat in this process."""
    for name in _UNUSED_MODULES:
        # None in sys.modules makes `import name` raise ImportError, which jsonschema handles.
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def freeze_heap_once() -> None:
    """After the first document: collect once, then keep what is left out of later collections."""
    if _state["heap_frozen"]:
        return
    gc.collect()
    gc.freeze()
    _state["heap_frozen"] = True


def own_files(staging: Path, job: Job) -> list[Path]:
    """The document's notebook, pages, and the files its kind declares it writes beside them."""
    pages = [staging / f"{job.name}.{suffix}" for suffix in ("ipynb", *job.settings.formats)]
    beside = {path for pattern in job.side_files for path in staging.glob(pattern)}
    return [path for path in pages if path.exists()] + sorted(beside)


def keep_only(staging: Path, keep: list[Path]) -> None:
    """Remove from the staging folder what is not to be moved into the pack (temporary files,
    anything a notebook wrote that its kind does not declare)."""
    for path in staging.iterdir():
        if path not in keep:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def run_job(job: Job) -> Result:
    """Execute one document's notebook and export it, into its staging folder.

    Everything the document writes (its notebook, HTML, PDF and the files its notebook writes
    beside it) stays in the staging folder `job.staging_dir`, which then holds exactly the files
    of the result: the build process moves them into the pack together with the client's other
    documents, or not at all (pmworkbook.batch.packs). A document that fails keeps its executed
    notebook there as <document>.failed.ipynb. The kept notebook's `output_dir` names the
    staging folder."""
    lean_imports()
    import papermill

    from pmworkbook.render import html, pdf

    started = time.perf_counter()
    staging = job.staging_dir
    shutil.rmtree(staging, ignore_errors=True)  # what a worker that died here left
    notebook_path = staging / f"{job.name}.ipynb"
    failed = staging / f"{job.name}.failed.ipynb"
    templates = job.settings.templates
    try:
        with time_limit(job.settings.timeout):
            staging.mkdir(parents=True)
            notebook = papermill.execute_notebook(
                job.notebook, str(notebook_path), parameters={**job.parameters, "output_dir": str(staging)},
                kernel_name="python3", engine_name="pmworkbook", progress_bar=False, log_output=False, cwd=str(NOTEBOOKS_DIR),
                execution_timeout=job.settings.timeout, request_save_on_cell_execute=False,
            )
            page = html.notebook_to_html(notebook, language=job.language, client_name=job.client_name, title=job.title,
                                         templates=templates)
            if "html" in job.settings.formats:
                html.write_html(page, staging / f"{job.name}.html")
            if "pdf" in job.settings.formats:
                pdf.write_pdf(page, staging / f"{job.name}.pdf", job.language, templates)
            staged = own_files(staging, job)
            keep_only(staging, staged)
            files = [{"name": p.name, "sha256": sha256(p)} for p in staged]
        return Result(job.client_id, job.name, job.kind, "ok", time.perf_counter() - started, files, variant=job.variant,
                      fingerprint=job.fingerprint)
    except Exception as exc:  # noqa: BLE001 - any failure fails this document only
        with contextlib.suppress(OSError):
            if notebook_path.exists():
                os.replace(notebook_path, failed)  # keep the error notebook for the user to open
            keep_only(staging, [failed])
        return Result.failure(job, first_line(exc), time.perf_counter() - started,
                              [{"name": failed.name, "sha256": sha256(failed)}] if failed.exists() else [])
    finally:
        freeze_heap_once()


def first_line(exc: BaseException) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return f"{exc.ename}: {exc.evalue}".splitlines()[0]
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return text.splitlines()[-1] if text else type(exc).__name__
