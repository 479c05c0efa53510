"""Problems as values: each names where it is (file, client, field), what is wrong and how to fix
it. Validation returns them; the command line prints them and chooses the exit status, the
workshop shows each next to its field. Nothing routes on the wording of a message.

A problem says what is wrong twice: in English for the command line (`message` and `fix`, for the
consultant), and as a `code` with `params` for the apps, which show the catalog's sentence
``problems.<code>`` in the reader's language (`describe`). pydantic's own errors have pydantic's
error type as their code (``int_parsing``, ``missing``); a model validator raises `InvalidValue`
to give its own. A problem without a code, or whose code the catalog lacks, is shown in English.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from pmworkbook.core.i18n import Formatter

Severity = Literal["error", "warning"]

# Where users read the portfolio format; error messages point there.
FORMAT_DOC = "docs/portfolio.md"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where (file, client, field), what, and what would be right.

    `client` is how the user finds the client (``client 'acme-shop'``, ``row 3``); `client_id` is
    its id where it has one, for code that sorts problems by client. `code` and `params` say the
    same in the catalogs' words (``problems.<code>``), for a reader of another language."""

    file: str
    message: str
    client: str | None = None
    field: str | None = None
    fix: str | None = None
    severity: Severity = "error"
    client_id: str | None = None
    code: str | None = None
    params: Mapping[str, Any] = dataclass_field(default_factory=dict, hash=False)

    @property
    def english(self) -> str:
        """What is wrong and the fix, in English, without the where: beside its field in an app."""
        return self.message + (f"; {self.fix}" if self.fix else "")

    def __str__(self) -> str:
        where = [self.file]
        if self.client:
            where.append(self.client)
        if self.field:
            where.append(f"field '{self.field}'")
        text = f"{': '.join(where)}: {'warning: ' if self.severity == 'warning' else ''}{self.message}"
        if self.fix:
            text += f"; {self.fix}"
        return text


class InvalidValue(ValueError):
    """A model validator's refusal with its catalog code: pydantic keeps the exception in the error's
    context, and the portfolio's loader gives the problem its code and params."""

    def __init__(self, code: str, message: str, **params: Any):
        super().__init__(message)
        self.code = code
        self.params = params

    def __reduce__(self):  # pickled with the error that holds it, as a worker process hands it back
        return _invalid_value, (self.code, str(self), self.params)


def _invalid_value(code: str, message: str, params: dict[str, Any]) -> InvalidValue:
    return InvalidValue(code, message, **params)


# pydantic's error types whose sentence the catalogs hold (problems.<type>), naming the field.
PYDANTIC_TYPES = (
    "missing", "extra_forbidden", "string_type", "string_too_short", "string_too_long", "int_type", "int_parsing",
    "int_from_float", "float_type", "float_parsing", "decimal_type", "decimal_parsing", "bool_type", "bool_parsing",
    "greater_than", "greater_than_equal", "less_than", "less_than_equal", "literal_error", "date_type", "date_parsing",
    "date_from_datetime_parsing", "date_from_datetime_inexact", "time_type", "time_parsing", "list_type", "dict_type",
    "model_type", "model_attributes_type", "too_short", "too_long",
    "string_empty",  # string_too_short when the least is one character: the field was left empty
)
# The plural categories of a catalog sentence that depends on a count (Formatter.plural).
PLURAL_CATEGORIES = {"zero", "one", "two", "few", "many", "other"}


def field_label(path: str | None, fmt: Formatter) -> str:
    """A field as the reader knows it: ``project.milestones[1].date`` -> "Date of milestone 2",
    ``communication.days_off[2]`` -> "Day off 3" from the catalog's ``problems.fields``; a field
    without a label there keeps its path."""
    if not path:
        return ""
    numbers = [int(n) + 1 for n in re.findall(r"\[(\d+)\]", path)]
    key = re.sub(r"\[\d+\]", "", path)
    label = fmt.t.get(f"problems.fields.{key}")
    if isinstance(label, dict):  # a list's own label, or one of its entries ("Day off 3": days_off[2])
        label = label.get("item") if path.endswith("]") and "item" in label else label.get("_")
    if not isinstance(label, str):
        return path
    return label.format(number=fmt.number(numbers[-1]) if numbers else "")


def _shown(value: Any, fmt: Formatter) -> str:
    """A parameter as the reader's language writes it: dates, times, numbers, lists."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        return f"{fmt.date(value.date())} {fmt.time(value)}"
    if isinstance(value, dt.date):
        return fmt.date(value)
    if isinstance(value, ZoneInfo):  # a time zone as people name it: its city
        return fmt.city(value.key)
    if isinstance(value, dt.time):
        return fmt.time(value)
    if isinstance(value, (int, Decimal)) or (isinstance(value, float) and value.is_integer()):
        return fmt.number(value)
    if isinstance(value, float):
        return fmt.number(value, 2).rstrip("0")
    if isinstance(value, (list, tuple)):
        return fmt.join([_shown(item, fmt) for item in value])
    return str(value)


# The options of a catalog field as the apps show them (unknown_catalog_id's {allowed}): their
# labels in the reader's language, not the ids the portfolio file holds.
OPTION_LABELS = {"communication.preset": "apps.workshop.presets", "evaluation.preset": "evaluation.preset_names",
                 "roles": "role_names", "people.role": "role_names"}


def describe(problem: Problem, fmt: Formatter) -> str:
    """The problem in the reader's language: the catalog's ``problems.<code>`` with its params (a
    ``variant`` param picks one of its sentences, a ``count`` param the plural form), the field's
    label as ``{field}``. In English, as the command line says it, when the catalog has no sentence."""
    entry = fmt.t.get(f"problems.{problem.code}") if problem.code else None
    params = dict(problem.params)
    if isinstance(entry, dict) and "variant" in params:
        entry = entry.get(str(params.pop("variant")))
    if entry is None or (isinstance(entry, dict) and not set(entry) <= PLURAL_CATEGORIES):
        return problem.english
    labels = OPTION_LABELS.get(re.sub(r"\[\d+\]", "", problem.field or ""))
    if problem.code == "unknown_catalog_id" and labels and isinstance(params.get("allowed"), list):
        params["allowed"] = [str(fmt.t.get(f"{labels}.{option}") or option) for option in params["allowed"]]
    values = {name: _shown(value, fmt) for name, value in params.items()}
    values["field"] = field_label(problem.field, fmt)
    try:
        if isinstance(entry, dict):  # by Babel's plural category of the count, as Formatter.plural
            category = fmt.locale.plural_form(int(params["count"]))
            entry = entry[category] if category in entry else entry["other"]
        return str(entry).format(**values)
    except (KeyError, IndexError, ValueError):  # a team's catalog naming a value the problem lacks
        return problem.english


class PortfolioError(Exception):
    """The portfolio cannot be used as it is; `problems` lists everything found at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class MissingClientData(Exception):
    """A document notebook was run without the client's data."""


class DocumentError(Exception):
    """A document cannot be built from its data. Validation finds these first; this is the guard."""
