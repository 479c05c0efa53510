"""The workshop's logic without widgets or a browser: a client's changes are validated as
`validate` would, each problem is shown by its field path, and only a valid change is saved."""

from __future__ import annotations

import datetime as dt
import difflib
import shutil

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


@pytest.mark.parametrize("table", ["demo-clients.csv", "demo-clients.xlsx"])
def test_a_spreadsheet_portfolio_is_edited_into_a_yaml_beside_it(tmp_path, table):
    path = tmp_path / table
    shutil.copy(DEMO.parent / table, path)
    before = path.read_bytes()
    session = WorkshopSession(path, Templates.get())
    assert session.client("acme-shop").communication.meeting_day == "TU"
    session.save("acme-shop", {"communication.meeting_day": "TH"})
    beside = tmp_path / "demo-clients.yaml"
    assert session.path == beside and path.read_bytes() == before  # the spreadsheet is left as it was
    edited = validate(beside, Templates.get()).require()
    original = validate(path, Templates.get()).require()
    assert edited.client("acme-shop").communication.meeting_day == "TH"
    assert edited.client("acme-shop").model_copy(update={"communication": original.client("acme-shop").communication}) == original.client("acme-shop")
    assert [c for c in edited.clients if c.id != "acme-shop"] == [c for c in original.clients if c.id != "acme-shop"]
    # a second session on the spreadsheet does not overwrite the YAML the first one wrote
    with pytest.raises(FileExistsError):
        WorkshopSession(path, Templates.get()).save("acme-shop", {"communication.meeting_day": "WE"})
