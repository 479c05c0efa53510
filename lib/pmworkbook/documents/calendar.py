"""The communication calendar: cadences and project triggers on the client's working days, with
the schedule, moved meetings, the timeline, a month view and the .ics file."""

from __future__ import annotations

from pathlib import Path

from pmworkbook.documents.base import Document
from pmworkbook.render.fragments import Fragment


class CommunicationCalendar(Document):
    kind = "communication_calendar"

    @property
    def occurrences(self):
        """The plan as a pandas DataFrame, one row per occurrence."""
        return self.plan.occurrences

    def summary(self) -> Fragment:
        return self.render("calendar_summary.html.j2", plan=self.plan)

    def schedule(self) -> Fragment:
        frame = self.plan.occurrences
        rows = frame[~frame["item"].isin(self.plan.daily_items)]
        agency_tz = self.client.agency.timezone if self.client.agency else None
        return self.render("calendar_schedule.html.j2", rows=rows.to_dict("records"), agency_tz=agency_tz,
                           show_agency=rows["agency_start"].notna().any())

    def month_view(self) -> Fragment:
        from pmworkbook.render import calendar_views

        return calendar_views.month_grid(self.plan, self.fmt, self.client.communication.week_start)

    def timeline(self) -> Fragment:
        from pmworkbook.render import calendar_views

        return calendar_views.timeline_chart(self.plan, self.fmt)

    def moves(self) -> Fragment:
        return self.render("calendar_moves.html.j2", plan=self.plan, rule=self.client.communication.move_rule)

    def response_and_escalation(self) -> Fragment:
        return self.render("calendar_response.html.j2", plan=self.plan)

    def write_ics(self) -> Path | None:
        from pmworkbook.render import ics

        if self.output_dir is None:
            return None
        return ics.write_ics(self.plan, self.fmt, self.output_dir / "communication_calendar.ics")
