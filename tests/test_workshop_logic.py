"""The workshop's logic without widgets or a browser: a client's changes are validated as
`validate` would, each problem is shown by its field path, and only a valid change is saved."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import DEMO
from pmworkbook.apps.workshop import EDITED_FIELDS, WorkshopSession, field_of
from pmworkbook.core.problems import Problem
from pmworkbook.core.templates import Templates
from pmworkbook.plan.validation import validate


@pytest.fixture
def session(tmp_path) -> WorkshopSession:
    path = tmp_path / "portfolio.yaml"
    shutil.copy(DEMO, path)
    return WorkshopSession(path, Templates.get())


def test_a_valid_change_gives_the_changed_client_and_no_problems(session):
    assert session.client("acme-shop").communication.meeting_day == "TU"
    candidate = session.candidate("acme-shop", {"communication.meeting_day": "WE"})
    assert candidate.problems == {}
    assert candidate.client is not None and candidate.client.id == "acme-shop"
    assert candidate.client.communication.meeting_day == "WE"
    # the rest of the client is as it was, and the session's own data is not changed by a candidate
    assert candidate.client.model_copy(update={"communication": session.client("acme-shop").communication}) == session.client("acme-shop")
    assert session.client("acme-shop").communication.meeting_day == "TU"


def test_an_invalid_meeting_time_is_a_problem_of_that_field(session):
    candidate = session.candidate("sever-logistics", {"communication.meeting_time": "25:00"})
    assert candidate.client is None
    assert list(candidate.problems) == ["communication.meeting_time"]
    (problem,) = candidate.problems["communication.meeting_time"]
    assert problem.field == "communication.meeting_time" and problem.client_id == "sever-logistics"
    assert "not a time of day" in problem.message


def test_a_milestone_outside_the_project_is_a_problem_of_the_milestones(session):
    milestones = [m.model_dump() for m in session.client("harbor-health").project.milestones]
    milestones[1]["date"] = dt.date(2030, 1, 1)
    candidate = session.candidate("harbor-health", {"project.milestones": milestones})
    assert candidate.client is None
    assert list(candidate.problems) == ["project.milestones"]
    (problem,) = candidate.problems["project.milestones"]
    assert problem.field == "project.milestones[1].date" and "outside the project" in problem.message


def test_an_invalid_change_is_not_saved(session):
    before = session.path.read_bytes()
    candidate = session.save("acme-shop", {"communication.meeting_time": "7 pm", "communication.meeting_day": "WE"})
    assert candidate.client is None and "communication.meeting_time" in candidate.problems
    assert session.path.read_bytes() == before
    assert session.client("acme-shop").communication.meeting_day == "TU"


# The demo's own layout (a sequence's dashes indented under their key) and PyYAML's (the dashes
# right under the key): a save keeps whichever the file has.
LAYOUTS = {
    "demo": lambda text: text,
    "pyyaml": lambda text: yaml.safe_dump(yaml.safe_load(text), allow_unicode=True, sort_keys=False),
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_valid_change_is_saved_as_one_changed_line(session, layout):
    session.path.write_text(LAYOUTS[layout](session.path.read_text(encoding="utf-8")), encoding="utf-8")
    session.reload()
    before = session.path.read_text(encoding="utf-8")
    candidate = session.save("acme-shop", {"communication.meeting_day": "WE"})
    assert candidate.client is not None
    after = session.path.read_text(encoding="utf-8")
    changed = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert len(changed) == 2, "\n".join(changed[:20])
    removed, added = changed
    assert removed.startswith("-") and removed[1:].strip() == "meeting_day: TU"
    assert added == "+" + removed[1:].replace("TU", "WE")  # the same line, same indentation, new value
    # validate, reading the file afresh, sees the new value; so does the session
    validation = validate(session.path, Templates.get())
    assert validation.ok and validation.require().client("acme-shop").communication.meeting_day == "WE"
    assert session.client("acme-shop").communication.meeting_day == "WE"


def test_problems_are_routed_by_field_path_only():
    def routed(field: str | None, message: str = "wrong") -> str:
        return field_of(Problem("p.yaml", message, client="client 'x'", field=field, client_id="x"))

    for edited in EDITED_FIELDS:
        assert routed(edited) == edited
    assert routed("communication.days_off[2]") == "communication.days_off"
    assert routed("project.milestones[0].date") == "project.milestones"
    # a field that only starts with the same letters is another field
    assert routed("communication.meeting_timezone") == "general"
    assert routed("project.milestones_extra") == "general"
    # the message's wording never routes a problem
    assert routed(None, "communication.meeting_time: not a time of day") == "general"
    assert routed("raci.Koncepcja", "project.milestones overlap the communication.days_off") == "general"
    assert routed("project.milestones[0].date", "the communication.meeting_time is wrong") == "project.milestones"


def test_a_problem_outside_the_edited_fields_goes_under_general(session):
    candidate = session.candidate("acme-shop", {"raci": {"Koncepcja": {"client_pm": "R", "project_manager": "R"}}})
    assert candidate.client is None
    assert list(candidate.problems) == ["general"]
    assert [p.field for p in candidate.problems["general"]] == ["raci.Koncepcja"]


def test_another_clients_problems_stay_with_that_client(session):
    raw = yaml.safe_load(session.path.read_text(encoding="utf-8"))
    raw["clients"][1]["communication"]["meeting_time"] = "25:00"  # huaxin-retail
    session.path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    session.reload()
    assert "huaxin-retail" in session.validation.refused
    candidate = session.candidate("acme-shop", {"communication.meeting_day": "FR"})
    assert candidate.problems == {} and candidate.client is not None
    assert session.candidate("huaxin-retail", {"communication.meeting_day": "FR"}).problems.keys() == {"communication.meeting_time"}


def _changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def _same_but(edited, original, client_id: str, **fields) -> None:
    """`edited` is `original` with the communication fields of one client changed, nothing else."""
    assert [c for c in edited.clients if c.id != client_id] == [c for c in original.clients if c.id != client_id]
    changed = original.client(client_id).communication.model_copy(update=fields)
    assert edited.client(client_id) == original.client(client_id).model_copy(update={"communication": changed})


def test_a_csv_portfolio_is_edited_in_place_as_one_changed_line(tmp_path):
    path = tmp_path / "demo-clients.csv"
    shutil.copy(DEMO.parent / "demo-clients.csv", path)
    path.chmod(0o640)
    before = path.read_text(encoding="utf-8")
    original = validate(path, Templates.get()).require()
    session = WorkshopSession(path, Templates.get())
    session.save("acme-shop", {"communication.meeting_day": "TH"})
    assert session.path == path and session.beside_because is None and not (tmp_path / "demo-clients.yaml").exists()
    after = path.read_text(encoding="utf-8")
    removed, added = _changed_lines(before, after)
    assert removed.startswith("-acme-shop,") and added == "+" + removed[1:].replace(",TU,10:00,", ",TH,10:00,")
    assert after.count("\n") == before.count("\n") and (path.stat().st_mode & 0o777) == 0o640
    _same_but(validate(path, Templates.get()).require(), original, "acme-shop", meeting_day="TH")
    assert session.client("acme-shop").communication.meeting_day == "TH"


def _cp1250_table(path: Path) -> Path:
    """The demo's Polish and English clients as Excel saves "CSV" in Polish Windows: Windows-1250,
    ';' between fields, CRLF, a field holding ';' quoted."""
    rows = list(csv.reader(io.StringIO((DEMO.parent / "demo-clients.csv").read_text(encoding="utf-8"), newline="")))
    rows = [rows[0]] + [row for row in rows[1:] if row[0] in ("acme-shop", "harbor-health")]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("cp1250"))
    return path


def test_a_windows_1250_csv_keeps_its_encoding_separator_quoting_and_line_ends(tmp_path):
    path = _cp1250_table(tmp_path / "klienci.csv")
    before = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        before.decode("utf-8")  # really Windows-1250: "Zieliński" is not UTF-8 there
    session = WorkshopSession(path, Templates.get())
    assert session.client("acme-shop").people[1].name == "Piotr Zieliński"
    session.save("acme-shop", {"communication.meeting_day": "FR"})
    assert session.path == path and session.beside_because is None
    after = path.read_bytes()
    removed, added = _changed_lines(before.decode("cp1250"), after.decode("cp1250"))
    assert added == "+" + removed[1:].replace(";TU;10:00;", ";FR;10:00;")
    assert '"Koncepcja; Prototyp; Sklep produkcyjny"' in added  # the quoted fields stay quoted
    assert after.count(b"\r\n") == before.count(b"\r\n") and after.replace(b"\r\n", b"").count(b"\n") == 0
    assert validate(path, Templates.get()).require().client("acme-shop").communication.meeting_day == "FR"


def _rich_workbook(path: Path) -> Path:
    """The demo's workbook as a consultant keeps it: a styled header, column widths, a drop-down
    of weekdays, frozen panes, number formats, and other sheets with their own styles and notes."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = openpyxl.load_workbook(DEMO.parent / "demo-clients.xlsx")
    sheet = workbook.worksheets[0]
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E79")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate([14, 24, 9, 8, 16, 28], start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    sheet.row_dimensions[1].height = 30
    weekdays = DataValidation(type="list", formula1='"MO,TU,WE,TH,FR"', allow_blank=True)
    sheet.add_data_validation(weekdays)
    weekdays.add("N2:N200")
    sheet.freeze_panes = "B2"
    sheet["I3"].number_format = "#,##0"
    sheet["N2"].fill = PatternFill("solid", fgColor="FFF2CC")  # the edited cell keeps its own style
    sheet["N2"].border = Border(bottom=Side(style="thin"))
    notes = workbook.create_sheet("Notes")
    notes["A1"], notes["B2"], notes["C3"] = "Workshop notes", 42, dt.date(2027, 1, 11)
    notes["A1"].font = Font(italic=True, size=14)
    notes["A1"].comment = Comment("Kept as it is", "PM")
    notes.merge_cells("A5:C5")
    notes.column_dimensions["A"].width = 40
    lists = workbook.create_sheet("Lists")
    lists.append(["standard", "light", "intensive"])
    lists.sheet_state = "hidden"
    workbook.save(path)
    return path


