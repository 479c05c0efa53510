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
    """Others' mean per criterion, with the self-rating beside it where there is one.

    The figure prints at about three quarters of its size (figure.radar: at most 40em of 10.5pt),
    so the criteria's names are drawn at 13pt (about 10pt on paper, as the body text), wrapped,
    and set outside the outer circle, aligned away from it; the scale's numbers sit between two
    criteria, where no name is; the legend goes under the circle."""
    plt = pyplot()
    count = len(criteria)
    angles = [2 * math.pi * i / count for i in range(count)] + [0]
    # The circle 3.6in across in the middle, 2in either side for the names (tight_layout does not
    # count text drawn outside the axes, so the room is set here; the PNG is trimmed above and below).
    figure = plt.figure(figsize=(7.6, 6.6), dpi=100)
    axes = figure.add_axes((2 / 7.6, 1.35 / 6.6, 3.6 / 7.6, 3.6 / 6.6), projection="polar")
    axes.set_theta_offset(math.pi / 2)  # the first criterion at the top, the others clockwise
    axes.set_theta_direction(-1)
    for label, points, colour in radar_series(report, criteria, fmt):
        # Markers: a mean whose neighbours are gaps is still seen.
        axes.plot(angles, points, color=colour, linewidth=1.8, marker="o", markersize=4.5, label=label)
        if not any(math.isnan(p) for p in points):  # a filled area with a gap would be drawn through 0
            axes.fill(angles, points, color=colour, alpha=0.12)
    axes.set_xticks(angles[:-1], [""] * count)
    axes.set_ylim(0, 5)
    axes.set_yticks([1, 2, 3, 4, 5], [fmt.number(v) for v in (1, 2, 3, 4, 5)], fontsize=10, color="#5b6775")
    axes.set_rlabel_position(180 / count if count else 0)  # between the first two criteria
    width = 12 if fmt.language == "zh" else 18
    for angle, criterion in zip(angles, criteria, strict=False):
        # Where the name is on the page: right of the centre reads from the circle outwards, left of it towards it.
        x, y = math.sin(angle), math.cos(angle)
        ha = "center" if abs(x) < 0.2 else "left" if x > 0 else "right"
        va = "center" if abs(y) < 0.2 else "bottom" if y > 0 else "top"
        name = _wrapped(criterion["name"], width)
        axes.text(angle, 5.45, name, ha=ha, va=va, fontsize=13, linespacing=1.15, clip_on=False)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=12, frameon=False)
    return png_data_uri(figure, trim=True)


def _wrapped(name: str, width: int) -> str:
    """A criterion's name in lines of at most `width` characters; a name without spaces (Chinese)
    broken every `width` characters, which its short names seldom reach."""
    if " " not in name:
        return "\n".join(name[i:i + width] for i in range(0, len(name), width))
    return textwrap.fill(name, width, break_long_words=False, break_on_hyphens=False)  # a word stays whole
