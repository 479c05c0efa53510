"""Files: written under a temporary name and renamed into place, with the permissions a file
written the ordinary way would have; read through a cache that notices when they change."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


@lru_cache(maxsize=1)
def _umask() -> int:
    # os.umask can only be read by setting it; done once per process, before any worker thread writes.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode_for(path: Path) -> int:
    """The mode of the file being replaced, or what open() would give a new one under the umask."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_umask()


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A hidden temporary sibling of `path` to write to; renamed into place only if the block succeeds.

    mkstemp creates the temporary file readable by its owner only, whatever the umask; the final
    file gets the replaced file's mode, or the umask's, so colleagues and web servers can read it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def write_new_text(path: Path, text: str) -> Path:
    """Write a file that must not exist yet, whole or not at all: written under a hidden name, then
    hard-linked into place, which fails if another writer took the name (a reader polling the
    folder never sees it half-written, as it could with open(path, "x"))."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        tmp.write_text(text, encoding="utf-8")
        os.chmod(tmp, _mode_for(path))
        os.link(tmp, path)  # FileExistsError if the name is taken
    finally:
        tmp.unlink(missing_ok=True)
    return path


def file_version(path: Path) -> tuple[int, int]:
    """What changes when a file is edited: its modification time and size."""
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def cached_by_version(load: Callable[[Path], T], maxsize: int = 64) -> Callable[[Path], T]:
    """`load(path)`, kept until the file changes: a long-lived kernel or worker picks up an edited
    catalog, stylesheet or portfolio at once, and an unchanged one is parsed once."""

    @lru_cache(maxsize=maxsize)
    def by_version(path: Path, version: tuple[int, int]) -> T:
        return load(path)

    def cached(path: Path) -> T:
        path = Path(path)
        return by_version(path, file_version(path))

    cached.cache_clear = by_version.cache_clear  # type: ignore[attr-defined]
    return cached


class SpaceReserve:
    """Disk space held for the files a run must write at its very end (the manifest and index), so
    that a disk the run fills up still takes them: a hidden file of `size` bytes, written at the
    start and deleted right before those files are written.

    The file is written, not only sized (a sparse or fallocated file may hold no blocks on a
    compressing file system), with random bytes that no compression or deduplication shrinks. On a
    disk already too full it keeps what it could get."""

    CHUNK = 1 << 16

    def __init__(self, path: Path, size: int):
        self.path = path
        self.size = size
        self.held = 0

    def claim(self) -> int:
        """Hold the space; returns how many bytes could be held."""
        chunk = os.urandom(self.CHUNK)
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError:
            return 0
        try:
            while self.held < self.size:
                self.held += os.write(fd, chunk[: min(self.CHUNK, self.size - self.held)])
        except OSError:
            pass  # full: keep what was written
        finally:
            os.close(fd)
        return self.held

    def release(self) -> None:
        self.path.unlink(missing_ok=True)
        self.held = 0
