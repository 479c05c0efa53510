"""The fillable evaluation form, one .xlsx per evaluated person and rater group (and numbered
copies of it): drop-down scores, comment and answer cells formatted as Text, a protected
structure, a print layout of whole criteria on A4, and a hidden sheet that identifies the form
when it comes back."""

from __future__ import annotations

import math
import secrets
import unicodedata
from pathlib import Path
from typing import Any

from pmworkbook.core.files import atomic_path
from pmworkbook.core.i18n import Formatter
from pmworkbook.core.templates import Templates
from pmworkbook.plan.evaluation import (
    FORM_ID_SHEET,
    FORMULA_STARTS,
    OPEN_QUESTIONS,
    Subject,
    criteria_for,
    due_date,
    return_address,
)
from pmworkbook.portfolio.model import Client

TEXT_FORMAT = "@"  # what a rater types stays text, "=2+2" included, in Excel and LibreOffice
WIDTHS = {"A": 34, "B": 9, "C": 60, "D": 16, "E": 40}  # characters
# A4 landscape with 0.4" side and 0.5" top/bottom margins, in points; the footer takes a line.
PAGE_WIDTH, PAGE_HEIGHT = 842 - 0.8 * 72, 595 - 1.0 * 72 - 24


def append_text_row(sheet, values: list[Any]) -> None:
    """Append a row in which no string is ever a formula: text such as =HYPERLINK(..) stays text."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and (cell.data_type == "f" or cell.value.startswith(FORMULA_STARTS)):
            cell.data_type = "s"
            cell.quotePrefix = True  # Excel and LibreOffice keep it as text when the cell is edited


def _display_width(text: str) -> int:
    """Characters as a spreadsheet lays them out: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _lines(text: str, width: int) -> int:
    """Lines a wrapped cell of `width` characters needs (a little narrower than nominal: words wrap whole)."""
    usable = max(1, int(width * 0.92))
    return sum(max(1, math.ceil(_display_width(part) / usable)) for part in str(text).split("\n"))


def _height(texts: dict[str, str], line: float, minimum: float = 0) -> float:
    return max(minimum, max(_lines(text, WIDTHS[column]) for column, text in texts.items()) * line + 6)


def form_name(subject: Subject, group: str, copy: int | None = None) -> str:
    return f"evaluation_form_{subject.key}_{group}" + (f"_{copy:02d}" if copy else "") + ".xlsx"


