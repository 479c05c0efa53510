"""The flat portfolio: one row per client in a CSV or XLSX table.

The columns are the model's: each field's ``column`` metadata in `pmworkbook.portfolio.model`
names its column and its type says how a cell is read (lists and mappings in one cell,
separated by ';'). Header names in any order; empty cells take the model's defaults. The
columns, with an example of each, are listed in docs/portfolio.md ("Table columns"), which is
generated from the same `COLUMNS` (``python -m pmworkbook.portfolio.reference``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from pmworkbook.core.problems import FORMAT_DOC, PortfolioError, Problem
from pmworkbook.core.spreadsheets import csv_rows, decode, unzipped_size
from pmworkbook.portfolio.model import Client

# An unknown column's message sends the user to this section of the format.
COLUMNS_DOC = f"{FORMAT_DOC}#table-columns"


@dataclass(frozen=True)
class Column:
    """One column of the table and the field it fills."""

    name: str  # the header; a numbered column has "{n}" where the number goes: person{n}_name
    path: tuple[str, ...]  # the field from the client: ("project", "budget", "amount"); numbered: ("people", "name")
    model: type[BaseModel]  # the model declaring the field

    @property
    def field(self) -> FieldInfo:
        return self.model.model_fields[self.path[-1]]

    @property
    def numbered(self) -> bool:
        return "{n}" in self.name

    @property
    def cell(self) -> str | None:
        """How a list or mapping is written in the cell, from the field's ``cell`` metadata."""
        return _extra(self.field).get("cell")

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(re.escape(self.name).replace(re.escape("{n}"), r"(\d+)"))


def field_type(field: FieldInfo) -> Any:
    """The field's type without its ``| None``."""
    annotation = field.annotation
    if get_origin(annotation) in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _extra(field: FieldInfo) -> dict[str, Any]:
    return field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}


def model_columns(model: type[BaseModel] = Client, path: tuple[str, ...] = ()) -> list[Column]:
    """The table's columns, in the model's field order: a field with ``column`` metadata is one;
    a nested model contributes its fields' columns; a list of models whose fields have numbered
    columns contributes those."""
    columns = []
    for name, field in model.model_fields.items():
        annotation = field_type(field)
        if "column" in _extra(field):
            columns.append(Column(_extra(field)["column"], (*path, name), model))
        elif is_model(annotation):
            columns += model_columns(annotation, (*path, name))
        elif get_origin(annotation) is list and is_model(get_args(annotation)[0]):
            item = get_args(annotation)[0]
            columns += [Column(_extra(f)["column"], (*path, name, n), item) for n, f in item.model_fields.items() if "column" in _extra(f)]
    names = [column.name for column in columns]
    if len(set(names)) != len(names):
        raise ValueError(f"{model.__name__}: a table column is given to two fields: {sorted({n for n in names if names.count(n) > 1})}")
    return columns


COLUMNS = model_columns()
PLAIN = {column.name: column for column in COLUMNS if not column.numbered}
NUMBERED = [column for column in COLUMNS if column.numbered]


def numbered_column(header: str) -> tuple[Column, int] | None:
    """(column, number) for a numbered column's header such as person2_email."""
    for column in NUMBERED:
        match = column.pattern.fullmatch(header)
        if match:
            return column, int(match[1])
    return None


def read_table(path: Path, kind: str | None = None) -> tuple[dict[str, Any], list[str], list[Problem]]:
    """Return (raw portfolio mapping, a label per client row, problems found in the table's shape).
    `kind` (".csv", ".xlsx"): how to read a file whose name does not say (a table being written)."""
    rows = _read_xlsx(path) if (kind or path.suffix).lower() == ".xlsx" else _read_csv(path)
    problems: list[Problem] = []
    if not rows:
        return {"clients": []}, [], [Problem(str(path), "the table has no header row", fix="put the column names in the first row")]
    header, body = [str(h or "").strip() for h in rows[0]], rows[1:]
    for column in header:
        if column and column not in PLAIN and numbered_column(column) is None:
            problems.append(Problem(str(path), f"unknown column {column!r}", field=column,
                                    fix=f"see the table columns in the portfolio format ({COLUMNS_DOC})"))
    clients, labels = [], []
    for number, values in enumerate(body, start=2):
        cells = {h: clean_cell(v) for h, v in zip(header, values, strict=False) if h and clean_cell(v) is not None}
        if not cells:
            continue  # blank line
        label = f"row {number}"
        try:
            clients.append(_client_from_cells(cells))
        except ValueError as exc:
            column, message = exc.args
            client_id = cells.get("id") if isinstance(cells.get("id"), str) else None
            problems.append(Problem(str(path), message, client=f"{label} (client '{client_id}')" if client_id else label,
                                    field=column, client_id=client_id))
            continue
        labels.append(label)
    return {"portfolio": path.stem, "clients": clients}, labels, problems


