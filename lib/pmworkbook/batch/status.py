"""`pmworkbook status`: the weekly status report of every client with a task register, with the
build's engine (warm-kernel workers, locally or on Dask), its isolation (one report's failure fails
it alone; a report and its e-mail are moved into the client's pack together, or neither is, and
the pack stays as it was), its space held for the manifest and pages, its incremental reuse (the registers' contents are in each report's
fingerprint) and its progress; then the e-mail to each report's audience with the PDF attached,
and outputs/status-<week>.html, the portfolio at a glance, red first.

A client whose registers have problems (unknown column or status, a due date before its start, an
answer before its request, a time without a zone where one is needed, a file missing or too
large) gets no report this time, each problem named with file, row and column; the others are
built. A client `validate` refuses is refused here as in `build`.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pmworkbook.batch import index_pages
from pmworkbook.batch.build import check_writable, output_lock, prepare_run, select_clients, sigterm_as_interrupt, write_reports
from pmworkbook.batch.jobs import Job, Result, Settings, plan_jobs
from pmworkbook.batch.manifest import read_manifest, remove_partials, sha256, write_manifest
from pmworkbook.batch.packs import Packs
from pmworkbook.batch.progress import Progress
from pmworkbook.batch.run import run_jobs
from pmworkbook.core.files import atomic_write_text
from pmworkbook.core.problems import Problem
from pmworkbook.documents.kinds import document_kinds
from pmworkbook.plan.status import LEVELS, Week, choose_week
from pmworkbook.plan.validation import Validation, validate
from pmworkbook.portfolio.model import Client
from pmworkbook.portfolio.tasks import paths, read_inputs
from pmworkbook.render.fragments import render
from pmworkbook.render.html import read_stylesheet

KIND = "status_report"


@dataclass
class StatusOutcome:
    validation: Validation
    week: Week | None = None
    as_of: dt.date | None = None
    results: list[Result] = field(default_factory=list)
    refused: dict[str, list[Problem]] = field(default_factory=dict)  # clients validate refuses
    bad_inputs: dict[str, list[Problem]] = field(default_factory=dict)  # clients whose registers have problems
    without_register: list[str] = field(default_factory=list)
    overview: Path | None = None
    refused_whole: bool = False
    interrupted: bool = False
    report_error: str = ""
    notes: list[str] = field(default_factory=list)  # what went wrong besides reports (a cover page not rewritten)

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.results if r.status != "ok"]


def overview_name(week: Week) -> str:
    return f"status-{week}.html"


def status(portfolio_path: str | Path, settings: Settings, *, week: str | None = None, as_of: dt.date | None = None,
           clients: list[str] | None = None, jobs: int | None = None, force: bool = False, dask_address: str | None = None,
           progress: str = "auto", wait: bool = True, report: Callable[[str], None] = print) -> StatusOutcome:
    """Build the status reports of `week` (or the week of `as_of`; neither: the last completed week).
    ValueError for a week or day that is not one; the build's own errors for --clients and the output folder."""
    chosen, day = choose_week(week, as_of)
    check_writable(settings.out)
    with output_lock(settings.out, wait, report):
        return _status(Path(portfolio_path), settings, chosen, day, clients, jobs, force, dask_address, progress, report)


def _status(portfolio_path: Path, settings: Settings, week: Week, day: dt.date, clients: list[str] | None, jobs: int | None,
            force: bool, dask_address: str | None, progress: str, report: Callable[[str], None]) -> StatusOutcome:
    templates = settings.templates
    validation = validate(portfolio_path, templates)
    outcome = StatusOutcome(validation, week, day)
    if validation.portfolio is None:
        outcome.refused_whole = True
        return outcome
    selected, refused_ids = select_clients(validation, clients)
    outcome.refused = {c: [p for p in validation.errors if (p.client_id or p.client) == c] for c in refused_ids}
    base = portfolio_path.resolve().parent
    # The registered kind, for this week: its one variant is the week the command was given.
    kind = replace(document_kinds.get(KIND), variants=lambda client: [str(week)])
    planned: list[Job] = []
    by_id: dict[str, Client] = {}
    for client in selected:
        if not client.tasks:
            outcome.without_register.append(client.id)
            continue
        inputs = read_inputs(client, base, templates)
        if inputs.problems:
            outcome.bad_inputs[client.id] = inputs.problems
            continue
        files = {name: {"path": str(path), "sha256": sha256(path)} for name, path in paths(client, base).items()}
        by_id[client.id] = client
        planned += plan_jobs([client], settings, kinds=[kind], extra={"as_of": day.isoformat(), "inputs": files})

    out = settings.out
    run = prepare_run(out, planned, force, jobs, dask_address, report)
    outcome.results += run.reused
    if progress != "quiet":
        where = f"Dask at {dask_address}" if dask_address else f"{run.workers} worker(s)"
        report(f"Building {len(run.todo)} of {len(planned)} status reports for {week} ({len(outcome.results)} unchanged, "
               f"reused) with {where} into {out}")
    packs = Packs(out, run.todo, run.reused, run.earlier,
                  cover=lambda client_id, documents: index_pages.pack_page(by_id[client_id], documents, templates))
    bar = Progress(len(run.todo), report, progress)
    fresh = packs.done
    started = time.perf_counter()
    try:
        with sigterm_as_interrupt():
            packs.start()
            for job, result in run_jobs(run.todo, run.workers, dask_address):
                if result.status == "ok":
                    _write_email(result, job, by_id[job.client_id], settings, week, day)
                bar.update(result)
                packs.add(result)
    except KeyboardInterrupt:
        outcome.interrupted = True
    finally:
        packs.unfinished()
        for client_id, problems in outcome.bad_inputs.items():
            fresh.append(Result(client_id, f"{KIND}_{week}", KIND, "failed", 0.0, error=str(problems[0]), variant=str(week)))
        outcome.results += fresh
        outcome.results.sort(key=lambda r: (r.client_id, r.name))
        outcome.notes += packs.notes
        run.reserve.release()
        _record(outcome, portfolio_path, settings, [*run.restored, *fresh])
        remove_partials(out)
    seconds = time.perf_counter() - started
    if progress != "quiet" or outcome.failed:
        reused_count = sum(r.reused for r in outcome.results)
        report(f"{'Interrupted' if outcome.interrupted else 'Done'}: "
               f"{len(outcome.results) - len(outcome.failed) - reused_count} built, "
               f"{reused_count} reused, {len(outcome.failed)} failed in {seconds:.1f}s."
               + (f" Open {outcome.overview}" if outcome.overview else ""))
    for note in outcome.notes:
        report(f"  {note}")
    if outcome.interrupted:
        raise KeyboardInterrupt
    return outcome


