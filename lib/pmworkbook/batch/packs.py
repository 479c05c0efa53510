"""Complete or unchanged packs: a client's documents of one run are moved into its pack together,
or none of them is.

Workers write each document into <out>/.staging/<client>/<document>/ (Job.staging_dir). When the
last of a client's documents of this run is in, the build process moves them into the pack, with
the pack's cover page: renames within one file system, which need no space and leave no file
half-written. If one of them failed, none is moved: the client's previous pack stays as it was,
byte for byte, its failed documents are reported with their error, and the others are "held"
(built, not moved in) with a reason naming the failed ones; their manifest entries stay those of
the previous build, which is what the pack holds. Reused documents count as done.

A commit first renames the client's staging folder to <client>.commit: from then on the move is
decided, and a build killed in the middle of it (SIGKILL, power loss) has the next build finish
it before anything else (`recover`). Ctrl-C and SIGTERM wait for a commit to end.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from pmworkbook.batch.jobs import STAGING, Job, Result
from pmworkbook.batch.manifest import Entries
from pmworkbook.core.files import atomic_write_text

COMMITTING = ".commit"  # <out>/.staging/<client>.commit: a client's documents being moved into its pack
COVER = "index.html"  # the pack's cover page, moved in last

# The pack's cover page of a client, from its documents (manifest entries); None: the client has none.
Cover = Callable[[str, list[dict[str, Any]]], "str | None"]


class CommitError(Exception):
    """A client's staged documents cannot be moved into its pack; nothing has been moved."""

    def __init__(self, reason: str, document: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.document = document  # the document whose file stands in the way, if one does


class CommitIncomplete(Exception):
    """A client's commit stopped after it began moving files in; the next build's `recover` finishes it."""


def staging_root(out: Path) -> Path:
    return out / STAGING


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Ctrl-C and SIGTERM that arrive in the block take effect after it (in the main thread, where
    Python runs signal handlers: masking the signals would not do, another thread may take them)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous: dict[int, Any] = {number: signal.signal(number, lambda number, frame: caught.append(number))
                                for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if caught:
            handler = previous[caught[0]]
            if callable(handler):
                handler(caught[0], None)
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), caught[0])


def _move_in(marked: Path, folder: Path) -> None:
    """Move a committing client's files into its pack: each document's, then the cover page."""
    for document in sorted(p for p in marked.iterdir() if p.is_dir()):
        for path in sorted(document.iterdir()):
            os.replace(path, folder / path.name)
        (folder / f"{document.name}.failed.ipynb").unlink(missing_ok=True)  # an earlier failure's notebook
    for path in sorted(p for p in marked.iterdir() if not p.is_dir()):
        os.replace(path, folder / path.name)
    shutil.rmtree(marked)


def recover(out: Path, report: Callable[[str], None]) -> None:
    """Before a run: finish the commits a killed build left half done, and clear what it staged
    and did not commit (those documents are built again)."""
    root = staging_root(out)
    if not root.is_dir():
        return
    for marked in sorted(root.glob(f"*{COMMITTING}")):
        client_id = marked.name[: -len(COMMITTING)]
        try:
            with signals_deferred():
                _move_in(marked, out / client_id)
        except OSError as exc:
            report(f"Warning: {out / client_id}: the previous build's documents could not all be moved in "
                   f"({_reason(exc)}); they stay in {marked} until the next build")
    discard_staged(out)


def discard_staged(out: Path) -> None:
    """Remove what is staged and not committed (never a commit under way: `recover` finishes it)."""
    root = staging_root(out)
    if not root.is_dir():
        return
    for path in root.iterdir():
        if not path.name.endswith(COMMITTING):
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        root.rmdir()  # when empty


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def commit(out: Path, client_id: str, results: list[Result], cover: str | None) -> None:
    """Move the staged files of `results` (all ok) into the client's pack, with its cover page.
    CommitError, before anything is moved, when they cannot all go in."""
    area, folder = staging_root(out) / client_id, out / client_id
    try:
        folder.mkdir(parents=True, exist_ok=True)
        area.mkdir(parents=True, exist_ok=True)
        for result in results:
            for file in result.files:
                if not (area / result.name / file["name"]).is_file():
                    raise CommitError(f"{file['name']} is missing from its staging folder", result.name)
                target = folder / file["name"]
                if target.is_dir() and not target.is_symlink():
                    raise CommitError(f"{target} is a folder (IsADirectoryError)", result.name)
        if not os.access(folder, os.W_OK | os.X_OK):
            raise CommitError(f"{folder} is not writable (Permission denied)")
        if os.stat(area).st_dev != os.stat(folder).st_dev:
            raise CommitError(f"{folder} is on another file system than {staging_root(out)}")
        names = {result.name for result in results}
        for path in area.iterdir():  # the commit folder holds what is moved in and nothing else
            if not (path.name in names and path.is_dir()):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        if cover is not None:
            atomic_write_text(area / COVER, cover)
    except OSError as exc:
        raise CommitError(f"the pack could not be written ({_reason(exc)})") from None
    marked = area.with_name(client_id + COMMITTING)
    with signals_deferred():
        try:
            os.rename(area, marked)
        except OSError as exc:
            raise CommitError(f"the pack could not be written ({_reason(exc)})") from None
        try:
            _move_in(marked, folder)
        except OSError as exc:
            raise CommitIncomplete(f"{_reason(exc)}; the next build finishes the move") from None


