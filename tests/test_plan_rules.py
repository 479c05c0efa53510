"""The communication plan's collision rules (issue 15): the cases found in the demo packs, each
rule in the four languages, provisional holidays, working-hour warnings, and generated
portfolios whose .ics never holds two overlapping events of one client."""

from __future__ import annotations

import datetime as dt
import re

import holidays
import icalendar
import pytest
import recurring_ical_events
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DEMO, demo_client, write_portfolio
from pmworkbook.core.i18n import Formatter
from pmworkbook.core.templates import Templates
from pmworkbook.plan.communication import CommunicationPlan, build_plan
from pmworkbook.plan.validation import validate
from pmworkbook.plan.workdays import NoWorkingDay, WorkingCalendar, official_until
from pmworkbook.portfolio.model import Client
from pmworkbook.render.ics import to_ical

TEMPLATES = Templates.get()
LANGUAGES = ("en", "zh", "pl", "ru")




def plan_of(client_id: str, **changes) -> CommunicationPlan:
    return build_plan(demo_client(client_id, **changes), TEMPLATES)


def rows_on(plan: CommunicationPlan, day: dt.date):
    frame = plan.occurrences
    return frame[frame["date"] == day]


def ics_events(plan: CommunicationPlan) -> list:
    """The .ics expanded by icalendar + recurring-ical-events: every event a client's calendar shows."""
    calendar = icalendar.Calendar.from_ical(to_ical(plan, Formatter(plan.client.language, plan.client.country, TEMPLATES)))
    return recurring_ical_events.of(calendar).between(dt.date(2000, 1, 1), dt.date(2100, 1, 1))


def overlapping(events: list) -> list[tuple[str, str]]:
    """Pairs of events whose times overlap (instants, so in every participant's zone)."""
    spans = sorted((e["DTSTART"].dt, e["DTEND"].dt, str(e["SUMMARY"])) for e in events)
    found, latest = [], None
    for start, end, summary in spans:
        if latest is not None and start < latest[0]:
            found.append((latest[1], f"{summary} {start}"))
        if latest is None or end > latest[0]:
            latest = (end, f"{summary} {start}")
    return found


def text(language: str, key: str) -> str:
    return TEMPLATES.text("i18n", language)[key]


# -- the cases of the issue, in the demo


@pytest.mark.parametrize("client_id", ["acme-shop", "huaxin-retail", "sever-logistics", "harbor-health"])
def test_no_two_events_of_a_demo_client_overlap_in_the_ics(client_id):
    plan = plan_of(client_id)
    events = ics_events(plan)
    assert len(events) == len(plan.occurrences) > 100
    assert overlapping(events) == []


@pytest.mark.parametrize("client_id,day,hour", [("harbor-health", dt.date(2027, 2, 1), (9, 30)),
                                                ("sever-logistics", dt.date(2027, 1, 11), (11, 0))])
def test_the_kickoff_replaces_the_first_status_meeting_on_its_day(client_id, day, hour):
    plan = plan_of(client_id)
    held = rows_on(plan, day)
    kickoff = held[held["item"] == "kickoff"].iloc[0]
    assert (kickoff["start"].hour, kickoff["start"].minute) == hour
    assert "status_meeting" not in set(held["item"]) and kickoff["merged"] == ("status_meeting",)
    move = next(m for m in plan.moves if m.item == "status_meeting" and m.original == day)
    assert (move.action, move.rule, move.moved_to, move.into) == ("merged", "same_day", day, kickoff["title"])
    assert move.reason == text(plan.client.language, "calendar.reasons.kickoff")


@pytest.mark.parametrize("client_id,day,item,milestone", [
    ("acme-shop", dt.date(2027, 4, 13), "milestone_preview-2", "Prototyp"),
    ("acme-shop", dt.date(2027, 6, 15), "milestone_review-3", "Uruchomienie"),
    ("huaxin-retail", dt.date(2026, 9, 24), "milestone_preview-1", "需求确认"),
    ("sever-logistics", dt.date(2027, 5, 17), "milestone_preview-3", "Запуск"),
])
def test_a_milestone_item_on_a_status_meeting_day_is_held_within_the_meeting(client_id, day, item, milestone):
    plan = plan_of(client_id)
    held = rows_on(plan, day)
    assert item not in set(held["item"])
    meeting = held[held["item"] == "status_meeting"]
    assert len(meeting) == 1
    meeting = meeting.iloc[0]
    assert meeting["merged"] == (item,) and meeting["milestone"] == milestone and milestone in meeting["title"]
    move = next(m for m in plan.moves if m.item == item)
    assert (move.action, move.rule, move.moved_to, move.into) == ("merged", "same_day", day, meeting["title"])
    assert meeting["agenda"][0] == move.title  # the review's title, first on the meeting's agenda
    assert meeting["start"] == move.moved_start


