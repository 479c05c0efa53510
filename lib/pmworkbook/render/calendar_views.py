"""Views of a communication plan: the month view (a grid per month, each event with its time and
full name; a per-week agenda under a month too full for a grid), the timeline chart, and what
they and the letters share: one colour per cadence, frequency sentences, both local times.

Colours are fixed per item id, so a cadence has the same colour in every pack; an item id a team's
catalog adds gets a colour derived from its id alone (stable across packs and processes)."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import hashlib
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pmworkbook.core.i18n import WEEKDAY_INDEX, Formatter
from pmworkbook.plan.communication import CommunicationPlan
from pmworkbook.render.fragments import Fragment, render

# Okabe-Ito and Paul Tol's colour-blind-safe palettes, dark enough to read as a marker on white.
CADENCE_COLOURS = {
    "status_meeting": "#0072B2",
    "weekly_report": "#009E73",
    "daily_digest": "#56B4E9",
    "daily_standup": "#44AA99",
    "monthly_review": "#E69F00",
    "kickoff": "#332288",
    "milestone_preview": "#CC79A7",
    "milestone_review": "#D55E00",
    "closure_report": "#882255",
}
OTHER_COLOURS = ("#117733", "#999933", "#AA4499", "#6699CC", "#888888", "#661100", "#DDAA33", "#004488")
MILESTONE_COLOUR = "#b03a2e"
# A milestone's name above the timeline, in Latin letters (a Chinese character counts two): names run to
# 300 characters, a label of more than about a third of the chart's width would leave it.
MILESTONE_LABEL_WIDTH = 60
DAY_RULES = ("weekly", "biweekly", "monthly")  # rules whose sentence names a weekday

# How much a month grid holds on one landscape A4 page (172 mm of height between the margins), at
# the month view's type size (7.6 pt, lines of 3.22 mm): a day cell is 24 characters wide (a CJK
# character counts two), a week's row at least 20 mm (document.css); the caption and the weekdays take
# 13 mm, each line of the legend 3.7 mm (175 characters wide), the section's heading 13 mm. A month
# that needs more lines than the rest holds (less two to spare) gets a compact grid (times and
# colours) with a per-week agenda under it.
CELL_CHARS = 24
ROW_LINES = 6.2
LINE_MM = 3.22
PAGE_MM, CAPTION_MM, HEADING_MM = 172, 13, 13
LEGEND_LINE_MM, LEGEND_CHARS = 3.7, 175


def item_key(item: str) -> str:
    """The catalog id of an occurrence's item: milestone_review-2 -> milestone_review."""
    return item.split("-")[0]


def colour(item: str) -> str:
    key = item_key(item)
    if key in CADENCE_COLOURS:
        return CADENCE_COLOURS[key]
    digest = hashlib.sha256(key.encode()).digest()  # not hash(): that changes from process to process
    return OTHER_COLOURS[digest[0] % len(OTHER_COLOURS)]


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def frequency(fmt: Formatter, rule: str, day: str | None) -> str:
    """How often a cadence happens, as it reads inside a sentence ("every Tuesday",
    "w każdą środę", "в первую рабочую пятницу месяца"): a whole phrase per weekday, because
    Polish and Russian inflect the weekday and what agrees with it."""
    if rule in DAY_RULES:
        return fmt.t[f"calendar.frequency.{rule}_on.{day}"]
    return fmt.t[f"calendar.frequency.{rule}"]


def _present(value: Any) -> bool:
    return value is not None and not pd.isna(value)


@dataclass
class Zones:
    """The client's and the agency's time zones, and the agency's city (None: the same zone)."""

    client: str
    agency: str | None
    client_city: str
    agency_city: str | None

    @classmethod
    def of(cls, plan: CommunicationPlan, fmt: Formatter) -> Zones:
        client = plan.client
        agency = client.agency.timezone if client.agency and client.agency.timezone != client.timezone else None
        return cls(client.timezone, agency, fmt.city(client.timezone), fmt.city(agency) if agency else None)


