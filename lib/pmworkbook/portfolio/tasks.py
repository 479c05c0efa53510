"""The weekly status report's inputs, read as they come: the task register (a simple table, Jira's
CSV export with its repeated columns, Jira's date forms and estimates in seconds, or another
tracker's export through `status.columns` and `status.statuses`), the requests log (the pack's
service_log.xlsx, or a CSV of its columns), the decisions needed from the client and the risks.

Every problem names the file, the row and the column, and says what would be right; a register
with problems fails that client's status report alone. Headers and values are accepted as ids
(`due`, `complaint`) or as their names in any of the four languages (the service log's headers
and drop-downs are in the client's language), case and spacing aside.

    inputs = read_inputs(client, Path("portfolio.yaml").parent, templates)
    inputs.tasks.rows, inputs.problems
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, TypeVar

from pmworkbook.core.files import cached_by_version
from pmworkbook.core.problems import Problem
from pmworkbook.core.spreadsheets import csv_rows, decode, unzipped_size
from pmworkbook.core.templates import Templates
from pmworkbook.portfolio.model import FORBIDDEN_CHARACTERS, LANGUAGES, TASK_COLUMNS, Client

# Bounds on a register from outside: a tracker export of a large programme is well inside them.
MAX_REGISTER_BYTES = 20 * 2**20  # a CSV, or an XLSX's parts once unzipped
MAX_REGISTER_ROWS = 100_000
MAX_PROBLEMS = 20  # per file: one mistake repeated over 5,000 rows is one fix, not 5,000 lines
REGISTERS = ("tasks", "requests", "decisions", "risks")
STATES = ("todo", "in_progress", "done")
REQUEST_COLUMNS = ("id", "kind", "severity", "channel", "received_at", "first_response_at", "resolved_at", "owner", "summary")
DECISION_COLUMNS = ("id", "decision", "due", "owner", "status")
RISK_COLUMNS = ("id", "risk", "probability", "impact", "owner", "mitigation", "status")
KINDS = ("question", "change", "complaint", "incident")
SEVERITIES = ("low", "normal", "high", "critical")
CHANNELS = ("email", "phone", "chat", "meeting", "portal")
LEVELS = {"low": 1, "medium": 3, "high": 5}  # a risk's probability or impact in words, on the 1-5 scale

# Jira's own status names (English, Polish, Russian and Chinese user interfaces) and the register's ids.
DEFAULT_STATUSES: dict[str, str] = {
    **dict.fromkeys(["todo", "to do", "open", "backlog", "selected for development", "reopened", "new", "planned"], "todo"),
    **dict.fromkeys(["in_progress", "in progress", "in review", "review", "testing", "in testing", "blocked"], "in_progress"),
    **dict.fromkeys(["done", "closed", "resolved", "complete", "completed"], "done"),
    **dict.fromkeys(["do zrobienia", "otwarte", "nowe", "ponownie otwarte", "zaplanowane"], "todo"),
    **dict.fromkeys(["w toku", "w trakcie", "w realizacji", "w przeglądzie", "testy", "zablokowane"], "in_progress"),
    **dict.fromkeys(["gotowe", "zamknięte", "rozwiązane", "zakończone", "ukończone"], "done"),
    **dict.fromkeys(["к выполнению", "сделать", "открыт", "открыта", "открыто", "новая", "бэклог", "переоткрыт"], "todo"),
    **dict.fromkeys(["в работе", "в процессе", "на проверке", "на ревью", "тестирование", "заблокирована"], "in_progress"),
    **dict.fromkeys(["готово", "закрыт", "закрыта", "закрыто", "решён", "решен", "решена", "выполнено", "сделано"], "done"),
    **dict.fromkeys(["待办", "待处理", "打开", "新建", "重新打开", "未开始"], "todo"),
    **dict.fromkeys(["进行中", "处理中", "审核中", "测试中", "已阻塞"], "in_progress"),
    **dict.fromkeys(["完成", "已完成", "已关闭", "已解决", "关闭"], "done"),
}

# Jira's CSV export: the register's columns under Jira's headers (several headers: the first present).
JIRA_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("Issue key",),
    "title": ("Summary",),
    "status": ("Status",),
    "owner": ("Assignee",),
    "milestone": ("Fix versions", "Fix Version/s"),
    "start": ("Custom field (Start date)", "Custom field (Start Date)", "Start date"),
    "due": ("Due date", "Due Date"),
    "estimate_hours": ("Original Estimate", "Original estimate"),
    "spent_hours": ("Time Spent", "Time spent"),
    "done_on": ("Resolved",),
    "created": ("Created",),
    "side": ("Custom field (Side)",),
}
JIRA_CATEGORY = "Status Category"  # newer exports: To Do, In Progress, Done, whatever the status is called
JIRA_SECONDS = {"estimate_hours", "spent_hours"}  # Jira writes time tracking in seconds


@dataclass(frozen=True)
class Task:
    id: str
    title: str
    status: str  # as the register writes it
    state: str  # todo, in_progress or done
    owner: str
    side: str  # client or agency
    milestone: str
    start: dt.date | None
    due: dt.date | None
    estimate_hours: float | None
    spent_hours: float | None
    done_on: dt.date | None
    created: dt.date | None
    row: int


@dataclass(frozen=True)
class Request:
    id: str
    kind: str
    severity: str
    channel: str
    received_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    owner: str
    summary: str
    row: int


@dataclass(frozen=True)
class Decision:
    id: str
    decision: str
    due: dt.date | None
    owner: str
    status: str  # open or decided
    row: int


@dataclass(frozen=True)
class Risk:
    id: str
    risk: str
    probability: int  # 1-5
    impact: int  # 1-5
    owner: str
    mitigation: str
    status: str  # open or closed
    row: int

    @property
    def score(self) -> int:
        return self.probability * self.impact


T = TypeVar("T")


@dataclass
class Register(Generic[T]):
    """One input file as read: its rows, what is wrong with it, and which form it was recognised as."""

    name: str  # tasks, requests, decisions, risks
    path: Path | None
    rows: list[T] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    form: str = ""  # simple, jira, mapped (tasks); table (the others)


@dataclass
class StatusInputs:
    tasks: Register[Task]
    requests: Register[Request]
    decisions: Register[Decision]
    risks: Register[Risk]

    @property
    def problems(self) -> list[Problem]:
        return [p for register in (self.tasks, self.requests, self.decisions, self.risks) for p in register.problems]


def paths(client: Client, base: Path) -> dict[str, Path]:
    """The client's register files, relative paths resolved against the portfolio's folder."""
    found = {}
    for name in REGISTERS:
        value = getattr(client, name)
        if value:
            path = Path(value).expanduser()
            found[name] = (path if path.is_absolute() else base / path).resolve()
    return found


def read_inputs(client: Client, base: Path, templates: Templates) -> StatusInputs:
    """Every register the client names, read and checked (a file it does not name: no rows)."""
    found = paths(client, base)
    readers: dict[str, Callable[..., Register[Any]]] = {
        "tasks": read_tasks, "requests": read_requests, "decisions": read_decisions, "risks": read_risks}
    registers = {name: readers[name](found[name], client, templates) if name in found else Register(name, None)
                 for name in REGISTERS}
    return StatusInputs(**registers)


# ----------------------------------------------------------------------------- the file


class _Problems:
    """The problems of one file, MAX_PROBLEMS at most, then one line with how many more."""

    def __init__(self, name: str, path: Path, client: Client):
        self.name, self.path, self.client = name, path, client
        self.items: list[Problem] = []
        self.more = 0

    def add(self, message: str, fix: str, row: int | None = None, column: str | None = None) -> None:
        if len(self.items) >= MAX_PROBLEMS:
            self.more += 1
            return
        where = ", ".join(part for part in (f"row {row}" if row else "", f"column {column!r}" if column else "") if part)
        self.items.append(Problem(str(self.path), f"{where}: {message}" if where else message, client=f"client '{self.client.id}'",
                                  field=self.name, fix=fix, client_id=self.client.id))

    def done(self) -> list[Problem]:
        if self.more:
            self.items.append(Problem(str(self.path), f"{self.more} more problem(s) in this file, not listed",
                                      client=f"client '{self.client.id}'", field=self.name,
                                      fix="fix the ones above, then run validate again", client_id=self.client.id))
        return self.items


class _Unreadable(Exception):
    def __init__(self, message: str, fix: str):
        super().__init__(message, fix)
        self.message, self.fix = message, fix


def _rows_of(path: Path) -> list[list[Any]]:
    """The file's rows, header first: a CSV (UTF-8, Windows-1250/1251 or GB18030; ',', ';' or tab)
    or an .xlsx workbook's first sheet (values Excel saved; never a formula)."""
    if not path.is_file():
        raise _Unreadable("file not found", "give the path of the file relative to the portfolio file, or leave the field out")
    size = path.stat().st_size
    if path.suffix.lower() == ".xlsx":
        return _xlsx_rows(path)
    if size > MAX_REGISTER_BYTES:
        raise _Unreadable(f"the file has {size:,} bytes, more than a register may ({MAX_REGISTER_BYTES:,})",
                          "export only this project's rows")
    try:
        text = decode(path.read_bytes())
    except OSError as exc:
        raise _Unreadable(f"the file cannot be read ({exc.strerror or type(exc).__name__})", "check its permissions") from None
    if text is None:
        raise _Unreadable("the text is neither UTF-8 nor Windows-1250/1251 nor GB18030", "export it as CSV UTF-8")
    rows = []
    for row in csv_rows(text):
        rows.append(row)
        if len(rows) > MAX_REGISTER_ROWS + 1:
            raise _Unreadable(f"the file has more than {MAX_REGISTER_ROWS:,} rows", "export only this project's rows")
    return rows


