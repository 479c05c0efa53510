"""The weekly status report's figures and readers, in-process: working hours against a
minute-by-minute count across a public holiday, a make-up day, an engagement's day off and
daylight-saving changes; each RAG threshold on both sides of its boundary; the Jira reader on a
real export's shape; problems named by file, row and column; a 5,000-task register; a long list's
first rows and its "… and N more" in every language's plural forms; levels that agree with their
nouns; dates in full in the week's line and the e-mail."""

from __future__ import annotations

import csv
import datetime as dt
import time
import zoneinfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DEMO, demo_client, visible_text, write_large_registers
from pmworkbook.core.i18n import Formatter
from pmworkbook.core.templates import Templates
from pmworkbook.plan import status
from pmworkbook.plan.communication import build_plan
from pmworkbook.plan.workdays import WorkingCalendar
from pmworkbook.portfolio.model import RagLimits, StatusThresholds
from pmworkbook.portfolio.tasks import parse_moment, read_inputs, read_requests, read_tasks

TEMPLATES = Templates.get()
WARSAW, SHANGHAI, NEW_YORK = (zoneinfo.ZoneInfo(z) for z in ("Europe/Warsaw", "Asia/Shanghai", "America/New_York"))


# -- working hours ---------------------------------------------------------------------------------

def minutes_counted(start: dt.datetime, end: dt.datetime, zone, opens: dt.time, closes: dt.time, working) -> float:
    """The independent count: every minute between the instants, in UTC, that falls on a working
    day within the service hours on the wall clock of `zone`."""
    minute, total = start.astimezone(dt.timezone.utc), 0
    end = end.astimezone(dt.timezone.utc)
    while minute < end:
        local = minute.astimezone(zone)
        if working(local.date()) and opens <= local.time() < closes:
            total += 1
        minute += dt.timedelta(minutes=1)
    return total / 60


def poland_working(days_off=(), extra=()):
    official = holidays.country_holidays("PL", years=range(2026, 2029))
    return lambda day: day in extra or (day.weekday() < 5 and day not in official and day not in days_off)


def china_working():
    official = holidays.country_holidays("CN", years=range(2026, 2028))
    makeup = set(official.weekend_workdays)
    return lambda day: day not in official and (day.weekday() < 5 or day in makeup)


def clock(country: str, zone, days_off=(), extra=(), hours=("09:00", "18:00")) -> status.ServiceClock:
    calendar = WorkingCalendar(country, "en", dt.date(2026, 9, 1), dt.date(2027, 12, 31), list(days_off), list(extra))
    return status.ServiceClock(calendar, zone, dt.time.fromisoformat(hours[0]), dt.time.fromisoformat(hours[1]))


def at(text: str, zone) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


def test_hours_across_a_public_holiday_and_an_engagement_day_off():
    # Friday 30 April 16:00 to Wednesday 5 May 10:00, Warsaw: 1 May (Saturday) and 3 May are public
    # holidays, 4 May the engagement's own day off (acme-shop's): 2 hours on Friday, 1 on Wednesday.
    start, end = at("2027-04-30 16:00", WARSAW), at("2027-05-05 10:00", WARSAW)
    service = clock("PL", WARSAW, days_off=[dt.date(2027, 5, 4)])
    expected = minutes_counted(start, end, WARSAW, dt.time(9), dt.time(18), poland_working([dt.date(2027, 5, 4)]))
    assert service.hours(start, end) == pytest.approx(expected) == pytest.approx(3.0)
    assert clock("PL", WARSAW).hours(start, end) == pytest.approx(12.0)  # without the day off, 4 May counts


def test_hours_across_national_day_and_a_saturday_make_up_day_in_china():
    # 30 Sep 2026 16:40 to 8 Oct 09:20 (a request of the demo): 1-7 October are days off.
    service = clock("CN", SHANGHAI)
    working = china_working()
    for first, last, hours in (("2026-09-30 16:40", "2026-10-08 09:20", 1 + 20 / 60 + 20 / 60),
                               # Friday 9 Oct 17:00 to Monday 12 Oct 10:00: Saturday 10 October is worked.
                               ("2026-10-09 17:00", "2026-10-12 10:00", 1 + 9 + 1)):
        start, end = at(first, SHANGHAI), at(last, SHANGHAI)
        assert service.hours(start, end) == pytest.approx(minutes_counted(start, end, SHANGHAI, dt.time(9), dt.time(18), working))
        assert service.hours(start, end) == pytest.approx(hours)