def other_time(fmt: Formatter, zones: Zones, start: dt.datetime, agency_start: Any) -> str:
    """The agency's local time of an occurrence, with its city (and weekday when the date differs);
    "" when both sides share a zone."""
    if not zones.agency or not _present(agency_start):
        return ""
    if agency_start.date() != start.date():
        return fmt.t.format("calendar.month_other_time_day", city=zones.agency_city, time=fmt.time(agency_start),
                            weekday=fmt.weekday(agency_start.date(), "abbreviated"))
    return fmt.t.format("calendar.month_other_time", city=zones.agency_city, time=fmt.time(agency_start))


# ---------------------------------------------------------------------------- cadences

@dataclass
class Cadence:
    """A cadence of the client's preset as the documents describe it."""

    id: str
    rule: str
    day: str | None
    title: str
    channel: str
    frequency: str  # as it reads inside a sentence: "every Tuesday"
    time: str  # its usual start, in the client's time
    agency_time: str  # its usual start in the agency's time ("" when both sides share a zone)
    agency_weekday: str  # the agency's weekday when its date is not the client's ("" when the same)
    zones: Zones
    colour: str
    count: int
    daily: bool

    def line(self, fmt: Formatter) -> str:
        """One whole line: what, how often, when (on both sides' clocks when they differ)."""
        values = {"title": self.title, "channel": fmt.in_sentence(self.channel), "frequency": self.frequency, "time": self.time}
        if self.agency_time:
            zones = {"city": self.zones.client_city, "other_time": self.agency_time, "other_city": self.zones.agency_city}
            if self.agency_weekday:
                return fmt.t.format("calendar.cadence_line_zones_day", **values, **zones, other_weekday=self.agency_weekday)
            return fmt.t.format("calendar.cadence_line_zones", **values, **zones)
        return fmt.t.format("calendar.cadence_line", **values)


def _usual(values: list) -> Any:
    """The most common value (a time that daylight saving shifts for a week or two is the exception)."""
    return Counter(values).most_common(1)[0][0] if values else None


def _agency_time(fmt: Formatter, start: dt.datetime, agency_start: Any) -> tuple[str, str]:
    """The agency's clock time of an occurrence, and its weekday when the date is not the client's."""
    if not _present(agency_start):
        return "", ""
    weekday = fmt.weekday(agency_start.date(), "abbreviated") if agency_start.date() != start.date() else ""
    return fmt.time(agency_start), weekday


def cadences(plan: CommunicationPlan, fmt: Formatter) -> list[Cadence]:
    """Every scheduled cadence of the client's preset (not the channels), in the catalog's order."""
    templates = fmt.templates
    comm = plan.client.communication
    specs = templates.structure("cadences")["presets"][comm.preset]["cadences"]
    text = templates.text("cadences", plan.client.language)
    zones = Zones.of(plan, fmt)
    frame = plan.occurrences
    rows = []
    for spec in specs:
        rule = spec["rule"]
        if rule == "channel":
            continue
        day = spec.get("day", comm.meeting_day) if rule in DAY_RULES else None
        mine = frame[frame["item"] == spec["id"]]
        usual = _usual([start.time() for start in mine["start"]])
        if usual is None:  # no occurrence at all: the catalog's time
            usual = comm.meeting_time if spec.get("time", "meeting") == "meeting" else dt.time.fromisoformat(spec["time"])
        agency = _usual([_agency_time(fmt, row.start, row.agency_start) for row in mine.itertuples(index=False)]) if zones.agency else None
        rows.append(Cadence(
            id=spec["id"], rule=rule, day=day, title=text[f"items.{spec['id']}.title"],
            channel=text[f"channels.{spec['channel']}"], frequency=frequency(fmt, rule, day),
            time=fmt.time(usual), agency_time=agency[0] if agency else "", agency_weekday=agency[1] if agency else "", zones=zones,
            colour=colour(spec["id"]), count=len(mine), daily=spec["id"] in plan.daily_items,
        ))
    return rows