def test_a_milestone_on_a_public_holiday_moves_its_review_with_a_row_then_joins_the_meeting():
    # harbor-health's "Portal release" is on 18 June 2027, Juneteenth observed; 21 June is a Monday meeting.
    plan = plan_of("harbor-health")
    first, second = [m for m in plan.moves if m.item == "milestone_review-3"]
    assert (first.original, first.moved_to, first.action, first.rule) == (dt.date(2027, 6, 18), dt.date(2027, 6, 21), "moved", "day_off")
    assert "Juneteenth" in first.reason
    assert (second.original, second.action, second.rule) == (dt.date(2027, 6, 21), "merged", "same_day")
    assert rows_on(plan, dt.date(2027, 6, 18)).query("kind != 'cadence'").empty


def test_a_meeting_moved_off_national_day_never_doubles_the_next_regular_meeting():
    plan = plan_of("huaxin-retail")
    move = next(m for m in plan.moves if m.item == "status_meeting" and m.original == dt.date(2026, 10, 1))
    assert (move.action, move.moved_to) == ("merged", dt.date(2026, 10, 8))
    holiday = WorkingCalendar("CN", "zh", dt.date(2026, 9, 1), dt.date(2026, 12, 1)).reason_off(dt.date(2026, 10, 1)).name
    assert move.reason == text("zh", "calendar.reasons.own_next").format(reason=holiday, date=Formatter("zh", "CN", TEMPLATES).date(move.moved_to))
    meetings = rows_on(plan, dt.date(2026, 10, 8)).query("item == 'status_meeting'")
    assert len(meetings) == 1 and meetings.iloc[0]["original_date"] is None  # the regular one, held once


def test_a_meeting_moved_by_the_skip_rule_is_skipped_and_the_table_says_so():
    plan = plan_of("acme-shop", **{"communication.move_rule": "skip"})
    move = next(m for m in plan.moves if m.original == dt.date(2027, 5, 4))
    assert (move.action, move.moved_to, move.moved_start) == ("skipped", None, None)


def test_the_monthly_call_moves_off_a_meeting_that_a_new_time_puts_on_top_of_it():
    # The monthly review is the first working Thursday, 14:00-15:00; the weekly meeting now Thursdays 14:30.
    plan = plan_of("acme-shop", **{"communication.meeting_day": "TH", "communication.meeting_time": "14:30"})
    reviews = plan.occurrences.query("item == 'monthly_review'")
    assert len(reviews) >= 5
    for review in reviews.itertuples():
        meeting = rows_on(plan, review.date).query("item == 'status_meeting'")
        if len(meeting):  # the nearest free time: before the meeting, ending as it starts
            assert review.end == meeting.iloc[0]["start"] and review.start.hour == 13 and review.start.minute == 30
            move = next(m for m in plan.moves if m.item == "monthly_review" and m.original == review.date)
            assert (move.rule, move.action, move.original_start.hour) == ("overlap", "moved", 14)
            assert meeting.iloc[0]["title"] in move.reason and "14:30" in move.reason
    assert overlapping(ics_events(plan)) == []


def test_a_daily_item_without_free_time_is_skipped_not_moved_onto_its_own_next_day():
    # Working hours exactly the meeting's hour: the stand-up finds no free time that day, and the next
    # working day holds a stand-up of its own.
    changes = {"communication.preset": "intensive", "communication.meeting_time": "09:30",
               "communication.working_hours": {"client": "09:30-10:30", "agency": "09:30-10:30"}}
    plan = plan_of("acme-shop", **changes)
    skipped = [m for m in plan.moves if m.item == "daily_standup"]
    assert skipped and all((m.action, m.rule, m.moved_to) == ("skipped", "overlap", None) for m in skipped)
    others = plan.occurrences.query("item != 'daily_standup' and minutes >= 60")
    busy = {row.date for row in others.itertuples()  # the closure report comes after the project's stand-ups
            if (row.start.hour, row.start.minute) == (9, 30) and row.date <= plan.client.project.end}
    assert {m.original for m in skipped} == busy and {d.weekday() for d in busy} >= {1}  # the Tuesday meetings among them
    standups = plan.occurrences.query("item == 'daily_standup'")
    assert not set(standups["date"]) & busy


