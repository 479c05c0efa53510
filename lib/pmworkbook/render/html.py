"""An executed notebook to the document's HTML: nbconvert with the project's template, one
exporter reused per process. The HTML becomes a PDF in `pmworkbook.pdf`."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import nbformat

from pmworkbook.core.files import atomic_write_text, cached_by_version
from pmworkbook.core.templates import Templates
from pmworkbook.core.text import shorten

# The documents' language as BCP 47 for <html lang> (and so the PDF's /Lang): Chinese documents are
# in simplified script. CSS :lang(zh) still matches zh-Hans.
HTML_LANG = {"en": "en", "zh": "zh-Hans", "pl": "pl", "ru": "ru"}
# The client's name in the running header, in Latin letters (a Chinese character counts two): one
# line of the 8-point header, two with the document's title; the title page has the whole name.
RUNNING_HEADER_CLIENT_WIDTH = 100


def html_lang(language: str) -> str:
    return HTML_LANG.get(language, language)


def _css_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid CSS string


class StyleText(str):
    """A stylesheet as the text of a <style> element, which HTML does not unescape: Jinja's
    autoescape takes it as markup (its __html__) instead of writing font-family: &#34;Noto Sans&#34;,
    no declaration at all, which left the pack's cover page in a fallback serif font."""

    def __html__(self) -> str:
        return str(self)


def _read_style(path: Path) -> StyleText:
    """The stylesheet; a "</" in it, which would end the <style> element early, written "<\\/"
    (the same in CSS)."""
    return StyleText(path.read_text(encoding="utf-8").replace("</", "<\\/"))


read_stylesheet = cached_by_version(_read_style, maxsize=4)


def page_css(language: str, templates: Templates) -> str:
    """@page rules whose page numbers read "page X of Y" in the document's language."""
    pattern = templates.text("i18n", language)["page_of"]
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
def _exporter(templates: Templates):
    exporter = _document_exporter_class()(template_name="pmworkbook", extra_template_basedirs=templates.nbconvert_dirs)
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.exclude_markdown = True
    exporter.exclude_raw = True
    # Validate the notebook once after the preprocessors, not after each of the eleven (ten of
    # them disabled): 6 ms of a document's export.
    exporter.optimistic_validation = True
    return exporter


def notebook_to_html(notebook: nbformat.NotebookNode, *, language: str, client_name: str, title: str,
                     templates: Templates) -> str:
    resources = {"pmworkbook": {
        "lang": html_lang(language), "client": client_name, "title": title,
        # On every page, above the text: at most two lines, whatever the length of the client's name.
        "running_client": shorten(client_name, RUNNING_HEADER_CLIENT_WIDTH),
        "css": read_stylesheet(templates.css_path),
        "page_css": page_css(language, templates),
    }}
    body, _ = _exporter(templates).from_notebook_node(notebook, resources=resources)
    return body


def write_html(html: str, path: Path) -> Path:
    return atomic_write_text(path, html)