def test_hours_across_daylight_saving_changes():
    service = clock("PL", WARSAW)
    # Friday 26 March 17:00 CET to Tuesday 30 March 10:00 CEST (08:00 UTC; Monday is Easter Monday): an hour
    # each side; taking both ends at one offset would count two.
    start, end = at("2027-03-26 17:00", WARSAW), dt.datetime.fromisoformat("2027-03-30T08:00:00+00:00")
    assert service.hours(start, end) == pytest.approx(2.0)
    assert service.hours(start, end) == pytest.approx(minutes_counted(start, end, WARSAW, dt.time(9), dt.time(18), poland_working()))
    # A worked Sunday on the night the clocks go forward, service 00:00-06:00: five hours, not six.
    night = clock("PL", WARSAW, extra=[dt.date(2027, 3, 28)], hours=("00:00", "06:00"))
    start, end = at("2027-03-27 12:00", WARSAW), at("2027-03-28 12:00", WARSAW)
    working = poland_working(extra=[dt.date(2027, 3, 28)])
    assert night.hours(start, end) == pytest.approx(minutes_counted(start, end, WARSAW, dt.time(0), dt.time(6), working))
    assert night.hours(start, end) == pytest.approx(5.0)
    # ... and the night they go back (31 October): seven.
    back = clock("PL", WARSAW, extra=[dt.date(2027, 10, 31)], hours=("00:00", "06:00"))
    assert back.hours(at("2027-10-31 00:00", WARSAW), at("2027-10-31 12:00", WARSAW)) == pytest.approx(7.0)
    # A New York request between the two countries' changes (14 and 28 March): five hours apart, not six.
    asked = dt.datetime(2027, 3, 22, 11, 30, tzinfo=NEW_YORK)  # 16:30 in Warsaw
    assert service.hours(asked, dt.datetime(2027, 3, 22, 13, 0, tzinfo=NEW_YORK)) == pytest.approx(1.5)


@settings(max_examples=40, deadline=None)
@given(st.datetimes(min_value=dt.datetime(2027, 3, 20), max_value=dt.datetime(2027, 5, 10)),
       st.integers(min_value=0, max_value=9 * 24 * 60))
def test_hours_agree_with_a_minute_by_minute_count(first, minutes):
    service = clock("PL", WARSAW, days_off=[dt.date(2027, 5, 4)], extra=[dt.date(2027, 3, 28)])
    start = first.replace(second=0, microsecond=0, tzinfo=WARSAW)
    end = start + dt.timedelta(minutes=minutes)
    working = poland_working([dt.date(2027, 5, 4)], [dt.date(2027, 3, 28)])
    assert service.hours(start, end) == pytest.approx(minutes_counted(start, end, WARSAW, dt.time(9), dt.time(18), working))


def test_percentile_interpolates_as_excel_does():
    assert status.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == pytest.approx(9.1)  # PERCENTILE.INC
    assert status.percentile([4.0], 0.9) == 4.0 and status.percentile([], 0.9) is None


# -- RAG -------------------------------------------------------------------------------------------

def service_figures(share: float | None = None, complaints: int = 0, changes: int = 0) -> status.Service:
    """Service figures with `share` of the week's requests answered in time (of 100)."""
    within = None if share is None else round(share * 100)
    week = status.TimeFigures(0 if share is None else 100, 1.0, 2.0, within)
    request = object()
    return status.Service({}, week, week, week, week, [status.Complaint(request, 1.0, None)] * complaints,  # type: ignore[list-item]
                          [request] * changes, [], 4, 9.0)  # type: ignore[list-item]


def milestone(slip: int) -> status.MilestoneLine:
    return status.MilestoneLine("M", dt.date(2027, 3, 1), dt.date(2027, 3, 1), "late" if slip else "on_track", slip, 3)


def effort(overrun: float) -> status.Effort:
    return status.Effort(100.0, 50.0, 50.0, 40.0, 50.0 + overrun, 100.0 + overrun, overrun)


DEFAULTS = StatusThresholds()


def levels(**changes) -> dict[str, str | None]:
    figures = {"milestones": [milestone(0)], "effort": effort(0.0), "service": service_figures(1.0)}
    figures.update(changes)
    found = status.judge(DEFAULTS, figures["milestones"], figures["effort"], figures["service"])
    return {name: dimension.level for name, dimension in found.items()}


