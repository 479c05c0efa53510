"""The service log (service_log.xlsx): the requests log the project manager keeps and the weekly
status report reads back. Headers in the client's language, drop-downs for kind, severity and
channel (their names in that language, which the reader accepts in every language), date-time
cells for the times, and a sheet of instructions. Rows given are written as they are (the demo's
filled log); the blank one has room for the project's requests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pmworkbook.core.files import atomic_path
from pmworkbook.core.i18n import Formatter
from pmworkbook.core.templates import Templates
from pmworkbook.portfolio.model import Client
from pmworkbook.portfolio.tasks import CHANNELS, KINDS, REQUEST_COLUMNS, SEVERITIES
from pmworkbook.render.xlsx import append_text_row

ROWS = 1000  # rows with drop-downs: a year of a busy project's requests
WIDTHS = {"id": 9, "kind": 22, "severity": 13, "channel": 14, "received_at": 18, "first_response_at": 18, "resolved_at": 18,
          "owner": 22, "summary": 60}
TIME_FORMAT = "yyyy-mm-dd hh:mm"
TIMES = ("received_at", "first_response_at", "resolved_at")


def write_service_log(client: Client, path: Path, templates: Templates, rows: list[dict[str, Any]] | None = None) -> Path:
    """Write the log; `rows` (column id -> value, kinds etc. as ids) are filled in, named in the client's language."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    fmt = Formatter(client.language, client.country, templates)
    t = fmt.t
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(t["documents.service_log"])
    sheet.append([t[f"status.requests_columns.{column}"] for column in REQUEST_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF3F8")
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = "A2"
    names = {"kind": {k: t[f"status.kinds.{k}"] for k in KINDS}, "severity": {k: t[f"status.severities.{k}"] for k in SEVERITIES},
             "channel": {k: t[f"status.channels.{k}"] for k in CHANNELS}}
    for row in rows or []:
        values = []
        for column in REQUEST_COLUMNS:
            value = row.get(column)
            if column in names and value:
                value = names[column].get(value, value)
            if isinstance(value, dt.datetime) and value.tzinfo is not None:
                value = value.replace(tzinfo=None)  # a spreadsheet has no zones: times are the agency's
            values.append(value)
        append_text_row(sheet, values)
    # The lists of the drop-downs on a hidden sheet: a list typed into the rule itself is limited to
    # 255 characters and breaks on a comma inside a name.
    lists = workbook.create_sheet("lists")
    for index, column in enumerate(("kind", "severity", "channel"), start=1):
        for number, name in enumerate(names[column].values(), start=1):
            lists.cell(row=number, column=index, value=name)
    lists.sheet_state = "hidden"
    last = max(ROWS, len(rows or []) + 200)
    for index, column in enumerate(REQUEST_COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = WIDTHS[column]
        if column in names:
            source = get_column_letter(("kind", "severity", "channel").index(column) + 1)
            rule = DataValidation(type="list", formula1=f"lists!${source}$1:${source}${len(names[column])}", allow_blank=True,
                                  showErrorMessage=True, errorTitle=t[f"status.requests_columns.{column}"],
                                  error=t[f"status.log.column_help.{column}"])
            rule.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(rule)
        if column in TIMES:
            for number in range(2, last + 1):
                sheet.cell(row=number, column=index).number_format = TIME_FORMAT
    help_sheet = workbook.create_sheet(_sheet_title(t["status.log.sheet_help"]))
    help_sheet.column_dimensions["A"].width = 26
    help_sheet.column_dimensions["B"].width = 90
    for line in _instructions(client, fmt):
        help_sheet.append(line)
    for cell in help_sheet["A"]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for cell in help_sheet["B"]:
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    with atomic_path(path) as tmp:
        workbook.save(tmp)
    return path


def _sheet_title(text: str) -> str:
    """A sheet's name: at most 31 characters, none of []:*?/\\."""
    return "".join(ch for ch in text if ch not in "[]:*?/\\")[:31]


def instructions(client: Client, fmt: Formatter) -> dict[str, Any]:
    """What the log's instructions say: the page and the workbook's second sheet share it."""
    t = fmt.t
    zone = client.agency.timezone if client.agency and client.agency.timezone else client.timezone
    promise = fmt.plural("status.log.promise", client.communication.response_hours, clock=fmt.clock_hours(client.status.service_hours))
    return {
        "intro": t["status.log.intro"],
        "columns": [(t[f"status.requests_columns.{column}"], t[f"status.log.column_help.{column}"]) for column in REQUEST_COLUMNS],
        "times": t.format("status.log.times", zone=fmt.city(zone)),
        "promise": promise,
        "complaints": t["status.log.complaints"],
    }


def _instructions(client: Client, fmt: Formatter) -> list[list[str]]:
    text = instructions(client, fmt)
    lines: list[list[str]] = [["", text["intro"]], ["", text["times"]], ["", text["promise"]], ["", text["complaints"]], []]
    lines += [[name, help_text] for name, help_text in text["columns"]]
    return lines
