"""PDF rendering: the narrowed user-agent stylesheet changes nothing a reader sees."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import weasyprint

from conftest import DEMO_LANGUAGES
from pmworkbook.core.files import file_version
from pmworkbook.core.templates import Templates
from pmworkbook.render import pdf

TEMPLATES = Templates.get()


def html_class_for(css: Path):
    return pdf.html_class(css, file_version(css))


def page_images(path: Path, folder: Path) -> list[bytes]:
    prefix = folder / path.stem
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(prefix)], check=True)
    return [page.read_bytes() for page in sorted(folder.glob(f"{path.stem}-*.png"))]


def test_the_installed_weasyprint_gets_the_narrowed_user_agent_sheet():
    original = (Path(weasyprint.__file__).parent / "css" / "html5_ua.css").read_text(encoding="utf-8")
    narrowed = pdf.narrowed_user_agent_css(original)
    assert narrowed is not None, "WeasyPrint's html5_ua.css changed form: see pmworkbook/render/pdf.py"
    rules_for_every_element = [line for line in narrowed.splitlines() if line.startswith("::")]
    assert rules_for_every_element == []
    assert "li::marker, summary::marker" in narrowed
    # Everything else of WeasyPrint's sheet is kept as it is.
    assert len(original.splitlines()) - len(narrowed.splitlines()) == 5
    assert html_class_for(TEMPLATES.css_path) is not weasyprint.HTML
    assert issubclass(html_class_for(TEMPLATES.css_path), weasyprint.HTML)


def test_a_sheet_that_is_no_longer_in_the_expected_form_is_kept_whole():
    assert pdf.narrowed_user_agent_css("li { display: list-item }\n") is None


@pytest.mark.parametrize("rule", ["ol.steps { display: list-item; }", "aside { float: footnote; }",
                                  "h2::marker { content: '§'; }"])
def test_a_page_stylesheet_that_needs_the_rules_left_out_gets_weasyprints_sheet(tmp_path, rule):
    css = tmp_path / "document.css"
    bundled = TEMPLATES.css_path.read_text(encoding="utf-8")
    css.write_text(bundled + "\n" + rule + "\n", encoding="utf-8")
    assert html_class_for(css) is weasyprint.HTML
    css.write_text(bundled, encoding="utf-8")  # the same file edited back: its new version is looked at again
    assert html_class_for(css) is not weasyprint.HTML


@pytest.mark.slow  # about 50 s: every demo PDF rendered twice and compared page by page; `make test-slow`, and CI
def test_every_demo_document_renders_pixel_for_pixel_as_with_weasyprints_own_sheet(demo_packs, tmp_path, monkeypatch):
    compared = 0
    for client, language in DEMO_LANGUAGES.items():
        for html_path in sorted((demo_packs / client).glob("*.html")):
            if html_path.name == "index.html":
                continue
            html = html_path.read_text(encoding="utf-8")
            narrowed = tmp_path / "narrowed" / client
            whole = tmp_path / "whole" / client
            narrowed.mkdir(parents=True, exist_ok=True)
            whole.mkdir(parents=True, exist_ok=True)
            pdf.write_pdf(html, narrowed / f"{html_path.stem}.pdf", language, TEMPLATES)
            with monkeypatch.context() as patch:
                patch.setattr(pdf, "html_class", lambda css_path, version: weasyprint.HTML)
                pdf.write_pdf(html, whole / f"{html_path.stem}.pdf", language, TEMPLATES)
            ours = page_images(narrowed / f"{html_path.stem}.pdf", narrowed)
            theirs = page_images(whole / f"{html_path.stem}.pdf", whole)
            assert len(ours) == len(theirs) > 0, html_path
            assert ours == theirs, f"{html_path} renders differently with the narrowed user-agent sheet"
            compared += 1
    assert compared >= 3 * len(DEMO_LANGUAGES)  # every client's calendar, role description and evaluation sheet at least
