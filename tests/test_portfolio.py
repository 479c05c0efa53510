"""Loading and validating portfolios: YAML, CSV, XLSX, and every kind of bad input."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from conftest import DEMO, ROOT, run_cli, write_portfolio
from pmworkbook.core.problems import PortfolioError
from pmworkbook.core.templates import Templates
from pmworkbook.plan.validation import validate


def load_portfolio(path):
    """The whole portfolio, or PortfolioError with every error: what `build --strict` accepts."""
    return validate(path, Templates.get()).require()


def test_demo_portfolio_has_a_client_per_language_with_milestones_people_and_budget():
    portfolio = load_portfolio(DEMO)
    assert {c.language for c in portfolio.clients} == {"en", "zh", "pl", "ru"}
    assert len({c.country for c in portfolio.clients}) == 4
    assert len({c.timezone for c in portfolio.clients}) == 4
    for client in portfolio.clients:
        assert client.project.milestones and client.people and client.project.budget


def test_defaults_apply_and_a_clients_own_value_wins():
    portfolio = load_portfolio(DEMO)
    acme, huaxin = portfolio.client("acme-shop"), portfolio.client("huaxin-retail")
    assert acme.agency.name == "Studio Nord"
    assert huaxin.agency.timezone == "Asia/Shanghai"
    assert acme.communication.response_hours == 4 and acme.communication.meeting_day == "TU"


@pytest.mark.parametrize("table", ["demo-clients.xlsx", "demo-clients.csv"])
def test_flat_tables_hold_the_same_portfolio_as_the_yaml(table):
    yaml_clients = {c.id: c for c in load_portfolio(DEMO).clients}
    table_clients = {c.id: c for c in load_portfolio(ROOT / "examples" / table).clients}
    assert table_clients.keys() == yaml_clients.keys()
    for client_id, expected in yaml_clients.items():
        # The flat table has no column for a client's own RACI matrix.
        assert table_clients[client_id].model_dump(exclude={"raci"}) == expected.model_dump(exclude={"raci"})


def _bad(tmp_path, demo_raw, change) -> tuple:
    raw = copy.deepcopy(demo_raw)
    change(raw)
    return write_portfolio(tmp_path / "bad.yaml", raw)


BAD_INPUTS = {
    "unknown language": (lambda raw: raw["clients"][0].update(language="de"), "acme-shop", "language", "unknown language 'de'"),
    "unknown country": (lambda raw: raw["clients"][1].update(country="XX"), "huaxin-retail", "country", "unknown country 'XX'"),
    "invalid time zone": (lambda raw: raw["clients"][2].update(timezone="Europe/Moskva"), "sever-logistics", "timezone", "unknown time zone"),
    "end before start": (lambda raw: raw["clients"][3]["project"].update(end=dt.date(2027, 1, 1)), "harbor-health", "project", "before start"),
    "duplicated id": (lambda raw: raw["clients"][1].update(id="acme-shop"), "acme-shop", "id", "duplicate client id"),
    "unsafe id": (lambda raw: raw["clients"][0].update(id="../../etc"), "../../etc", "id", "not a safe folder name"),
    "milestone outside": (lambda raw: raw["clients"][0]["project"]["milestones"].append({"name": "Late", "date": dt.date(2028, 1, 1)}),
                          "acme-shop", "project.milestones[3].date", "outside the project"),
    "unknown weekday": (lambda raw: raw["clients"][0]["communication"].update(meeting_day="XX"), "acme-shop", "communication.meeting_day", "unknown weekday"),
    "bad time": (lambda raw: raw["clients"][0]["communication"].update(meeting_time="25:00"), "acme-shop", "communication.meeting_time", "not a time of day"),
    "unknown preset": (lambda raw: raw["clients"][0]["communication"].update(preset="weekly-ish"), "acme-shop", "communication.preset", "unknown cadence preset"),
    "unknown role": (lambda raw: raw["clients"][0].update(roles=["ceo"]), "acme-shop", "roles[0]", "unknown role 'ceo'"),
    "misspelt field": (lambda raw: raw["clients"][0].update(langauge="pl"), "acme-shop", "langauge", "unknown field"),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_names_file_client_and_field_exits_2_and_touches_nothing(tmp_path, demo_raw, case):
    change, client, field, message = BAD_INPUTS[case]
    path = _bad(tmp_path, demo_raw, change)
    # validation gives the problem as a value: where it is and what is wrong
    validation = validate(path, Templates.get())
    problem = next((p for p in validation.errors if message in p.message), None)
    assert problem is not None, validation.problems
    assert problem.file == str(path) and client in problem.client and problem.field.startswith(field)
    assert client in validation.refused
    out = tmp_path / "outputs"
    (out / "acme-shop").mkdir(parents=True)
    sentinel = out / "acme-shop" / "role_description_client_pm.pdf"
    sentinel.write_bytes(b"an earlier build")
    # --strict: any error refuses the whole portfolio (the default builds the other clients)
    result = run_cli("build", path, "--out", out, "--strict")
    assert result.returncode == 2, result.stdout + result.stderr
    line = next((ln for ln in result.stderr.splitlines() if message in ln), None)
    assert line is not None, result.stderr
    assert str(path) in line and client in line and f"field '{field}" in line
    assert sentinel.read_bytes() == b"an earlier build"
    assert sorted(p.name for p in out.rglob("*")) == ["acme-shop", "role_description_client_pm.pdf"]


def test_every_problem_is_reported_at_once(tmp_path, demo_raw):
    def break_two(raw):
        raw["clients"][0]["language"] = "de"
        raw["clients"][3]["timezone"] = "Mars/Olympus"
    path = _bad(tmp_path, demo_raw, break_two)
    with pytest.raises(PortfolioError) as info:
        load_portfolio(path)
    assert len(info.value.problems) == 2
    result = run_cli("validate", path)
    assert result.returncode == 2 and "acme-shop" in result.stderr and "harbor-health" in result.stderr


def test_missing_and_malformed_files(tmp_path):
    result = run_cli("validate", tmp_path / "nope.yaml")
    assert result.returncode == 2 and "nope.yaml" in result.stderr and "file not found" in result.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("clients:\n  - id: a\n   name: [unclosed\n", encoding="utf-8")
    result = run_cli("validate", broken)
    assert result.returncode == 2 and "malformed YAML" in result.stderr and "line" in result.stderr


def test_table_rows_are_named_in_errors(tmp_path):
    csv_path = tmp_path / "clients.csv"
    source = (ROOT / "examples" / "demo-clients.csv").read_text(encoding="utf-8").splitlines()
    source[2] = source[2].replace(",zh,", ",klingon,", 1)
    csv_path.write_text("\n".join(source) + "\n", encoding="utf-8")
    result = run_cli("validate", csv_path)
    assert result.returncode == 2
    assert "row 3 (client 'huaxin-retail')" in result.stderr and "field 'language'" in result.stderr