def test_the_stand_up_moves_to_the_nearest_free_time_on_a_meeting_day():
    plan = plan_of("acme-shop", **{"communication.preset": "intensive", "communication.meeting_time": "09:30"})
    tuesdays = plan.occurrences.query("item == 'daily_standup'")
    tuesdays = tuesdays[[d.weekday() == 1 for d in tuesdays["date"]]]
    assert len(tuesdays) > 10 and {(s.hour, s.minute) for s in tuesdays["start"]} == {(9, 15)}


# -- the rules' words, in each language


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_rule_gives_its_reason_in_the_clients_language(language):
    plans = [plan_of("harbor-health", language=language),
             plan_of("huaxin-retail", language=language),
             plan_of("acme-shop", language=language, **{"communication.meeting_day": "TH", "communication.meeting_time": "14:30"})]
    moves = [m for plan in plans for m in plan.moves]
    assert {m.rule for m in moves} == {"day_off", "same_day", "overlap"}
    assert {m.action for m in moves} >= {"moved", "merged"}
    english = {m.reason for plan in [plan_of("harbor-health", language="en")] for m in plan.moves if m.rule != "day_off"}
    script = {"zh": r"[\u4e00-\u9fff]", "ru": r"[а-яё]", "pl": r"[a-ząćęłńóśźż]", "en": r"[a-z]"}[language]
    for move in moves:
        assert move.reason, move
        if move.rule != "day_off":  # a day off's reason is the holiday's name, in the language the holidays package has
            assert re.search(script, move.reason), move
            assert language == "en" or move.reason not in english
    merged_titles = [m.into for m in moves if m.rule == "same_day" and m.item.startswith("milestone")]
    assert any("Portal release" in title for title in merged_titles)
    # the collision rules and the moved table's words are whole sentences of that language
    rules = text(language, "calendar.collision_rules")
    assert rules != text("en", "calendar.collision_rules") or language == "en"


# -- provisional holidays


def test_the_holidays_package_has_no_official_chinese_schedule_after_the_year_it_names():
    last = official_until("CN")
    assert last is not None and official_until("PL") is None and official_until("US") is None
    workdays = holidays.country_holidays("CN", years=[last, last + 1]).weekend_workdays
    assert any(day.year == last for day in workdays)  # make-up Saturdays decreed for the last official year
    assert not any(day.year == last + 1 for day in workdays)  # none known for the next


@pytest.mark.parametrize("language,words", [("zh", "暂定（官方安排尚未公布）"), ("pl", "wstępne (oficjalny kalendarz nieopublikowany)"),
                                            ("ru", "предварительно (официальный график не опубликован)"), ("en", "provisional")])
def test_the_calendar_says_when_holidays_are_provisional(language, words):
    last = official_until("CN")
    plan = plan_of("huaxin-retail", language=language)  # 2026-09-07 to 2027-01-29
    assert plan.provisional_years == tuple(range(last + 1, 2028))
    notes = [w for w in plan.warnings if words in w]
    assert len(notes) == 1 and str(last + 1) in notes[0]
    assert not plan_of("acme-shop", language=language).provisional_years


def test_a_russian_engagement_after_the_published_years_is_provisional_too():
    last = official_until("RU")
    later = plan_of("sever-logistics", **{"project.start": dt.date(last + 1, 1, 11), "project.end": dt.date(last + 1, 3, 31),
                                          "project.milestones": [], "communication.days_off": []})
    assert later.provisional_years == (last + 1,)
    assert not plan_of("sever-logistics").provisional_years


