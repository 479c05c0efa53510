"""The cover page of each client's pack (in the client's language) and the operators' index of
every client and document with its status, refused clients and their problems first."""

from __future__ import annotations

from pathlib import Path

from pmworkbook.batch.manifest import read_manifest
from pmworkbook.core.files import atomic_write_text
from pmworkbook.core.i18n import Formatter
from pmworkbook.core.templates import Templates
from pmworkbook.documents.kinds import document_kinds
from pmworkbook.plan.validation import Validation
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
    return title


def write_all(out: Path, validation: Validation, templates: Templates, touched: set[str]) -> None:
    """The pack pages of the clients in `touched`, and the portfolio index."""
    css = read_stylesheet(templates.css_path)
    entries = read_manifest(out)  # includes documents of earlier runs not rebuilt now
    documents = [entries[key] for key in sorted(entries) if not entries[key].get("orphaned")]
    orphaned = sorted({e["client_id"] for e in entries.values() if e.get("orphaned")})
    clients = {c.id: c for c in validation.portfolio.clients} if validation.portfolio else {}
    for client_id in touched & set(clients):
        client = clients[client_id]
        fmt = Formatter(client.language, client.country, templates)
        mine = [{**d, "title": document_title(fmt, d["kind"], d.get("variant")), "files": client_files(d["files"])}
                for d in documents if d["client_id"] == client.id]
        page = render(templates, "pack_index.html.j2", t=fmt.t, fmt=fmt, client=client, documents=mine, css=css,
                      lang=HTML_LANG[client.language])
        atomic_write_text(out / client.id / "index.html", f"<!DOCTYPE html>\n{page}")
    refused = {c: [str(p) for p in validation.problems if (p.client_id or p.client) == c and p.severity == "error"]
               for c in validation.refused}
    title = validation.portfolio.portfolio if validation.portfolio else Path(validation.source).stem
    page = render(templates, "portfolio_index.html.j2", title=title, documents=documents, clients=clients, refused=refused,
                  orphaned=orphaned, css=css)
    atomic_write_text(out / "index.html", f"<!DOCTYPE html>\n{page}")
