"""outputs/manifest.json: every document of every pack, its status, files (with sha256), seconds
and fingerprint; written as documents finish, so an interrupted build resumes from it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pmworkbook.batch.jobs import Job, Result, package_versions
from pmworkbook.core.files import atomic_write_text

Entries = dict[str, dict[str, Any]]  # "client/document" -> entry


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(out: Path) -> Entries:
    path = out / "manifest.json"
    if not path.exists():
        return {}
    try:
        return {f"{d['client_id']}/{d['name']}": d for d in json.loads(path.read_text(encoding="utf-8"))["documents"]}
    except (ValueError, KeyError, TypeError):
        return {}


def write_manifest(out: Path, title: str, source: Path | str, results: Iterable[Result],
                   refused: dict[str, list[str]] | None = None, clients: set[str] | None = None,
                   prune: bool = False) -> Path:
    """Merge results into the manifest (documents not rebuilt keep their entry). The documents of
    a refused client are marked stale: they are from an earlier build and were not rebuilt. The
    documents of a client no longer in the portfolio (`clients`: every id it has) are orphaned:
    their folder stays, listed as orphaned, until `prune` removes folder and entries."""
    entries = read_manifest(out)
    for result in results:
        entries[f"{result.client_id}/{result.name}"] = asdict(result)
    orphaned = sorted({e["client_id"] for e in entries.values() if clients is not None and e["client_id"] not in clients})
    if prune:
        for client_id in orphaned:
            remove_pack(out, client_id)
        entries = {key: entry for key, entry in entries.items() if entry["client_id"] not in orphaned}
        orphaned = []
    for entry in entries.values():
        entry["stale"] = entry["client_id"] in (refused or {})
        entry["orphaned"] = entry["client_id"] in orphaned
    manifest = {
        "portfolio": title,
        "source": str(source),
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "versions": package_versions(),
        "refused": refused or {},
        "orphaned": orphaned,
        "documents": [entries[key] for key in sorted(entries)],
    }
    out.mkdir(parents=True, exist_ok=True)
    return atomic_write_text(out / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))


def split_reusable(planned: list[Job], out: Path, force: bool, entries: Entries | None = None) -> tuple[list[Result], list[Job]]:
    """The planned documents already built from the same inputs (their results), and those to build.
    `entries`: the manifest, if it has been read."""
    earlier = {} if force else entries if entries is not None else read_manifest(out)
    reused: list[Result] = []
    todo: list[Job] = []
    for job in planned:
        result = reusable(job, earlier.get(f"{job.client_id}/{job.name}"))
        if result:
            reused.append(result)
        else:
            todo.append(job)
    return reused, todo


def remove_pack(out: Path, client_id: str) -> None:
    """Delete the folder of a client that is no longer in the portfolio (`--prune`)."""
    import shutil

    folder = (out / client_id).resolve()
    if folder.parent == out.resolve() and folder.is_dir():  # never anything outside the output folder
        shutil.rmtree(folder)


def reusable(job: Job, entry: dict[str, Any] | None) -> Result | None:
    """The earlier result of `job` if its inputs are unchanged and its files are intact. A held
    entry is the previous build's document, still in the pack: reusable like any other."""
    if not entry or entry.get("status") not in ("ok", "held") or entry.get("fingerprint") != job.fingerprint:
        return None
    folder = Path(job.out_dir)
    for file in entry["files"]:
        path = folder / file["name"]
        if not path.exists() or sha256(path) != file["sha256"]:
            return None
    known = set(Result.__dataclass_fields__)
    return Result(**{**{k: v for k, v in entry.items() if k in known}, "status": "ok", "error": "", "reused": True,
                     "seconds": 0.0, "stale": False})


def remove_partials(out: Path) -> None:
    """Temporary files an interrupted build left behind (never at a final name), and the staging
    folders of earlier versions (.<document>.staging in a pack); the staging area is packs.recover's."""
    import shutil

    for path in [*out.glob(".*.partial*"), *out.glob("*/.*.partial*")]:
        path.unlink(missing_ok=True)
    for path in out.glob("*/.*.staging"):
        shutil.rmtree(path, ignore_errors=True)
