"""The portfolio's data model: what a client engagement is, field by field.

The field descriptions are the portfolio format's documentation (``docs/portfolio.md`` is
generated from them by ``python -m pmworkbook.portfolio.reference``) and a field's
``json_schema_extra`` places it in a CSV/XLSX portfolio table (`pmworkbook.portfolio.tables`):

- ``column``: the header of the field's column. A field without one is YAML only, except a
  nested model, whose own fields' columns count (``project_name`` is ``project.name``).
- ``{n}`` in a column: a list of models spread over numbered columns, one set per item
  (``person1_name``, ``person2_name``, ...).
- ``cell``: how a list or mapping is written in its one cell, entries separated by ``;``.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pmworkbook.core.problems import InvalidValue

LANGUAGES = ("en", "zh", "pl", "ru")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
RaterGroup = Literal["self", "manager", "team", "client"]
RATER_GROUPS: tuple[RaterGroup, ...] = ("self", "manager", "team", "client")
CLIENT_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
EMAIL_PATTERN = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")
ROLE_ID_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,40}")

Language = Literal["en", "zh", "pl", "ru"]
Weekday = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
MoveRule = Literal["following", "preceding", "modified_following", "skip"]
RaciLetter = Literal["R", "A", "C", "I"]


MAX_TEXT = 300  # characters in one value: a name or title longer than that is a pasting accident
# Control characters (NUL, ESC, ...) and bidirectional overrides (U+202E turns text around on the
# page): nothing a person types into a name, and they break PDFs, .ics and .eml files or mislead.
FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in _strings(key) + _strings(item)]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _strings(item)]
    return []


class _Model(BaseModel):
    # Unknown keys are almost always typos: reject them so they are not silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        """Every text of the portfolio is plain, printable and of a sensible length."""
        for text in _strings(value):
            found = FORBIDDEN_CHARACTERS.search(text)
            if found:
                raise InvalidValue("text_control_character", f"has the control character U+{ord(found.group()):04X} at position "
                                   f"{found.start() + 1}; retype the text without it",
                                   character=f"U+{ord(found.group()):04X}", position=found.start() + 1)
            if len(text) > MAX_TEXT:
                raise InvalidValue("text_too_long", f"has {len(text)} characters, more than {MAX_TEXT}; shorten it",
                                   length=len(text), count=MAX_TEXT)
        return value


@lru_cache(maxsize=1)
def _territories() -> frozenset[str]:
    from babel import Locale

    # Babel's territory list holds ISO 3166-1 alpha-2 codes plus a few groupings (EU, UN, ...).
    groupings = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}
    return frozenset(code for code in Locale("en").territories if isinstance(code, str) and len(code) == 2 and code.isalpha()) - groupings


@lru_cache(maxsize=1)
def _currencies() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def _check_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidValue("unknown_timezone", f"unknown time zone {value!r}; use an IANA name such as Europe/Warsaw or "
                           "Asia/Shanghai", value=value, examples=["Europe/Warsaw", "Asia/Shanghai"]) from None
    return value


def _check_email(value: str | None) -> str | None:
    if value is not None and not EMAIL_PATTERN.fullmatch(value):
        raise InvalidValue("not_an_email", f"{value!r} is not an e-mail address; write it as name@example.com", value=value,
                           example="name@example.com")
    return value


class Agency(_Model):
    """The agency (the service provider) running the engagement."""

    name: str = Field(min_length=1, description="The agency's name, as it signs letters.", json_schema_extra={"column": "agency_name"})
    email: str | None = Field(None, description="The agency's e-mail address for the client.", json_schema_extra={"column": "agency_email"})
    phone: str | None = Field(None, description="The agency's phone number.", json_schema_extra={"column": "agency_phone"})
    timezone: str | None = Field(None, description="The agency's IANA time zone; the schedule shows its times beside the client's when they differ.",
                                 json_schema_extra={"column": "agency_timezone"})

    _email = field_validator("email")(_check_email)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return None if value is None else _check_timezone(value)


class Budget(_Model):
    """The project's budget."""

    amount: Decimal = Field(ge=0, description="The amount, 0 or more.", json_schema_extra={"column": "budget"})
    currency: str = Field(description="ISO 4217 code such as PLN, CNY, RUB, USD.", json_schema_extra={"column": "currency"})

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if value.upper() not in _currencies():
            raise InvalidValue("unknown_currency", f"unknown currency {value!r}; use an ISO 4217 code such as PLN, CNY, RUB, USD",
                               value=value, examples=["PLN", "CNY", "RUB", "USD"])
        return value.upper()


