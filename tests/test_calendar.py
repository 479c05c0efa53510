"""The communication calendar: working days per country, moves, time zones, and the .ics read
back by independent parsers (icalendar + recurring-ical-events)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import holidays
import icalendar
import pytest
import recurring_ical_events

from conftest import DEMO, DEMO_LANGUAGES, demo_client, visible_text
from pmworkbook.core.i18n import Formatter
from pmworkbook.core.templates import Templates
from pmworkbook.plan import communication
from pmworkbook.plan.validation import validate
from pmworkbook.portfolio.model import Client
from pmworkbook.render.ics import to_ical

TEMPLATES = Templates.get()


def build_plan(client: Client):
    return communication.build_plan(client, TEMPLATES)


def formatter(client: Client) -> Formatter:
    return Formatter(client.language, client.country, TEMPLATES)




def calendar_document(client: Client):
    from pmworkbook.documents.calendar import CommunicationCalendar

    return CommunicationCalendar(client, TEMPLATES)


def page_text(fragment) -> str:
    """What a reader sees of a fragment, on one line (no-break spaces kept)."""
    return re.sub(r"[ \t\n]+", " ", visible_text(str(fragment))).strip()


def cells_text(fragment) -> str:
    """A fragment's table cells as "| cell | cell |", to compare a whole cell."""
    html = re.sub(r"\s*</?t[dh][^>]*>\s*", " | ", str(fragment))
    return page_text(html)


def parsed_events(plan):
    calendar = icalendar.Calendar.from_ical(to_ical(plan, formatter(plan.client)))
    start = dt.date(2000, 1, 1)
    return calendar, recurring_ical_events.of(calendar).between(start, dt.date(2100, 1, 1))


@pytest.mark.parametrize("client_id", ["acme-shop", "huaxin-retail", "sever-logistics", "harbor-health"])
def test_ics_occurrences_equal_the_dataframe(client_id):
    plan = build_plan(demo_client(client_id))
    _, events = parsed_events(plan)
    from_ics = sorted((str(e["UID"]), e["DTSTART"].dt, e["DTEND"].dt) for e in events)
    frame = plan.occurrences
    from_frame = sorted(zip(frame["uid"], frame["start"], frame["end"], strict=True))
    assert len(from_ics) == len(from_frame) > 50
    for (uid_a, start_a, end_a), (uid_b, start_b, end_b) in zip(from_ics, from_frame, strict=True):
        assert uid_a == uid_b and start_a == start_b and end_a == end_b
        assert start_a.utcoffset() == start_b.utcoffset()


@pytest.mark.parametrize("client_id,country", [("acme-shop", "PL"), ("huaxin-retail", "CN"), ("sever-logistics", "RU"), ("harbor-health", "US")])
def test_no_occurrence_falls_on_a_weekend_holiday_or_day_off(client_id, country):
    client = demo_client(client_id)
    plan = build_plan(client)
    official = holidays.country_holidays(country, years=range(2026, 2029))
    makeup = set(getattr(official, "weekend_workdays", ()) or ())
    _, events = parsed_events(plan)
    for event in events:
        day = event["DTSTART"].dt.date()
        assert day not in official, (event["SUMMARY"], day, official.get(day))
        assert day.weekday() < 5 or day in makeup, (event["SUMMARY"], day)
        assert day not in client.communication.days_off


def test_polish_engagement_day_off_moves_the_meeting_and_says_so():
    plan = build_plan(demo_client("acme-shop"))
    move = next(m for m in plan.moves if m.original == dt.date(2027, 5, 4))
    # the reason as it reads after a colon; its own table cell starts it with a capital
    assert move.moved_to == dt.date(2027, 5, 5) and move.reason == "dzień wolny w projekcie"
    document = calendar_document(plan.client)
    assert "Termin przeniesiony z 4 maja 2027: dzień wolny w projekcie." in page_text(document.schedule())
    assert "| Dzień wolny w projekcie |" in cells_text(document.moves())


def test_chinese_make_up_saturday_holds_a_meeting():
    # 2026-10-10 is a Saturday worked in exchange for the National Day holiday.
    client = demo_client("huaxin-retail", **{"communication.meeting_day": "SA"})
    frame = build_plan(client).occurrences
    saturday = frame[frame["date"] == dt.date(2026, 10, 10)]
    assert "status_meeting" in set(saturday["item"])
    assert "daily_digest" in set(saturday["item"])
    # and National Day itself holds nothing
    assert frame[frame["date"] == dt.date(2026, 10, 1)].empty


