"""The workbook in a real JupyterLab, driven in Debian's Chromium by Playwright (no browser
download): a PM changes the meeting day in the workshop and saves; a rater fills the evaluation form."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest

from conftest import DEMO, free_port, needs_chromium, wait_for
from pmworkbook.core.i18n import Formatter
from pmworkbook.core.templates import NOTEBOOKS_DIR, Templates
from pmworkbook.plan.validation import validate

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on loopback, serving parameterised copies of the two widget notebooks."""
    root = tmp_path_factory.mktemp("lab")
    portfolio = root / "portfolio.yaml"
    shutil.copy(DEMO, portfolio)
    responses = root / "responses"
    for name, parameters in (("workshop", {"portfolio": str(portfolio), "client_id": "acme-shop", "out": str(root / "outputs")}),
                             ("evaluation_form", {"portfolio": str(portfolio), "responses_dir": str(responses),
                                                  "client_id": "huaxin-retail", "rater_group": "client"})):
        notebook = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
        # as Papermill does: the given values in a cell right after the `parameters` cell
        index = next(i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get("tags", []))
        assignments = "\n".join(f"{key} = {value!r}" for key, value in parameters.items())
        notebook.cells.insert(index + 1, nbformat.v4.new_code_cell(assignments))
        nbformat.write(notebook, root / f"{name}.ipynb")
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTERLAB_WORKSPACES_DIR": str(root / ".workspaces"), "JUPYTER_RUNTIME_DIR": str(root / ".runtime"),
           # as `make lab` (pmworkbook.apps.server) sets them: the served folder and its URL, for the links
           "PMWORKBOOK_ROOT": str(root), "PMWORKBOOK_FILES_URL": "/files/"}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly"] + (["--allow-root"] if os.geteuid() == 0 else []),
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=(root / "lab.log").open("w"))
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError((root / "lab.log").read_text()) from None
            time.sleep(0.5)
    yield {"base": base, "token": token, "root": root, "portfolio": portfolio, "responses": responses}
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def open_and_run(browser, lab, notebook: str, ready: str):
    """Open a notebook, run all its cells from the Run menu, and wait until `ready` shows."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(120_000)
    # ?reset: a clean workspace, so the other test's notebook is not reopened beside this one
    page.goto(f"{lab['base']}/lab/tree/{notebook}?reset&token={lab['token']}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
    page.wait_for_selector("text=Python 3 (ipykernel) | Idle")  # the kernel is connected, not just announced
    for attempt in range(3):  # a click while Lab is still settling can be lost: try again
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        try:
            page.wait_for_selector(f"{ready} >> visible=true", timeout=45_000)
            return page
        except Exception:  # noqa: BLE001 - any failure to load is retried, with a screenshot
            page.screenshot(path=str(lab["root"] / f"{notebook}-attempt{attempt}.png"))
    raise AssertionError(f"{notebook} did not show {ready}; screenshots in {lab['root']}")


def test_workshop_in_the_browser_changes_the_meeting_day_and_saves(browser, lab):
    page = open_and_run(browser, lab, "workshop.ipynb", ".pmw-meeting-day select")
    page.wait_for_selector("text=Cotygodniowe spotkanie statusowe")  # the live calendar preview
    page.select_option(".pmw-meeting-day select", label=Formatter("pl", None, Templates.get()).weekday("TH"))
    page.wait_for_selector(".pmw-preview >> text=/W każdy czwartek|Co tydzień: czwartek/")  # the preview followed the change
    page.locator(".pmw-save >> visible=true").click()
    client = wait_for(lambda: (c := validate(lab["portfolio"], Templates.get()).require().client("acme-shop"))
                      .communication.meeting_day == "TH" and c)
    assert client.communication.meeting_time.hour == 10
    assert "# The demo portfolio" in lab["portfolio"].read_text(encoding="utf-8")  # comments kept
    page.wait_for_selector(".pmw-status >> text=Zapisano")
    page.screenshot(path=str(lab["root"] / "workshop.png"), full_page=False)
    page.locator(".pmw-build >> visible=true").click()  # the links of the built pack open in JupyterLab too
    page.wait_for_selector(".pmw-links a", timeout=120_000)
    links = page.locator(".pmw-links a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert any(h.endswith(".pdf") for h in hrefs) and all(h.startswith("/files/outputs/acme-shop/") for h in hrefs), hrefs
    for href in hrefs:  # as a click on the link asks: the page's login cookie and the page as referer
        response = page.request.get(lab["base"] + href, headers={"Referer": page.url})
        assert response.status == 200, (href, response.status)
    page.close()


def test_evaluation_form_in_the_browser_is_filled_and_saved(browser, lab):
    page = open_and_run(browser, lab, "evaluation_form.ipynb", ".pmw-q-on_time_delivery .widget-toggle-button")
    page.locator(".pmw-save >> visible=true").click()  # nothing answered yet: refused
    page.wait_for_selector(".pmw-status >> text=未保存")
    criteria = ["on_time_delivery", "budget_control", "quality_management", "team_satisfaction", "communicativeness", "proactivity"]
    for index, criterion in enumerate(criteria):
        buttons = page.locator(f".pmw-q-{criterion} .widget-toggle-button")
        buttons.nth(5 if index == 2 else 3).click()  # 4 everywhere, "not observed" once
    page.locator(".pmw-q-proactivity textarea").fill("主动提出了很多改进建议")
    page.locator(".pmw-save >> visible=true").click()
    saved = wait_for(lambda: list(lab["responses"].glob("huaxin-retail/*.json")))  # the client's own folder
    response = json.loads(saved[0].read_text(encoding="utf-8"))
    assert response["client_id"] == "huaxin-retail" and response["rater_group"] == "client"
    assert response["answers"]["quality_management"]["score"] == "not_observed"
    assert response["answers"]["on_time_delivery"]["score"] == 4
    assert response["answers"]["proactivity"]["comment"] == "主动提出了很多改进建议"
    page.wait_for_selector(".pmw-status >> text=谢谢")
    page.close()


def test_the_lab_opens_in_the_language_given(browser, tmp_path):
    """`make lab LAB_LANGUAGE=zh` (server.py --language): JupyterLab's own menus in Chinese, from its
    language pack, as the Lab's default; the Lab's files and the user's settings untouched."""
    from pmworkbook.apps.server import lab_command

    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / ".workspaces"), "JUPYTER_RUNTIME_DIR": str(tmp_path / ".runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / ".user-settings")}  # no language a developer picked
    command = [*lab_command(tmp_path, port, browser=False, language="zh"), "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", "--LabApp.extension_manager=readonly"]
    server = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "lab.log").open("w"))
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(f"{base}/api/status?token={token}") or server.poll() is not None, timeout=90)
        assert server.poll() is None, (tmp_path / "lab.log").read_text()
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.set_default_timeout(60_000)
        page.goto(f"{base}/lab?reset&token={token}")
        page.wait_for_selector(".lm-MenuBar-itemLabel >> text=文件")  # File
        menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
        assert {"文件", "编辑", "设置", "帮助"} <= set(menus), menus  # File, Edit, Settings, Help
        page.screenshot(path=str(tmp_path / "lab-zh.png"))
        page.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    assert not (tmp_path / ".user-settings" / "@jupyterlab" / "translation-extension").exists()  # a default, not a choice


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2)
        return True
    except OSError:
        return False
