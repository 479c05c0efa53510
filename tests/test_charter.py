"""The role charter: values from the portfolio (per client, per role) or the role catalog's defaults,
printed at the head of each role description with a sign-off at its end, in four languages;
what cannot be resolved is a `validate` warning naming client, field and fix."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest

from conftest import DEMO_LANGUAGES, demo_client, run_cli, visible_text, write_portfolio
from pmworkbook.core.i18n import Formatter
from pmworkbook.core.templates import Templates
from pmworkbook.documents.role import RoleDescription
from pmworkbook.plan.charter import charter_for
from pmworkbook.plan.validation import validate_data
from pmworkbook.portfolio.model import Client

TEMPLATES = Templates.get()


def edited(demo_raw: dict, client_id: str, change) -> dict:
    raw = copy.deepcopy(demo_raw)
    change(next(c for c in raw["clients"] if c["id"] == client_id))
    return raw


def client_from(raw: dict, client_id: str) -> Client:
    validation = validate_data(raw, "charter.yaml", TEMPLATES)
    assert not [p for p in validation.errors if p.client_id == client_id], validation.errors
    return validation.portfolio.client(client_id)


def charter_text(client: Client, role_id: str) -> str:
    document = RoleDescription(client, TEMPLATES, role_id=role_id)
    return visible_text(str(document.charter()) + str(document.sign_off()))


def test_defaults_come_from_the_role_catalog():
    acme = demo_client("acme-shop")
    charter = charter_for(acme, "client_pm", TEMPLATES)
    assert (charter.version, charter.date, charter.time_allocation) == ("1.0", acme.project.start, 50)
    assert charter.holder.name == "Anna Nowak" and charter.sponsor.name == "Piotr Zieliński"
    assert charter.reports_to.person.name == "Piotr Zieliński"  # the sponsor
    assert charter.deputy.person.name == "Piotr Zieliński"  # no client-side team member: the sponsor
    assert (charter.approval_limit, charter.currency) == (Decimal(6000), "PLN")  # 5% of 120 000
    pm = charter_for(acme, "project_manager", TEMPLATES)
    assert (pm.reports_to.person.name, pm.deputy.person.name, pm.approval_limit) == ("Ewa Lewandowska", "Jan Kowalski", Decimal(2400))
    # without an account manager, the account director deputises for the project manager
    people = [p.model_dump(exclude_none=True) for p in demo_client("harbor-health").people if p.role != "account_manager"]
    harbor = demo_client("harbor-health", people=people)
    assert charter_for(harbor, "project_manager", TEMPLATES).deputy.person.name == "Ewa Lewandowska"


def test_a_deputy_by_default_is_on_the_roles_own_side(demo_raw):
    def add_team(entry):
        entry["people"] += [{"name": "Kasia Agency", "role": "team_member", "side": "agency"},
                            {"name": "Ola Client", "role": "team_member", "side": "client"}]
    client = client_from(edited(demo_raw, "acme-shop", add_team), "acme-shop")
    assert charter_for(client, "client_pm", TEMPLATES).deputy.person.name == "Ola Client"


def test_values_per_client_and_per_role_win_over_the_defaults(demo_raw):
    def set_charter(entry):
        entry["charter"] = {"version": "2.1", "date": dt.date(2027, 1, 4), "approval_limit": 10000, "deputy": "Piotr Zieliński",
                            "roles": {"project_manager": {"deputy": "jan kowalski", "time_allocation": 80, "approval_limit": 0,
                                                          "reports_to": "account_manager"}}}
    client = client_from(edited(demo_raw, "acme-shop", set_charter), "acme-shop")
    pm = charter_for(client, "project_manager", TEMPLATES)
    assert (pm.version, pm.date, pm.time_allocation, pm.approval_limit) == ("2.1", dt.date(2027, 1, 4), 80, Decimal(0))
    assert pm.deputy.person.name == "Jan Kowalski"  # a person's name, in any case
    assert (pm.reports_to.role_id, pm.reports_to.person.name) == ("account_manager", "Jan Kowalski")
    client_pm = charter_for(client, "client_pm", TEMPLATES)
    assert (client_pm.approval_limit, client_pm.time_allocation) == (Decimal(10000), 50)
    t = TEMPLATES.text("i18n", "pl")
    text = charter_text(client, "project_manager")
    assert "2.1 z 4 stycznia 2027" in text and t["role.charter_limit_none"] in text and "80" in text
    assert t.format("role.charter_limit_value", amount=Formatter("pl", "PL", TEMPLATES).money(Decimal(10000), "PLN")) in \
        charter_text(client, "client_pm")


@pytest.mark.parametrize("client_id", DEMO_LANGUAGES)
def test_the_charter_and_sign_off_in_the_clients_language(client_id):
    client = demo_client(client_id)
    t = TEMPLATES.text("i18n", client.language)
    for role_id in client.roles:
        text = charter_text(client, role_id)
        for key in ("charter", "charter_holder", "charter_reports_to", "charter_deputy", "charter_time", "charter_limit",
                    "charter_version", "sign_off", "sign_off_intro", "signature"):
            assert t[f"role.{key}"] in text, (role_id, key)
        charter = charter_for(client, role_id, TEMPLATES)
        assert text.count(charter.holder.name) >= 2 and charter.sponsor.name in text  # the charter and the signatures
        assert t["role.to_be_agreed"] not in text  # the demo names everyone


WARNINGS = {
    "a deputy nobody knows": (lambda e: e.update(charter={"deputy": "Zofia Nieznana"}), "charter.deputy", "'Zofia Nieznana'"),
    "no deputy possible": (lambda e: e.update(people=[p for p in e["people"] if p["role"] != "sponsor"]),
                           "charter.roles.client_pm.deputy", "no deputy for client_pm"),
    "the holder deputises": (lambda e: e.update(charter={"roles": {"client_pm": {"deputy": "Anna Nowak"}}}),
                             "charter.roles.client_pm.deputy", "its own holder"),
    "a limit above the budget": (lambda e: e.update(charter={"approval_limit": 500000}), "charter.approval_limit", "above the whole budget"),
    "a limit without a budget": (lambda e: (e["project"].pop("budget"), e.update(charter={"approval_limit": 100})),
                                 "charter.approval_limit", "no project budget"),
    "a charter for a role without a description": (lambda e: e.update(charter={"roles": {"account_director": {"time_allocation": 5}}}),
                                                   "charter.roles.account_director", "roles does not list it"),
    "a charter for an unknown role": (lambda e: e.update(charter={"roles": {"chief_wizard": {"version": "9"}}}),
                                      "charter.roles.chief_wizard", "not a role"),
    "reporting to a role nobody holds": (lambda e: e.update(charter={"reports_to": "team_member"}), "charter.reports_to",
                                         "which no person holds"),
}


@pytest.mark.parametrize("name", WARNINGS)
def test_charter_problems_are_warnings_naming_client_field_and_fix(demo_raw, name):
    change, field, expected = WARNINGS[name]
    validation = validate_data(edited(demo_raw, "acme-shop", change), "charter.yaml", TEMPLATES)
    found = [p for p in validation.problems_of("acme-shop") if p.field == field and expected in p.message]
    assert found, [str(p) for p in validation.problems_of("acme-shop")]
    assert all(p.severity == "warning" and p.client_id == "acme-shop" and "acme-shop" in str(p) and p.fix for p in found)
    assert "acme-shop" in {c.id for c in validation.portfolio.clients}  # the documents still build
    assert not [p for p in validation.problems_of("acme-shop") if p.field and p.field.startswith("charter") and p.severity == "error"]


def test_the_demo_has_no_charter_warnings():
    from conftest import DEMO
    from pmworkbook.plan.validation import validate

    assert not [p for p in validate(DEMO, TEMPLATES).problems if p.field and p.field.startswith("charter")]


def test_unresolvable_values_print_as_agreed_or_as_typed_and_escaped(demo_raw):
    def change(entry):
        entry["people"] = [p for p in entry["people"] if p["role"] != "sponsor"]
        entry["charter"] = {"reports_to": "<b>Rada nadzorcza</b>"}
    client = client_from(edited(demo_raw, "acme-shop", change), "acme-shop")
    document = RoleDescription(client, TEMPLATES, role_id="client_pm")
    html = str(document.charter())
    assert "&lt;b&gt;Rada nadzorcza&lt;/b&gt;" in html and "<b>" not in html
    assert TEMPLATES.text("i18n", "pl")["role.to_be_agreed"] in visible_text(html)  # no one to deputise


def test_an_invalid_time_allocation_is_an_error_of_the_field(demo_raw):
    validation = validate_data(edited(demo_raw, "acme-shop", lambda e: e.update(charter={"time_allocation": 0})),
                               "charter.yaml", TEMPLATES)
    assert [p.field for p in validation.errors if p.client_id == "acme-shop"] == ["charter.time_allocation"]
    assert "acme-shop" in validation.refused


def test_validate_prints_the_warnings_and_accepts_the_portfolio(tmp_path, demo_raw):
    raw = edited(demo_raw, "acme-shop", lambda e: e.update(charter={"deputy": "Zofia Nieznana"}))
    result = run_cli("validate", write_portfolio(tmp_path / "charter.yaml", raw))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [ln for ln in result.stderr.splitlines() if "client 'acme-shop'" in ln and "field 'charter.deputy'" in ln]
    assert lines and all("warning:" in ln and "Zofia Nieznana" in ln for ln in lines), result.stderr
