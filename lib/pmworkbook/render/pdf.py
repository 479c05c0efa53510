"""The document's HTML to an A4 PDF, with WeasyPrint in the calling process.

A build worker renders hundreds of PDFs, so what is the same for all of them is made once per
process: the font configuration, the page stylesheet (per language and file version) and the
user-agent stylesheet.

The user-agent stylesheet is WeasyPrint's own, narrowed. Its rules for ``::marker``,
``::footnote-*`` and ``::note-*`` have no element in their selector, so they match every
element, and WeasyPrint then computes six pseudo-element styles for each element of the page:
a calendar's 1,400 elements cost 8,000 style computations, 10-18% of its PDF. The documents'
only list items are ``li`` and they have no footnotes or notes, so the narrowed sheet gives
``::marker`` to ``li`` and ``summary`` alone and leaves the footnote and note rules out. The
rendered pages are identical, pixel for pixel (tests/test_pdf.py). A stylesheet that uses
list items, footnotes or notes of its own gets WeasyPrint's sheet as it is.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from pmworkbook.core.files import atomic_path, file_version
from pmworkbook.core.templates import Templates
from pmworkbook.render.html import page_css

# The stylesheet the template writes into every page (see nbconvert/pmworkbook/index.html.j2).
DOCUMENT_STYLE = re.compile(r'<style id="document-style">.*?</style>', re.S)
# Rules of WeasyPrint's html5_ua.css that match every element through a pseudo-element alone.
UNIVERSAL_MARKER_RULE = re.compile(r"^::marker(?=\s*\{)", re.M)
UNIVERSAL_NOTE_RULES = re.compile(r"^::(?:footnote|note)-[a-z]+\s*\{[^}]*\}\n?", re.M)
# What the narrowed sheet no longer styles: a page stylesheet mentioning any of it keeps WeasyPrint's.
NEEDS_FULL_USER_AGENT = re.compile(r"list-item|footnote|::marker|note-(?:call|marker)")
FONT_FOLDER_PREFIX = "pmworkbook-fonts-"  # then the process id


@lru_cache(maxsize=1)
def _font_config():
    """One font configuration per process: each new one makes Pango load and measure the
    fonts again (about 40 ms of a document's PDF). Documents use installed fonts only; the one
    @font-face rule (the emoji font, limited to the emoji) names an installed font too."""
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    config._folder = font_folder()  # WeasyPrint creates it on the first @font-face rule otherwise
    return config


def font_folder() -> Path:
    """The folder WeasyPrint copies the @font-face rules' fonts into (Noto Color Emoji: 11 MB, about
    40 ms once per process), named after this process and removed when it exits (WeasyPrint's own
    clean-up runs when its font configuration is collected, which a build worker's frozen heap never
    is). A process killed at its time limit, or with its build, cannot remove it: the folders of
    this user's processes that are gone are removed first, so killed workers do not fill the
    temporary folder."""
    base = Path(tempfile.gettempdir())
    for folder in base.glob(f"{FONT_FOLDER_PREFIX}*"):
        pid = folder.name.removeprefix(FONT_FOLDER_PREFIX).split("-", 1)[0]
        try:
            mine = folder.stat().st_uid == os.getuid()
        except OSError:
            continue
        if mine and pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{FONT_FOLDER_PREFIX}{os.getpid()}-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@lru_cache(maxsize=16)
def _document_stylesheet(css_path: Path, version: tuple[int, int], language: str, templates: Templates):
    """The page's stylesheet parsed once per language and file version: parsing it and compiling
    its selectors took about 15 ms of every PDF."""
    from weasyprint import CSS

    css = css_path.read_text(encoding="utf-8") + "\n" + page_css(language, templates)
    return CSS(string=css, font_config=_font_config())


def narrowed_user_agent_css(css: str) -> str | None:
    """WeasyPrint's user-agent CSS without its universal pseudo-element rules; None when the
    sheet no longer has them in the expected form (a new WeasyPrint), to keep the original."""
    narrowed, markers = UNIVERSAL_MARKER_RULE.subn("li::marker, summary::marker", css)
    narrowed, notes = UNIVERSAL_NOTE_RULES.subn("", narrowed)
    return narrowed if markers == 1 and notes >= 2 else None


@lru_cache(maxsize=1)
def _narrowed_user_agent_stylesheet():
    import weasyprint.css
    from weasyprint import CSS

    original = Path(weasyprint.css.__file__).with_name("html5_ua.css")
    narrowed = narrowed_user_agent_css(original.read_text(encoding="utf-8")) if original.exists() else None
    return CSS(string=narrowed, media_type="print", base_url=str(original)) if narrowed else None


@lru_cache(maxsize=1)
def _narrowed_html_class():
    """weasyprint.HTML with the narrowed user-agent sheet (WeasyPrint's own if it cannot be made)."""
    from weasyprint import HTML

    sheet = _narrowed_user_agent_stylesheet()
    if sheet is None:
        return HTML

    class NarrowedUserAgentHTML(HTML):
        def _ua_stylesheets(self, forms=False):
            return [sheet, *super()._ua_stylesheets(forms)[1:]]

    return NarrowedUserAgentHTML


@lru_cache(maxsize=16)
def _page_uses_full_user_agent(css_path: Path, version: tuple[int, int]) -> bool:
    return bool(NEEDS_FULL_USER_AGENT.search(css_path.read_text(encoding="utf-8")))


def html_class(css_path: Path, version: tuple[int, int]):
    """The WeasyPrint HTML class for pages styled by `css_path` (the project's stylesheet)."""
    from weasyprint import HTML

    if _page_uses_full_user_agent(css_path, version):
        return HTML
    return _narrowed_html_class()


def write_pdf(html: str, path: Path, language: str, templates: Templates, base_url: Path | None = None) -> Path:
    """Write `html` (a page of the project's nbconvert template) as a tagged A4 PDF at `path`."""
    from weasyprint import HTML

    css_path = templates.css_path
    html, replaced = DOCUMENT_STYLE.subn("", html, count=1)
    if replaced:
        version = file_version(css_path)  # read once: an edited stylesheet reaches the next PDF
        stylesheets = [_document_stylesheet(css_path, version, language, templates)]
        document = html_class(css_path, version)
    else:  # not our template's page: render it as it is
        stylesheets, document = None, HTML
    with atomic_path(path) as tmp:
        # Tagged (structure tree, /Lang from <html lang>, the <title> shown as the window title), so
        # screen readers and reflow work; not a PDF/UA claim, which nothing here verifies. About 5%
        # more CPU per PDF (the demo's 22: 6.47 s untagged, 6.83 s tagged; a calendar 10-70 ms).
        document(string=html, base_url=str(base_url or path.parent)).write_pdf(tmp, font_config=_font_config(),
                                                                                stylesheets=stylesheets, pdf_tags=True)
    return path
