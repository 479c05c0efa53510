"""RACI checks: each kind of broken matrix is rejected with a message naming the client and row."""

from __future__ import annotations

import pytest

from conftest import DEMO
from pmworkbook import raci
from pmworkbook.errors import DocumentError
from pmworkbook.portfolio import Client, load_portfolio


def with_raci(matrix: dict) -> Client:
    data = load_portfolio(DEMO).client("acme-shop").model_dump()
    data["raci"] = matrix
    return Client.model_validate(data)


def test_the_demo_matrix_passes():
    matrix = raci.check(load_portfolio(DEMO).client("acme-shop"))
    assert matrix.rows["Koncepcja"]["client_pm"] == "A"


@pytest.mark.parametrize("matrix,expected", [
    ({"Prototyp": {"client_pm": "R", "project_manager": "R"}}, "0 roles are A"),
    ({"Prototyp": {"client_pm": "A", "project_manager": "A", "account_manager": "R"}}, "2 roles are A"),
    ({"Prototyp": {"client_pm": "A", "project_manager": "C"}}, "no role is R"),
    ({"Prototyp": {"client_pm": "A", "chief_wizard": "R"}}, "unknown role 'chief_wizard'"),
])
def test_broken_matrices_are_rejected_naming_the_row(matrix, expected):
    with pytest.raises(DocumentError) as info:
        raci.check(with_raci(matrix))
    message = str(info.value)
    assert "client 'acme-shop'" in message and "row 'Prototyp'" in message and expected in message


def test_two_letters_in_one_cell_is_a_portfolio_error():
    data = load_portfolio(DEMO).client("acme-shop").model_dump()
    data["raci"] = {"Prototyp": {"client_pm": "RA"}}
    with pytest.raises(Exception) as info:
        Client.model_validate(data)
    assert "raci.Prototyp.client_pm" in str(info.value).replace("\n", ".").replace(" ", "") or "raci" in str(info.value)


def test_warnings_for_a_role_accountable_for_most_rows_and_a_crowded_row():
    matrix = raci.check(with_raci({
        "A": {"client_pm": "A", "project_manager": "R"},
        "B": {"client_pm": "A", "project_manager": "R"},
        "C": {"client_pm": "A", "project_manager": "R", "account_manager": "C", "account_director": "C", "sponsor": "C", "team_member": "C"},
    }))
    keys = [key for key, _ in matrix.warnings]
    assert "role.raci_warning_many_a" in keys and "role.raci_warning_many_c" in keys