# Bounds on a table from outside: far above a portfolio of a thousand clients.
MAX_TABLE_BYTES = 20 * 2**20  # a CSV, or an XLSX's parts once unzipped
MAX_TABLE_ROWS = 20_000


def _refuse(path: Path, message: str, fix: str) -> PortfolioError:
    return PortfolioError([Problem(str(path), message, fix=fix)])


def _read_csv(path: Path) -> list[list[Any]]:
    if path.stat().st_size > MAX_TABLE_BYTES:
        raise _refuse(path, f"the file has {path.stat().st_size:,} bytes, more than a portfolio may ({MAX_TABLE_BYTES:,})",
                      "split it into several portfolios")
    text = decode(path.read_bytes())
    if text is None:
        raise _refuse(path, "the text is neither UTF-8 nor Windows-1250/1251 nor GB18030", "save the table as CSV UTF-8")
    rows = list(csv_rows(text))
    if len(rows) > MAX_TABLE_ROWS:
        raise _refuse(path, f"the table has {len(rows):,} rows, more than a portfolio may ({MAX_TABLE_ROWS:,})",
                      "split it into several portfolios")
    return rows


def _read_xlsx(path: Path) -> list[list[Any]]:
    import openpyxl

    unzipped = unzipped_size(path)
    if unzipped is None:
        raise _refuse(path, "not an .xlsx workbook (it is not a zip archive)", "save it from Excel or LibreOffice as .xlsx")
    if unzipped > MAX_TABLE_BYTES:  # checked before anything is unpacked: a zip bomb stops here
        raise _refuse(path, f"the workbook unpacks to {unzipped:,} bytes, more than a portfolio may ({MAX_TABLE_BYTES:,})",
                      "split it into several portfolios")
    try:
        # Twice: once as typed (merged ranges, formulas), once with the values Excel saved for formulas.
        # From the bytes: openpyxl refuses a file whose name does not end in .xlsx (one being written).
        data = path.read_bytes()
        typed = openpyxl.load_workbook(io.BytesIO(data), data_only=False).worksheets[0]
        saved = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged workbook
        raise _refuse(path, f"the workbook cannot be read ({type(exc).__name__})", "open it in Excel or LibreOffice and "
                      "save it again as .xlsx") from None
    if typed.max_row > MAX_TABLE_ROWS:
        raise _refuse(path, f"the first sheet has {typed.max_row:,} rows, more than a portfolio may ({MAX_TABLE_ROWS:,})",
                      "split it into several portfolios")
    for merged in typed.merged_cells.ranges:  # one value over several rows or columns: whose is it?
        raise _refuse(path, f"cells {merged.coord} are merged", "unmerge them and give each client its own row, "
                      "each value its own cell")
    try:
        rows = [list(row) for row in saved.worksheets[0].iter_rows(values_only=True)]
    finally:
        saved.close()
    for row in typed.iter_rows():
        for cell in row:
            if cell.data_type == "f" and _saved_value(rows, cell.row, cell.column) is None:
                raise _refuse(path, f"cell {cell.coordinate} holds the formula {cell.value} without a saved result",
                              "open the workbook in Excel or LibreOffice and save it, or type the value itself")
    return rows


def _saved_value(rows: list[list[Any]], row: int, column: int) -> Any:
    return rows[row - 1][column - 1] if row <= len(rows) and column <= len(rows[row - 1]) else None


def clean_cell(value: Any) -> Any:
    """A cell as the reader takes it: text stripped (empty: None), whole numbers as int, a midnight datetime as a date."""
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _split(text: Any) -> list[str]:
    return [part.strip() for part in str(text).split(";") if part.strip()]


