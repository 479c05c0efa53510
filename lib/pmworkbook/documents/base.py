"""What every document shares: the client, its language and templates, the communication plan
(one per client, so no two documents disagree), and the header.

A document notebook is a parameters cell and one call per section, each returning a Fragment:

    doc = CommunicationCalendar.from_parameters(client, output_dir, templates)
    doc.header()
    doc.summary()
"""

from __future__ import annotations

import datetime as dt
import os
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from pmworkbook.core.i18n import Formatter
from pmworkbook.core.problems import DocumentError, MissingClientData
from pmworkbook.core.templates import DEMO_PORTFOLIO, Templates
from pmworkbook.plan.communication import CommunicationPlan, build_plan
from pmworkbook.plan.validation import rule_errors
from pmworkbook.portfolio.model import Client
from pmworkbook.render.fragments import Fragment, render

D = TypeVar("D", bound="Document")
DEMO_CLIENT = "acme-shop"  # what a notebook opened in JupyterLab without data shows


def _interactive() -> bool:
    """True in a kernel that JupyterLab, Notebook or Voila started (jupyter_server names its
    session); False under Papermill, which must never fall back to the demo."""
    return bool(os.environ.get("JPY_SESSION_NAME"))


def client_from_parameter(client: dict[str, Any] | Client | None, notebook: str) -> Client:
    """The notebook's `client` parameter as a Client; the demo's client when a person opened the
    notebook without data; MissingClientData when Papermill ran it without data."""
    if isinstance(client, Client):
        return client
    if client:
        return Client.model_validate(client)
    if _interactive():
        from pmworkbook.plan.validation import validate

        return validate(DEMO_PORTFOLIO, Templates.get()).require().client(DEMO_CLIENT)
    raise MissingClientData(
        f"{notebook}: no client data. Build documents with `pmworkbook build PORTFOLIO`, which passes each "
        "client's validated data as the `client` parameter; run by Papermill alone, pass it with -y or -f."
    )


class Document:
    kind = ""

    def __init__(self, client: Client, templates: Templates | None = None, output_dir: str | Path | None = None):
        self.client = client
        self.templates = templates or Templates.get()
        # A client `validate` refuses gets no document, even one that would not show what is wrong.
        if errors := rule_errors(client, self.templates):
            raise DocumentError(f"client '{client.id}' does not validate: "
                                + "; ".join(f"field '{error.field}': {error.message}" for error in errors))
        self.fmt = Formatter(client.language, client.country, self.templates)
        self.t = self.fmt.t
        self.output_dir = Path(output_dir) if output_dir else None

    @classmethod
    def from_parameters(cls: type[D], client: dict[str, Any] | Client | None, output_dir: str = "", templates: str = "",
                        **options: Any) -> D:
        """The document as its notebook's parameters describe it ("" for a parameter left empty)."""
        return cls(client_from_parameter(client, f"{cls.kind}.ipynb"), Templates.get(templates or None), output_dir or None,
                   **options)

    @property
    def title(self) -> str:
        return self.templates.document_title(self.kind, self.client.language)

    @cached_property
    def plan(self) -> CommunicationPlan:
        """The communication plan: one for every document of a client, so that they never disagree."""
        return build_plan(self.client, self.templates)

    @cached_property
    def budget(self) -> str | None:
        budget = self.client.project.budget
        return self.fmt.money(budget.amount, budget.currency) if budget else None

    def render(self, template: str, **extra: Any) -> Fragment:
        return render(self.templates, template, **self.context(**extra))

    def context(self, **extra: Any) -> dict[str, Any]:
        project = self.client.project
        return {
            "t": self.t, "fmt": self.fmt, "client": self.client, "project": project,
            "period": self.fmt.interval(project.start, project.end, "yMMMMd"),
            "budget": self.budget or "",
            **extra,
        }

    def header(self, subtitle: str = "") -> Fragment:
        return self.render("header.html.j2", title=self.title, subtitle=subtitle, prepared=self.fmt.date(dt.date.today()))
