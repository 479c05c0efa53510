"""Role descriptions in four languages: every responsibility area, no English left in zh/pl/ru,
a broken RACI refuses that client alone, RACI advice stays out of the document (the announcement
letter and its .eml: test_letters.py)."""

from __future__ import annotations

import contextlib
import copy
import html as htmllib
import re
import subprocess
import zlib
from pathlib import Path

import pytest
import yaml

from conftest import DEMO, DEMO_LANGUAGES, run_cli, visible_text, write_portfolio
from pmworkbook.core.templates import BUNDLED_TEMPLATES, Templates
from pmworkbook.plan.validation import validate

POLISH_STOPWORDS = {"the", "and", "with", "for", "every", "each", "of", "is", "are", "will", "project", "meeting", "report",
                    "weekly", "daily", "team", "scope", "risk", "quality", "change", "milestone", "review", "owner", "budget"}
ALWAYS_ALLOWED = {"RACI", "KPI", "SMART", "mail", "min", "Asia", "Shanghai", "Europe", "Moscow", "Warsaw", "America", "New_York"}


def typed_values(raw: dict) -> set[str]:
    """Everything the portfolio's authors typed: names, e-mails, project names (kept as typed)."""
    values: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            values.add(node)
    walk(raw)
    return values


@pytest.mark.parametrize("client_id", DEMO_LANGUAGES)
def test_every_responsibility_area_heading_is_in_the_clients_language(demo_packs, client_id):
    language = DEMO_LANGUAGES[client_id]
    i18n = yaml.safe_load((BUNDLED_TEMPLATES / "i18n" / f"{language}.yaml").read_text(encoding="utf-8"))
    text = visible_text((demo_packs / client_id / "role_description_client_pm.html").read_text(encoding="utf-8"))
    for heading in [*i18n["role"]["areas"].values(), i18n["role"]["raci"], i18n["role"]["goals"], i18n["role"]["letter"]]:
        assert heading in text, heading


@pytest.mark.parametrize("client_id", ["acme-shop", "huaxin-retail", "sever-logistics"])
def test_no_english_leaks_into_zh_pl_ru_documents(demo_packs, demo_raw, client_id):
    language = DEMO_LANGUAGES[client_id]
    typed = typed_values(demo_raw)
    for path in (demo_packs / client_id).glob("*.html"):
        text = visible_text(path.read_text(encoding="utf-8"))
        text = re.sub(r"\S+\.(ipynb|html|pdf|ics|xlsx|eml)\b", " ", text)  # file names are names, not prose
        for value in sorted((v for v in typed if len(v) > 2), key=len, reverse=True):  # not RACI letters
            text = text.replace(value, " ")
        words = re.findall(r"[A-Za-z][A-Za-z_]+", text)
        if language == "pl":
            leaked = [w for w in words if w.lower() in POLISH_STOPWORDS]
        else:
            leaked = [w for w in words if w not in ALWAYS_ALLOWED]
        assert not leaked, (path.name, sorted(set(leaked))[:20])


def test_raci_advice_is_a_validate_warning_and_stays_out_of_the_document(demo_packs):
    # the demo's client_pm is accountable for every deliverable: advice for the consultant
    result = run_cli("validate", DEMO)
    assert result.returncode == 0, result.stdout + result.stderr
    advice = [ln for ln in result.stderr.splitlines() if "client 'acme-shop'" in ln and "field 'raci'" in ln]
    assert advice and all("warning:" in ln for ln in advice), result.stderr
    assert any("client_pm is accountable (A) for 3 of 3 deliverables" in ln for ln in advice)
    html = (demo_packs / "acme-shop" / "role_description_client_pm.html").read_text(encoding="utf-8")
    text = visible_text(html)
    assert "accountable (A)" not in text and 'class="warnings"' not in html
    assert "zatwierdza (A)" not in text  # the Polish advice the document used to show


# The announcement letter and its .eml draft: tests/test_letters.py.


# -- escalation: people on both sides, the agency first, the client's sponsor last

def escalation_rows(html: str) -> list[list[str]]:
    """Each step of the role description's escalation table: name, role (and title), contact, when."""
    table = re.search(r'<table class="grid compact escalation">(.*?)</table>', html, re.S)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)
    steps = []
    for row in rows:
        who, contact, when = re.findall(r"<td>(.*?)</td>", row, re.S)
        name = htmllib.unescape(re.search(r"<strong>(.*?)</strong>", who)[1])
        steps.append([name, " ".join(visible_text(who).split()), " ".join(visible_text(contact).split()), visible_text(when).strip()])
    return steps