def lane_title(fmt: Formatter, item: str) -> str:
    """The name of an item's kind: a cadence's title, or "Milestone reviews" for all of them."""
    key = item_key(item)
    lanes = fmt.t["calendar.lanes"]
    if key in lanes:
        return lanes[key]
    return fmt.templates.text("cadences", fmt.language)[f"items.{key}.title"]


def legend(plan: CommunicationPlan, fmt: Formatter) -> list[dict[str, str]]:
    """The colour of each kind of item the plan holds: the preset's cadences in the catalog's
    order, then the project's triggers in theirs."""
    structure = fmt.templates.structure("cadences")
    preset = structure["presets"][plan.client.communication.preset]
    order = [spec["id"] for spec in preset["cadences"]] + list(structure["triggers"])
    held = {item_key(item) for item in plan.occurrences["item"]}
    keys = [key for key in order if key in held] + sorted(held - set(order))
    return [{"key": key, "title": lane_title(fmt, key), "colour": colour(key)} for key in keys]


# ---------------------------------------------------------------------------- month view

def _moved_note(fmt: Formatter, row: Any) -> str:
    """"Moved from 4 May 2027: project day off." for an occurrence whose day or time changed
    (the date in its long form, which Polish and Russian decline inside the sentence; the reason
    as the catalog writes it to stand after a colon, a holiday's name with its capitals)."""
    original_start: Any = getattr(row, "original_start", None)
    if not _present(original_start):
        return ""
    original = fmt.date(row.original_date) if _present(row.original_date) else fmt.time(original_start)
    if _present(row.original_date) and original_start.time() != row.start.time():
        original = fmt.date_time(original_start)  # another day and another time: both, as the schedule says
    return fmt.t.format("calendar.moved_note", original=original, reason=row.moved_reason)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _lines(text: str, chars: int = CELL_CHARS) -> int:
    """Lines a text takes in a day cell, wrapped at spaces; a word (or a run of CJK text) longer
    than a line breaks anywhere."""
    lines, used = 1, 0
    for word in text.split():
        width = _width(word)
        if used and used + 1 + width > chars:
            lines, used = lines + 1, 0
        if used:
            used += 1 + width
        else:
            extra = (width - 1) // chars
            lines, used = lines + extra, width - extra * chars
    return lines


def _packed_lines(widths: list[int], chars: int) -> int:
    """Lines that items of these widths take, each kept whole on a line."""
    lines, used = 1, 0
    for width in widths:
        if used and used + width > chars:
            lines, used = lines + 1, 0
        used += width
    return lines


def _cell_lines(cell: dict[str, Any]) -> float:
    lines = 1.5 + (_lines(cell["holiday"]) if cell["holiday"] else 0) + cell["provisional"]  # the day's number and padding
    lines += sum(_lines(f"{e['time']} {e['other_time']} {e['title']}") + (_lines(e["moved"]) if e["moved"] else 0) + 0.2
                 for e in cell["events"])
    return lines + sum(_lines(m) for m in cell["milestones"])


