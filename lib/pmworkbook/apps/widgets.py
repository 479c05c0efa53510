"""Interactive forms for JupyterLab (ipywidgets): the workshop editor and the evaluation form.

The logic lives here so that tests can drive it by setting widget values from Python; the
notebooks only create a form and display it. Exported documents never contain widgets.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from pathlib import Path
from typing import Any

import ipywidgets as w
from IPython.display import display

from pmworkbook.apps.workshop import WorkshopSession
from pmworkbook.core.templates import Templates
from pmworkbook.plan.validation import validate
from pmworkbook.portfolio.model import WEEKDAYS, Client
from pmworkbook.render.fragments import render

# The label that shows the problems of each edited field.
FIELD_LABELS = {"communication.preset": "preset", "communication.meeting_day": "meeting_day",
                "communication.meeting_time": "meeting_time", "communication.days_off": "days_off",
                "project.milestones": "milestones", "general": "general"}


def _error_label() -> w.HTML:
    return w.HTML(layout=w.Layout(margin="0 0 0 1em"))


def _show_error(label: w.HTML, message: str | None) -> None:
    import html

    label.value = f'<span style="color:#b42318">{html.escape(message)}</span>' if message else ""


class MilestoneRow:
    def __init__(self, name: str = "", date: dt.date | None = None, on_change=None, on_remove=None):
        self.name = w.Text(value=name, placeholder="Milestone", layout=w.Layout(width="18em"))
        self.date = w.DatePicker(value=date, layout=w.Layout(width="12em"))
        self.remove = w.Button(description="Remove", layout=w.Layout(width="7em"))
        self.box = w.HBox([self.name, self.date, self.remove])
        self.box.add_class("pmw-milestone")
        if on_change:
            self.name.observe(on_change, "value")
            self.date.observe(on_change, "value")
        if on_remove:
            self.remove.on_click(lambda _: on_remove(self))


class WorkshopForm:
    """Edit one client's communication plan and milestones; see the calendar change; save; build."""

    def __init__(self, portfolio_path: str | Path, client_id: str | None = None, out: str | Path = "outputs",
                 templates: Templates | None = None):
        self.session = WorkshopSession(portfolio_path, templates)
        self.path = self.session.path
        self.out = Path(out)
        presets = list(self.session.templates.structure("cadences")["presets"])
        clients = self.session.clients
        self.client = w.Dropdown(options=[(f"{c.name} ({c.id})", c.id) for c in clients],
                                 value=client_id or clients[0].id, description="Client")
        self.preset = w.Dropdown(options=presets, description="Cadences")
        self.meeting_day = w.Dropdown(options=list(WEEKDAYS), description="Meeting day")
        self.meeting_time = w.Text(description="Meeting time", placeholder="HH:MM")
        self.days_off = w.Textarea(description="Days off", placeholder="YYYY-MM-DD, one per line", rows=3)
        self.milestone_rows: list[MilestoneRow] = []
        self.milestones = w.VBox()
        self.add_milestone = w.Button(description="Add milestone", icon="plus")
        self.errors = {name: _error_label() for name in ("preset", "meeting_day", "meeting_time", "days_off", "milestones", "general")}
        self.save_button = w.Button(description="Save", button_style="primary", icon="save")
        self.build_button = w.Button(description="Build pack", icon="cogs")
        self.status = w.HTML()
        self.preview = w.HTML()  # the calendar as it would be with the values shown
        for name, widget in (("client", self.client), ("preset", self.preset), ("meeting-day", self.meeting_day),
                             ("meeting-time", self.meeting_time), ("days-off", self.days_off), ("save", self.save_button),
                             ("build", self.build_button), ("status", self.status), ("add-milestone", self.add_milestone)):
            widget.add_class(f"pmw-{name}")
        self._loading = False
        self.client.observe(lambda change: self.load_client(change["new"]), "value")
        for widget in (self.preset, self.meeting_day, self.meeting_time, self.days_off):
            widget.observe(lambda change: self.refresh(), "value")
        self.add_milestone.on_click(lambda _: self._add_row())
        self.save_button.on_click(lambda _: self.save())
        self.build_button.on_click(lambda _: self.build())
        self.load_client(self.client.value)

    # -- state
    @property
    def current(self) -> Client:
        return self.session.client(self.client.value)

    def load_client(self, client_id: str) -> None:
        self._loading = True
        client = self.session.client(client_id)
        comm = client.communication
        self.preset.value = comm.preset
        self.meeting_day.value = comm.meeting_day
        self.meeting_time.value = comm.meeting_time.strftime("%H:%M")
        self.days_off.value = "\n".join(d.isoformat() for d in comm.days_off)
        self.milestone_rows = []
        for milestone in client.project.milestones:
            self._add_row(milestone.name, milestone.date, refresh=False)
        self._loading = False
        self.refresh()

    def _add_row(self, name: str = "", date: dt.date | None = None, refresh: bool = True) -> None:
        self.milestone_rows.append(MilestoneRow(name, date, lambda change: self.refresh(), self._remove_row))
        self.milestones.children = [row.box for row in self.milestone_rows]
        if refresh:
            self.refresh()

    def _remove_row(self, row: MilestoneRow) -> None:
        self.milestone_rows.remove(row)
        self.milestones.children = [r.box for r in self.milestone_rows]
        self.refresh()

    # -- what the widgets say
    def changes(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The fields the widgets changed (dotted paths) and the values that cannot be read."""
        client, problems, changes = self.current, {}, {}
        comm = client.communication
        if self.preset.value != comm.preset:
            changes["communication.preset"] = self.preset.value
        if self.meeting_day.value != comm.meeting_day:
            changes["communication.meeting_day"] = self.meeting_day.value
        if self.meeting_time.value.strip() != comm.meeting_time.strftime("%H:%M"):
            changes["communication.meeting_time"] = self.meeting_time.value.strip()
        days = []
        for line in self.days_off.value.split():
            try:
                days.append(dt.date.fromisoformat(line.strip().rstrip(",")))
            except ValueError:
                problems["days_off"] = f"{line!r} is not a date; write YYYY-MM-DD, one per line"
        if days != list(comm.days_off):
            changes["communication.days_off"] = days
        milestones = []
        for index, row in enumerate(self.milestone_rows, start=1):
            if not row.name.value.strip() or row.date.value is None:
                problems["milestones"] = f"milestone {index} needs a name and a date"
            else:
                milestones.append({"name": row.name.value.strip(), "date": row.date.value})
        if milestones != [{"name": m.name, "date": m.date} for m in client.project.milestones]:
            changes["project.milestones"] = milestones
        return changes, problems

    def candidate(self) -> tuple[Client | None, dict[str, str]]:
        """The client as the widgets describe it, validated like the portfolio file itself."""
        changes, problems = self.changes()
        candidate = self.session.candidate(self.client.value, changes)
        for field, found in candidate.problems.items():
            problems.setdefault(FIELD_LABELS[field], "; ".join(p.message + (f"; {p.fix}" if p.fix else "") for p in found))
        return (candidate.client if not problems else None), problems

    def refresh(self) -> None:
        if self._loading:
            return
        client, problems = self.candidate()
        for name, label in self.errors.items():
            _show_error(label, problems.get(name))
        if client is None:
            return  # keep showing the last valid calendar while a value is being fixed
        from pmworkbook.documents.calendar import CommunicationCalendar

        document = CommunicationCalendar(client, self.session.templates)
        self.preview.value = "".join(str(part) for part in (document.summary(), document.moves(), document.timeline()))

    # -- actions
    def save(self) -> bool:
        """Write the changes to the portfolio file; nothing is written while any value is invalid."""
        _, problems = self.candidate()
        if problems:
            self.status.value = f'<b style="color:#b42318">Not saved: fix the {len(problems)} problem(s) shown.</b>'
            return False
        changes, _ = self.changes()
        self.session.save(self.client.value, changes)
        self.status.value = f"Saved {len(changes)} change(s) to {self.path.name} at {dt.datetime.now():%H:%M:%S}."
        return True

    def build(self):
        """Save, then build this client's pack and show links to its files."""
        if not self.save():
            return None
        self.status.value = "Building…"
        messages: list[str] = []
        results = self.session.build(self.client.value, self.out, messages.append).results
        links = []
        for result in results:
            for file in result.files:
                target = self.out / result.client_id / file["name"]
                links.append({"href": os.path.relpath(target, Path.cwd()), "name": file["name"], "status": result.status})
        self.status.value = str(render(self.session.templates, "workshop_links.html.j2", links=links, messages=messages))
        return results

    def widget(self) -> w.Widget:
        def row(widget, error):
            return w.HBox([widget, self.errors[error]])

        return w.VBox([
            self.client,
            row(self.preset, "preset"), row(self.meeting_day, "meeting_day"), row(self.meeting_time, "meeting_time"),
            row(self.days_off, "days_off"),
            w.HTML("<b>Milestones</b>"), self.milestones, w.HBox([self.add_milestone, self.errors["milestones"]]),
            self.errors["general"], w.HBox([self.save_button, self.build_button]), self.status, self.preview,
        ])

    def _ipython_display_(self) -> None:
        display(self.widget())


class EvaluationForm:
    """One rater's answers: a score (1-5 or "not observed") and a comment per criterion, saved as
    a response file that `pmworkbook collect` reads. Each save makes a new file; none is overwritten."""

    def __init__(self, portfolio_path: str | Path, responses_dir: str | Path, client_id: str | None = None,
                 rater_group: str | None = None, templates: Templates | None = None):
        self.templates = templates or Templates.get()
        validation = validate(portfolio_path, self.templates)  # clients with errors are not offered
        self.portfolio = validation.portfolio if validation.portfolio is not None else validation.require()
        self.responses_dir = Path(responses_dir)
        self.client = w.Dropdown(options=[(f"{c.name} ({c.id})", c.id) for c in self.portfolio.clients],
                                 value=client_id or self.portfolio.clients[0].id)
        self.group = w.Dropdown()
        self.questions = w.VBox()
        self.save_button = w.Button(button_style="primary", icon="save")
        self.status = w.HTML()
        self.answers: dict[str, tuple[w.ToggleButtons, w.Textarea, w.HTML]] = {}
        for name, widget in (("client", self.client), ("group", self.group), ("save", self.save_button), ("status", self.status)):
            widget.add_class(f"pmw-{name}")
        self.client.observe(lambda change: self.load_client(change["new"]), "value")
        self.save_button.on_click(lambda _: self.save())
        self.load_client(self.client.value, rater_group)

    @property
    def current(self) -> Client:
        return self.portfolio.client(self.client.value)

    def load_client(self, client_id: str, rater_group: str | None = None) -> None:
        from pmworkbook.core.i18n import Formatter
        from pmworkbook.plan.evaluation import criteria_for

        client = self.portfolio.client(client_id)
        self.t = Formatter(client.language, client.country, self.templates).t
        groups = client.rater_groups
        self.group.options = [(self.t[f"evaluation.rater_groups.{g}"], g) for g in groups]
        self.group.value = rater_group if rater_group in groups else groups[0]
        self.group.description = self.t["evaluation.form.rater"]
        self.client.description = self.t["fields.client"]
        self.save_button.description = self.t["evaluation.form.save"]
        self.criteria = criteria_for(client, self.templates)
        self.answers = {}
        boxes = [w.HTML(f"<p>{self.t['evaluation.form.intro']}</p>")]
        for criterion in self.criteria:
            score = w.ToggleButtons(options=[(str(n), n) for n in range(1, 6)] + [(self.t["evaluation.not_observed"], "not_observed")],
                                    value=None, style={"button_width": "auto"})
            comment = w.Textarea(placeholder=self.t["evaluation.comment"], rows=2, layout=w.Layout(width="40em"))
            error = _error_label()
            self.answers[criterion["id"]] = (score, comment, error)
            box = w.VBox([w.HTML(str(render(self.templates, "widget_criterion.html.j2", c=criterion))), w.HBox([score, error]), comment])
            box.add_class(f"pmw-q-{criterion['id']}")
            boxes.append(box)
        self.questions.children = boxes

    def response(self) -> tuple[dict[str, Any] | None, int]:
        """The response to save, or None and the number of unanswered criteria (each marked)."""
        missing = 0
        answers = {}
        for criterion_id, (score, comment, error) in self.answers.items():
            if score.value is None:
                missing += 1
                _show_error(error, self.t["evaluation.form.required"])
            else:
                _show_error(error, None)
                answers[criterion_id] = {"score": score.value, "comment": comment.value}
        if missing:
            return None, missing
        client = self.current
        return {"client_id": client.id, "preset": client.evaluation.preset,
                "form_version": self.templates.structure("criteria")["form_version"], "rater_group": self.group.value,
                "saved_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "answers": answers}, 0

    def save(self) -> Path | None:
        response, missing = self.response()
        if response is None:
            self.status.value = f'<b style="color:#b42318">{self.t.format("evaluation.form.missing", count=missing)}</b>'
            return None
        self.responses_dir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = self.responses_dir / f"{response['client_id']}_{response['rater_group']}_{stamp}_{secrets.token_hex(3)}.json"
        with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite another rater's file
            json.dump(response, handle, ensure_ascii=False, indent=2)
        for score, comment, _ in self.answers.values():  # the next rater starts from a blank form
            score.value = None
            comment.value = ""
        self.status.value = self.t.format("evaluation.form.saved", file=path.name)
        return path

    def widget(self) -> w.Widget:
        return w.VBox([self.client, self.group, self.questions, self.save_button, self.status])

    def _ipython_display_(self) -> None:
        display(self.widget())
