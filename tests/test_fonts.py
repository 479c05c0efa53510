"""Emoji in the PDFs: a client, a person and a milestone with emoji print them in Noto Color Emoji,
and every other character (the digits of the dates and times above all) in the text fonts; the
emoji face of the stylesheet claims only the emoji the installed font has; charts leave out what
their fonts cannot draw; WeasyPrint's copy of the emoji font does not outlive its process."""

from __future__ import annotations

import gc
import html
import multiprocessing
import os
import re
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
import yaml

from conftest import DEMO, demo_client, run_cli, write_portfolio
from pmworkbook.core.templates import Templates

CLIENT = "huaxin-retail"  # Chinese: the schedule whose dates and times the emoji font once took
CLIENT_NAME = "华信零售有限公司 🚀"
PERSON = "王芳 😊"
MILESTONE = "发布 🚀✅"
EMOJI = ("🚀", "😊", "✅")
EMOJI_FONTS = re.compile(r"Noto-Color-Emoji|pmworkbook-emoji")
# Neither digits, #, * nor the signs the text fonts have (the emoji font maps them all).
NOT_EMOJI = {ord(c) for c in "0123456789#* ©®™\r\x00"}


def emoji_face() -> dict:
    """The emoji @font-face rule as WeasyPrint reads the stylesheet."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    faces = []

    class Recorder(FontConfiguration):
        def add_font_face(self, rule_descriptors, url_fetcher):
            faces.append(rule_descriptors)

    CSS(string=Templates.get().css_path.read_text(encoding="utf-8"), font_config=Recorder())
    [face] = faces
    return face


def installed_emoji_font() -> Path:
    path = subprocess.run(["fc-match", "-f", "%{file}", "Noto Color Emoji"], capture_output=True, text=True, check=True).stdout
    if "NotoColorEmoji" not in path:
        pytest.skip("Noto Color Emoji is not installed (Debian: fonts-noto-color-emoji, scripts/system-packages.sh build)")
    return Path(path)


def test_the_emoji_face_claims_only_emoji_that_the_installed_font_has():
    from fontTools.ttLib import TTFont

    face = emoji_face()
    assert face["font_family"] == "pmworkbook emoji" and list(face["src"]) == [("local", "Noto Color Emoji")]
    claimed = {code for r in face["unicode_range"] for code in range(r.start, r.end + 1)}
    font = set(TTFont(installed_emoji_font(), lazy=True).getBestCmap())
    assert claimed and not claimed & NOT_EMOJI
    # A code point the font lacks would print blank instead of in another font (a ballot box ☐ did).
    assert claimed <= font, sorted(hex(code) for code in claimed - font)[:20]
    assert {ord(e) for e in EMOJI} <= claimed and ord("☐") not in claimed


def font_runs(path: Path) -> list[tuple[str, str]]:
    """(font, text) of each run of text of the PDF, as poppler groups them."""
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-stdout", str(path)], capture_output=True, text=True, check=True).stdout
    fonts = dict(re.findall(r'<fontspec id="(\d+)" size="[\d.]+" family="(?:[A-Z]{6}\+)?([^"]+)"', xml))
    return [(fonts[font], html.unescape(re.sub(r"<[^>]+>", "", text)))
            for font, text in re.findall(r'<text [^>]*font="(\d+)"[^>]*>(.*?)</text>', xml)]


def emoji_client():
    from pmworkbook.portfolio.model import Client

    data = demo_client(CLIENT, name=CLIENT_NAME).model_dump()
    data["people"][0]["name"] = PERSON
    data["project"]["milestones"].append({"name": MILESTONE, "date": data["project"]["end"]})
    return Client.model_validate(data)


def check_fonts(path: Path) -> list[tuple[str, str]]:
    """The PDF's runs, asserting that the emoji are in the emoji font and nothing else is."""
    runs = font_runs(path)
    in_emoji_font = "".join(text for font, text in runs if EMOJI_FONTS.search(font))
    elsewhere = "".join(text for font, text in runs if not EMOJI_FONTS.search(font))
    assert "🚀" in in_emoji_font and not any(e in elsewhere for e in EMOJI), path.name
    # Only emoji (and the spaces between them) in the emoji font: no digit, letter or Chinese character.
    assert not re.search(r"[0-9A-Za-z#*\u3000-\u9fff]", in_emoji_font), (path.name, in_emoji_font)
    assert all(re.search(r"Noto-Sans|DejaVu|Noto-Color-Emoji|pmworkbook-emoji", font) for font, _ in runs), path.name
    return runs


def test_emoji_of_a_chinese_schedule_print_in_the_emoji_font_and_its_dates_in_the_chinese_one(tmp_path):
    # The calendar's schedule and timeline, made in this process (the whole pack: the slow test below).
    from pmworkbook.documents.calendar import CommunicationCalendar
    from pmworkbook.render.pdf import write_pdf

    installed_emoji_font()
    doc = CommunicationCalendar(emoji_client())
    body = "".join(str(fragment) for fragment in (doc.header(), doc.schedule(), doc.timeline()))
    page = (f'<!DOCTYPE html><html lang="zh-Hans"><head><style id="document-style"></style></head><body>'
            f'<div class="running-header">{CLIENT_NAME}</div><main class="document">{body}</main></body></html>')
    runs = check_fonts(write_pdf(page, tmp_path / "calendar.pdf", "zh", Templates.get()))
    dated = [font for font, text in runs if re.search(r"2026年9月10日|10:00–11:00", text)]
    assert dated and all(font == "Noto-Sans-CJK-SC" for font in dated), dated
    assert MILESTONE in "".join(text for _, text in runs)


