"""The flat portfolio: one row per client in a CSV or XLSX table.

Columns (header names, any order; empty cells take the defaults):
  id, name, language, country, timezone, project_name, start, end, budget, currency,
  deliverables ("A; B"), milestones ("Name=YYYY-MM-DD; ..."), roles ("client_pm; ..."),
  meeting_day, meeting_time, preset, response_hours, days_off ("YYYY-MM-DD; ..."),
  working_days, evaluation_preset, raters ("self=1; manager=1; team=4; client=2"),
  agency_name, agency_email, agency_phone, agency_timezone,
  person1_name, person1_role, person1_side, person1_email, person1_phone, person2_... .
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path
from typing import Any

from pmworkbook.core.problems import FORMAT_DOC, Problem

CLIENT_COLUMNS = {"id": "id", "name": "name", "language": "language", "country": "country", "timezone": "timezone"}
PROJECT_COLUMNS = {"project_name": "name", "start": "start", "end": "end"}
COMMUNICATION_COLUMNS = {"meeting_day": "meeting_day", "meeting_time": "meeting_time", "preset": "preset",
                         "response_hours": "response_hours", "move_rule": "move_rule"}
AGENCY_COLUMNS = {"agency_name": "name", "agency_email": "email", "agency_phone": "phone", "agency_timezone": "timezone"}
PERSON_COLUMN = re.compile(r"person(\d+)_(name|role|side|email|phone|title)")
LIST_COLUMNS = ("deliverables", "milestones", "roles", "days_off", "working_days", "raters")
KNOWN_COLUMNS = (set(CLIENT_COLUMNS) | set(PROJECT_COLUMNS) | set(COMMUNICATION_COLUMNS) | set(AGENCY_COLUMNS)
                 | set(LIST_COLUMNS) | {"budget", "currency", "evaluation_preset"})


def read_table(path: Path) -> tuple[dict[str, Any], list[str], list[Problem]]:
    """Return (raw portfolio mapping, a label per client row, problems found in the table's shape)."""
    rows = _read_xlsx(path) if path.suffix.lower() == ".xlsx" else _read_csv(path)
    problems: list[Problem] = []
    if not rows:
        return {"clients": []}, [], [Problem(str(path), "the table has no header row", fix="put the column names in the first row")]
    header, body = [str(h or "").strip() for h in rows[0]], rows[1:]
    for column in header:
        if column and column not in KNOWN_COLUMNS and not PERSON_COLUMN.fullmatch(column):
            problems.append(Problem(str(path), f"unknown column {column!r}", field=column,
                                    fix=f"see the table columns in the portfolio format ({FORMAT_DOC})"))
    clients, labels = [], []
    for number, values in enumerate(body, start=2):
        cells = {h: _clean(v) for h, v in zip(header, values) if h and _clean(v) is not None}
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


def _read_csv(path: Path) -> list[list[Any]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [row for row in csv.reader(handle)]


def _read_xlsx(path: Path) -> list[list[Any]]:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def _clean(value: Any) -> Any:
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


def _client_from_cells(cells: dict[str, Any]) -> dict[str, Any]:
    client: dict[str, Any] = {field: cells[column] for column, field in CLIENT_COLUMNS.items() if column in cells}
    project: dict[str, Any] = {field: cells[column] for column, field in PROJECT_COLUMNS.items() if column in cells}
    if "budget" in cells or "currency" in cells:
        project["budget"] = {"amount": cells.get("budget"), "currency": cells.get("currency")}
    if "deliverables" in cells:
        project["deliverables"] = _split(cells["deliverables"])
    if "milestones" in cells:
        project["milestones"] = [{"name": name, "date": date} for name, date in _pairs("milestones", cells["milestones"])]
    client["project"] = project
    if "roles" in cells:
        client["roles"] = _split(cells["roles"])
    communication = {field: cells[column] for column, field in COMMUNICATION_COLUMNS.items() if column in cells}
    for column in ("days_off", "working_days"):
        if column in cells:
            value = cells[column]
            communication[column] = [value] if isinstance(value, dt.date) else _split(value)
    if communication:
        client["communication"] = communication
    evaluation: dict[str, Any] = {}
    if "evaluation_preset" in cells:
        evaluation["preset"] = cells["evaluation_preset"]
    if "raters" in cells:
        evaluation["raters"] = {group: count for group, count in _pairs("raters", cells["raters"])}
    if evaluation:
        client["evaluation"] = evaluation
    agency = {field: cells[column] for column, field in AGENCY_COLUMNS.items() if column in cells}
    if agency:
        client["agency"] = agency
    people: dict[int, dict[str, Any]] = {}
    for column, value in cells.items():
        match = PERSON_COLUMN.fullmatch(column)
        if match:
            people.setdefault(int(match[1]), {})[match[2]] = str(value)
    if people:
        client["people"] = [people[n] for n in sorted(people)]
    return client