def _cells(sheet) -> dict[str, tuple]:
    return {cell.coordinate: (cell.value, *map(repr, (cell.font, cell.fill, cell.border, cell.alignment, cell.protection)),
                              cell.number_format, cell.comment.text if cell.comment else None)
            for row in sheet.iter_rows() for cell in row}


def _layout(sheet) -> tuple:
    return ({k: (d.width, d.hidden) for k, d in sheet.column_dimensions.items()},
            {k: d.height for k, d in sheet.row_dimensions.items()},
            [(v.type, v.formula1, str(v.sqref)) for v in sheet.data_validations.dataValidation],
            sheet.freeze_panes, sorted(str(r) for r in sheet.merged_cells.ranges), sheet.sheet_state)


def test_an_xlsx_portfolio_is_edited_in_place_keeping_every_other_cell_sheet_style_and_width(tmp_path):
    import openpyxl

    path = _rich_workbook(tmp_path / "demo-clients.xlsx")
    path.chmod(0o640)
    before = openpyxl.load_workbook(path)
    original = validate(path, Templates.get()).require()
    session = WorkshopSession(path, Templates.get())
    session.save("acme-shop", {"communication.meeting_day": "TH"})
    assert session.path == path and session.beside_because is None and not (tmp_path / "demo-clients.yaml").exists()
    assert (path.stat().st_mode & 0o777) == 0o640
    after = openpyxl.load_workbook(path)
    assert after.sheetnames == before.sheetnames == ["clients", "Notes", "Lists"]
    for old, new in zip(before.worksheets, after.worksheets, strict=True):
        cells_before, cells_after = _cells(old), _cells(new)
        if old.title == "clients":
            assert old["N2"].value == "TU" and new["N2"].value == "TH"
            assert cells_after.pop("N2")[1:] == cells_before.pop("N2")[1:]  # its style kept
        assert cells_after == cells_before, old.title
        assert _layout(new) == _layout(old), old.title
    _same_but(validate(path, Templates.get()).require(), original, "acme-shop", meeting_day="TH")


