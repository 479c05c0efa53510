"""The communication plan: cadences and project triggers expanded to dated occurrences on the
client's working days, in the client's time zone, as a pandas DataFrame.

Occurrences never collide. Where items meet, stated rules decide, in this order, and every
merge, move and skip is a `Move` (a row of the document's moved table, its reason in the
client's language):

1. Days off. A cadence's occurrence on a day off moves by the engagement's move rule; one that
   would land on its own cadence's next occurrence is merged with it. Items defined by working
   days (every working day, the week's last working day, the month's first working weekday)
   take the working day their rule gives; the project's triggers take the nearest working day
   (the kickoff, reviews and the closure report the next, a preview the one before).
2. Same day. The kickoff replaces a status meeting on its day; a milestone preview or review on
   a status-meeting day is held within that meeting, first on its agenda.
3. Same time. Items are placed by priority; one that would overlap an item placed before it
   (instants overlap, so in every participant's time zone) moves to the nearest free time of its
   day within both sides' working hours, else of the next working day, else it is skipped. It
   never lands on a day that holds its own cadence.

Which items host, replace and come first is the cadence catalog's `collisions`. Each cadence is
also a recurrence pattern (`Series`), written to the .ics as one RRULE series with exceptions.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
from babel.lists import format_list
from dateutil import rrule as rr

from pmworkbook.core.i18n import WEEKDAY_INDEX, Formatter
from pmworkbook.core.templates import Templates
from pmworkbook.plan.workdays import ONE_DAY, HolidayLabels, NoWorkingDay, WorkingCalendar
from pmworkbook.portfolio.model import WEEKDAYS, Client

COLUMNS = ["date", "start", "end", "timezone", "agency_start", "item", "kind", "title", "channel", "owner",
           "audience", "purpose", "agenda", "original_date", "moved_reason", "uid",
           # since issue 15: the .ics series instance, where day or time changed, the milestone, what was merged in
           "recurrence_id", "original_start", "milestone", "merged", "minutes", "owner_role", "audience_ids", "channel_id",
           "transparent"]


RULES = ("daily", "weekly", "biweekly", "last_workday", "monthly", "channel")  # of the cadence catalog

# The cadence catalog's `collisions`, where a team's catalog has none.
DEFAULT_COLLISIONS: dict[str, list[str]] = {
    "kickoff_replaces": ["status_meeting"],
    "hosts": ["status_meeting"],
    "guests": ["milestone_preview", "milestone_review"],
    "priority": ["kickoff", "milestone_review", "milestone_preview", "closure_report", "status_meeting",
                 "monthly_review", "daily_standup", "weekly_report", "daily_digest"],
}


class UnknownCadenceRule(ValueError):
    """A cadence of the cadence catalog has a rule this version does not know."""


@dataclass
class Move:
    """An occurrence that did not stay where its rule put it: moved (to another day or time),
    merged (held within another occurrence) or skipped, and why, in the client's language: `reason`
    reads after a colon ("Moved from 4 May 2027: project day off."), so it starts as a sentence's
    middle does (a holiday's name keeps its capitals); a table cell capitalises its first letter."""

    item: str
    title: str
    original: dt.date
    moved_to: dt.date | None  # None exactly when skipped
    reason: str
    action: str = "moved"  # "moved", "merged" or "skipped"
    original_start: dt.datetime | None = None
    moved_start: dt.datetime | None = None
    into: str = ""  # the title of the occurrence it was merged into
    rule: str = "day_off"  # which rule: "day_off", "same_day" or "overlap"


@dataclass(frozen=True)
class Series:
    """A cadence's recurrence pattern: the RRULE the .ics writes and every date it gives. The
    plan's occurrences of the cadence are these dates, each held, moved or left out."""

    item: str
    rrule: dict[str, Any]  # RFC 5545 parts without UNTIL: FREQ, INTERVAL, BYDAY
    at: dt.time
    minutes: int
    until: dt.date
    dates: tuple[dt.date, ...]


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
    series: dict[str, Series] = field(default_factory=dict)
    provisional_years: tuple[int, ...] = ()  # years whose days off in the client's country are not official yet

    def is_provisional(self, day: dt.date) -> bool:
        return day.year in self.provisional_years


def holiday_labels(fmt: Formatter) -> HolidayLabels:
    """The document language's names for observed and swapped days off (see HolidayLabels)."""
    return HolidayLabels(fmt.t["calendar.holiday_observed"], fmt.t["calendar.holiday_substituted"], fmt.day_month)


def _person_or_role(client: Client, role: str, fmt: Formatter) -> str:
    people = client.people_with_role(role)
    return people[0].name if people else fmt.t[f"role_names.{role}"]


def reason_labels(fmt: Formatter) -> HolidayLabels:
    """The same, as a swapped day off reads inside a sentence ("… : day off (in exchange for September 20)")."""
    return HolidayLabels(fmt.t["calendar.holiday_observed"], fmt.t["calendar.reasons.substituted"], fmt.day_month)


def _reason_text(calendar: WorkingCalendar, day: dt.date, fmt: Formatter) -> str:
    """Why `day` is off, as it reads after a colon ("Moved from 4 May 2027: project day off."): a
    catalog phrase, a public holiday by its name with its own capitals ("Boże Narodzenie")."""
    reason = calendar.reason_off(day)
    if reason is None:
        return ""
    if reason.kind == "holiday":
        return fmt.t.format("calendar.reasons.holiday", holiday=calendar.holiday_name(day, reason_labels(fmt)))
    return fmt.t[f"calendar.reasons.{reason.kind}"]


@dataclass
class _Occurrence:
    """One occurrence while the rules place it."""

    item: str  # unique per trigger: milestone_review-2
    key: str  # the catalog's item: milestone_review
    kind: str  # cadence or trigger
    spec: dict[str, Any]
    nominal: dt.date  # where its rule puts it: a date of its Series, or the trigger's own date
    day: dt.date
    at: dt.time
    nominal_at: dt.time
    minutes: int
    title: str
    base_title: str
    in_series: bool
    milestone: str = ""
    audience_ids: list[str] = field(default_factory=list)
    # Its rule itself puts it on `day`, off its pattern's date `nominal` (the month's first *working*
    # Thursday: 8 October when 1 October is National Day): not a move; `nominal` stays its RECURRENCE-ID.
    by_rule: bool = False
    reasons: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    guests: list[str] = field(default_factory=list)  # how the items held within it are named in its title
    agenda_first: list[str] = field(default_factory=list)
    purpose_extra: list[str] = field(default_factory=list)
    tz: dt.tzinfo = dt.timezone.utc

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.day, self.at, tzinfo=self.tz)

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.minutes)