def test_the_moved_table_marks_a_move_for_a_provisional_holiday():
    from pmworkbook.documents.calendar import CommunicationCalendar

    changed = demo_client("huaxin-retail", **{"project.end": dt.date(2027, 3, 31), "project.milestones": []})
    html = str(CommunicationCalendar(changed, TEMPLATES).moves())
    plan = build_plan(changed, TEMPLATES)
    spring = [m for m in plan.moves if m.rule == "day_off" and m.original.year == 2027]
    shown = re.sub(r"<[^>]+>", "", html)
    assert spring and shown.count(f"（{text('zh', 'calendar.provisional_mark')}）") == len(spring)


# -- validate: working hours on both sides


def test_validate_warns_about_items_outside_either_sides_working_hours(tmp_path, demo_raw):
    found = validate(DEMO, TEMPLATES).problems_of("harbor-health")
    hours = [p for p in found if p.severity == "warning" and "working hours" in p.message]
    report = next(p for p in hours if p.message.startswith("weekly_report"))
    assert "22:00 in Europe/Warsaw" in report.message and report.field == "communication.working_hours"
    assert "between 08:00 and 13:00 (America/New_York)" in report.fix  # both sides' hours, in the client's time
    assert {p.message.split()[0] for p in hours} == {"weekly_report", "daily_digest", "monthly_review"}
    assert not [p for p in validate(DEMO, TEMPLATES).problems_of("acme-shop") if "working hours" in p.message]
    # wider hours for the agency: no warning; a meeting too early for the client: a warning on meeting_time
    raw = demo_raw | {"clients": [dict(c) for c in demo_raw["clients"]]}
    harbor = next(c for c in raw["clients"] if c["id"] == "harbor-health")
    harbor["communication"] = {**harbor["communication"], "working_hours": {"agency": "07:00-24:00"}, "meeting_time": "07:00"}
    found = validate(write_portfolio(tmp_path / "p.yaml", raw), TEMPLATES).problems_of("harbor-health")
    hours = [p for p in found if "working hours" in p.message]
    # the items at the meeting's time (the catalog's triggers take it too)
    assert {p.message.split()[0] for p in hours} == {"kickoff", "status_meeting", "milestone_preview", "milestone_review", "closure_report"}
    assert all(p.field == "communication.meeting_time" and "client's working hours 08:00-19:00" in p.message for p in hours)


def test_validate_warns_when_an_item_collides_again_and_again(tmp_path, demo_raw):
    raw = demo_raw | {"clients": [dict(c) for c in demo_raw["clients"]]}
    acme = next(c for c in raw["clients"] if c["id"] == "acme-shop")
    acme["communication"] = {**acme["communication"], "meeting_day": "TH", "meeting_time": "14:30"}
    found = validate(write_portfolio(tmp_path / "p.yaml", raw), TEMPLATES).problems_of("acme-shop")
    clash = [p for p in found if p.message.startswith("monthly_review overlaps another item")]
    assert len(clash) == 1 and clash[0].severity == "warning" and clash[0].field == "communication.meeting_time"
    assert not [p for p in validate(DEMO, TEMPLATES).problems_of("acme-shop") if "overlaps another item" in p.message]


def test_working_hours_in_a_table_cell_and_as_one_range(tmp_path):
    import csv

    from pmworkbook.core.templates import DEMO_PORTFOLIO

    rows = list(csv.reader((DEMO_PORTFOLIO.parent / "demo-clients.csv").read_text(encoding="utf-8").splitlines()))
    rows[0].append("working_hours")
    rows[1].append("client=07:30-18:00; agency=9:00-17:00")
    for row in rows[2:]:
        row.append("")
    path = tmp_path / "clients.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    portfolio = validate(path, TEMPLATES).require()
    first, second = portfolio.clients[0].communication, portfolio.clients[1].communication
    assert first.working_hours == {"client": "07:30-18:00", "agency": "09:00-17:00"}
    assert first.hours("agency") == (dt.time(9), dt.time(17)) and second.hours("client") == (dt.time(8), dt.time(19))
    assert demo_client("acme-shop", **{"communication.working_hours": "09:00-17:30"}).communication.hours("agency") == (dt.time(9), dt.time(17, 30))
    with pytest.raises(ValueError, match="ends before it starts"):
        demo_client("acme-shop", **{"communication.working_hours": {"client": "18:00-09:00"}})


# -- generated portfolios: no two events of a client overlap