def _write_email(result: Result, job: Job, client: Client, settings: Settings, week: Week, day: dt.date) -> None:
    """status_email_<week>.eml beside the report, in its staging folder (it is moved into the pack
    with the report): its page made, the PDF (else the HTML) attached. Built here, after the
    worker, because the worker makes the PDF after the notebook has run."""
    from pmworkbook.documents.status_report import StatusReport, email_name
    from pmworkbook.render.eml import write_eml

    folder = job.staging_dir
    attachment = next((folder / f"{job.name}.{suffix}" for suffix in ("pdf", "html") if (folder / f"{job.name}.{suffix}").exists()), None)
    try:
        document = StatusReport(client, settings.templates, folder, week=str(week), as_of=day.isoformat(),
                                inputs=job.parameters["inputs"])
        path = write_eml(document.letter(attachment), folder / email_name(week))
    except Exception as exc:  # noqa: BLE001 - the report is made; only its e-mail failed, and says why
        result.status, result.error = "failed", f"the e-mail could not be written: {type(exc).__name__}: {exc}"
        return
    result.files.append({"name": path.name, "sha256": sha256(path)})


def _record(outcome: StatusOutcome, portfolio_path: Path, settings: Settings, fresh: list[Result]) -> None:
    """The manifest (these reports among the packs' documents), the index, and the overview (the
    pack pages were moved in with the reports)."""
    validation, out = outcome.validation, settings.out
    assert validation.portfolio is not None and outcome.week is not None
    title, week = validation.portfolio.portfolio, outcome.week
    refused_text = {c: [str(p) for p in problems] for c, problems in outcome.refused.items()}
    # Every client the build refuses keeps its documents marked stale, as after `build`.
    refused_text.update({c: [str(p) for p in validation.errors if (p.client_id or p.client) == c]
                         for c in validation.refused if c not in refused_text})
    known = {c.id for c in validation.portfolio.clients} | set(validation.refused)

    def overview() -> None:
        outcome.overview = write_overview(out, outcome, settings)

    outcome.report_error = write_reports(
        out, lambda: write_manifest(out, title, portfolio_path, fresh, refused_text, known),
        [(out / "index.html", lambda: index_pages.write_index(out, validation, settings.templates)),
         (out / overview_name(week), overview)])


def write_overview(out: Path, outcome: StatusOutcome, settings: Settings) -> Path:
    """outputs/status-<week>.html: one row per client of the portfolio with a report of the week (this
    run's or an earlier one's, as the manifest has it) and its RAG per dimension, red first."""
    from pmworkbook.documents.status_report import json_name

    assert outcome.week is not None and outcome.validation.portfolio is not None
    week = outcome.week
    clients = {c.id: c for c in outcome.validation.portfolio.clients}
    entries = read_manifest(out)
    name = f"{KIND}_{week}"
    rows: list[dict[str, Any]] = []
    failed: dict[str, tuple[str, str]] = {}
    for client_id, client in clients.items():
        entry = entries.get(f"{client_id}/{name}")
        if entry is None:
            continue
        path = out / client_id / json_name(week)
        if entry["status"] != "ok" or not path.exists():
            failed[client_id] = (client.name, entry.get("error") or "no figures")
            continue
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        slips = [m["slip_days"] for m in data["milestones"] if m["state"] in ("late", "on_track")]
        rows.append({"client": client, "data": data, "report": f"{client_id}/{name}.html",
                     "pdf": f"{client_id}/{name}.pdf" if (out / client_id / f"{name}.pdf").exists() else None,
                     "slip": max(slips) if slips else None,
                     "overrun": None if data["effort"]["overrun_percent"] is None else round(data["effort"]["overrun_percent"])})
    rank = {level: index for index, level in enumerate(reversed(LEVELS))}
    rows.sort(key=lambda row: (rank.get(row["data"]["rag"]["overall"], len(rank)), row["client"].name))
    page = render(settings.templates, "status_overview.html.j2", title=outcome.validation.portfolio.portfolio, week=str(week),
                  monday=week.monday, sunday=week.sunday, as_of=outcome.as_of, rows=rows, failed=failed,
                  refused=sorted(outcome.refused), without=[clients[c].name for c in outcome.without_register],
                  css=read_stylesheet(settings.templates.css_path))
    return atomic_write_text(out / overview_name(week), f"<!DOCTYPE html>\n{page}")