@pytest.fixture(scope="module")
def emoji_pack(tmp_path_factory) -> Path:
    installed_emoji_font()
    raw = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    client = next(c for c in raw["clients"] if c["id"] == CLIENT)
    client["name"] = CLIENT_NAME
    client["people"][0]["name"] = PERSON
    client["project"]["milestones"].append({"name": MILESTONE, "date": client["project"]["end"]})
    for key in ("tasks", "requests", "decisions", "risks"):  # the status report's registers stay beside the portfolio
        client[key] = str(DEMO.parent / client[key])
    raw["clients"] = [client]
    folder = tmp_path_factory.mktemp("emoji")
    portfolio = write_portfolio(folder / "emoji.yaml", raw)
    for command in (["build", portfolio], ["status", portfolio, "--week", "2027-W05"]):
        result = run_cli(*command, "--out", folder / "outputs", "--jobs", "2")
        assert result.returncode == 0, result.stdout + result.stderr
    return folder / "outputs" / CLIENT


@pytest.mark.slow  # about 30 s: a pack and a status report built by the commands
def test_emoji_print_in_the_emoji_font_and_everything_else_in_the_text_fonts(emoji_pack):
    pdfs = sorted(emoji_pack.glob("*.pdf"))
    assert len(pdfs) >= 5
    for path in pdfs:
        check_fonts(path)
    calendar = font_runs(emoji_pack / "communication_calendar.pdf")
    # The schedule's dates and times are in the Chinese text font, as they were before.
    dated = [font for font, text in calendar if re.search(r"2026年9月10日|10:00–11:00", text)]
    assert dated and all(font == "Noto-Sans-CJK-SC" for font in dated), dated
    for name in ("communication_calendar", "role_description_client_pm", "status_report_2027-W05"):
        text = subprocess.run(["pdftotext", str(emoji_pack / f"{name}.pdf"), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert CLIENT_NAME in text and MILESTONE in text, name
    assert PERSON in subprocess.run(["pdftotext", str(emoji_pack / "role_description_client_pm.pdf"), "-"],
                                    capture_output=True, text=True, check=True).stdout


def test_chart_labels_leave_out_what_no_chart_font_has_and_are_shortened():
    from pmworkbook.core.text import width
    from pmworkbook.render.charts import label

    assert label("Launch 🚀 done ✅") == "Launch done"
    assert label(MILESTONE) == "发布"
    assert label("Zażółć gęślą jaźń · Привет") == "Zażółć gęślą jaźń · Привет"
    chinese = label("华信零售集团有限公司上海浦东新区数字化转型与全渠道会员运营管理中心" * 5, 40)
    assert chinese.endswith("…") and width(chinese) <= 40 and chinese.startswith("华信零售")


def test_an_emoji_label_draws_without_a_missing_glyph_warning():
    import warnings

    from pmworkbook.render.charts import label, pyplot

    plt = pyplot()
    figure, axes = plt.subplots()
    axes.set_title(label(f"{MILESTONE} Launch 🚀 Запуск"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)" for a box
        figure.canvas.draw()
    plt.close(figure)


def test_the_emoji_font_copy_lives_in_a_folder_of_the_process_and_killed_workers_leave_none(tmp_path, monkeypatch):
    # WeasyPrint copies the @font-face font (11 MB) into a folder it removes when the process ends; a
    # worker killed at its time limit cannot. The folder carries the process id; those of processes
    # that are gone are removed by the next one.
    def pdf_in_a_process(then: str) -> subprocess.CompletedProcess:
        code = ("import os; from pmworkbook.render import pdf; from pmworkbook.core.templates import Templates\n"
                "from pathlib import Path\n"
                "page = '<html lang=\"en\"><head><style id=\"document-style\"></style></head><body>Go 🚀</body></html>'\n"
                f"pdf.write_pdf(page, Path({str(tmp_path / 'x.pdf')!r}), 'en', Templates.get())\n"
                "folder = pdf._font_config()._folder\n"
                f"print(folder, len(list(folder.iterdir())), flush=True)\n{then}\n")
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "TMPDIR": str(tmp_path)})

    killed = pdf_in_a_process("os.kill(os.getpid(), 9)")
    left, copies = killed.stdout.split()
    assert killed.returncode == -9 and int(copies) == 1 and Path(left).parent == tmp_path
    assert Path(left).name.startswith("pmworkbook-fonts-") and Path(left).exists()
    ended = pdf_in_a_process("")
    assert ended.returncode == 0, ended.stderr
    assert not Path(left).exists()  # the killed process's folder is gone
    assert not Path(ended.stdout.split()[0]).exists()  # and a process that ends removes its own
    # So does a build's pool worker (spawned, as batch/run.py starts them), whose frozen heap kept
    # WeasyPrint's own clean-up (at the interpreter's teardown) from running.
    with monkeypatch.context() as patch:
        patch.setenv("TMPDIR", str(tmp_path))
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            folder = Path(pool.submit(pdf_in_a_worker, str(tmp_path / "y.pdf")).result())
    assert folder.parent == tmp_path and not folder.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.pdf", "y.pdf"]


def pdf_in_a_worker(path: str) -> str:
    from pmworkbook.render import pdf

    page = '<html lang="en"><head><style id="document-style"></style></head><body>Go 🚀</body></html>'
    pdf.write_pdf(page, Path(path), "en", Templates.get())
    gc.freeze()  # as a build worker does after its first document (batch/worker.py)
    return str(pdf._font_config()._folder)