class Milestone(_Model):
    """A milestone: a preview is held before it and a review after it."""

    name: str = Field(min_length=1, description="What is reached, in the client's language.")
    date: dt.date = Field(description="YYYY-MM-DD, within the project's dates.")


class Person(_Model):
    """Someone on the engagement, on the client's side or the agency's."""

    name: str = Field(min_length=1, description="Full name.", json_schema_extra={"column": "person{n}_name"})
    role: str = Field(description="A role id of the role catalog (client_pm, project_manager, sponsor, account_manager, account_director, ...).",
                      json_schema_extra={"column": "person{n}_role"})
    side: Literal["client", "agency"] = Field(description="Whose staff: client or agency.", json_schema_extra={"column": "person{n}_side"})
    email: str | None = Field(None, description="E-mail address, name@example.com.", json_schema_extra={"column": "person{n}_email"})
    phone: str | None = Field(None, description="Phone number as it should be printed.", json_schema_extra={"column": "person{n}_phone"})
    title: str | None = Field(None, description="Job title, as it should be printed.", json_schema_extra={"column": "person{n}_title"})

    _email = field_validator("email")(_check_email)

    @field_validator("role")
    @classmethod
    def _role(cls, value: str) -> str:
        if not ROLE_ID_PATTERN.fullmatch(value):
            raise InvalidValue("not_a_role_id", f"{value!r} is not a role id; use lower-case letters, digits and _ such as client_pm",
                               value=value, example="client_pm")
        return value


class Project(_Model):
    """The engagement's project."""

    name: str = Field(min_length=1, description="The project's name, in the client's language.", json_schema_extra={"column": "project_name"})
    start: dt.date = Field(description="First day, YYYY-MM-DD.", json_schema_extra={"column": "start"})
    end: dt.date = Field(description="Last day, YYYY-MM-DD, on or after the start.", json_schema_extra={"column": "end"})
    budget: Budget | None = Field(None, description="Amount and currency; shown in the role descriptions.")
    deliverables: list[str] = Field(default_factory=list, description="The rows of the RACI matrix; empty: the milestones' names.",
                                    json_schema_extra={"column": "deliverables", "cell": "A; B; C"})
    milestones: list[Milestone] = Field(default_factory=list, description="Dated milestones.",
                                        json_schema_extra={"column": "milestones", "cell": "Name=YYYY-MM-DD; ..."})

    @model_validator(mode="after")
    def _dates(self) -> Project:
        if self.end < self.start:
            raise InvalidValue("end_before_start", f"end {self.end} is before start {self.start}; the end must be on or after the start",
                               start=self.start, end=self.end)
        return self


def _default_hours() -> dict[Literal["client", "agency"], str]:
    return {"client": "08:00-19:00", "agency": "08:00-19:00"}


