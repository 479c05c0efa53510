"""Views of a communication plan: a month grid (HTML) and a timeline chart (a static image)."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt

from pmworkbook.core.i18n import WEEKDAY_INDEX, Formatter
from pmworkbook.plan.communication import CommunicationPlan
from pmworkbook.render.fragments import Fragment, render


def month_grid(plan: CommunicationPlan, fmt: Formatter, week_start: str | None = None) -> Fragment:
    first_weekday = WEEKDAY_INDEX[week_start] if week_start else fmt.first_weekday
    frame = plan.occurrences
    by_day: dict[dt.date, list[dict]] = {}
    daily_days: set[dt.date] = set()
    daily_titles: dict[str, str] = {}
    for row in frame.itertuples(index=False):
        if row.item in plan.daily_items:  # every working day: a mark on the day, not a line
            daily_days.add(row.date)
            daily_titles[row.item] = row.title
            continue
        by_day.setdefault(row.date, []).append({"title": row.title, "item": row.item.split("-")[0]})
    project = plan.client.project
    last = max([project.end, *by_day])
    months, month = [], project.start.replace(day=1)
    grid = pycalendar.Calendar(firstweekday=first_weekday)
    while month <= last:
        weeks = []
        for week in grid.monthdatescalendar(month.year, month.month):
            cells = []
            for day in week:
                reason = plan.calendar.reason_off(day)
                cells.append({
                    "day": day.day, "in_month": day.month == month.month, "events": by_day.get(day, []),
                    "off": reason is not None, "holiday": reason.name if reason and reason.kind == "holiday" else "",
                    "makeup": plan.calendar.is_makeup_day(day), "daily": day in daily_days,
                })
            weeks.append(cells)
        months.append({"title": fmt.month_year(month), "weeks": weeks})
        month = (month + dt.timedelta(days=32)).replace(day=1)
    weekdays = [fmt.locale.days["format"]["abbreviated"][(first_weekday + i) % 7] for i in range(7)]
    return render(fmt.templates, "calendar_months.html.j2", t=fmt.t, months=months, weekdays=weekdays, daily_titles=list(daily_titles.values()))


def timeline_chart(plan: CommunicationPlan, fmt: Formatter) -> Fragment:
    from matplotlib import dates as mdates

    from pmworkbook.render.charts import fit_tightly, png_data_uri, pyplot

    plt = pyplot()
    frame = plan.occurrences
    # One lane per item kind; milestone previews and reviews share a lane each.
    lanes = list(dict.fromkeys(item.split("-")[0] for item in frame["item"]))
    labels = {item.split("-")[0]: title.split(":")[0].split("：")[0] for item, title in zip(frame["item"], frame["title"], strict=True)}
    figure, axes = plt.subplots(figsize=(10, 0.45 * len(lanes) + 1.2), dpi=100)
    try:
        for lane, item in enumerate(lanes):
            dates = [d for d, i in zip(frame["date"], frame["item"], strict=True) if i.split("-")[0] == item]
            axes.scatter(dates, [lane] * len(dates), s=14 if len(dates) > 40 else 36, marker="|" if len(dates) > 40 else "o")
        for milestone in plan.client.project.milestones:
            axes.axvline(milestone.date, color="#b03a2e", linewidth=0.8, linestyle="--")
        axes.set_yticks(range(len(lanes)), [labels[item] for item in lanes])
        axes.invert_yaxis()
        axes.xaxis.set_major_locator(mdates.MonthLocator())
        axes.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: fmt.month_year(mdates.num2date(x).date())))
        axes.grid(axis="x", color="#dddddd")
        axes.spines[["top", "right"]].set_visible(False)
        figure.autofmt_xdate()
        fit_tightly(figure)
    except BaseException:
        plt.close(figure)
        raise
    return render(fmt.templates, "calendar_timeline.html.j2", t=fmt.t, image=png_data_uri(figure))