def test_national_day_meeting_merges_with_the_next_regular_meeting_and_names_the_holiday():
    # The next working day after National Day week, 8 Oct, is a meeting day already: one meeting, not two.
    plan = build_plan(demo_client("huaxin-retail"))
    move = next(m for m in plan.moves if m.original == dt.date(2026, 10, 1) and m.item == "status_meeting")
    assert (move.moved_to, move.action) == (dt.date(2026, 10, 8), "merged") and move.reason.startswith("国庆节；")
    frame = plan.occurrences
    assert len(frame[(frame["date"] == dt.date(2026, 10, 8)) & (frame["item"] == "status_meeting")]) == 1


@pytest.mark.parametrize("rule,expected", [("following", dt.date(2027, 5, 5)), ("preceding", dt.date(2027, 4, 30)), ("skip", None)])
def test_move_rules(rule, expected):
    # 2027-05-04 is the project's day off; 05-03 is Constitution Day, 05-01/02 a weekend.
    client = demo_client("acme-shop", **{"communication.move_rule": rule})
    move = next(m for m in build_plan(client).moves if m.original == dt.date(2027, 5, 4))
    assert move.moved_to == expected


def test_us_meeting_keeps_its_local_hour_across_the_march_change():
    plan = build_plan(demo_client("harbor-health"))
    _, events = parsed_events(plan)
    meetings = sorted(e["DTSTART"].dt for e in events if str(e["UID"]) == "harbor-health-status_meeting@pmworkbook")
    before = [m for m in meetings if m.date() < dt.date(2027, 3, 14)]
    after = [m for m in meetings if m.date() > dt.date(2027, 3, 14)]
    assert before and after
    assert {m.hour for m in meetings} == {9} and {m.minute for m in meetings} == {30}
    utc = zoneinfo.ZoneInfo("UTC")
    assert {m.astimezone(utc).hour for m in before} == {14}  # EST, UTC-5
    assert {m.astimezone(utc).hour for m in after} == {13}  # EDT, UTC-4


def test_agency_time_is_shown_when_the_agency_works_elsewhere():
    frame = build_plan(demo_client("sever-logistics")).occurrences
    meeting = frame[frame["item"] == "status_meeting"].iloc[0]
    assert meeting["start"].hour == 11 and meeting["agency_start"].hour in (9, 10)  # Moscow vs Warsaw


def test_uids_are_unique_and_stable_across_builds():
    # A cadence's occurrences share their series' UID and differ by RECURRENCE-ID.
    def ids(plan):
        return list(zip(plan.occurrences["uid"], plan.occurrences["recurrence_id"], strict=True))

    first, second = ids(build_plan(demo_client("acme-shop"))), ids(build_plan(demo_client("acme-shop")))
    assert first == second and len(set(first)) == len(first)


def test_ics_has_dtstamp_vtimezone_and_lines_folded_at_75_octets():
    plan = build_plan(demo_client("huaxin-retail"))
    data = to_ical(plan, formatter(plan.client))
    assert all(len(line) <= 75 for line in data.split(b"\r\n")), max(data.split(b"\r\n"), key=len)
    calendar = icalendar.Calendar.from_ical(data)
    zones = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    assert zones == {"Asia/Shanghai"}
    for event in calendar.walk("VEVENT"):
        assert "DTSTAMP" in event and event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert "每周项目例会" in data.decode("utf-8").replace("\r\n ", "")


def test_unknown_country_falls_back_to_weekends_with_a_warning_in_the_document():
    client = demo_client("acme-shop", country="AC")  # Ascension Island: a code the holidays package does not know
    plan = build_plan(client)
    assert plan.warnings and "Wyspa Wniebowstąpienia" in plan.warnings[0]  # Ascension Island, in Polish
    assert all(day.weekday() < 5 for day in plan.occurrences["date"])


