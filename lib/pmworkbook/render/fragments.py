"""HTML fragments of the documents, rendered from the templates' Jinja files with autoescaping
on, so everything a user typed reaches the page as text, never as markup."""

from __future__ import annotations

from typing import Any

from pmworkbook.core.templates import Templates


class Fragment:
    """A piece of a document. Notebooks display it; the exported HTML keeps its markup."""

    def __init__(self, html: str):
        self.html = html

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def render(templates: Templates, template: str, **context: Any) -> Fragment:
    return Fragment(templates.jinja.get_template(template).render(**context))