def _xlsx_rows(path: Path) -> list[list[Any]]:
    import openpyxl

    unzipped = unzipped_size(path)
    if unzipped is None:
        raise _Unreadable("not an .xlsx workbook (it is not a zip archive)", "save it from Excel or LibreOffice as .xlsx")
    if unzipped > MAX_REGISTER_BYTES:  # before anything is unpacked
        raise _Unreadable(f"the workbook unpacks to {unzipped:,} bytes, more than a register may ({MAX_REGISTER_BYTES:,})",
                          "keep only this project's rows")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged workbook
        raise _Unreadable(f"the workbook cannot be read ({type(exc).__name__})", "open it and save it again as .xlsx") from None
    try:
        rows = []
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_REGISTER_ROWS + 1:
                raise _Unreadable(f"the first sheet has more than {MAX_REGISTER_ROWS:,} rows", "keep only this project's rows")
    finally:
        workbook.close()
    return rows




def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return FORBIDDEN_CHARACTERS.sub(" ", str(value))  # a tracker lets anything through; a page must not.strip()


def _key(text: Any) -> str:
    """A header or value as compared: case, accents' composition, spacing and a trailing ':' aside."""
    text = unicodedata.normalize("NFC", _text(text)).casefold()
    return re.sub(r"[\s_]+", " ", text).strip(" :*")