@pytest.mark.parametrize("table", ["demo-clients.csv", "demo-clients.xlsx"])
def test_every_edited_field_is_written_in_place_and_reads_back(tmp_path, table):
    path = tmp_path / table
    shutil.copy(DEMO.parent / table, path)
    session = WorkshopSession(path, Templates.get())
    milestones = [{"name": "Koncepcja", "date": dt.date(2027, 2, 19)}, {"name": "Uruchomienie=v1", "date": dt.date(2027, 6, 14)}]
    changes = {"communication.preset": "light", "communication.meeting_time": "09:30",
               "communication.days_off": [dt.date(2027, 5, 4), dt.date(2027, 5, 31)], "project.milestones": milestones}
    session.save("acme-shop", changes)
    assert session.path == path and session.beside_because is None
    client = validate(path, Templates.get()).require().client("acme-shop")
    assert (client.communication.preset, client.communication.meeting_time) == ("light", dt.time(9, 30))
    assert client.communication.days_off == [dt.date(2027, 5, 4), dt.date(2027, 5, 31)]
    assert [(m.name, m.date) for m in client.project.milestones] == [(m["name"], m["date"]) for m in milestones]


@pytest.mark.parametrize("table", ["demo-clients.csv", "demo-clients.xlsx"])
def test_a_field_without_a_column_gets_one(tmp_path, table):
    """A table without a days_off column: the column is added after the last, the other rows as they were."""
    import openpyxl

    path = tmp_path / table
    if table.endswith(".csv"):
        rows = list(csv.reader(io.StringIO((DEMO.parent / table).read_text(encoding="utf-8"), newline="")))
        drop = rows[0].index("days_off")
        buffer = io.StringIO(newline="")
        csv.writer(buffer, lineterminator="\n").writerows([row[:drop] + row[drop + 1:] for row in rows])
        path.write_text(buffer.getvalue(), encoding="utf-8")
    else:
        workbook = openpyxl.load_workbook(DEMO.parent / table)
        sheet = workbook.worksheets[0]
        sheet.delete_cols([c.value for c in sheet[1]].index("days_off") + 1)
        workbook.save(path)
    before = path.read_bytes()
    session = WorkshopSession(path, Templates.get())
    assert session.client("harbor-health").communication.days_off == []
    session.save("harbor-health", {"communication.days_off": [dt.date(2027, 3, 19)]})
    assert session.path == path and session.beside_because is None
    if table.endswith(".csv"):
        changed = _changed_lines(before.decode(), path.read_text(encoding="utf-8"))
        assert len(changed) == 4 and changed[1].endswith(",days_off") and changed[3].endswith(",2027-03-19")
    portfolio = validate(path, Templates.get()).require()
    assert portfolio.client("harbor-health").communication.days_off == [dt.date(2027, 3, 19)]
    assert portfolio.client("acme-shop").communication.days_off == []