@pytest.mark.parametrize(("changes", "dimension", "expected"), [
    ({"milestones": [milestone(0)]}, "schedule", "green"),
    ({"milestones": [milestone(1)]}, "schedule", "amber"),  # amber from 1 working day
    ({"milestones": [milestone(4)]}, "schedule", "amber"),
    ({"milestones": [milestone(5)]}, "schedule", "red"),  # red from 5
    ({"effort": effort(9.99)}, "effort", "green"),
    ({"effort": effort(10.0)}, "effort", "amber"),  # amber from 10 % over the plan
    ({"effort": effort(19.99)}, "effort", "amber"),
    ({"effort": effort(20.0)}, "effort", "red"),  # red from 20 %
    ({"service": service_figures(1.0, changes=1)}, "scope", "green"),
    ({"service": service_figures(1.0, changes=2)}, "scope", "amber"),  # amber from 2 open change requests
    ({"service": service_figures(1.0, changes=3)}, "scope", "amber"),
    ({"service": service_figures(1.0, changes=4)}, "scope", "red"),  # red from 4
    ({"service": service_figures(0.90)}, "service", "green"),  # 90 % answered in time is still green
    ({"service": service_figures(0.89)}, "service", "amber"),  # below 90 %: amber
    ({"service": service_figures(0.75)}, "service", "amber"),
    ({"service": service_figures(0.74)}, "service", "red"),  # below 75 %: red
    ({"service": service_figures(1.0, complaints=0)}, "service", "green"),
    ({"service": service_figures(1.0, complaints=1)}, "service", "amber"),  # amber from 1 open complaint
    ({"service": service_figures(1.0, complaints=2)}, "service", "amber"),
    ({"service": service_figures(1.0, complaints=3)}, "service", "red"),  # red from 3
])
def test_each_threshold_on_both_sides_of_its_boundary(changes, dimension, expected):
    assert levels(**changes)[dimension] == expected


def test_the_worse_of_the_two_service_rules_and_the_worst_dimension_decide():
    assert levels(service=service_figures(0.95, complaints=3))["service"] == "red"
    assert levels(service=service_figures(0.5, complaints=0))["service"] == "red"
    assert status.worst(["green", "amber", None, "green"]) == "amber" and status.worst([None, None]) is None
    assert levels(service=service_figures(None))["service"] == "green"  # no request this week: complaints alone


def test_thresholds_come_from_the_portfolio():
    strict = StatusThresholds(schedule_slip_days=RagLimits(amber=3, red=10))
    found = status.judge(strict, [milestone(4)], effort(0), service_figures(1.0))
    assert found["schedule"].level == "amber"
    with pytest.raises(ValueError, match="red must be at least amber"):
        StatusThresholds(open_changes=RagLimits(amber=5, red=2))
    with pytest.raises(ValueError, match="red at most amber"):
        StatusThresholds(response_within_percent=RagLimits(amber=75, red=90))


def test_a_milestone_is_forecast_from_its_open_tasks_in_working_days(tmp_path):
    client = demo_client("sever-logistics")  # Техническое задание: baseline Friday 5 February 2027
    register = tmp_path / "tasks.csv"
    register.write_text("id,title,status,owner,milestone,start,due,estimate_hours,spent_hours,done_on\n"
                        "A,Обследование,Готово,Дмитрий Соколов,Техническое задание,2027-01-11,2027-01-22,10,12,2027-01-21\n"
                        "B,Согласование,В работе,Ирина Смирнова,Техническое задание,2027-02-01,2027-02-03,,,\n"
                        "C,Пилот,К выполнению,Сергей Волков,Пилотная версия,2027-02-15,2027-04-09,40,,\n", encoding="utf-8")
    tasks = read_tasks(register, client, TEMPLATES)
    assert not tasks.problems and tasks.form == "simple"
    calendar = build_plan(client, TEMPLATES).calendar
    lines = {line.name: line for line in status.milestone_lines(client, tasks.rows, calendar, dt.date(2027, 2, 7))}
    # B is overdue: done on Monday 8 February at the earliest, one working day after the baseline.
    assert (lines["Техническое задание"].forecast, lines["Техническое задание"].slip_days) == (dt.date(2027, 2, 8), 1)
    # C is due 9 April, a week after the pilot's baseline of 2 April: five working days.
    assert lines["Пилотная версия"].slip_days == 5 and lines["Запуск"].state == "no_tasks"
    # B side: Ирина Смирнова is the client's person in the portfolio; C's owner is not, so the agency's.
    assert [t.side for t in tasks.rows] == ["agency", "client", "agency"]


# -- readers ---------------------------------------------------------------------------------------

