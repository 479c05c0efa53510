"""What every chart of the documents shares: pyplot on Agg in the documents' fonts, a layout
fitted once, and the figure embedded as a print-resolution PNG."""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from pathlib import Path

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

    from pmworkbook.core.files import atomic_path

    cache = Path(matplotlib.get_cachedir(), f"fontlist-v{font_manager.FontManager.__version__}.json")
    try:
        with atomic_path(cache) as tmp:  # two kernels may do this at once: never a half-written cache
            font_manager.json_dump(font_manager.fontManager, tmp)
    except OSError:
        pass  # a read-only cache folder: the search simply happens again next time


def _chart_families() -> list[str]:
    known = _known_fonts()
    return [name for name in CHART_FONTS if name in known] or ["sans-serif"]


def use_document_style(plt) -> None:
    plt.rcParams["font.family"] = _chart_families()


@lru_cache(maxsize=1)
def _chart_characters() -> frozenset[int]:
    """The code points the chart fonts have (about 50,000; 50 ms, once per process)."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    covered: set[int] = set()
    for family in _chart_families():
        path = font_manager.findfont(font_manager.FontProperties(family=family))
        covered.update(FT2Font(path).get_charmap())
    return frozenset(covered)


def label(text: str, limit: int | None = None) -> str:
    """A portfolio text (a milestone's name) as a chart prints it: without the characters none of the
    chart fonts has, such as emoji (matplotlib cannot draw Noto Color Emoji, whose glyphs are bitmaps,
    and would print a box), and shortened to `limit` (in Latin letters, a Chinese character counting
    two) when given: a name runs to 300 characters."""
    from pmworkbook.core.text import shorten

    if any(ord(char) >= 0x2000 for char in text):
        covered = _chart_characters()
        text = "".join(char for char in text if ord(char) in covered or char.isspace())
    text = " ".join(text.split())
    return shorten(text, limit) if limit else text


def fit_tightly(figure) -> None:
    """Fit the axes to their labels once. tight_layout leaves a placeholder layout engine behind,
    which makes savefig draw the whole figure twice (10% of a chart's time); the layout is done."""
    figure.tight_layout()
    figure.set_layout_engine(None)


def png_data_uri(figure, trim: bool = False) -> str:
    """The figure as a data: URI (the document loads nothing from anywhere), closing the figure;
    `trim`: without the blank rows above and below it.

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
        pixels = np.asarray(canvas.buffer_rgba())
        if trim:  # without the blank rows above and below what is drawn (the width, and so the scale, kept)
            drawn = np.flatnonzero((pixels[:, :, :3] < 250).any(axis=(1, 2)))
            if drawn.size:
                pixels = pixels[max(drawn[0] - 4, 0): drawn[-1] + 5]
        image = Image.fromarray(pixels).convert("RGB")
    finally:
        plt.close(figure)
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1)  # no metadata: the same data gives the same bytes
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def pyplot():
    """matplotlib's pyplot on the Agg backend, in the documents' fonts."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    use_document_style(plt)
    return plt