@lru_cache(maxsize=16)
def _names(templates: Templates, key: str) -> dict[str, str]:
    """{name in any language (as compared): id} for the i18n mapping `key` (ids map to themselves)."""
    found: dict[str, str] = {}
    for language in LANGUAGES:
        for item, name in templates.text("i18n", language)[key].items():
            found.setdefault(_key(name), item)
            found.setdefault(_key(item), item)
    return found


# ----------------------------------------------------------------------------- values

_JIRA_DATE = re.compile(r"(\d{1,2})/([^/\s]+)/(\d{2}|\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([^\d\s]+)?)?")
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_SLASHED_YMD = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")


@lru_cache(maxsize=1)
def _month_names() -> list[tuple[str, int]]:
    """Month abbreviations and names as Jira writes them in English, Polish, Russian and Chinese."""
    from babel import Locale

    names: dict[str, int] = {}
    for language in ("en", *LANGUAGES):
        locale = Locale.parse(language)
        for context in ("format", "stand-alone"):
            for width in ("abbreviated", "wide"):
                for number, name in locale.months[context][width].items():
                    names.setdefault(name.casefold().rstrip("."), number)
    return sorted(names.items(), key=lambda item: -len(item[0]))


def _month(token: str) -> int | None:
    token = token.casefold().rstrip(".")
    for name, number in _month_names():
        # Jira's own abbreviations are 3 letters where Babel's may be longer ("фев" / "февр.").
        if token == name or (len(token) >= 3 and name.startswith(token)):
            return number
    return None