JIRA = (
    "Summary,Issue key,Issue id,Status,Assignee,Created,Updated,Resolved,Fix versions,Fix versions,Due date,Labels,Labels,"
    "Labels,Watchers,Watchers,Original Estimate,Remaining Estimate,Time Spent,Attachment,Attachment,Sprint,Sprint,"
    "Custom field (Start date),Custom field (Story Points)\n"
    "Warsztat,SKLEP-1,10001,Gotowe,Marta Wiśniewska,11/Jan/27 09:13 AM,12/Jan/27 04:06 PM,12/Jan/27 04:06 PM,,Koncepcja,"
    "12/Jan/27,warsztat,,,Marta Wiśniewska,Jan Kowalski,28800,0,32400,,,Sprint 1,,2027-01-11,3\n"
    "Makiety,SKLEP-2,10002,W toku,Katarzyna Mazur,2027-01-20T10:05:00.000+0100,2027-02-05 11:00,,Prototyp,,"
    "2027-02-09,ux,makiety,,,,144000,36000,108000,\"02/Feb/27 10:15 AM;Katarzyna Mazur;a.pdf;https://x.example/1\",,Sprint 1,Sprint 2,"
    "2027-01-27,5\n"
    "ERP,SKLEP-3,10003,Do zrobienia,Anna Nowak,18/sty/27 03:26 PM,05/Feb/27 02:00 PM,,Koncepcja,,03/lut/27,klient,,,,,,,,,,,,"
    "2027-01-18,\n"
)


def test_the_jira_reader_takes_a_real_exports_repeated_columns_dates_and_seconds(tmp_path):
    client = demo_client("acme-shop")
    path = tmp_path / "jira.csv"
    path.write_text(JIRA, encoding="utf-8-sig")  # Jira writes a BOM
    register = read_tasks(path, client, TEMPLATES)
    assert not register.problems, [str(p) for p in register.problems]
    assert register.form == "jira"
    first, second, third = register.rows
    assert (first.id, first.state, first.done_on, first.due, first.start) == ("SKLEP-1", "done", dt.date(2027, 1, 12),
                                                                               dt.date(2027, 1, 12), dt.date(2027, 1, 11))
    assert (first.estimate_hours, first.spent_hours) == (8.0, 9.0)  # seconds
    assert first.milestone == "Koncepcja"  # the second of two "Fix versions" columns
    assert (second.state, second.milestone, second.created) == ("in_progress", "Prototyp", dt.date(2027, 1, 20))  # ISO with offset
    assert (second.estimate_hours, second.spent_hours) == (40.0, 30.0)
    assert (third.created, third.due, third.side) == (dt.date(2027, 1, 18), dt.date(2027, 2, 3), "client")  # Polish months
    assert parse_moment("11/May/26 03:26 PM") == dt.datetime(2026, 5, 11, 15, 26)
    assert parse_moment("11/May/26 12:05 AM") == dt.datetime(2026, 5, 11, 0, 5)
    assert parse_moment("2026-05-11 15:26") == dt.datetime(2026, 5, 11, 15, 26)
    assert parse_moment("11/мая/26") == dt.date(2026, 5, 11) and parse_moment("11/5月/26") == dt.date(2026, 5, 11)


def problems_of(register) -> list[str]:
    return [str(p) for p in register.problems]


def test_a_bad_task_register_names_file_row_and_column(tmp_path):
    client = demo_client("acme-shop")
    path = tmp_path / "zadania.csv"
    path.write_text("id,title,status,owner,start,due,colour\n"
                    "1,Makiety,Robione,Anna Nowak,2027-02-01,2027-02-10,red\n"
                    "2,Koszyk,Gotowe,Anna Nowak,2027-02-10,2027-02-01,blue\n"
                    "3,Płatności,W toku,Anna Nowak,2027-02-10,31/Feb/27,green\n", encoding="utf-8")
    found = problems_of(read_tasks(path, client, TEMPLATES))
    assert any("row 1, column 'colour': unknown column 'colour'" in p for p in found), found
    assert any("row 2, column 'status': unknown status 'Robione'" in p and "status.statuses" in p for p in found), found
    assert any("row 3, column 'due': due 2027-02-01 is before its start 2027-02-10" in p for p in found), found
    assert any("row 4, column 'due': '31/Feb/27' is not a date" in p for p in found), found
    assert all(p.startswith(f"{path}: client 'acme-shop': field 'tasks'") for p in found)
    # A status the portfolio maps is no longer unknown.
    mapped = client.model_copy(update={"status": client.status.model_copy(update={"statuses": {"Robione": "in_progress"}})})
    assert not [p for p in problems_of(read_tasks(path, mapped, TEMPLATES)) if "Robione" in p]