class Packs:
    """This run's documents, client by client: each client's are moved into its pack when the last
    of them is in (`add`), or held back if one failed; their final results are in `done`."""

    def __init__(self, out: Path, todo: list[Job], reused: list[Result], earlier: Entries, cover: Cover | None = None):
        self.out = out
        self.waiting = Counter(job.client_id for job in todo)
        self.reused: dict[str, list[Result]] = defaultdict(list)
        for result in reused:
            self.reused[result.client_id].append(result)
        self.fresh: dict[str, list[Result]] = defaultdict(list)
        self.earlier = earlier  # the manifest as the run found it
        self.cover = cover
        self.notes: list[str] = []  # what went wrong outside a document (a cover page not rewritten)
        self.done: list[Result] = []  # the final results of the clients finished so far

    def start(self) -> None:
        """The clients whose documents are all reused: their cover page, rewritten."""
        if self.cover is None:
            return
        for client_id in sorted(set(self.reused) - set(self.waiting)):
            try:
                commit(self.out, client_id, [], self._cover(client_id, []))
            except (CommitError, CommitIncomplete) as exc:
                self.notes.append(f"{client_id}: its cover page was not rewritten: {exc}")

    def add(self, result: Result) -> None:
        """A staged result. When it is its client's last one, the client's documents go into its
        pack (or are held back) and their final results into `done`, both before a Ctrl-C or
        SIGTERM that arrives meanwhile takes effect."""
        client_id = result.client_id
        self.fresh[client_id].append(result)
        self.waiting[client_id] -= 1
        if self.waiting[client_id] > 0:
            return
        del self.waiting[client_id]
        with signals_deferred():
            self.done += self._finish(client_id, self.fresh.pop(client_id))

    def unfinished(self) -> None:
        """At the end of a run that stopped early (interrupted, --fail-fast): the clients still
        waiting for documents. One with a failure is held back as after any failure; the others'
        staged documents are dropped without a word, their packs and entries left as they were."""
        for client_id in sorted(self.waiting):
            fresh = self.fresh.pop(client_id, [])
            if any(r.status != "ok" for r in fresh):
                self.done += self._hold_back(client_id, fresh)
        self.waiting.clear()
        discard_staged(self.out)

    def _finish(self, client_id: str, fresh: list[Result]) -> list[Result]:
        if any(r.status != "ok" for r in fresh):
            return self._hold_back(client_id, fresh)
        try:
            commit(self.out, client_id, fresh, self._cover(client_id, fresh))
            return fresh
        except CommitError as exc:
            failed = [replace(r, status="failed", files=[], error=f"not moved into the pack: {exc.reason}")
                      for r in fresh if r.name == exc.document]
            held = [r for r in fresh if r.name != exc.document]
            reason = None if failed else f"not updated: {exc.reason}"
            return self._hold_back(client_id, failed + held, reason)
        except CommitIncomplete as exc:
            return [replace(r, status="failed", error=f"moved into the pack only in part: {exc}") for r in fresh]
        finally:
            shutil.rmtree(staging_root(self.out) / client_id, ignore_errors=True)

    def _hold_back(self, client_id: str, fresh: list[Result], reason: str | None = None) -> list[Result]:
        """None of the client's documents goes in: the failed ones keep their error notebook (moved
        in as <document>.failed.ipynb), the others are held with the reason."""
        failed = [r for r in fresh if r.status != "ok"]
        reason = reason or f"not updated: {', '.join(r.name for r in failed)} failed"
        results = [self._held(r, reason) for r in fresh if r.status == "ok"]
        folder = self.out / client_id
        for result in failed:
            kept = []
            for file in result.files:  # the error notebook, if the worker could write it
                with contextlib.suppress(OSError):
                    folder.mkdir(parents=True, exist_ok=True)
                    os.replace(staging_root(self.out) / client_id / result.name / file["name"], folder / file["name"])
                    kept.append(file)
            results.append(replace(result, files=kept))
        shutil.rmtree(staging_root(self.out) / client_id, ignore_errors=True)
        return results

    def _held(self, result: Result, reason: str) -> Result:
        """A document built but not moved in: its entry stays the previous build's (what the pack
        holds, reusable when its inputs come back to what they were), marked held with the reason."""
        previous = self.earlier.get(f"{result.client_id}/{result.name}")
        folder = self.out / result.client_id
        if (previous and previous.get("status") in ("ok", "held") and previous.get("fingerprint")
                and all((folder / file["name"]).is_file() for file in previous.get("files", []))):
            known = {k: v for k, v in previous.items() if k in Result.__dataclass_fields__}
            return replace(Result(**known), status="held", error=reason, seconds=result.seconds, reused=False, stale=False)
        return replace(result, status="held", error=reason, files=[], fingerprint="")

    def _cover(self, client_id: str, fresh: list[Result]) -> str | None:
        if self.cover is None:
            return None
        documents = {key: entry for key, entry in self.earlier.items() if entry["client_id"] == client_id}
        for result in self.reused.get(client_id, []) + fresh:
            documents[f"{client_id}/{result.name}"] = asdict(result)
        return self.cover(client_id, [documents[key] for key in sorted(documents)])
