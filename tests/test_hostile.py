"""Hostile and broken portfolio files (tests/hostile/): each is refused with exit status 2 and one
line naming the file and the place, no traceback, in bounded memory and time; spreadsheets as
Polish and Russian Excel save them are read."""

from __future__ import annotations

import resource
import subprocess
import time
from pathlib import Path

import pytest

from conftest import PMWORKBOOK, ROOT

HOSTILE = Path(__file__).parent / "hostile"
MEMORY_LIMIT = 500 * 2**20


def validate_bounded(path: Path) -> subprocess.CompletedProcess:
    def limit_memory() -> None:  # the child may not grow past 500 MiB: a bomb would fail, not swap
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT * 4, MEMORY_LIMIT * 4))

    return subprocess.run([*PMWORKBOOK, "validate", str(path)], cwd=ROOT, capture_output=True, text=True, timeout=10,
                          preexec_fn=limit_memory)


def peak_memory_of_children() -> int:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


def deep_alias_chain(tmp_path: Path) -> Path:
    lines = ["x0: &x0 [1]"] + [f"x{n}: &x{n} [*x{n - 1}]" for n in range(1, 10_000)]
    path = tmp_path / "deep-alias-chain.yaml"
    path.write_text("\n".join(lines) + "\nclients: []\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "place"), [
    ("billion-laughs.yaml", "line 7: more aliases"),
    ("duplicate-key.yaml", "line 5: the key 'name' is given twice in one mapping (first on line 4)"),
    ("not-a-zip.xlsx", "not an .xlsx workbook"),
    ("zip-bomb.xlsx", "the workbook unpacks to 209,715,208 bytes"),
])
def test_a_hostile_file_is_refused_in_one_line_naming_the_place(name, place):
    result = validate_bounded(HOSTILE / name)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    problems = [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]
    assert len(problems) == 1 and problems[0].startswith(str(HOSTILE / name)) and place in problems[0], result.stderr
    assert peak_memory_of_children() < MEMORY_LIMIT


def test_ten_thousand_levels_of_aliases_are_refused_without_a_recursion_error(tmp_path):
    result = validate_bounded(deep_alias_chain(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr and "RecursionError" not in result.stderr
    assert "more aliases" in result.stderr


@pytest.mark.parametrize(("name", "names"), [
    ("polish-excel-cp1250-semicolons.csv", ["ACME Sp. z o.o.", "Piotr Zieliński", "Marta Wiśniewska"]),
    ("russian-excel-cp1251-semicolons.csv", ["ООО «Север Логистик»", "Ирина Смирнова", "Портал для грузоотправителей"]),
])
def test_a_table_saved_by_polish_or_russian_excel_is_read(name, names):
    from pmworkbook.core.templates import Templates
    from pmworkbook.plan.validation import validate

    validation = validate(HOSTILE / name, Templates.get())
    assert validation.ok, [str(p) for p in validation.errors]
    text = repr([c.model_dump() for c in validation.require().clients])
    assert all(n in text for n in names)


def test_control_characters_and_overlong_text_are_refused_naming_the_field(tmp_path, demo_raw):
    import copy

    from conftest import write_portfolio

    raw = copy.deepcopy(demo_raw)
    raw["clients"][0]["name"] = "ACME\x1b[31m"  # a terminal escape pasted from a log
    raw["clients"][1]["people"][0]["name"] = "王\u202e芳"  # a right-to-left override
    raw["clients"][2]["project"]["name"] = "x" * 500
    raw["clients"][3]["project"]["deliverables"][0] = "Discovery\x00report"
    result = validate_bounded(write_portfolio(tmp_path / "control.yaml", raw))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("  ") and "warning:" not in line]
    assert len(errors) == 4, result.stderr
    assert "client 'acme-shop': field 'name': has the control character U+001B at position 5" in errors[0]
    assert "field 'people[0].name': has the control character U+202E" in errors[1]
    assert "field 'project.name': has 500 characters, more than 300" in errors[2]
    assert "field 'project.deliverables': has the control character U+0000" in errors[3]


@pytest.mark.parametrize(("name", "place"), [
    ("merged-cells.xlsx", "cells A2:A3 are merged"),
    ("formula-without-saved-result.xlsx", "cell Q2 holds the formula =2+2 without a saved result"),
])
def test_a_workbook_with_merged_cells_or_unsaved_formulas_is_refused_naming_the_cells(name, place):
    result = validate_bounded(HOSTILE / name)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert place in result.stderr


def test_a_date_cell_that_lost_its_format_is_read_as_the_date_it_shows_in_excel(tmp_path):
    import datetime as dt

    import openpyxl

    from pmworkbook.core.templates import Templates
    from pmworkbook.plan.validation import validate

    workbook = openpyxl.load_workbook(ROOT / "examples" / "demo-clients.xlsx")
    sheet = workbook.worksheets[0]
    start = [cell.value for cell in sheet[1]].index("start") + 1
    sheet.cell(row=2, column=start).value = 46398  # Excel's serial number of 2027-01-11
    sheet.cell(row=2, column=start).number_format = "General"
    workbook.save(tmp_path / "serial.xlsx")
    client = validate(tmp_path / "serial.xlsx", Templates.get()).require().clients[0]
    assert client.project.start == dt.date(2027, 1, 11)


def test_collect_rejects_crafted_response_files_by_name_and_counts_the_others(tmp_path):
    import json
    import shutil

    from pmworkbook.core.templates import Templates
    from pmworkbook.plan.responses import collect
    from pmworkbook.plan.validation import validate

    templates = Templates.get()
    client = validate(ROOT / "examples" / "demo-portfolio.yaml", templates).require().client("acme-shop")
    folder = tmp_path / "returned"
    shutil.copytree(HOSTILE / "responses", folder)
    good = {"client_id": "acme-shop", "preset": client.evaluation.preset, "rater_group": "team",
            "form_version": templates.structure("criteria")["form_version"],
            "answers": {"on_time_delivery": {"score": 4, "comment": "Solid."}}}
    (folder / "good.json").write_text(json.dumps(good), encoding="utf-8")
    started = time.monotonic()
    collected = collect(folder, client, templates)
    assert time.monotonic() - started < 10 and peak_memory_of_children() < MEMORY_LIMIT
    reasons = {r.file: r.reason for r in collected.rejected}
    assert set(reasons) == {"wrong-shape.json", "answer-not-a-mapping.json", "not-json.json", "huge-shared-strings.xlsx"}
    assert "'answers' is not a mapping" in reasons["wrong-shape.json"] + reasons["answer-not-a-mapping.json"]
    assert "unpacks to" in reasons["huge-shared-strings.xlsx"]
    assert [r.file for r in collected.responses] == ["good.json"], reasons