COUNTRIES = {"PL": ["Europe/Warsaw"], "CN": ["Asia/Shanghai"], "RU": ["Europe/Moscow", "Asia/Yekaterinburg"],
             "US": ["America/New_York", "America/Los_Angeles"]}
AGENCY_ZONES = ["Europe/Warsaw", "Asia/Shanghai", "America/New_York", "Europe/Moscow"]
PEOPLE = [{"name": "Ana Client", "role": "client_pm", "side": "client", "email": "ana@client.example"},
          {"name": "Sam Sponsor", "role": "sponsor", "side": "client", "email": "sam@client.example"},
          {"name": "Pia Agency", "role": "project_manager", "side": "agency", "email": "pia@agency.example"},
          {"name": "Max Account", "role": "account_manager", "side": "agency", "email": "max@agency.example"}]


@st.composite
def engagements(draw) -> dict:
    country = draw(st.sampled_from(sorted(COUNTRIES)))
    start = draw(st.dates(dt.date(2026, 9, 1), dt.date(2027, 11, 1)))
    end = start + dt.timedelta(days=draw(st.integers(20, 110)))
    calendar = WorkingCalendar(country, "en", start, end)
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    off = [d for d in days if not calendar.is_working_day(d)]  # weekends and public holidays: where collisions start
    milestone_days = draw(st.lists(st.sampled_from(off) | st.sampled_from(days), max_size=3))
    return {
        "id": "generated", "name": "Generated client", "language": draw(st.sampled_from(LANGUAGES)), "country": country,
        "timezone": draw(st.sampled_from(COUNTRIES[country])),
        "agency": {"name": "Agency", "email": "hello@agency.example", "timezone": draw(st.sampled_from(AGENCY_ZONES))},
        "project": {"name": "Project", "start": start, "end": end,
                    "milestones": [{"name": f"M{n}", "date": d} for n, d in enumerate(milestone_days, start=1)]},
        "people": PEOPLE,
        "communication": {
            "preset": draw(st.sampled_from(["standard", "light", "intensive"])),
            "meeting_day": draw(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA"])),
            "meeting_time": dt.time(draw(st.integers(7, 18)), draw(st.sampled_from([0, 15, 30, 45]))),
            "meeting_minutes": draw(st.sampled_from([15, 30, 45, 60, 90, 120])),
            "move_rule": draw(st.sampled_from(["following", "preceding", "modified_following", "skip"])),
            "preview_days": draw(st.integers(0, 4)), "closure_days": draw(st.integers(0, 3)),
            "days_off": draw(st.lists(st.sampled_from(days), max_size=3)),
            "working_hours": draw(st.sampled_from(["08:00-19:00", "09:00-17:00", {"client": "10:00-16:00", "agency": "08:00-18:00"}])),
        },
    }


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(engagements())
def test_generated_engagements_never_hold_overlapping_events(data):
    engagement = Client.model_validate(data)
    try:
        plan = build_plan(engagement, TEMPLATES)
    except NoWorkingDay:
        return  # validate refuses such a client
    events = ics_events(plan)
    assert overlapping(events) == []
    assert len(events) == len(plan.occurrences)
    for move in plan.moves:  # every move is explained
        assert move.reason and (move.moved_to is None) == (move.action == "skipped")


def test_the_first_working_thursday_is_where_the_rule_puts_the_review_not_a_move():
    # 1 October 2026 is National Day: the month's first working Thursday is 8 October.
    plan = plan_of("huaxin-retail")
    reviews = plan.occurrences.query("item == 'monthly_review'")
    october = reviews[reviews["date"].map(lambda d: (d.year, d.month)) == (2026, 10)].iloc[0]
    assert october["date"] == dt.date(2026, 10, 8)
    assert october["original_date"] is None and october["original_start"] is None and october["moved_reason"] == ""
    assert not [m for m in plan.moves if m.item == "monthly_review"]
    # the .ics still replaces the series' 1 October instance by the one on 8 October
    assert october["recurrence_id"].date() == dt.date(2026, 10, 1)
    events = [e for e in ics_events(plan) if "monthly_review" in str(e.get("uid"))]
    assert {e.start.date() for e in events} & {dt.date(2026, 10, 1), dt.date(2026, 10, 8)} == {dt.date(2026, 10, 8)}