def month_grid(plan: CommunicationPlan, fmt: Formatter, week_start: str | None = None) -> Fragment:
    first_weekday = WEEKDAY_INDEX[week_start] if week_start else fmt.first_weekday
    zones = Zones.of(plan, fmt)
    frame = plan.occurrences
    by_day: dict[dt.date, list[dict[str, Any]]] = {}
    daily: dict[dt.date, list[str]] = {}
    for row in frame.itertuples(index=False):
        if row.item in plan.daily_items:  # every working day: a coloured mark on the day, named in the legend
            daily.setdefault(row.date, []).append(colour(row.item))
            continue
        by_day.setdefault(row.date, []).append({
            "title": row.title, "time": fmt.time(row.start), "other_time": other_time(fmt, zones, row.start, row.agency_start),
            "colour": colour(row.item), "key": item_key(row.item), "day": row.date,
            # items held within this one (a milestone review on the status meeting's agenda): their colours too
            "merged": [colour(item) for item in getattr(row, "merged", None) or ()],
            "moved": _moved_note(fmt, row),
        })
    milestones: dict[dt.date, list[str]] = {}
    for milestone in plan.client.project.milestones:
        milestones.setdefault(milestone.date, []).append(fmt.t.format("calendar.milestone_day", milestone=milestone.name))
    keys = legend(plan, fmt)
    daily_cadences = [c for c in cadences(plan, fmt) if c.daily]
    project = plan.client.project
    last = max([project.end, *by_day])
    months: list[dict[str, Any]] = []
    month = project.start.replace(day=1)
    grid = pycalendar.Calendar(firstweekday=first_weekday)
    provisional = makeup = False
    while month <= last:
        weeks: list[list[dict[str, Any]]] = []
        for week in grid.monthdatescalendar(month.year, month.month):
            cells: list[dict[str, Any]] = []
            for day in week:
                inside = day.month == month.month
                reason = plan.calendar.reason_off(day)
                # A public holiday or make-up day of a year whose official schedule is not out yet.
                is_provisional = inside and plan.calendar.is_provisional(day) and (
                    bool(reason and reason.kind == "holiday") or plan.calendar.is_makeup_day(day))
                provisional = provisional or is_provisional
                is_makeup = plan.calendar.is_makeup_day(day)
                makeup = makeup or (inside and is_makeup)
                cells.append({
                    "day": day.day, "date": day, "in_month": inside,
                    "events": by_day.get(day, []) if inside else [],
                    "milestones": milestones.get(day, []) if inside else [],
                    # a public holiday by its name, the engagement's own day off as such (a weekend needs no words)
                    "off": reason is not None,
                    "holiday": "" if not inside or not reason or reason.kind == "weekend"
                    else reason.name if reason.kind == "holiday" else fmt.t[f"calendar.off_reasons.{reason.kind}"],
                    "makeup": is_makeup, "daily": daily.get(day, []) if inside else [],
                    "provisional": is_provisional,
                })
            weeks.append(cells)
        # The title is a heading: "Maj 2027", "Май 2027 г.", not the month as it stands in a sentence.
        months.append({"title": capitalised(fmt.month_year(month)), "weeks": weeks, "agenda": [],
                       "needed": sum(max(ROW_LINES, *(_cell_lines(cell) for cell in cells)) for cells in weeks)})
        month = (month + dt.timedelta(days=32)).replace(day=1)
    # The legend's lines: its keys (each kept whole, with its dot or swatch) wrapped, then a line per daily item and the zones' note.
    key_texts = [fmt.t["calendar.legend_label"], *(k["title"] for k in keys), fmt.t["calendar.day_off"]]
    key_texts += [fmt.t["calendar.makeup_day"]] if makeup else []
    key_texts += [fmt.t["calendar.provisional_day"]] if provisional else []
    legend_lines = _packed_lines([_width(text) + 5 for text in key_texts], LEGEND_CHARS) + len(daily_cadences) + (1 if zones.agency else 0)
    for index, entry in enumerate(months):
        room = PAGE_MM - CAPTION_MM - LEGEND_LINE_MM * legend_lines - (HEADING_MM if index == 0 else 0)
        # Too full for a grid: times and colours in the grid, the full names week by week under it.
        if entry["needed"] > room / LINE_MM - 4:  # four lines to spare: the estimate ran short by two in Russian
            for cells in entry["weeks"]:
                held = [event for cell in cells if cell["in_month"] for event in cell["events"]]
                if held:
                    dates = [cell["date"] for cell in cells if cell["in_month"]]
                    entry["agenda"].append({"title": fmt.interval(dates[0], dates[-1], "MMMd"),
                                            "events": [{**event, "date": fmt.skeleton(event["day"], "MMMEd")}
                                                       for event in held]})
    weekdays = [fmt.locale.days["format"]["abbreviated"][(first_weekday + i) % 7] for i in range(7)]
    return render(fmt.templates, "calendar_months.html.j2", t=fmt.t, fmt=fmt, months=months, weekdays=weekdays,
                  legend=keys, daily=daily_cadences, zones=zones, provisional=provisional, makeup=makeup)


