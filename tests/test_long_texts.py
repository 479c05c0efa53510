"""Long names wrap in every document: a portfolio whose every text is as long as the model allows
(300 characters, with words no line holds: a 60-letter Polish compound, an e-mail address without
a break, Chinese without spaces), built in all four languages, and every page of every document
kind laid out within the page: no word beyond the left or right margin, nothing in the top margin
but the running header (two lines at most) and nothing in the bottom margin but the page number."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import DEMO_LANGUAGES, run_cli
from long_texts import POLISH_COMPOUND, fill_forms, long_portfolio
from pmworkbook.core.templates import Templates

MM = 72 / 25.4
MARGIN = {"left": 16 * MM, "right": 16 * MM, "top": 20 * MM, "bottom": 18 * MM}  # @page in document.css
TOLERANCE = 1.0  # points: a glyph's side bearing
WORD = re.compile(r'<word xMin="(-?[\d.]+)" yMin="(-?[\d.]+)" xMax="(-?[\d.]+)" yMax="(-?[\d.]+)">(.*?)</word>')
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
KINDS = ("role_description", "communication_calendar", "evaluation_sheet", "evaluation_report", "service_log", "status_report")


def outside_the_page(path: Path) -> list[tuple]:
    """Words outside the page's content box: beyond the left or right margin or off the page, and
    lines in the top margin beyond the running header's two or in the bottom one beyond the page number."""
    xml = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    found = []
    for number, (width, height, body) in enumerate(PAGE.findall(xml), start=1):
        width, height = float(width), float(height)
        top, bottom = set(), set()
        for x0, y0, x1, y1, word in WORD.findall(body):
            x0, y0, x1, y1 = map(float, (x0, y0, x1, y1))
            if x0 < MARGIN["left"] - TOLERANCE or x1 > width - MARGIN["right"] + TOLERANCE or y0 < 0 or y1 > height:
                found.append((path.name, number, round(x0), round(x1), round(y0), word))
            if y1 < MARGIN["top"] + TOLERANCE:
                top.add(round(y1 / 3))  # lines, by their baselines
            if y0 > height - MARGIN["bottom"] - TOLERANCE:
                bottom.add(round(y1 / 3))
        if len(top) > 2 or len(bottom) > 1:
            found.append((path.name, number, f"{len(top)} lines in the top margin, {len(bottom)} in the bottom one"))
    return found


@pytest.fixture(scope="module")
def long_packs(tmp_path_factory, demo_raw) -> Path:
    folder = tmp_path_factory.mktemp("long")
    portfolio = long_portfolio(demo_raw, folder)
    out = folder / "outputs"
    for command in (["build", portfolio], ["status", portfolio, "--week", "2027-W05"]):
        result = run_cli(*command, "--out", out, "--jobs", "2")
        assert result.returncode == 0, result.stdout + result.stderr
    for client, language in DEMO_LANGUAGES.items():  # the evaluation report, from forms with long comments
        inbox = fill_forms(out / client, language, folder / f"inbox-{client}")
        result = run_cli("collect", inbox, "--portfolio", portfolio, "--client", client, "--out", out)
        assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.mark.slow  # about 90 s: four packs, four status reports and four evaluation reports
def test_every_page_of_every_document_keeps_long_texts_within_its_margins(long_packs, tmp_path):
    from pmworkbook.render.pdf import write_pdf

    checked: dict[str, set[str]] = {}
    problems = []
    for client, language in DEMO_LANGUAGES.items():
        pack = long_packs / client
        # The pack's cover page is a screen page: printed by WeasyPrint with its own stylesheet.
        cover = write_pdf((pack / "index.html").read_text(encoding="utf-8"), tmp_path / f"{client}-index.pdf", language,
                          Templates.get(), base_url=pack)
        for path in [*sorted(pack.glob("*.pdf")), cover]:
            problems += outside_the_page(path)
            checked.setdefault(client, set()).add(next((kind for kind in KINDS if path.name.startswith(kind)), path.name))
    assert not problems, problems[:20]
    for client in DEMO_LANGUAGES:
        assert checked[client] >= {*KINDS, f"{client}-index.pdf"}, (client, checked[client])


