"""The evaluation sheet of one evaluated person: whom it is about, when and where it goes back,
instructions per rater group, the printable sheet with its open questions, and one fillable
.xlsx form per rater group."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

from pmworkbook.core.templates import Templates
from pmworkbook.documents.base import Document
from pmworkbook.plan import evaluation
from pmworkbook.portfolio.model import Client
from pmworkbook.render.fragments import Fragment


class EvaluationSheet(Document):
    kind = "evaluation_sheet"

    def __init__(self, client: Client, templates: Templates | None = None, output_dir: str | Path | None = None,
                 subject: str = "client_pm"):
        super().__init__(client, templates, output_dir)
        self.subject = evaluation.subject(client, subject)

    @cached_property
    def criteria(self) -> list[dict[str, Any]]:
        return evaluation.criteria_for(self.client, self.templates, self.subject.preset)

    @property
    def role_name(self) -> str:
        return self.t[f"role_names.{self.subject.role}"]

    @property
    def person_name(self) -> str:
        """The person's name, or the role's where the portfolio names nobody."""
        return self.subject.person.name if self.subject.person else self.role_name

    def _context(self, **extra: Any) -> dict[str, Any]:
        address = evaluation.return_address(self.client)
        return dict(subject=self.subject, person=self.person_name, role=self.fmt.in_sentence(self.role_name),
                    criteria=self.criteria,
                    due=self.fmt.date(evaluation.due_date(self.client)), address=address,
                    open_questions=evaluation.OPEN_QUESTIONS, lv=self.fmt.labelled, **extra)

    def header(self, subtitle: str = "") -> Fragment:
        preset = self.t[f"evaluation.preset_names.{self.subject.preset}"]
        return super().header(subtitle=subtitle or f"{self.person_name} · {preset}")

    def instructions(self) -> Fragment:
        groups = [{"id": g, "name": self.t[f"evaluation.rater_groups.{g}"], "count": count,
                   "text": self.t.format(f"evaluation.group_instructions.{g}", threshold=evaluation.threshold(g))}
                  for g, count in self.subject.raters.items()]
        return self.render("evaluation_instructions.html.j2", **self._context(groups=groups))

    def sheet(self) -> Fragment:
        return self.render("evaluation_sheet.html.j2", **self._context())

    def write_forms(self) -> list[Path]:
        from pmworkbook.render.xlsx import write_form

        if self.output_dir is None:
            return []
        return [write_form(self.client, self.subject, group, self.output_dir, self.templates) for group in self.subject.groups]

    def forms_list(self, paths: list[Path]) -> Fragment:
        names = dict(zip(self.subject.groups, paths, strict=True))
        files = [{"name": path.name, "group": self.t[f"evaluation.rater_groups.{group}"]} for group, path in names.items()]
        return self.render("evaluation_forms.html.j2", files=files, lv=self.fmt.labelled)
