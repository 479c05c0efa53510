"""`pmworkbook status` end to end on the demo week (2027-W05), HTML only: a client's report, its
figures and e-mail; another client with a broken register fails alone, named by file, row and
column; the portfolio at a glance, red first; an unchanged report is reused, a changed register
rebuilds its report. And as PDF from registers of a few hundred tasks: the report before its
appendix stays on two A4 pages, the complete lists follow the appendix."""

from __future__ import annotations

import csv
import email
import email.policy
import json
import shutil
import subprocess

import pytest
import yaml

from conftest import DEMO, DEMO_LANGUAGES, run_cli, visible_text, write_large_registers, write_portfolio

WEEK = "2027-W05"
BUILT = "sever-logistics"  # red in the demo week
BROKEN = "acme-shop"


@pytest.fixture(scope="module")
def status_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("status")
    for path in DEMO.parent.iterdir():
        if path.suffix in (".csv", ".xlsx"):
            shutil.copy(path, folder)
    raw = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    portfolio = write_portfolio(folder / "portfolio.yaml", raw)
    # acme-shop's Jira export: its fourth issue due before it starts.
    register = folder / "acme-shop-tasks.csv"
    rows = list(csv.reader(register.open(encoding="utf-8")))
    rows[4][rows[0].index("Due date")] = "05/Jan/27"
    with register.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    out = folder / "out"
    clients = f"{BUILT},{BROKEN}"
    first = run_cli("status", portfolio, "--week", WEEK, "--out", out, "--clients", clients, "--formats", "html", "--jobs", "2")
    return {"out": out, "first": first, "register": register, "portfolio": portfolio}


def test_a_broken_register_fails_its_clients_report_alone(status_run):
    result = status_run["first"]
    assert result.returncode == 2, result.stdout + result.stderr  # bad input, the others built
    assert "Traceback" not in result.stderr
    lines = [ln for ln in result.stderr.splitlines() if "field 'tasks'" in ln]
    assert len(lines) == 1 and str(status_run["register"]) in lines[0], result.stderr
    assert "row 5, column 'Due date': due 2027-01-05 is before its start 2027-01-12" in lines[0]
    assert not (status_run["out"] / BROKEN / f"status_report_{WEEK}.html").exists()
    manifest = json.loads((status_run["out"] / "manifest.json").read_text(encoding="utf-8"))
    entries = {d["client_id"]: d for d in manifest["documents"] if d["kind"] == "status_report"}
    assert entries[BROKEN]["status"] == "failed" and "before its start" in entries[BROKEN]["error"]
    assert entries[BUILT]["status"] == "ok"