def squeezed(text: str) -> str:
    """Text without the spaces, line ends and hyphens that wrapping puts in or takes out."""
    return re.sub(r"[\s\u00a0\u00ad-]+", "", text)


def body_text(pdf: Path) -> str:
    """The PDF's text without its page furniture (the running header, up to its first blank line,
    and the page number, the last line), so a text that runs on to the next page reads whole."""
    pages = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split("\f")
    bodies = []
    for page in pages:
        lines = page.strip("\n").split("\n")
        if len(lines) < 3:
            continue
        start = lines.index("") + 1 if "" in lines else 0
        bodies.append("\n".join(lines[start:-1]))
    return "\n".join(bodies)


@pytest.mark.slow
def test_long_names_are_printed_whole(long_packs):
    import yaml

    raw = yaml.safe_load(next(long_packs.parent.glob("*.yaml")).read_text(encoding="utf-8"))
    for client in raw["clients"]:
        text = squeezed(body_text(long_packs / client["id"] / "role_description_client_pm.pdf"))
        holder = next(p for p in client["people"] if p["role"] == "client_pm")
        for value in (client["name"], client["project"]["name"], holder["name"], holder["email"], holder["phone"]):
            assert squeezed(value) in text, (client["id"], value[:40])


def test_the_running_header_shortens_a_long_client_name_and_keeps_a_short_one():
    import nbformat

    from pmworkbook.core.text import width
    from pmworkbook.render.html import RUNNING_HEADER_CLIENT_WIDTH, notebook_to_html

    notebook = nbformat.v4.new_notebook()
    long_name = "华信零售集团有限公司上海浦东新区数字化转型与全渠道会员运营管理中心" * 8
    page = notebook_to_html(notebook, language="zh", client_name=long_name, title="沟通日历", templates=Templates.get())
    header = re.search(r'<div class="running-header">(.*?)</div>', page)[1]
    assert header.startswith("华信零售") and header.endswith("… · 沟通日历")
    assert width(header) <= RUNNING_HEADER_CLIENT_WIDTH + width(" · 沟通日历") and long_name in page  # whole in the <title>
    page = notebook_to_html(notebook, language="pl", client_name="ACME Sp. z o.o.", title="Opis roli", templates=Templates.get())
    assert '<div class="running-header">ACME Sp. z o.o. · Opis roli</div>' in page


def test_shorten_counts_chinese_characters_twice_and_cuts_after_a_word():
    from pmworkbook.core.text import shorten, width

    assert shorten("Anna Nowak", 40) == "Anna Nowak"
    assert shorten("Przedsiębiorstwo Handlowo-Usługowe Międzynarodowej Sieci Sklepów", 40) == "Przedsiębiorstwo Handlowo-Usługowe…"
    assert shorten(POLISH_COMPOUND, 20) == POLISH_COMPOUND[:19] + "…"
    chinese = shorten("华信零售集团有限公司上海浦东新区", 11)
    assert chinese == "华信零售集…" and width(chinese) == 11
    assert shorten("  a   b  ", 10) == "a b"


def test_the_unbroken_filter_keeps_short_values_together_and_lets_long_ones_wrap():
    from pmworkbook.core.templates import unbroken

    assert str(unbroken("+48 600 100 200")) == '<span class="unbroken">+48 600 100 200</span>'
    assert str(unbroken("<b>Ana</b>")) == '<span class="unbroken">&lt;b&gt;Ana&lt;/b&gt;</span>'
    assert unbroken("+48 600 100 200 " * 10) == "+48 600 100 200 " * 10  # escaped by the template like any text
    assert str(unbroken("客户方项目经理陈静", 16)) == "客户方项目经理陈静"  # 18 wide: wraps
    assert unbroken(None) is None and unbroken("") == ""
