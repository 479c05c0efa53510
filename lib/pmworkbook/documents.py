"""The three documents of a client pack, each a set of sections a notebook displays in order.

Every section returns a `Fragment`; notebooks hold no logic beyond choosing and ordering them.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from pathlib import Path
from typing import Any

from pmworkbook import catalogs, raci
from pmworkbook.communication import CommunicationPlan, build_plan
from pmworkbook.i18n import Formatter
from pmworkbook.portfolio import Client, Portfolio, load_portfolio
from pmworkbook.render import Fragment, render

class Document:
    kind = ""

    def __init__(self, portfolio: Portfolio, client: Client, output_dir: str | Path | None = None):
        self.portfolio = portfolio
        self.client = client
        self.fmt = Formatter(client.language, client.country)
        self.t = self.fmt.t
        self.output_dir = Path(output_dir) if output_dir else None

    @classmethod
    def open(cls, portfolio_path: str | Path | None, client_id: str, output_dir: str | Path | None = None, **options: Any):
        from pmworkbook.paths import DEMO_PORTFOLIO

        portfolio = load_portfolio(portfolio_path or DEMO_PORTFOLIO)
        return cls(portfolio, portfolio.client(client_id), output_dir, **options)

    @property
    def title(self) -> str:
        return catalogs.document_title(self.kind, self.client.language)

    @cached_property
    def plan(self) -> CommunicationPlan:
        """The communication plan: one for every document of a client, so that they never disagree."""
        return build_plan(self.client)

    @cached_property
    def budget(self) -> str | None:
        budget = self.client.project.budget
        return self.fmt.money(budget.amount, budget.currency) if budget else None

    def context(self, **extra: Any) -> dict[str, Any]:
        project = self.client.project
        return {
            "t": self.t, "fmt": self.fmt, "client": self.client, "project": project,
            "period": f"{self.fmt.date(project.start)} – {self.fmt.date(project.end)}",
            "budget": self.budget or "",
            **extra,
        }

    def header(self, subtitle: str = "") -> Fragment:
        return render("header.html.j2", **self.context(title=self.title, subtitle=subtitle,
                                                       prepared=self.fmt.date(dt.date.today())))


class CommunicationCalendar(Document):
    kind = "communication_calendar"

    @property
    def occurrences(self):
        """The plan as a pandas DataFrame, one row per occurrence."""
        return self.plan.occurrences

    def summary(self) -> Fragment:
        return render("calendar_summary.html.j2", **self.context(plan=self.plan))

    def schedule(self) -> Fragment:
        frame = self.plan.occurrences
        rows = frame[~frame["item"].isin(self.plan.daily_items)]
        agency_tz = self.client.agency.timezone if self.client.agency else None
        return render("calendar_schedule.html.j2", **self.context(rows=rows.to_dict("records"), agency_tz=agency_tz,
                                                                  show_agency=rows["agency_start"].notna().any()))

    def month_view(self) -> Fragment:
        from pmworkbook import calendar_views

        return calendar_views.month_grid(self.plan, self.fmt, self.client.communication.week_start)

    def timeline(self) -> Fragment:
        from pmworkbook import calendar_views

        return calendar_views.timeline_chart(self.plan, self.fmt)

    def moves(self) -> Fragment:
        return render("calendar_moves.html.j2", **self.context(plan=self.plan, rule=self.client.communication.move_rule))

    def response_and_escalation(self) -> Fragment:
        return render("calendar_response.html.j2", **self.context(plan=self.plan))

    def write_ics(self) -> Path | None:
        from pmworkbook import ics

        if self.output_dir is None:
            return None
        return ics.write_ics(self.plan, self.output_dir / "communication_calendar.ics")


class RoleDescription(Document):
    kind = "role_description"

    def __init__(self, portfolio: Portfolio, client: Client, output_dir: str | Path | None = None, role_id: str = "client_pm"):
        super().__init__(portfolio, client, output_dir)
        if role_id not in catalogs.structure("roles")["roles"]:
            raise KeyError(f"unknown role {role_id!r}; the role catalog has: {', '.join(catalogs.structure('roles')['roles'])}")
        self.role_id = role_id
        self.role_name = self.t[f"role_names.{role_id}"]
        self.text = catalogs.text("roles", client.language)[role_id]
        project = client.project
        self.values = {
            "project": project.name, "client": client.name,
            "start": self.fmt.date(project.start), "end": self.fmt.date(project.end),
            "budget": self.budget or "—",
        }

    def fill(self, value: Any) -> Any:
        """Weave the engagement's facts into catalog text ({project}, {start}, ...)."""
        if isinstance(value, str):
            return value.format(**self.values)
        if isinstance(value, list):
            return [self.fill(item) for item in value]
        if isinstance(value, dict):
            return {key: self.fill(item) for key, item in value.items()}
        return value

    @cached_property
    def role(self) -> dict[str, Any]:
        """The role's catalog text with the engagement's facts woven in."""
        return self.fill(self.text)

    @property
    def holder(self):
        people = self.client.people_with_role(self.role_id)
        return people[0] if people else None

    def header(self) -> Fragment:  # type: ignore[override]
        return super().header(subtitle=self.role_name)

    def purpose_and_facts(self) -> Fragment:
        return render("role_overview.html.j2", **self.context(role=self.role, holder=self.holder))

    def responsibilities(self) -> Fragment:
        areas = catalogs.structure("roles")["areas"]
        return render("role_responsibilities.html.j2", **self.context(role=self.role, areas=areas))

    def raci(self) -> Fragment:
        matrix = raci.check(self.client)
        warnings = []
        for key, values in matrix.warnings:
            if "role" in values:
                values = {**values, "role": self.t.get(f"role_names.{values['role']}", values["role"])}
            warnings.append(self.t.format(key, **values))
        role_names = {role: self.t.get(f"role_names.{role}", role) for role in matrix.roles}
        return render("role_raci.html.j2", **self.context(matrix=matrix, role_names=role_names, warnings=warnings))

    def expectations(self) -> Fragment:
        return render("role_expectations.html.j2", **self.context(role=self.role, plan=self.plan))

    def support(self) -> Fragment:
        return render("role_support.html.j2", **self.context(role=self.role, plan=self.plan))

    def announcement(self) -> Fragment | None:
        if not catalogs.structure("roles")["roles"][self.role_id]["pm"]:
            return None
        from pmworkbook import announcement

        letter = announcement.compose(self)
        if self.output_dir is not None:
            announcement.write_eml(letter, self.output_dir / f"announcement_{self.role_id}.eml")
        return render("role_letter.html.j2", **self.context(letter=letter))


