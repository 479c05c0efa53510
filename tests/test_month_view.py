"""The month view a client reads, and the timeline: every event with its time (both sides' when
the zones differ) and its whole name, in HTML and in the PDF's text layer; a month's heading and
caption on the page of its grid; a week-by-week agenda for a month too full for a grid; one colour
per cadence in every pack; labelled milestone lines; whole frequency phrases in every language."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
import subprocess
import sys

import pytest

from conftest import DEMO_LANGUAGES, demo_client, visible_text
from pmworkbook.core.i18n import Formatter
from pmworkbook.core.templates import Templates
from pmworkbook.plan.communication import build_plan
from pmworkbook.portfolio.model import Client
from pmworkbook.render import calendar_views
from pmworkbook.render.calendar_views import CADENCE_COLOURS, capitalised, month_grid

TEMPLATES = Templates.get()


def formatter(client: Client) -> Formatter:
    return Formatter(client.language, client.country, TEMPLATES)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def cells_by_date(html: str, client: Client) -> dict[dt.date, str]:
    """The visible text of every day cell of the month view, by date (months in order from the project's start)."""
    found: dict[dt.date, str] = {}
    month = client.project.start.replace(day=1)
    for table in re.findall(r'<table class="month[^"]*">(.*?)</table>', html, re.S):
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", table, re.S):
            day = re.search(r'<span class="daynum">(\d+)', cell)
            if day:
                found[month.replace(day=int(day[1]))] = flat(visible_text(cell))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return found


def busy_client() -> Client:
    """A Russian client with a Warsaw agency and twelve milestones in March 2027: too full for a grid."""
    data = demo_client("sever-logistics").model_dump()
    data["communication"]["preset"] = "intensive"
    days = [2, 3, 4, 5, 9, 10, 11, 12, 16, 17, 18, 19]
    data["project"]["milestones"] = [{"name": f"Этап {n} — приёмка модуля интеграции", "date": dt.date(2027, 3, day)}
                                     for n, day in enumerate(days, start=1)]
    data["project"]["deliverables"], data["raci"] = [m["name"] for m in data["project"]["milestones"]], None
    return Client.model_validate(data)


@pytest.fixture(scope="module")
def views() -> dict[str, tuple[Client, object, str]]:
    found = {}
    for client_id in DEMO_LANGUAGES:
        client = demo_client(client_id)
        plan = build_plan(client, TEMPLATES)
        found[client_id] = (client, plan, str(month_grid(plan, formatter(client), client.communication.week_start)))
    return found


@pytest.mark.parametrize("client_id", DEMO_LANGUAGES)
def test_every_event_is_in_its_day_with_its_time_and_whole_name(views, client_id):
    client, plan, html = views[client_id]
    fmt = formatter(client)
    zones = calendar_views.Zones.of(plan, fmt)
    cells = cells_by_date(html, client)
    frame = plan.occurrences
    shown = frame[~frame["item"].isin(plan.daily_items)]
    assert len(shown) > 20
    # A month too full for its grid shows times in the grid and the names in its week-by-week agenda.
    agenda_months = {flat(title) for title in re.findall(r'<h3>([^<]*)</h3>', html)}
    text = flat(visible_text(html))
    for row in shown.itertuples(index=False):
        other = calendar_views.other_time(fmt, zones, row.start, row.agency_start)
        month = flat(fmt.t.format("calendar.month_agenda", month=capitalised(fmt.month_year(row.date))))
        if month in agenda_months:
            assert flat(f"{fmt.time(row.start)} {other}") in cells[row.date] and flat(row.title) in text, (row.date, row.title)
        else:
            assert flat(f"{fmt.time(row.start)} {other} {row.title}") in cells[row.date], (row.date, row.title, cells[row.date])
    # nothing cut: no ellipsis anywhere in the view
    assert "…" not in visible_text(html)
    # the milestone itself is named on its day
    for milestone in client.project.milestones:
        assert milestone.name in cells[milestone.date]


def test_both_local_times_follow_each_sides_daylight_saving(views):
    client, _, html = views["harbor-health"]
    cells = cells_by_date(html, client)
    # the US moves its clocks on 14 March 2027, Poland on 28 March: for two weeks Warsaw is five hours ahead, not six
    assert "9:30 AM Warsaw 3:30 PM Weekly status meeting" in cells[dt.date(2027, 3, 8)]
    assert "9:30 AM Warsaw 2:30 PM Weekly status meeting" in cells[dt.date(2027, 3, 22)]
    assert "9:30 AM Warsaw 3:30 PM Weekly status meeting" in cells[dt.date(2027, 3, 29)]
    assert "Times are local to New York" in visible_text(html)
    # one zone for both sides: one time
    _, _, polish = views["acme-shop"]
    assert "Warszawa" not in visible_text(polish)


@pytest.mark.parametrize("client_id", DEMO_LANGUAGES)
def test_daily_items_are_a_mark_on_each_working_day_named_in_the_legend(views, client_id):
    client, plan, html = views[client_id]
    fmt = formatter(client)
    daily = [c for c in calendar_views.cadences(plan, fmt) if c.daily]
    assert daily
    for cadence in daily:
        assert htmllib.escape(cadence.line(fmt), quote=False) in html
        days = set(plan.occurrences[plan.occurrences["item"] == cadence.id]["date"])
        marks = html.count(f'<span class="dot" style="background-color: {cadence.colour}"></span>')
        assert marks >= len(days)  # one on each day, one more in the legend


def test_a_month_too_full_for_a_grid_gets_a_week_by_week_agenda():
    client = busy_client()
    plan = build_plan(client, TEMPLATES)
    fmt = formatter(client)
    html = str(month_grid(plan, fmt))
    agendas = re.findall(r'<h3>([^<]*)</h3>\s*(.*?)</div>', html, re.S)
    titles = [flat(title) for title, _ in agendas]
    march_title = flat(fmt.t.format("calendar.month_agenda", month=capitalised(fmt.month_year(dt.date(2027, 3, 1)))))
    assert march_title in titles
    agenda = flat(visible_text(agendas[titles.index(march_title)][1]))
    march = plan.occurrences[(plan.occurrences["date"] >= dt.date(2027, 3, 1)) & (plan.occurrences["date"] <= dt.date(2027, 3, 31))
                             & ~plan.occurrences["item"].isin(plan.daily_items)]
    assert len(march) > 25
    for row in march.itertuples(index=False):
        assert row.title in agenda
    # only the months with an agenda lose the names in their grid
    assert html.count('<table class="month compact">') == len(agendas) < 6


@pytest.mark.parametrize("client_id", DEMO_LANGUAGES)
def test_the_pdf_text_layer_holds_every_event_title_whole(demo_packs, client_id):
    _, plan, _ = views_of(client_id)
    pdf = demo_packs / client_id / "communication_calendar.pdf"
    pages = landscape_pages(pdf)
    assert pages, "the month view is on landscape pages"
    text = pdftotext(pdf, pages[0], pages[-1])
    # A title broken after a hyphen keeps its hyphen ("статус-" / "встреча"), Chinese broken anywhere joins
    # without a space; other line ends are spaces.
    # (Curly quotes join without a space only next to Chinese: English puts a space before “.)
    cjk, quotes = "\u3000-\u9fff\uff00-\uffef", "“”"
    text = flat(re.sub(rf"-\n|(?<=[{cjk}])\n|\n(?=[{cjk}])|(?<=[{cjk}][{quotes}])\n|\n(?=[{quotes}][{cjk}])",
                       lambda m: m[0].rstrip("\n"), text))
    shown = plan.occurrences[~plan.occurrences["item"].isin(plan.daily_items)]
    for title, times in shown["title"].value_counts().items():
        assert text.count(flat(title)) >= times, (title, times, text.count(flat(title)))
    assert "reeting" not in text


@pytest.mark.parametrize("client_id", DEMO_LANGUAGES)
def test_each_month_has_its_caption_weekdays_and_days_on_one_page_and_the_heading_with_the_first(demo_packs, client_id):
    client, plan, _ = views_of(client_id)
    fmt = formatter(client)
    pdf = demo_packs / client_id / "communication_calendar.pdf"
    texts = {page: pdftotext(pdf, page, page) for page in range(1, page_count(pdf) + 1)}
    lines = {page: {flat(line) for line in text.splitlines()} for page, text in texts.items()}
    landscape = set(landscape_pages(pdf))
    heading, weekday = fmt.t["calendar.month_view"], fmt.locale.days["format"]["abbreviated"][0]
    captions, month = [], client.project.start.replace(day=1)
    while month <= max(client.project.end, *plan.occurrences["date"]):
        captions.append((flat(capitalised(fmt.month_year(month))), month))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    for n, (caption, month) in enumerate(captions):
        pages = [page for page in texts if caption in lines[page]]
        assert len(pages) == 1 and pages[0] in landscape, (caption, pages)
        text = texts[pages[0]]
        last_day = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        assert weekday in text and re.search(rf"(?<!\S){last_day.day}(?!\S)", text), caption  # the whole grid
        assert (heading in lines[pages[0]]) == (n == 0)  # the section's heading with the first month
    # nothing of the month view at the foot of a portrait page
    for page in set(texts) - landscape:
        assert heading not in lines[page]


def test_one_colour_per_cadence_in_every_pack(views):
    pairs = set()
    for _, _, html in views.values():
        pairs |= set(re.findall(r'class="ev ev-([a-z_]+)" style="border-left-color: (#[0-9A-Fa-f]{6})"', html))
    keys = {key for key, _ in pairs}
    assert {"status_meeting", "weekly_report", "monthly_review", "kickoff"} <= keys
    assert len(pairs) == len(keys)  # a key never has two colours
    assert all(CADENCE_COLOURS[key] == colour for key, colour in pairs)
    # an item a team's catalog adds gets the same colour in every process (not Python's salted hash)
    code = "from pmworkbook.render.calendar_views import colour; print(colour('site_visit'))"
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": seed}).stdout.strip() for seed in ("1", "2")}
    assert runs == {calendar_views.colour("site_visit")}


@pytest.mark.parametrize("client_id", [*DEMO_LANGUAGES, "busy"])
def test_the_timeline_labels_every_milestone_line_inside_the_figure_without_overlap(views, client_id):
    from matplotlib import pyplot as plt

    if client_id == "busy":
        client = busy_client()
        plan = build_plan(client, TEMPLATES)
    else:
        client, plan, _ = views[client_id]
    figure = calendar_views.timeline_figure(plan, formatter(client))
    try:
        renderer = figure.canvas.get_renderer()
        labels = figure.axes[0].texts
        names = [label.get_text().split(" · ")[0] for label in labels]
        assert names == [m.name for m in sorted(client.project.milestones, key=lambda m: m.date)]
        boxes = [label.get_window_extent(renderer) for label in labels]
        for n, box in enumerate(boxes):
            assert figure.bbox.x0 <= box.x0 and box.x1 <= figure.bbox.x1 and box.y1 <= figure.bbox.y1, names[n]
            assert not any(box.overlaps(other) for other in boxes[n + 1:]), names[n]
        # lanes in the legend's colours
        lanes = calendar_views.legend(plan, formatter(client))
        assert [tick.get_text() for tick in figure.axes[0].get_yticklabels()] == [lane["title"] for lane in lanes]
        for collection, lane in zip(figure.axes[0].collections, lanes, strict=True):
            assert tuple(round(c, 3) for c in collection.get_facecolor()[0][:3]) == tuple(
                round(int(lane["colour"][i:i + 2], 16) / 255, 3) for i in (1, 3, 5))
    finally:
        plt.close(figure)


def test_the_timeline_legend_names_each_lane_and_the_milestone_line(views):
    client, plan, _ = views["huaxin-retail"]
    fmt = formatter(client)
    html = str(calendar_views.timeline_chart(plan, fmt))
    for lane in calendar_views.legend(plan, fmt):
        assert f'background-color: {lane["colour"]}"></span>{lane["title"]}' in html
    assert fmt.t["fields.milestone"] in visible_text(html)


@pytest.mark.parametrize("language", ["pl", "ru"])
def test_frequency_phrases_agree_with_their_weekday(language):
    t = Formatter(language, None, TEMPLATES).t
    feminine = {"pl": {"WE", "SA", "SU"}, "ru": {"WE", "FR", "SA"}}[language]
    every = {"pl": ("każdy", "każdą"), "ru": ("каждый", "каждую")}[language]
    first = {"pl": ("pierwszy", "pierwszą"), "ru": ("первый", "первую")}[language]
    for day in ("MO", "TU", "WE", "TH", "FR", "SA"):
        form = 1 if day in feminine else 0
        assert every[form] in t[f"calendar.frequency.weekly_on.{day}"].split()
        assert first[form] in t[f"calendar.frequency.monthly_on.{day}"].split()
    if language == "ru":  # воскресенье is neuter
        assert t["calendar.frequency.weekly_on.SU"].startswith("каждое")


@pytest.mark.parametrize("client_id", DEMO_LANGUAGES)
def test_no_frequency_phrase_is_glued_from_a_weekday_name(views, client_id):
    client, plan, _ = views[client_id]
    fmt = formatter(client)
    for cadence in calendar_views.cadences(plan, fmt):
        assert "{" not in cadence.frequency and "„" not in cadence.frequency and "«" not in cadence.frequency
        if cadence.rule in ("weekly", "biweekly", "monthly"):
            assert cadence.frequency == fmt.t[f"calendar.frequency.{cadence.rule}_on.{cadence.day}"]


def test_provisional_holidays_are_marked_where_the_official_schedule_is_not_out():
    client = demo_client("huaxin-retail")  # September 2026 to January 2027, in China
    plan = build_plan(client, TEMPLATES)
    fmt = formatter(client)
    html = str(month_grid(plan, fmt))
    marked, month = set(), client.project.start.replace(day=1)
    for table in re.findall(r'<table class="month[^"]*">(.*?)</table>', html, re.S):
        for classes, day in re.findall(r'<td class="([^"]*)"[^>]*>\s*<span class="daynum">(\d+)', table):
            if "provisional" in classes:
                marked.add(month.replace(day=int(day)))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    # 2026's National Day and its make-up days are official; 2027's days off are not published yet
    assert marked and all(day.year == 2027 and plan.calendar.is_provisional(day) for day in marked)
    assert dt.date(2027, 1, 1) in marked  # New Year's Day 2027
    assert fmt.t["calendar.provisional_day"] in visible_text(html)


# ------------------------------------------------------------------ helpers for the PDF

def views_of(client_id: str):
    client = demo_client(client_id)
    return client, build_plan(client, TEMPLATES), None


def page_count(pdf) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])


def landscape_pages(pdf) -> list[int]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", str(page_count(pdf)), str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    return [int(n) for n, width, height in re.findall(r"^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+)", info, re.M)
            if float(width) > float(height)]


def pdftotext(pdf, first: int, last: int) -> str:
    # -raw: the order the page draws its text, cell by cell (the default reading order may merge neighbouring cells)
    return subprocess.run(["pdftotext", "-raw", "-f", str(first), "-l", str(last), str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