class _BadValue(ValueError):
    pass


def _clock(hour: str | None, minute: str | None, second: str | None, marker: str | None) -> dt.time:
    if hour is None:
        return dt.time()
    h, m, s = int(hour), int(minute or 0), int(second or 0)
    if marker:
        mark = marker.casefold()
        if mark in ("pm", "下午"):
            h = h % 12 + 12
        elif mark in ("am", "上午"):
            h = h % 12
        else:
            raise _BadValue(f"{marker!r} is not AM or PM")
    return dt.time(h, m, s)


def parse_moment(value: Any) -> dt.datetime | dt.date | None:
    """A date or a date with time, as trackers and spreadsheets write them: ISO 8601 (with or
    without a zone), Jira's 11/May/26 03:26 PM and 11/May/26, 05.02.2027, 2027/2/5, a spreadsheet's
    date cell or its serial number. A date alone is a date; a time keeps its zone if it has one."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20_000 <= value < 80_000:  # a date cell that lost its format: Excel's serial number (46388 is 2027-01-01)
            from openpyxl.utils.datetime import from_excel

            moment = from_excel(value)
            return moment.date() if moment.time() == dt.time() else moment
        raise _BadValue(f"{value!r} is not a date")
    text = _text(value)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
        if re.match(r"\d{4}-\d{2}-\d{2}[T ]\d", text):
            # Jira's ISO form carries milliseconds and a +0100 offset; Python wants +01:00 before 3.11.
            return dt.datetime.fromisoformat(re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text.replace("Z", "+00:00")))
        if match := _JIRA_DATE.fullmatch(text):
            day, month_name, year, hour, minute, second, marker = match.groups()
            month = _month(month_name)
            if month is None:
                raise _BadValue(f"{month_name!r} is not a month")
            year_number = int(year) + (2000 if len(year) == 2 else 0)
            day_value = dt.date(year_number, month, int(day))
            return day_value if hour is None else dt.datetime.combine(day_value, _clock(hour, minute, second, marker))
        for pattern, order in ((_DOTTED, "dmy"), (_SLASHED_YMD, "ymd")):
            if match := pattern.fullmatch(text):
                parts = [int(part) for part in match.groups()[:3]]
                year_number, month, day_number = (parts[2], parts[1], parts[0]) if order == "dmy" else tuple(parts)
                day_value = dt.date(year_number, month, day_number)
                hour, minute, second = match.groups()[3:6]
                return day_value if hour is None else dt.datetime.combine(day_value, _clock(hour, minute, second, None))
    except ValueError as exc:
        raise _BadValue(f"{text!r} is not a date ({exc})") from None
    raise _BadValue(f"{text!r} is not a date")


def parse_date(value: Any) -> dt.date | None:
    moment = parse_moment(value)
    return moment.date() if isinstance(moment, dt.datetime) else moment


def parse_number(value: Any) -> float | None:
    """A number as a spreadsheet or a CSV in any locale writes it: 2.5, 2,5, 1 200, 1 200,5."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _BadValue(f"{value!r} is not a number")
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    text = re.sub(r"[\s\u00a0\u202f]", "", _text(value))
    if re.fullmatch(r"-?\d+(,\d+)?", text):
        text = text.replace(",", ".")
    try:
        return float(Decimal(text))
    except InvalidOperation:
        raise _BadValue(f"{_text(value)!r} is not a number") from None