def test_the_escalation_path_names_people_agency_first_then_the_clients_sponsor(demo_packs, demo_raw):
    raw = next(c for c in demo_raw["clients"] if c["id"] == "acme-shop")
    people = {p["role"]: p for p in raw["people"]}
    rows = escalation_rows((demo_packs / "acme-shop" / "role_description_client_pm.html").read_text(encoding="utf-8"))
    expected = [people[role] for role in ("project_manager", "account_manager", "account_director", "sponsor")]
    assert [row[0] for row in rows] == [person["name"] for person in expected]
    names = yaml.safe_load((BUNDLED_TEMPLATES / "i18n" / "pl.yaml").read_text(encoding="utf-8"))
    for row, person in zip(rows, expected, strict=True):
        assert names["role_names"][person["role"]] in row[1] and person["phone"] in row[2] and person["email"] in row[2], row
    t = names["role"]
    assert rows[0][3] == t["escalation_first"]
    assert rows[-1][3] == "Sprawy, których agencja nie rozwiąże w ciągu 96 godzin"  # 24 + 48 + 24 after the first contact


def test_a_step_nobody_holds_is_left_out_and_validate_warns_about_it_and_about_owners(demo_raw, tmp_path):
    # harbor-health without its account manager: the escalation skips that step (and its wait), and
    # the monthly review it would own names the role; both are warnings naming client, field and fix
    from pmworkbook.documents.role import RoleDescription

    raw = copy.deepcopy(demo_raw)
    harbor = next(c for c in raw["clients"] if c["id"] == "harbor-health")
    harbor["people"] = [p for p in harbor["people"] if p["role"] != "account_manager"]
    path = write_portfolio(tmp_path / "portfolio.yaml", raw)
    for name in ("tasks", "requests", "decisions", "risks"):  # the registers beside the demo, where the portfolio names them
        (tmp_path / harbor[name]).write_bytes((DEMO.parent / harbor[name]).read_bytes())
    validation = validate(path, Templates.get())
    html = str(RoleDescription(validation.require().client("harbor-health"), Templates.get()).support())
    rows = escalation_rows(html)
    assert [row[0] for row in rows] == ["Tom Becker", "Ewa Lewandowska", "Marcus Lee"]
    assert "Account manager" not in " ".join(" ".join(row) for row in rows)
    t = Templates.get().text("i18n", "en")  # the waits add up: the account manager's 24 h are skipped with the step
    assert [row[3] for row in rows] == [t["role.escalation_first"], "If unresolved after 48 hours",
                                        "Issues the agency cannot resolve within 72 hours"]
    problems = validation.problems_of("harbor-health")
    step = [p for p in problems if "escalation path leaves that step out" in p.message]
    owner = [p for p in problems if "owner of monthly_review" in p.message]
    assert step and owner
    for problem in step + owner:
        assert problem.severity == "warning" and problem.field == "people" and "account_manager" in problem.fix


# -- the PDFs: tagged, with the document's language and title

PDF_LANG = {"pl": "pl", "zh": "zh-Hans", "ru": "ru", "en": "en"}


def pdf_catalog_values(path: Path) -> bytes:
    """The PDF's objects, those in compressed object streams too (where WeasyPrint puts the catalog)."""
    data = path.read_bytes()
    parts = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompressobj().decompress(data[match.end():match.end() + 4_000_000]))
    return b"\n".join(parts)


def test_every_demo_pdf_is_tagged_with_its_language_and_title(demo_packs):
    checked = 0
    for client, language in DEMO_LANGUAGES.items():
        for path in sorted((demo_packs / client).glob("*.pdf")):
            info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
            fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
            assert fields["Tagged"].strip() == "yes", path
            html = path.with_suffix(".html").read_text(encoding="utf-8")
            title = htmllib.unescape(re.search(r"<title>(.*?)</title>", html, re.S)[1])
            assert fields["Title"].strip() == title.strip(), path
            assert f'<html lang="{PDF_LANG[language]}">' in html
            objects = pdf_catalog_values(path)
            assert f"/Lang ({PDF_LANG[language]})".encode() in objects and b"/DisplayDocTitle true" in objects, path
            checked += 1
    assert checked >= len(DEMO_LANGUAGES) * 3


# -- layout rules (document.css), on the laid-out pages of the demo's role descriptions and two calendars

HEADINGS = {"h1", "h2", "h3", "h4", "caption"}


def laid_out(path: Path):
    from pmworkbook.core.files import file_version
    from pmworkbook.render import pdf

    html = path.read_text(encoding="utf-8")
    language = re.search(r'<html lang="([a-z]+)', html)[1]
    templates = Templates.get()
    css = templates.css_path
    document = pdf.html_class(css, file_version(css))(string=pdf.DOCUMENT_STYLE.sub("", html, count=1), base_url=str(path.parent))
    return document.render(stylesheets=[pdf._document_stylesheet(css, file_version(css), language, templates)],
                           font_config=pdf._font_config())


def boxes_of(box, ancestors=()):
    from weasyprint.formatting_structure import boxes

    yield box, ancestors
    for child in getattr(box, "children", []):
        if not isinstance(child, boxes.MarginBox):  # the running header and the page numbers
            yield from boxes_of(child, (*ancestors, box))


