"""Static charts of an evaluation report, as images that print the same everywhere."""

from __future__ import annotations

import math
import textwrap

from pmworkbook.core.i18n import Formatter
from pmworkbook.plan.scoring import Report
from pmworkbook.render.charts import fit_tightly, png_data_uri, pyplot


def group_bars(report: Report, fmt: Formatter) -> str:
    """One bar per shown rater group, plus the overall score of others."""
    plt = pyplot()
    t = fmt.t
    labels, values = [], []
    for group in report.groups:
        if group.shown and group.score is not None:
            labels.append(t[f"evaluation.rater_groups.{group.group}"])
            values.append(group.score)
    if report.overall is not None:
        labels.append(t["evaluation.report.overall"])
        values.append(report.overall)
    figure, axes = plt.subplots(figsize=(7, 0.5 * len(labels) + 1), dpi=100)
    bars = axes.barh(labels, values, color=["#7aa6c8"] * (len(values) - 1) + ["#1f5f8b"])
    axes.bar_label(bars, labels=[fmt.number(v, 2) for v in values], padding=3)
    axes.set_xlim(0, 5.4)
    axes.invert_yaxis()
    axes.spines[["top", "right"]].set_visible(False)
    fit_tightly(figure)
    return png_data_uri(figure)


def radar_series(report: Report, criteria: list[dict], fmt: Formatter) -> list[tuple[str, list[float], str]]:
    """The radar's lines: (label, a point per criterion and the first again to close it, colour).
    A criterion without a shown mean (not observed, or withheld) is NaN: a gap in the line, never a 0."""
    series = [(fmt.t["evaluation.report.others"], report.criteria, "#1f5f8b")]
    if any(v is not None for v in report.self_criteria.values()):
        series.append((fmt.t["evaluation.rater_groups.self"], report.self_criteria, "#d9822b"))
    lines = []
    for label, values, colour in series:
        points = [math.nan if (value := values.get(c["id"])) is None else float(value) for c in criteria]
        lines.append((label, [*points, points[0]], colour))
    return lines


def criteria_radar(report: Report, criteria: list[dict], fmt: Formatter) -> str:
    """Others' mean per criterion, with the self-rating beside it where there is one."""
    plt = pyplot()
    names = [textwrap.fill(c["name"], 18) for c in criteria]  # long names would be cut at the edge
    angles = [2 * math.pi * i / len(names) for i in range(len(names))] + [0]
    figure = plt.figure(figsize=(7.5, 5.6), dpi=100)
    axes = figure.add_subplot(projection="polar")
    for label, points, colour in radar_series(report, criteria, fmt):
        # Markers: a mean whose neighbours are gaps is still seen.
        axes.plot(angles, points, color=colour, linewidth=1.6, marker="o", markersize=3.5, label=label)
        if not any(math.isnan(p) for p in points):  # a filled area with a gap would be drawn through 0
            axes.fill(angles, points, color=colour, alpha=0.12)
    axes.set_xticks(angles[:-1], names, fontsize=8)
    axes.set_ylim(0, 5)
    axes.set_yticks([1, 2, 3, 4, 5])
    axes.legend(loc="upper right", bbox_to_anchor=(1.25, 1.12), fontsize=8)
    fit_tightly(figure)
    return png_data_uri(figure)