def _pairs(column: str, text: Any) -> list[tuple[str, str]]:
    pairs = []
    for part in _split(text):
        key, sep, value = part.rpartition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(column, f"{part!r} is not of the form Name=value; separate entries with ';'")
        pairs.append((key.strip(), value.strip()))
    return pairs


def _excel_date(value: Any) -> Any:
    """A date cell that lost its date format reads as Excel's serial number (46388 is 2027-01-01)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 2_958_466:
        from openpyxl.utils.datetime import from_excel

        return from_excel(value).date()
    return value


def _cell_value(column: Column, value: Any) -> Any:
    """A cell as the field's value: lists and mappings are split at ';', the rest is passed on."""
    annotation = field_type(column.field)
    if annotation is dt.date:
        return _excel_date(value)
    if get_origin(annotation) is dict:  # key=value; ...
        return dict(_pairs(column.name, value))
    if get_origin(annotation) is list:
        item = get_args(annotation)[0]
        if is_model(item):  # a two-field model per entry: first=second; ... (milestones: Name=YYYY-MM-DD)
            first, second = item.model_fields
            return [{first: key, second: text} for key, text in _pairs(column.name, value)]
        if item is dt.date and isinstance(_excel_date(value), dt.date):  # a spreadsheet's date cell: one day
            return [_excel_date(value)]
        return _split(value)
    return value


SEPARATOR = ";"  # between the entries of a list or mapping in one cell


class CellError(ValueError):
    """A value that a cell cannot hold so that it reads back as the same value."""

    def __init__(self, column: str, reason: str, value: str):
        super().__init__(column, reason, value)
        self.column, self.reason, self.value = column, reason, value


def _entry_text(value: Any) -> str:
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _entry(column: Column, text: str, pair_value: bool = False) -> str:
    """One entry of a cell, refused if reading would split it (';', or '=' in a pair's value) or
    change it (spaces around it, nothing at all)."""
    if SEPARATOR in text:
        raise CellError(column.name, "separator", text)
    if text != text.strip() or not text or (pair_value and "=" in text):
        raise CellError(column.name, "read_back", text)
    return text


def cell_text(column: Column, value: Any, separator: str = SEPARATOR + " ") -> str | None:
    """A field's value as its cell's text, the way `_cell_value` reads it back: lists and
    mappings joined with `separator` ("; "), Name=value pairs, dates as YYYY-MM-DD, times as
    HH:MM; None (an empty cell) for no value. CellError for an entry that reading would split
    (one holding ';') or change."""
    if value is None or value == [] or value == {}:
        return None
    annotation = field_type(column.field)
    if get_origin(annotation) is dict or (get_origin(annotation) is list and is_model(get_args(annotation)[0])):
        if isinstance(value, dict):
            pairs = list(value.items())
        else:  # a two-field model per entry: first=second
            pairs = [tuple((item.model_dump() if isinstance(item, BaseModel) else item).values())[:2] for item in value]
        return separator.join(f"{_entry(column, _entry_text(key))}={_entry(column, _entry_text(item), pair_value=True)}"
                              for key, item in pairs)
    if get_origin(annotation) is list:
        return separator.join(_entry(column, _entry_text(item)) for item in value)
    text = _entry_text(value)
    if text != text.strip():
        raise CellError(column.name, "read_back", text)
    return text or None


def _skeleton(model: type[BaseModel]) -> dict[str, Any]:
    """The required nested models, empty: a row without any project column still gets `project`
    (so the model names its missing fields)."""
    return {name: _skeleton(field_type(field)) for name, field in model.model_fields.items()
            if field.is_required() and is_model(field_type(field))}


def _client_from_cells(cells: dict[str, Any]) -> dict[str, Any]:
    client = _skeleton(Client)
    for column in PLAIN.values():  # the model's order: which bad cell is reported first does not depend on the header's
        if column.name in cells:
            node = client
            for part in column.path[:-1]:
                node = node.setdefault(part, {})
            node[column.path[-1]] = _cell_value(column, cells[column.name])
    items: dict[tuple[str, ...], dict[int, dict[str, Any]]] = {}
    for header, value in cells.items():
        found = numbered_column(header)
        if found:
            column, number = found
            items.setdefault(column.path[:-1], {}).setdefault(number, {})[column.path[-1]] = str(value)
    for path, by_number in items.items():
        node = client
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = [by_number[n] for n in sorted(by_number)]
    return client