def _hour_range(name: str, text: str) -> str:
    """ "8:00 - 19:00" -> "08:00-19:00"; an empty or reversed range is an error (`name`: the field, for the message)."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*", text)
    if not match or int(match[1]) > 23 or int(match[3]) > 24 or int(match[2]) > 59 or int(match[4]) > 59:
        raise InvalidValue("hours_not_a_range", f"{name} {text!r} is not a range of hours; write it as HH:MM-HH:MM, for example "
                           "08:00-19:00", value=text)
    start, end = (int(match[1]), int(match[2])), (int(match[3]), int(match[4]))
    if end <= start:
        raise InvalidValue("hours_reversed", f"{name} {text!r} ends before it starts; write it as HH:MM-HH:MM, for example "
                           "08:00-19:00", value=text)
    if end == (24, 0):
        end = (23, 59)
    return f"{start[0]:02d}:{start[1]:02d}-{end[0]:02d}:{end[1]:02d}"


class Communication(_Model):
    """The communication plan: which cadences, when the status meeting is, how fast answers come."""

    preset: str = Field("standard", description="A cadence preset of the cadence catalog (standard, light, intensive, ...).",
                        json_schema_extra={"column": "preset"})
    meeting_day: Weekday = Field("TU", description="Day of the weekly status meeting: MO, TU, WE, TH, FR, SA or SU.",
                                 json_schema_extra={"column": "meeting_day"})
    meeting_time: dt.time = Field(dt.time(10, 0), description='Its start, "HH:MM" in the client\'s time zone (quote it in YAML).',
                                  json_schema_extra={"column": "meeting_time"})
    meeting_minutes: int = Field(default=60, ge=5, le=480, description="Its length in minutes, 5 to 480.")
    response_hours: int = Field(default=4, ge=1, le=168, description="Promised first response to the client, in working hours, 1 to 168.",
                                json_schema_extra={"column": "response_hours"})
    days_off: list[dt.date] = Field(default_factory=list, description="The engagement's own extra days off, YYYY-MM-DD.",
                                    json_schema_extra={"column": "days_off", "cell": "YYYY-MM-DD; ..."})
    working_days: list[dt.date] = Field(default_factory=list, description="Extra working days (for example a Saturday worked), YYYY-MM-DD.",
                                        json_schema_extra={"column": "working_days", "cell": "YYYY-MM-DD; ..."})
    move_rule: MoveRule = Field("following", description="Where a meeting on a day off goes: the following working day, the "
                                "preceding one, modified_following (the following unless that is next month) or skip.",
                                json_schema_extra={"column": "move_rule"})
    preview_days: int = Field(default=3, ge=0, le=30, description="Working days between a milestone preview and its milestone.")
    closure_days: int = Field(default=5, ge=0, le=60, description="Working days after the project's end when the closure report is due.")
    week_start: Weekday | None = Field(None, description="First day of the week in the month view; empty: the locale's.")
    location: str | None = Field(None, min_length=1, description="Where on-site meetings (the kickoff) are held, as printed: an "
                                 "address or a room; the location of those events in the .ics file.",
                                 json_schema_extra={"column": "location"})
    video_link: str | None = Field(None, description="The link of the video calls (https://...): the location and URL of the "
                                   "video meetings in the .ics file, and printed in the schedule.",
                                   json_schema_extra={"column": "video_link"})
    working_hours: dict[Literal["client", "agency"], str] = Field(
        default_factory=_default_hours,
        description='Working hours of each side in its own time zone (the agency\'s is agency.timezone), "HH:MM-HH:MM"; '
                    'one range such as "09:00-18:00" sets both. `validate` warns about an item outside them, and an item '
                    "moved to free time stays inside them.",
        json_schema_extra={"column": "working_hours", "cell": "client=08:00-19:00; agency=09:00-18:00"})

    @field_validator("video_link")
    @classmethod
    def _video_link(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s<>\"]+\.[^\s<>\"]+", value.strip()):
            raise InvalidValue("not_a_web_link", f"{value!r} is not a web link; write it as https://meet.example.com/room", value=value,
                               example="https://meet.example.com/room")
        return None if value is None else value.strip()

    @field_validator("working_hours", mode="before")
    @classmethod
    def _working_hours(cls, value: Any) -> Any:
        if isinstance(value, str):  # one range for both sides
            value = {"client": value, "agency": value}
        if isinstance(value, dict):
            value = {"client": "08:00-19:00", "agency": "08:00-19:00", **value}
            for side, text in value.items():
                if isinstance(text, str):
                    value[side] = _hour_range(f"working_hours.{side}", text)
        return value

    def hours(self, side: Literal["client", "agency"]) -> tuple[dt.time, dt.time]:
        """A side's working hours as (start, end) in its own time zone."""
        start, end = self.working_hours[side].split("-")
        return dt.time.fromisoformat(start), dt.time.fromisoformat(end)

    @field_validator("meeting_day", "week_start", mode="before")
    @classmethod
    def _weekday(cls, value: Any) -> Any:
        if isinstance(value, str) and value.upper() in WEEKDAYS:
            return value.upper()
        if value is None:
            return value
        raise InvalidValue("unknown_weekday", f"unknown weekday {value!r}; use one of {', '.join(WEEKDAYS)}", value=value)

    @field_validator("meeting_time", mode="before")
    @classmethod
    def _time(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            # YAML 1.1 reads an unquoted 10:00 as the sexagesimal number 600.
            value = f"{value // 60:02d}:{value % 60:02d}"
        if isinstance(value, str):
            match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::00)?", value.strip())  # seconds: a model dumped as JSON
            if not match or int(match[1]) > 23 or int(match[2]) > 59:
                message = f"{value!r} is not a time of day; write it as HH:MM between 00:00 and 23:59"
                if not value.strip():
                    raise InvalidValue("time_empty", message, value=value)
                raise InvalidValue("time_of_day", message, value=value)
            return dt.time(int(match[1]), int(match[2]))
        return value


