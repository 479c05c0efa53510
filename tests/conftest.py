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