def test_month_grid_weeks_start_on_the_locales_first_day_unless_set():
    import re

    from pmworkbook.render.calendar_views import month_grid

    def first_header(client):
        plan = build_plan(client)
        html = str(month_grid(plan, formatter(client), client.communication.week_start))
        return re.search(r"<thead><tr><th>([^<]+)</th>", html)[1]

    assert first_header(demo_client("harbor-health")) == "Sun"  # en_US weeks start on Sunday
    assert first_header(demo_client("acme-shop")) == "pon."  # Polish weeks start on Monday
    assert first_header(demo_client("harbor-health", **{"communication.week_start": "MO"})) == "Mon"


def test_chinese_holidays_read_as_mainland_calendars_name_them():
    # The holidays package names observed days "国庆节（补假）" (Hong Kong and Taiwan usage) and swapped days
    # off "休息日（由 2026-09-20 调休）" (an ISO date inside Chinese text); the documents use the catalog's names.
    import datetime as dt
    import re

    from pmworkbook.core.templates import Templates
    from pmworkbook.plan.communication import build_plan

    client = validate(DEMO, Templates.get()).require().client("huaxin-retail")
    calendar = build_plan(client, Templates.get()).calendar
    names = {day: calendar.reason_off(day).name for day in (dt.date(2026, 10, 5), dt.date(2026, 10, 6))}
    assert names == {dt.date(2026, 10, 5): "国庆节", dt.date(2026, 10, 6): "调休休息日（9月20日上班）"}
    every = [calendar.holiday_name(day) for day in calendar.holidays]
    assert not [n for n in every if "补假" in n or re.search(r"\d{4}-\d{2}-\d{2}", n)], every


# -- the wording of moves, the legend, sentences and times (the language reviewers' points)

MOVED_NOTES = {  # a reason after a colon: lower case, but a holiday keeps its name's capitals
    "harbor-health": ["Moved from February 15, 2027: Washington's Birthday.",
                      "Moved from June 18, 2027: Juneteenth National Independence Day (observed); "
                      "an item due on the week's last working day stays in its week."],
    "sever-logistics": ["Перенесено с 8 марта 2027\u202fг.: Международный женский день.",
                        "Перенесено с 10 мая 2027\u202fг.: День Победы (выходной).",
                        "Перенесено с 22 февраля 2027\u202fг.: выходной (перенесён с 20\u00a0февраля).",
                        "Перенесено с 19 февраля 2027\u202fг.: последним рабочим днём недели стал перенесённый рабочий день."],
    "acme-shop": ["Termin przeniesiony z 4 maja 2027: dzień wolny w projekcie."],
    "huaxin-retail": ["原定2026年10月2日，调整原因：国庆节；每周最后一个工作日的事项不顺延至下周。", "原定2026年9月18日，调整原因：本周最后一个工作日为调休上班日。"],
}


@pytest.mark.parametrize("client_id", DEMO_LANGUAGES)
def test_a_moved_meetings_reason_after_the_colon_is_lower_case_unless_a_holidays_name(client_id):
    client = demo_client(client_id)
    document = calendar_document(client)
    plan = document.plan
    schedule, months = page_text(document.schedule()), page_text(document.month_view())
    for note in MOVED_NOTES[client_id]:
        assert note in schedule and note in months, note
    holidays_named = {m.original: plan.calendar.holiday_name(m.original) for m in plan.moves}
    for move in plan.moves:
        first = move.reason[:1]
        # a capital only where the reason is a public holiday's own name ("Boże Narodzenie", "День Победы")
        assert not first.isupper() or move.reason.startswith(holidays_named[move.original]), move
    # In the table of moves each reason stands alone in its cell: it starts with a capital.
    cells = re.sub(r" ?[（(] \S+ [）)]", "", cells_text(document.moves()))  # without a provisional mark's "( 暂定 )"
    for move in plan.moves:
        assert f"| {move.reason[:1].upper()}{move.reason[1:]}" in cells, move.reason


