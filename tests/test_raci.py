"""RACI checks: each kind of broken matrix is rejected with a message naming the client and row,
by validation (an error on the client) and by the document's own guard; the default matrix keeps
the rules for every combination of roles a client can have."""

from __future__ import annotations

import copy
import itertools
import re

import pytest

from conftest import DEMO, run_cli, visible_text, write_portfolio
from pmworkbook.core.problems import DocumentError
from pmworkbook.core.templates import Templates
from pmworkbook.documents.role import RoleDescription
from pmworkbook.plan import raci
from pmworkbook.plan.validation import validate, validate_data
from pmworkbook.portfolio.model import Client

TEMPLATES = Templates.get()


def demo_client(client_id: str = "acme-shop") -> Client:
    return validate(DEMO, TEMPLATES).require().client(client_id)


def with_raci(matrix: dict) -> Client:
    data = demo_client().model_dump()
    data["raci"] = matrix
    return Client.model_validate(data)


def raw_with_raci(demo_raw: dict, matrix: dict) -> dict:
    """The demo portfolio with acme-shop's matrix replaced."""
    raw = copy.deepcopy(demo_raw)
    next(c for c in raw["clients"] if c["id"] == "acme-shop")["raci"] = matrix
    return raw


def validate_with_raci(demo_raw: dict, matrix: dict):
    """Validated as `pmworkbook validate` does."""
    return validate_data(raw_with_raci(demo_raw, matrix), "raci.yaml", TEMPLATES)


def test_the_demo_matrix_passes():
    matrix = raci.check(demo_client(), TEMPLATES)
    assert matrix.rows["Koncepcja"]["client_pm"] == "A"
    assert not [p for p in validate(DEMO, TEMPLATES).errors if p.field and p.field.startswith("raci")]


BROKEN = [
    ({"Prototyp": {"client_pm": "R", "project_manager": "R"}}, "0 roles are A"),
    ({"Prototyp": {"client_pm": "A", "project_manager": "A", "account_manager": "R"}}, "2 roles are A"),
    ({"Prototyp": {"client_pm": "A", "project_manager": "C"}}, "no role is R"),
    ({"Prototyp": {"client_pm": "A", "chief_wizard": "R"}}, "unknown role 'chief_wizard'"),
]


@pytest.mark.parametrize("matrix,expected", BROKEN)
def test_broken_matrices_are_rejected_naming_the_row(matrix, expected):
    with pytest.raises(DocumentError) as info:
        raci.check(with_raci(matrix), TEMPLATES)
    message = str(info.value)
    assert "client 'acme-shop'" in message and "row 'Prototyp'" in message and expected in message
    # the role document's own guard, should a client reach it unvalidated
    with pytest.raises(DocumentError, match="row 'Prototyp'"):
        RoleDescription(with_raci(matrix), TEMPLATES, role_id="client_pm").raci()


@pytest.mark.parametrize("matrix,expected", BROKEN)
def test_broken_matrices_are_validation_errors_that_refuse_the_client(demo_raw, matrix, expected):
    validation = validate_with_raci(demo_raw, matrix)
    problems = [p for p in validation.errors if expected in p.message]
    assert problems, validation.problems
    assert all(p.client_id == "acme-shop" and p.field == "raci.Prototyp" and "row 'Prototyp'" in p.message
               for p in problems)
    assert "acme-shop" in validation.refused
    assert "acme-shop" not in {c.id for c in validation.portfolio.clients}
    assert {c.id for c in validation.portfolio.clients} == {"huaxin-retail", "sever-logistics", "harbor-health"}


def test_two_letters_in_one_cell_is_a_portfolio_error(demo_raw):
    data = demo_client().model_dump()
    data["raci"] = {"Prototyp": {"client_pm": "RA"}}
    with pytest.raises(Exception) as info:
        Client.model_validate(data)
    assert "raci.Prototyp.client_pm" in str(info.value).replace("\n", ".").replace(" ", "") or "raci" in str(info.value)
    # validation names the cell
    validation = validate_with_raci(demo_raw, {"Prototyp": {"client_pm": "RA"}})
    assert [p.field for p in validation.errors if p.client_id == "acme-shop"] == ["raci.Prototyp.client_pm"]


CROWDED = {
    "A": {"client_pm": "A", "project_manager": "R"},
    "B": {"client_pm": "A", "project_manager": "R"},
    "C": {"client_pm": "A", "project_manager": "R", "account_manager": "C", "account_director": "C", "sponsor": "C", "team_member": "C"},
}


def test_warnings_for_a_role_accountable_for_most_rows_and_a_crowded_row_are_validate_warnings(tmp_path, demo_raw):
    validation = validate_with_raci(demo_raw, CROWDED)
    mine = validation.problems_of("acme-shop")
    assert not [p for p in mine if p.severity == "error"], mine  # advice, not a reason to refuse
    warnings = [p for p in mine if p.severity == "warning" and p.field == "raci"]
    messages = [p.message for p in warnings]
    assert any("client_pm is accountable (A) for 3 of 3 deliverables" in m for m in messages), messages
    assert any("row 'C'" in m and "4 roles are consulted (C)" in m for m in messages), messages
    assert "acme-shop" in {c.id for c in validation.portfolio.clients}
    # and none of it reaches the client's document
    document = RoleDescription(with_raci(CROWDED), TEMPLATES, role_id="client_pm")
    html = "".join(str(part) for part in (document.header(), document.purpose_and_facts(), document.responsibilities(),
                                          document.raci(), document.expectations(), document.support()))
    text = visible_text(html)
    assert "consulted (C)" not in text and "accountable (A)" not in text and 'class="warnings"' not in html
    for warning in warnings:
        assert warning.message not in text and warning.fix not in text
    # `pmworkbook validate` prints them as warnings and accepts the portfolio
    result = run_cli("validate", write_portfolio(tmp_path / "crowded.yaml", raw_with_raci(demo_raw, CROWDED)))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [ln for ln in result.stderr.splitlines() if "client 'acme-shop'" in ln and "field 'raci'" in ln]
    assert len(lines) == len(warnings) and all("warning:" in ln for ln in lines), result.stderr
    assert any("4 roles are consulted (C)" in ln for ln in lines)


