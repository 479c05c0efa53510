"""Spreadsheets from outside (CSV, XLSX): what every reader checks before it trusts one. Each
reader (portfolio tables, task registers, returned forms) keeps its own bounds and messages.
A CSV written back (the workshop's edits of a portfolio table) keeps the file's own encoding,
separator, quoting and line endings: `csv_records` gives each record's fields as they are
written, so that only the fields that change are written anew."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# What Excel writes for "CSV" in Polish, Russian and Chinese Windows, besides UTF-8.
LEGACY_ENCODINGS = ["cp1250", "cp1251", "gb18030", "utf_16"]


def decode(data: bytes) -> str | None:
    """UTF-8 (with or without BOM), else the legacy encoding the bytes read best in; None when
    they read as none of them."""
    decoded = decode_with_encoding(data)
    return None if decoded is None else decoded[0]


def decode_with_encoding(data: bytes) -> tuple[str, str] | None:
    """The text and the encoding it was read in ("utf-8-sig" when the bytes begin with a BOM,
    which encoding the text again writes back); None when they read as none of them."""
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=LEGACY_ENCODINGS).best()
    return None if best is None else (str(best), best.encoding)


def csv_dialect(text: str) -> Any:
    """The header line decides the separator: Excel writes ';' where ',' is the decimal comma
    (Polish, Russian), tabs for "Unicode text"."""
    try:
        return csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def csv_rows(text: str) -> Iterator[list[str]]:
    """The rows of a CSV text, in the dialect of its header line (`csv_dialect`)."""
    return csv.reader(io.StringIO(text, newline=""), csv_dialect(text))


@dataclass
class CsvRecord:
    """One record of a CSV text as written: each field's text (quotes and all) and the line end."""

    start: int  # where it begins in the text
    fields: list[str]
    end: str  # "\r\n", "\n", "\r", or "" for a last line without one

    def values(self, quote: str) -> list[str]:
        return [] if self.fields == [""] else [csv_unquote(f, quote) for f in self.fields]

    def text(self, delimiter: str) -> str:
        return delimiter.join(self.fields) + self.end


def csv_unquote(field: str, quote: str = '"') -> str:
    """A field's value, its quotes taken off and doubled quotes made single."""
    if not field.startswith(quote):
        return field
    close = 1
    while True:
        close = field.find(quote, close)
        if close < 0:
            raise ValueError("unclosed quote")
        if field[close + 1:close + 2] == quote:
            close += 2
            continue
        return field[1:close].replace(quote * 2, quote) + field[close + 1:]


def csv_quote(value: str, delimiter: str, quote: str = '"', always: bool = False) -> str:
    """A value as a field, quoted where the reader needs it (or `always`, as the field it replaces was)."""
    if always or any(c in value for c in (delimiter, quote, "\r", "\n")):
        return quote + value.replace(quote, quote * 2) + quote
    return value


def csv_records(text: str, delimiter: str, quote: str = '"') -> list[CsvRecord]:
    """The records of a CSV text with each field as written, so that a record can be written back
    with one field changed and every other character kept. Quoted fields may hold separators and
    line breaks. ValueError on an unclosed quote."""
    records: list[CsvRecord] = []
    i, n = 0, len(text)
    stops = (delimiter, "\r", "\n")
    while i < n:
        start, fields = i, []
        while True:
            begin = i
            if text.startswith(quote, i):
                i += 1
                while True:
                    close = text.find(quote, i)
                    if close < 0:
                        raise ValueError("unclosed quote")
                    if text.startswith(quote, close + 1):
                        i = close + 2
                        continue
                    i = close + 1
                    break
            while i < n and text[i] not in stops:
                i += 1
            fields.append(text[begin:i])
            if i < n and text[i] == delimiter:
                i += 1
                continue
            break
        end = "\r\n" if text.startswith("\r\n", i) else text[i:i + 1]
        i += len(end)
        records.append(CsvRecord(start, fields, end))
    return records


def unzipped_size(path: Path) -> int | None:
    """What an .xlsx unpacks to, read from its zip directory before anything is unpacked (a zip
    bomb stops at this number); None when the file is not a zip archive."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return None
