"""The two apps as people in a room use them: served by Voila as `make workshop` and `make rate` serve
them (pmworkbook.apps.server), driven in Debian's Chromium at a projector's 1280×720. One Voila server
per app for the whole module; each test opens one page."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import DEMO, free_port, needs_chromium, wait_for
from pmworkbook.apps.server import voila_command
from pmworkbook.apps.widgets import language_options
from pmworkbook.core.i18n import Formatter
from pmworkbook.core.templates import Templates

pytestmark = needs_chromium
PROJECTOR = {"width": 1280, "height": 720}


def _serve(app: str, root: Path):
    """The command line `make workshop`/`make rate` runs, on a free port, with the environment it sets."""
    from pmworkbook.apps.server import environment

    port = free_port()
    log = (root / f"{app}.log").open("w")
    env = environment(root, "/voila/files/", str(root / "portfolio.yaml"), root / "outputs", root / "responses")
    server = subprocess.Popen(voila_command(app, root, port, browser=False), cwd=root, env=env,
                              stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:  # listening is enough: opening a page would start a kernel
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError((root / f"{app}.log").read_text()) from None
            time.sleep(0.2)
    return server, base


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("apps")
    shutil.copy(DEMO, root / "portfolio.yaml")
    servers = {app: _serve(app, root) for app in ("workshop", "rate")}
    yield {"root": root, **{app: base for app, (_, base) in servers.items()}}
    for server, _ in servers.values():
        server.terminate()
    for server, _ in servers.values():
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def open_app(browser, url: str):
    page = browser.new_page(viewport=PROJECTOR)
    page.set_default_timeout(60_000)
    page.goto(url)
    page.wait_for_selector(".pmw-save >> visible=true")
    return page


def no_horizontal_scrolling(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_workshop_app(browser, served):
    """No code; the client's language and the others on demand; switching with unsaved edits asks;
    a changed meeting day saved as a one-line diff; the pack built and every link opens."""
    portfolio = served["root"] / "portfolio.yaml"
    before = portfolio.read_text(encoding="utf-8")
    page = open_app(browser, f"{served['workshop']}/?client=acme-shop")
    assert page.locator(".jp-InputArea, .jp-InputPrompt, .CodeMirror, .cm-editor").count() == 0  # no code, no prompts
    assert "WorkshopForm" not in page.content() and "import" not in page.inner_text("body")
    page.wait_for_selector(".pmw-preview >> text=Cotygodniowe spotkanie statusowe")  # the live calendar, in Polish
    assert no_horizontal_scrolling(page)
    for language in ("en", "zh", "ru", "pl"):  # each language's labels, from the catalogs
        t = Templates.get().text("i18n", language)
        page.select_option(".pmw-language select", label={code: label for label, code in language_options()}[language])
        page.wait_for_selector(f".pmw-save >> text={t['apps.workshop.save']}")
        page.wait_for_selector(f".pmw-build >> text={t['apps.workshop.build']}")
        page.wait_for_selector(f"text={t['apps.workshop.meeting_day']}")
    t = Templates.get().text("i18n", "pl")

    thursday = Formatter("pl", None, Templates.get()).weekday("TH")
    page.select_option(".pmw-meeting-day select", label=thursday)
    page.wait_for_selector(f".pmw-unsaved >> text={t['apps.workshop.unsaved']}")
    page.select_option(".pmw-client select", label="Harbor Health Inc. (harbor-health)")  # unsaved edits: asked, not switched
    page.wait_for_selector(".pmw-ask-cancel >> visible=true").click()
    page.wait_for_selector(".pmw-ask", state="hidden")
    assert page.locator(".pmw-meeting-day select").input_value() == thursday

    page.locator(".pmw-save").click()
    page.wait_for_selector(f".pmw-status >> text={t['apps.workshop.saved'].split('{')[0].strip()}")
    after = portfolio.read_text(encoding="utf-8")
    changed = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert len(changed) == 2 and "meeting_day: TU" in changed[0] and changed[1] == "+" + changed[0][1:].replace("TU", "TH"), changed
    assert page.locator(".pmw-unsaved").inner_text() == ""
    page.screenshot(path=str(served["root"] / "workshop-app.png"))

    page.locator(".pmw-build").click()
    page.wait_for_selector(".pmw-links a", timeout=120_000)
    links = page.locator(".pmw-links a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert any(h.endswith(".pdf") for h in hrefs) and all(h.startswith("/voila/files/outputs/acme-shop/") for h in hrefs), hrefs
    for href in hrefs:  # each link opens: the server that serves the page serves the file
        response = page.request.get(served["workshop"] + href)
        assert response.status == 200, href
        if href.endswith(".pdf"):
            assert response.body()[:5] == b"%PDF-"
    assert page.request.get(served["workshop"] + "/voila/files/portfolio.yaml").status != 200  # only outputs are served
    assert no_horizontal_scrolling(page)
    page.close()


def test_the_rating_app(browser, served):
    """No group preselected; the answers saved where `collect` reads this client's responses."""
    from pmworkbook.plan.responses import collect

    page = open_app(browser, f"{served['rate']}/?client=huaxin-retail&token=A1")
    assert page.locator(".jp-InputArea, .jp-InputPrompt").count() == 0
    assert page.locator(".pmw-token input").input_value() == "A1"  # the copy token from the link
    assert no_horizontal_scrolling(page)
    t = Templates.get().text("i18n", "zh")
    assert page.locator(".pmw-group select").input_value() == ""  # nothing preselected
    page.screenshot(path=str(served["root"] / "rating-app.png"))
    buttons = page.locator(".widget-toggle-buttons")
    for index in range(buttons.count()):
        buttons.nth(index).locator(".widget-toggle-button").nth(3).click()  # 4 everywhere
    page.locator(".pmw-save").click()  # the group not chosen: refused, said beside the field
    page.wait_for_selector(f".pmw-group-error >> text={t['apps.rating.choose_group']}")
    page.select_option(".pmw-group select", label=t["evaluation.rater_groups.client"])
    page.locator(".pmw-save").click()
    folder = served["root"] / "responses" / "huaxin-retail"
    saved = wait_for(lambda: list(folder.glob("*.json")) if folder.exists() else [])
    response = json.loads(saved[0].read_text(encoding="utf-8"))
    assert response["rater_group"] == "client" and response["subject"]
    page.wait_for_selector(".pmw-status >> text=谢谢")
    from pmworkbook.plan.validation import validate

    client = validate(served["root"] / "portfolio.yaml", Templates.get()).require().client("huaxin-retail")
    collected = collect(folder, client, Templates.get())
    assert len(collected.responses) == 1 and not collected.rejected and collected.responses[0].token == "A1"
    # a second rater of the group types the same token: asked in Chinese, nothing saved until answered
    for index in range(buttons.count()):
        buttons.nth(index).locator(".widget-toggle-button").nth(1).click()
    page.select_option(".pmw-group select", label=t["evaluation.rater_groups.client"])
    page.locator(".pmw-token input").fill("a1")
    page.locator(".pmw-save").click()
    page.wait_for_selector(f".pmw-token-ask >> text={t['apps.rating.token_used'].split('{')[0]}")
    assert no_horizontal_scrolling(page)
    page.locator(".pmw-token-ask").scroll_into_view_if_needed()
    page.screenshot(path=str(served["root"] / "rating-app-token.png"))
    page.locator(".pmw-token-correct").click()
    page.wait_for_selector(f".pmw-token-error >> text={t['apps.rating.token_check']}")
    assert page.locator(".pmw-token-ask").is_hidden() and len(list(folder.glob("*.json"))) == 1
    # the kernel dies (Voila restarts it, without the form's widgets): the page says so
    assert not page.locator(".pmw-connection-lost").is_visible()
    kernel = re.search(r"/api/kernels/([0-9a-f-]{36})", page.content()).group(1)
    pid = next(int(p) for p in os.listdir("/proc") if p.isdigit() and f"kernel-{kernel}.json".encode() in Path(f"/proc/{p}/cmdline").read_bytes())
    os.kill(pid, signal.SIGKILL)  # the kernel this test's page started
    page.wait_for_selector(f".pmw-connection-lost >> text={t['apps.connection_lost']}", timeout=30_000)
    page.close()


