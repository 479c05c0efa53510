"""The workshop's logic, without widgets: a client's changes (dotted fields) → the candidate
portfolio → its problems, field by field → saved to the file, or built. The widgets in
`pmworkbook.apps.widgets` only read and show this; tests drive it without a browser."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from pmworkbook.batch.build import BuildOutcome, build
from pmworkbook.batch.jobs import Settings
from pmworkbook.core.files import atomic_write_text
from pmworkbook.core.problems import Problem
from pmworkbook.core.templates import Templates
from pmworkbook.plan.validation import Validation, validate, validate_data
from pmworkbook.portfolio.edits import apply_changes, update_client
from pmworkbook.portfolio.load import read_portfolio
from pmworkbook.portfolio.model import Client
from pmworkbook.portfolio.table_edits import CannotHold, update_table

# The fields the workshop edits, each shown next to its own input; other problems go under the form.
EDITED_FIELDS = ("communication.preset", "communication.meeting_day", "communication.meeting_time",
                 "communication.days_off", "project.milestones")


TABLE_SUFFIXES = (".csv", ".xlsx")


def _plain(value: Any) -> Any:
    """A table's value as YAML writes it back readably: times as "HH:MM", nested values alike."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _as_yaml(data: dict[str, Any]) -> str:
    import io

    from ruamel.yaml import YAML

    out = io.StringIO()
    writer = YAML()
    writer.width = 4096
    writer.dump(_plain(data), out)
    return out.getvalue()


@dataclass
class Candidate:
    """A client as the workshop's changes would make it: the client if valid, its errors, and the
    warnings the changes bring (a meeting moved outside working hours): advice, saved all the same."""

    client: Client | None
    problems: dict[str, list[Problem]] = field(default_factory=dict)  # edited field (or "general") -> its errors
    warnings: dict[str, list[Problem]] = field(default_factory=dict)  # edited field (or "general") -> new warnings


def _same(problem: Problem) -> tuple[Any, ...]:
    """What makes two warnings the same advice, whatever the counts and dates they quote."""
    if problem.code:
        return problem.code, problem.field, problem.params.get("variant"), problem.params.get("item")
    return None, problem.field, problem.message


def _one_per_kind(warnings: Iterable[Problem]) -> list[Problem]:
    """One warning of each kind and field: a meeting time outside working hours makes every item held
    at that time a warning, on either side (the status meeting, the kickoff, each milestone review);
    the room reads the one that happens most often, and the next once that one is fixed."""
    kept: dict[tuple[Any, ...], Problem] = {}
    for problem in warnings:
        kind = (problem.code, problem.field) if problem.code else (None, problem.field, problem.message)
        if kind not in kept or problem.params.get("occurrences", 0) > kept[kind].params.get("occurrences", 0):
            kept[kind] = problem
    return list(kept.values())


def field_of(problem: Problem) -> str:
    """Which edited field a problem belongs to, by its field path; "general" for any other."""
    path = problem.field or ""
    return next((f for f in EDITED_FIELDS if path == f or path.startswith((f + ".", f + "["))), "general")


class WorkshopSession:
    """One portfolio file open in the workshop."""

    def __init__(self, path: str | Path, templates: Templates | None = None):
        self.path = Path(path)
        self.templates = templates or Templates.get()
        # Why the last save of a spreadsheet portfolio went to the YAML beside it (None: saved in place).
        self.beside_because: CannotHold | None = None
        self.reload()

    @property
    def is_table(self) -> bool:
        return self.path.suffix.lower() in TABLE_SUFFIXES

    def reload(self) -> None:
        if self.is_table:  # a spreadsheet portfolio: its rows as the YAML file would hold them
            self.data = copy.deepcopy(read_portfolio(self.path).data)
        else:
            self.data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        self.validation: Validation = validate(self.path, self.templates)

    def beside(self) -> Path:
        """Where the changes to a spreadsheet portfolio go when its cells cannot hold them: a YAML
        file of the same name beside it."""
        return self.path.with_suffix(".yaml")

    @property
    def clients(self) -> list[Client]:
        return self.validation.portfolio.clients if self.validation.portfolio else []

    def client(self, client_id: str) -> Client:
        return next(c for c in self.clients if c.id == client_id)

    def candidate(self, client_id: str, changes: dict[str, Any]) -> Candidate:
        """The client with `changes` applied, validated exactly as `validate` and `build` will."""
        data = copy.deepcopy(self.data)
        apply_changes(data, client_id, changes)
        validation = validate_data(data, str(self.path), self.templates)
        problems: dict[str, list[Problem]] = {}
        for problem in validation.errors:
            if problem.client_id in (client_id, None):
                problems.setdefault(field_of(problem), []).append(problem)
        known = {_same(p) for p in self.validation.problems_of(client_id) if p.severity == "warning"}
        warnings: dict[str, list[Problem]] = {}
        for problem in _one_per_kind(p for p in validation.warnings if p.client_id == client_id and _same(p) not in known):
            warnings.setdefault(field_of(problem), []).append(problem)
        valid = {c.id: c for c in validation.portfolio.clients} if validation.portfolio else {}
        return Candidate(valid.get(client_id) if not problems else None, problems, warnings)

    def save(self, client_id: str, changes: dict[str, Any]) -> Candidate:
        """Write the changes to the file if the candidate is valid; the file is untouched otherwise."""
        candidate = self.candidate(client_id, changes)
        if candidate.client is None or not changes:
            return candidate
        self.beside_because = None
        if self.is_table:
            # The cells of the client's row change in place; when the table cannot hold the change,
            # the whole portfolio goes to a YAML file beside it (never over an existing one), which
            # the workshop edits from then on.
            try:
                update_table(self.path, client_id, changes)
            except CannotHold as exc:
                target = self.beside()
                if target.exists():
                    raise FileExistsError(target) from None
                data = copy.deepcopy(self.data)
                apply_changes(data, client_id, changes)
                atomic_write_text(target, _as_yaml(data))
                self.path, self.beside_because = target, exc
        else:
            update_client(self.path, client_id, changes)
        self.reload()
        return candidate

    def build(self, client_id: str, out: Path, report: Callable[[str], None]) -> BuildOutcome:
        outcome = build(self.path, Settings(out=out, templates_folder=self.templates.folder), clients=[client_id], jobs=2,
                        progress="quiet", report=report)
        if outcome.report_error:
            report(outcome.report_error)
        return outcome
