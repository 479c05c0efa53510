"""Reading a portfolio file (YAML, or a CSV/XLSX table with one row per client) and checking each
client against the model. Every problem is collected, none raised one at a time; which clients
are refused and whether the file as a whole is usable is decided in `pmworkbook.plan.validation`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pmworkbook.core.problems import FORMAT_DOC, InvalidValue, PortfolioError, Problem
from pmworkbook.portfolio.model import Client

SUFFIXES = (".yaml", ".yml", ".csv", ".xlsx")
# Bounds on a portfolio file from outside: a real one of a thousand clients is well inside them.
MAX_FILE_BYTES = 20 * 2**20
MAX_YAML_NODES = 2_000_000  # after aliases are expanded: a "billion laughs" file is refused, not built
MAX_YAML_DEPTH = 40
MAX_YAML_ALIASES = 1_000


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML's safe loader, refusing a key given twice in one mapping (YAML keeps the last one
    silently, so a client's second `communication:` would erase the first without a word)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    raise _DuplicateKey(key_node.value, key_node.start_mark.line + 1, seen[key_node.value])
                seen[key_node.value] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int, first: int):
        super().__init__(key, line, first)
        self.key, self.line, self.first = key, line, first


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


def _check_shape(name: str, text: str) -> None:
    """Refuse, from the parser's events alone, a document that would take unbounded memory or
    recursion to build: too many aliases, too many nodes once aliases are expanded (each alias
    counts the whole subtree it stands for), or nesting too deep."""
    sizes: dict[str, int] = {}  # anchor -> nodes its subtree expands to
    stack: list[list[Any]] = [[None, 0]]  # [anchor, nodes so far] per open collection
    aliases = 0
    for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            stack[-1][1] += sizes.get(event.anchor or "", 1)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            stack.append([event.anchor, 1])
            if len(stack) > MAX_YAML_DEPTH:
                raise _Unbounded(f"nested deeper than {MAX_YAML_DEPTH} levels", _line(event))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            anchor, count = stack.pop()
            if anchor:
                sizes[anchor] = count
            stack[-1][1] += count
        elif isinstance(event, yaml.ScalarEvent):
            stack[-1][1] += 1
            if event.anchor:
                sizes[event.anchor] = 1
        else:
            continue
        if aliases > MAX_YAML_ALIASES or stack[-1][1] > MAX_YAML_NODES or sum(c for _, c in stack) > MAX_YAML_NODES:
            raise _Unbounded("more aliases (*name) or expanded nodes than a portfolio needs "
                             f"(at most {MAX_YAML_ALIASES} aliases and {MAX_YAML_NODES:,} nodes)", _line(event))


def _line(event: yaml.Event) -> int:
    mark = getattr(event, "start_mark", None)
    return mark.line + 1 if mark is not None else 0


class _Unbounded(Exception):
    def __init__(self, what: str, line: int):
        super().__init__(what, line)
        self.what, self.line = what, line


def _read_yaml(path: Path) -> dict[str, Any]:
    name = str(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise PortfolioError([Problem(name, f"the file has {path.stat().st_size:,} bytes, more than a portfolio may have "
                                            f"({MAX_FILE_BYTES:,})", fix="split it into several portfolios")])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PortfolioError([Problem(name, f"not UTF-8 text ({exc.reason} at byte {exc.start})", fix="save the file as UTF-8")]) from None
    try:
        _check_shape(name, text)
        raw = yaml.load(text, Loader=_Loader)
    except _Unbounded as exc:
        raise PortfolioError([Problem(name, f"line {exc.line}: {exc.what}", fix="write the values out instead of "
                                            "referring to them with aliases, and keep the nesting of the portfolio format")]) from None
    except _DuplicateKey as exc:
        raise PortfolioError([Problem(name, f"line {exc.line}: the key {exc.key!r} is given twice in one mapping "
                                            f"(first on line {exc.first})", fix="keep one of them")]) from None
    except RecursionError:
        raise PortfolioError([Problem(name, "nested too deeply to read", fix="keep the nesting of the portfolio format")]) from None
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
        code, params = _code_of(item)
        problems.append(Problem(source, message, client=label, field=field_path(item["loc"]) or None, fix=fix,
                                client_id=client_id, code=code, params=params))
    return problems


def _code_of(item: Any) -> tuple[str | None, dict[str, Any]]:
    """The catalog code and params of one pydantic error: a model validator's own (InvalidValue), or
    pydantic's error type with its context (the limit, the length, the values allowed)."""
    context = dict(item.get("ctx") or {})
    error = context.get("error")
    if isinstance(error, InvalidValue):
        return error.code, dict(error.params)
    if item["type"] in ("value_error", "assertion_error"):
        return None, {}  # a message of its own, in English only
    params: dict[str, Any] = {key: value for key, value in context.items()
                              if key != "error" and isinstance(value, (str, int, float, Decimal))}
    if "expected" in params:  # literal_error: "'MO', 'TU' or 'WE'" as a list of the values
        params["expected"] = re.findall(r"'([^']*)'", str(params["expected"])) or [params["expected"]]
    for limit in ("min_length", "max_length"):
        if limit in params:
            params["count"] = params[limit]
    if isinstance(item.get("input"), (str, int, float)) and not isinstance(item.get("input"), bool):
        params["value"] = item["input"]
    if item["type"] == "string_too_short" and params.get("min_length") == 1:
        return "string_empty", params  # a sentence of its own: not "at least 1 character"
    return item["type"], params


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