def test_a_polish_holiday_keeps_its_capitals_after_the_colon():
    client = demo_client("acme-shop", **{"project.start": dt.date(2026, 12, 1), "communication.meeting_day": "MO"})
    document = calendar_document(client)
    schedule, months = page_text(document.schedule()), page_text(document.month_view())
    for note in ("Termin przeniesiony z 25 grudnia 2026: Boże Narodzenie (pierwszy dzień); pozycja przypadająca na "
                 "ostatni dzień roboczy tygodnia pozostaje w tym samym tygodniu.",
                 "Termin przeniesiony z 29 marca 2027: Poniedziałek Wielkanocny.",
                 "Termin przeniesiony z 3 maja 2027: Święto Narodowe Trzeciego Maja."):
        assert note in schedule and note in months, note
    assert "boże Narodzenie" not in schedule + months and "poniedziałek Wielkanocny" not in schedule + months


@pytest.mark.parametrize("client_id,shown", [("acme-shop", False), ("harbor-health", False), ("huaxin-retail", True),
                                             ("sever-logistics", True)])  # Russia works Saturday 20 Feb 2027
def test_the_make_up_day_key_is_in_the_legend_only_when_a_shown_month_has_one(client_id, shown):
    from pmworkbook.render.calendar_views import month_grid

    client = demo_client(client_id)
    html = str(month_grid(build_plan(client), formatter(client)))
    label = TEMPLATES.text("i18n", client.language)["calendar.makeup_day"]
    assert ('class="swatch makeup"' in html) is shown and (label in visible_text(html)) is shown
    # the engagement's own working Saturday is one too
    saturday = dt.date(2027, 3, 6)
    worked = demo_client("acme-shop", **{"communication.working_days": [saturday]})
    html = str(month_grid(build_plan(worked), formatter(worked)))
    assert 'class="swatch makeup"' in html and "Dzień odpracowania" in visible_text(html)


def test_chinese_sentences_follow_each_other_without_a_space():
    client = demo_client("huaxin-retail", **{"communication.video_link": "https://meet.example/hx"})
    document = calendar_document(client)
    summary, moves, schedule = (visible_text(str(f)) for f in (document.summary(), document.moves(), document.schedule()))
    assert "所有时间均为北京时间。休息日：" in summary
    assert "落在休息日的事项顺延至下一个工作日。多个事项安排在同一天时" in moves
    assert "每日事项在每个工作日进行，详见月历视图。视频会议：https://meet.example/hx。" in schedule
    paragraphs = [visible_text(p) for f in (document.summary(), document.moves(), document.schedule())
                  for p in re.findall(r"<p[^>]*>(.*?)</p>", str(f), re.S)]
    assert len(paragraphs) >= 3 and not [p for p in paragraphs if re.search(r"[。；：，]\s+\S", p.strip())]
    polish = calendar_document(demo_client("acme-shop"))
    assert "(Warszawa). Dni wolne:" in page_text(polish.summary())
    assert "dzień roboczy. Gdy terminy się pokrywają" in page_text(polish.moves())


@pytest.mark.parametrize("client_id,meeting,service", [
    # US English: a 12-hour clock; one unit, its spaces no-break (U+202F narrow, U+00A0): no line ends after the dash
    ("harbor-health", "9:30\u202f–\u202f10:30\u202fAM", "9:00\u202fAM\u202f–\u202f6:00\u202fPM"),
    ("acme-shop", "10:00–11:00", "09:00–18:00"),
    ("huaxin-retail", "10:00–11:00", "09:00–18:00"),
    ("sever-logistics", "11:00–12:00", "09:00–18:00"),
])
def test_times_from_and_to_are_written_as_the_locale_writes_them(client_id, meeting, service):
    client = demo_client(client_id)
    assert f'<td class="nowrap">{meeting}</td>' in str(calendar_document(client).schedule())
    fmt = formatter(client)
    assert fmt.clock_hours(client.status.service_hours) == service
    from pmworkbook.render.service_log import instructions

    assert service in instructions(client, fmt)["promise"]


def test_a_time_range_on_a_twelve_hour_clock_names_the_period_once_when_both_share_it():
    fmt = Formatter("en", "US", TEMPLATES)
    assert fmt.time_range(dt.time(9), dt.time(18)) == "9:00\u202fAM\u202f–\u202f6:00\u202fPM"
    assert fmt.time_range(dt.time(9, 30), dt.time(10, 30)) == "9:30\u202f–\u202f10:30\u202fAM"
    new_york = zoneinfo.ZoneInfo("America/New_York")  # a datetime counts by its own wall clock
    start = dt.datetime(2027, 3, 15, 9, 30, tzinfo=new_york)
    assert fmt.time_range(start, start + dt.timedelta(hours=1)) == "9:30\u202f–\u202f10:30\u202fAM"
    assert Formatter("en", "GB", TEMPLATES).time_range(dt.time(9), dt.time(18)) == "09:00–18:00"


