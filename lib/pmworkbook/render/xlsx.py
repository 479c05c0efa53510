"""The fillable evaluation form, one .xlsx per rater group: drop-down scores, comment cells, a
protected structure and a hidden sheet that identifies the form when it comes back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pmworkbook.core.files import atomic_path
from pmworkbook.core.i18n import Formatter
from pmworkbook.core.templates import Templates
from pmworkbook.plan.evaluation import FORM_ID_SHEET, FORMULA_STARTS, criteria_for
from pmworkbook.portfolio.model import Client


def append_text_row(sheet, values: list[Any]) -> None:
    """Append a row in which no string is ever a formula: text such as =HYPERLINK(..) stays text."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and (cell.data_type == "f" or cell.value.startswith(FORMULA_STARTS)):
            cell.data_type = "s"
            cell.quotePrefix = True  # Excel and LibreOffice keep it as text when the cell is edited


def write_form(client: Client, group: str, folder: Path, templates: Templates) -> Path:
    """Write evaluation_form_<group>.xlsx: drop-down scores, comment cells, a protected structure."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    fmt = Formatter(client.language, client.country, templates)
    t = fmt.t
    criteria = criteria_for(client, templates)
    not_observed = t["evaluation.not_observed"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = t["evaluation.form.sheet"]
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    append_text_row(sheet, [(f"{t['evaluation.title']}: {client.name}")])
    append_text_row(sheet, [(f"{t['fields.project']}: {client.project.name}")])
    append_text_row(sheet, [f"{t['evaluation.form.rater']}: {t[f'evaluation.rater_groups.{group}']}"])
    append_text_row(sheet, [t["evaluation.form.choose"]])
    sheet.append([])
    header = [t["evaluation.criterion"], t["evaluation.weight"], t["evaluation.scale"], t["evaluation.score"], t["evaluation.comment"]]
    append_text_row(sheet, header)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
    choices = [str(n) for n in templates.structure("criteria")["scale"]] + [not_observed]
    validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle=t["evaluation.score"], error=t["evaluation.form.choose"])
    sheet.add_data_validation(validation)
    for criterion in criteria:
        anchors = "\n".join(f"{n}: {anchor}" for n, anchor in enumerate(criterion["anchors"], start=1))
        append_text_row(sheet, [(f"{criterion['name']}\n{criterion['description']}"), fmt.percent(criterion["weight"]),
                      (anchors), None, None])
        row = sheet.max_row
        for cell in sheet[row]:
            cell.alignment = wrap
        for column in ("D", "E"):
            sheet[f"{column}{row}"].protection = Protection(locked=False)
        validation.add(f"D{row}")
        sheet.row_dimensions[row].height = 120
    for column, width in zip("ABCDE", (34, 9, 60, 16, 40), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.protection.sheet = True  # raters fill scores and comments; the structure stays as built

    # The form's identity, so that collection can check which client, preset and version it is.
    identity = workbook.create_sheet(FORM_ID_SHEET)
    preset = client.evaluation.preset
    for key, value in (("client_id", client.id), ("preset", preset), ("rater_group", group),
                       ("form_version", templates.structure("criteria")["form_version"]),
                       ("first_row", header_row + 1), ("criteria", ",".join(c["id"] for c in criteria))):
        append_text_row(identity, [key, value])
    identity.sheet_state = "veryHidden"
    identity.protection.sheet = True

    path = folder / f"evaluation_form_{group}.xlsx"
    with atomic_path(path) as tmp:
        workbook.save(tmp)
    return path
