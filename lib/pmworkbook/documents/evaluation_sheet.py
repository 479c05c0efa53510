"""The evaluation sheet: instructions per rater group, the printable sheet, and one fillable
.xlsx form per rater group."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

from pmworkbook.documents.base import Document
from pmworkbook.plan import evaluation
from pmworkbook.render.fragments import Fragment


class EvaluationSheet(Document):
    kind = "evaluation_sheet"

    @cached_property
    def criteria(self) -> list[dict[str, Any]]:
        return evaluation.criteria_for(self.client, self.templates)

    def header(self, subtitle: str = "") -> Fragment:
        return super().header(subtitle=subtitle or self.t[f"evaluation.preset_names.{self.client.evaluation.preset}"])

    def instructions(self) -> Fragment:
        groups = [{"id": g, "name": self.t[f"evaluation.rater_groups.{g}"], "count": self.client.evaluation.raters[g],
                   "text": self.t.format(f"evaluation.group_instructions.{g}", threshold=evaluation.threshold(g))}
                  for g in self.client.rater_groups]
        return self.render("evaluation_instructions.html.j2", groups=groups, criteria=self.criteria)

    def sheet(self) -> Fragment:
        return self.render("evaluation_sheet.html.j2", criteria=self.criteria)

    def write_forms(self) -> list[Path]:
        from pmworkbook.render.xlsx import write_form

        if self.output_dir is None:
            return []
        return [write_form(self.client, group, self.output_dir, self.templates) for group in self.client.rater_groups]

    def forms_list(self, paths: list[Path]) -> Fragment:
        files = [{"name": p.name, "group": self.t[f"evaluation.rater_groups.{p.stem.rsplit('_', 1)[-1]}"]} for p in paths]
        return self.render("evaluation_forms.html.j2", files=files)
