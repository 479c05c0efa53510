"""Shared fixtures: the demo packs are built once per test session, for real, by the command."""

from __future__ import annotations

import html as htmllib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

from pmworkbook.core.templates import DEMO_PORTFOLIO, Templates

if TYPE_CHECKING:
    from pmworkbook.documents.kinds import DocumentKind
    from pmworkbook.portfolio.model import Client

ROOT = Path(__file__).resolve().parents[1]
# The demo ships inside the package (the repository's examples/ is a link to it).
DEMO = DEMO_PORTFOLIO
# The demo portfolio's clients and the language each one's documents are in.
DEMO_LANGUAGES = {"acme-shop": "pl", "huaxin-retail": "zh", "sever-logistics": "ru", "harbor-health": "en"}
PMWORKBOOK = [sys.executable, "-m", "pmworkbook"]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*PMWORKBOOK, *map(str, args)], capture_output=True, text=True, cwd=cwd or ROOT,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"}, timeout=900)


def demo_client(client_id: str, **changes: object) -> Client:
    """A demo client as validation makes it: what a build passes to its notebooks (through
    `pmworkbook.batch.jobs.client_parameters`); with dotted fields changed:
    demo_client("acme-shop", **{"communication.meeting_day": "TH"})."""
    from pmworkbook.plan.validation import validate
    from pmworkbook.portfolio.edits import set_field
    from pmworkbook.portfolio.model import Client

    client = validate(DEMO, Templates.get()).require().client(client_id)
    if not changes:
        return client
    data = client.model_dump()
    for dotted, value in changes.items():
        set_field(data, dotted, value)
    return Client.model_validate(data)


@pytest.fixture(scope="session")
def demo_raw() -> dict:
    return yaml.safe_load(DEMO.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def demo_packs(tmp_path_factory) -> Path:
    """outputs/ of `pmworkbook build` on the demo portfolio."""
    out = tmp_path_factory.mktemp("demo") / "outputs"
    result = run_cli("build", DEMO, "--out", out, "--jobs", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def write_large_registers(folder: Path, client_id: str, tasks: int = 300, requests: int = 80, decisions: int = 12,
                          risks: int = 8) -> dict[str, str]:
    """A demo client's registers grown large, as simple tables in `folder`, for its report of
    2027-W05 (1-7 February 2027): its own titles, owners, milestones and summaries, numbered; every
    task list long on both sides, with overdue tasks; open complaints, unanswered requests and
    overdue decisions. Returns the client's register fields: {"tasks": "<file name>", ...}."""
    import csv
    import datetime as dt

    from pmworkbook.portfolio.tasks import read_inputs

    client = demo_client(client_id)
    own = read_inputs(client, DEMO.parent, Templates.get())
    titles = [t.title for t in own.tasks.rows]
    owners = sorted({t.owner for t in own.tasks.rows if t.owner})
    milestones = [m.name for m in client.project.milestones]
    summaries = [r.summary for r in own.requests.rows]
    day = dt.date(2027, 2, 1)  # the week's Monday
    files = {name: f"{client_id}-large-{name}.csv" for name in ("tasks", "requests", "decisions", "risks")}

    def write(name: str, header: list[str], rows: list[list[object]]) -> None:
        with (folder / files[name]).open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([header, *rows])

    rows: list[list[object]] = []
    for n in range(tasks):
        kind, start = n % 6, dt.date(2027, 1, 11) + dt.timedelta(days=n % 7)
        done_on: dt.date | None = None
        if kind == 0:  # done this week
            status, done_on = "Done", day + dt.timedelta(days=n % 5)
            due = done_on + dt.timedelta(days=n % 3 - 1)
        elif kind == 1:  # done before
            status, done_on = "Done", dt.date(2027, 1, 18) + dt.timedelta(days=n % 12)
            due = done_on
        elif kind == 2:  # in progress, some of them overdue
            status, due = "In Progress", day + dt.timedelta(days=2 + n % 20)
        elif kind == 3:  # to do in the next days, some overdue
            status, due = "To Do", day + dt.timedelta(days=1 + n % 11)
        else:  # long term, a few without a date
            status, due = "To Do", day + dt.timedelta(days=14 + n % 120)
        rows.append([f"L-{n + 1}", f"{titles[n % len(titles)]} {n + 1}", status, owners[n % len(owners)],
                     "client" if n // 6 % 3 == 0 else "agency", milestones[n % len(milestones)], start,
                     "" if kind == 5 and n % 4 == 0 else due, 8, 6 if status != "To Do" else "", done_on or ""])
    write("tasks", ["id", "title", "status", "owner", "side", "milestone", "start", "due", "estimate_hours", "spent_hours",
                    "done_on"], rows)

    rows = []
    kinds = ["question", "change", "complaint", "question", "incident", "complaint", "change", "question"]
    for n in range(requests):
        received = dt.datetime(2027, 1, 11, 9, 30) + dt.timedelta(hours=8 * n)
        kind = kinds[n % len(kinds)]
        answered = "" if n % 6 == 0 else received + dt.timedelta(hours=1 + n % 5)
        resolved = "" if kind == "complaint" or (kind == "change" and n % 2) or not answered else received + dt.timedelta(days=1)
        rows.append([f"Z-{n + 1}", kind, "normal", "email", f"{received:%Y-%m-%d %H:%M}",
                     f"{answered:%Y-%m-%d %H:%M}" if answered else "", f"{resolved:%Y-%m-%d %H:%M}" if resolved else "",
                     owners[n % len(owners)], f"{summaries[n % len(summaries)]} {n + 1}"])
    write("requests", ["id", "kind", "severity", "channel", "received_at", "first_response_at", "resolved_at", "owner",
                       "summary"], rows)
    write("decisions", ["id", "decision", "due", "owner", "status"],
          [[f"D-{n + 1}", f"{titles[(n * 5) % len(titles)]} {n + 1}", day + dt.timedelta(days=3 * n - 6), owners[n % len(owners)],
            "open"] for n in range(decisions)])
    write("risks", ["id", "risk", "probability", "impact", "owner", "mitigation", "status"],
          [[f"R-{n + 1}", f"{titles[(n * 7) % len(titles)]} {n + 1}", ["low", "medium", "high"][n % 3],
            ["high", "medium", "low"][n % 3], owners[n % len(owners)], summaries[n % len(summaries)], "open"]
           for n in range(risks)])
    return files


def toy_kind(folder: Path, name: str, code: str, order: int = 99) -> DocumentKind:
    """A document kind whose notebook takes the build's parameters and runs `code` (the client's data
    in `client`, its folder in `output_dir`), written to `folder`; for tests of what a build does with
    a document that writes, fails, runs long or fills the disk."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from pmworkbook.documents.kinds import DocumentKind

    notebook = new_notebook(cells=[
        new_code_cell('client = None\noutput_dir = ""\ntemplates = ""', metadata={"tags": ["parameters"]}),
        new_code_cell(code)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return DocumentKind(name=name, notebook=path, title_key="documents.pack", order=order)


def write_portfolio(path: Path, raw: dict) -> Path:
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def visible_text(html: str) -> str:
    """What a reader sees of a page: no tags, styles or scripts, entities decoded."""
    html = re.sub(r"<(style|svg|script)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return htmllib.unescape(html)


# -- the browser the JupyterLab and Voila tests drive: Debian's Chromium, through Playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                    reason="Debian's chromium is not installed (make test installs it)")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError("timed out")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
        yield chromium
        chromium.close()