def test_the_report_with_its_figures_and_email(status_run):
    client_id = BUILT
    folder = status_run["out"] / client_id
    assert {p.name for p in folder.iterdir()} >= {f"status_report_{WEEK}.html", f"status_report_{WEEK}.ipynb",
                                                    f"status_{WEEK}.json", f"status_email_{WEEK}.eml"}
    page = (folder / f"status_report_{WEEK}.html").read_text(encoding="utf-8")
    assert f'lang="{ {"zh": "zh-Hans"}.get(DEMO_LANGUAGES[client_id], DEMO_LANGUAGES[client_id])}"' in page
    figures = json.loads((folder / f"status_{WEEK}.json").read_text(encoding="utf-8"))
    assert figures["week"] == WEEK and figures["as_of"] == "2027-02-07"
    assert set(figures["rag"]) == {"overall", "schedule", "effort", "scope", "service"}
    text = visible_text(page)
    message = email.message_from_bytes((folder / f"status_email_{WEEK}.eml").read_bytes(), policy=email.policy.default)
    attachments = [part.get_filename() for part in message.iter_attachments()]
    assert attachments == [f"status_report_{WEEK}.html"]  # no PDF made: the page itself
    assert message["X-Unsent"] == "1" and "Портал для грузоотправителей" in message["Subject"]
    recipients = {address.addr_spec for address in message["To"].addresses}
    raw = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    people = next(c for c in raw["clients"] if c["id"] == client_id)["people"]
    # The weekly report's audience in the communication plan: the client's team and the sponsor.
    assert recipients == {p["email"] for p in people if p["side"] == "client"}
    # ТЗ-7 (the logistics department's approval) was due on 4 February and is not done: overdue;
    # ТЗ-9 moves the milestone of 5 February to 12 February, five working days: red.
    assert figures["tasks"]["overdue"] == 1 and figures["rag"]["schedule"] == "red"
    assert figures["reasons"]["schedule"]["days"] == 5 and figures["rag"]["overall"] == "red"
    # О-9, the complaint of 2 February, is open: 33.5 working hours by Sunday, past the account manager's 24.
    assert figures["service"]["open_complaints"] == 1
    assert "Jan Kowalski" in text and "Согласование ТЗ с отделом логистики" in text
    assert "Решения, необходимые от заказчика" in text and "статус-отчёт" in message["Subject"].lower()
    # The pack's cover names the report by its week, as the report's own title does.
    cover = visible_text((folder / "index.html").read_text(encoding="utf-8"))
    assert "Статус-отчёт · 5-я неделя 2027 года · 1—7 февраля 2027" in " ".join(cover.split())


def test_the_portfolio_at_a_glance_lists_red_first_and_names_the_failure(status_run):
    from pmworkbook.batch import status as command
    from pmworkbook.batch.jobs import Result, Settings
    from pmworkbook.batch.manifest import write_manifest
    from pmworkbook.core.templates import Templates
    from pmworkbook.documents.status_report import StatusReport
    from pmworkbook.plan.validation import validate

    out, portfolio = status_run["out"], status_run["portfolio"]
    page = (out / f"status-{WEEK}.html").read_text(encoding="utf-8")
    assert f'href="{BUILT}/status_report_{WEEK}.html"' in page
    assert "Reports not built" in visible_text(page) and "ACME Sp. z o.o." in page and "before its start" in page
    # harbor-health's figures (green in the demo week), as its notebook writes them, beside sever-logistics' (red).
    validation = validate(portfolio, Templates.get())
    report = StatusReport(validation.portfolio.client("harbor-health"), Templates.get(), out / "harbor-health", week=WEEK)
    report.output_dir.mkdir(exist_ok=True)
    report.write_json()
    write_manifest(out, "Demo", portfolio, [Result("harbor-health", f"status_report_{WEEK}", "status_report", "ok", 1.0)])
    outcome = command.StatusOutcome(validation, report.week, report.as_of)
    text = visible_text(command.write_overview(out, outcome, Settings(out=out)).read_text(encoding="utf-8"))
    assert text.index("ООО «Север Логистик»") < text.index("Harbor Health Inc.")  # red before green
    assert "ACME Sp. z o.o." in text  # the failure of the earlier run stays listed


def test_an_unchanged_report_is_reused_and_a_changed_register_rebuilds_it(status_run, monkeypatch):
    from pmworkbook.batch import status as command
    from pmworkbook.batch.jobs import Settings

    planned = []
    monkeypatch.setattr(command, "run_jobs", lambda jobs, *args: planned.extend(jobs) or iter(()))
    settings = Settings(out=status_run["out"], formats=("html",))
    outcome = command.status(status_run["portfolio"], settings, week=WEEK, clients=[BUILT], progress="quiet")
    assert not planned and [r.client_id for r in outcome.results if r.reused] == [BUILT]
    # A request added to the client's log changes its report's fingerprint: it is built again.
    log = status_run["portfolio"].parent / f"{BUILT}-requests.csv"
    with log.open("a", encoding="utf-8") as handle:
        handle.write("О-13,Вопрос,Обычный,Чат,2027-02-05 11:00,2027-02-05 11:20,,Дмитрий Соколов,Формат протокола\n")
    command.status(status_run["portfolio"], settings, week=WEEK, clients=[BUILT], progress="quiet")
    assert [job.client_id for job in planned] == [BUILT]