def write_form(client: Client, subject: Subject, group: str, folder: Path, templates: Templates,
               copy: int | None = None) -> Path:
    """Write one form: the blank one of the pack (copy None, no token), or numbered copy `copy`
    with a token of its own, so that a corrected copy sent again replaces the first."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    fmt = Formatter(client.language, client.country, templates)
    t = fmt.t
    line = 16.0 if client.language == "zh" else 14.5  # points per wrapped line at 11 pt
    criteria = criteria_for(client, templates, subject.preset)
    person = subject.person.name if subject.person else t[f"role_names.{subject.role}"]
    role = fmt.in_sentence(t[f"role_names.{subject.role}"])
    address = return_address(client)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = t["evaluation.form.sheet"]
    wrap = Alignment(wrap_text=True, vertical="top")
    thin = Side(style="thin", color="9AA5B1")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    answer_fill = PatternFill("solid", fgColor="FFF8E1")  # the cells to fill in, as on the printed sheet

    def info(text: str, bold: bool = False, size: int = 11) -> None:
        """A line across the form's width."""
        append_text_row(sheet, [text])
        row = sheet.max_row
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        sheet.cell(row=row, column=1).alignment = wrap
        sheet.cell(row=row, column=1).font = Font(bold=bold, size=size)
        sheet.row_dimensions[row].height = _lines(text, sum(WIDTHS.values())) * line * size / 11 + 4

    info(t.format("evaluation.form.title", person=person, role=role), bold=True, size=14)
    info(fmt.labelled(t["fields.client"], client.name) + " · " + fmt.labelled(t["fields.project"], client.project.name))
    rater = fmt.labelled(t["evaluation.form.rater"], t[f"evaluation.rater_groups.{group}"])
    if copy:
        rater += " · " + t.format("evaluation.form.copy", copy=copy)
    info(rater, bold=True)
    due = fmt.date(due_date(client))
    info(t.format("evaluation.return_by", due=due, address=address) if address else t.format("evaluation.return_by_date", due=due))
    info(fmt.sentences(t["evaluation.form.choose"], t["evaluation.form.text_note"]))
    sheet.append([])
    header = [t["evaluation.criterion"], t["evaluation.weight"], t["evaluation.scale"], t["evaluation.score"], t["evaluation.comment"]]
    append_text_row(sheet, header)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.border = box
        cell.alignment = wrap
    choices = [str(n) for n in templates.structure("criteria")["scale"]] + [t["evaluation.not_observed"]]
    validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle=t["evaluation.score"], error=t["evaluation.form.choose"])
    sheet.add_data_validation(validation)
    rows: list[tuple[int, float]] = []  # (row, height) of what the page breaks must keep whole
    for criterion in criteria:
        anchors = "\n".join(fmt.labelled(n, anchor) for n, anchor in enumerate(criterion["anchors"], start=1))
        name = f"{criterion['name']}\n{criterion['description']}"
        append_text_row(sheet, [name, fmt.percent(criterion["weight"]), anchors, None, None])
        row = sheet.max_row
        for cell in sheet[row]:
            cell.alignment = wrap
            cell.border = box
        sheet.cell(row=row, column=1).font = Font(bold=True)
        for column in (4, 5):
            cell = sheet.cell(row=row, column=column)
            cell.protection = Protection(locked=False)
            cell.fill = answer_fill
        sheet.cell(row=row, column=5).number_format = TEXT_FORMAT
        validation.add(f"D{row}")
        height = _height({"A": name, "C": anchors}, line, minimum=90)
        sheet.row_dimensions[row].height = height
        rows.append((row, height))
    first_row = header_row + 1

    # The open questions: a question on the left, a Text cell across the rest for the answer.
    sheet.append([])
    append_text_row(sheet, [t["evaluation.open.title"]])
    open_header = sheet.max_row
    sheet.merge_cells(start_row=open_header, start_column=1, end_row=open_header, end_column=5)
    sheet.cell(row=open_header, column=1).font = Font(bold=True, size=12)
    sheet.row_dimensions[open_header].height = 22
    open_first = open_header + 1
    for question in OPEN_QUESTIONS:
        append_text_row(sheet, [t[f"evaluation.open.{question}"]])
        row = sheet.max_row
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=5)
        question_cell, answer = sheet.cell(row=row, column=1), sheet.cell(row=row, column=2)
        question_cell.alignment = wrap
        question_cell.font = Font(bold=True)
        for column in range(1, 6):
            sheet.cell(row=row, column=column).border = box
        answer.alignment = wrap
        answer.number_format = TEXT_FORMAT
        answer.protection = Protection(locked=False)
        answer.fill = answer_fill
        sheet.row_dimensions[row].height = 64
    open_rows = [(open_header, 40.0)] + [(r, 64.0) for r in range(open_first, sheet.max_row + 1)]

    for letter, width in WIDTHS.items():
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(row=first_row, column=1)
    sheet.protection.sheet = True  # raters fill scores, comments and answers; the structure (and Text format) stays
    _print_layout(sheet, t, header_row, rows, open_rows, line)

    # The form's identity, so that collection can check which client, person, preset, version and copy it is.
    identity = workbook.create_sheet(FORM_ID_SHEET)
    for key, value in (("client_id", client.id), ("subject", subject.key), ("person", person), ("preset", subject.preset),
                       ("rater_group", group), ("form_version", templates.structure("criteria")["form_version"]),
                       ("first_row", first_row), ("criteria", ",".join(c["id"] for c in criteria)),
                       ("open_first_row", open_first), ("open_questions", ",".join(OPEN_QUESTIONS)),
                       ("copy", copy or ""), ("token", secrets.token_hex(8) if copy else "")):
        append_text_row(identity, [key, value])
    identity.sheet_state = "veryHidden"
    identity.protection.sheet = True

    path = folder / form_name(subject, group, copy)
    with atomic_path(path) as tmp:
        workbook.save(tmp)
    return path


def _print_layout(sheet, t, header_row: int, criteria_rows: list[tuple[int, float]], open_rows: list[tuple[int, float]],
                  line: float) -> None:
    """A4 landscape, scaled to the page's width, the table's header on every page, and page
    breaks between criteria (never inside one), the open questions kept together."""
    from openpyxl.worksheet.page import PageMargins
    from openpyxl.worksheet.pagebreak import Break

    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages as it takes, each as wide as the page
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5, header=0.2, footer=0.25)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_area = f"A1:E{sheet.max_row}"
    sheet.oddFooter.center.text = t.format("page_of", page="&P", pages="&N")
    # Where the breaks go: the page's height in the sheet's points at the scale that fits the width.
    width_points = sum(w * 7 + 5 for w in WIDTHS.values()) * 0.75
    capacity = PAGE_HEIGHT / min(1.0, PAGE_WIDTH / width_points) * 0.95
    title_height = sheet.row_dimensions[header_row].height or 2 * line
    used = sum((sheet.row_dimensions[r].height or 15) for r in range(1, header_row + 1))
    for row, height in criteria_rows:
        if used + height > capacity:
            sheet.row_breaks.append(Break(id=row - 1))
            used = title_height
        used += height
    together = sum(height for _, height in open_rows) + 15
    if used + together > capacity:
        sheet.row_breaks.append(Break(id=open_rows[0][0] - 2))