# -- the default matrix (no `raci`): valid for every combination of roles a client can have

CATALOG_ROLES = list(TEMPLATES.structure("roles")["roles"])
SIDES = {role: spec["side"] for role, spec in TEMPLATES.structure("roles")["roles"].items()}
# How a client can have a catalog role: not at all, in `roles` only, held by a person only, or both.
WAYS = ("absent", "listed", "held", "both")


def client_with(ways: dict[str, str], deliverables: list[str] | None = None) -> Client:
    data = demo_client().model_dump()
    data["raci"] = None
    data["roles"] = [role for role, way in ways.items() if way in ("listed", "both")]
    data["people"] = [{"name": f"Person {role}", "role": role, "side": SIDES[role]} for role, way in ways.items()
                      if way in ("held", "both")]
    if deliverables is not None:
        data["project"]["deliverables"] = deliverables
    return Client.model_validate(data)


@pytest.mark.parametrize("combination", list(itertools.product(WAYS, repeat=len(CATALOG_ROLES))),
                         ids=lambda ways: "-".join(w[0] for w in ways))
def test_the_default_matrix_keeps_its_rules_for_every_combination_of_roles(combination):
    ways = dict(zip(CATALOG_ROLES, combination, strict=True))
    client = client_with(ways)
    assert raci.rule_breaks(client, TEMPLATES) == []
    matrix = raci.check(client, TEMPLATES)  # the document's guard agrees
    present = {role for role, way in ways.items() if way != "absent"}
    if not present:
        assert matrix.rows == {}  # no role, no matrix (and no role description to show one)
        return
    assert list(matrix.rows) == client.project.deliverables
    for cells in matrix.rows.values():
        letters = list(cells.values())
        assert letters.count("A") == 1 and letters.count("R") >= 1, cells
        assert set(cells) <= present | {"sponsor"}
        accountable = next(role for role, letter in cells.items() if letter == "A")
        responsible = [role for role, letter in cells.items() if letter == "R"]
        # The client accepts (its PM, else its sponsor); the agency delivers whenever it has a role.
        assert accountable == ("client_pm" if "client_pm" in present and present != {"client_pm"} else "sponsor")
        if present & {r for r, side in SIDES.items() if side == "agency"}:
            assert all(SIDES[role] == "agency" for role in responsible), cells


def test_client_side_pm_with_an_account_manager_gives_the_agency_the_r_and_builds(demo_raw):
    raw = copy.deepcopy(demo_raw)
    entry = next(c for c in raw["clients"] if c["id"] == "acme-shop")
    del entry["raci"]
    entry["roles"] = ["client_pm"]
    entry["people"] = [p for p in entry["people"] if p["role"] in ("client_pm", "sponsor", "account_manager")]
    validation = validate_data(raw, "core.yaml", TEMPLATES)
    assert not [p for p in validation.problems_of("acme-shop") if p.severity == "error"], validation.problems_of("acme-shop")
    client = validation.portfolio.client("acme-shop")
    matrix = raci.check(client, TEMPLATES)
    assert matrix.rows == {
        row: {"client_pm": "A", "account_manager": "R"} for row in entry["project"]["deliverables"]}
    # no advice about the tool's own default
    assert not [p for p in validation.problems_of("acme-shop") if p.field and p.field.startswith("raci")]
    document = RoleDescription(client, TEMPLATES, role_id="client_pm")
    html = "".join(str(part) for part in (document.header(), document.charter(), document.purpose_and_facts(),
                                          document.responsibilities(), document.raci(), document.expectations(),
                                          document.support(), document.sign_off()))
    header = re.search(r"<thead>(.*?)</thead>", html[html.index('class="grid raci"'):], re.S)[1]
    columns = re.findall(r"<th[^>]*>(.*?)</th>", header)[1:]
    first_row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", html[html.index('class="grid raci"'):], re.S)[1]
    letters = re.findall(r'class="raci-cell raci-\w+">(\w*)</td>', first_row)
    names = TEMPLATES.text("i18n", "pl")
    assert dict(zip(columns, letters, strict=True)) == {names["role_names.client_pm"]: "A", names["role_names.account_manager"]: "R"}


def test_a_client_without_deliverables_or_milestones_has_no_matrix_and_no_raci_section():
    data = client_with({"client_pm": "both", "project_manager": "held", "account_manager": "absent",
                        "account_director": "absent"}, deliverables=[]).model_dump()
    data["project"]["milestones"] = []
    client = Client.model_validate(data)
    assert raci.check(client, TEMPLATES).rows == {}
    assert str(RoleDescription(client, TEMPLATES, role_id="client_pm").raci()) == ""