def parse_duration(value: Any) -> float | None:
    """Hours: a number, or "2h 30m", "1d" (8 hours), "1w" (40 hours) as trackers write durations."""
    if isinstance(value, str) and re.search(r"[a-zA-Z]", value):
        total, rest = 0.0, value.strip()
        for amount, unit in re.findall(r"(\d+(?:[.,]\d+)?)\s*([wdhm])", rest.lower()):
            total += float(amount.replace(",", ".")) * {"w": 40, "d": 8, "h": 1, "m": 1 / 60}[unit]
        if not re.fullmatch(r"(\s*\d+(?:[.,]\d+)?\s*[wdhmWDHM])+\s*", rest):
            raise _BadValue(f"{value!r} is not a duration; write hours (2.5) or 2h 30m")
        return total
    return parse_number(value)


# ----------------------------------------------------------------------------- the task register


def _statuses(client: Client) -> dict[str, str]:
    return {**DEFAULT_STATUSES, **{_key(name): state for name, state in client.status.statuses.items()}}


def _side_of(owner: str, client: Client) -> str:
    """The side of a task without a side column: that of the portfolio's person who owns it; an
    owner not among the client's people is the agency's."""
    wanted = _key(owner)
    for person in client.people:
        if _key(person.name) == wanted or (person.email and _key(person.email.split("@")[0]) == wanted):
            return person.side
    return "agency"


def _recognise(header: list[str], client: Client, templates: Templates, problems: _Problems) -> tuple[str, dict[str, list[int]]] | None:
    """(form, {column id: the header's indexes, first present first}); None when unrecognised."""
    positions: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        positions.setdefault(name, []).append(index)
    mapping = client.status.columns
    jira = {"Issue key", "Summary", "Status"} <= set(header)
    if mapping or jira:
        columns: dict[str, list[int]] = {}
        for column in TASK_COLUMNS:
            if column in mapping:
                if mapping[column] not in positions:
                    problems.add(f"there is no column {mapping[column]!r}, which status.columns.{column} names",
                                 f"use one of the file's headers: {', '.join(list(dict.fromkeys(header))[:12])}", row=1)
                    continue
                columns[column] = positions[mapping[column]]
            elif jira:
                found = next((positions[name] for name in JIRA_COLUMNS.get(column, ()) if name in positions), None)
                if found:
                    columns[column] = found
        form = "jira" if jira else "mapped"
    else:
        names = _names(templates, "status.task_columns")
        columns = {}
        for index, name in enumerate(header):
            if not name:
                continue
            column_id = names.get(_key(name))
            if column_id is None:
                problems.add(f"unknown column {name!r}", f"a simple task register has the columns {', '.join(TASK_COLUMNS)}; "
                             "map another tracker's headers in status.columns", row=1, column=name)
            elif column_id in columns:
                problems.add(f"the column {name!r} is given twice", "keep one", row=1, column=name)
            else:
                columns[column_id] = [index]
        form = "simple"
    missing = [c for c in ("id", "title", "status") if c not in columns]
    if missing:
        if form == "simple" and not columns:
            problems.add("not a task register this version recognises (neither a simple table nor Jira's CSV export)",
                         f"give it the columns {', '.join(TASK_COLUMNS)}, or name its headers in status.columns", row=1)
        else:
            problems.add(f"no column for {', '.join(missing)}", f"add it, or name its header in status.columns.{missing[0]}", row=1)
        return None
    return form, columns


def _cell(row: list[Any], indexes: list[int]) -> Any:
    """The first non-empty of a column's cells (Jira repeats "Fix versions", "Sprint", "Labels")."""
    for index in indexes:
        if index < len(row) and row[index] not in (None, ""):
            return row[index]
    return None


def _header_name(header: list[str], columns: dict[str, list[int]], column: str) -> str:
    return header[columns[column][0]] if column in columns else column