def test_another_trackers_export_through_the_columns_mapping(tmp_path):
    client = demo_client("sever-logistics")
    path = tmp_path / "tracker.csv"
    path.write_text("Ключ,Задача,Статус,Исполнитель,Дедлайн,Оценка,Затрачено,Комментарий\n"
                    "Q-1,Техзадание,Решён,Дмитрий Соколов,2027-02-05,2h 30m,1d,—\n", encoding="utf-8")
    settings_ = client.status.model_copy(update={"columns": {"id": "Ключ", "title": "Задача", "status": "Статус",
                                                             "owner": "Исполнитель", "due": "Дедлайн",
                                                             "estimate_hours": "Оценка", "spent_hours": "Затрачено"}})
    register = read_tasks(path, client.model_copy(update={"status": settings_}), TEMPLATES)
    assert register.form == "mapped" and not register.problems
    (task,) = register.rows
    assert (task.state, task.estimate_hours, task.spent_hours) == ("done", 2.5, 8.0)
    broken = settings_.model_copy(update={"columns": {**settings_.columns, "due": "Срок"}})
    found = problems_of(read_tasks(path, client.model_copy(update={"status": broken}), TEMPLATES))
    assert any("there is no column 'Срок', which status.columns.due names" in p for p in found), found


def test_a_bad_requests_log_names_file_row_and_column(tmp_path):
    client = demo_client("acme-shop")  # the agency's zone: Europe/Warsaw
    path = tmp_path / "log.csv"
    path.write_text("Nr,Rodzaj,Wpłynęło,Pierwsza odpowiedź,Rozwiązano\n"
                    "1,Pytanie,2027-02-03 10:00,2027-02-03 09:00,\n"
                    "2,Reklamacja,2027-03-28 02:30,2027-03-29 10:00,\n"
                    "3,Prośba,2027-02-03 10:00,,\n"
                    "4,Pytanie,2027-10-31 02:30+01:00,2027-10-31T10:00Z,\n", encoding="utf-8")
    register = read_requests(path, client, TEMPLATES)
    found = problems_of(register)
    assert any("row 2, column 'Pierwsza odpowiedź': 2027-02-03 09:00 is before the request was received" in p for p in found), found
    assert any("row 3, column 'Wpłynęło': '2027-03-28 02:30' does not exist in Europe/Warsaw" in p and "time zone" in p
               for p in found), found
    assert any("row 4, column 'Rodzaj': unknown kind 'Prośba'" in p for p in found), found
    (good,) = register.rows  # row 5: an hour that happens twice, with its offset written: fine
    assert good.received_at == dt.datetime(2027, 10, 31, 1, 30, tzinfo=dt.timezone.utc)


def test_a_missing_or_oversized_register_is_a_problem_of_its_client_not_an_exception(tmp_path, monkeypatch):
    from pmworkbook.portfolio import tasks

    client = demo_client("harbor-health").model_copy(update={"tasks": "nowhere.csv", "requests": "big.csv"})
    (tmp_path / "big.csv").write_text("id,kind,received_at\n" + "x,question,2027-02-01 10:00\n" * 50, encoding="utf-8")
    monkeypatch.setattr(tasks, "MAX_REGISTER_BYTES", 1000)
    found = problems_of(read_inputs(client, tmp_path, TEMPLATES))
    assert any("nowhere.csv: client 'harbor-health': field 'tasks': file not found" in p for p in found), found
    assert any("big.csv" in p and "more than a register may (1,000)" in p for p in found), found


def test_validate_warns_of_a_bad_register_and_still_accepts_the_portfolio(tmp_path, demo_raw):
    import shutil

    from conftest import write_portfolio
    from pmworkbook.plan.validation import validate

    for source in DEMO.parent.glob("harbor-health-*"):
        shutil.copy(source, tmp_path)
    raw = {**demo_raw, "clients": [c for c in demo_raw["clients"] if c["id"] == "harbor-health"]}
    register = tmp_path / "harbor-health-tasks.csv"
    rows = list(csv.reader(register.open(encoding="utf-8")))
    rows[3][2] = "parked"
    with register.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    validation = validate(write_portfolio(tmp_path / "portfolio.yaml", raw), TEMPLATES)
    assert not validation.errors and not validation.refused  # the packs do not read the register
    lines = [str(p) for p in validation.warnings if p.field == "tasks"]
    assert len(lines) == 1 and "harbor-health-tasks.csv" in lines[0] and "row 4, column 'status': unknown status 'parked'" in lines[0]
    assert "warning:" in lines[0] and "pmworkbook status" in lines[0]


# -- a large register --------------------------------------------------------------------------------

