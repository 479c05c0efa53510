"""`pmworkbook collect`: read the forms raters returned, then build the evaluation report."""

from __future__ import annotations

from pathlib import Path

from pmworkbook.build import FORMATS, Job, Result, run_job, write_manifest
from pmworkbook.fileio import atomic_write_text
from pmworkbook.portfolio import Portfolio
from pmworkbook.responses import Collected, collect


def collect_and_report(portfolio: Portfolio, portfolio_path: Path, client_id: str, responses_dir: Path, out: Path,
                       formats: tuple[str, ...] = FORMATS) -> tuple[Collected, Result]:
    from pmworkbook import index_pages

    client = portfolio.client(client_id)
    collected = collect(responses_dir, client)
    folder = out / client.id
    responses_file = atomic_write_text(folder / "evaluation_responses.json", collected.to_json())
    job = Job(client_id=client.id, kind="evaluation_report", role_id=None, portfolio_path=str(portfolio_path.resolve()),
              out_dir=str(folder.resolve()), formats=formats, language=client.language, client_name=client.name,
              extra={"responses": str(responses_file.resolve())})
    result = run_job(job)
    write_manifest(out, portfolio, portfolio_path, [result])
    index_pages.write_all(out, portfolio, [result])
    return collected, result
