"""docs/portfolio.md, the portfolio format: generated from the model, current, complete, and
true of the table reader."""

from __future__ import annotations

import copy
import csv
import re
import subprocess
import sys
from pathlib import Path
from typing import Literal, get_args, get_origin

import pytest
import yaml

from pmworkbook.core.problems import FORMAT_DOC
from pmworkbook.core.templates import DEMO_PORTFOLIO, Templates
from pmworkbook.plan.validation import validate, validate_data
from pmworkbook.portfolio import reference
from pmworkbook.portfolio.model import Client
from pmworkbook.portfolio.tables import field_type

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / FORMAT_DOC
CHECK = [sys.executable, "-m", "pmworkbook.portfolio.reference", "--check"]


def _section(text: str, heading: str) -> str:
    """From `heading` to the next heading of the same or a higher level."""
    level = heading.split(" ")[0]
    start = text.index(f"\n{heading}\n")
    following = re.search(rf"\n#{{1,{len(level)}}} ", text[start + 1:])
    return text[start:start + 1 + following.start()] if following else text[start:]


def _rows(section: str) -> list[list[str]]:
    """The body rows of the Markdown tables in `section`, cells stripped."""
    rows = []
    for line in section.splitlines():
        if line.startswith("| `"):
            rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


def _slug(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_docs_are_what_the_command_generates_and_check_catches_a_stale_copy(tmp_path):
    # The exact command CI runs.
    result = subprocess.run(CHECK, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr

    stale = tmp_path / "portfolio.md"
    stale.write_text(DOC.read_text(encoding="utf-8").replace("| `meeting_day` |", "| `meeting_weekday` |", 1), encoding="utf-8")
    result = subprocess.run([*CHECK, "--file", stale], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and str(stale) in result.stderr and "out of date" in result.stderr


def test_the_docs_follow_the_model(monkeypatch, tmp_path):
    copy_of_docs = tmp_path / "portfolio.md"
    copy_of_docs.write_text(DOC.read_text(encoding="utf-8"), encoding="utf-8")
    assert reference.main(["--check", "--file", str(copy_of_docs)]) == 0
    monkeypatch.setattr(Client.model_fields["timezone"], "description", "Where the client's clocks are.")
    assert reference.main(["--check", "--file", str(copy_of_docs)]) == 1
    assert reference.main(["--file", str(copy_of_docs)]) == 0
    assert "| `timezone` | text | required | `timezone` | Where the client's clocks are. |" in copy_of_docs.read_text(encoding="utf-8")


def test_every_model_field_is_documented_with_its_allowed_values():
    text = DOC.read_text(encoding="utf-8")
    top = {row[0] for row in _rows(_section(text, "## The YAML file"))}
    assert top == {"`portfolio`", "`defaults`", "`clients`"}
    for model in reference.MODELS:
        section = _section(text, f"### {model.__name__}")
        rows = {row[0].strip("`"): row for row in _rows(section)}
        assert list(rows) == list(model.model_fields), model.__name__
        for name, field in model.model_fields.items():
            assert field.description and field.description in rows[name][-1], f"{model.__name__}.{name}"
            annotation = field_type(field)
            choices = get_args(annotation) if get_origin(annotation) is Literal else ()
            for choice in choices:
                assert f"`{choice}`" in rows[name][1], f"{model.__name__}.{name}: {choice}"


def test_every_documented_column_is_read_by_the_table_reader(tmp_path):
    rows = _rows(_section(DOC.read_text(encoding="utf-8"), "## Table columns"))
    columns = {row[0].strip("`"): row[4].strip("`") for row in rows}
    # Every column the demo table uses is documented (its people as person{n}_...).
    with (DEMO_PORTFOLIO.parent / "demo-clients.csv").open(encoding="utf-8") as handle:
        demo_header = next(csv.reader(handle))
    assert {re.sub(r"^person\d+_", "person{n}_", h) for h in demo_header} <= set(columns)

    # One client with every documented column, two people, each cell its documented example.
    header = [c for c in columns if "{n}" not in c] + [c.replace("{n}", str(n)) for n in (1, 2) for c in columns if "{n}" in c]
    values = [columns[re.sub(r"^person\d+_", "person{n}_", h)] for h in header]
    table = tmp_path / "every-column.csv"
    with table.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, values])
    validation = validate(table, Templates.get())
    assert validation.errors == [], "\n".join(map(str, validation.errors))
    (client,) = validation.portfolio.clients
    assert len(client.people) == 2 and client.project.budget is not None and client.agency is not None
    assert client.communication.move_rule == columns["move_rule"]


def test_an_unknown_column_points_to_the_table_columns_of_the_docs(tmp_path):
    source = (DEMO_PORTFOLIO.parent / "demo-clients.csv").read_text(encoding="utf-8").splitlines()
    table = tmp_path / "clients.csv"
    table.write_text("\n".join([source[0] + ",colour", *(line + ",blue" for line in source[1:])]) + "\n", encoding="utf-8")
    validation = validate(table, Templates.get())
    (problem,) = [p for p in validation.errors if p.field == "colour"]
    assert "unknown column 'colour'" in str(problem)
    link = re.search(rf"{re.escape(FORMAT_DOC)}(#[\w-]+)?", str(problem))
    assert link, str(problem)
    headings = {_slug(line.lstrip("#")) for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("#")}
    assert link[1] is None or link[1][1:] in headings


@pytest.mark.parametrize("where", list(reference.CATALOG_FIELDS), ids=lambda key: f"{key[0].__name__}.{key[1]}")
def test_the_fields_documented_as_catalog_ids_are_checked_against_the_catalog(where):
    model, name = where
    raw = yaml.safe_load(DEMO_PORTFOLIO.read_text(encoding="utf-8"))
    data = {"defaults": raw["defaults"], "clients": [copy.deepcopy(raw["clients"][0])]}
    client = data["clients"][0]
    target = {"Client": lambda: client, "Person": lambda: client["people"][0],
              "Communication": lambda: client.setdefault("communication", {}),
              "Evaluation": lambda: client.setdefault("evaluation", {})}[model.__name__]()
    assert validate_data(copy.deepcopy(data), "demo", Templates.get()).errors == []
    target[name] = ["no_such_id"] if isinstance(target.get(name), list) else "no_such_id"
    errors = validate_data(data, "demo", Templates.get()).errors
    assert errors and all("'no_such_id'" in p.message for p in errors), "\n".join(map(str, errors))
