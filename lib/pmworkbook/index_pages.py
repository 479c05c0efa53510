"""The cover page of each client's pack (in the client's language) and the operators' index of
every client and document with its status."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pmworkbook.fileio import atomic_write_text
from pmworkbook.i18n import Formatter
from pmworkbook.paths import document_css_path
from pmworkbook.portfolio import Portfolio
from pmworkbook.render import render

if TYPE_CHECKING:
    from pmworkbook.build import Result


def write_all(out: Path, portfolio: Portfolio, results: list["Result"]) -> None:
    css = document_css_path().read_text(encoding="utf-8")
    from pmworkbook.build import read_manifest

    entries = read_manifest(out)  # includes documents of earlier runs not rebuilt now
    documents = [entries[key] for key in sorted(entries)]
    touched = {r.client_id for r in results}
    for client in portfolio.clients:
        if client.id not in touched:
            continue
        fmt = Formatter(client.language, client.country)
        mine = [d for d in documents if d["client_id"] == client.id]
        for doc in mine:
            doc["title"] = fmt.t[f"documents.{doc['kind']}"]
            if doc["kind"] == "role_description":
                role_id = doc["name"][len("role_description_"):]
                doc["title"] += f" · {fmt.t.get(f'role_names.{role_id}', role_id)}"
        page = render("pack_index.html.j2", t=fmt.t, fmt=fmt, client=client, documents=mine, css=css)
        atomic_write_text(out / client.id / "index.html", f"<!DOCTYPE html>\n{page}")
    known = {c.id: c for c in portfolio.clients}
    page = render("portfolio_index.html.j2", portfolio=portfolio, documents=documents, clients=known, css=css)
    atomic_write_text(out / "index.html", f"<!DOCTYPE html>\n{page}")