def _default_raters() -> dict[RaterGroup, int]:
    return {"self": 1, "manager": 1, "team": 3, "client": 2}


class Evaluation(_Model):
    """The evaluations: the client-side project manager by self, manager, team and client, and each
    agency project manager by the client; which criteria, how many raters, when and where forms go back."""

    preset: str = Field("client_pm", description="The criteria preset of the client-side project manager's evaluation, from the "
                        "criteria catalog (client_pm, pm_by_client, account_team).",
                        json_schema_extra={"column": "evaluation_preset"})
    raters: dict[RaterGroup, int] = Field(
        default_factory=_default_raters,
        description="Raters of the client-side project manager per group (self, manager, team, client), 0 to 500; a group of 0 "
                    "gets no form.",
        json_schema_extra={"column": "raters", "cell": "self=1; manager=1; team=4; client=2"},
    )
    agency_pm_raters: int = Field(3, ge=0, le=500, description="How many people of the client rate each agency project manager "
                                  "(a person with role project_manager on the agency's side) with the pm_by_client criteria, "
                                  "0 to 500; 0: the agency's project managers are not evaluated.",
                                  json_schema_extra={"column": "agency_pm_raters"})
    due: dt.date | None = Field(None, description="The date the filled forms are due, YYYY-MM-DD; empty: 10 working days after "
                                "the project's end.", json_schema_extra={"column": "evaluation_due"})
    return_to: str | None = Field(None, description="The e-mail address raters send their filled forms to; empty: the agency's "
                                  "e-mail.", json_schema_extra={"column": "evaluation_return_to"})

    _return_to = field_validator("return_to")(_check_email)

    @field_validator("raters")
    @classmethod
    def _raters(cls, value: dict[str, int]) -> dict[str, int]:
        for group, count in value.items():
            if count < 0 or count > 500:
                raise InvalidValue("raters_out_of_range", f"raters.{group} is {count}; give a number of raters from 0 to 500",
                                   group=group, value=count)
        return value


class RoleCharter(_Model):
    """One role's charter where it differs from the client's `charter`."""

    version: str | None = Field(None, min_length=1, description="The charter's version, as printed (1.0, 2.1, ...).")
    date: dt.date | None = Field(None, description="The date of that version, YYYY-MM-DD.")
    reports_to: str | None = Field(None, min_length=1, description="Whom the role holder reports to: a role id (sponsor, "
                                   "account_director, ...) or the name of one of the client's people.")
    time_allocation: int | None = Field(None, ge=1, le=100, description="The share of the holder's working time the role "
                                        "takes, in percent, 1 to 100.")
    approval_limit: Decimal | None = Field(None, ge=0, description="The most the holder may approve alone per decision, in "
                                           "the project budget's currency; 0: no approval authority.")
    deputy: str | None = Field(None, min_length=1, description="Who stands in for the holder: the name of one of the "
                               "client's people, or a role id.")


