"""Exporters: an executed notebook to the document's HTML (nbconvert, the project's template)
and that HTML to an A4 PDF (WeasyPrint). A process reuses one exporter, one font configuration
and one parsed stylesheet per language."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import nbformat

from pmworkbook import catalogs
from pmworkbook.fileio import atomic_path, atomic_write_text
from pmworkbook.paths import templates_dir


def _css_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid CSS string


def page_css(language: str) -> str:
    """@page rules whose page numbers read "page X of Y" in the document's language."""
    pattern = catalogs.text("i18n", language)["page_of"]
    before, rest = pattern.split("{page}", 1)
    middle, after = rest.split("{pages}", 1)
    parts = [_css_string(before), "counter(page)", _css_string(middle), "counter(pages)", _css_string(after)]
    counter = " ".join(p for p in parts if p != '""')
    return ("@page { @top-left { content: element(pageHeader); vertical-align: bottom; }\n"
            f"        @bottom-right {{ content: {counter}; font-size: 8pt; color: #5b6775; }} }}")


@lru_cache(maxsize=1)
def _document_exporter_class():
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter

    class DocumentExporter(HTMLExporter):
        """HTMLExporter without its pass over the finished page. That pass parses and re-writes the
        whole page with BeautifulSoup (31 ms of a document's 35 ms of export) to add tabindex to
        JupyterLab's cell markup and an English alt text to images without one; this template
        writes no cell markup and every image carries its own alt text, in the document's language."""

        def from_notebook_node(self, nb, resources=None, **kw):
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return DocumentExporter


@lru_cache(maxsize=4)
def _exporter(folder: Path):
    exporter = _document_exporter_class()(template_name="pmworkbook", extra_template_basedirs=[str(folder / "nbconvert")])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.exclude_markdown = True
    exporter.exclude_raw = True
    return exporter


def _document_css_path() -> Path:
    return templates_dir() / "css" / "document.css"


def notebook_to_html(notebook: nbformat.NotebookNode, *, language: str, client_name: str, title: str) -> str:
    folder = templates_dir()
    resources = {"pmworkbook": {
        "lang": language, "client": client_name, "title": title,
        "css": _document_css_path().read_text(encoding="utf-8"),
        "page_css": page_css(language),
    }}
    body, _ = _exporter(folder).from_notebook_node(notebook, resources=resources)
    return body


def write_html(html: str, path: Path) -> Path:
    return atomic_write_text(path, html)


@lru_cache(maxsize=1)
def _font_config():
    """One font configuration per process: each new one makes Pango load and measure the
    fonts again (about 40 ms of a document's PDF). Documents use local fonts only, no @font-face."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


# The stylesheet the template writes into every page (see nbconvert/pmworkbook/index.html.j2).
DOCUMENT_STYLE = re.compile(r'<style id="document-style">.*?</style>', re.S)


@lru_cache(maxsize=16)
def _document_stylesheet(css_path: Path, modified_ns: int, language: str):
    """The page's stylesheet parsed once per language and file version: parsing it and compiling
    its selectors took about 15 ms of every PDF."""
    from weasyprint import CSS

    css = css_path.read_text(encoding="utf-8") + "\n" + page_css(language)
    return CSS(string=css, font_config=_font_config())


def write_pdf(html: str, path: Path, language: str, base_url: Path | None = None) -> Path:
    from weasyprint import HTML

    css_path = _document_css_path()
    html, replaced = DOCUMENT_STYLE.subn("", html, count=1)
    stylesheets = [_document_stylesheet(css_path, css_path.stat().st_mtime_ns, language)] if replaced else None
    with atomic_path(path) as tmp:
        HTML(string=html, base_url=str(base_url or path.parent)).write_pdf(tmp, font_config=_font_config(), stylesheets=stylesheets)
    return path
