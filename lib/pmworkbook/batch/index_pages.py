"""The cover page of each client's pack (in the client's language) and the operators' index of
every client and document with its status, refused clients and their problems first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pmworkbook.batch.manifest import read_manifest
from pmworkbook.core.files import atomic_write_text
from pmworkbook.core.i18n import Formatter
from pmworkbook.core.templates import Templates
from pmworkbook.documents.kinds import document_kinds
from pmworkbook.documents.status_report import week_label
from pmworkbook.plan.status import Week
from pmworkbook.plan.validation import Validation
from pmworkbook.portfolio.model import Client
from pmworkbook.render.fragments import render
from pmworkbook.render.html import HTML_LANG, read_stylesheet

# What a client reads, in the order the cover lists a document's files: the executed notebooks and
# the data files (.ipynb, .json) are the operators', listed in outputs/index.html only.
CLIENT_SUFFIXES = (".pdf", ".html", ".ics", ".eml", ".xlsx")


def client_files(files: list[dict]) -> list[dict]:
    """The files of a document that its client reads, PDF first (the sort keeps a kind's own order)."""
    rank = {suffix: index for index, suffix in enumerate(CLIENT_SUFFIXES)}
    mine = [f for f in files if Path(f["name"]).suffix.lower() in rank]
    return sorted(mine, key=lambda f: rank[Path(f["name"]).suffix.lower()])


def document_title(fmt: Formatter, kind_name: str, variant: str | None) -> str:
    """The document's title in the pack's language, with its variant's (a role's) name."""
    kind = document_kinds.get(kind_name)
    title = fmt.t[kind.title]
    if variant and kind.variant_title_key:
        title += f" · {fmt.t.get(kind.variant_title_key.format(variant=variant), variant)}"
    elif variant and kind.variant_parameter == "week":  # a weekly report: its week as the report names it
        title += f" · {week_label(fmt, Week.parse(variant))}"
    return title


def pack_page(client: Client, documents: list[dict[str, Any]], templates: Templates) -> str:
    """The cover page of a client's pack, listing `documents` (manifest entries). It is moved into
    the pack with the documents (pmworkbook.batch.packs), so it lists what the pack holds: a held
    document's entry is its previous version, ready; one that never was in the pack is left out."""
    fmt = Formatter(client.language, client.country, templates)
    shown = [{**d, "status": "ok" if d["status"] == "held" else d["status"], "title": document_title(fmt, d["kind"], d.get("variant")),
              "files": client_files(d["files"])}
             for d in documents if not d.get("orphaned") and (d["status"] != "held" or d["files"])]
    page = render(templates, "pack_index.html.j2", t=fmt.t, fmt=fmt, client=client, documents=shown,
                  css=read_stylesheet(templates.css_path), lang=HTML_LANG[client.language])
    return f"<!DOCTYPE html>\n{page}"


def write_index(out: Path, validation: Validation, templates: Templates) -> None:
    """The portfolio index: every client's documents with their status, as the manifest has them."""
    entries = read_manifest(out)  # includes documents of earlier runs not rebuilt now
    documents = [entries[key] for key in sorted(entries) if not entries[key].get("orphaned")]
    orphaned = sorted({e["client_id"] for e in entries.values() if e.get("orphaned")})
    clients = {c.id: c for c in validation.portfolio.clients} if validation.portfolio else {}
    refused = {c: [str(p) for p in validation.problems if (p.client_id or p.client) == c and p.severity == "error"]
               for c in validation.refused}
    held: dict[str, str] = {}  # client -> why its pack was not updated: held documents' reason, or what failed
    for document in documents:
        if document["status"] == "held":
            held.setdefault(document["client_id"], document["error"].removeprefix("not updated: "))
    for client_id in sorted({d["client_id"] for d in documents if d["status"] == "failed"} - set(held)):
        failed = [d["name"] for d in documents if d["client_id"] == client_id and d["status"] == "failed"]
        held[client_id] = f"{', '.join(failed)} failed"
    held = dict(sorted(held.items()))
    title = validation.portfolio.portfolio if validation.portfolio else Path(validation.source).stem
    page = render(templates, "portfolio_index.html.j2", title=title, documents=documents, clients=clients, refused=refused,
                  orphaned=orphaned, held=held, css=read_stylesheet(templates.css_path))
    atomic_write_text(out / "index.html", f"<!DOCTYPE html>\n{page}")