class Charter(_Model):
    """The role charter printed at the head of each role description (version, reporting line, time,
    approval limit, deputy) and signed at its end. Values here apply to every role of the client;
    `roles` changes them for one role; what neither gives comes from the role catalog."""

    version: str = Field("1.0", min_length=1, description="The charter's version, as printed.",
                         json_schema_extra={"column": "charter_version"})
    date: dt.date | None = Field(None, description="The date of that version, YYYY-MM-DD; empty: the project's start.",
                                 json_schema_extra={"column": "charter_date"})
    reports_to: str | None = Field(None, min_length=1, description="Whom every role holder reports to: a role id or the name "
                                   "of one of the client's people; empty: each role's reporting line of the role catalog "
                                   "(the client-side project manager reports to the sponsor).",
                                   json_schema_extra={"column": "charter_reports_to"})
    time_allocation: int | None = Field(None, ge=1, le=100, description="The share of working time the role takes, in percent, "
                                        "1 to 100; empty: the role catalog's (50 for the project managers).",
                                        json_schema_extra={"column": "charter_time_allocation"})
    approval_limit: Decimal | None = Field(None, ge=0, description="The most a role holder may approve alone per decision, in "
                                           "the budget's currency; 0: none; empty: the role catalog's share of the budget "
                                           "(5% for the client-side project manager).",
                                           json_schema_extra={"column": "charter_approval_limit"})
    deputy: str | None = Field(None, min_length=1, description="Who stands in for the role holder: the name of one of the "
                               "client's people, or a role id; empty: someone on the role's side holding one of the role "
                               "catalog's deputy roles (for the client-side project manager a team member, else the "
                               "sponsor), else \"to be agreed\" and a `validate` warning.",
                               json_schema_extra={"column": "charter_deputy"})
    roles: dict[str, RoleCharter] = Field(default_factory=dict, description="Per role id: the values that differ for that "
                                          "role, e.g. client_pm: {deputy: Piotr Zieliński, approval_limit: 10000}.")


TaskState = Literal["todo", "in_progress", "done"]
# The task register's columns (pmworkbook.portfolio.tasks): what `status.columns` may map.
TASK_COLUMNS = ("id", "title", "status", "owner", "side", "milestone", "start", "due", "estimate_hours", "spent_hours",
                "done_on", "created")


class RagLimits(_Model):
    """Where a figure turns amber and where red. Where more is worse (slip, overrun, open items) it
    is amber from `amber` and red from `red` on; where less is worse (the share of answers in time)
    it is amber below `amber` and red below `red`."""

    amber: float = Field(description="The value from which the dimension is amber.")
    red: float = Field(description="The value from which it is red.")


class StatusThresholds(_Model):
    """The limits of the status report's RAG (red, amber, green) per dimension; the report's
    appendix writes each rule out with these values."""

    schedule_slip_days: RagLimits = Field(default_factory=lambda: RagLimits(amber=1, red=5),
                                          description="Schedule: the largest slip of a milestone not yet reached, its "
                                          "forecast against its baseline, in working days. Default: amber 1, red 5.")
    effort_overrun_percent: RagLimits = Field(default_factory=lambda: RagLimits(amber=10, red=20),
                                              description="Effort: the forecast at completion (hours spent plus the open "
                                              "tasks' remaining estimates) over the planned hours, in percent. Default: "
                                              "amber 10, red 20.")
    open_changes: RagLimits = Field(default_factory=lambda: RagLimits(amber=2, red=4),
                                    description="Scope: change requests of the requests log not yet resolved. Default: "
                                    "amber 2, red 4.")
    response_within_percent: RagLimits = Field(default_factory=lambda: RagLimits(amber=90, red=75),
                                               description="Service: the share of the week's requests first answered "
                                               "within `communication.response_hours` working hours, in percent; less is "
                                               "worse: amber below `amber`, red below `red`. Default: amber 90, red 75.")
    open_complaints: RagLimits = Field(default_factory=lambda: RagLimits(amber=1, red=3),
                                       description="Service: complaints of the requests log not yet resolved. Default: "
                                       "amber 1, red 3.")

    @model_validator(mode="after")
    def _order(self) -> StatusThresholds:
        for name in ("schedule_slip_days", "effort_overrun_percent", "open_changes", "open_complaints"):
            limits = getattr(self, name)
            if limits.red < limits.amber:
                raise ValueError(f"{name}: red {limits.red:g} is below amber {limits.amber:g}; more is worse here, so "
                                 "red must be at least amber")
        share = self.response_within_percent
        if share.red > share.amber or not 0 <= share.red <= 100 or not 0 <= share.amber <= 100:
            raise ValueError(f"response_within_percent: amber {share.amber:g} and red {share.red:g} must be percentages "
                             "with red at most amber (fewer answers in time is worse)")
        return self