def _cell_lines(html: str, language: str, text: str) -> list[tuple[int, float, float]]:
    """Each table cell of the printed page whose text is `text`: its lines, the width its text takes
    and the width the cell has for it (WeasyPrint's layout, A4 as the documents print)."""
    import weasyprint
    from weasyprint.formatting_structure import boxes

    from pmworkbook.render.html import read_stylesheet

    page = f'<html lang="{language}"><head><style>{read_stylesheet(TEMPLATES.css_path)}</style></head><body><main class="document">{html}</main></body></html>'
    found = []
    for laid_out in weasyprint.HTML(string=page).render().pages:
        for box in laid_out._page_box.descendants():
            if isinstance(box, boxes.TableCellBox):
                lines = [line for line in box.descendants() if isinstance(line, boxes.LineBox)]
                words = "".join(child.text for line in lines for child in line.descendants() if isinstance(child, boxes.TextBox))
                if words == text:
                    found.append((len(lines), max(line.width for line in lines), box.width))
    return found


def test_a_time_range_stays_on_one_line_in_its_column_and_the_columns_still_fill_the_page():
    # The longest a 12-hour range gets (both periods named), beside the agency's times.
    client = demo_client("harbor-health", **{"communication.meeting_time": "11:30"})
    fmt = formatter(client)
    schedule = str(calendar_document(client).schedule())
    assert 'class="grid compact fixed schedule clock-12"' in schedule and '<col class="time agency">' in schedule
    cells = re.findall(r'<td class="nowrap">([^<]*[AP]M)</td>', schedule)
    assert cells and not [c for c in cells if re.search(r"[ \u2009]", c)], cells  # no breakable space in a range
    widest = fmt.time_range(dt.time(11, 30), dt.time(12, 30))
    assert widest == "11:30\u202fAM\u202f–\u202f12:30\u202fPM" and widest in cells
    laid_out = _cell_lines(schedule, "en", widest)
    assert laid_out and all(lines == 1 and width <= room + 0.01 for lines, width, room in laid_out), laid_out
    # A 24-hour clock keeps the narrower column: no clock-12 class.
    assert "clock-12" not in str(calendar_document(demo_client("acme-shop")).schedule())


TABLE_DATES = {  # 4 May 2027 in a table cell: the same form in every document of a language
    ("en", "US"): "May 4, 2027", ("en", "GB"): "4 May 2027", ("zh", "CN"): "2027年5月4日",
    ("pl", "PL"): "04.05.2027", ("ru", "RU"): "4 мая 2027\u202fг.",
}


@pytest.mark.parametrize("language,country", list(TABLE_DATES))
def test_a_date_in_a_table_reads_as_the_language_writes_it(language, country):
    fmt = Formatter(language, country, TEMPLATES)
    may = dt.date(2027, 5, 4)
    assert fmt.date_short(may) == TABLE_DATES[(language, country)]
    # Polish never takes the abbreviation that is also the nominative ("4 maj"): the month is spelled out
    # in its genitive outside tables, in a day range too.
    if language == "pl":
        assert fmt.skeleton(may, "MMMd") == "4 maja" and fmt.skeleton(may, "MMMEd") == "wt., 4 maja"
        assert fmt.interval(may, dt.date(2027, 5, 10), "MMMd") == "4–10 maja"
        assert fmt.interval(may, dt.date(2027, 6, 2), "MMMd") == "4 maja\u2009–\u20092 czerwca"
        assert fmt.date_time(dt.datetime(2027, 5, 4, 10)) == "4 maja 2027 10:00"
    else:
        assert fmt.skeleton(may, "MMMd") == {"en": "May 4" if country == "US" else "4 May", "zh": "5月4日", "ru": "4 мая"}[language]


