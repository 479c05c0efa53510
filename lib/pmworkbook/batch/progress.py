"""Progress of a build: a bar with ETA on a terminal, plain lines otherwise, failures only with --quiet."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from pmworkbook.batch.jobs import Result


class Progress:
    def __init__(self, total: int, report: Callable[[str], None], mode: str = "auto"):
        self.total, self.done, self.report = total, 0, report
        self.started = time.perf_counter()
        self.mode = ("bar" if sys.stdout.isatty() else "lines") if mode == "auto" else mode

    def update(self, result: Result) -> None:
        self.done += 1
        failed = result.status != "ok"
        status = "reused" if result.reused else (f"FAILED: {result.error}" if failed else "ok")
        line = f"[{self.done}/{self.total}] {result.client_id} {result.name} {status} ({result.seconds:.1f}s)"
        if self.mode == "lines" or (self.mode == "quiet" and failed):
            self.report(line)
        if self.mode != "bar":
            return
        if failed:
            sys.stdout.write("\r\033[K")
            self.report(line)
        elapsed = time.perf_counter() - self.started
        eta = elapsed / self.done * (self.total - self.done)
        filled = int(30 * self.done / self.total)
        sys.stdout.write(f"\r\033[K[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} "
                         f"{result.client_id} {result.name}  ETA {int(eta // 60)}:{int(eta % 60):02d}")
        sys.stdout.flush()
        if self.done == self.total:
            sys.stdout.write("\n")
