"""The .ics as people use it (issue 15): each cadence one recurring series (RRULE, EXDATE for days
off, RECURRENCE-ID for each changed instance), organizer and attendees from the portfolio's
people, location and video link from the portfolio, written items transparent, meetings keeping
their local hours and length across daylight-saving changes; and two independent parsers
(icalendar + recurring-ical-events; vobject, which builds its time zones from the file's own
VTIMEZONE) expand the file to exactly the occurrences the plan lists."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import holidays
import icalendar
import pytest
import recurring_ical_events
import vobject
from dateutil.rrule import rrulestr

from conftest import demo_client
from pmworkbook.core.i18n import Formatter
from pmworkbook.core.templates import Templates
from pmworkbook.plan.communication import CommunicationPlan, build_plan
from pmworkbook.render.ics import to_ical

TEMPLATES = Templates.get()
UTC = dt.timezone.utc




def plan_and_ics(client_id: str, **changes) -> tuple[CommunicationPlan, bytes]:
    plan = build_plan(demo_client(client_id, **changes), TEMPLATES)
    return plan, to_ical(plan, Formatter(plan.client.language, plan.client.country, TEMPLATES))


def from_plan(plan: CommunicationPlan) -> list[tuple]:
    return sorted((row.uid, row.start.astimezone(UTC), row.end.astimezone(UTC), f"{row.title} · {plan.client.project.name}")
                  for row in plan.occurrences.itertuples())


def by_recurring_ical_events(data: bytes) -> list[tuple]:
    calendar = icalendar.Calendar.from_ical(data)
    events = recurring_ical_events.of(calendar).between(dt.date(2000, 1, 1), dt.date(2100, 1, 1))
    return sorted((str(e["UID"]), e["DTSTART"].dt.astimezone(UTC), e["DTEND"].dt.astimezone(UTC), str(e["SUMMARY"])) for e in events)


def by_vobject(data: bytes) -> list[tuple]:
    """vobject parses the file itself and takes each zone from its VTIMEZONE; it expands a series'
    RRULE, RDATE and EXDATE, and leaves applying RECURRENCE-ID overrides (RFC 5545 3.8.4.4) to its
    caller, done here: an override replaces the instance it names."""
    calendar = vobject.readOne(data.decode("utf-8"))
    masters, overrides, events = {}, {}, []
    for event in calendar.vevent_list:
        uid = event.uid.value
        if hasattr(event, "recurrence_id"):
            overrides[(uid, event.recurrence_id.value)] = event
        elif hasattr(event, "rrule"):
            masters[uid] = event
        else:
            events.append((uid, event.dtstart.value, event.dtend.value, event.summary.value))
    for uid, master in masters.items():
        length = master.dtend.value - master.dtstart.value  # wall-clock: the same local end on either side of DST
        for start in master.getrruleset(addRDate=True):
            event = overrides.pop((uid, start), None)
            if event is None:
                events.append((uid, start, start + length, master.summary.value))
            else:
                events.append((uid, event.dtstart.value, event.dtend.value, event.summary.value))
    assert not overrides, f"overrides of no instance: {sorted(overrides)}"
    return sorted((uid, start.astimezone(UTC), end.astimezone(UTC), summary) for uid, start, end, summary in events)


VARIANTS = [
    ("acme-shop", {}), ("huaxin-retail", {}), ("sever-logistics", {}), ("harbor-health", {}),
    # make-up Saturdays (days the weekly pattern does not reach), overlaps moved to other times, skips
    ("huaxin-retail", {"communication.meeting_day": "SA", "communication.preset": "intensive"}),
    ("acme-shop", {"communication.meeting_day": "TH", "communication.meeting_time": "14:30", "communication.move_rule": "skip"}),
    ("harbor-health", {"communication.preset": "light", "communication.meeting_day": "FR", "communication.meeting_time": "16:00"}),
]


@pytest.mark.parametrize("client_id,changes", VARIANTS)
def test_two_independent_parsers_expand_the_file_to_exactly_the_plans_occurrences(client_id, changes):
    plan, data = plan_and_ics(client_id, **changes)
    expected = from_plan(plan)
    assert len(expected) > 40 and plan.moves
    assert by_recurring_ical_events(data) == expected
    assert by_vobject(data) == expected


@pytest.mark.parametrize("client_id", ["acme-shop", "huaxin-retail", "sever-logistics", "harbor-health"])
def test_each_cadence_is_one_series_starting_on_its_first_instance(client_id):
    plan, data = plan_and_ics(client_id)
    calendar = icalendar.Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    masters = [e for e in events if "RRULE" in e]
    cadences = {row.item for row in plan.occurrences.itertuples() if row.recurrence_id is not None}
    assert sorted(str(e["UID"]) for e in masters) == sorted(f"{client_id}-{item}@pmworkbook" for item in cadences)
    assert len(events) < 40 < 140 < len(plan.occurrences)  # not one event per occurrence
    text = data.decode("utf-8").replace("\r\n ", "")
    for master in masters:
        # RFC 5545: UNTIL in UTC when DTSTART has a TZID; DTSTART is the rule's first instance
        line = next(line for line in text.splitlines() if line.startswith("RRULE:") and master["RRULE"].to_ical().decode() in line)
        assert re.search(r"UNTIL=\d{8}T\d{6}Z", line), line
        start = master["DTSTART"].dt
        assert rrulestr(master["RRULE"].to_ical().decode(), dtstart=start)[0] == start


def test_days_off_are_exdates_of_the_series():
    plan, data = plan_and_ics("acme-shop")
    calendar = icalendar.Calendar.from_ical(data)
    digest = next(e for e in calendar.walk("VEVENT") if e["UID"] == "acme-shop-daily_digest@pmworkbook" and "RRULE" in e)
    exdates = {d.dt.date() for prop in (digest["EXDATE"] if isinstance(digest["EXDATE"], list) else [digest["EXDATE"]]) for d in prop.dts}
    project = plan.client.project
    official = holidays.country_holidays("PL", years=[2027])
    weekdays = [project.start + dt.timedelta(days=n) for n in range((project.end - project.start).days + 1)]
    expected = {d for d in weekdays if d.weekday() < 5 and (d in official or d in plan.client.communication.days_off)}
    assert exdates == expected and dt.date(2027, 5, 3) in exdates  # Constitution Day


@pytest.mark.parametrize("client_id", ["acme-shop", "huaxin-retail", "sever-logistics", "harbor-health"])
def test_every_changed_instance_is_a_recurrence_id_override_and_no_other(client_id):
    plan, data = plan_and_ics(client_id)
    calendar = icalendar.Calendar.from_ical(data)
    overrides = {(str(e["UID"]), e["RECURRENCE-ID"].dt): e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" in e}
    changed = [row for row in plan.occurrences.itertuples() if row.recurrence_id is not None
               and (row.start != row.recurrence_id or row.merged)]
    assert changed
    for row in changed:
        override = overrides.pop((row.uid, row.recurrence_id))
        assert override["DTSTART"].dt == row.start and override["DTEND"].dt == row.end
        assert str(override["SUMMARY"]).startswith(row.title)
    # what is left differs from its series only by its words (a moved meeting's note): none here
    assert not overrides, sorted(overrides)


def test_a_meeting_holding_a_milestone_review_names_it_in_its_override():
    _, data = plan_and_ics("harbor-health")
    calendar = icalendar.Calendar.from_ical(data)
    override = next(e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" in e and e["DTSTART"].dt.date() == dt.date(2027, 6, 21))
    assert "Portal release" in str(override["SUMMARY"])
    description = str(override["DESCRIPTION"])
    assert description.index("Milestone review: Portal release") < description.index("Progress since the last meeting")
    attendees = {str(a) for a in override["ATTENDEE"]}
    assert "mailto:marcus.lee@harbor.example" in attendees  # the review's audience (the sponsor) joins the meeting's


def _people(event) -> tuple[str, set[str]]:
    attendees = event.get("ATTENDEE", [])
    attendees = attendees if isinstance(attendees, list) else [attendees]
    return str(event["ORGANIZER"]), {str(a).removeprefix("mailto:") for a in attendees}


def test_organizer_is_the_owner_and_attendees_are_the_audiences_people_with_an_email():
    plan, data = plan_and_ics("acme-shop")
    masters = {str(e["UID"]).split("@")[0].removeprefix("acme-shop-"): e
               for e in icalendar.Calendar.from_ical(data).walk("VEVENT") if "RRULE" in e}
    meeting = masters["status_meeting"]
    assert meeting["ORGANIZER"].params["CN"] == "Marta Wiśniewska"
    # client team and agency team: everyone but the organizer
    assert _people(meeting) == ("mailto:marta@studio-nord.example",
                                {"anna@acme.example", "piotr@acme.example", "jan@studio-nord.example", "ewa@studio-nord.example"})
    assert _people(masters["daily_digest"])[1] == {"anna@acme.example"}  # the client-side project manager
    # the monthly review: owned by the account manager, for the sponsor, the client's PM and the account team
    assert _people(masters["monthly_review"]) == ("mailto:jan@studio-nord.example",
                                                  {"piotr@acme.example", "anna@acme.example", "ewa@studio-nord.example"})
    # someone without an e-mail address is not invited
    people = [p.model_dump() for p in plan.client.people]
    people[1]["email"] = None
    _, data = plan_and_ics("acme-shop", people=people)
    meeting = next(e for e in icalendar.Calendar.from_ical(data).walk("VEVENT") if "RRULE" in e and "status_meeting" in str(e["UID"]))
    assert "piotr@acme.example" not in _people(meeting)[1]


def test_location_and_video_link_come_from_the_portfolio_and_written_items_do_not_block_time():
    changes = {"communication.location": "ACME, ul. Prosta 1; sala 3", "communication.video_link": "https://meet.example.com/acme?x=1"}
    plan, data = plan_and_ics("acme-shop", **changes)
    events = icalendar.Calendar.from_ical(data).walk("VEVENT")
    kind = {str(e["UID"]).split("@")[0].removeprefix("acme-shop-").rsplit("-", 1)[0]: e for e in events}
    assert str(kind["kickoff"]["LOCATION"]) == "ACME, ul. Prosta 1; sala 3" and "URL" not in kind["kickoff"]
    assert str(kind["status_meeting"]["LOCATION"]) == str(kind["status_meeting"]["URL"]) == "https://meet.example.com/acme?x=1"
    for event in events:
        written = str(event["UID"]).split("@")[0].removeprefix("acme-shop-").startswith(("weekly_report", "daily_digest", "closure_report"))
        assert str(event["TRANSP"]) == ("TRANSPARENT" if written else "OPAQUE"), event["UID"]
        assert ("LOCATION" in event) != written
    # printed in the schedule, as text
    from pmworkbook.documents.calendar import CommunicationCalendar

    html = str(CommunicationCalendar(plan.client, TEMPLATES).schedule())
    assert "https://meet.example.com/acme?x=1" in html.replace("&amp;", "&") and "ul. Prosta 1; sala 3" in html
    # without them: the channel's name, in the client's language
    _, data = plan_and_ics("acme-shop")
    meeting = next(e for e in icalendar.Calendar.from_ical(data).walk("VEVENT") if "RRULE" in e and "status_meeting" in str(e["UID"]))
    assert str(meeting["LOCATION"]) == TEMPLATES.text("cadences", "pl")["channels.video"] and "URL" not in meeting


def test_a_video_link_that_is_not_a_web_address_is_refused():
    with pytest.raises(ValueError, match="not a web link"):
        demo_client("acme-shop", **{"communication.video_link": "meet.example.com/acme"})


@pytest.mark.parametrize("client_id,zone,change", [("harbor-health", "America/New_York", dt.date(2027, 3, 14)),
                                                   ("acme-shop", "Europe/Warsaw", dt.date(2027, 3, 28))])
def test_meetings_keep_their_local_hour_and_length_across_the_dst_change(client_id, zone, change):
    plan, data = plan_and_ics(client_id)
    local = zoneinfo.ZoneInfo(zone)
    for parsed in (by_recurring_ical_events(data), by_vobject(data)):
        meetings = [(start.astimezone(local), end.astimezone(local)) for uid, start, end, _ in parsed
                    if uid == f"{client_id}-status_meeting@pmworkbook"]
        before = [m for m in meetings if m[0].date() < change]
        after = [m for m in meetings if m[0].date() > change]
        assert before and after and before[0][0].utcoffset() != after[0][0].utcoffset()
        assert {(s.time(), e - s) for s, e in meetings} == {(plan.client.communication.meeting_time, dt.timedelta(hours=1))}


ICS_LABELS = {  # a label and its colon as the language writes them: full width in Chinese, no space after it
    "huaxin-retail": ("华信零售有限公司：沟通日历", "议程：", "负责人：", "参与对象：客户方团队、服务方团队"),
    "acme-shop": ("ACME Sp. z o.o.: Kalendarz komunikacji", "W programie:", "Odpowiada: ", "Odbiorcy: "),
    "sever-logistics": ("ООО «Север Логистик»: Календарь коммуникаций", "Повестка:", "Ответственный: ", "Участники: "),
    "harbor-health": ("Harbor Health Inc.: Communication calendar", "Agenda:", "Owner: ", "Audience: "),
}


@pytest.mark.parametrize("client_id", list(ICS_LABELS))
def test_the_event_descriptions_labels_take_their_languages_colon(client_id):
    _, data = plan_and_ics(client_id)
    calendar = icalendar.Calendar.from_ical(data)
    name, agenda, owner, audience = ICS_LABELS[client_id]
    assert str(calendar["X-WR-CALNAME"]) == name
    meeting = next(e for e in calendar.walk("VEVENT") if "RRULE" in e and "status_meeting" in str(e["UID"]))
    lines = str(meeting["DESCRIPTION"]).splitlines()
    assert agenda in lines and lines[lines.index(agenda) + 1].startswith("- ")
    assert any(line.startswith(owner) for line in lines) and any(line.startswith(audience) for line in lines)
    if client_id == "huaxin-retail":
        text = str(meeting["DESCRIPTION"])
        assert not re.search(r"[\u4e00-\u9fff][:,]", text), text  # no half-width colon or comma after Chinese


@pytest.mark.parametrize("client_id,changes,note", [
    # the written report leaves Juneteenth for the day before, clear of another item: day and time both change
    ("harbor-health", {"communication.meeting_day": "TH", "communication.meeting_time": "16:00"},
     "Moved from June 18, 2027, 4:00\u202fPM: "),
    # the report leaves the Mid-Autumn Festival for the day before, where a milestone preview holds 16:00
    ("huaxin-retail", {"communication.meeting_day": "TU", "communication.meeting_time": "16:00"}, "原定2026年9月25日 16:00，"),
])
def test_an_instance_moved_to_another_day_and_time_names_both_as_the_schedule_does(client_id, changes, note):
    plan, data = plan_and_ics(client_id, **changes)
    rows = [row for row in plan.occurrences.itertuples() if row.original_start is not None and row.original_date is not None
            and row.original_start.time() != row.start.time()]
    assert rows
    row = rows[0]
    calendar = icalendar.Calendar.from_ical(data)
    event = next(e for e in calendar.walk("VEVENT") if str(e["UID"]) == row.uid
                 and ("RECURRENCE-ID" not in e or e["RECURRENCE-ID"].dt == row.recurrence_id) and e["DTSTART"].dt == row.start)
    assert str(event["DESCRIPTION"]).splitlines()[-1].startswith(note)
    from pmworkbook.documents.calendar import CommunicationCalendar

    schedule = str(CommunicationCalendar(plan.client, TEMPLATES).schedule())
    assert note.strip() in schedule  # the schedule's note says the same