def test_the_workshop_app_says_what_is_wrong_in_each_language(browser, served):
    """An invalid time and a milestone moved outside the project, in each language: the message
    beside the field is the catalog's sentence in that language, and it goes when the value is fixed."""
    from pmworkbook.plan.validation import validate

    templates = Templates.get()
    client = validate(served["root"] / "portfolio.yaml", templates).require().client("sever-logistics")
    project, labels = client.project, {code: label for label, code in language_options()}
    page = open_app(browser, f"{served['workshop']}/?client=sever-logistics")
    time_input, date_input = page.locator(".pmw-meeting-time input"), page.locator(".pmw-milestone input[type=date]").first
    meeting_time, milestone_date = time_input.input_value(), date_input.input_value()
    for language in ("ru", "en", "zh", "pl"):
        t, fmt = templates.text("i18n", language), Formatter(language, client.country, templates)
        page.select_option(".pmw-language select", label=labels[language])
        page.wait_for_selector(f".pmw-save >> text={t['apps.workshop.save']}")
        time_input.fill("25:61")
        page.get_by_text(t.format("problems.time_of_day", value="25:61")).wait_for()
        time_input.fill(meeting_time)
        date_input.fill("2030-01-01")
        page.get_by_text(t.format("problems.milestone_outside_project", name=project.milestones[0].name,
                                  date=fmt.date(dt.date(2030, 1, 1)), start=fmt.date(project.start),
                                  end=fmt.date(project.end))).wait_for()
        if language == "zh":
            page.screenshot(path=str(served["root"] / "workshop-app-errors-zh.png"))
        date_input.fill(milestone_date)
        page.wait_for_selector(".pmw-error", state="detached")
    page.close()
