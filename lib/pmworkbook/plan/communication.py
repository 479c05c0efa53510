"""The communication plan: cadences and project triggers expanded to dated occurrences on the
client's working days, in the client's time zone, as a pandas DataFrame."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pmworkbook.core.i18n import WEEKDAY_INDEX, Formatter
from pmworkbook.core.templates import Templates
from pmworkbook.plan.workdays import ONE_DAY, WorkingCalendar
from pmworkbook.portfolio.model import Client

COLUMNS = ["date", "start", "end", "timezone", "agency_start", "item", "kind", "title", "channel", "owner",
           "audience", "purpose", "agenda", "original_date", "moved_reason", "uid"]


RULES = ("daily", "weekly", "biweekly", "last_workday", "monthly", "channel")  # of the cadence catalog


class UnknownCadenceRule(ValueError):
    """A cadence of the cadence catalog has a rule this version does not know."""


@dataclass
class Move:
    """An occurrence that fell on a day off: where it went (None if skipped) and why."""

    item: str
    title: str
    original: dt.date
    moved_to: dt.date | None
    reason: str


@dataclass
class CommunicationPlan:
    client: Client
    occurrences: pd.DataFrame
    moves: list[Move]
    channels: list[dict[str, Any]]
    summary: list[dict[str, Any]]
    escalation: list[dict[str, Any]]
    calendar: WorkingCalendar
    daily_items: frozenset[str] = frozenset()  # items on every working day: marked, not listed, in month views
    warnings: list[str] = field(default_factory=list)


def _person_or_role(client: Client, role: str, fmt: Formatter) -> str:
    people = client.people_with_role(role)
    return people[0].name if people else fmt.t[f"role_names.{role}"]


def _reason_text(calendar: WorkingCalendar, day: dt.date, fmt: Formatter) -> str:
    reason = calendar.reason_off(day)
    if reason is None:
        return ""
    if reason.kind == "holiday":
        return reason.name
    return fmt.t[f"calendar.off_reasons.{reason.kind}"]


class _Builder:
    def __init__(self, client: Client, templates: Templates):
        self.client = client
        self.comm = client.communication
        self.fmt = Formatter(client.language, client.country, templates)
        self.text = templates.text("cadences", client.language)
        self.structure = templates.structure("cadences")
        self.preset = self.structure["presets"][self.comm.preset]
        self.tz = zoneinfo.ZoneInfo(client.timezone)
        agency_tz = client.agency.timezone if client.agency else None
        self.agency_tz = zoneinfo.ZoneInfo(agency_tz) if agency_tz and agency_tz != client.timezone else None
        project = client.project
        self.calendar = WorkingCalendar(client.country, client.language, project.start, project.end + 90 * ONE_DAY,
                                        self.comm.days_off, self.comm.working_days)
        self.rows: list[dict[str, Any]] = []
        self.moves: list[Move] = []

    # -- one occurrence
    def _describe(self, key: str, spec: dict[str, Any]) -> dict[str, Any]:
        """What the calendar says of an item wherever it appears: channel, owner, audience, purpose, agenda."""
        return {
            "channel": self.text[f"channels.{spec['channel']}"],
            "owner": _person_or_role(self.client, spec["owner"], self.fmt),
            "audience": ", ".join(self.text[f"audiences.{a}"] for a in spec["audience"]),
            "purpose": self.text[f"items.{key}.purpose"],
            "agenda": list(self.text[f"items.{key}.agenda"]),
        }

    def _times(self, spec: dict[str, Any]) -> tuple[dt.time, int]:
        at = self.comm.meeting_time if spec.get("time", "meeting") == "meeting" else dt.time.fromisoformat(spec["time"])
        minutes = self.comm.meeting_minutes if spec.get("minutes", "meeting") == "meeting" else int(spec["minutes"])
        return at, minutes

    def add(self, item: str, key: str, kind: str, spec: dict[str, Any], scheduled: dt.date,
            title_values: dict[str, str] | None = None, movable: bool = True) -> None:
        title = self.text.format(f"items.{key}.title", **(title_values or {}))
        day: dt.date | None = scheduled
        reason = ""
        if movable and not self.calendar.is_working_day(scheduled):
            reason = _reason_text(self.calendar, scheduled, self.fmt)
            day = self.calendar.move(scheduled, self.comm.move_rule)
            if day is not None and any(r["item"] == item and r["date"] == day for r in self.rows):
                day = None  # moving would double an occurrence already there
            self.moves.append(Move(item, title, scheduled, day, reason))
        if day is None:
            return
        at, minutes = self._times(spec)
        start = dt.datetime.combine(day, at, tzinfo=self.tz)
        end = start + dt.timedelta(minutes=minutes)
        self.rows.append({
            "date": day,
            "start": start,
            "end": end,
            "timezone": self.client.timezone,
            "agency_start": start.astimezone(self.agency_tz) if self.agency_tz else None,
            "item": item,
            "kind": kind,
            "title": title,
            **self._describe(key, spec),
            "original_date": scheduled if day != scheduled else None,
            "moved_reason": reason if day != scheduled else "",
            # Stable across rebuilds: re-importing the .ics updates events instead of duplicating them.
            "uid": f"{self.client.id}-{item}-{scheduled:%Y%m%d}@pmworkbook",
        })

    # -- cadences
    def cadences(self) -> None:
        start, end = self.client.project.start, self.client.project.end
        for spec in self.preset["cadences"]:
            rule, item = spec["rule"], spec["id"]
            if rule == "channel":
                continue
            if rule == "daily":
                for day in self.calendar.working_days(start, end):
                    self.add(item, item, "cadence", spec, day, movable=False)
            elif rule in ("weekly", "biweekly"):
                weekday = WEEKDAY_INDEX[spec.get("day", self.comm.meeting_day)]
                day = start + dt.timedelta(days=(weekday - start.weekday()) % 7)
                step = dt.timedelta(weeks=2 if rule == "biweekly" else 1)
                while day <= end:
                    self.add(item, item, "cadence", spec, day)
                    day += step
            elif rule == "last_workday":
                monday = start - dt.timedelta(days=start.weekday())
                while monday <= end:
                    week = [d for d in (monday + n * ONE_DAY for n in range(7)) if start <= d <= end]
                    working = [d for d in week if self.calendar.is_working_day(d)]
                    if working:
                        self.add(item, item, "cadence", spec, working[-1], movable=False)
                    monday += dt.timedelta(weeks=1)
            elif rule == "monthly":
                weekday = WEEKDAY_INDEX[spec["day"]]
                month = start.replace(day=1)
                while month <= end:
                    day = month + dt.timedelta(days=(weekday - month.weekday()) % 7)
                    # the first working occurrence of that weekday in the month
                    while day.month == month.month and not self.calendar.is_working_day(day):
                        day += dt.timedelta(weeks=1)
                    if day.month == month.month and start <= day <= end:
                        self.add(item, item, "cadence", spec, day)
                    month = (month + dt.timedelta(days=32)).replace(day=1)
            else:
                raise UnknownCadenceRule(f"cadence {item!r} has the unknown rule {rule!r}")

    # -- triggers tied to the project
    def triggers(self) -> None:
        project, specs = self.client.project, self.structure["triggers"]
        wanted = self.preset.get("triggers", [])
        if "kickoff" in wanted:
            self.add("kickoff", "kickoff", "trigger", specs["kickoff"], self.calendar.next_working_day(project.start), movable=False)
        for index, milestone in enumerate(project.milestones, start=1):
            values = {"milestone": milestone.name}
            if "milestone_preview" in wanted:
                preview = self.calendar.add_working_days(milestone.date, -self.comm.preview_days) if self.comm.preview_days else milestone.date
                self.add(f"milestone_preview-{index}", "milestone_preview", "trigger", specs["milestone_preview"],
                         max(preview, project.start), values, movable=False)
            if "milestone_review" in wanted:
                self.add(f"milestone_review-{index}", "milestone_review", "trigger", specs["milestone_review"],
                         self.calendar.next_working_day(milestone.date), values, movable=False)
        if "closure_report" in wanted:
            self.add("closure_report", "closure_report", "trigger", specs["closure_report"],
                     self.calendar.add_working_days(project.end, self.comm.closure_days), movable=False)

    def summary(self, frame: pd.DataFrame) -> list[dict[str, Any]]:
        rows = []
        for spec in self.preset["cadences"]:
            if spec["rule"] == "channel":
                continue
            count = int((frame["item"] == spec["id"]).sum()) if len(frame) else 0
            weekday = spec.get("day", self.comm.meeting_day)
            at, minutes = self._times(spec)
            rows.append({
                "title": self.text[f"items.{spec['id']}.title"],
                "frequency": self.fmt.t.format(f"calendar.frequency.{spec['rule']}", weekday=self.fmt.weekday(weekday)),
                "time": self.fmt.time(at),
                "minutes": minutes,
                **self._describe(spec["id"], spec),
                "count": count,
            })
        return rows

    def channels(self) -> list[dict[str, Any]]:
        return [{
            "title": self.text[f"items.{spec['id']}.title"],
            "channel": self.text[f"channels.{spec['channel']}"],
            "owner": _person_or_role(self.client, spec["owner"], self.fmt),
            "purpose": self.text[f"items.{spec['id']}.purpose"],
        } for spec in self.preset["cadences"] if spec["rule"] == "channel"]

    def escalation(self) -> list[dict[str, Any]]:
        steps, hours = [], 0
        for step in self.structure["escalation"]:
            hours += step["after_hours"]
            people = self.client.people_with_role(step["role"])
            steps.append({"role": self.fmt.t[f"role_names.{step['role']}"], "after_hours": hours,
                          "name": people[0].name if people else "", "email": people[0].email if people else ""})
        return steps


def build_plan(client: Client, templates: Templates) -> CommunicationPlan:
    """Expand a client's communication preset into every dated occurrence."""
    builder = _Builder(client, templates)
    builder.cadences()
    builder.triggers()
    frame = pd.DataFrame(builder.rows, columns=COLUMNS)
    if len(frame):
        frame = frame.sort_values(["start", "item"], kind="stable").reset_index(drop=True)
    warnings = []
    if not builder.calendar.known_country:
        warnings.append(builder.fmt.t.format("calendar.unknown_country", country=builder.fmt.country(client.country)))
    daily = frozenset(spec["id"] for spec in builder.preset["cadences"] if spec["rule"] == "daily")
    return CommunicationPlan(client, frame, sorted(builder.moves, key=lambda m: m.original), builder.channels(),
                             builder.summary(frame), builder.escalation(), builder.calendar, daily, warnings)