class EvaluationSheet(Document):
    kind = "evaluation_sheet"

    @cached_property
    def criteria(self) -> list[dict[str, Any]]:
        from pmworkbook import evaluation

        return evaluation.criteria_for(self.client)

    def header(self) -> Fragment:  # type: ignore[override]
        return super().header(subtitle=self.t[f"evaluation.preset_names.{self.client.evaluation.preset}"])

    def instructions(self) -> Fragment:
        from pmworkbook import evaluation

        groups = [{"id": g, "name": self.t[f"evaluation.rater_groups.{g}"], "count": self.client.evaluation.raters[g],
                   "text": self.t.format(f"evaluation.group_instructions.{g}", threshold=evaluation.threshold(g))}
                  for g in self.client.rater_groups]
        return render("evaluation_instructions.html.j2", **self.context(groups=groups, criteria=self.criteria))

    def sheet(self) -> Fragment:
        return render("evaluation_sheet.html.j2", **self.context(criteria=self.criteria))

    def write_forms(self) -> list[Path]:
        from pmworkbook import evaluation

        if self.output_dir is None:
            return []
        return [evaluation.write_form(self.client, group, self.output_dir) for group in self.client.rater_groups]

    def forms_list(self, paths: list[Path]) -> Fragment:
        files = [{"name": p.name, "group": self.t[f"evaluation.rater_groups.{p.stem.rsplit('_', 1)[-1]}"]} for p in paths]
        return render("evaluation_forms.html.j2", **self.context(files=files))


class EvaluationReport(Document):
    """The 360-degree report from the responses `pmworkbook collect` gathered."""

    kind = "evaluation_report"

    def __init__(self, portfolio: Portfolio, client: Client, output_dir: str | Path | None = None,
                 responses: str | Path | None = None):
        from pmworkbook import evaluation, scoring
        from pmworkbook.responses import Collected

        super().__init__(portfolio, client, output_dir)
        path = Path(responses) if responses else (self.output_dir or Path(".")) / "evaluation_responses.json"
        self.collected = Collected.from_json(path.read_text(encoding="utf-8"))
        self.criteria = evaluation.criteria_for(client)
        self.report = scoring.score(self.collected.responses, self.criteria)

    def header(self) -> Fragment:  # type: ignore[override]
        return super().header(subtitle=self.t[f"evaluation.preset_names.{self.client.evaluation.preset}"])

    def _context(self, **extra: Any) -> dict[str, Any]:
        bands = catalogs.structure("criteria")["bands"]
        band_names = catalogs.text("criteria", self.client.language)["bands"]
        return self.context(report=self.report, criteria=self.criteria, bands=bands, band_names=band_names,
                            count=len(self.collected.responses), **extra)

    def summary(self) -> Fragment:
        return render("report_summary.html.j2", **self._context())

    def by_group(self) -> Fragment:
        return render("report_groups.html.j2", **self._context())

    def by_criterion(self) -> Fragment:
        return render("report_criteria.html.j2", **self._context())

    def charts(self) -> Fragment | None:
        from pmworkbook import evaluation_charts

        if self.report.overall is None and self.report.self_score is None:
            return None
        return render("report_charts.html.j2", **self._context(
            bars=evaluation_charts.group_bars(self.report, self.fmt),
            radar=evaluation_charts.criteria_radar(self.report, self.criteria, self.fmt)))

    def comments(self) -> Fragment:
        return render("report_comments.html.j2", **self._context())
