"""Building client packs: every client × document is executed by Papermill, exported to HTML and
PDF, and recorded in the manifest. One document's failure never stops the others."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from pmworkbook import __version__
from pmworkbook.fileio import atomic_write_text
from pmworkbook.paths import NOTEBOOKS_DIR
from pmworkbook.portfolio import Client, Portfolio

FORMATS = ("html", "pdf")


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


def plan_jobs(portfolio: Portfolio, portfolio_path: Path, out: Path, formats: tuple[str, ...],
              clients: list[str] | None = None, timeout: int | None = None) -> list[Job]:
    selected: list[Client] = [portfolio.client(c) for c in clients] if clients else portfolio.clients
    jobs = []
    for client in selected:
        common = dict(client_id=client.id, portfolio_path=str(portfolio_path.resolve()), out_dir=str((out / client.id).resolve()),
                      formats=formats, language=client.language, client_name=client.name, timeout=timeout)
        jobs += [Job(kind="role_description", role_id=role, **common) for role in client.roles]
        jobs.append(Job(kind="communication_calendar", role_id=None, **common))
        jobs.append(Job(kind="evaluation_sheet", role_id=None, **common))
    return jobs


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
    import papermill

    from pmworkbook import export
    from pmworkbook.documents import document_title

    started = time.perf_counter()
    folder = Path(job.out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{job.name}.ipynb"
    partial = folder / f".{job.name}.partial.ipynb"
    failed = folder / f"{job.name}.failed.ipynb"
    try:
        notebook = papermill.execute_notebook(
            str(NOTEBOOKS_DIR / f"{job.kind}.ipynb"), str(partial), parameters=job.parameters,
            kernel_name="python3", progress_bar=False, log_output=False, cwd=str(NOTEBOOKS_DIR),
            execution_timeout=job.timeout,
        )
        os.replace(partial, final)
        failed.unlink(missing_ok=True)
        files = [final]
        title = document_title(job.kind, job.language)
        html = export.notebook_to_html(notebook, language=job.language, client_name=job.client_name, title=title)
        if "html" in job.formats:
            files.append(export.write_html(html, folder / f"{job.name}.html"))
        if "pdf" in job.formats:
            files.append(export.write_pdf(html, folder / f"{job.name}.pdf"))
        files += [p for p in _side_files(folder, job.kind, job.role_id) if p.exists()]
        return Result(job.client_id, job.name, job.kind, "ok", time.perf_counter() - started,
                      [{"name": p.name, "sha256": _sha256(p)} for p in files], parameters=job.parameters)
    except Exception as exc:  # noqa: BLE001 - any failure fails this document only
        if partial.exists():
            os.replace(partial, failed)  # keep the error notebook for the user to open
        message = _first_line(exc)
        return Result(job.client_id, job.name, job.kind, "failed", time.perf_counter() - started,
                      [{"name": failed.name, "sha256": _sha256(failed)}] if failed.exists() else [],
                      error=message, parameters=job.parameters)


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


def build(portfolio: Portfolio, portfolio_path: Path, out: Path, *, clients: list[str] | None = None, jobs: int | None = None,
          formats: tuple[str, ...] = FORMATS, timeout: int | None = None,
          report: Callable[[str], None] = print) -> list[Result]:
    """Build the packs; return one Result per document. Writes the manifest and index pages."""
    from pmworkbook import index_pages

    planned = plan_jobs(portfolio, portfolio_path, out, formats, clients, timeout)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(planned)))
    results: list[Result] = []
    started = time.perf_counter()
    report(f"Building {len(planned)} documents for {len({j.client_id for j in planned})} clients with {workers} worker(s) into {out}")
    # spawn: a clean interpreter per worker; forking a process that has threads (Jupyter's) is unsafe.
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(run_job, job): job for job in planned}
        for done, future in enumerate(concurrent.futures.as_completed(futures), start=1):
            job = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # the worker process itself died
                result = Result(job.client_id, job.name, job.kind, "failed", 0.0, error=_first_line(exc), parameters=job.parameters)
            results.append(result)
            status = "ok" if result.status == "ok" else f"FAILED: {result.error}"
            report(f"[{done}/{len(planned)}] {result.client_id} {result.name} {status} ({result.seconds:.1f}s)")
    results.sort(key=lambda r: (r.client_id, r.name))
    write_manifest(out, portfolio, portfolio_path, results)
    index_pages.write_all(out, portfolio, results)
    failed = [r for r in results if r.status != "ok"]
    report(f"Done in {time.perf_counter() - started:.1f}s: {len(results) - len(failed)} built, {len(failed)} failed. "
           f"Open {out / 'index.html'}")
    return results


def write_manifest(out: Path, portfolio: Portfolio, portfolio_path: Path, results: list[Result]) -> Path:
    """Merge this run's results into outputs/manifest.json (documents not rebuilt keep their entry)."""
    path = out / "manifest.json"
    entries: dict[str, dict] = {}
    if path.exists():
        try:
            entries = {f"{d['client_id']}/{d['name']}": d for d in json.loads(path.read_text(encoding="utf-8"))["documents"]}
        except (ValueError, KeyError):
            entries = {}
    for result in results:
        entries[f"{result.client_id}/{result.name}"] = asdict(result)
    manifest = {
        "portfolio": portfolio.portfolio,
        "source": str(portfolio_path),
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "versions": package_versions(),
        "documents": [entries[key] for key in sorted(entries)],
    }
    return atomic_write_text(path, json.dumps(manifest, ensure_ascii=False, indent=2))