# ---------------------------------------------------------------------------- timeline

def timeline_figure(plan: CommunicationPlan, fmt: Formatter):
    """The timeline as a matplotlib figure: a lane per kind of item in its colour, a dashed line per
    milestone with its name and date above the chart."""
    from matplotlib import dates as mdates

    from pmworkbook.render.charts import fit_tightly, pyplot
    from pmworkbook.render.charts import label as chart_label

    plt = pyplot()
    frame = plan.occurrences
    lanes = legend(plan, fmt)  # one lane per kind of item; milestone previews and reviews share one each
    milestones = sorted(plan.client.project.milestones, key=lambda m: m.date)
    figure, axes = plt.subplots(figsize=(10, 0.42 * len(lanes) + 1.8), dpi=100)
    try:
        for index, lane in enumerate(lanes):
            dates = [d for d, i in zip(frame["date"], frame["item"], strict=True) if item_key(i) == lane["key"]]
            dense = len(dates) > 40
            axes.scatter(dates, [index] * len(dates), s=14 if dense else 36, marker="|" if dense else "o", color=lane["colour"])
        axes.set_yticks(range(len(lanes)), [lane["title"] for lane in lanes])
        axes.set_ylim(len(lanes) - 0.5, -0.5)  # the first lane on top
        start = min([plan.client.project.start, *frame["date"]])
        end = max([plan.client.project.end, *frame["date"]])
        axes.set_xlim(start - dt.timedelta(days=3), end + dt.timedelta(days=3))
        labels = []
        for milestone in milestones:
            axes.axvline(milestone.date, color=MILESTONE_COLOUR, linewidth=0.9, linestyle="--")
            label = f"{chart_label(milestone.name, MILESTONE_LABEL_WIDTH)} · {fmt.skeleton(milestone.date, 'MMMd')}"
            labels.append(axes.annotate(label, xy=(milestone.date, 1), xycoords=("data", "axes fraction"), xytext=(3, 4),
                                        textcoords="offset points", fontsize=8.5, color=MILESTONE_COLOUR, ha="left",
                                        va="bottom", annotation_clip=False))
        axes.xaxis.set_major_locator(mdates.MonthLocator())
        axes.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: capitalised(fmt.month_year(mdates.num2date(x).date()))))
        axes.grid(axis="x", color="#dddddd")
        axes.spines[["top", "right"]].set_visible(False)
        figure.autofmt_xdate()
        figure.tight_layout()
        _place_labels(figure, labels)
        fit_tightly(figure)
    except BaseException:
        plt.close(figure)
        raise
    return figure


def _place_labels(figure, labels: list) -> None:
    """Each milestone's name above its line, reading rightwards (leftwards when it would leave the
    figure); a name that would overlap another goes up a level, as measured by the renderer."""
    renderer = figure.canvas.get_renderer()
    right_edge = figure.bbox.x1 - 2
    levels: list[list] = []
    for label in labels:
        if label.get_window_extent(renderer).x1 > right_edge:
            label.set_horizontalalignment("right")
            label.xyann = (-3, label.xyann[1])
        level = 0
        while True:
            label.xyann = (label.xyann[0], 4 + 13 * level)
            box = label.get_window_extent(renderer)
            if level == len(levels):
                levels.append([])
            if not any(box.overlaps(other) for other in levels[level]):
                levels[level].append(box)
                break
            level += 1


def timeline_chart(plan: CommunicationPlan, fmt: Formatter) -> Fragment:
    from pmworkbook.render.charts import png_data_uri

    figure = timeline_figure(plan, fmt)
    return render(fmt.templates, "calendar_timeline.html.j2", t=fmt.t, image=png_data_uri(figure), legend=legend(plan, fmt),
                  milestones=bool(plan.client.project.milestones), milestone_colour=MILESTONE_COLOUR)
