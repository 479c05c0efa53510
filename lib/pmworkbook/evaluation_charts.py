"""Static charts of an evaluation report, as images that print the same everywhere."""

from __future__ import annotations

import base64
import io
import math
import textwrap
from functools import lru_cache
from pathlib import Path

from pmworkbook.i18n import Formatter
from pmworkbook.scoring import Report


# PNG at print resolution: a vector chart costs WeasyPrint several times more to lay out and draw.
# 150 dpi on a 10-inch figure printed 7 inches wide is about 210 dpi on paper.
CHART_DPI = 150


CHART_FONTS = ["Noto Sans", "Noto Sans CJK SC", "DejaVu Sans"]  # per-glyph fallback: Latin, Cyrillic, Chinese


@lru_cache(maxsize=1)
def _known_fonts() -> frozenset[str]:
    from matplotlib import font_manager

    known = {font.name for font in font_manager.fontManager.ttflist}
    if not set(CHART_FONTS) <= known:
        # matplotlib's font cache may predate the fonts' installation: add them from the system,
        # then save the cache so that the next process (every build kernel) starts without the
        # 0.2 s search.
        for path in font_manager.findSystemFonts():
            if "Noto" in Path(path).name:
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        known = {font.name for font in font_manager.fontManager.ttflist}
        _save_font_cache(font_manager)
    return frozenset(known)


def _save_font_cache(font_manager) -> None:
    import matplotlib

    from pmworkbook.fileio import atomic_path

    cache = Path(matplotlib.get_cachedir(), f"fontlist-v{font_manager.FontManager.__version__}.json")
    try:
        with atomic_path(cache) as tmp:  # two kernels may do this at once: never a half-written cache
            font_manager.json_dump(font_manager.fontManager, tmp)
    except OSError:
        pass  # a read-only cache folder: the search simply happens again next time


def use_document_style(plt) -> None:
    known = _known_fonts()
    plt.rcParams["font.family"] = [name for name in CHART_FONTS if name in known] or ["sans-serif"]


def fit_tightly(figure) -> None:
    """Fit the axes to their labels once. tight_layout leaves a placeholder layout engine behind,
    which makes savefig draw the whole figure twice (10% of a chart's time); the layout is done."""
    figure.tight_layout()
    figure.set_layout_engine(None)


def png_data_uri(figure) -> str:
    """The figure as a data: URI (the document loads nothing from anywhere), closing the figure.

    An RGB PNG, compressed lightly: matplotlib's own PNG is RGBA at zlib level 6, and WeasyPrint
    decodes every PNG and compresses it again for the PDF (splitting an alpha channel off first),
    so the heavier compression bought nothing and cost 10 ms in the kernel and 10 ms in the PDF."""
    import numpy as np
    from matplotlib import pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    try:
        canvas = FigureCanvasAgg(figure)
        figure.set_dpi(CHART_DPI)
        canvas.draw()
        image = Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB")
    finally:
        plt.close(figure)
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1)  # no metadata: the same data gives the same bytes
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    use_document_style(plt)
    return plt


def group_bars(report: Report, fmt: Formatter) -> str:
    """One bar per shown rater group, plus the overall score of others."""
    plt = _pyplot()
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


def criteria_radar(report: Report, criteria: list[dict], fmt: Formatter) -> str:
    """Others' mean per criterion, with the self-rating beside it where there is one."""
    plt = _pyplot()
    names = [textwrap.fill(c["name"], 18) for c in criteria]  # long names would be cut at the edge
    angles = [2 * math.pi * i / len(names) for i in range(len(names))] + [0]
    figure = plt.figure(figsize=(7.5, 5.6), dpi=100)
    axes = figure.add_subplot(projection="polar")
    series = [(fmt.t["evaluation.report.others"], report.criteria, "#1f5f8b")]
    if any(v is not None for v in report.self_criteria.values()):
        series.append((fmt.t["evaluation.rater_groups.self"], report.self_criteria, "#d9822b"))
    for label, values, colour in series:
        points = [values.get(c["id"]) or 0 for c in criteria]
        points.append(points[0])
        axes.plot(angles, points, color=colour, linewidth=1.6, label=label)
        axes.fill(angles, points, color=colour, alpha=0.12)
    axes.set_xticks(angles[:-1], names, fontsize=8)
    axes.set_ylim(0, 5)
    axes.set_yticks([1, 2, 3, 4, 5])
    axes.legend(loc="upper right", bbox_to_anchor=(1.25, 1.12), fontsize=8)
    fit_tightly(figure)
    return png_data_uri(figure)