def test_what_a_table_cannot_hold_goes_to_a_yaml_beside_it_saying_why(tmp_path):
    path = tmp_path / "demo-clients.csv"
    shutil.copy(DEMO.parent / "demo-clients.csv", path)
    before = path.read_bytes()
    session = WorkshopSession(path, Templates.get())
    milestones = [{"name": "Koncepcja; etap 1", "date": dt.date(2027, 2, 15)}]
    session.save("acme-shop", {"project.milestones": milestones})
    beside = tmp_path / "demo-clients.yaml"
    assert session.path == beside and path.read_bytes() == before  # the spreadsheet is left as it was
    assert session.beside_because.reason == "separator" and session.beside_because.values == {"value": "Koncepcja; etap 1"}
    edited = validate(beside, Templates.get()).require()
    original = validate(path, Templates.get()).require()
    assert [m.name for m in edited.client("acme-shop").project.milestones] == ["Koncepcja; etap 1"]
    assert [c for c in edited.clients if c.id != "acme-shop"] == [c for c in original.clients if c.id != "acme-shop"]
    # a second session on the spreadsheet does not overwrite the YAML the first one wrote
    with pytest.raises(FileExistsError):
        WorkshopSession(path, Templates.get()).save("acme-shop", {"project.milestones": milestones})
    # a change the table can hold is still written to it, beside the YAML
    other = WorkshopSession(path, Templates.get())
    other.save("acme-shop", {"communication.meeting_day": "WE"})
    assert other.path == path and validate(path, Templates.get()).require().client("acme-shop").communication.meeting_day == "WE"


def test_a_character_the_encoding_lacks_or_a_formula_is_refused_with_its_reason(tmp_path):
    import openpyxl

    path = _cp1250_table(tmp_path / "klienci.csv")
    before = path.read_bytes()
    session = WorkshopSession(path, Templates.get())
    session.save("acme-shop", {"project.milestones": [{"name": "Koncepcja 概念", "date": dt.date(2027, 2, 15)}]})
    assert path.read_bytes() == before and session.path == tmp_path / "klienci.yaml"
    assert (session.beside_because.reason, session.beside_because.values) == ("encoding", {"encoding": "Windows-1250", "char": "概"})

    session = WorkshopSession(shutil.copy(DEMO.parent / "demo-clients.csv", tmp_path / "formula.csv"), Templates.get())
    session.save("acme-shop", {"project.milestones": [{"name": "=HYPERLINK(1)", "date": dt.date(2027, 2, 15)}]})
    assert session.beside_because.reason == "formula_text"

    workbook = openpyxl.load_workbook(DEMO.parent / "demo-clients.xlsx")
    workbook.create_sheet("Budget")["A1"] = "=1+1"
    workbook.save(tmp_path / "formulas.xlsx")
    before = (tmp_path / "formulas.xlsx").read_bytes()
    session = WorkshopSession(tmp_path / "formulas.xlsx", Templates.get())
    session.save("acme-shop", {"communication.meeting_day": "TH"})
    assert session.beside_because.reason == "formulas" and (tmp_path / "formulas.xlsx").read_bytes() == before
    assert validate(tmp_path / "formulas.yaml", Templates.get()).require().client("acme-shop").communication.meeting_day == "TH"