def test_a_5000_task_register_is_read_and_reported_on_in_seconds(tmp_path):
    client = demo_client("acme-shop")
    path = tmp_path / "tasks.csv"
    milestones = [m.name for m in client.project.milestones]
    states = ["Gotowe", "W toku", "Do zrobienia"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "status", "owner", "side", "milestone", "start", "due", "estimate_hours", "spent_hours",
                         "done_on"])
        for n in range(5000):
            start = dt.date(2027, 1, 11) + dt.timedelta(days=n % 150)
            state = states[0] if start < dt.date(2027, 2, 1) else states[1 + n % 2]
            writer.writerow([f"T-{n}", f"Zadanie {n}", state, f"Osoba {n % 40}", "agency" if n % 5 else "client",
                             milestones[n % 3], start, start + dt.timedelta(days=5 + n % 20), 8, 6 if state != "Do zrobienia" else "",
                             start + dt.timedelta(days=4) if state == "Gotowe" else ""])
    started = time.perf_counter()
    client = client.model_copy(update={"tasks": str(path), "requests": None, "decisions": None, "risks": None})
    inputs = read_inputs(client, tmp_path, TEMPLATES)
    figures = status.compute(client, inputs, build_plan(client, TEMPLATES), status.Week(2027, 5), dt.date(2027, 2, 7))
    seconds = time.perf_counter() - started
    assert not inputs.problems and figures.tasks.counts["total"] == 5000
    assert figures.tasks.counts["done"] + figures.tasks.counts["in_progress"] + figures.tasks.counts["todo"] == 5000
    assert figures.effort.planned == 5000 * 8
    assert seconds < 10, f"{seconds:.1f} s for 5,000 tasks"


def test_weeks_and_the_day_figures_are_taken_at():
    assert status.choose_week("2027-W07", None) == (status.Week(2027, 7), dt.date(2027, 2, 21))
    assert status.choose_week(None, dt.date(2027, 2, 19)) == (status.Week(2027, 7), dt.date(2027, 2, 19))
    assert status.choose_week(None, None, today=dt.date(2027, 1, 6)) == (status.Week(2026, 53), dt.date(2027, 1, 3))
    with pytest.raises(ValueError, match="not in 2027-W07"):
        status.choose_week("2027-W07", dt.date(2027, 2, 22))
    with pytest.raises(ValueError, match="2027 has no week 53"):
        status.Week.parse("2027-W53")


# -- what the report shows of a long list --------------------------------------------------------------

def large_report(tmp_path, client_id: str = "acme-shop"):
    from pmworkbook.documents.status_report import StatusReport

    files = write_large_registers(tmp_path, client_id)
    return StatusReport(demo_client(client_id), TEMPLATES, week="2027-W05",
                        inputs={name: {"path": str(tmp_path / file)} for name, file in files.items()})


def test_a_long_list_shows_what_matters_first_and_counts_the_rest(tmp_path):
    from pmworkbook.documents.status_report import COMPLAINT_ROWS, DECISION_ROWS, RISK_ROWS, TASK_LISTS, WAITING_ROWS

    report = large_report(tmp_path)
    assert report.task_rows == 2  # three a side would not leave room for the rest of the report
    tasks_html = visible_text(str(report.tasks()))
    complete = visible_text(str(report.full_lists()))
    for name in TASK_LISTS:
        lines = getattr(report.figures.tasks, name)
        shown, whole = report.task_list(name, report.task_rows), report.task_list(name, None)
        assert [g["side"] for g in shown["groups"]] == [g["side"] for g in whole["groups"]] == ["client", "agency"]
        for group, every in zip(shown["groups"], whole["groups"], strict=True):
            mine = [line for line in lines if line.task.side == group["side"]]
            assert len(every["lines"]) == len(mine) and len(group["lines"]) == 2
            assert group["hidden"] == len(mine) - 2 > 0
            assert group["more"] == report.fmt.plural("status.more.tasks", group["hidden"]) and group["more"] in tasks_html
            assert [line["id"] for line in group["lines"]] == [line["id"] for line in every["lines"]][:2]
            # What matters first: overdue tasks, then by due date (done ones by the day they were finished).
            if name == "done":
                days = [line.task.done_on for line in mine]
                assert days == sorted(days)
            else:
                overdue = [line.overdue for line in mine]
                assert overdue == sorted(overdue, reverse=True)
                for flag in (True, False):
                    due = [line.task.due or dt.date.max for line in mine if line.overdue is flag]
                    assert due == sorted(due)
            assert all(line["id"] in complete for line in every["lines"])
        assert shown["hidden"] == len(lines) - 4
    service, figures = report.figures.service, report.figures
    assert report.shortened == {**{name: len(getattr(figures.tasks, name)) - 4 for name in TASK_LISTS},
                                "complaints": len(service.complaints) - COMPLAINT_ROWS,
                                "waiting": len(service.unanswered) - WAITING_ROWS,
                                "decisions": len(figures.decisions) - DECISION_ROWS, "risks": len(figures.risks) - RISK_ROWS}
    assert len(figures.decisions) == 12 and len(figures.risks) == 8
    service_html = visible_text(str(report.service()))
    assert report.fmt.plural("status.more.complaints", len(service.complaints) - COMPLAINT_ROWS) in service_html
    assert report.fmt.plural("status.more.requests", len(service.unanswered) - WAITING_ROWS) in service_html
    assert report.fmt.plural("status.more.decisions", 9) in visible_text(str(report.decisions_and_meetings()))
    assert report.fmt.plural("status.more.risks", 5) in visible_text(str(report.risks()))
    assert all(c.request.id in complete for c in service.complaints) and all(r.id in complete for r, _ in service.unanswered)
    assert report.plural("status.definitions.shortened", 2) in visible_text(str(report.appendix()))


