"""Reading a portfolio file (YAML, or a CSV/XLSX table with one row per client) and checking each
client against the model. Every problem is collected, none raised one at a time; which clients
are refused and whether the file as a whole is usable is decided in `pmworkbook.plan.validation`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pmworkbook.core.problems import FORMAT_DOC, PortfolioError, Problem
from pmworkbook.portfolio.model import Client

SUFFIXES = (".yaml", ".yml", ".csv", ".xlsx")


@dataclass
class RawPortfolio:
    """A portfolio file as read, before the model checks it."""

    source: str
    data: dict[str, Any]
    labels: list[str] | None = None  # where each client entry came from (a table's rows); None: clients[i]
    problems: list[Problem] = field(default_factory=list)  # found while reading (a table's columns and cells)


@dataclass
class ClientEntry:
    """One entry of `clients`: the client if the model accepts it, and its problems."""

    label: str  # how the user finds it: client 'acme-shop', row 3 (client 'acme-shop')
    origin: str  # where it stands in the file: clients[2], row 3
    client_id: str | None
    client: Client | None
    problems: list[Problem]


def read_portfolio(path: str | Path) -> RawPortfolio:
    """Read the file; PortfolioError when it cannot be read at all (missing, not YAML, ...)."""
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise PortfolioError([Problem(name, "file not found", fix="give the path of a .yaml, .csv or .xlsx portfolio")])
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return RawPortfolio(name, _read_yaml(path))
    if suffix in (".csv", ".xlsx"):
        from pmworkbook.portfolio import tables

        data, labels, problems = tables.read_table(path)
        return RawPortfolio(name, data, labels, problems)
    raise PortfolioError([Problem(name, f"unsupported file type {suffix!r}", fix="use .yaml, .csv or .xlsx")])


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


def field_path(loc: tuple[Any, ...]) -> str:
    """pydantic's error location as the user writes it: project.milestones[1].date."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _problems_of(error: ValidationError, source: str, label: str, client_id: str | None) -> list[Problem]:
    problems = []
    for item in error.errors():
        message = item["msg"].removeprefix("Value error, ")
        fix = None
        if item["type"] == "extra_forbidden":
            message, fix = "unknown field", f"check its spelling against the portfolio format ({FORMAT_DOC})"
        elif item["type"] == "missing":
            message, fix = "missing", f"this field is required ({FORMAT_DOC})"
        problems.append(Problem(source, message, client=label, field=field_path(item["loc"]) or None, fix=fix,
                                client_id=client_id))
    return problems


def parse_clients(raw: RawPortfolio) -> tuple[list[ClientEntry], list[Problem]]:
    """Each client entry checked against the model (defaults merged in); and the problems of the
    file as a whole (its top-level keys, its defaults, a table's columns)."""
    source, data = raw.source, raw.data
    general = [p for p in raw.problems if p.client is None]
    row_problems = [p for p in raw.problems if p.client is not None]
    for key in sorted(set(data) - {"portfolio", "defaults", "clients"}):
        general.append(Problem(source, f"unknown top-level key {key!r}", field=key, fix="use portfolio, defaults and clients"))
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        general.append(Problem(source, "defaults must be a mapping of client fields", field="defaults",
                               fix=f"see the portfolio format ({FORMAT_DOC})"))
        defaults = {}
    items = data.get("clients")
    if not isinstance(items, list) or not (items or row_problems):
        general.append(Problem(source, "no clients", field="clients", fix="list at least one client under 'clients:'"))
        items = []

    entries: list[ClientEntry] = []
    for problem in row_problems:  # a table row that could not even be read into a client
        entries.append(ClientEntry(problem.client or "", problem.client or "", problem.client_id, None, [problem]))
    for index, item in enumerate(items):
        origin = label = raw.labels[index] if raw.labels else f"clients[{index}]"
        if not isinstance(item, dict):
            entries.append(ClientEntry(label, origin, None, None, [Problem(source, "each client must be a mapping of fields", client=label)]))
            continue
        client_id = item.get("id") if isinstance(item.get("id"), str) else None
        if client_id:
            label = f"{label} (client '{client_id}')" if raw.labels else f"client '{client_id}'"
        try:
            client = Client.model_validate(_deep_merge(defaults, item))
        except ValidationError as exc:
            entries.append(ClientEntry(label, origin, client_id, None, _problems_of(exc, source, label, client_id)))
            continue
        entries.append(ClientEntry(label, origin, client_id, client, []))

    # Duplicate ids, whatever else is wrong with those clients: which one was meant is unknown,
    # so every entry with that id is refused.
    by_id: dict[str, list[ClientEntry]] = {}
    for entry in entries:
        if entry.client_id:
            by_id.setdefault(entry.client_id, []).append(entry)
    for client_id, same in by_id.items():
        if len(same) > 1:
            for entry in same:
                others = ", ".join(e.origin for e in same if e is not entry)
                entry.problems.append(Problem(source, f"duplicate client id {client_id!r} (also {others})", client=entry.label,
                                              field="id", fix="give every client its own id", client_id=client_id))
    return entries, general
