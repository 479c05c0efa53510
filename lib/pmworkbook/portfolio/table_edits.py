"""Changing one client of a table portfolio (CSV, XLSX) in place: only the cells of its row for
the fields that changed are written, and everything else of the file is kept.

- A CSV keeps its encoding (UTF-8 with or without BOM, Windows-1250/1251, GB18030, UTF-16), its
  separator, its quoting and its line endings: only the fields of the client's record that change
  are written anew, so one changed field is a diff of one line.
- An XLSX is opened with openpyxl (not read-only) and only the cells of the client's row change:
  other sheets, styles, column widths, data validations, frozen panes are kept.
- A field without a column gets one, after the last header (the client's row is padded to it).

The file is written atomically and keeps its mode. What the file cannot hold raises `CannotHold`
before anything is written, with the reason (a catalog key under ``apps.workshop.cannot_hold``):
an entry holding ';' (the separator inside a cell), a character the CSV's encoding lacks, a
workbook with formulas (openpyxl keeps formulas but not their saved results) or with content
openpyxl does not keep (charts, pictures, shapes, pivot tables, macros, ...), a CSV whose layout
cannot be reproduced, and, checked last on the written file, a table that would not read back
exactly as the changed portfolio (every other client unchanged).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pmworkbook.core.files import atomic_path
from pmworkbook.core.problems import PortfolioError, Problem
from pmworkbook.core.spreadsheets import csv_dialect, csv_quote, csv_records, csv_rows, csv_unquote, decode_with_encoding
from pmworkbook.portfolio.edits import apply_changes
from pmworkbook.portfolio.model import Client
from pmworkbook.portfolio.tables import PLAIN, CellError, Column, cell_text, clean_cell, read_table

# The column of each dotted field: communication.meeting_day -> meeting_day.
COLUMN_OF = {".".join(column.path): column for column in PLAIN.values()}
# A cell that a spreadsheet program would take for a formula when it opens the CSV.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp1250": "Windows-1250", "cp1251": "Windows-1251",
                  "gb18030": "GB18030", "utf_16": "UTF-16"}
# Parts of a workbook that openpyxl may not write back; their count must not fall.
KEPT_PARTS = {
    "charts": r"xl/charts/chart\d+\.xml", "pictures": r"xl/media/", "pivot tables": r"xl/pivot(Tables|Cache)/",
    "macros": r"xl/vbaProject\.bin", "threaded comments": r"xl/threadedComments/", "comments": r"xl/comments",
    "slicers": r"xl/slicer", "timelines": r"xl/timeline", "form controls": r"xl/(ctrlProps|activeX)/",
    "embedded objects": r"xl/embeddings/", "queries": r"xl/(queryTables/|connections\.xml)", "data model": r"xl/model/",
    "chart sheets": r"xl/chartsheets/", "tables": r"xl/tables/", "external links": r"xl/externalLinks/externalLink",
    "custom XML": r"customXml/item\d+\.xml", "rich values": r"xl/richData/",
}
SHAPES = re.compile(rb"<(?:\w+:)?(?:sp|grpSp|cxnSp)\b")  # drawn shapes and text boxes: openpyxl drops them


class CannotHold(Exception):
    """The table cannot hold the change as it is; nothing was written. `reason` is a key under
    ``apps.workshop.cannot_hold`` in the catalogs, `values` its placeholders."""

    def __init__(self, reason: str, detail: str = "", **values: str):
        super().__init__(reason, detail, values)
        self.reason, self.detail, self.values = reason, detail, values

    def __str__(self) -> str:  # for the consultant's log
        return f"{self.reason}: {self.detail}" if self.detail else self.reason


def update_table(path: str | Path, client_id: str, changes: dict[str, Any]) -> None:
    """Write `changes` (dotted fields) into the client's row of the table, in place; CannotHold,
    with nothing written, when the file cannot hold them."""
    path = Path(path)
    kind = path.suffix.lower()
    original, _, problems = read_table(path)
    for dotted in changes:
        if dotted not in COLUMN_OF:
            raise CannotHold("no_column", dotted, field=dotted)
    write = _write_xlsx if kind == ".xlsx" else _write_csv
    with atomic_path(path) as tmp:
        write(path, tmp, client_id, changes)
        _check_read_back(tmp, kind, original, problems, client_id, changes)


def _check_read_back(written: Path, kind: str, original: dict[str, Any], problems: list[Problem], client_id: str,
                     changes: dict[str, Any]) -> None:
    """The written table must read as the original with the changes: the changed client equal as
    the model reads it, every other row and every problem of the table's shape as before."""
    try:
        data, _, found = read_table(written, kind)
    except PortfolioError as exc:
        raise CannotHold("read_back", exc.problems[0].message) from None

    def shape(items: list[Problem]) -> list[tuple[Any, ...]]:
        return [(p.message, p.client, p.field) for p in items]

    if shape(found) != shape(problems):
        raise CannotHold("read_back", "the table's problems would change")
    expected = copy.deepcopy(original)
    apply_changes(expected, client_id, changes)
    if len(expected["clients"]) != len(data["clients"]):
        raise CannotHold("read_back", "the number of clients would change")
    for want, got in zip(expected["clients"], data["clients"], strict=True):
        if want.get("id") != client_id:
            if want != got:
                raise CannotHold("read_back", f"client {want.get('id')!r} would change")
            continue
        try:
            same = Client.model_validate(want) == Client.model_validate(got)
        except ValidationError:
            same = False
        if not same:
            raise CannotHold("read_back", f"client {client_id!r} would read back differently")


