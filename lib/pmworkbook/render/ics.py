"""RFC 5545 export of a communication plan: one VEVENT per occurrence, with stable UIDs,
DTSTAMP and a VTIMEZONE for every TZID, so it imports into Outlook, Google and Thunderbird."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar

from pmworkbook.core.files import atomic_write_bytes
from pmworkbook.core.i18n import Formatter
from pmworkbook.plan.communication import CommunicationPlan


def to_ical(plan: CommunicationPlan, fmt: Formatter, stamp: dt.datetime | None = None) -> bytes:
    client = plan.client
    stamp = stamp or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//pmworkbook//communication calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # icalendar escapes ',', ';', '\\' and newlines in text values: typed text stays literal.
    calendar.add("x-wr-calname", f"{client.name}: {fmt.t['calendar.title']}")
    calendar.add("x-wr-timezone", client.timezone)
    agenda_label = fmt.t["calendar.agenda"]
    for row in plan.occurrences.itertuples(index=False):
        event = icalendar.Event()
        event.add("uid", row.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", row.start)
        event.add("dtend", row.end)
        event.add("summary", f"{row.title} · {client.project.name}")
        lines = [row.purpose]
        if row.agenda:
            lines += ["", f"{agenda_label}:"] + [f"- {point}" for point in row.agenda]
        lines += ["", f"{fmt.t['calendar.columns.owner']}: {row.owner}", f"{fmt.t['calendar.columns.audience']}: {row.audience}"]
        if row.original_date is not None:
            lines.append(fmt.t.format("calendar.moved_note", original=fmt.date(row.original_date), reason=row.moved_reason))
        event.add("description", "\n".join(lines))
        event.add("location", row.channel)
        event.add("categories", [row.kind])
        event.add("transp", "TRANSPARENT" if row.kind == "cadence" and row.item in ("daily_digest", "weekly_report") else "OPAQUE")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def write_ics(plan: CommunicationPlan, fmt: Formatter, path: str | Path) -> Path:
    return atomic_write_bytes(Path(path), to_ical(plan, fmt))
