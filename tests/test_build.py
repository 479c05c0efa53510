"""The demo build end to end: files per client, HTML offline and code-free, PDFs with the right
text and fonts, the manifest, and user text escaped in every output."""

from __future__ import annotations

import copy
import email
import email.policy
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import icalendar
import nbformat
import openpyxl
import pytest

from conftest import DEMO, DEMO_LANGUAGES, run_cli, visible_text, write_portfolio
from pmworkbook.core.templates import BUNDLED_TEMPLATES, Templates
from pmworkbook.documents.kinds import document_kinds
from pmworkbook.render.html import HTML_LANG

TITLES = {"pl": "Kalendarz komunikacji", "zh": "沟通日历", "ru": "Календарь коммуникаций", "en": "Communication calendar"}
PAGE_OF = {"pl": "Strona 1 z", "zh": "第 1 页，共", "ru": "Страница 1 из", "en": "Page 1 of"}


def pdftotext(path: Path) -> str:
    """The PDF's text by lines; runs of spaces (the layout's, and typography's no-break spaces) as one."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"[ \u00a0]+", " ", text)


def pdffonts(path: Path) -> str:
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("client_id", DEMO_LANGUAGES)
def test_every_demo_client_gets_its_whole_pack(demo_packs, client_id, demo_raw):
    folder = demo_packs / client_id
    raw = next(c for c in demo_raw["clients"] if c["id"] == client_id)
    raters = {**demo_raw["defaults"]["evaluation"]["raters"], **raw.get("evaluation", {}).get("raters", {})}
    expected = {"communication_calendar.ics", "index.html"}
    # one evaluation per evaluated person: the client-side PM and the agency's PM (every demo client names one)
    evaluations = ["evaluation_sheet_client_pm", "evaluation_sheet_project_manager"]
    for doc in [f"role_description_{r}" for r in raw["roles"]] + ["communication_calendar", *evaluations]:
        expected |= {f"{doc}.ipynb", f"{doc}.html", f"{doc}.pdf"}
    expected |= {f"evaluation_form_client_pm_{g}.xlsx" for g, n in raters.items() if n > 0}
    expected |= {"evaluation_form_project_manager_client.xlsx"}
    names = {p.name for p in folder.iterdir()}
    assert expected <= names
    assert not [n for n in names if n.endswith(".partial") or ".partial." in n or n.startswith(".")]


def test_portfolio_index_and_manifest(demo_packs):
    manifest = json.loads((demo_packs / "manifest.json").read_text(encoding="utf-8"))
    documents = manifest["documents"]
    assert {d["client_id"] for d in documents} == set(DEMO_LANGUAGES)
    assert all(d["status"] == "ok" for d in documents)
    assert {"papermill", "nbconvert", "weasyprint"} <= manifest["versions"].keys()
    for doc in documents:
        assert doc["seconds"] > 0 and not doc["stale"] and re.fullmatch(r"[0-9a-f]{64}", doc["fingerprint"])
        assert doc["name"] == document_kinds.get(doc["kind"]).document_name(doc["variant"])
        for file in doc["files"]:
            path = demo_packs / doc["client_id"] / file["name"]
            assert hashlib.sha256(path.read_bytes()).hexdigest() == file["sha256"]
    index = (demo_packs / "index.html").read_text(encoding="utf-8")
    for client_id in DEMO_LANGUAGES:
        assert f'href="{client_id}/index.html"' in index


CLIENT_SUFFIXES = {".pdf", ".html", ".ics", ".eml", ".xlsx"}  # what a client reads


@pytest.mark.parametrize("client_id", DEMO_LANGUAGES)
def test_the_pack_cover_lists_the_files_a_client_reads_and_no_notebook_or_data(demo_packs, client_id):
    cover = (demo_packs / client_id / "index.html").read_text(encoding="utf-8")
    linked = re.findall(r'<a href="([^"]+)">', cover)
    assert linked and {Path(name).suffix for name in linked} <= CLIENT_SUFFIXES, linked
    readable = {p.name for p in (demo_packs / client_id).iterdir() if p.suffix in CLIENT_SUFFIXES and p.name != "index.html"}
    assert set(linked) == readable
    assert ".ipynb" not in visible_text(cover)
    # A document's PDF comes first; the operators' index still lists the executed notebooks.
    assert linked.index("communication_calendar.pdf") < linked.index("communication_calendar.html")
    assert f'href="{client_id}/communication_calendar.ipynb"' in (demo_packs / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("client_id", DEMO_LANGUAGES)
def test_the_pack_cover_prints_in_the_documents_fonts(demo_packs, client_id, tmp_path):
    # The stylesheet reached the cover escaped (font-family: &#34;Noto Sans&#34;, no declaration at all):
    # printed, the cover was set in a fallback serif font.
    import weasyprint

    stylesheet = BUNDLED_TEMPLATES.joinpath("css", "document.css").read_text(encoding="utf-8")
    for page in (demo_packs / client_id / "index.html", demo_packs / "index.html"):
        html = page.read_text(encoding="utf-8")
        style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
        assert style == stylesheet.replace("</", "<\\/") and "&#34;" not in style
    printed = tmp_path / "cover.pdf"
    weasyprint.HTML(demo_packs / client_id / "index.html").write_pdf(printed)
    names = [line.split()[0] for line in pdffonts(printed).splitlines()[2:] if line.strip()]
    expected = r"Noto-Sans-CJK-SC" if client_id == "huaxin-retail" else r"Noto-Sans(-Bold)?$"
    assert names and all(re.search(expected, name) for name in names), names
    assert "communication_calendar.pdf" in pdftotext(printed)


def test_the_cover_leaves_out_notebooks_and_data_files_of_any_document():
    from pmworkbook.batch.index_pages import client_files

    files = [{"name": n} for n in ("status_report_2027-W05.ipynb", "status_report_2027-W05.html", "status_report_2027-W05.pdf",
                                   "status_2027-W05.json", "status_email_2027-W05.eml", "form.XLSX")]
    assert [f["name"] for f in client_files(files)] == ["status_report_2027-W05.pdf", "status_report_2027-W05.html",
                                                       "status_email_2027-W05.eml", "form.XLSX"]


@pytest.mark.parametrize("client_id", DEMO_LANGUAGES)
def test_html_opens_offline_and_shows_no_code(demo_packs, client_id):
    for path in (demo_packs / client_id).glob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert f'<html lang="{HTML_LANG[DEMO_LANGUAGES[client_id]]}"' in html  # zh-Hans: simplified script
        # No network reference: no remote script, stylesheet, font or image.
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), path
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", html), path
        assert "@import" not in html
        assert "<script" not in html.lower()
        # No code cell and no prompt reaches the document.
        for marker in ("jp-InputArea", "input_area", "In&nbsp;[", "from pmworkbook", "doc.header()", "parameters"):
            assert marker not in html, (path, marker)


@pytest.mark.parametrize("client_id", DEMO_LANGUAGES)
def test_pdfs_are_a4_with_header_page_numbers_and_real_text(demo_packs, client_id):
    language = DEMO_LANGUAGES[client_id]
    path = demo_packs / client_id / "communication_calendar.pdf"
    text = pdftotext(path)
    assert TITLES[language] in text
    assert PAGE_OF[language] in text
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info, info
    client_name = {"acme-shop": "ACME Sp. z o.o.", "huaxin-retail": "华信零售有限公司",
                   "sever-logistics": "ООО «Север Логистик»", "harbor-health": "Harbor Health Inc."}[client_id]
    # the running header repeats on the last page too
    last_page = text.split("\f")[-2]
    assert client_name in last_page


def test_chinese_pdf_embeds_noto_sans_cjk_sc(demo_packs):
    for path in (demo_packs / "huaxin-retail").glob("*.pdf"):
        fonts = pdffonts(path)
        assert re.search(r"Noto-?Sans-?CJK-?SC.*\byes\b", fonts), fonts
        assert "华信零售有限公司" in pdftotext(path)


def test_polish_and_russian_pdfs_render_their_letters_as_text(demo_packs):
    polish = pdftotext(demo_packs / "acme-shop" / "role_description_client_pm.pdf")
    assert "Kierownik projektu po stronie klienta" in polish and "Wiśniewska" in polish and "Zieliński" in polish
    russian = pdftotext(demo_packs / "sever-logistics" / "role_description_client_pm.pdf")
    assert "Руководитель проекта со стороны заказчика" in russian and "Ирина Смирнова" in russian
    for path in (demo_packs / "acme-shop" / "role_description_client_pm.pdf", demo_packs / "sever-logistics" / "evaluation_sheet_client_pm.pdf"):
        fonts = pdffonts(path)
        assert "Type 3" not in fonts, fonts
        assert re.search(r"Noto-?Sans\S*\s.*\byes\b", fonts), fonts


def test_executed_notebooks_are_kept_with_their_parameters(demo_packs):
    notebook = nbformat.read(demo_packs / "acme-shop" / "role_description_client_pm.ipynb", as_version=4)
    parameters = notebook.metadata.papermill.parameters
    assert parameters["client"]["id"] == "acme-shop" and parameters["role_id"] == "client_pm"
    assert any(cell.get("outputs") for cell in notebook.cells)


# ------------------------------------------------------------------ escaping what users typed

EVIL_NAME = "<script>alert(1)</script>"
EVIL_PROJECT = '=HYPERLINK("x")'


@pytest.fixture(scope="module")
def evil_pack(tmp_path_factory, demo_raw) -> Path:
    raw = copy.deepcopy(demo_raw)
    client = next(c for c in raw["clients"] if c["id"] == "harbor-health")
    client["name"] = EVIL_NAME
    client["project"]["name"] = EVIL_PROJECT
    client["project"]["milestones"][0]["name"] = "Discovery; DESCRIPTION:injected\nBEGIN:VEVENT"
    client["people"][0]["name"] = "Dana <b>Whitfield</b>"
    raw["clients"] = [client]
    folder = tmp_path_factory.mktemp("evil")
    path = write_portfolio(folder / "evil.yaml", raw)
    result = run_cli("build", path, "--out", folder / "outputs", "--jobs", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    return folder / "outputs" / "harbor-health"


def test_user_text_is_escaped_in_html(evil_pack):
    for path in [*evil_pack.glob("*.html"), evil_pack.parent / "index.html"]:
        html = path.read_text(encoding="utf-8")
        assert "<script>" not in html and "<b>Whitfield" not in html, path
    role = (evil_pack / "role_description_client_pm.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in role
    assert '=HYPERLINK("x")' in visible_text(role)  # reads literally; Jinja escapes its quotes as &#34;


def test_user_text_appears_literally_in_pdf(evil_pack):
    text = pdftotext(evil_pack / "role_description_client_pm.pdf")
    assert EVIL_NAME in text and EVIL_PROJECT in text


def test_user_text_stays_literal_in_ics(evil_pack):
    calendar = icalendar.Calendar.from_ical((evil_pack / "communication_calendar.ics").read_bytes())
    events = list(calendar.walk("VEVENT"))
    allowed = {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "LOCATION", "URL", "CATEGORIES", "TRANSP",
               "RRULE", "EXDATE", "RECURRENCE-ID", "ORGANIZER", "ATTENDEE", "SEQUENCE", "STATUS"}  # series and their people
    assert all(set(e.keys()) <= allowed for e in events), [sorted(set(e.keys()) - allowed) for e in events]
    summaries = [str(e["SUMMARY"]) for e in events]
    assert any("Discovery; DESCRIPTION:injected\nBEGIN:VEVENT" in s for s in summaries)
    assert all(s.endswith(EVIL_PROJECT) for s in summaries)
    assert len(calendar.walk("VCALENDAR")) == 1


def test_user_text_is_never_a_formula_in_xlsx(evil_pack):
    for path in evil_pack.glob("evaluation_form_*.xlsx"):
        workbook = openpyxl.load_workbook(path)
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path, cell.coordinate, cell.value)
        texts = [c.value for row in workbook.worksheets[0].iter_rows() for c in row if isinstance(c.value, str)]
        assert any(EVIL_PROJECT in t for t in texts)


def test_user_text_in_eml_is_encoded(evil_pack):
    message = email.message_from_bytes((evil_pack / "announcement_client_pm.eml").read_bytes(), policy=email.policy.default)
    assert EVIL_PROJECT in message["Subject"]
    body = message.get_body(preferencelist=("plain",))  # the text beside the attached calendar
    assert body.get_content_charset() == "utf-8"
    assert "Dana <b>Whitfield</b>" in body.get_content()


def test_a_team_can_build_with_its_own_templates_folder(tmp_path):
    # The team's folder holds only the file it changes; everything else comes from the bundled one.
    templates = tmp_path / "our-templates"
    catalog = templates / "i18n" / "en.yaml"
    catalog.parent.mkdir(parents=True)
    bundled = (BUNDLED_TEMPLATES / "i18n" / "en.yaml").read_text(encoding="utf-8")
    assert "  summary: The rhythm at a glance" in bundled
    catalog.write_text(bundled.replace("  summary: The rhythm at a glance", "  summary: Our communication rhythm", 1),
                       encoding="utf-8")
    out = tmp_path / "outputs"
    result = run_cli("--templates", templates, "build", DEMO, "--out", out, "--clients", "harbor-health", "--formats", "html")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Our communication rhythm" in (out / "harbor-health" / "communication_calendar.html").read_text(encoding="utf-8")
    missing = run_cli("--templates", tmp_path / "nowhere", "validate")
    assert missing.returncode == 2 and "nowhere: not a folder (--templates)" in missing.stderr


def test_a_pdf_follows_the_stylesheet_as_edited_even_in_a_long_lived_process(demo_packs, tmp_path):
    # Workers and workshop kernels keep a parsed stylesheet; an edit to the file must still show.
    from pmworkbook.render import pdf

    folder = tmp_path / "our-templates"
    css = folder / "css" / "document.css"
    css.parent.mkdir(parents=True)
    shutil.copy(BUNDLED_TEMPLATES / "css" / "document.css", css)
    templates = Templates.get(folder)  # made once per process, as in a worker
    assert templates.css_path == css
    html = (demo_packs / "acme-shop" / "role_description_client_pm.html").read_text(encoding="utf-8")
    before = pdftotext(pdf.write_pdf(html, tmp_path / "before.pdf", "pl", templates))
    css.write_text(css.read_text(encoding="utf-8") + '\nmain.document::before { content: "WERSJA ROBOCZA"; }\n',
                   encoding="utf-8")
    after = pdftotext(pdf.write_pdf(html, tmp_path / "after.pdf", "pl", templates))
    assert "Strona 1 z" in before and "WERSJA ROBOCZA" not in before
    assert "Strona 1 z" in after and "WERSJA ROBOCZA" in after


def test_every_character_of_the_demo_pdfs_is_set_in_the_documents_fonts(demo_packs):
    # A font that covers digits as emoji (Noto Color Emoji) once took over every date and time of the
    # Chinese schedule: the demo's PDFs, which have no emoji, use the Noto text fonts and nothing else
    # (the stylesheet's emoji face is limited to the emoji: tests/test_fonts.py).
    for path in sorted(demo_packs.glob("*/*.pdf")):
        names = [line.split()[0] for line in pdffonts(path).splitlines()[2:] if line.strip()]
        assert names and all(re.search(r"Noto-Sans|DejaVu", name) for name in names), (path.name, names)