def _separator_like(old: Any) -> str:
    """The separator the cell already uses between entries: "; " unless it has ';' without a space."""
    return ";" if isinstance(old, str) and ";" in old and "; " not in old else "; "


def _text(column: Column, value: Any, old: Any) -> str | None:
    try:
        return cell_text(column, value, _separator_like(old))
    except CellError as exc:
        raise CannotHold(exc.reason, f"{exc.column}: {exc.value!r}", value=exc.value) from None


# -- CSV

def _write_csv(path: Path, target: Path, client_id: str, changes: dict[str, Any]) -> None:
    data = path.read_bytes()
    decoded = decode_with_encoding(data)
    if decoded is None:
        raise CannotHold("layout", "the encoding is not known")
    text, encoding = decoded
    if text.encode(encoding) != data:  # the file would change before any edit: its bytes cannot be kept
        raise CannotHold("layout", f"the text does not encode back to the same bytes in {encoding}")
    dialect = csv_dialect(text)
    delimiter, quote = dialect.delimiter, dialect.quotechar or '"'
    try:
        records = csv_records(text, delimiter, quote)
    except ValueError as exc:
        raise CannotHold("layout", str(exc)) from None
    if "".join(r.text(delimiter) for r in records) != text or [r.values(quote) for r in records] != list(csv_rows(text)):
        raise CannotHold("layout", "the records cannot be told apart as the reader reads them")
    header, body = records[0], records[1:]
    names = [value.strip() for value in header.values(quote)]
    quoted = bool(header.fields) and header.fields[0].startswith(quote)  # a file that quotes every field
    ids = [i for i, name in enumerate(names) if name == "id"]
    rows = [r for r in body if ids and len(r.fields) > ids[-1] and clean_cell(csv_unquote(r.fields[ids[-1]], quote)) == client_id]
    if len(rows) != 1:
        raise CannotHold("read_back", f"{len(rows)} rows of client {client_id!r}")
    row = rows[0]
    for dotted, value in changes.items():
        column = COLUMN_OF[dotted]
        where = [i for i, name in enumerate(names) if name == column.name]
        if not where:  # a field without a column yet: a column after the last
            header.fields.append(csv_quote(column.name, delimiter, quote, always=quoted))
            names.append(column.name)
            where = [len(names) - 1]
        for index in where:
            while len(row.fields) <= index:
                row.fields.append(quote * 2 if quoted else "")
            old = csv_unquote(row.fields[index], quote)
            new = _text(column, value, old) or ""
            if new == old.strip():
                continue
            if new.startswith(FORMULA_START):
                raise CannotHold("formula_text", f"{column.name}: {new!r}", char=new[:1])
            row.fields[index] = csv_quote(new, delimiter, quote, always=row.fields[index].startswith(quote))
    new_text = "".join(r.text(delimiter) for r in records)
    try:
        target.write_bytes(new_text.encode(encoding))
    except UnicodeEncodeError as exc:
        char = exc.object[exc.start:exc.end][:1]
        raise CannotHold("encoding", f"{encoding} has no {char!r}", encoding=ENCODING_NAMES.get(encoding, encoding),
                         char=char) from None