def read_tasks(path: Path, client: Client, templates: Templates) -> Register[Task]:
    register: Register[Task] = Register("tasks", path)
    problems = _Problems("tasks", path, client)
    try:
        rows = _load(path)
    except _Unreadable as exc:
        problems.add(exc.message, exc.fix)
        register.problems = problems.done()
        return register
    if not rows:
        problems.add("the file is empty", "export the register with its header row")
        register.problems = problems.done()
        return register
    header = [_text(h).lstrip("\ufeff") for h in rows[0]]
    recognised = _recognise(header, client, templates, problems)
    if recognised is None:
        register.problems = problems.done()
        return register
    register.form, columns = recognised
    statuses, sides = _statuses(client), _names(templates, "status.sides")
    milestones = {_key(m.name): m.name for m in client.project.milestones}
    seconds = JIRA_SECONDS if register.form == "jira" else set()
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(_text(v) for v in row):
            continue
        values: dict[str, Any] = {}
        bad = False
        for column, indexes in columns.items():
            raw = _cell(row, indexes)
            name = _header_name(header, columns, column)
            try:
                if column in ("start", "due", "done_on", "created"):
                    values[column] = parse_date(raw)
                elif column in ("estimate_hours", "spent_hours"):
                    hours = parse_duration(raw)
                    if hours is not None and hours < 0:
                        raise _BadValue(f"{_text(raw)!r} is negative")
                    values[column] = hours / 3600 if hours is not None and column in seconds else hours
                else:
                    values[column] = _text(raw)
            except _BadValue as exc:
                fix = ("write it as YYYY-MM-DD" if column in ("start", "due", "done_on", "created")
                       else "write a number of hours (2.5) or a duration (2h 30m)")
                problems.add(str(exc), fix, row=number, column=name)
                bad = True
        task_id = values.get("id", "")
        if not task_id:
            problems.add("no id", "give every task an id", row=number, column=_header_name(header, columns, "id"))
            continue
        if task_id in seen:
            problems.add(f"the id {task_id!r} is also on row {seen[task_id]}", "give every task its own id", row=number,
                         column=_header_name(header, columns, "id"))
            bad = True
        seen.setdefault(task_id, number)
        status = values.get("status", "")
        state = statuses.get(_key(status))
        if state is None and register.form == "jira" and JIRA_CATEGORY in header:
            state = statuses.get(_key(_cell(row, [header.index(JIRA_CATEGORY)])))
        if state is None:
            problems.add(f"unknown status {status!r}" if status else "no status",
                         f"map it in status.statuses, e.g. {{{status or 'Name'!r}: in_progress}} (todo, in_progress or done)",
                         row=number, column=_header_name(header, columns, "status"))
            bad = True
        start, due = values.get("start"), values.get("due")
        if start and due and due < start:
            problems.add(f"due {due} is before its start {start}", "correct one of the two dates", row=number,
                         column=_header_name(header, columns, "due"))
            bad = True
        side_text = values.get("side", "")
        side = sides.get(_key(side_text)) if side_text else _side_of(values.get("owner", ""), client)
        if side is None:
            problems.add(f"unknown side {side_text!r}", "write client or agency", row=number,
                         column=_header_name(header, columns, "side"))
            bad = True
        milestone_text = values.get("milestone", "")
        milestone = milestones.get(_key(milestone_text), "") if milestone_text else ""
        if milestone_text and not milestone:
            problems.add(f"unknown milestone {milestone_text!r}",
                         f"use a milestone of the project: {', '.join(m.name for m in client.project.milestones) or 'none'}",
                         row=number, column=_header_name(header, columns, "milestone"))
            bad = True
        if bad:
            continue
        done_on = values.get("done_on") if state == "done" else None
        register.rows.append(Task(
            id=task_id, title=values.get("title", ""), status=status, state=state or "todo", owner=values.get("owner", ""),
            side=side or "agency", milestone=milestone, start=start, due=due, estimate_hours=values.get("estimate_hours"),
            spent_hours=values.get("spent_hours"), done_on=done_on, created=values.get("created"), row=number))
    register.problems = problems.done()
    return register


_cached_rows = cached_by_version(_rows_of, maxsize=32)


def _load(path: Path) -> list[list[Any]]:
    """The file's rows, read again only when it changes (validate, then the report, read it)."""
    if not path.is_file():
        return _rows_of(path)  # says why
    return _cached_rows(path)


# ----------------------------------------------------------------------------- the other registers