def test_polish_calendar_pages_write_no_nominative_month_after_a_day():
    data = demo_client("acme-shop", **{"communication.preset": "intensive"}).model_dump()
    # May too full for a grid (a milestone on each working day of two weeks): its week-by-week agenda too
    days = [dt.date(2027, 5, day) for day in (10, 11, 12, 13, 14, 17, 18, 19, 20, 21)]
    data["project"]["milestones"] = [{"name": f"Etap {n}: odbiór modułu integracji", "date": day} for n, day in enumerate(days, 1)]
    data["project"]["deliverables"], data["raci"] = [m["name"] for m in data["project"]["milestones"]], None
    document = calendar_document(Client.model_validate(data))
    schedule, moves, months = (page_text(f) for f in (document.schedule(), document.moves(), document.month_view()))
    assert "04.05.2027" in moves and "05.05.2027" in moves  # Constitution Day's meeting: original and new date
    assert re.search(r"\b\d\d\.\d\d\.2027\b", schedule)
    nominative = r"\b\d{1,2}\s(sty|lut|mar|kwi|maj|cze|lip|sie|wrz|paź|lis|gru)\b"
    for text in (schedule, moves, months):
        assert not re.search(nominative, text), re.search(nominative, text)
    assert re.search(r"\b\d{1,2}–\d{1,2} maja\b", months), "the weekly agenda of a full month names its days"


@pytest.mark.parametrize("client_id", list(DEMO_LANGUAGES))
def test_every_document_header_writes_the_project_period_as_one_span(client_id):
    client = demo_client(client_id)
    fmt = formatter(client)
    header = page_text(calendar_document(client).header())
    assert fmt.interval(client.project.start, client.project.end, "yMMMMd") in header
    assert f"{fmt.date(client.project.start)} – " not in header
    if client.language == "zh":  # 至 between the ends, as CLDR zh joins its own MMMd interval
        assert fmt.interval(dt.date(2026, 9, 7), dt.date(2027, 1, 29)) == "2026年9月7日至2027年1月29日"
        assert fmt.interval(dt.date(2027, 2, 1), dt.date(2027, 2, 7)) == "2027年2月1日至7日"
        assert "至" in header


def test_mainland_chinese_readers_name_utc_plus_8_after_beijing():
    chinese = Formatter("zh", "CN", TEMPLATES)
    assert chinese.city("Asia/Shanghai") == "北京"
    assert chinese.city("Europe/Warsaw") == "华沙"
    assert Formatter("pl", "PL", TEMPLATES).city("Asia/Shanghai") == "Szanghaj"
    assert Formatter("en", "US", TEMPLATES).city("Asia/Shanghai") == "Shanghai"
    summary = page_text(calendar_document(demo_client("huaxin-retail")).summary())
    assert "北京时间" in summary and "上海时间" not in summary


def test_a_provisional_day_offs_mark_is_a_catalog_pattern():
    moves = re.sub(r"<[^>]+>", "", str(calendar_document(demo_client("huaxin-retail")).moves()))
    assert "元旦（暂定）；每周最后一个工作日的事项不顺延至下周" in moves and " (暂定)" not in moves and "元旦 （" not in moves
    for language in ("en", "pl", "ru"):
        assert TEMPLATES.text("i18n", language)["calendar.provisional_reason"].startswith("{reason} (")


@pytest.mark.parametrize("client_id", list(DEMO_LANGUAGES))
def test_a_day_and_its_month_in_a_moved_label_do_not_break_apart(client_id):
    client = demo_client(client_id)
    fmt = formatter(client)
    assert " " not in fmt.day_month(dt.date(2027, 2, 20))
    reasons = [move.reason for move in communication.build_plan(client, TEMPLATES).moves]
    for month in ("февраля", "lutego", "February", "września", "сентября"):
        assert not any(re.search(rf"\d {month}|{month} \d", reason) for reason in reasons)


def test_event_titles_are_not_hyphenated_and_chinese_summary_phrases_stay_whole():
    css = TEMPLATES.find("css/document.css").read_text(encoding="utf-8")
    assert ".event-title, .ev-title { hyphens: manual; }" in css
    assert "html:lang(zh) .calendar-summary table.grid td:nth-child(2), html:lang(zh) .calendar-summary .label { white-space: nowrap; }" in css
    document = calendar_document(demo_client("huaxin-retail"))
    assert '<span class="event-title">' in str(document.schedule())
    summary = str(document.summary())
    assert '<span class="label">客户方团队</span>、<span class="label">' in summary
