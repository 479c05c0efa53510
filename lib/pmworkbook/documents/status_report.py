"""The weekly status report of one client: the overall status and each dimension's (red, amber,
green) with why, the week's tasks by state and side, milestones, effort, service, decisions
needed from the client, top risks, next week's meetings and an appendix with every rule, then
the complete lists where the report shows the first rows of a long one; the figures also as
status_<week>.json, and the e-mail to the weekly report's audience.

    doc = StatusReport.from_parameters(client, output_dir, templates, week="2027-W05", as_of="", inputs=inputs)

`inputs` names the register files ({"tasks": {"path": ..., "sha256": ...}, ...}, as
`pmworkbook status` passes them); without it the client's own paths are read, relative to the
demo portfolio's folder (a notebook opened in JupyterLab).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cached_property
from pathlib import Path
from typing import Any

from pmworkbook.core.files import atomic_write_text
from pmworkbook.core.i18n import Formatter
from pmworkbook.core.problems import DocumentError
from pmworkbook.core.templates import DEMO_PORTFOLIO, Templates
from pmworkbook.core.text import shorten
from pmworkbook.documents.base import Document
from pmworkbook.plan import status
from pmworkbook.portfolio.model import Client, Person
from pmworkbook.portfolio.tasks import REGISTERS, StatusInputs, read_inputs
from pmworkbook.render.eml import Attachment, Letter
from pmworkbook.render.fragments import Fragment

# Rows a list shows in the report: the first ones by what matters (overdue first, then by due
# date); a sentence counts the rest, and the complete list follows the appendix. With them the
# report before its appendix keeps to two A4 pages however long the registers are
# (tests/test_status_command.py holds it to that with 300 tasks and 80 requests).
# Tasks per list (done, in progress, next days, long term) and side: three where the four lists
# then take no more room than two each can at most, else two.
TASK_ROWS = (3, 2)
COMPLAINT_ROWS = 2
WAITING_ROWS = 2
DECISION_ROWS = 3
RISK_ROWS = 3  # the top risks, by probability × impact
TASK_LISTS = ("done", "in_progress", "next_days", "long_term")
SIDES = ("client", "agency")  # the client's own homework first
# A title or summary in a half-page table is cut (…) at three lines; in full in the complete lists.
SHORT_WIDTH = 72  # Latin letters; a Chinese character counts two
TITLE_CHARACTERS = 90
NAME_CHARACTERS = 40  # Latin letters; a Chinese character counts two


def json_name(week: status.Week | str) -> str:
    return f"status_{week}.json"


def email_name(week: status.Week | str) -> str:
    return f"status_email_{week}.eml"


class StatusReport(Document):
    kind = "status_report"

    def __init__(self, client: Client, templates: Templates | None = None, output_dir: str | Path | None = None,
                 week: str = "", as_of: str | dt.date = "", inputs: dict[str, Any] | None = None):
        super().__init__(client, templates, output_dir)
        day = dt.date.fromisoformat(as_of) if isinstance(as_of, str) and as_of else (as_of or None)
        self.week, self.as_of = status.choose_week(week or None, day if isinstance(day, dt.date) else None)
        self.inputs = self._read(inputs)
        if problems := self.inputs.problems:
            raise DocumentError(f"client '{client.id}': the status report's inputs have {len(problems)} problem(s): "
                                + "; ".join(str(p) for p in problems[:5]))

    def _read(self, inputs: dict[str, Any] | None) -> StatusInputs:
        if inputs is None:  # opened without the command: the client's paths, from the demo's folder
            return read_inputs(self.client, DEMO_PORTFOLIO.parent, self.templates)
        # The command passes absolute paths; the client's own fields are replaced by them.
        named = {name: inputs[name]["path"] if name in inputs else None for name in REGISTERS}
        return read_inputs(self.client.model_copy(update=named), Path("/"), self.templates)

    @cached_property
    def figures(self) -> status.StatusFigures:
        return status.compute(self.client, self.inputs, self.plan, self.week, self.as_of)

    @property
    def week_label(self) -> str:
        return week_label(self.fmt, self.week)

    @property
    def dates(self) -> str:
        """The report's week as a span of dates, months in full (1–7 lutego 2027, February 1 – 7, 2027)."""
        return self.fmt.interval(self.week.monday, self.week.sunday, "yMMMMd")

    def context(self, **extra: Any) -> dict[str, Any]:
        project = self.client.project
        return super().context(**{"period": self.fmt.interval(project.start, project.end, "yMMMMd"), **extra})

    def header(self, subtitle: str = "") -> Fragment:
        """The client, the title and week, the project in one line, and the day the figures stand at."""
        return self.render("status_header.html.j2", title=self.title, subtitle=subtitle or self.week_label,
                           as_of=self.t.format("status.as_of", date=self.fmt.date(self.as_of)))

    def day(self, value: dt.date | None) -> str:
        """A date in a table: without its year when it is the report's year."""
        if value is None:
            return "—"
        if value.year == self.as_of.year:
            return self.fmt.skeleton(value, "MMMd")
        return self.fmt.date_short(value)

    # -- sentences
    def plural(self, key: str, count: int, **values: Any) -> str:
        return self.fmt.plural(key, count, **values)

    def hours(self, value: float | None) -> str:
        return "—" if value is None else self.fmt.number(value, 1)

    def percent(self, value: float | None) -> str:
        return "—" if value is None else self.fmt.percent(value)

    def reason(self, name: str) -> str:
        """Why a dimension is at its level, in whole sentences of the catalog."""
        dimension = self.figures.dimensions[name]
        values, key = dimension.values, f"status.reasons.{name}.{dimension.reason}"
        if name == "schedule" and dimension.reason == "late":
            return self.plural(key, values["days"], milestone=values["milestone"], forecast=self.fmt.date(values["forecast"]),
                               baseline=self.fmt.date(values["baseline"]))
        if name == "effort" and dimension.reason in ("over", "within", "on_plan"):
            return self.t.format(key, forecast=self.fmt.number(values["forecast"]), planned=self.fmt.number(values["planned"]),
                                 percent=self.fmt.percent(values["percent"] / 100))
        if name == "scope" and dimension.reason == "changes":
            count = values["count"]
            return self.plural(key, count) if count else self.t["status.reasons.scope.none"]
        if name == "service" and dimension.reason in ("answered", "no_requests"):
            first = (self.plural(key, values["hours"], share=self.fmt.percent(values["share"]))
                     if dimension.reason == "answered" else self.t[key])
            complaints = values["complaints"]
            second = self.plural("status.reasons.service.complaints", complaints) if complaints else \
                self.t["status.reasons.service.no_complaints"]
            return f"{first} {second}" if self.client.language != "zh" else f"{first}{second}"
        return self.t[key]

    def level_name(self, level: str | None) -> str:
        return self.t[f"status.rag.{level or 'none'}"]

    # -- sections
    def summary(self) -> Fragment:
        figures = self.figures
        order = list(status.DIMENSIONS)
        worst = [name for name in order if figures.overall and figures.dimensions[name].level == figures.overall]
        why = self.reason(worst[0]) if figures.overall and figures.overall != "green" else self.t["status.reasons.all_green"]
        if figures.overall is None:
            why = self.t["status.reasons.nothing"]
        counts = figures.tasks.counts
        kpis = [(self.t["status.kpi.done_this_week"], counts.get("done_this_week", 0)),
                (self.t["status.kpi.in_progress"], counts.get("in_progress", 0)),
                (self.t["status.kpi.overdue"], counts.get("overdue", 0)),
                (self.t["status.kpi.open"], counts.get("todo", 0) + counts.get("in_progress", 0)),
                (self.t["status.kpi.decisions"], len(figures.decisions))]
        dimensions = [{"name": self.t[f"status.dimensions.{name}"], "level": figures.dimensions[name].level,
                       "level_name": self.level_name(figures.dimensions[name].level), "why": self.reason(name)} for name in order]
        return self.render("status_summary.html.j2", overall=figures.overall, overall_name=self.level_name(figures.overall),
                           why=why, dimensions=dimensions, kpis=[(label, self.fmt.number(n), n) for label, n in kpis])

    def more(self, what: str, count: int) -> str:
        """The sentence under a shortened list: how many more, and where the complete list is."""
        return self.plural(f"status.more.{what}", count) if count else ""

    def task_list(self, name: str, rows: int | None) -> dict[str, Any]:
        """A task list by side: each side's first `rows` tasks, their titles cut at three lines, and
        how many more it has; with `rows` None every task, titles whole."""
        groups = []
        for side in SIDES:
            mine = [line for line in getattr(self.figures.tasks, name) if line.task.side == side]
            if not mine:
                continue
            shown = mine if rows is None else mine[:rows]
            hidden = len(mine) - len(shown)
            groups.append({"side": side, "title": self.t[f"status.side_tasks.{side}"], "hidden": hidden,
                           "more": self.more("tasks", hidden), "lines": [
                               {"id": line.task.id, "title": line.task.title if rows is None else _shorten(line.task.title, SHORT_WIDTH),
                                "owner": _name(line.task.owner), "date": self.day(line.task.done_on if name == "done" else line.task.due),
                                "overdue": line.overdue, "milestone": line.task.milestone} for line in shown]})
        return {"name": name, "heading": self.list_heading(name), "groups": groups, "empty": self.t[f"status.empty.{name}"],
                "hidden": sum(group["hidden"] for group in groups), "anchor": f"all-{name}"}

    def list_heading(self, name: str) -> str:
        if name == "next_days":
            return self.plural("status.lists.next_days", self.client.status.next_days, date=self.day(self.figures.next_days_until))
        return self.t[f"status.lists.{name}"]

    def tasks(self) -> Fragment:
        lists = [self.task_list(name, self.task_rows) for name in TASK_LISTS]
        return self.render("status_tasks.html.j2", lists=lists, has_register=self.inputs.tasks.path is not None)

    @cached_property
    def task_rows(self) -> int:
        """Tasks a list shows per side: the most of TASK_ROWS whose four lists, two to a row, take
        no more rows (a side's heading, its tasks and its "… and N more") than the fewest can."""
        sides = {name: [sum(line.task.side == side for line in getattr(self.figures.tasks, name)) for side in SIDES]
                 for name in TASK_LISTS}

        def height(rows: int) -> int:
            def rows_of(name: str) -> int:
                return sum(1 + min(count, rows) + (count > rows) for count in sides[name] if count)

            return sum(max(rows_of(left), rows_of(right)) for left, right in zip(TASK_LISTS[::2], TASK_LISTS[1::2], strict=True))

        fewest = min(TASK_ROWS)
        room = len(TASK_LISTS) // 2 * len(SIDES) * (fewest + 2)
        return next((rows for rows in sorted(TASK_ROWS, reverse=True) if height(rows) <= room), fewest)

    @cached_property
    def shortened(self) -> dict[str, int]:
        """The lists the report shortens, with how many rows each leaves out."""
        figures = self.figures
        hidden = {name: self.task_list(name, self.task_rows)["hidden"] for name in TASK_LISTS}
        hidden |= {"complaints": max(len(figures.service.complaints) - COMPLAINT_ROWS, 0),
                   "waiting": max(len(figures.service.unanswered) - WAITING_ROWS, 0),
                   "decisions": max(len(figures.decisions) - DECISION_ROWS, 0),
                   "risks": max(len(figures.risks) - RISK_ROWS, 0)}
        return {name: count for name, count in hidden.items() if count}

    @cached_property
    def in_full(self) -> set[str]:
        """The lists given in full after the appendix: those with rows left out or a title or
        summary cut short in the report."""
        figures, service = self.figures, self.figures.service

        def cut(texts: list[str]) -> bool:
            return any(_shorten(text, SHORT_WIDTH) != text for text in texts)

        shown = {name: [line.task.title for side in SIDES
                        for line in [li for li in getattr(figures.tasks, name) if li.task.side == side][:self.task_rows]]
                 for name in TASK_LISTS}
        shown |= {"complaints": [c.request.summary for c in service.complaints[:COMPLAINT_ROWS]],
                  "waiting": [r.summary for r, _ in service.unanswered[:WAITING_ROWS]],
                  "decisions": [d.decision for d, _ in figures.decisions[:DECISION_ROWS]]}
        risks = [text for r in figures.risks[:RISK_ROWS] for text in (r.risk, r.mitigation)]
        return (set(self.shortened) | {name for name, texts in shown.items() if cut(texts)}
                | ({"risks"} if any(_shorten(text) != text for text in risks) else set()))

    def milestones(self) -> Fragment:
        lines = self.figures.milestones
        if not lines:
            return Fragment("")
        rows = []
        for line in lines:
            if line.state == "reached":
                state = self.t.format("status.milestone_states.reached", date=self.day(line.forecast))
            else:
                state = self.t[f"status.milestone_states.{line.state}"]
            rows.append({"name": line.name, "baseline": self.day(line.baseline),
                         "forecast": self.day(line.forecast), "slip": _signed(self.fmt, line.slip_days),
                         "open": line.open_tasks, "state": state, "css": line.state})
        return self.render("status_milestones.html.j2", rows=rows)

    def effort(self) -> Fragment:
        """The effort's figures in a row, then the milestones' and the effort's charts side by side,
        each under a heading of its own (on page 2 the milestones' chart is far from their table)."""
        from pmworkbook.render.status_charts import burnup_chart, milestone_chart

        effort = self.figures.effort
        charts = []
        if self.inputs.tasks.path is not None and self.figures.milestones:
            charts.append((milestone_chart(self.figures.milestones, self.as_of, self.fmt), self.t["status.chart.milestones_alt"],
                           self.t["status.chart.milestones_title"]))
        if not effort.planned:
            return self.render("status_effort.html.j2", rows=[], charts=charts)
        charts.append((burnup_chart(effort, self.as_of, self.fmt), self.t["status.chart.burnup_alt"], self.t["status.chart.burnup_title"]))
        number = self.fmt.number
        rows = [(self.t["status.effort_rows.planned"], number(effort.planned)),
                (self.t["status.effort_rows.planned_to_date"], number(effort.planned_to_date)),
                (self.t["status.effort_rows.spent"], number(effort.spent)),
                (self.t["status.effort_rows.earned"], number(effort.earned)),
                (self.t["status.effort_rows.remaining"], number(effort.remaining)),
                (self.t["status.effort_rows.forecast"], number(effort.forecast)),
                (self.t["status.effort_rows.variance"], _signed_percent(self.fmt, effort.overrun_percent))]
        return self.render("status_effort.html.j2", rows=rows, charts=charts)

    def service(self) -> Fragment:

        service = self.figures.service
        if not self.figures.has_requests:
            return self.render("status_service.html.j2", has_log=False)
        kinds = [{"name": self.t[f"status.kinds.{kind}"], **counts} for kind, counts in service.by_kind.items()]
        times = []
        for key, figures, first in (("first_week", service.first_response_week, True),
                                    ("first_to_date", service.first_response_to_date, True),
                                    ("resolution_week", service.resolution_week, False),
                                    ("resolution_to_date", service.resolution_to_date, False)):
            times.append({"name": self.t[f"status.time_rows.{key}"], "count": figures.count, "median": self.hours(figures.median),
                          "p90": self.hours(figures.p90), "within": self.percent(figures.within_share) if first else ""})
        zone = self.client.agency.timezone if self.client.agency and self.client.agency.timezone else self.client.timezone
        clock = self.fmt.clock_hours(self.client.status.service_hours)
        promise = self.plural("status.promise", service.response_hours, clock=clock, city=self.fmt.city(zone))
        return self.render("status_service.html.j2", has_log=True, kinds=kinds, times=times, promise=promise,
                           complaints=self.complaints(COMPLAINT_ROWS), waiting=self.waiting(WAITING_ROWS),
                           more_complaints=self.more("complaints", self.shortened.get("complaints", 0)),
                           more_waiting=self.more("requests", self.shortened.get("waiting", 0)))

    def complaints(self, rows: int | None = None) -> list[dict[str, Any]]:
        """Open complaints, the oldest first."""
        chosen = self.figures.service.complaints[:rows]
        return [{"id": c.request.id, "summary": c.request.summary if rows is None else _shorten(c.request.summary, SHORT_WIDTH),
                 "received": self._moment(c.request.received_at), "age": self.hours(c.age_hours), "owner": _name(c.request.owner),
                 "step": self._step(c.step)} for c in chosen]

    def waiting(self, rows: int | None = None) -> list[dict[str, Any]]:
        """Requests without a first answer, the longest waiting first."""
        service = self.figures.service
        return [{"id": r.id, "kind": self.t[f"status.kinds.{r.kind}"], "summary": r.summary if rows is None else _shorten(r.summary, SHORT_WIDTH),
                 "received": self._moment(r.received_at), "age": self.hours(age), "late": age > service.response_hours}
                for r, age in service.unanswered[:rows]]

    def _moment(self, moment: dt.datetime) -> str:
        local = moment.astimezone(self.figures_zone)
        return self.fmt.day_time(self.day(local.date()), self.fmt.time(local))

    @cached_property
    def figures_zone(self) -> Any:
        """Times are shown in the client's zone, as in its calendar; they are counted in the agency's hours."""
        import zoneinfo

        return zoneinfo.ZoneInfo(self.client.timezone)

    @property
    def times_note(self) -> str:
        """Which zone the report's clock times are in (meetings, when a request came in): the client's."""
        return self.t.format("status.times_note", city=self.fmt.city(self.client.timezone))

    def _step(self, step: dict[str, Any] | None) -> str:
        if step is None:
            return "—"
        return self.t.format("status.escalation_step", role=step["role"], name=_name(step["name"]))

    def decisions_and_meetings(self) -> Fragment:
        """The decisions needed from the client, with their dates, beside next week's meetings."""
        figures = self.figures
        meetings = [{"date": self.fmt.skeleton(r["date"], "MMMEd"), "time": self.fmt.time(r["start"]), "title": r["title"], "channel": r["channel"], "owner": _name(r["owner"])}
                    for r in figures.meetings]
        daily = [self.t.format("status.daily", item=r["title"], time=self.fmt.time(r["start"])) for r in figures.daily]
        following = self.week.next
        dates = self.fmt.interval(following.monday, following.sunday, "MMMMd")
        return self.render("status_decisions.html.j2", decisions=self.decisions(DECISION_ROWS),
                           more_decisions=self.more("decisions", self.shortened.get("decisions", 0)),
                           has_decisions=self.inputs.decisions.path is not None,
                           meetings=meetings, daily=daily, meetings_heading=self.t.format("status.sections.meetings", dates=dates),
                           times_note=self.times_note)

    def decisions(self, rows: int | None = None) -> list[dict[str, Any]]:
        """Open decisions: the overdue ones, then by the day they are needed."""
        return [{"decision": d.decision if rows is None else _shorten(d.decision, SHORT_WIDTH), "due": self.day(d.due), "owner": _name(d.owner),
                 "overdue": overdue} for d, overdue in self.figures.decisions[:rows]]

    def risks(self) -> Fragment:
        return self.render("status_risks.html.j2", risks=self.risk_rows(RISK_ROWS), has_risks=self.inputs.risks.path is not None,
                           more_risks=self.more("risks", self.shortened.get("risks", 0)))

    def risk_rows(self, rows: int | None = None) -> list[dict[str, Any]]:
        """Open risks, the highest probability × impact first."""
        def text(value: str) -> str:
            return value if rows is None else _shorten(value)

        return [{"risk": text(r.risk), "probability": self._level("probability", r.probability),
                 "impact": self._level("impact", r.impact), "owner": _name(r.owner), "mitigation": text(r.mitigation)}
                for r in self.figures.risks[:rows]]

    def _level(self, what: str, score: int) -> str:
        """Low, medium or high in the form that agrees with its column's noun (prawdopodobieństwo:
        wysokie, wpływ: wysoki; вероятность: высокая, влияние: высокое)."""
        word = "low" if score <= 2 else "medium" if score == 3 else "high"
        return self.t[f"status.{what}_levels.{word}"]

    def appendix(self) -> Fragment:

        limits = self.client.status.thresholds
        number = self.fmt.number
        zone = self.client.agency.timezone if self.client.agency and self.client.agency.timezone else self.client.timezone
        rules = [
            self.t.format("status.rules.schedule", amber=number(limits.schedule_slip_days.amber),
                          red=number(limits.schedule_slip_days.red)),
            self.t.format("status.rules.effort", amber=self.fmt.percent(limits.effort_overrun_percent.amber / 100),
                          red=self.fmt.percent(limits.effort_overrun_percent.red / 100)),
            self.t.format("status.rules.scope", amber=number(limits.open_changes.amber), red=number(limits.open_changes.red)),
            self.plural("status.rules.service", self.client.communication.response_hours,
                        amber=self.fmt.percent(limits.response_within_percent.amber / 100),
                        red=self.fmt.percent(limits.response_within_percent.red / 100),
                        complaints_amber=number(limits.open_complaints.amber),
                        complaints_red=number(limits.open_complaints.red)),
            self.t["status.rules.overall"],
        ]
        definitions = [
            self.t.format("status.definitions.working_hours", clock=self.fmt.clock_hours(self.client.status.service_hours),
                          zone=self.fmt.city(zone)),
            self.t["status.definitions.times"],
            self.plural("status.definitions.lists", self.client.status.next_days, as_of=self.fmt.date(self.as_of)),
            self.t["status.definitions.as_of"],
        ]
        if self.in_full:
            definitions.append(self.plural("status.definitions.shortened", self.task_rows))
        return self.render("status_appendix.html.j2", rules=rules, definitions=definitions)

    def full_lists(self) -> Fragment:
        """After the appendix, the complete lists the report shortens: nothing is left out."""
        chosen = self.in_full
        if not chosen:
            return Fragment("")
        lists = [self.task_list(name, rows=None) for name in TASK_LISTS if name in chosen]
        return self.render("status_full_lists.html.j2", lists=lists,
                           complaints=self.complaints() if "complaints" in chosen else [],
                           waiting=self.waiting() if "waiting" in chosen else [],
                           decisions=self.decisions() if "decisions" in chosen else [],
                           risks=self.risk_rows() if "risks" in chosen else [], times_note=self.times_note)

    # -- files
    def write_json(self) -> Path | None:
        """status_<week>.json beside the report: the figures for dashboards."""
        if self.output_dir is None:
            return None
        data = self.figures.to_json()
        data["client_name"], data["language"] = self.client.name, self.client.language
        return atomic_write_text(self.output_dir / json_name(self.week), json.dumps(data, ensure_ascii=False, indent=2))

    def _sender(self) -> Person | None:
        """Who sends the weekly report: the owner of the communication plan's weekly report."""
        spec = next((s for s in self.templates.structure("cadences")["presets"][self.client.communication.preset]["cadences"]
                     if s["id"] == "weekly_report"), None)
        role = spec["owner"] if spec else "project_manager"
        people = [p for p in self.client.people_with_role(role) if p.side == "agency"] or self.client.people_with_role(role)
        return people[0] if people else None

    def audience(self) -> list[Person]:
        """The weekly report's audience in the communication plan (client team and sponsor in the bundled catalog)."""
        from pmworkbook.render.ics import audience_people

        cadences = self.templates.structure("cadences")
        spec = next((s for s in cadences["presets"][self.client.communication.preset]["cadences"] if s["id"] == "weekly_report"),
                    {"audience": ["client_team", "sponsor"]})
        return [p for p in audience_people(self.client, spec["audience"], cadences.get("audiences", {})) if p.email]

    def letter(self, attachment: Path | None = None) -> Letter:
        """The e-mail to the weekly report's audience: the overall status and why, the figures of
        the week, the client's decisions with their dates, and the report attached."""
        figures, t = self.figures, self.t
        sender = self._sender()
        worst = [name for name in status.DIMENSIONS if figures.overall and figures.dimensions[name].level == figures.overall]
        why = self.reason(worst[0]) if worst and figures.overall != "green" else t["status.reasons.all_green"]
        level = self.level_name(figures.overall)
        # A letter writes its dates in full (1–7 lutego 2027, 15 lutego 2027), as the report's running text does.
        values = {"project": self.client.project.name, "week": str(self.week), "dates": self.dates, "level": self.fmt.in_sentence(level)}
        subject = t.format("status.letter.subject", **{**values, "level": level})
        counts = figures.tasks.counts
        # The counts with their unit (Done this week: 2 tasks, 本周完成：2项); a level after its label, lower
        # case where the language has case (Сроки: красный).
        highlights = [self.plural(f"status.letter.counts.{key}", counts.get(key, 0)) for key in ("done_this_week", "in_progress", "overdue")]
        highlights += [self.fmt.labelled(t[f"status.dimensions.{name}"], self.fmt.in_sentence(self.level_name(d.level)))
                       for name, d in figures.dimensions.items()]
        decisions = [t.format("status.letter.decision_undated", decision=d.decision) if d.due is None else
                     t.format("status.letter.decision_overdue" if overdue else "status.letter.decision", decision=d.decision,
                              date=self.fmt.date(d.due)) for d, overdue in figures.decisions]
        attachments = []
        note = ""
        if attachment is not None and attachment.exists():
            kind = ("application", "pdf") if attachment.suffix == ".pdf" else ("text", "html")
            attachments.append(Attachment(attachment.name, attachment.read_bytes(), *kind))
            note = t.format("status.letter.attached", file=attachment.name)
        agency = self.client.agency
        signature = [sender.name, sender.title or t.get(f"role_names.{sender.role}", sender.role),
                     agency.name if agency else ""] if sender else [agency.name if agency else self.client.name]
        return Letter(
            language=self.client.language,
            subject=subject,
            greeting=t["status.letter.greeting"],
            paragraphs=[t.format("status.letter.intro", **values), why],
            rhythm_lead=t["status.letter.figures"],
            rhythm=highlights,
            bullet=t["letter_bullet"],
            contacts_lead=t["status.letter.decisions"] if decisions else "",
            contacts=decisions,
            closing=list(t["role.letter_closing"]),
            signature=[line for line in signature if line],
            sender=(sender.name, sender.email) if sender and sender.email else None,
            to=[(p.name, p.email) for p in self.audience() if p.email],
            attachments=attachments,
            attachment_note=note,
        )


def week_label(fmt: Formatter, week: status.Week) -> str:
    """A report's week as its title and the pack's cover name it: 5. tydzień 2027 r. · 1–7 lutego 2027."""
    return fmt.t.format("status.week", number=week.number, year=week.year,
                        dates=fmt.interval(week.monday, week.sunday, "yMMMMd"))


def _shorten(text: str, width: int = TITLE_CHARACTERS) -> str:
    return shorten(text, width)


def _name(text: str | None) -> str:
    """A person's name in the report's narrow columns: the whole name is in the register."""
    return shorten(text, NAME_CHARACTERS) if text else "—"


def _signed(fmt: Any, days: int) -> str:
    return f"+{fmt.number(days)}" if days > 0 else fmt.number(days).replace("-", "−")


def _signed_percent(fmt: Any, value: float | None) -> str:
    if value is None:
        return "—"
    if round(value) == 0:  # "−0 %" says nothing the plan does not
        return fmt.percent(0)
    text = fmt.percent(abs(value) / 100)
    return f"+{text}" if value > 0 else f"−{text}" if value < 0 else text
