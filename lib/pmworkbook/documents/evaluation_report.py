"""The 360-degree evaluation report of one evaluated person, from the responses `pmworkbook
collect` gathered. It shows only what the anonymity rule of `pmworkbook.plan.scoring` lets
through, and states that rule."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from functools import partial
from pathlib import Path
from typing import Any

from pmworkbook.core.templates import Templates
from pmworkbook.documents.base import Document
from pmworkbook.plan import evaluation, scoring
from pmworkbook.plan.responses import Collected
from pmworkbook.portfolio.model import RATER_GROUPS, Client
from pmworkbook.render.fragments import Fragment


class EvaluationReport(Document):
    kind = "evaluation_report"

    def __init__(self, client: Client, templates: Templates | None = None, output_dir: str | Path | None = None,
                 subject: str = "client_pm", responses: str | Path | None = None):
        super().__init__(client, templates, output_dir)
        self.subject = evaluation.subject(client, subject)
        # `pmworkbook collect` passes the file it wrote; a notebook opened without one shows an empty report.
        collected = Collected.from_json(Path(responses).read_text(encoding="utf-8")) if responses else Collected([], [])
        self.collected = collected.of(self.subject.key)
        self.criteria = evaluation.criteria_for(client, self.templates, self.subject.preset)
        self.bands = self.templates.structure("criteria")["bands"]
        self.report = scoring.score(self.collected.responses, self.criteria, self.bands)

    @property
    def person_name(self) -> str:
        role = self.t[f"role_names.{self.subject.role}"]
        return self.subject.person.name if self.subject.person else role

    def header(self, subtitle: str = "") -> Fragment:
        preset = self.t[f"evaluation.preset_names.{self.subject.preset}"]
        return super().header(subtitle=subtitle or f"{self.person_name} · {preset}")

    def _context(self, **extra: Any) -> dict[str, Any]:
        band_names = self.templates.text("criteria", self.client.language)["bands"]
        shown = {g.group for g in self.report.groups if g.shown}
        return dict(report=self.report, criteria=self.criteria, bands=self.bands, band_names=band_names, groups=self.subject.groups,
                    count=self.shown_responses, received=len(self.collected.responses), group_rows=self.group_rows(),
                    replaced=sum(r.rater_group in shown for r in self.collected.replaced),
                    lv=self.fmt.labelled, listed=partial(evaluation.listed, self.fmt), **extra)

    @property
    def shown_responses(self) -> int:
        """The responses the report counts: the shown groups' only. A withheld group is in no
        figure, its number of responses included (the total less the shown groups' would give it)."""
        return sum(g.responses for g in self.report.groups if g.shown)

    def group_rows(self) -> list[tuple[str, scoring.GroupResult | None]]:
        """Each rater group the evaluation plans (and any that answered), in the catalog's order,
        with its result, None for a group without responses."""
        results = {g.group: g for g in self.report.groups}
        return [(group, results.get(group)) for group in RATER_GROUPS if group in self.subject.groups or group in results]

    def gap_text(self) -> str | None:
        """The self-rating against the rating by others in a whole sentence for each sign of the
        difference ("… is 0.89 points below …", "自评比他评低0.89分", or the same), None without both.
        The difference is that of the two scores as shown, to two decimals, so the sentence adds up."""
        report = self.report
        if report.self_score is None or report.overall is None:
            return None
        own, others = (Decimal(str(score)).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
                       for score in (report.self_score, report.overall))
        values = {"self_score": self.fmt.number(own, 2), "others": self.fmt.number(others, 2)}
        if own == others:
            return self.t.format("evaluation.report.gap_text.equal", **values)
        side = "above" if own > others else "below"
        return self.fmt.plural(f"evaluation.report.gap_text.{side}", abs(own - others), digits=2, **values)

    def bands_text(self) -> str:
        """The bands, best first, each from its minimum (Strong ≥ 3.75) and the lowest below the
        next one's (Needs attention below 2.00, ниже 2,00, poniżej 2,00, 低于2.00); Chinese separates
        them with 「；」, the others list them as their language does."""
        band_names = self.templates.text("criteria", self.client.language)["bands"]
        parts = []
        for index, band in enumerate(self.bands):
            lowest = index == len(self.bands) - 1 and index > 0
            minimum = self.bands[index - 1]["min"] if lowest else band["min"]
            key = "band_below" if lowest else "band_from"
            parts.append(self.t.format(f"evaluation.report.{key}", band=band_names[band["id"]], min=self.fmt.number(minimum, 2)))
        return "；".join(parts) if self.fmt.language == "zh" else evaluation.listed(self.fmt, parts)

    def summary(self) -> Fragment:
        return self.render("report_summary.html.j2", **self._context(gap_text=self.gap_text(), bands_text=self.bands_text()))

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
        return self.render("report_comments.html.j2", **self._context(open_questions=evaluation.OPEN_QUESTIONS))

    def anonymity(self) -> Fragment:
        """The rule, with each rater group's minimum number of responses as the sentence names them
        (3 for the team, 团队3份, zespół – 3, команда — 3), not as labels, listed as the language
        lists things (… and 3 for the client, … i klient – 3, … и заказчик — 3, …和客户3份)."""
        minimums = evaluation.listed(self.fmt, [self.fmt.plural(f"evaluation.report.anonymity_minimum.{g}", evaluation.threshold(g))
                                                for g in self.subject.groups])
        return self.render("report_anonymity.html.j2", **self._context(minimums=minimums))