def _table(name: str, path: Path, client: Client, templates: Templates, known: tuple[str, ...],
           required: tuple[str, ...]) -> tuple[Register[Any], _Problems, list[str], dict[str, int], list[list[Any]]]:
    """A register of our own columns (ids or their names in any language): header checked."""
    register: Register[Any] = Register(name, path, form="table")
    problems = _Problems(name, path, client)
    try:
        rows = _load(path)
    except _Unreadable as exc:
        problems.add(exc.message, exc.fix)
        return register, problems, [], {}, []
    if not rows:
        problems.add("the file is empty", "give it a header row")
        return register, problems, [], {}, []
    header = [_text(h).lstrip("\ufeff") for h in rows[0]]
    names = _names(templates, f"status.{name}_columns")
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        if not title:
            continue
        column = names.get(_key(title))
        if column is None or column not in known:
            problems.add(f"unknown column {title!r}", f"the columns are {', '.join(known)}", row=1, column=title)
        elif column in columns:
            problems.add(f"the column {title!r} is given twice", "keep one", row=1, column=title)
        else:
            columns[column] = index
    missing = [c for c in required if c not in columns]
    if missing:
        problems.add(f"no column for {', '.join(missing)}", f"add the column {missing[0]}", row=1)
        return register, problems, header, {}, []
    return register, problems, header, columns, rows[1:]


def _value(row: list[Any], columns: dict[str, int], column: str) -> Any:
    index = columns.get(column)
    return row[index] if index is not None and index < len(row) else None


def _zone(client: Client) -> zoneinfo.ZoneInfo:
    """The agency's time zone, where a time without one is taken (the client's without an agency's)."""
    return zoneinfo.ZoneInfo(client.agency.timezone if client.agency and client.agency.timezone else client.timezone)


