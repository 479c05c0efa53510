"""Who is evaluated and by whom, the criteria in the client's language, the rater groups'
anonymity thresholds, when and where forms go back, and what identifies a returned form.

Each evaluated person is a `Subject`: the client-side project manager, rated by the groups the
portfolio plans raters for (self, manager, team, client) with the client's criteria preset, and
each project manager on the agency's side, rated by the client with the `pm_by_client` preset.
A subject's key names its files (evaluation_sheet_<key>.pdf, evaluation_form_<key>_<group>.xlsx)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pmworkbook.core.i18n import Formatter
from pmworkbook.core.templates import Templates
from pmworkbook.plan.workdays import ONE_DAY, NoWorkingDay, WorkingCalendar
from pmworkbook.portfolio.model import Client, Person

# A group with fewer responses than this shows nothing and counts in no figure (anonymity).
ANONYMITY_THRESHOLDS = {"self": 1, "manager": 1, "team": 3, "client": 3}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORM_ID_SHEET = "pmworkbook"
AGENCY_PM_PRESET = "pm_by_client"
DUE_WORKING_DAYS = 10  # forms are due this many working days after the project's end unless the portfolio says
# The open questions every form and sheet ends with, in this order (text: evaluation.open.<id>).
OPEN_QUESTIONS = ("strengths", "improve", "start", "stop", "continue")


def threshold(group: str) -> int:
    return ANONYMITY_THRESHOLDS[group]


@dataclass(frozen=True)
class Subject:
    """One evaluated person: whose sheet, forms and report these are."""

    key: str  # the documents' variant: client_pm, project_manager, project_manager_2, ...
    role: str  # the role id the person holds
    person: Person | None  # None: the portfolio names nobody in the role (the sheet names the role)
    preset: str  # the criteria preset
    raters: dict[str, int] = field(default_factory=dict)  # rater group -> planned raters, groups with raters only

    @property
    def groups(self) -> list[str]:
        return list(self.raters)


def _key(role: str, number: int) -> str:
    return role if number == 1 else f"{role}_{number}"


def subjects(client: Client) -> list[Subject]:
    """Everyone the client's evaluation covers, the client-side PM first."""
    found = []
    evaluation = client.evaluation
    if client.rater_groups:
        planned: dict[str, int] = {group: evaluation.raters[group] for group in client.rater_groups}
        people: list[Person | None] = [*client.people_with_role("client_pm")] or [None]
        found += [Subject(_key("client_pm", n), "client_pm", person, evaluation.preset, planned)
                  for n, person in enumerate(people, start=1)]
    if evaluation.agency_pm_raters:
        agency_pms = [p for p in client.people if p.role == "project_manager" and p.side == "agency"]
        found += [Subject(_key("project_manager", n), "project_manager", person, AGENCY_PM_PRESET,
                          {"client": evaluation.agency_pm_raters})
                  for n, person in enumerate(agency_pms, start=1)]
    return found


def subject(client: Client, key: str) -> Subject:
    for candidate in subjects(client):
        if candidate.key == key:
            return candidate
    known = ", ".join(s.key for s in subjects(client)) or "none"
    raise KeyError(f"client '{client.id}' has no evaluated person {key!r}; its evaluations: {known}")


def due_date(client: Client) -> dt.date:
    """When filled forms are due: the portfolio's date, else DUE_WORKING_DAYS working days after the end."""
    if client.evaluation.due:
        return client.evaluation.due
    project, communication = client.project, client.communication
    calendar = WorkingCalendar(client.country, client.language, project.start, project.end + 90 * ONE_DAY,
                               communication.days_off, communication.working_days)
    try:
        return calendar.add_working_days(project.end, DUE_WORKING_DAYS)
    except NoWorkingDay:  # `validate` reports this calendar; two weeks is the same promise in days
        return project.end + 14 * ONE_DAY


def return_address(client: Client) -> str | None:
    """Where raters send their forms: the portfolio's address, else the agency's e-mail."""
    agency_email = client.agency.email if client.agency else None
    return client.evaluation.return_to or agency_email


def criteria_for(client: Client, templates: Templates, preset: str | None = None) -> list[dict[str, Any]]:
    """A preset's criteria (the client's, unless another is named) in the client's language, weights as shares of 1."""
    structure = templates.structure("criteria")
    text = templates.text("criteria", client.language)
    chosen = structure["presets"][preset or client.evaluation.preset]
    total = sum(c["weight"] for c in chosen)
    return [{
        "id": c["id"], "section": text[f"sections.{c['section']}"], "weight": c["weight"] / total,
        "name": text[f"criteria.{c['id']}.name"], "description": text[f"criteria.{c['id']}.description"],
        "anchors": list(text[f"criteria.{c['id']}.anchors"]),
    } for c in chosen]


def listed(fmt: Formatter, items: list[str]) -> str:
    """Items as a list in running text of the document's language (Babel's list patterns)."""
    from babel.lists import format_list
    from babel.numbers import get_decimal_symbol

    if get_decimal_symbol(fmt.locale) == "," and any("," in item for item in items):
        # "≥ 4,50, Bardzo dobry ≥ 3,75": decimal commas inside a comma-separated list; semicolons between items
        return "; ".join(items)
    return format_list(items, locale=fmt.locale) if items else ""