class Status(_Model):
    """The weekly status report (`pmworkbook status`): its thresholds, the window of the next
    days, the hours response times are counted in, and how another tracker's export is read."""

    thresholds: StatusThresholds = Field(default_factory=StatusThresholds, description="The RAG limits per dimension.")
    next_days: int = Field(5, ge=1, le=30, description="The report's \"next days\": open tasks due within this many "
                           "working days after the week, 1 to 30.")
    service_hours: str = Field("09:00-18:00", description="The agency's service hours, \"HH:MM-HH:MM\" in the agency's "
                               "time zone: response and resolution times count working hours, these hours on the working "
                               "days of the communication calendar.")
    columns: dict[str, str] = Field(default_factory=dict, description="A tracker export's headers for the task "
                                    f"register's columns ({', '.join(TASK_COLUMNS)}), e.g. {{title: Summary, due: "
                                    "Deadline}}; empty: a simple table or Jira's CSV export, recognised by its header.")
    statuses: dict[str, TaskState] = Field(default_factory=dict, description="A tracker's status names as todo, "
                                           "in_progress or done, e.g. {Backlog: todo, Testing: in_progress}; added to the "
                                           "defaults, which know Jira's English, Polish, Russian and Chinese names.")

    @field_validator("service_hours")
    @classmethod
    def _service_hours(cls, value: str) -> str:
        return _hour_range("service_hours", value)

    @field_validator("columns")
    @classmethod
    def _columns(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = [key for key in value if key not in TASK_COLUMNS]
        if unknown:
            raise InvalidValue("unknown_task_columns", f"unknown task register column {', '.join(map(repr, unknown))}; map "
                               f"these: {', '.join(TASK_COLUMNS)}", columns=unknown, allowed=list(TASK_COLUMNS))
        return value


def _register_path(value: str | None) -> str | None:
    """A register is a .csv or .xlsx file, named relative to the portfolio file."""
    if value is not None and not value.lower().endswith((".csv", ".xlsx")):
        raise InvalidValue("not_a_register_file", f"{value!r} is not a .csv or .xlsx file; export the register as CSV or save it "
                           "as .xlsx", value=value, formats=[".csv", ".xlsx"])
    return value


class Client(_Model):
    """One client engagement: one pack of documents."""

    id: str = Field(description="The pack's folder name: 1-63 lower-case letters, digits and '-'; unique in the portfolio.",
                    json_schema_extra={"column": "id"})
    name: str = Field(min_length=1, description="The client organisation's name, as printed.", json_schema_extra={"column": "name"})
    language: Language = Field(description="The documents' language: en, zh, pl or ru.", json_schema_extra={"column": "language"})
    country: str = Field(description="ISO 3166-1 alpha-2 code (PL, CN, RU, US, ...), for public holidays and make-up working days.",
                         json_schema_extra={"column": "country"})
    timezone: str = Field(description="The client's IANA time zone, such as Europe/Warsaw.", json_schema_extra={"column": "timezone"})
    agency: Agency | None = Field(None, description="The agency; usually given once under defaults.")
    project: Project = Field(description="The project.")
    # In a table: the numbered columns of Person (person1_name, person2_name, ...).
    people: list[Person] = Field(default_factory=list, description="Who is on the engagement.")
    roles: list[str] = Field(default_factory=lambda: ["client_pm"], description="Roles of the role catalog that get a role description.",
                             json_schema_extra={"column": "roles", "cell": "client_pm; project_manager"})
    raci: dict[str, dict[str, RaciLetter]] | None = Field(
        None, description="The RACI matrix: deliverable -> role id -> R, A, C or I; exactly one A and at least one R per row. "
                          "Empty: a default matrix over the catalog roles the client has, always valid: the client-side "
                          "project manager is A (else the sponsor), the agency's project manager R (else the account "
                          "manager, else the account director), the others C or I ([Roles](#roles)).")
    charter: Charter = Field(default_factory=Charter, description="The role charter of the role descriptions.")
    communication: Communication = Field(default_factory=Communication, description="The communication plan.")
    evaluation: Evaluation = Field(default_factory=Evaluation, description="The evaluation.")
    tasks: str | None = Field(None, description="The task register the weekly status report reads (`pmworkbook status`): "
                              "a .csv or .xlsx file, relative to the portfolio file; a simple table, Jira's CSV export as "
                              "it comes, or another tracker's export through `status.columns`. Empty: no status report.",
                              json_schema_extra={"column": "tasks"})
    requests: str | None = Field(None, description="The requests log (service_log.xlsx of the pack, kept by the project "
                                 "manager, or a .csv of the same columns), relative to the portfolio file: the status "
                                 "report's response times, change requests and complaints.",
                                 json_schema_extra={"column": "requests"})
    decisions: str | None = Field(None, description="The decisions needed from the client (.csv or .xlsx: id, decision, "
                                  "due, owner, status), relative to the portfolio file.",
                                  json_schema_extra={"column": "decisions"})
    risks: str | None = Field(None, description="The risk register (.csv or .xlsx: id, risk, probability, impact, owner, "
                              "mitigation, status), relative to the portfolio file.", json_schema_extra={"column": "risks"})
    status: Status = Field(default_factory=Status, description="The weekly status report's settings.")

    _registers = field_validator("tasks", "requests", "decisions", "risks")(_register_path)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not CLIENT_ID_PATTERN.fullmatch(value):
            raise InvalidValue("unsafe_client_id", f"{value!r} is not a safe folder name; use 1-63 lower-case letters, digits "
                               "and '-', starting with a letter or digit (for example acme-shop)", value=value,
                               example="acme-shop")
        return value

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in LANGUAGES:
            return value.strip().lower()
        raise InvalidValue("unknown_language", f"unknown language {value!r}; use one of {', '.join(LANGUAGES)}", value=value,
                           allowed=list(LANGUAGES))

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: Any) -> str:
        if not isinstance(value, str) or value.strip().upper() not in _territories():
            raise InvalidValue("unknown_country", f"unknown country {value!r}; use an ISO 3166-1 alpha-2 code such as PL, CN, RU, US",
                               value=value, examples=["PL", "CN", "RU", "US"])
        return value.strip().upper()

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return _check_timezone(value)

    def people_with_role(self, role: str) -> list[Person]:
        return [person for person in self.people if person.role == role]

    @property
    def rater_groups(self) -> list[RaterGroup]:
        return [group for group in RATER_GROUPS if self.evaluation.raters.get(group, 0) > 0]


class Portfolio(_Model):
    """The validated clients of a portfolio file."""

    portfolio: str = Field("Portfolio", description="The portfolio's title, on its index page; a table's title is its file name.")
    source: str = ""  # the file it was read from, not a key of it
    clients: list[Client] = Field(description="The clients, one pack of documents each; at least one.")

    def client(self, client_id: str) -> Client:
        for client in self.clients:
            if client.id == client_id:
                return client
        known = ", ".join(c.id for c in self.clients)
        raise KeyError(f"{self.source}: no client {client_id!r}; the portfolio has: {known}")


