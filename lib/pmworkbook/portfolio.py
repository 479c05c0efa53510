"""The portfolio file: loading (YAML, CSV, XLSX), merging defaults, validating.

Every problem in a file is collected and reported at once (file, client, field, fix) through
`PortfolioError`; nothing is built from a portfolio that has any.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pmworkbook.errors import PortfolioError, Problem

LANGUAGES = ("en", "zh", "pl", "ru")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
RATER_GROUPS = ("self", "manager", "team", "client")
CLIENT_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
EMAIL_PATTERN = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")
ROLE_ID_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,40}")

Language = Literal["en", "zh", "pl", "ru"]
Weekday = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
MoveRule = Literal["following", "preceding", "modified_following", "skip"]
RaciLetter = Literal["R", "A", "C", "I"]


class _Model(BaseModel):
    # Unknown keys are almost always typos: reject them so they are not silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


@lru_cache(maxsize=1)
def _territories() -> frozenset[str]:
    from babel import Locale

    # Babel's territory list holds ISO 3166-1 alpha-2 codes plus a few groupings (EU, UN, ...).
    groupings = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}
    return frozenset(code for code in Locale("en").territories if len(code) == 2 and code.isalpha()) - groupings


@lru_cache(maxsize=1)
def _currencies() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def _check_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Warsaw or Asia/Shanghai") from None
    return value


def _check_email(value: str | None) -> str | None:
    if value is not None and not EMAIL_PATTERN.fullmatch(value):
        raise ValueError(f"{value!r} is not an e-mail address; write it as name@example.com")
    return value


class Agency(_Model):
    name: str = Field(min_length=1)
    email: str | None = None
    phone: str | None = None
    timezone: str | None = None

    _email = field_validator("email")(_check_email)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return None if value is None else _check_timezone(value)


class Budget(_Model):
    amount: Decimal = Field(ge=0)
    currency: str

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if value.upper() not in _currencies():
            raise ValueError(f"unknown currency {value!r}; use an ISO 4217 code such as PLN, CNY, RUB, USD")
        return value.upper()


class Milestone(_Model):
    name: str = Field(min_length=1)
    date: dt.date


class Person(_Model):
    name: str = Field(min_length=1)
    role: str
    side: Literal["client", "agency"]
    email: str | None = None
    phone: str | None = None
    title: str | None = None

    _email = field_validator("email")(_check_email)

    @field_validator("role")
    @classmethod
    def _role(cls, value: str) -> str:
        if not ROLE_ID_PATTERN.fullmatch(value):
            raise ValueError(f"{value!r} is not a role id; use lower-case letters, digits and _ such as client_pm")
        return value


class Project(_Model):
    name: str = Field(min_length=1)
    start: dt.date
    end: dt.date
    budget: Budget | None = None
    deliverables: list[str] = Field(default_factory=list)
    milestones: list[Milestone] = Field(default_factory=list)

    @model_validator(mode="after")
    def _dates(self) -> "Project":
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}; the end must be on or after the start")
        for index, milestone in enumerate(self.milestones):
            if not self.start <= milestone.date <= self.end:
                raise ValueError(
                    f"milestones[{index}] {milestone.name!r} on {milestone.date} is outside the project "
                    f"({self.start} to {self.end}); move it inside or change the project's dates"
                )
        return self


class Communication(_Model):
    preset: str = "standard"
    meeting_day: Weekday = "TU"
    meeting_time: dt.time = dt.time(10, 0)
    meeting_minutes: int = Field(default=60, ge=5, le=480)
    response_hours: int = Field(default=4, ge=1, le=168)
    days_off: list[dt.date] = Field(default_factory=list)
    working_days: list[dt.date] = Field(default_factory=list)
    move_rule: MoveRule = "following"
    preview_days: int = Field(default=3, ge=0, le=30)
    closure_days: int = Field(default=5, ge=0, le=60)
    week_start: Weekday | None = None

    @field_validator("meeting_day", "week_start", mode="before")
    @classmethod
    def _weekday(cls, value: Any) -> Any:
        if isinstance(value, str) and value.upper() in WEEKDAYS:
            return value.upper()
        if value is None:
            return value
        raise ValueError(f"unknown weekday {value!r}; use one of {', '.join(WEEKDAYS)}")

    @field_validator("meeting_time", mode="before")
    @classmethod
    def _time(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            # YAML 1.1 reads an unquoted 10:00 as the sexagesimal number 600.
            value = f"{value // 60:02d}:{value % 60:02d}"
        if isinstance(value, str):
            match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
            if not match or int(match[1]) > 23 or int(match[2]) > 59:
                raise ValueError(f"{value!r} is not a time of day; write it as HH:MM between 00:00 and 23:59")
            return dt.time(int(match[1]), int(match[2]))
        return value


class Evaluation(_Model):
    preset: str = "client_pm"
    raters: dict[Literal["self", "manager", "team", "client"], int] = Field(
        default_factory=lambda: {"self": 1, "manager": 1, "team": 3, "client": 2}
    )

    @field_validator("raters")
    @classmethod
    def _raters(cls, value: dict[str, int]) -> dict[str, int]:
        for group, count in value.items():
            if count < 0 or count > 500:
                raise ValueError(f"raters.{group} is {count}; give a number of raters from 0 to 500")
        return value


class Client(_Model):
    id: str
    name: str = Field(min_length=1)
    language: Language
    country: str
    timezone: str
    agency: Agency | None = None
    project: Project
    people: list[Person] = Field(default_factory=list)
    roles: list[str] = Field(default_factory=lambda: ["client_pm"])
    raci: dict[str, dict[str, RaciLetter]] | None = None
    communication: Communication = Field(default_factory=Communication)
    evaluation: Evaluation = Field(default_factory=Evaluation)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not CLIENT_ID_PATTERN.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a safe folder name; use 1-63 lower-case letters, digits and '-', "
                "starting with a letter or digit (for example acme-shop)"
            )
        return value

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in LANGUAGES:
            return value.strip().lower()
        raise ValueError(f"unknown language {value!r}; use one of {', '.join(LANGUAGES)}")

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: Any) -> str:
        if not isinstance(value, str) or value.strip().upper() not in _territories():
            raise ValueError(f"unknown country {value!r}; use an ISO 3166-1 alpha-2 code such as PL, CN, RU, US")
        return value.strip().upper()

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return _check_timezone(value)

    def people_with_role(self, role: str) -> list[Person]:
        return [person for person in self.people if person.role == role]

    @property
    def rater_groups(self) -> list[str]:
        return [group for group in RATER_GROUPS if self.evaluation.raters.get(group, 0) > 0]


class Portfolio(_Model):
    portfolio: str = "Portfolio"
    source: str = ""
    clients: list[Client]

    def client(self, client_id: str) -> Client:
        for client in self.clients:
            if client.id == client_id:
                return client
        known = ", ".join(c.id for c in self.clients)
        raise KeyError(f"{self.source}: no client {client_id!r}; the portfolio has: {known}")


# --------------------------------------------------------------------------- loading


def load_portfolio(path: str | Path) -> Portfolio:
    """Read and validate a portfolio file (.yaml/.yml, .csv or .xlsx); raise PortfolioError listing every problem.

    The result is kept while the file is unchanged: a warm kernel builds hundreds of documents from
    one portfolio, and parsing it for each would make a build quadratic in the number of clients.
    """
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise PortfolioError([Problem(name, "file not found", fix="give the path of a .yaml, .csv or .xlsx portfolio")])
    stat = path.stat()
    return _load_unchanged(name, stat.st_mtime_ns, stat.st_size, str(_templates_key()))


def _templates_key() -> Path:
    from pmworkbook.paths import templates_dir

    return templates_dir()  # catalog ids are checked against the active templates


@lru_cache(maxsize=8)
def _load_unchanged(name: str, mtime_ns: int, size: int, templates: str) -> Portfolio:
    path = Path(name)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        raw, labels = _read_yaml(path), None
    elif suffix in (".csv", ".xlsx"):
        from pmworkbook import portfolio_table

        raw, labels, table_problems = portfolio_table.read_table(path)
        if table_problems:
            raise PortfolioError(table_problems)
    else:
        raise PortfolioError([Problem(name, f"unsupported file type {suffix!r}", fix="use .yaml, .csv or .xlsx")])
    return validate_raw(raw, name, labels)


def _read_yaml(path: Path) -> dict[str, Any]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PortfolioError([Problem(name, f"not UTF-8 text ({exc.reason} at byte {exc.start})", fix="save the file as UTF-8")]) from None
    try:
        raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise PortfolioError([Problem(name, f"malformed YAML: {where}{problem}", fix="fix the indentation or quoting there")]) from None
    if not isinstance(raw, dict):
        raise PortfolioError([Problem(name, "the file holds no mapping", fix="start with 'portfolio:', 'defaults:' and 'clients:'")])
    return raw


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _field_path(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def validate_raw(raw: dict[str, Any], source: str, labels: list[str] | None = None) -> Portfolio:
    """Validate an already-read portfolio mapping. `labels` names each client's origin (e.g. a table row)."""
    from pmworkbook import catalogs

    problems: list[Problem] = []
    unknown_top = set(raw) - {"portfolio", "defaults", "clients"}
    for key in sorted(unknown_top):
        problems.append(Problem(source, f"unknown top-level key {key!r}", field=key, fix="use portfolio, defaults and clients"))
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, dict):
        problems.append(Problem(source, "defaults must be a mapping of client fields", field="defaults"))
        defaults = {}
    entries = raw.get("clients")
    if not isinstance(entries, list) or not entries:
        problems.append(Problem(source, "no clients", field="clients", fix="list at least one client under 'clients:'"))
        raise PortfolioError(problems)

    clients: list[Client] = []
    seen: dict[str, str] = {}
    for index, entry in enumerate(entries):
        label = labels[index] if labels else f"clients[{index}]"
        if not isinstance(entry, dict):
            problems.append(Problem(source, "each client must be a mapping of fields", client=label))
            continue
        client_id = entry.get("id")
        if isinstance(client_id, str):
            label = f"{label} (client '{client_id}')" if labels else f"client '{client_id}'"
        try:
            client = Client.model_validate(_deep_merge(defaults, entry))
        except ValidationError as exc:
            for error in exc.errors():
                message = error["msg"].removeprefix("Value error, ")
                if error["type"] == "extra_forbidden":
                    message = "unknown field; check its spelling against the portfolio format in DESIGN.md"
                elif error["type"] == "missing":
                    message = "missing; this field is required"
                problems.append(Problem(source, message, client=label, field=_field_path(error["loc"]) or None))
            continue
        if client.id in seen:
            problems.append(
                Problem(source, f"duplicate client id {client.id!r} (also {seen[client.id]})", client=label, field="id",
                        fix="give every client its own id")
            )
            continue
        seen[client.id] = label
        problems.extend(catalogs.check_client_references(client, source, label))
        clients.append(client)

    if problems:
        raise PortfolioError(problems)
    return Portfolio(portfolio=str(raw.get("portfolio") or "Portfolio"), source=source, clients=clients)