def test_a_week_that_is_not_one_is_refused_in_one_line(tmp_path, capsys):
    from pmworkbook.cli import main

    assert main(["status", str(DEMO), "--week", "2027-W60", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "2027-W60" in err and "(--week)" in err and "Traceback" not in err and not list(tmp_path.iterdir())


# -- a large register on paper --------------------------------------------------------------------

LARGE = ("acme-shop", "sever-logistics", "harbor-health")  # the longest words (Polish, Russian) and English


@pytest.fixture(scope="module")
def large_run(tmp_path_factory):
    """The reports of 2027-W05 as PDF, each client with 300 tasks, 80 requests, 12 decisions and 8 risks."""
    folder = tmp_path_factory.mktemp("large")
    raw = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    for client in raw["clients"]:
        if client["id"] in LARGE:
            client.update(write_large_registers(folder, client["id"]))
    for path in DEMO.parent.iterdir():  # the other clients' registers, as they are
        if path.suffix in (".csv", ".xlsx"):
            shutil.copy(path, folder)
    portfolio = write_portfolio(folder / "portfolio.yaml", raw)
    out = folder / "out"
    result = run_cli("status", portfolio, "--week", WEEK, "--out", out, "--clients", ",".join(LARGE), "--jobs", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def pdf_pages(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


@pytest.mark.parametrize("client_id", LARGE)
def test_a_large_registers_report_keeps_to_two_pages_before_its_appendix(large_run, client_id):
    from pmworkbook.core.i18n import Formatter
    from pmworkbook.core.templates import Templates
    from pmworkbook.documents.status_report import RISK_ROWS

    t = Templates.get().text("i18n", DEMO_LANGUAGES[client_id])
    pages = [" ".join(page.split()) for page in pdf_pages(large_run / client_id / f"status_report_{WEEK}.pdf")]
    appendix = t["status.sections.appendix"]
    starts = [number for number, page in enumerate(pages, start=1) if appendix in page]
    assert starts and starts[0] <= 3, f"{client_id}: the appendix starts on page {starts[:1]} of {len(pages)}"
    first = starts[0]
    # Everything before the appendix is on pages 1-2: each of its sections, down to the last
    # line of the top risks, and nothing but the running header ahead of the heading on its page.
    main = " ".join(pages[: first - 1])
    for key in ("tasks", "milestones", "effort", "service", "complaints", "waiting", "decisions", "risks"):
        assert t[f"status.sections.{key}"] in main, (client_id, key)
    assert main.rindex(t["status.sections.risks"]) > main.rindex(t["status.sections.decisions"])
    fmt = Formatter(DEMO_LANGUAGES[client_id], None, Templates.get())
    footer = t["page_of"].format(page=first - 1, pages=len(pages))
    last_row = fmt.plural("status.more.risks", 8 - RISK_ROWS)  # the top risks' "… and 5 more": the main part's last line
    assert main.rstrip().endswith(f"{last_row} {footer}"), main[-300:]
    ahead = pages[first - 1][: pages[first - 1].index(appendix)]
    assert t["status.sections.risks"] not in ahead and t["status.sections.tasks"] not in ahead, ahead
    # The complete lists follow the rules: every task of the four lists (all but those done before
    # the week) is somewhere in the report.
    whole = " ".join(pages)
    assert whole.index(t["status.sections.full_lists"]) > whole.index(appendix)
    with (large_run.parent / f"{client_id}-large-tasks.csv").open(encoding="utf-8") as handle:
        listed = [row["id"] for row in csv.DictReader(handle) if not (row["status"] == "Done" and row["done_on"] < "2027-02-01")]
    assert len(listed) == 250
    assert [task for task in listed if f"{task} " not in whole] == []