def test_a_short_list_is_shown_whole_with_three_tasks_a_side(tmp_path):
    from pmworkbook.documents.status_report import StatusReport

    report = StatusReport(demo_client("huaxin-retail"), TEMPLATES, week="2027-W05")
    assert report.task_rows == 3 and not report.shortened and str(report.full_lists()) == ""
    assert "完整清单" not in visible_text(str(report.appendix()) + str(report.tasks()))


@pytest.mark.parametrize(("language", "sentences"), [
    ("pl", {1: "…i jeszcze 1 zadanie –", 3: "…i jeszcze 3 zadania –", 5: "…i jeszcze 5 zadań –", 12: "…i jeszcze 12 zadań –",
            22: "…i jeszcze 22 zadania –", 25: "…i jeszcze 25 zadań –", 1002: "…i jeszcze 1 002 zadania –"}),
    ("ru", {1: "…и ещё 1 задача —", 3: "…и ещё 3 задачи —", 5: "…и ещё 5 задач —", 11: "…и ещё 11 задач —",
            21: "…и ещё 21 задача —", 22: "…и ещё 22 задачи —", 1001: "…и ещё 1 001 задача —"}),
    ("en", {1: "… and 1 more task,", 2: "… and 2 more tasks,", 21: "… and 21 more tasks,"}),
    ("zh", {1: "另有1项任务未列出", 30: "另有30项任务未列出"}),
])
def test_and_n_more_takes_each_languages_plural_form(language, sentences):
    fmt = Formatter(language, None, TEMPLATES)
    for count, start in sentences.items():
        assert fmt.plural("status.more.tasks", count).replace("\u00a0", " ").startswith(start), (language, count)
    others = {"pl": ("reklamacji", "zgłoszeń", "decyzji", "ryzyk"), "ru": ("жалоб", "обращений", "решений", "рисков")}
    for key, word in zip(("complaints", "requests", "decisions", "risks"), others.get(language, ()), strict=False):
        assert word in fmt.plural(f"status.more.{key}", 5), (language, key)


# -- words and dates as the language writes them ------------------------------------------------------------

@pytest.mark.parametrize(("client_id", "probability", "impact"), [
    ("acme-shop", ["Wysokie", "Średnie", "Średnie"], ["Wysoki", "Wysoki", "Średni"]),  # prawdopodobieństwo, wpływ
    ("sever-logistics", ["Высокая", "Средняя", "Средняя"], ["Высокое", "Высокое", "Среднее"]),  # вероятность, влияние
    ("harbor-health", ["Medium", "Medium", "Low"], ["High", "Medium", "Medium"]),
    ("huaxin-retail", ["中", "中"], ["高", "中"]),
])
def test_a_risks_levels_agree_with_the_noun_of_their_column(client_id, probability, impact):
    from pmworkbook.documents.status_report import StatusReport

    rows = StatusReport(demo_client(client_id), TEMPLATES, week="2027-W05").risk_rows(3)
    assert [r["probability"] for r in rows] == probability and [r["impact"] for r in rows] == impact


def test_a_register_may_write_a_level_in_either_form(tmp_path):
    from pmworkbook.portfolio.tasks import read_risks

    path = tmp_path / "risks.csv"
    path.write_text("id,risk,probability,impact\nR-1,A,Wysokie,wysoki\nR-2,B,Высокая,Высокое\nR-3,C,Средний,низкое\n"
                    "R-4,D,niskie,Średni\n", encoding="utf-8")
    register = read_risks(path, demo_client("acme-shop"), TEMPLATES)
    assert not register.problems
    assert [(r.probability, r.impact) for r in register.rows] == [(5, 5), (5, 5), (3, 1), (1, 3)]


