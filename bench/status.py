"""Status reports per minute: `pmworkbook status` for the demo week on a demo-sized portfolio.

    python bench/status.py [--clients 4] [--jobs 2] [--formats html,pdf] [--runs 2]

The portfolio is the demo's four clients (repeated under new ids for --clients above 4), each with
its task register, requests log, decisions and risks, in a temporary folder. Every run rebuilds
every report (--force): notebook, HTML, PDF, the JSON figures and the e-mail with the PDF attached,
with the build's warm-kernel workers. Prints the wall time of each run and reports per minute;
the first run includes starting the workers and their kernels, as a command run from the shell does.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throughput import synthetic_portfolio  # the bench folder is not a package

from pmworkbook.batch.jobs import Settings
from pmworkbook.batch.status import status
from pmworkbook.core.templates import DEMO_PORTFOLIO

WEEK = "2027-W05"


def portfolio(clients: int, folder: Path) -> Path:
    """The demo's clients (repeated past four), their registers beside the portfolio file."""
    for path in DEMO_PORTFOLIO.parent.iterdir():
        if path.suffix in (".csv", ".xlsx") and not path.name.startswith("demo-clients"):
            shutil.copy(path, folder)
    if clients == 4:
        return Path(shutil.copy(DEMO_PORTFOLIO, folder))
    return synthetic_portfolio(clients, folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--formats", default="html,pdf")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        source = portfolio(args.clients, folder)
        settings = Settings(out=folder / "out", formats=tuple(args.formats.split(",")), timeout=600)
        for run in range(1, args.runs + 1):
            started = time.perf_counter()
            outcome = status(source, settings, week=WEEK, jobs=args.jobs, force=True, progress="quiet", report=lambda _: None)
            seconds = time.perf_counter() - started
            built = [r for r in outcome.results if r.status == "ok" and not r.reused]
            if outcome.failed:
                raise SystemExit(f"failed: {[(r.client_id, r.error) for r in outcome.failed]}")
            print(f"run {run}: {len(built)} status reports ({args.formats}, e-mail included) for {args.clients} clients "
                  f"with {args.jobs} worker(s) in {seconds:.1f} s: {60 * len(built) / seconds:.1f} reports per minute")


if __name__ == "__main__":
    main()
