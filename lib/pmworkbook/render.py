"""HTML fragments of the documents, rendered from Jinja templates with autoescaping on, so
everything a user typed reaches the page as text, never as markup."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from pmworkbook.paths import templates_dir


class Fragment:
    """A piece of a document. Notebooks display it; the exported HTML keeps its markup."""

    def __init__(self, html: str):
        self.html = html

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


@lru_cache(maxsize=8)
def _environment(folder: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: Any) -> Fragment:
    return Fragment(_environment(templates_dir() / "documents").get_template(template).render(**context))