def lines_of(page) -> list[tuple[float, list[str], list, str]]:
    """Each line of the page's body: (bottom, enclosing tags, enclosing elements, text)."""
    from weasyprint.formatting_structure import boxes

    found = []
    for box, ancestors in boxes_of(page._page_box):
        if isinstance(box, boxes.LineBox):
            text = "".join(b.text for b, _ in boxes_of(box) if isinstance(b, boxes.TextBox)).strip()
            if text:
                elements = [a for a in ancestors if a.element_tag and isinstance(a, (boxes.BlockBox, boxes.TableCellBox))]
                found.append((box.position_y + box.height, [a.element_tag for a in elements], [a.element for a in elements], text))
    return found


LAYOUT_DOCUMENTS = [(client, f"role_description_{role}.html") for client, roles in
                    {"acme-shop": ("client_pm", "project_manager"), "huaxin-retail": ("client_pm",),
                     "sever-logistics": ("client_pm",), "harbor-health": ("client_pm", "project_manager")}.items()
                    for role in roles] + [("huaxin-retail", "communication_calendar.html"), ("sever-logistics", "communication_calendar.html")]


@pytest.mark.parametrize("client_id,name", LAYOUT_DOCUMENTS)
def test_layout_rules_hold_on_every_page(demo_packs, client_id, name):
    from weasyprint.formatting_structure import boxes

    document = laid_out(demo_packs / client_id / name)
    chinese = DEMO_LANGUAGES[client_id] == "zh"
    raci_pages, legend_pages = set(), set()
    pages = [lines_of(page) for page in document.pages]
    for number, (page, lines) in enumerate(zip(document.pages, pages, strict=True), start=1):
        last = max(lines, key=lambda line: line[0])
        # a heading or caption is never the last line of a page ...
        assert not HEADINGS & set(last[1][-2:]), (name, number, last[3])
        for bottom, tags, elements, text in lines:
            if not HEADINGS & set(tags[-1:]) or number == len(pages):
                continue
            # ... nor followed there by a single line when what it heads goes on over the page
            parent = elements[-2]
            below = [line for line in lines if line[0] > bottom + 1 and any(e is parent for e in line[2])]
            continues = any(any(e is parent for e in line[2]) for line in pages[number])
            assert len(below) >= 2 or not continues, (name, number, text, [line[3] for line in below])
        for _, tags, elements, _text in lines:
            if any("table-figure" in (e.get("class") or "") for e in elements):
                (legend_pages if "figcaption" in tags else raci_pages).add(number)
        content_width = page._page_box.width
        for box, ancestors in boxes_of(page._page_box):
            if isinstance(box, boxes.TableBox):
                # every table fits the page: no column pushed past the edge
                assert sum(box.column_widths) <= content_width + 1, (name, number, box.column_widths)
                if any(a.element is not None and "calendar-summary" in a.element.get("class", "") for a in ancestors):
                    # Chinese keeps its frequencies and audiences whole: 28% still holds 13 characters a line
                    assert box.column_widths[0] >= (0.28 if chinese else 0.3) * sum(box.column_widths), (name, box.column_widths)
            if chinese and isinstance(box, boxes.TableCellBox) and box.element_tag == "th":
                # a Chinese header is never broken inside a word (次/数): one line
                assert sum(isinstance(b, boxes.LineBox) for b, _ in boxes_of(box)) <= 1, (name, number)
    if name.startswith("role_description"):
        # the RACI legend is on the page of the table's last rows
        assert legend_pages and max(raci_pages) in legend_pages, (raci_pages, legend_pages)


@pytest.mark.parametrize(("language", "hours", "after", "client"), [
    ("en", 1, "If unresolved after 1 hour", "Issues the agency cannot resolve within 1 hour"),
    ("pl", 1, "Po 1 godzinie bez rozwiązania", "Sprawy, których agencja nie rozwiąże w ciągu 1 godziny"),
    ("pl", 24, "Po 24 godzinach bez rozwiązania", "Sprawy, których agencja nie rozwiąże w ciągu 24 godzin"),
    ("ru", 1, "Если вопрос не решён за 1 час", "Вопросы, которые агентство не может решить за 1 час"),
    ("ru", 24, "Если вопрос не решён за 24 часа", "Вопросы, которые агентство не может решить за 24 часа"),
    ("ru", 48, "Если вопрос не решён за 48 часов", "Вопросы, которые агентство не может решить за 48 часов"),
    ("zh", 1, "1小时内未解决时", "服务方1小时内无法解决的问题"),
])
def test_escalation_waits_take_the_plural_their_number_needs(language, hours, after, client):
    from pmworkbook.core.i18n import Formatter

    fmt = Formatter(language, None, Templates.get())
    assert fmt.plural("role.escalation_after", hours) == after
    assert fmt.plural("role.escalation_client", hours) == client
