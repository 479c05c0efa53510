"""The status report's two charts: each milestone's baseline and forecast, and the effort burn-up
(scope, plan and work done, in hours) against the report's day. Labels in the document's
language; colours say the same as the words beside them, never alone."""

from __future__ import annotations

import datetime as dt
import math
import textwrap
import unicodedata

from pmworkbook.core.i18n import Formatter
from pmworkbook.plan.status import Effort, MilestoneLine
from pmworkbook.render.charts import fit_tightly, label, png_data_uri, pyplot

STATE_COLOURS = {"reached": "#2e7d32", "on_track": "#1f5f8b", "late": "#c0392b", "no_tasks": "#5b6775"}
INK, MUTED, RULE = "#1d2733", "#5b6775", "#d5dbe3"
# Two charts side by side on A4: each about 8.5 cm wide, their type the size of the tables' beside them.
CHART_WIDTH, CHART_HEIGHT = 4.3, 1.9


def _date_axis(axes, fmt: Formatter, first: dt.date, last: dt.date) -> None:
    """Month ticks, labelled by Babel in the document's language (янв., 1月, sty)."""
    import matplotlib.dates as mdates

    months, day = [], dt.date(first.year, first.month, 1)
    while day <= last:
        if day >= first:
            months.append(day)
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    labels = [fmt.skeleton(d, "MMMd") for d in months]
    # As many as fit side by side on the axis (about 210 pt) in 8 pt type: a Chinese character is
    # about 8 pt wide, a Latin or Cyrillic letter 4.6 pt; 10 pt between labels.
    widest = max((sum(8.0 if unicodedata.east_asian_width(c) in "WF" else 4.6 for c in label) for label in labels), default=0.0)
    step = max(1, math.ceil(len(months) / max(2, int(210 // (widest + 10)))))
    axes.set_xticks([mdates.date2num(d) for d in months[::step]], labels[::step])
    axes.set_xlim(mdates.date2num(first), mdates.date2num(last))


def milestone_chart(lines: list[MilestoneLine], as_of: dt.date, fmt: Formatter) -> str:
    """A row per milestone: its baseline (an open diamond), its forecast or the day it was reached
    (a filled dot), joined where they differ; the report's day as a dashed line."""
    import matplotlib.dates as mdates

    plt = pyplot()
    t = fmt.t
    figure, axes = plt.subplots(figsize=(CHART_WIDTH, max(CHART_HEIGHT, 0.3 * len(lines) + 1.1)), dpi=100)
    dates = [d for line in lines for d in (line.baseline, line.forecast)] + [as_of]
    first, last = min(dates) - dt.timedelta(days=7), max(dates) + dt.timedelta(days=7)
    for row, line in enumerate(lines):
        colour = STATE_COLOURS[line.state]
        base, forecast = mdates.date2num(line.baseline), mdates.date2num(line.forecast)
        if forecast != base:
            axes.plot([base, forecast], [row, row], color=colour, linewidth=2, solid_capstyle="butt")
        axes.plot(base, row, marker="D", markersize=7, markerfacecolor="white", markeredgecolor=INK, linestyle="none")
        axes.plot(forecast, row, marker="o", markersize=7, color=colour, linestyle="none")
    axes.axvline(mdates.date2num(as_of), color=MUTED, linestyle="--", linewidth=1)
    axes.set_yticks(range(len(lines)), [textwrap.fill(label(line.name, 40), 16) for line in lines])
    axes.set_ylim(len(lines) - 0.5, -0.8)
    axes.text(mdates.date2num(as_of), -0.65, " " + t.format("status.chart.as_of", date=fmt.date_short(as_of)), fontsize=7.5,
              color=MUTED, va="center")
    _date_axis(axes, fmt, first, last)
    axes.tick_params(labelsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="x", color=RULE, linewidth=0.6)
    handles = [
        plt.Line2D([], [], marker="D", markerfacecolor="white", markeredgecolor=INK, linestyle="none", label=t["status.chart.baseline"]),
        plt.Line2D([], [], marker="o", color=STATE_COLOURS["on_track"], linestyle="none", label=t["status.chart.forecast"]),
        plt.Line2D([], [], marker="o", color=STATE_COLOURS["late"], linestyle="none", label=t["status.chart.late"]),
        plt.Line2D([], [], marker="o", color=STATE_COLOURS["reached"], linestyle="none", label=t["status.chart.reached"]),
    ]
    axes.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=7, frameon=False)
    fit_tightly(figure)
    return png_data_uri(figure, trim=True)


def burnup_chart(effort: Effort, as_of: dt.date, fmt: Formatter) -> str:
    """Scope (all estimates), the plan (each estimate spread over its task's working days) and the
    work done (the estimates of done tasks), in hours, week by week."""
    import matplotlib.dates as mdates

    plt = pyplot()
    t = fmt.t
    points = effort.burnup
    figure, axes = plt.subplots(figsize=(CHART_WIDTH, CHART_HEIGHT), dpi=100)
    days = [mdates.date2num(p["date"]) for p in points]
    axes.plot(days, [p["scope"] for p in points], color=MUTED, linewidth=1.4, label=t["status.chart.scope"])
    axes.plot(days, [p["plan"] for p in points], color="#1f5f8b", linewidth=1.6, linestyle="--", label=t["status.chart.plan"])
    done = [(d, p["done"]) for d, p in zip(days, points, strict=True) if p["done"] is not None]
    if done:
        axes.plot([d for d, _ in done], [v for _, v in done], color="#2e7d32", linewidth=2.2, marker="o", markersize=3,
                  label=t["status.chart.done"])
    axes.axvline(mdates.date2num(as_of), color=MUTED, linestyle=":", linewidth=1)
    top = max([p["scope"] for p in points] + [1.0])
    axes.text(mdates.date2num(as_of), top * 1.04, " " + t.format("status.chart.as_of", date=fmt.date_short(as_of)), fontsize=7.5,
              color=MUTED, va="bottom")
    axes.set_ylim(0, top * 1.15)
    axes.set_ylabel(t["status.chart.hours"], fontsize=8)
    _date_axis(axes, fmt, points[0]["date"] - dt.timedelta(days=3), points[-1]["date"] + dt.timedelta(days=3))
    axes.yaxis.set_major_formatter(plt.FuncFormatter(lambda value, _: fmt.number(value)))
    axes.tick_params(labelsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color=RULE, linewidth=0.6)
    # Below the date axis, as on the milestone chart: inside the axes it sat over the lines.
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize=7, frameon=False)
    fit_tightly(figure)
    return png_data_uri(figure, trim=True)