# -- XLSX

def _write_xlsx(path: Path, target: Path, client_id: str, changes: dict[str, Any]) -> None:
    import openpyxl

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        workbook = openpyxl.load_workbook(path)  # not read-only: styles, widths, validations and other sheets kept
    dropped = [str(w.message) for w in caught if "will be removed" in str(w.message)]
    if dropped:
        raise CannotHold("lost", "; ".join(dropped))
    for sheet in workbook.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                if cell.data_type == "f":  # openpyxl writes formulas back without the results the program saved
                    raise CannotHold("formulas", f"{sheet.title}!{cell.coordinate}")
    sheet = workbook.worksheets[0]
    header = {col: str(sheet.cell(row=1, column=col).value or "").strip() for col in range(1, sheet.max_column + 1)}
    ids = [col for col, name in header.items() if name == "id"]
    rows = [r for r in range(2, sheet.max_row + 1) if ids and clean_cell(sheet.cell(row=r, column=ids[-1]).value) == client_id]
    if len(rows) != 1:
        raise CannotHold("read_back", f"{len(rows)} rows of client {client_id!r}")
    row = rows[0]
    for dotted, value in changes.items():
        column = COLUMN_OF[dotted]
        where = [col for col, name in header.items() if name == column.name]
        if not where:  # a field without a column yet: a column after the last, styled like its neighbour
            last = max((col for col, name in header.items() if name), default=0)
            new = last + 1
            sheet.cell(row=1, column=new).value = column.name
            if last:
                sheet.cell(row=1, column=new)._style = copy.copy(sheet.cell(row=1, column=last)._style)
                sheet.cell(row=row, column=new)._style = copy.copy(sheet.cell(row=row, column=last)._style)
            header[new] = column.name
            where = [new]
        for col in where:
            cell = sheet.cell(row=row, column=col)
            new_value = _new_value(column, value, cell.value)
            if new_value == cell.value:
                continue
            cell.value = new_value
            if isinstance(new_value, str):
                cell.data_type = "s"  # text typed in the workshop stays text, even "=…"
    workbook.save(target)
    _check_parts_kept(path, target)


def _new_value(column: Column, value: Any, old: Any) -> Any:
    """The cell's new value, of the kind the cell held: a time cell stays a time, a date cell a date
    (for one date), a number a number; text otherwise."""
    text = _text(column, value, old)
    if text is None:
        return None
    if isinstance(old, dt.time):
        try:
            return dt.time.fromisoformat(text)
        except ValueError:
            return text
    if isinstance(old, (dt.date, dt.datetime)):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return text  # several dates: text in the date cell
        return dt.datetime.combine(day, dt.time()) if isinstance(old, dt.datetime) else day
    if isinstance(old, (int, float)) and not isinstance(old, bool):
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() else number
    if isinstance(old, str) and old.strip() == text:
        return old  # the same text: the cell is left as it is
    return text


def _part_counts(path: Path) -> dict[str, int]:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        counts = {what: sum(1 for n in names if re.match(pattern, n)) for what, pattern in KEPT_PARTS.items()}
        counts["shapes"] = sum(len(SHAPES.findall(archive.read(n))) for n in names
                               if re.match(r"xl/drawings/drawing\d+\.xml$", n))
    return counts


def _check_parts_kept(original: Path, written: Path) -> None:
    before, after = _part_counts(original), _part_counts(written)
    lost = [what for what, count in before.items() if after.get(what, 0) < count]
    if lost:
        raise CannotHold("lost", ", ".join(lost))
