"""Interactive forms (ipywidgets), for Voila (`make workshop`, `make rate`) and JupyterLab: the
workshop editor and the evaluation form.

The logic lives here so that tests can drive it by setting widget values from Python; the
notebooks only create a form and display it. Exported documents never contain widgets. Every
label, button and message comes from the catalogs, in the client's language unless the
language picker says otherwise.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import secrets
from pathlib import Path
from typing import Any

import ipywidgets as w
from babel import Locale
from IPython.display import HTML, display

from pmworkbook.apps.server import LINKED_SUFFIXES, file_url
from pmworkbook.apps.workshop import WorkshopSession
from pmworkbook.core.files import write_new_text
from pmworkbook.core.i18n import Formatter
from pmworkbook.core.problems import describe
from pmworkbook.core.templates import Templates
from pmworkbook.plan.validation import validate
from pmworkbook.portfolio.model import LANGUAGES, WEEKDAYS, Client
from pmworkbook.render.fragments import render

# The label that shows the problems of each edited field.
FIELD_LABELS = {"communication.preset": "preset", "communication.meeting_day": "meeting_day",
                "communication.meeting_time": "meeting_time", "communication.days_off": "days_off",
                "project.milestones": "milestones", "general": "general"}

# The projector layout: the form and the preview side by side within 1280 px, type large enough to
# read from the back of a room, nothing wider than its column (the preview's tables and charts shrink).
APP_CSS = """<style>
.pmw-app { font-size: 15px; max-width: 1260px; }
.pmw-app .widget-label, .pmw-app .widget-dropdown select, .pmw-app .widget-text input, .pmw-app textarea,
.pmw-app .widget-button, .pmw-app .widget-toggle-button { font-size: 15px; }
.pmw-app .widget-button { width: auto; min-width: 6em; }
.pmw-preview { overflow-x: hidden; min-width: 0; font-size: 12px; line-height: 1.35; }
.pmw-preview, .pmw-preview * { line-height: 1.35 !important; }
.pmw-preview h2 { font-size: 16px; margin: 0.6em 0 0.3em; }
.pmw-preview .purpose, .pmw-preview .agenda { display: none; }  /* the rhythm at a glance: the documents keep them */
.pmw-preview img, .pmw-preview svg, .pmw-preview table { max-width: 100% !important; height: auto; }
.pmw-preview table { border-collapse: collapse; word-wrap: break-word; }
.pmw-preview th, .pmw-preview td { padding: 2px 4px; vertical-align: top; text-align: left; }
.pmw-preview td p, .pmw-preview td div { margin: 0; }
.pmw-app .widget-toggle-button.mod-active { background: #1565c0; color: #fff; }  /* the chosen score, seen from afar */
.pmw-unsaved { color: #b54708; font-weight: bold; }
.pmw-field-message, .pmw-field-message .widget-html-content { line-height: 1.35; height: auto; }
.pmw-field-message .pmw-error, .pmw-field-message .pmw-warning { display: block; margin: 2px 0; }
.pmw-ask { border: 2px solid #b54708; padding: 6px 10px; background: #fffaeb; }
</style>"""


def _error_label() -> w.HTML:
    return w.HTML(layout=w.Layout(margin="0 0 0 1em"))


def _show_error(label: w.HTML, message: str | None) -> None:
    _show_messages(label, [message] if message else [])


def _show_messages(label: w.HTML, errors: list[str], warnings: list[str] | tuple[str, ...] = ()) -> None:
    """A field's errors (red: nothing is saved while there is one) and warnings (amber: advice), one a line."""
    parts = [f'<span class="pmw-error" style="color:#b42318">{html.escape(m)}</span>' for m in errors]
    parts += [f'<span class="pmw-warning" style="color:#b54708">⚠ {html.escape(m)}</span>' for m in warnings]
    label.value = "<br>".join(parts)


# Shown over the app when its kernel is gone (stopped, killed, or restarted, which leaves the widgets
# without their models): the page would otherwise look alive while nothing is saved. Every few
# seconds the page clicks a hidden "ping" button and looks whether the kernel answered by counting
# up a hidden "pong"; while the server says the kernel is busy (a build), no answer is expected.
# Three unanswered pings, or no server, show the banner, which stays.
KERNEL_WATCH = """<div class="pmw-connection-lost" style="display:none; position:fixed; top:0; left:0; right:0; z-index:1000;
 background:#b42318; color:#fff; font-size:18px; padding:12px 20px;">{message}</div>
<script>(function () {{
  const banner = document.currentScript.previousElementSibling;
  const cookie = (document.cookie.match(/(?:^|; )_xsrf=([^;]*)/) || [])[1] || "";
  let last = null, misses = 0;
  const timer = setInterval(async function () {{
    const ping = document.querySelector("button.pmw-ping"), pong = document.querySelector(".pmw-pong");
    if (!ping || !pong) return;  // not rendered yet
    let busy = false;
    try {{
      const r = await fetch({url}, {{headers: {{"X-XSRFToken": decodeURIComponent(cookie)}}, cache: "no-store"}});
      if (r.ok) busy = (await r.json()).execution_state === "busy";
    }} catch (e) {{ misses = 99; }}  // the server itself is gone
    const seen = pong.textContent;
    if (busy || seen !== last) {{ misses = misses >= 99 ? misses : 0; }} else {{ misses += 1; }}
    last = seen;
    if (misses >= 3) {{ banner.style.display = "block"; clearInterval(timer); return; }}
    ping.click();
  }}, {interval});
}})();</script>"""


def kernel_id() -> str | None:
    """This kernel's id, from its connection file's name (kernel-<id>.json); None outside a kernel."""
    try:
        import ipykernel

        name = Path(ipykernel.get_connection_file()).name
    except Exception:  # noqa: BLE001 - not in a kernel (tests drive the forms from Python)
        return None
    return name[len("kernel-"):-len(".json")] if name.startswith("kernel-") and name.endswith(".json") else None


def kernel_watch(t, interval_ms: int = 2000) -> HTML | None:
    """The banner that says the connection is lost, for the page this kernel serves."""
    kid = kernel_id()
    if kid is None:
        return None
    base = os.environ.get("VOILA_BASE_URL") or os.environ.get("JUPYTERHUB_SERVICE_PREFIX") or "/"
    url = json.dumps(f"{base.rstrip('/')}/api/kernels/{kid}")
    # an output, not a widget: a widget's HTML does not run scripts
    return HTML(KERNEL_WATCH.format(message=html.escape(t["apps.connection_lost"]), url=url, interval=interval_ms))


class Heartbeat:
    """The hidden button the page clicks and the hidden count the kernel raises in answer."""

    def __init__(self):
        self.ping = w.Button(layout=w.Layout(display="none"))
        self.pong = w.HTML("0", layout=w.Layout(display="none"))
        self.ping.add_class("pmw-ping")
        self.pong.add_class("pmw-pong")
        self.ping.on_click(lambda _: setattr(self.pong, "value", str(int(self.pong.value) + 1)))
        self.box = w.HBox([self.ping, self.pong], layout=w.Layout(display="none"))


def language_options() -> list[tuple[str, str]]:
    """Each language under its own name: 中文, Polski, Русский."""
    return [((Locale.parse(code).get_display_name(code) or code).capitalize(), code) for code in LANGUAGES]


def show_app(app: w.Widget, t) -> Heartbeat:
    """Display an app with the heartbeat and kernel watch that tell a person when the kernel is gone."""
    heartbeat = Heartbeat()
    display(w.VBox([app, heartbeat.box]))
    watch = kernel_watch(t)
    if watch is not None:
        display(watch)
    return heartbeat


class MilestoneRow:
    def __init__(self, name: str = "", date: dt.date | None = None, on_change=None, on_remove=None):
        self.name = w.Text(value=name, layout=w.Layout(width="16em"))
        self.date = w.DatePicker(value=date, layout=w.Layout(width="11em"))
        self.remove = w.Button(layout=w.Layout(width="auto"))
        self.box = w.HBox([self.name, self.date, self.remove])
        self.box.add_class("pmw-milestone")
        if on_change:
            self.name.observe(on_change, "value")
            self.date.observe(on_change, "value")
        if on_remove:
            self.remove.on_click(lambda _: on_remove(self))

    def label(self, t) -> None:
        self.name.placeholder = t["apps.workshop.milestone_placeholder"]
        self.remove.description = t["apps.workshop.remove"]


class WorkshopForm:
    """Edit one client's communication plan and milestones; see the calendar change; save; build."""

    def __init__(self, portfolio_path: str | Path, client_id: str | None = None, out: str | Path = "outputs",
                 templates: Templates | None = None, language: str | None = None):
        self.session = WorkshopSession(portfolio_path, templates)
        self.path = self.session.path
        self.out = Path(out)
        self.presets = list(self.session.templates.structure("cadences")["presets"])
        clients = self.session.clients
        style = {"description_width": "11em"}
        self.client = w.Dropdown(options=[(f"{c.name} ({c.id})", c.id) for c in clients],
                                 value=client_id if client_id in {c.id for c in clients} else clients[0].id, style=style,
                                 layout=w.Layout(width="370px"))
        self.language = w.Dropdown(options=language_options(), layout=w.Layout(width="200px"))
        self.preset = w.Dropdown(options=self.presets, style=style)
        self.meeting_day = w.Dropdown(options=list(WEEKDAYS), style=style)
        self.meeting_time = w.Text(style=style)
        self.days_off = w.Textarea(rows=2, style=style)
        self.milestone_rows: list[MilestoneRow] = []
        self.milestones_title = w.HTML()
        self.milestones = w.VBox()
        self.add_milestone = w.Button(icon="plus")
        # each field's messages under it, as wide as the form: a sentence beside a field would wrap into a column
        self.errors = {name: w.HTML(layout=w.Layout(margin="0 0 4px calc(11em + 8px)" if name in ("preset", "meeting_day",
                                                    "meeting_time", "days_off") else "0 0 4px 0"))
                       for name in ("preset", "meeting_day", "meeting_time", "days_off", "milestones", "general")}
        for name, label in self.errors.items():
            label.add_class("pmw-field-message")
            label.add_class(f"pmw-{name.replace('_', '-')}-message")
        self.save_button = w.Button(button_style="primary", icon="save")
        self.build_button = w.Button(icon="cogs")
        self.unsaved = w.HTML()  # the marker: shown while the widgets differ from the file
        self.status = w.HTML()
        self.links = w.HTML()  # the files of the last build, kept until the next build
        self.preview_title = w.HTML()
        self.preview = w.HTML()  # the calendar as it would be with the values shown
        self.preview.add_class("pmw-preview")
        # asked when the client is switched with unsaved changes: save, discard or cancel
        self.ask_text = w.HTML()
        self.ask_save, self.ask_discard, self.ask_cancel = w.Button(button_style="primary"), w.Button(button_style="danger"), w.Button()
        self.ask = w.VBox([self.ask_text, w.HBox([self.ask_save, self.ask_discard, self.ask_cancel])],
                          layout=w.Layout(display="none"))
        self.ask.add_class("pmw-ask")
        self.ask_save.add_class("pmw-ask-save")
        self.ask_discard.add_class("pmw-ask-discard")
        self.ask_cancel.add_class("pmw-ask-cancel")
        for name, widget in (("client", self.client), ("preset", self.preset), ("meeting-day", self.meeting_day),
                             ("meeting-time", self.meeting_time), ("days-off", self.days_off), ("save", self.save_button),
                             ("build", self.build_button), ("status", self.status), ("add-milestone", self.add_milestone),
                             ("language", self.language), ("unsaved", self.unsaved), ("links", self.links)):
            widget.add_class(f"pmw-{name}")
        self._loading = False
        self._saving = False
        self._shown = self.client.value  # the client whose values the widgets hold
        self._pending: str | None = None  # the client asked for while the widgets have unsaved changes
        self.client.observe(lambda change: self.switch_to(change["new"]), "value")
        self.language.observe(lambda change: self.relabel(), "value")
        for widget in (self.preset, self.meeting_day, self.meeting_time, self.days_off):
            widget.observe(lambda change: self.refresh(), "value")
        self.add_milestone.on_click(lambda _: self._add_row())
        self.save_button.on_click(lambda _: self.save())
        self.build_button.on_click(lambda _: self.build())
        self.ask_save.on_click(lambda _: self.answer("save"))
        self.ask_discard.on_click(lambda _: self.answer("discard"))
        self.ask_cancel.on_click(lambda _: self.answer("cancel"))
        self._loading = True
        self.language.value = language if language in LANGUAGES else self.session.client(self.client.value).language
        self._loading = False
        self.load_client(self.client.value)

    # -- language
    @property
    def t(self):
        return self.session.templates.text("i18n", self.language.value)

    @property
    def formatter(self) -> Formatter:
        """Dates and numbers of the messages as the chosen language writes them in the client's country."""
        return Formatter(self.language.value, self.current.country, self.session.templates)

    def relabel(self) -> None:
        """Every label, button and placeholder in the chosen language; the preview too."""
        if self._loading:
            return
        t, f = self.t, Formatter(self.language.value, None, self.session.templates)
        for widget, key in ((self.client, "client"), (self.preset, "preset"), (self.meeting_day, "meeting_day"),
                            (self.meeting_time, "meeting_time"), (self.days_off, "days_off")):
            widget.description = t[f"apps.workshop.{key}"]
        self.language.description = t["apps.language"]
        day, preset = self.meeting_day.value, self.preset.value
        self._loading = True
        self.meeting_day.options = [(f.weekday(day), day) for day in WEEKDAYS]
        self.meeting_day.value = day
        self.preset.options = [(t.get(f"apps.workshop.presets.{p}", p), p) for p in self.presets]
        self.preset.value = preset
        self._loading = False
        self.meeting_time.placeholder = t["apps.workshop.time_placeholder"]
        self.days_off.placeholder = t["apps.workshop.days_off_placeholder"]
        self.milestones_title.value = f"<b>{html.escape(t['apps.workshop.milestones'])}</b>"
        self.add_milestone.description = t["apps.workshop.add_milestone"]
        self.save_button.description = t["apps.workshop.save"]
        self.build_button.description = t["apps.workshop.build"]
        self.preview_title.value = f"<b>{html.escape(t['apps.workshop.preview'])}</b>"
        self.ask_save.description = t["apps.workshop.save"]
        self.ask_discard.description = t["apps.workshop.discard"]
        self.ask_cancel.description = t["apps.workshop.cancel"]
        for row in self.milestone_rows:
            row.label(t)
        self.refresh(clear=False)

    # -- state
    @property
    def current(self) -> Client:
        return self.session.client(self._shown)

    def load_client(self, client_id: str, follow_language: bool = False) -> None:
        """Show a client's values; `follow_language`: in that client's language (another client chosen)."""
        self._loading = True
        self._shown = client_id
        client = self.session.client(client_id)
        if follow_language:
            self.language.value = client.language
        comm = client.communication
        self.preset.value = comm.preset
        self.meeting_day.value = comm.meeting_day
        self.meeting_time.value = comm.meeting_time.strftime("%H:%M")
        self.days_off.value = "\n".join(d.isoformat() for d in comm.days_off)
        self.milestone_rows = []
        for milestone in client.project.milestones:
            self._add_row(milestone.name, milestone.date, refresh=False)
        self._loading = False
        self.links.value = ""
        self.relabel()

    def switch_to(self, client_id: str) -> None:
        """Another client chosen: with unsaved changes, ask first (save, discard, cancel)."""
        if self._loading or client_id == self._shown:
            return
        if not self.dirty:
            self.load_client(client_id, follow_language=True)
            return
        self._pending = client_id
        self._loading = True
        self.client.value = self._shown  # the dropdown shows whose values are on screen until answered
        self._loading = False
        names = {c.id: c.name for c in self.session.clients}
        self.ask_text.value = html.escape(self.t.format("apps.workshop.switch_ask", client=names[self._shown], other=names[client_id]))
        self.ask.layout.display = "flex"

    def answer(self, choice: str) -> None:
        target, self._pending = self._pending, None
        self.ask.layout.display = "none"
        if target is None or choice == "cancel":
            return
        if choice == "save" and not self.save():
            return  # not saved: the problems are shown; stay on this client
        self._loading = True
        self.client.value = target
        self._loading = False
        self.load_client(target, follow_language=True)

    def _add_row(self, name: str = "", date: dt.date | None = None, refresh: bool = True) -> None:
        row = MilestoneRow(name, date, lambda change: self.refresh(), self._remove_row)
        row.label(self.t)
        self.milestone_rows.append(row)
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
        t = self.t
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
                problems["days_off"] = t.format("apps.workshop.bad_date", value=line)
        if days != list(comm.days_off):
            changes["communication.days_off"] = days
        milestones = []
        for index, row in enumerate(self.milestone_rows, start=1):
            if not row.name.value.strip() or row.date.value is None:
                problems["milestones"] = t.format("apps.workshop.milestone_incomplete", number=index)
            else:
                milestones.append({"name": row.name.value.strip(), "date": row.date.value})
        if milestones != [{"name": m.name, "date": m.date} for m in client.project.milestones]:
            changes["project.milestones"] = milestones
        return changes, problems

    @property
    def dirty(self) -> bool:
        changes, problems = self.changes()
        return bool(changes or problems)

    def candidate(self) -> tuple[Client | None, dict[str, list[str]], dict[str, list[str]]]:
        """The client as the widgets describe it, validated like the portfolio file itself; its errors
        and the warnings the changes bring, per error label, in the chosen language."""
        changes, own = self.changes()
        candidate = self.session.candidate(self._shown, changes)
        fmt = self.formatter
        errors = {name: [message] for name, message in own.items()}  # a value the form could not read comes first
        for field, found in candidate.problems.items():
            errors.setdefault(FIELD_LABELS[field], list(dict.fromkeys(describe(p, fmt) for p in found)))
        warnings = {FIELD_LABELS[field]: list(dict.fromkeys(describe(p, fmt) for p in found))
                    for field, found in candidate.warnings.items()}
        return (candidate.client if not errors else None), errors, warnings

    def refresh(self, clear: bool = True) -> None:
        if self._loading:
            return
        if clear and not self._saving:
            self.status.value = ""  # a message about earlier values no longer applies
        client, problems, warnings = self.candidate()
        self.unsaved.value = (f'<span class="pmw-unsaved">● {html.escape(self.t["apps.workshop.unsaved"])}</span>'
                              if self.dirty else "")
        for name, label in self.errors.items():
            _show_messages(label, problems.get(name, []), warnings.get(name, []))
        if client is None:
            return  # keep showing the last valid calendar while a value is being fixed
        from pmworkbook.documents.calendar import CommunicationCalendar

        document = CommunicationCalendar(client.model_copy(update={"language": self.language.value}), self.session.templates)
        self.preview.value = "".join(str(part) for part in (document.summary(), document.moves(), document.timeline()))

    # -- actions
    def _message(self, key: str, error: bool = False, **values: Any) -> None:
        text = html.escape(self.t.format(key, **values))
        self.status.value = f'<b style="color:#b42318">{text}</b>' if error else text

    def save(self) -> bool:
        """Write the changes to the portfolio file; nothing is written while any value is invalid.
        The button is disabled while saving; a second click finds nothing left to save."""
        if self._saving:
            return False
        self._saving = True
        self.save_button.disabled = self.build_button.disabled = True
        try:
            _, problems, _ = self.candidate()
            if problems:
                self._message("apps.workshop.not_saved", error=True)
                return False
            changes, _ = self.changes()
            if not changes:
                self._message("apps.workshop.nothing_to_save")
                return True
            self._message("apps.workshop.saving")
            table = self.session.path
            try:
                self.session.save(self._shown, changes)
            except FileExistsError as exc:
                self._message("apps.workshop.beside_exists", error=True, file=Path(str(exc)).name)
                return False
            self.path = self.session.path
            for label in self.errors.values():  # saved: no error was left, and the advice is now the file's own
                _show_messages(label, [])
            because = self.session.beside_because
            if because is not None:  # a spreadsheet that cannot hold the change: saved to a YAML file beside it, and said so
                t = self.t
                self.status.value = html.escape(t.format(f"apps.workshop.cannot_hold.{because.reason}", table=table.name,
                                                         **because.values) + " "
                                                + t.format("apps.workshop.saved_beside", file=self.path.name, table=table.name))
            else:
                self._message("apps.workshop.saved", file=self.path.name, time=f"{dt.datetime.now():%H:%M:%S}")
            return True
        finally:
            self._saving = False
            self.save_button.disabled = self.build_button.disabled = False
            self.unsaved.value = "" if not self.dirty else self.unsaved.value

    def build(self):
        """Save, then build this client's pack and show links to its files that open from the page."""
        if not self.save():
            return None
        self._message("apps.workshop.building")
        self.build_button.disabled = True
        messages: list[str] = []
        try:
            results = self.session.build(self._shown, self.out, messages.append).results
        finally:
            self.build_button.disabled = False
        links = []
        for result in results:
            for file in result.files:
                if not file["name"].endswith(LINKED_SUFFIXES):
                    continue  # the executed notebooks are the build's record, not the client's reading
                target = self.out / result.client_id / file["name"]
                href = file_url(target) or os.path.relpath(target, Path.cwd())
                links.append({"href": href, "name": file["name"], "status": result.status})
        failed = any(result.status == "failed" for result in results)
        self._message("apps.workshop.build_failed" if failed else "apps.workshop.built", error=failed)
        self.links.value = str(render(self.session.templates, "workshop_links.html.j2", links=links, messages=messages))
        return results

    def widget(self) -> w.Widget:
        def row(widget, error):
            return w.VBox([widget, self.errors[error]])

        form = w.VBox([
            w.HBox([self.client, self.language]), self.ask,
            row(self.preset, "preset"), row(self.meeting_day, "meeting_day"), row(self.meeting_time, "meeting_time"),
            row(self.days_off, "days_off"),
            self.milestones_title, self.milestones, w.HBox([self.add_milestone]), self.errors["milestones"],
            self.errors["general"], w.HBox([self.save_button, self.build_button, self.unsaved]), self.status, self.links,
        ], layout=w.Layout(flex="0 0 auto", width="600px"))
        preview = w.VBox([self.preview_title, self.preview], layout=w.Layout(flex="1 1 0", min_width="0", overflow_x="hidden"))
        app = w.VBox([w.HTML(APP_CSS), w.HBox([form, preview], layout=w.Layout(width="100%"))])
        app.add_class("pmw-app")
        return app

    def _ipython_display_(self) -> None:
        self.heartbeat = show_app(self.widget(), self.t)


class EvaluationForm:
    """One rater's answers about one evaluated person: a score (1-5 or "not observed") and a comment
    per criterion, saved as a response file in <responses_dir>/<client id>/, the folder that
    `pmworkbook collect <responses_dir>/<client id> --client <client id>` reads. No rater group is
    preselected: the rater chooses. Each save makes a new file; none is overwritten.

    A rater may give a copy token (the PM hands one to each rater, or puts it in the link as
    ?token=): a later response with the same token replaces the earlier one in `collect`. A token
    already saved for the same client, person and rater group is a clash or a correction: before
    saving, the form asks whether to replace those earlier answers or to correct the token, and a
    confirmed replacement names the file it replaces."""

    def __init__(self, portfolio_path: str | Path, responses_dir: str | Path, client_id: str | None = None,
                 rater_group: str | None = None, templates: Templates | None = None, subject: str | None = None,
                 language: str | None = None, token: str | None = None):
        self.templates = templates or Templates.get()
        validation = validate(portfolio_path, self.templates)  # clients with errors are not offered
        self.portfolio = validation.portfolio if validation.portfolio is not None else validation.require()
        self.responses_dir = Path(responses_dir)
        rated = [c for c in self.portfolio.clients if c.rater_groups or c.evaluation.agency_pm_raters]
        ids = {c.id for c in rated}
        style = {"description_width": "11em"}
        self.client = w.Dropdown(options=[(f"{c.name} ({c.id})", c.id) for c in rated],
                                 value=client_id if client_id in ids else rated[0].id, style=style, layout=w.Layout(width="460px"))
        self.language = w.Dropdown(options=language_options(), style=style, layout=w.Layout(width="18em"))
        self.subject = w.Dropdown(style=style, layout=w.Layout(width="36em"))
        self.group = w.Dropdown(style=style)
        self.group_error = _error_label()
        self.token = w.Text(value=token or "", style=style, layout=w.Layout(width="36em"))
        self.token_error = _error_label()
        # asked when the token was already used for this person and group: replace those answers, or correct the token
        self.token_ask_text = w.HTML()
        self.token_replace, self.token_correct = w.Button(button_style="warning"), w.Button()
        self.token_ask = w.VBox([self.token_ask_text, w.HBox([self.token_replace, self.token_correct])],
                                layout=w.Layout(display="none"))
        self.token_ask.add_class("pmw-ask")
        self._replacing: Path | None = None  # the earlier response the rater confirmed replacing
        self.intro = w.HTML()
        self.questions = w.VBox()
        self.save_button = w.Button(button_style="primary", icon="save")
        self.status = w.HTML()
        self.answers: dict[str, tuple[w.ToggleButtons, w.Textarea, w.HTML]] = {}
        self._saving = False
        for name, widget in (("client", self.client), ("group", self.group), ("save", self.save_button), ("status", self.status),
                             ("subject", self.subject), ("language", self.language), ("group-error", self.group_error),
                             ("token", self.token), ("token-error", self.token_error), ("token-ask", self.token_ask),
                             ("token-replace", self.token_replace), ("token-correct", self.token_correct)):
            widget.add_class(f"pmw-{name}")
        self._loading = True
        self.language.value = language if language in LANGUAGES else self.portfolio.client(self.client.value).language
        self._loading = False
        self.client.observe(lambda change: self._reload(language_from_client=True), "value")
        self.language.observe(lambda change: self._reload(), "value")
        self.subject.observe(lambda change: self._reload(keep_subject=True), "value")
        self.group.observe(lambda change: self._clear(), "value")
        self.token.observe(lambda change: self._clear(), "value")
        self.token_replace.on_click(lambda _: self.replace_earlier())
        self.token_correct.on_click(lambda _: self.correct_token())
        self.save_button.on_click(lambda _: self.save())
        self.load_client(self.client.value, rater_group, subject)

    @property
    def current(self) -> Client:
        return self.portfolio.client(self.client.value)

    def _reload(self, language_from_client: bool = False, keep_subject: bool = False) -> None:
        if self._loading:
            return
        if language_from_client:
            self._loading = True
            self.language.value = self.current.language
            self._loading = False
        group = None if language_from_client else self.group.value
        self.load_client(self.client.value, group, self.subject.value if keep_subject or not language_from_client else None)

    def _clear(self) -> None:
        if not self._loading:
            self.status.value = ""
            _show_error(self.group_error, None)
            _show_error(self.token_error, None)
            self._ask_token(None)

    def load_client(self, client_id: str, rater_group: str | None = None, subject_key: str | None = None) -> None:
        from pmworkbook.plan.evaluation import criteria_for, subjects

        self._loading = True
        client = self.portfolio.client(client_id)
        self.t = Formatter(self.language.value, client.country, self.templates).t
        t = self.t
        self.evaluated = subjects(client)
        def option(s) -> str:
            role = t.get(f"role_names.{s.role}", s.role)
            return t.format("apps.rating.person_option", person=s.person.name, role=role) if s.person else role

        self.subject.options = [(option(s), s.key) for s in self.evaluated]
        keys = [s.key for s in self.evaluated]
        self.subject.value = subject_key if subject_key in keys else keys[0]
        chosen = next(s for s in self.evaluated if s.key == self.subject.value)
        self.chosen = chosen
        groups = chosen.groups
        # no group chosen for the rater: "self" preselected made every careless answer a self-rating
        self.group.options = [(t["apps.rating.choose"], None)] + [(t[f"evaluation.rater_groups.{g}"], g) for g in groups]
        self.group.value = rater_group if rater_group in groups else None
        self.group.description = t["evaluation.form.rater"]
        self.token.description = t["apps.rating.token"]
        self.token.placeholder = t["apps.rating.token_placeholder"]
        self.token_replace.description = t["apps.rating.token_replace"]
        self.token_correct.description = t["apps.rating.token_correct"]
        self.client.description = t["fields.client"]
        self.subject.description = t["apps.rating.person"]
        self.language.description = t["apps.language"]
        self.save_button.description = t["evaluation.form.save"]
        self.intro.value = f"<p>{html.escape(t['evaluation.form.intro'])}</p>"
        self.criteria = criteria_for(client.model_copy(update={"language": self.language.value}), self.templates, chosen.preset)
        self.answers = {}
        boxes = []
        for criterion in self.criteria:
            score = w.ToggleButtons(options=[(str(n), n) for n in range(1, 6)] + [(t["evaluation.not_observed"], "not_observed")],
                                    value=None, style={"button_width": "auto"})
            comment = w.Textarea(placeholder=t["evaluation.comment"], rows=2, layout=w.Layout(width="40em", max_width="100%"))
            error = _error_label()
            self.answers[criterion["id"]] = (score, comment, error)
            score.observe(lambda change: self._clear(), "value")
            box = w.VBox([w.HTML(str(render(self.templates, "widget_criterion.html.j2", c=criterion))), w.HBox([score, error]), comment])
            box.add_class(f"pmw-q-{criterion['id']}")
            boxes.append(box)
        self.questions.children = boxes
        self.status.value = ""
        _show_error(self.group_error, None)
        _show_error(self.token_error, None)
        self._ask_token(None)
        self._loading = False

    def folder(self, client_id: str) -> Path:
        """Where a client's responses go: the folder `pmworkbook collect` reads for that client."""
        return self.responses_dir / client_id

    def response(self) -> tuple[dict[str, Any] | None, int]:
        """The response to save, or None and the number of unanswered questions (each marked)."""
        missing = 0
        answers = {}
        for criterion_id, (score, comment, error) in self.answers.items():
            if score.value is None:
                missing += 1
                _show_error(error, self.t["evaluation.form.required"])
            else:
                _show_error(error, None)
                answers[criterion_id] = {"score": score.value, "comment": comment.value}
        _show_error(self.group_error, self.t["apps.rating.choose_group"] if self.group.value is None else None)
        if missing or self.group.value is None:
            return None, missing
        client = self.current
        response = {"client_id": client.id, "subject": self.chosen.key, "preset": self.chosen.preset,
                    "form_version": self.templates.structure("criteria")["form_version"], "rater_group": self.group.value,
                    "saved_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "answers": answers}
        if self.token.value.strip():
            response["token"] = self.token.value.strip()
        return response, 0

    def earlier_with_token(self, response: dict[str, Any]) -> tuple[str, Path] | None:
        """The latest saved response of the same client, person and rater group with the token of
        `response` (saved_at, file); None when the token is new or none is given."""
        from pmworkbook.plan.responses import saved_with_token

        if not response.get("token"):
            return None
        found = saved_with_token(self.folder(response["client_id"]), response["client_id"], response["subject"],
                                 response["rater_group"], response["token"])
        return found[-1] if found else None

    def _ask_token(self, earlier: tuple[str, Path] | None, token: str = "") -> None:
        """Show (or, with None, hide) the question about a token already used."""
        if earlier is None:
            self.token_ask.layout.display = "none"
            self._replacing = None
            return
        saved_at, path = earlier
        fmt = Formatter(self.language.value, self.current.country, self.templates)
        try:
            moment = dt.datetime.fromisoformat(saved_at).astimezone().replace(tzinfo=None)  # this computer's clock
        except ValueError:
            moment = dt.datetime.fromtimestamp(path.stat().st_mtime)
        self.token_ask_text.value = html.escape(fmt.t.format("apps.rating.token_used", token=token,
                                                             date=fmt.date(moment.date()), time=fmt.time(moment)))
        self.token_ask.layout.display = "flex"

    def replace_earlier(self) -> Path | None:
        """The rater confirms that the earlier answers with this token are theirs: save, replacing them."""
        response, _ = self.response()
        earlier = self.earlier_with_token(response) if response else None
        self._ask_token(None)
        self._replacing = earlier[1] if earlier else None
        return self.save()

    def correct_token(self) -> None:
        """The token is someone else's: nothing is saved; the rater types the one they were given."""
        self._ask_token(None)
        _show_error(self.token_error, self.t["apps.rating.token_check"])

    def save(self) -> Path | None:
        if self._saving:
            return None
        self._saving = True
        self.save_button.disabled = True
        try:
            return self._save()
        finally:
            self._saving = False
            self.save_button.disabled = False

    def _save(self) -> Path | None:
        response, missing = self.response()
        if response is None:
            message = self.t.format("evaluation.form.missing", count=missing) if missing else self.t["apps.rating.choose_group"]
            self.status.value = f'<b style="color:#b42318">{html.escape(message)}</b>'
            return None
        earlier = self.earlier_with_token(response)
        if earlier is not None:
            if self._replacing != earlier[1]:  # not confirmed (or another response took the token meanwhile): ask
                self._ask_token(earlier, response["token"])
                self.status.value = ""
                return None
            response["replaces"] = earlier[1].name
        self._ask_token(None)
        folder = self.folder(response["client_id"])
        folder.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = folder / f"{response['client_id']}_{response['subject']}_{response['rater_group']}_{stamp}_{secrets.token_hex(3)}.json"
        write_new_text(path, json.dumps(response, ensure_ascii=False, indent=2))  # never another rater's file
        self._loading = True
        for score, comment, _ in self.answers.values():  # the next rater starts from a blank form
            score.value = None
            comment.value = ""
        self.group.value = None
        self.token.value = ""
        self._loading = False
        saved = "apps.rating.replaced" if response.get("replaces") else "evaluation.form.saved"
        self.status.value = html.escape(self.t.format(saved, file=path.name))
        return path

    def widget(self) -> w.Widget:
        app = w.VBox([w.HTML(APP_CSS), w.HBox([self.client, self.language]), self.subject,
                      w.HBox([self.group, self.group_error]), w.HBox([self.token, self.token_error]), self.intro, self.questions,
                      self.save_button, self.token_ask, self.status],
                     layout=w.Layout(max_width="1000px"))
        app.add_class("pmw-app")
        return app

    def _ipython_display_(self) -> None:
        self.heartbeat = show_app(self.widget(), self.t)
