"""How wide a text prints, counted in Latin letters (a Chinese character, a full-width sign or an
emoji is two), and a text cut to a width where a line has a fixed room: a chart's label, the
running header of every page. Portfolio texts run up to 300 characters (MAX_TEXT)."""

from __future__ import annotations

import unicodedata

PLACEHOLDER = "…"


def char_width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def width(text: str) -> int:
    return sum(char_width(char) for char in text)


def shorten(text: str, limit: int) -> str:
    """`text` when it is at most `limit` wide; else its start and "…", `limit` wide at most, cut
    after a word when that keeps two thirds of the room (Chinese, a long word: anywhere)."""
    text = " ".join(text.split())
    if width(text) <= limit:
        return text
    room, kept, end = limit - width(PLACEHOLDER), 0, 0
    while kept + char_width(text[end]) <= room:
        kept += char_width(text[end])
        end += 1
    cut = text[:end]
    space = cut.rfind(" ")
    if space >= 0 and width(cut[:space]) * 3 >= room * 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:·-–—") + PLACEHOLDER