def parse_instant(value: Any, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """A time as an instant: with its own zone, or as a wall time in `zone`. A wall time the zone
    skips or repeats (the hour of a daylight-saving change) needs its offset written out."""
    moment = parse_moment(value)
    if moment is None:
        return None
    if not isinstance(moment, dt.datetime):
        raise _BadValue(f"{_text(value)!r} has no time of day")
    # Instants in UTC: Python compares two times of one zone by their wall clocks, an hour off around a change.
    if moment.tzinfo is not None:
        return moment.astimezone(dt.timezone.utc)
    first, second = moment.replace(tzinfo=zone, fold=0), moment.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        skipped = first.astimezone(dt.timezone.utc).astimezone(zone).replace(tzinfo=None) != moment
        what = "does not exist" if skipped else "happens twice"
        raise _NeedsZone(f"{_text(value)!r} {what} in {zone.key} (a daylight-saving change): it needs its time zone")
    return first.astimezone(dt.timezone.utc)


class _NeedsZone(_BadValue):
    pass


def read_requests(path: Path, client: Client, templates: Templates) -> Register[Request]:
    register, problems, header, columns, body = _table("requests", path, client, templates, REQUEST_COLUMNS,
                                                       ("id", "kind", "received_at"))
    zone = _zone(client)
    kinds, severities, channels = (_names(templates, f"status.{key}") for key in ("kinds", "severities", "channels"))
    for number, row in _numbered(body):
        values: dict[str, Any] = {}
        bad = False
        for column in ("received_at", "first_response_at", "resolved_at"):
            try:
                values[column] = parse_instant(_value(row, columns, column), zone)
            except _NeedsZone as exc:
                problems.add(str(exc), "write the offset, e.g. 2027-03-28T02:30+01:00", number, header[columns[column]])
                bad = True
            except _BadValue as exc:
                problems.add(str(exc), "write it as YYYY-MM-DD HH:MM (the agency's time zone) or with its offset",
                             number, header[columns[column]])
                bad = True
        for column, allowed, ids, default in (("kind", kinds, KINDS, None), ("severity", severities, SEVERITIES, "normal"),
                                              ("channel", channels, CHANNELS, "email")):
            text = _text(_value(row, columns, column))
            values[column] = allowed.get(_key(text)) if text else default
            if values[column] is None:
                problems.add(f"unknown {column} {text!r}" if text else f"no {column}", f"use one of {', '.join(ids)}",
                             number, header[columns[column]])
                bad = True
        request_id = _text(_value(row, columns, "id"))
        received = values.get("received_at")
        if not request_id:
            problems.add("no id", "give every request an id", number, header[columns["id"]])
            bad = True
        if received is None and not bad:
            problems.add("no time the request was received", "write when it came in", number, header[columns["received_at"]])
            bad = True
        for column in ("first_response_at", "resolved_at"):
            answer = values.get(column)
            if received is not None and answer is not None and answer < received:
                problems.add(f"{_text(_value(row, columns, column))} is before the request was received "
                             f"({_text(_value(row, columns, 'received_at'))})", "correct one of the two times", number,
                             header[columns[column]])
                bad = True
        if bad or received is None:
            continue
        register.rows.append(Request(request_id, values["kind"], values["severity"], values["channel"], received,
                                     values.get("first_response_at"), values.get("resolved_at"),
                                     _text(_value(row, columns, "owner")), _text(_value(row, columns, "summary")), number))
    register.problems = problems.done()
    return register


def read_decisions(path: Path, client: Client, templates: Templates) -> Register[Decision]:
    register, problems, header, columns, body = _table("decisions", path, client, templates, DECISION_COLUMNS, ("decision",))
    states = _names(templates, "status.decision_states")
    for number, row in _numbered(body):
        try:
            due = parse_date(_value(row, columns, "due"))
        except _BadValue as exc:
            problems.add(str(exc), "write it as YYYY-MM-DD", number, header[columns["due"]])
            continue
        text = _text(_value(row, columns, "status"))
        state = states.get(_key(text)) if text else "open"
        if state is None:
            problems.add(f"unknown status {text!r}", "write open or decided", number, header[columns["status"]])
            continue
        register.rows.append(Decision(_text(_value(row, columns, "id")) or str(number - 1), _text(_value(row, columns, "decision")),
                                      due, _text(_value(row, columns, "owner")), state, number))
    register.problems = problems.done()
    return register


def _level(value: Any) -> int:
    text = _text(value)
    if not text:
        return 3
    named = LEVELS.get(text) if text in LEVELS else None
    if named is not None:
        return named
    number = parse_number(text)
    if number is None or not 1 <= number <= 5 or not float(number).is_integer():
        raise _BadValue(f"{text!r} is not low, medium, high or 1 to 5")
    return int(number)


def read_risks(path: Path, client: Client, templates: Templates) -> Register[Risk]:
    register, problems, header, columns, body = _table("risks", path, client, templates, RISK_COLUMNS, ("risk",))
    # Low, medium, high in any language and either gender (Wysokie prawdopodobieństwo, wysoki wpływ).
    levels = {name: level for key in ("status.levels", "status.probability_levels", "status.impact_levels")
              for name, level in _names(templates, key).items()}
    states = _names(templates, "status.risk_states")
    for number, row in _numbered(body):
        scores = {}
        bad = False
        for column in ("probability", "impact"):
            text = _text(_value(row, columns, column))
            try:
                scores[column] = _level(levels.get(_key(text), text))
            except _BadValue as exc:
                problems.add(str(exc), "write low, medium, high or a number from 1 to 5", number, header[columns[column]])
                bad = True
        text = _text(_value(row, columns, "status"))
        state = states.get(_key(text)) if text else "open"
        if state is None:
            problems.add(f"unknown status {text!r}", "write open or closed", number, header[columns["status"]])
            bad = True
        if bad:
            continue
        register.rows.append(Risk(_text(_value(row, columns, "id")) or str(number - 1), _text(_value(row, columns, "risk")),
                                  scores["probability"], scores["impact"], _text(_value(row, columns, "owner")),
                                  _text(_value(row, columns, "mitigation")), state or "open", number))
    register.problems = problems.done()
    return register


def _numbered(body: list[list[Any]]) -> Iterator[tuple[int, list[Any]]]:
    for number, row in enumerate(body, start=2):
        if any(_text(v) for v in row):
            yield number, row
