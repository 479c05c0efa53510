"""`pmworkbook collect`: read the forms raters returned, then build the evaluation report."""

from __future__ import annotations

from pathlib import Path

from pmworkbook.batch import index_pages
from pmworkbook.batch.jobs import Result, Settings, plan_jobs
from pmworkbook.batch.manifest import write_manifest
from pmworkbook.batch.worker import run_job
from pmworkbook.core.files import atomic_write_text
from pmworkbook.documents.kinds import document_kinds
from pmworkbook.plan.responses import Collected, collect
from pmworkbook.plan.validation import Validation


def collect_and_report(validation: Validation, client_id: str, responses_dir: Path,
                       settings: Settings) -> tuple[Collected, Result]:
    """Count or reject each returned file, then build the client's evaluation report."""
    portfolio = validation.portfolio
    if portfolio is None:
        raise ValueError(f"{validation.source}: the portfolio cannot be used")
    client = portfolio.client(client_id)  # the command line checked that it is valid
    collected = collect(responses_dir, client, settings.templates)
    folder = settings.out / client.id
    responses_file = atomic_write_text(folder / "evaluation_responses.json", collected.to_json())
    [job] = plan_jobs([client], settings, [document_kinds.get("evaluation_report")],
                      extra={"responses": str(responses_file.resolve())})
    result = run_job(job)
    write_manifest(settings.out, portfolio.portfolio, validation.source, [result])
    index_pages.write_all(settings.out, validation, settings.templates, {client.id})
    return collected, result
