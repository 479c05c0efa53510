"""Spreadsheets from outside (CSV, XLSX): what every reader checks before it trusts one. Each
reader (portfolio tables, task registers, returned forms) keeps its own bounds and messages."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# What Excel writes for "CSV" in Polish, Russian and Chinese Windows, besides UTF-8.
LEGACY_ENCODINGS = ["cp1250", "cp1251", "gb18030", "utf_16"]


def decode(data: bytes) -> str | None:
    """UTF-8 (with or without BOM), else the legacy encoding the bytes read best in; None when
    they read as none of them."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=LEGACY_ENCODINGS).best()
    return None if best is None else str(best)


def csv_rows(text: str) -> Iterator[list[str]]:
    """The rows of a CSV text. The header line decides the separator: Excel writes ';' where ','
    is the decimal comma (Polish, Russian), tabs for "Unicode text"."""
    try:
        dialect: Any = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.reader(io.StringIO(text, newline=""), dialect)


def unzipped_size(path: Path) -> int | None:
    """What an .xlsx unpacks to, read from its zip directory before anything is unpacked (a zip
    bomb stops at this number); None when the file is not a zip archive."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return None