class _Builder:
    def __init__(self, client: Client, templates: Templates):
        self.client = client
        self.comm = client.communication
        self.fmt = Formatter(client.language, client.country, templates)
        self.text = templates.text("cadences", client.language)
        self.structure = templates.structure("cadences")
        self.preset = self.structure["presets"][self.comm.preset]
        self.collisions = {**DEFAULT_COLLISIONS, **(self.structure.get("collisions") or {})}
        self.tz = zoneinfo.ZoneInfo(client.timezone)
        agency_tz = client.agency.timezone if client.agency else None
        self.agency_tz = zoneinfo.ZoneInfo(agency_tz) if agency_tz and agency_tz != client.timezone else None
        project = client.project
        self.calendar = WorkingCalendar(client.country, client.language, project.start, project.end + 90 * ONE_DAY,
                                        self.comm.days_off, self.comm.working_days, holiday_labels(self.fmt))
        self.occurrences: list[_Occurrence] = []
        self.moves: list[Move] = []
        self.series: dict[str, Series] = {}

    # -- one occurrence
    def _describe(self, key: str, spec: dict[str, Any]) -> dict[str, Any]:
        """What the calendar says of an item wherever it appears: channel, owner, audience, purpose, agenda."""
        return {
            "channel": self.text[f"channels.{spec['channel']}"],
            "owner": _person_or_role(self.client, spec["owner"], self.fmt),
            "audience": self.fmt.join_labels([self.text[f"audiences.{a}"] for a in spec["audience"]]),
            "purpose": self.text[f"items.{key}.purpose"],
            "agenda": list(self.text[f"items.{key}.agenda"]),
        }

    def _times(self, spec: dict[str, Any]) -> tuple[dt.time, int]:
        at = self.comm.meeting_time if spec.get("time", "meeting") == "meeting" else dt.time.fromisoformat(spec["time"])
        minutes = self.comm.meeting_minutes if spec.get("minutes", "meeting") == "meeting" else int(spec["minutes"])
        return at, minutes

    def _new(self, item: str, key: str, kind: str, spec: dict[str, Any], nominal: dt.date, day: dt.date,
             in_series: bool, milestone: str = "") -> _Occurrence:
        at, minutes = self._times(spec)
        values = {"milestone": milestone} if milestone else {}
        title = self.text.format(f"items.{key}.title", **values)
        occurrence = _Occurrence(item, key, kind, spec, nominal, day, at, at, minutes, title, title, in_series, milestone,
                                 list(spec["audience"]), tz=self.tz)
        self.occurrences.append(occurrence)
        return occurrence

    def _move(self, occurrence: _Occurrence, original: dt.datetime, reason: str, action: str = "moved",
              into: _Occurrence | None = None, rule: str = "day_off") -> None:
        """Record a move of `occurrence` from `original`: to where it is now, into another, or skipped."""
        target = into or occurrence
        moved_to = None if action == "skipped" else target.day
        moved_start = None if action == "skipped" else target.start
        self.moves.append(Move(occurrence.item, occurrence.title, original.date(), moved_to, reason, action,
                               original, moved_start, into.title if into else "", rule))

    def _remove(self, occurrence: _Occurrence) -> None:
        self.occurrences.remove(occurrence)

    def _at(self, day: dt.date, at: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, at, tzinfo=self.tz)

    def _off(self, day: dt.date) -> str:
        return _reason_text(self.calendar, day, self.fmt)

    # -- cadences: a recurrence pattern each, then its dates on working days
    def _series(self, spec: dict[str, Any]) -> Series:
        start, end = self.client.project.start, self.client.project.end
        rule, item = spec["rule"], spec["id"]
        workdays = [day for day in range(7) if day not in self.calendar.weekend]
        interval = 1
        if rule in ("weekly", "biweekly"):
            byday = [rr.weekday(WEEKDAY_INDEX[spec.get("day", self.comm.meeting_day)])]
            interval = 2 if rule == "biweekly" else 1
        elif rule == "daily":
            byday = [rr.weekday(day) for day in workdays]
        elif rule == "last_workday":
            byday = [rr.weekday(workdays[-1] if workdays else 4)]
        elif rule == "monthly":
            byday = [rr.weekday(WEEKDAY_INDEX[spec["day"]], 1)]
        else:
            raise UnknownCadenceRule(f"cadence {item!r} has the unknown rule {rule!r}")
        freq: Literal[1, 2] = rr.MONTHLY if rule == "monthly" else rr.WEEKLY
        first_day = dt.datetime.combine(start, dt.time())
        until = dt.datetime.combine(end, dt.time())
        # The pattern starts on its first instance, so that every other week counts from there.
        first = rr.rrule(freq, byweekday=byday, dtstart=first_day, count=1)
        dates: tuple[dt.date, ...] = ()
        if first and first[0] <= until:
            dates = tuple(d.date() for d in rr.rrule(freq, interval=interval, byweekday=byday, dtstart=first[0], until=until))
        parts: dict[str, Any] = {"FREQ": "MONTHLY" if freq == rr.MONTHLY else "WEEKLY"}
        if interval > 1:
            parts["INTERVAL"] = interval
        parts["BYDAY"] = [(f"{d.n}" if d.n else "") + WEEKDAYS[d.weekday] for d in byday]
        at, minutes = self._times(spec)
        return Series(item, parts, at, minutes, end, dates)

    def cadences(self) -> None:
        start, end = self.client.project.start, self.client.project.end
        for spec in self.preset["cadences"]:
            rule, item = spec["rule"], spec["id"]
            if rule == "channel":
                continue
            series = self.series[item] = self._series(spec)
            pattern = set(series.dates)
            if rule == "daily":
                # Days off are simply not in it; make-up days and extra working days are added to the pattern.
                for day in self.calendar.working_days(start, end):
                    self._new(item, item, "cadence", spec, day, day, day in pattern)
            elif rule in ("weekly", "biweekly"):
                self._meetings(item, spec, series.dates)
            elif rule == "last_workday":
                self._last_workdays(item, spec, pattern)
            else:  # monthly: the first working such weekday of the month, where the rule puts it (not a move)
                for nominal in series.dates:
                    day = nominal
                    while day.month == nominal.month and not self.calendar.is_working_day(day):
                        day += dt.timedelta(weeks=1)
                    occurrence = self._new(item, item, "cadence", spec, nominal, day, True)
                    occurrence.by_rule = day != nominal
                    if day.month != nominal.month or day > end:  # no working such weekday left in the month
                        self._remove(occurrence)
                        self._move(occurrence, self._at(nominal, occurrence.at), self._off(nominal), "skipped")

    def _meetings(self, item: str, spec: dict[str, Any], dates: tuple[dt.date, ...]) -> None:
        """A weekly or biweekly meeting: held on working days, moved off days off by the move rule;
        never onto its own next occurrence (merged with it) and skipped when the rule says so."""
        held = {day: self._new(item, item, "cadence", spec, day, day, True) for day in dates if self.calendar.is_working_day(day)}
        for nominal in dates:
            if nominal in held:
                continue
            reason = self._off(nominal)
            target = self.calendar.move(nominal, self.comm.move_rule)
            occurrence = self._new(item, item, "cadence", spec, nominal, target or nominal, True)
            original = self._at(nominal, occurrence.at)
            if target is None:
                self._remove(occurrence)
                self._move(occurrence, original, reason, "skipped")
            elif target in held:
                self._remove(occurrence)
                host = held[target]
                self._move(occurrence, original, self.fmt.t.format("calendar.reasons.own_next", reason=reason,
                                                                  date=self.fmt.date(target)), "merged", into=host)
            else:
                held[target] = occurrence
                occurrence.reasons.append(reason)
                self._move(occurrence, original, reason)

    def _last_workdays(self, item: str, spec: dict[str, Any], pattern: set[dt.date]) -> None:
        start, end = self.client.project.start, self.client.project.end
        monday = start - dt.timedelta(days=start.weekday())
        while monday <= end:
            week = [d for d in (monday + n * ONE_DAY for n in range(7)) if start <= d <= end]
            working = [d for d in week if self.calendar.is_working_day(d)]
            nominal = next((d for d in week if d in pattern), None)
            monday += dt.timedelta(weeks=1)
            if nominal is None:
                if working:  # a week the pattern does not reach (the project's short last week): on its own
                    self._new(item, item, "cadence", spec, working[-1], working[-1], False)
                continue
            occurrence = self._new(item, item, "cadence", spec, nominal, working[-1] if working else nominal, True)
            original = self._at(nominal, occurrence.at)
            if not working:
                self._remove(occurrence)
                self._move(occurrence, original, self._off(nominal), "skipped")
            elif occurrence.day != nominal:
                reason = self._off(nominal) or self.fmt.t["calendar.reasons.makeup_last"]
                if occurrence.day < nominal:  # earlier, against the move rule: it stays in its week, says so
                    reason = self.fmt.t.format("calendar.reasons.in_its_week", reason=reason)
                occurrence.reasons.append(reason)
                self._move(occurrence, original, reason)

    # -- triggers tied to the project
    def _trigger(self, item: str, key: str, nominal: dt.date, day: dt.date, milestone: str = "") -> None:
        occurrence = self._new(item, key, "trigger", self.structure["triggers"][key], nominal, day, False, milestone)
        if day != nominal:
            reason = self._off(nominal)
            occurrence.reasons.append(reason)
            self._move(occurrence, self._at(nominal, occurrence.at), reason)

    def triggers(self) -> None:
        project, wanted = self.client.project, self.preset.get("triggers", [])
        working = self.calendar.next_working_day
        if "kickoff" in wanted:
            self._trigger("kickoff", "kickoff", project.start, working(project.start))
        for index, milestone in enumerate(project.milestones, start=1):
            if "milestone_preview" in wanted:
                days = self.comm.preview_days
                nominal = max(self.calendar.add_working_days(milestone.date, -days) if days else milestone.date, project.start)
                day = nominal
                if not self.calendar.is_working_day(nominal):  # before the milestone where the project allows
                    try:
                        day = working(nominal, -1)
                    except NoWorkingDay:
                        day = working(nominal)
                    day = day if day >= project.start else working(nominal)
                self._trigger(f"milestone_preview-{index}", "milestone_preview", nominal, day, milestone.name)
            if "milestone_review" in wanted:
                self._trigger(f"milestone_review-{index}", "milestone_review", milestone.date, working(milestone.date), milestone.name)
        if "closure_report" in wanted:
            days = self.comm.closure_days
            nominal = self.calendar.add_working_days(project.end, days) if days else project.end
            self._trigger("closure_report", "closure_report", nominal, working(nominal))

    # -- rule 2: items on the same day
    def same_day(self) -> None:
        replaces, hosts, guests = (set(self.collisions[k]) for k in ("kickoff_replaces", "hosts", "guests"))
        for kickoff in [o for o in self.occurrences if o.key == "kickoff"]:
            for meeting in [o for o in self.occurrences if o.key in replaces and o.day == kickoff.day]:
                self._remove(meeting)
                kickoff.merged.append(meeting.item)
                self._move(meeting, meeting.start, self.fmt.t["calendar.reasons.kickoff"], "merged", into=kickoff, rule="same_day")
        for guest in sorted((o for o in self.occurrences if o.key in guests), key=lambda o: (o.day, o.item)):
            host = next((o for o in self.occurrences if o.key in hosts and o.day == guest.day), None)
            if host is None:
                continue
            self._remove(guest)
            host.merged.append(guest.item)
            host.guests.append(self.text.format(f"items.{guest.key}.in_meeting", milestone=guest.milestone))
            host.agenda_first.append(guest.title)
            host.purpose_extra.append(self.text[f"items.{guest.key}.purpose"])
            host.minutes = max(host.minutes, guest.minutes)
            host.audience_ids += [a for a in guest.audience_ids if a not in host.audience_ids]
            host.milestone = ", ".join(filter(None, [host.milestone, guest.milestone]))
            host.title = self.fmt.t.format("calendar.merged_title", meeting=host.base_title,
                                           items=format_list(host.guests, locale=self.fmt.locale))
            self._move(guest, guest.start, self.fmt.t.format("calendar.reasons.held_in", meeting=host.base_title),
                       "merged", into=host, rule="same_day")

    # -- rule 3: overlapping times
    def _window(self, day: dt.date, side: str) -> tuple[dt.datetime, dt.datetime]:
        """A side's working hours on the client's `day`, as instants."""
        first, last = self.comm.hours(side)  # type: ignore[arg-type]
        tz = self.agency_tz if side == "agency" and self.agency_tz else self.tz
        return dt.datetime.combine(day, first, tzinfo=tz), dt.datetime.combine(day, last, tzinfo=tz)

    def _agency_ok(self, start: dt.datetime, end: dt.datetime) -> bool:
        tz = self.agency_tz or self.tz
        local = start.astimezone(tz)
        first, last = self._window(local.date(), "agency")
        return first <= start and end <= last

    def _clash(self, occurrence: _Occurrence, placed: dict[dt.date, list[_Occurrence]],
               start: dt.datetime | None = None) -> _Occurrence | None:
        start = start or occurrence.start
        end = start + dt.timedelta(minutes=occurrence.minutes)
        near = [o for d in (-1, 0, 1) for o in placed.get(start.date() + d * ONE_DAY, [])]
        return min((o for o in near if o.start < end and start < o.end), key=lambda o: o.start, default=None)

    def _free_slot(self, occurrence: _Occurrence, day: dt.date, placed: dict[dt.date, list[_Occurrence]]) -> dt.datetime | None:
        """The free start on `day` nearest to the item's own time: inside the client's working
        hours (or no further out than its own time), preferring the agency's too."""
        length = dt.timedelta(minutes=occurrence.minutes)
        wanted = self._at(day, occurrence.at)
        first, last = self._window(day, "client")
        first, last = min(first, wanted), max(last, wanted + length)
        others = placed.get(day, [])
        candidates = {wanted, *(o.end for o in others), *(o.start - length for o in others)}
        free = [c for c in candidates if first <= c and c + length <= last and c.date() == day
                and self._clash(occurrence, placed, c) is None]
        return min(free, key=lambda c: (not self._agency_ok(c, c + length), abs(c - wanted), c < wanted), default=None)

    def overlaps(self) -> None:
        rank = {key: index for index, key in enumerate(self.collisions["priority"])}
        placed: dict[dt.date, list[_Occurrence]] = {}
        days_of: dict[str, set[dt.date]] = {}
        for o in self.occurrences:
            days_of.setdefault(o.item, set()).add(o.day)
        for occurrence in sorted(self.occurrences, key=lambda o: (rank.get(o.key, len(rank)), o.start, o.item)):
            clash = self._clash(occurrence, placed)
            if clash is not None:
                original = occurrence.start
                slot = self._free_slot(occurrence, occurrence.day, placed)
                if slot is None:
                    following = self.calendar.next_working_day(occurrence.day + ONE_DAY)
                    if following not in days_of[occurrence.item]:
                        slot = self._free_slot(occurrence, following, placed)
                values = {"other": clash.title, "time": self.fmt.time(clash.start)}
                if slot is None:
                    self._remove(occurrence)
                    self._move(occurrence, original, self.fmt.t.format("calendar.reasons.no_free_time", **values), "skipped",
                               rule="overlap")
                    continue
                days_of[occurrence.item].discard(occurrence.day)
                occurrence.day, occurrence.at = slot.date(), slot.timetz().replace(tzinfo=None)
                days_of[occurrence.item].add(occurrence.day)
                reason = self.fmt.t.format("calendar.reasons.overlap", **values)
                occurrence.reasons.append(reason)
                self._move(occurrence, original, reason, rule="overlap")
            placed.setdefault(occurrence.day, []).append(occurrence)

    # -- the table
    def frame(self) -> pd.DataFrame:
        rows = []
        for o in self.occurrences:
            start, end = o.start, o.end
            description = self._describe(o.key, o.spec)
            series = self.series.get(o.item) if o.in_series else None
            nominal_start = self._at(o.nominal, series.at if series else o.nominal_at)
            ruled_start = self._at(o.day, series.at if series else o.nominal_at) if o.by_rule else nominal_start
            rows.append({
                "date": o.day,
                "start": start,
                "end": end,
                "timezone": self.client.timezone,
                "agency_start": start.astimezone(self.agency_tz) if self.agency_tz else None,
                "item": o.item,
                "kind": o.kind,
                "title": o.title,
                **description,
                "audience": self.fmt.join_labels([self.text[f"audiences.{a}"] for a in o.audience_ids]),  # 、 in Chinese
                "purpose": self.fmt.sentences(description["purpose"], *o.purpose_extra),
                "agenda": [*o.agenda_first, *description["agenda"]],
                "original_date": o.nominal if o.day != o.nominal and not o.by_rule else None,
                "moved_reason": self.fmt.t["calendar.reason_separator"].join(o.reasons),
                # Stable across rebuilds: re-importing the .ics updates events instead of duplicating them.
                "uid": f"{self.client.id}-{o.item}@pmworkbook" if series else f"{self.client.id}-{o.item}-{o.nominal:%Y%m%d}@pmworkbook",
                "recurrence_id": nominal_start if series else None,
                "original_start": ruled_start if start != ruled_start else None,
                "milestone": o.milestone,
                "merged": tuple(o.merged),
                "minutes": o.minutes,
                "owner_role": o.spec["owner"],
                "audience_ids": tuple(o.audience_ids),
                "channel_id": o.spec["channel"],
                "transparent": o.spec["channel"] == "email",  # written items do not block time
            })
        frame = pd.DataFrame(rows, columns=COLUMNS)
        if len(frame):
            frame = frame.sort_values(["start", "item"], kind="stable").reset_index(drop=True)
        for column in ("recurrence_id", "original_start"):
            # None, not NaT, where there is none: NaT is true in an `if` (templates, callers).
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
        return frame

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
                # a whole phrase per rule and weekday: Polish and Russian inflect the weekday and what agrees with it
                "frequency": self.fmt.t[f"calendar.frequency.{spec['rule']}_on.{weekday}"]
                if spec["rule"] in ("weekly", "biweekly", "monthly") else self.fmt.t[f"calendar.frequency.{spec['rule']}"],
                "time": self.fmt.time(at),
                "minutes": minutes,
                **self._describe(spec["id"], spec),
                "count": count,
                # for whole frequency phrases per rule and weekday (calendar.frequency.<rule>_on.<day>)
                "rule": spec["rule"],
                "day": weekday if spec["rule"] in ("weekly", "biweekly", "monthly") else None,
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
        """The people asked in turn, with the hours since the issue was raised. A step whose role
        nobody holds is left out with its own wait (`validate` warns): a ladder names people."""
        steps: list[dict[str, Any]] = []
        hours = 0
        for step in self.structure["escalation"]:
            people = self.client.people_with_role(step["role"])
            if not people:
                continue
            hours += step["after_hours"] if steps else 0
            person = people[0]
            steps.append({"role": self.fmt.t[f"role_names.{step['role']}"], "role_id": step["role"], "after_hours": hours,
                          "name": person.name, "email": person.email or "", "phone": person.phone or "",
                          "title": person.title or "", "side": person.side})
        return steps


def build_plan(client: Client, templates: Templates) -> CommunicationPlan:
    """Expand a client's communication preset into every dated occurrence, collisions resolved."""
    builder = _Builder(client, templates)
    builder.cadences()
    builder.triggers()
    builder.same_day()
    builder.overlaps()
    frame = builder.frame()
    fmt = builder.fmt
    warnings = []
    if not builder.calendar.known_country:
        warnings.append(fmt.t.format("calendar.unknown_country", country=fmt.country(client.country)))
    last = max([client.project.end, *frame["date"]])
    provisional = tuple(year for year in range(client.project.start.year, last.year + 1)
                        if builder.calendar.is_provisional(dt.date(year, 1, 1)))
    if provisional:
        warnings.append(fmt.t.format("calendar.provisional", country=fmt.country(client.country),
                                     years=format_list([str(year) for year in provisional], locale=fmt.locale)))
    daily = frozenset(spec["id"] for spec in builder.preset["cadences"] if spec["rule"] == "daily")
    moves = sorted(builder.moves, key=lambda m: (m.original, m.original_start or m.original, m.item))
    return CommunicationPlan(client, frame, moves, builder.channels(), builder.summary(frame), builder.escalation(),
                             builder.calendar, daily, warnings, builder.series, provisional)
