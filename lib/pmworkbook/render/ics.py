"""RFC 5545 export of a communication plan, as people use it in Outlook, Google Calendar and
Thunderbird:

- each cadence is one recurring series (RRULE), so that it is accepted or changed at once: an
  EXDATE for each instance not held (a day off, merged into another occurrence, skipped) and a
  RECURRENCE-ID override for each instance held on another day or time or with another content
  (a milestone review on its agenda); days its pattern does not reach (a make-up working day)
  are events of their own;
- the project's triggers (kickoff, milestone previews and reviews, closure report) are events;
- ORGANIZER is the item's owner, ATTENDEEs the people of its audience with an e-mail address;
- LOCATION and URL come from the portfolio (`communication.location`, `communication.video_link`);
- written items (e-mail: reports, digests) are TRANSPARENT: they do not block time;
- start and end are in the client's zone with a VTIMEZONE, so a meeting keeps its local hour and
  its length across daylight-saving changes.

UIDs are stable across rebuilds, so re-importing the file updates events instead of doubling them.
The file has no METHOD: it is a calendar to import, not an iTIP invitation (PUBLISH forbids ATTENDEE).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import icalendar

from pmworkbook.core.files import atomic_write_bytes
from pmworkbook.core.i18n import Formatter
from pmworkbook.plan.communication import CommunicationPlan, Series
from pmworkbook.portfolio.model import Client, Person

UTC = dt.timezone.utc


def to_ical(plan: CommunicationPlan, fmt: Formatter, stamp: dt.datetime | None = None,
            audiences: dict[str, dict[str, Any]] | None = None) -> bytes:
    client = plan.client
    stamp = stamp or dt.datetime.now(UTC).replace(microsecond=0)
    audiences = audiences if audiences is not None else fmt.templates.structure("cadences").get("audiences", {})
    writer = _Writer(plan, fmt, stamp, audiences)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//pmworkbook//communication calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # icalendar escapes ',', ';', '\\' and newlines in text values: typed text stays literal.
    calendar.add("x-wr-calname", fmt.t.format("calendar.ics.name", client=client.name, title=fmt.t["calendar.title"]))
    calendar.add("x-wr-timezone", client.timezone)
    frame = plan.occurrences
    in_series = frame["recurrence_id"].notna()
    for item, series in plan.series.items():
        rows = list(frame[in_series & (frame["item"] == item)].itertuples(index=False))
        for event in writer.series(series, rows):
            calendar.add_component(event)
    for row in frame[~in_series].itertuples(index=False):
        calendar.add_component(writer.event(row))
    if len(frame):
        first, last = min(frame["start"]).date(), max(frame["end"]).date()
        # Transitions a year either side: what a client needs to place every instance.
        calendar.add_missing_timezones(first_date=first - dt.timedelta(days=366), last_date=last + dt.timedelta(days=366))
    return calendar.to_ical()


def write_ics(plan: CommunicationPlan, fmt: Formatter, path: str | Path) -> Path:
    return atomic_write_bytes(Path(path), to_ical(plan, fmt))


def audience_people(client: Client, audience_ids: tuple[str, ...] | list[str], audiences: dict[str, dict[str, Any]]) -> list[Person]:
    """The portfolio's people an item's audience names (the catalog's `audiences`), in the portfolio's order."""
    wanted = []
    for person in client.people:
        for audience in audience_ids:
            spec = audiences.get(audience, {})
            if ("side" in spec or "roles" in spec) and spec.get("side", person.side) == person.side \
                    and person.role in spec.get("roles", [person.role]):
                wanted.append(person)
                break
    return wanted


class _Writer:
    def __init__(self, plan: CommunicationPlan, fmt: Formatter, stamp: dt.datetime, audiences: dict[str, dict[str, Any]]):
        self.plan, self.fmt, self.stamp, self.audiences = plan, fmt, stamp, audiences
        self.client = plan.client
        self.comm = plan.client.communication

    def series(self, series: Series, rows: list[Any]) -> list[icalendar.Event]:
        """The master event with its RRULE and EXDATEs, then an override per changed instance."""
        if not rows:
            return []
        tz = rows[0].start.tzinfo
        held = {row.recurrence_id.date(): row for row in rows}
        first = min(held)  # the series starts at its first instance held (moved or not)
        length = dt.timedelta(minutes=series.minutes)
        regular = [row for row in rows if self._regular(row, series)]
        model = regular[0] if regular else rows[0]
        master = self._event(model, uid=model.uid, start=dt.datetime.combine(first, series.at, tzinfo=tz), length=length,
                             moved_note=False)
        until = dt.datetime.combine(series.until, dt.time(23, 59, 59), tzinfo=tz).astimezone(UTC)
        master.add("rrule", {**series.rrule, "UNTIL": until})
        gaps = [dt.datetime.combine(day, series.at, tzinfo=tz) for day in series.dates if day > first and day not in held]
        if gaps:
            master.add("exdate", gaps)
        events = [master]
        for row in rows:
            if self._regular(row, series) and self._same_content(row, model):
                continue
            override = self._event(row, uid=row.uid)
            override.add("recurrence-id", row.recurrence_id)
            events.append(override)
        return events

    def event(self, row: Any) -> icalendar.Event:
        return self._event(row, uid=row.uid)

    @staticmethod
    def _regular(row: Any, series: Series) -> bool:
        """Held where and when its pattern says, for its usual length."""
        return row.original_start is None and row.start == row.recurrence_id and row.minutes == series.minutes

    @staticmethod
    def _same_content(row: Any, model: Any) -> bool:
        return (row.title, list(row.agenda), row.purpose, tuple(row.audience_ids)) == \
            (model.title, list(model.agenda), model.purpose, tuple(model.audience_ids))

    def _event(self, row: Any, uid: str, start: dt.datetime | None = None, length: dt.timedelta | None = None,
               moved_note: bool = True) -> icalendar.Event:
        fmt, t = self.fmt, self.fmt.t
        start = start or row.start
        event = icalendar.Event()
        event.add("uid", uid)
        event.add("dtstamp", self.stamp)
        event.add("dtstart", start)
        # DTEND in the client's zone, not a DURATION: the meeting keeps its local end across DST changes.
        event.add("dtend", start + (length or (row.end - row.start)))
        event.add("summary", f"{row.title} · {self.client.project.name}")
        # Labels with their colons from the catalog: "议程：" in Chinese, "Agenda:" elsewhere.
        lines = [row.purpose]
        if len(row.agenda):
            lines += ["", t["calendar.ics.agenda"]] + [f"- {point}" for point in row.agenda]
        lines += ["", t.format("calendar.ics.owner", owner=row.owner), t.format("calendar.ics.audience", audience=row.audience)]
        if moved_note and row.original_start is not None:
            if row.original_date is not None and row.original_start.time() == row.start.time():
                original = fmt.date(row.original_date)  # in a sentence: the long form (4 maja, 22 февраля)
            elif row.original_date is not None:
                original = fmt.date_time(row.original_start)  # another day and another time, as the schedule writes them
            else:
                original = fmt.time(row.original_start)
            lines.append(t.format("calendar.moved_note", original=original, reason=row.moved_reason))
        event.add("description", "\n".join(lines))
        channel = row.channel_id
        location = {"video": self.comm.video_link, "on_site": self.comm.location}.get(channel) or \
            (row.channel if channel != "email" else None)
        if location:
            event.add("location", location)
        if channel == "video" and self.comm.video_link:
            event.add("url", self.comm.video_link)
        self._people(event, row)
        event.add("categories", [row.kind])
        event.add("transp", "TRANSPARENT" if row.transparent else "OPAQUE")
        return event

    def _people(self, event: icalendar.Event, row: Any) -> None:
        owners = [p for p in self.client.people_with_role(row.owner_role) if p.email]
        agency = self.client.agency
        organizer: tuple[str, str] | None = None
        if owners:
            organizer = (owners[0].name, owners[0].email or "")
        elif agency and agency.email:
            organizer = (agency.name, agency.email)
        if organizer:
            address = icalendar.vCalAddress(f"mailto:{organizer[1]}")
            address.params["CN"] = organizer[0]
            event.add("organizer", address)
        seen = {organizer[1].lower()} if organizer else set()
        for person in audience_people(self.client, row.audience_ids, self.audiences):
            if not person.email or person.email.lower() in seen:
                continue
            seen.add(person.email.lower())
            address = icalendar.vCalAddress(f"mailto:{person.email}")
            address.params.update({"CN": person.name, "CUTYPE": "INDIVIDUAL", "ROLE": "REQ-PARTICIPANT",
                                   "PARTSTAT": "NEEDS-ACTION"})
            event.add("attendee", address)
