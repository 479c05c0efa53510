"""`pmworkbook collect`: read the forms raters returned, then build the evaluation report of
each evaluated person; `pmworkbook forms`: numbered copies of the blank forms.

The raw responses (every rater's scores and comments, under the names of the files they sent)
are kept outside the pack folder that is handed to the client: in <out>/_responses/<client>/.
A client id cannot begin with "_", so that folder is never a pack."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pmworkbook.batch import index_pages
from pmworkbook.batch.build import output_lock
from pmworkbook.batch.jobs import Result, Settings, plan_jobs
from pmworkbook.batch.manifest import read_manifest, write_manifest
from pmworkbook.batch.packs import Packs
from pmworkbook.batch.worker import run_job
from pmworkbook.core.files import atomic_write_text
from pmworkbook.documents.kinds import document_kinds
from pmworkbook.plan.evaluation import subjects
from pmworkbook.plan.responses import Collected, collect
from pmworkbook.plan.validation import Validation
from pmworkbook.portfolio.model import Client

PRIVATE_FOLDER = "_responses"
RESPONSES_FILE = "evaluation_responses.json"


def responses_path(out: Path, client_id: str) -> Path:
    """Where a client's raw responses are kept: beside the packs, never inside one."""
    return out / PRIVATE_FOLDER / client_id / RESPONSES_FILE


def collect_and_report(validation: Validation, client_id: str, responses_dir: Path,
                       settings: Settings) -> tuple[Collected, list[Result]]:
    """Count, replace or reject each returned file, then build each evaluated person's report."""
    portfolio = validation.portfolio
    if portfolio is None:
        raise ValueError(f"{validation.source}: the portfolio cannot be used")
    client = portfolio.client(client_id)  # the command line checked that it is valid
    collected = collect(responses_dir, client, settings.templates)
    responses_file = atomic_write_text(responses_path(settings.out, client.id), collected.to_json())
    # An earlier version kept the raw responses in the pack: they must not be handed over.
    (settings.out / client.id / RESPONSES_FILE).unlink(missing_ok=True)
    jobs = plan_jobs([client], settings, [document_kinds.get("evaluation_report")],
                     extra={"responses": str(responses_file.resolve())})
    # One writer at a time in the output folder, as for `build`; the reports are moved into the pack
    # together with its cover page, or, if one fails, none of them.
    with output_lock(settings.out, wait=True, report=lambda line: print(line, file=sys.stderr)):
        packs = Packs(settings.out, jobs, [], read_manifest(settings.out),
                      cover=lambda client_id, documents: index_pages.pack_page(client, documents, settings.templates))
        for job in jobs:
            packs.add(run_job(job))
        packs.unfinished()
        results = packs.done
        write_manifest(settings.out, portfolio.portfolio, validation.source, results)
        index_pages.write_index(settings.out, validation, settings.templates)
    return collected, results


def write_copies(client: Client, folder: Path, settings: Settings, copies: int | None = None,
                 subject_keys: list[str] | None = None) -> list[Path]:
    """Numbered copies of each blank form, each with a token of its own: `copies` per rater group,
    or as many as the portfolio plans raters. Numbering continues after copies already in the
    folder, so copies already sent are never overwritten with new tokens."""
    from pmworkbook.render.xlsx import form_name, write_form

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for subject in subjects(client):
        if subject_keys and subject.key not in subject_keys:
            continue
        for group, planned in subject.raters.items():
            stem = form_name(subject, group)[: -len(".xlsx")]
            taken = [int(m[1]) for p in folder.glob(f"{stem}_*.xlsx") if (m := re.fullmatch(rf"{re.escape(stem)}_(\d+)\.xlsx", p.name))]
            start = max(taken, default=0) + 1
            for number in range(start, start + (copies if copies is not None else planned)):
                written.append(write_form(client, subject, group, folder, settings.templates, copy=number))
    return written
