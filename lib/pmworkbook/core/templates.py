"""The templates folder: catalogs, document text, Jinja templates, the stylesheet and the
nbconvert template, shipped inside the package (as nbconvert ships its templates).

    templates/i18n/<lang>.yaml              headings, labels and sentences of the documents
    templates/catalogs/<name>.yaml          structure shared by all languages (ids, weights, rules)
    templates/catalogs/<name>.<lang>.yaml   the text of that structure in one language
    templates/documents/*.html.j2           the documents' sections
    templates/css/document.css              every page, in HTML and PDF
    templates/nbconvert/pmworkbook/         the nbconvert template of the exported pages

A team's own folder (``--templates``) is laid over the bundled one, file by file, the way
nbconvert's ``extra_template_basedirs`` works: it holds only the files it changes.

Text is never taken from another language: a missing key is an error, and a test keeps the
four languages' keys identical.
"""

from __future__ import annotations

import hashlib
import re
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from pmworkbook.core.files import cached_by_version
from pmworkbook.core.text import shorten, width

if TYPE_CHECKING:
    import jinja2

PACKAGE_DIR = Path(str(resources.files("pmworkbook")))
BUNDLED_TEMPLATES = PACKAGE_DIR / "templates"
NOTEBOOKS_DIR = PACKAGE_DIR / "notebooks"
DEMO_PORTFOLIO = PACKAGE_DIR / "examples" / "demo-portfolio.yaml"


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


read_catalog = cached_by_version(_read_yaml)

UNBROKEN_WIDTH = 30  # in Latin letters: a phone number, a name, a short e-mail address


def short(value: Any, limit: int = UNBROKEN_WIDTH) -> bool:
    """The Jinja test `short`: the value fits a narrow column (at most `limit` wide, a Chinese
    character counting two)."""
    return value is not None and width(str(value)) <= limit


def unbroken(value: Any, limit: int = UNBROKEN_WIDTH) -> Any:
    """The Jinja filter `unbroken`: a value short enough for a narrow column (at most `limit` wide,
    a Chinese character counting two) in <span class="unbroken">, which the stylesheet keeps on one
    line where it says so; a longer one as it is, to wrap like any text. Escaped either way."""
    from markupsafe import Markup

    text = "" if value is None else str(value)
    return Markup('<span class="unbroken">{}</span>').format(text) if text and short(text, limit) else value


class TemplatesError(ValueError):
    """A templates folder that cannot be used (given with --templates)."""


class Templates:
    """The bundled templates, with a team's own folder (if any) laid over them."""

    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder).resolve() if folder else None
        if self.folder is not None and not self.folder.is_dir():
            raise TemplatesError(f"{folder}: not a folder")
        self.folders = ([self.folder] if self.folder else []) + [BUNDLED_TEMPLATES]

    @staticmethod
    @lru_cache(maxsize=8)
    def get(folder: str | Path | None = None) -> Templates:
        """The templates for `folder` (None or "": the bundled ones), made once per process."""
        return Templates(Path(folder) if folder else None)

    def __repr__(self) -> str:
        return f"Templates({str(self.folder) if self.folder else 'bundled'})"

    def find(self, relative: str) -> Path:
        """The team's file if it has one, else the bundled one."""
        for base in self.folders:
            path = base / relative
            if path.is_file():
                return path
        raise FileNotFoundError(f"no {relative} in {', '.join(map(str, self.folders))}")

    # -- catalogs
    def structure(self, name: str) -> dict[str, Any]:
        """The language-neutral part of catalog `name` (roles, cadences, criteria)."""
        return read_catalog(self.find(f"catalogs/{name}.yaml"))

    def text(self, name: str, language: str) -> Texts:
        """The text of catalog `name` in `language`; `name` 'i18n' is the documents' own strings."""
        relative = f"i18n/{language}.yaml" if name == "i18n" else f"catalogs/{name}.{language}.yaml"
        path = self.find(relative)
        return Texts(read_catalog(path), str(path))

    def document_title(self, kind: str, language: str) -> str:
        return self.text("i18n", language)[f"documents.{kind}"]

    # -- pages
    @property
    def css_path(self) -> Path:
        """The stylesheet of every document page, in HTML and PDF."""
        return self.find("css/document.css")

    @property
    def nbconvert_dirs(self) -> list[str]:
        return [str(base / "nbconvert") for base in self.folders if (base / "nbconvert").is_dir()]

    @cached_property
    def jinja(self) -> jinja2.Environment:
        import jinja2

        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader([base / "documents" for base in self.folders]),
            autoescape=True,  # everything a user typed reaches the page as text, never as markup
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=True,  # an edited template is picked up by a long-lived kernel
        )
        environment.filters["unbroken"] = unbroken
        environment.filters["shorten"] = shorten
        environment.tests["short"] = short
        environment.filters["fill"] = fill
        return environment

    def digest(self) -> str:
        """Of every file the documents are made from: a change rebuilds them."""
        digest = hashlib.sha256()
        for base in self.folders:
            for path in sorted(base.rglob("*")):
                if path.is_file():
                    digest.update(str(path.relative_to(base)).encode())
                    digest.update(path.read_bytes())
        return digest.hexdigest()


class Texts:
    """Nested catalog text looked up by dotted keys: ``texts["calendar.title"]``."""

    def __init__(self, data: dict[str, Any], source: str):
        self.data = data
        self.source = source

    def __getitem__(self, key: str) -> Any:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"{self.source}: no entry {key!r}; add it to this catalog (and to every other language)")
            node = node[part]
        return node

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def format(self, key: str, **values: Any) -> str:
        return str(self[key]).format(**values)

    def __call__(self, key: str, **values: Any) -> str:
        return self.format(key, **values)


def fill(pattern: str, **parts: Any) -> Any:
    """A catalog pattern with markup in its placeholders (a Jinja filter): the pattern's own text and
    every plain value escaped, a value already markup (a {% set %} block, <strong>…</strong>) kept,
    so each language places and punctuates the parts itself: "{contact} {timing}", "{contact}{timing}"."""
    from markupsafe import Markup, escape

    return Markup(re.sub(r"\{([a-z_]+)\}", lambda match: str(escape(parts[match.group(1)])), str(escape(pattern))))
