"""The 360-degree evaluation report from the responses `pmworkbook collect` gathered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pmworkbook.core.templates import Templates
from pmworkbook.documents.base import Document
from pmworkbook.plan import evaluation, scoring
from pmworkbook.plan.responses import Collected
from pmworkbook.portfolio.model import Client
from pmworkbook.render.fragments import Fragment


class EvaluationReport(Document):
    kind = "evaluation_report"

    def __init__(self, client: Client, templates: Templates | None = None, output_dir: str | Path | None = None,
                 responses: str | Path | None = None):
        super().__init__(client, templates, output_dir)
        path = Path(responses) if responses else (self.output_dir or Path(".")) / "evaluation_responses.json"
        self.collected = Collected.from_json(path.read_text(encoding="utf-8"))
        self.criteria = evaluation.criteria_for(client, self.templates)
        self.bands = self.templates.structure("criteria")["bands"]
        self.report = scoring.score(self.collected.responses, self.criteria, self.bands)

    def header(self, subtitle: str = "") -> Fragment:
        return super().header(subtitle=subtitle or self.t[f"evaluation.preset_names.{self.client.evaluation.preset}"])

    def _context(self, **extra: Any) -> dict[str, Any]:
        band_names = self.templates.text("criteria", self.client.language)["bands"]
        return dict(report=self.report, criteria=self.criteria, bands=self.bands, band_names=band_names,
                    count=len(self.collected.responses), **extra)

    def summary(self) -> Fragment:
        return self.render("report_summary.html.j2", **self._context())

    def by_group(self) -> Fragment:
        return self.render("report_groups.html.j2", **self._context())

    def by_criterion(self) -> Fragment:
        return self.render("report_criteria.html.j2", **self._context())

    def charts(self) -> Fragment | None:
        from pmworkbook.render import evaluation_charts

        if self.report.overall is None and self.report.self_score is None:
            return None
        return self.render("report_charts.html.j2", **self._context(
            bars=evaluation_charts.group_bars(self.report, self.fmt),
            radar=evaluation_charts.criteria_radar(self.report, self.criteria, self.fmt)))

    def comments(self) -> Fragment:
        return self.render("report_comments.html.j2", **self._context())