@pytest.mark.parametrize(("language", "country", "week", "period"), [
    ("pl", "PL", "1–7 lutego 2027", "11 stycznia – 30 czerwca 2027"),
    ("ru", "RU", "1—7 февраля 2027 г.", "11 января — 30 июня 2027 г."),
    ("en", "US", "February 1 – 7, 2027", "January 11 – June 30, 2027"),
    ("en", "GB", "1 – 7 February 2027", "11 January – 30 June 2027"),
    ("zh", "CN", "2027年2月1日至7日", "2027年1月11日至6月30日"),
])
def test_a_span_of_dates_has_its_months_in_full_in_every_language(language, country, week, period):
    fmt = Formatter(language, country, TEMPLATES)
    # Babel alone abbreviates where the locale has no interval pattern for full months (ru, en: февр., Feb).
    assert fmt.interval(dt.date(2027, 2, 1), dt.date(2027, 2, 7)).replace("\u2009", " ").replace("\u202f", " ") == week
    assert fmt.interval(dt.date(2027, 1, 11), dt.date(2027, 6, 30)).replace("\u2009", " ").replace("\u202f", " ") == period
    across = fmt.interval(dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    assert "2026" in across and "2027" in across
    assert fmt.interval(dt.date(2027, 2, 1), dt.date(2027, 2, 1)) == fmt.date(dt.date(2027, 2, 1))


def test_the_polish_email_writes_its_dates_in_full():
    import re

    from pmworkbook.documents.status_report import StatusReport

    report = StatusReport(demo_client("acme-shop"), TEMPLATES, week="2027-W05")
    letter = report.letter()
    text = " ".join([letter.subject, *letter.paragraphs, *letter.contacts])
    assert "1–7 lutego 2027" in letter.subject and "1–7 lutego 2027" in letter.paragraphs[0]
    assert "do 12 lutego 2027" in " ".join(letter.contacts)  # a decision's date
    abbreviated = r"\b(sty|lut|mar|kwi|maj|cze|lip|sie|wrz|paź|lis|gru)\b"
    assert not re.search(abbreviated, text), text
    assert report.week_label == "5. tydzień 2027 r. · 1–7 lutego 2027"


@pytest.mark.parametrize(("client_id", "moment", "note"), [
    ("huaxin-retail", "1月12日 09:30", "以上时间均为北京时间。"),
    ("acme-shop", "12 stycznia, 02:30", "Godziny podano według strefy czasowej: Warszawa."),
    ("sever-logistics", "12 янв., 04:30", "Указано местное время (Москва)."),
    ("harbor-health", "Jan 11, 8:30\u202fPM", "All times are in New York time."),
])
def test_a_moment_joins_day_and_time_as_the_locale_does_and_the_zone_is_named(tmp_path, client_id, moment, note):

    report = large_report(tmp_path, client_id)
    assert report._moment(dt.datetime(2027, 1, 12, 1, 30, tzinfo=dt.timezone.utc)) == moment
    assert note == report.times_note
    assert note in visible_text(str(report.full_lists())) and note in visible_text(str(report.decisions_and_meetings()))


@pytest.mark.parametrize(("client_id", "count", "level", "undated"), [
    ("huaxin-retail", "本周完成：", "进度：", "（决策日期尚未确定）"),
    ("acme-shop", "Ukończone w tym tygodniu: ", "Harmonogram: ", " – termin nie został jeszcze ustalony"),
    ("sever-logistics", "Выполнено за неделю: ", "Сроки: ", " — срок пока не назначен"),
    ("harbor-health", "Done this week: ", "Schedule: ", " (no date set yet)"),
])
def test_the_emails_figures_have_units_levels_in_lower_case_and_an_undated_decision_its_sentence(client_id, count, level, undated):
    import dataclasses

    from pmworkbook.documents.status_report import StatusReport

    report = StatusReport(demo_client(client_id), TEMPLATES, week="2027-W05")
    done = report.figures.tasks.counts.get("done_this_week", 0)
    first, *_ = report.figures.decisions
    report.figures.decisions[0] = (dataclasses.replace(first[0], due=None), False)
    letter = report.letter()
    assert letter.rhythm[0] == report.fmt.plural("status.letter.counts.done_this_week", done) and letter.rhythm[0].startswith(count)
    assert letter.rhythm[0] != f"{count}{done}"  # a unit after the number (2 tasks, 2项, 2 задачи, 2 zadania)
    schedule = next(line for line in letter.rhythm if line.startswith(level))
    name = report.level_name(report.figures.dimensions["schedule"].level)
    assert schedule == level + (name if client_id == "huaxin-retail" else name[0].lower() + name[1:])
    assert letter.contacts[0] == f"{first[0].decision}{undated}" and "—:" not in " ".join(letter.contacts)
