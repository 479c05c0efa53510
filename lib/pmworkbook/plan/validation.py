"""One validation of a portfolio: the file, each client against the model, the catalog ids it
names, and every rule the plan applies when a document is built (the RACI matrix, working days
where the plan needs them). `pmworkbook validate`, `pmworkbook build` and the workshop all call
`validate`, so a portfolio that validates builds, and one that does not is refused for the same
reasons everywhere.

Errors refuse a client (or, when they concern the file as a whole, the whole portfolio);
warnings are advice for the consultant and never reach a client's document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from dataclasses import field as dataclass_field
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from pmworkbook.core.files import file_version
from pmworkbook.core.problems import FORMAT_DOC, PortfolioError, Problem, Severity
from pmworkbook.core.templates import Templates
from pmworkbook.plan import charter, raci
from pmworkbook.plan.communication import CommunicationPlan, UnknownCadenceRule, build_plan
from pmworkbook.plan.workdays import NoWorkingDay
from pmworkbook.portfolio.load import RawPortfolio, parse_clients, read_portfolio
from pmworkbook.portfolio.model import Client, Portfolio


@dataclass(frozen=True)
class Finding:
    """What one rule found about a client, before it is a Problem of a file: the English message,
    field and fix for the command line, and the catalog's code and params for the apps."""

    message: str
    field: str | None
    fix: str
    severity: Severity = "error"
    code: str | None = None
    params: dict[str, Any] = dataclass_field(default_factory=dict, hash=False)


@dataclass
class Validation:
    """What `validate` found: the clients that can be built, every problem, who was refused."""

    source: str
    portfolio: Portfolio | None  # the clients without errors; None when the file as a whole is refused
    problems: list[Problem] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # clients refused for their own errors (id, or label without one)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def problems_of(self, client_id: str) -> list[Problem]:
        return [p for p in self.problems if p.client_id == client_id]

    def require(self) -> Portfolio:
        """The whole portfolio, or PortfolioError with every error (``--strict``, notebooks, tests)."""
        if self.errors or self.portfolio is None:
            raise PortfolioError(self.errors)
        return self.portfolio


def validate(path: str | Path, templates: Templates) -> Validation:
    """Validate a portfolio file. Kept while the file is unchanged: the workshop and a build's
    planner ask again and again."""
    path = Path(path)
    if not path.is_file():
        return _refused_whole(str(path), PortfolioError([Problem(str(path), "file not found",
                                                                 fix="give the path of a .yaml, .csv or .xlsx portfolio")]))
    return with_status_inputs(_validate_version(str(path), file_version(path), templates), path.resolve().parent, templates)


def with_status_inputs(validation: Validation, base: Path, templates: Templates) -> Validation:
    """The weekly status report's registers (tasks, requests, decisions, risks) checked as well,
    each file read again only when it changes. The packs do not read them, so a problem in one is a
    warning here; `pmworkbook status` refuses that client's report for it, and builds the others."""
    from dataclasses import replace

    from pmworkbook.portfolio.tasks import read_inputs

    if validation.portfolio is None:
        return validation
    found = [replace(problem, severity="warning", fix=f"{problem.fix}; until then `pmworkbook status` makes no report for this client")
             for client in validation.portfolio.clients if any((client.tasks, client.requests, client.decisions, client.risks))
             for problem in read_inputs(client, base, templates).problems]
    return replace(validation, problems=[*validation.problems, *found]) if found else validation


@lru_cache(maxsize=8)
def _validate_version(path: str, version: tuple[int, int], templates: Templates) -> Validation:
    try:
        raw = read_portfolio(path)
    except PortfolioError as exc:
        return _refused_whole(path, exc)
    return validate_raw(raw, templates)


def validate_data(data: dict[str, Any], source: str, templates: Templates) -> Validation:
    """Validate a portfolio mapping (as read from YAML): the workshop's edited candidate."""
    return validate_raw(RawPortfolio(source, data), templates)


def _refused_whole(source: str, exc: PortfolioError) -> Validation:
    return Validation(source, None, list(exc.problems))


def validate_raw(raw: RawPortfolio, templates: Templates) -> Validation:
    entries, general = parse_clients(raw)
    problems = list(general)
    problems += catalog_problems(templates)
    clients: list[Client] = []
    refused: list[str] = []
    for entry in entries:
        mine = list(entry.problems)
        if entry.client is not None:
            mine += client_problems(entry.client, raw.source, entry.label, templates)
        problems += mine
        if any(p.severity == "error" for p in mine) or entry.client is None:
            refused.append(entry.client_id or entry.label)
        else:
            clients.append(entry.client)
    whole_refused = any(p.severity == "error" for p in problems if p.client is None)
    title = str(raw.data.get("portfolio") or "Portfolio")
    portfolio = None if whole_refused else Portfolio(portfolio=title, source=raw.source, clients=clients)
    return Validation(raw.source, portfolio, problems, refused)


@lru_cache(maxsize=8)
def catalog_problems(templates: Templates) -> list[Problem]:
    """Problems of the templates' catalogs themselves (a team's own cadence catalog)."""
    from pmworkbook.plan.communication import RULES

    path = str(templates.find("catalogs/cadences.yaml"))
    problems = []
    for preset_id, preset in templates.structure("cadences")["presets"].items():
        for spec in preset["cadences"]:
            if spec["rule"] not in RULES:
                problems.append(Problem(path, f"preset {preset_id!r}, cadence {spec['id']!r}: unknown rule {spec['rule']!r}",
                                        field=f"presets.{preset_id}", fix=f"use one of {', '.join(RULES)}"))
    return problems


def client_problems(client: Client, source: str, label: str, templates: Templates) -> list[Problem]:
    """Everything wrong with one client that the model alone cannot see."""

    def problem(finding: Finding) -> Problem:
        return Problem(source, finding.message, client=label, field=finding.field, fix=finding.fix, severity=finding.severity,
                       client_id=client.id, code=finding.code, params=finding.params)

    findings = _reference_problems(client, templates) + _milestone_problems(client)
    if findings:
        return [problem(f) for f in findings]  # the rules below look the ids up
    findings += _raci_problems(client, templates)
    for advice in raci.advice(client, templates):
        where = f"row {advice.row!r}: " if advice.row else ""
        findings.append(Finding(f"{where}{advice.message}", "raci", advice.fix, "warning"))
    try:
        plan = build_plan(client, templates)
    except NoWorkingDay as exc:
        findings.append(Finding(str(exc), "communication.days_off", "leave working days between the days off",
                                code="no_working_day", params={"variant": "after" if exc.forward else "before", "date": exc.start}))
    except UnknownCadenceRule:
        pass  # reported once, as a problem of the catalog
    else:
        findings += _calendar_problems(plan, templates)
    if not client.rater_groups:
        findings.append(Finding("no rater group has a rater, so no evaluation form is made", "evaluation.raters",
                                "give at least one group a rater, for example self: 1", "warning"))
    findings += _people_problems(client, templates)
    findings += _evaluation_problems(client, templates)
    return [problem(f) for f in findings]


def rule_errors(client: Client, templates: Templates) -> list[Finding]:
    """The client's errors that need no communication plan: catalog ids
    the catalogs lack, milestones outside the project, a RACI matrix that breaks a rule. Every
    document refuses a client with one (`pmworkbook.documents.base`), whether or not it would show
    the field, so that a client `validate` refuses gets no document anywhere; the plan's own error
    (no working day) is raised by every document that builds the plan."""
    found = _reference_problems(client, templates) + _milestone_problems(client)
    return found or _raci_problems(client, templates)


def _calendar_problems(plan: CommunicationPlan, templates: Templates) -> list[Finding]:
    """Advice on the communication plan: items outside either side's working hours (each side in
    its own time zone), an item that collides with another again and again, and holidays not yet
    official. Warnings: the calendar is built all the same and says what it did."""
    client, comm = plan.client, plan.client.communication
    zones = {"client": client.timezone, "agency": client.agency.timezone if client.agency and client.agency.timezone else client.timezone}
    hours = {"client": comm.hours("client"), "agency": comm.hours("agency")}
    structure = templates.structure("cadences")
    preset = structure["presets"][comm.preset]
    specs = {spec["id"]: spec for spec in preset["cadences"]} | structure["triggers"]
    found = []
    frame = plan.occurrences
    for key in dict.fromkeys(item.split("-")[0] for item in frame["item"]):
        rows = frame[frame["item"].str.split("-").str[0] == key]
        for side in ("client", "agency"):
            zone = ZoneInfo(zones[side])
            first, last = hours[side]
            outside = [row for row in rows.itertuples(index=False)
                       if not (first <= row.start.astimezone(zone).time() and row.end.astimezone(zone).time() <= last
                               and row.start.astimezone(zone).date() == row.end.astimezone(zone).date())]
            if not outside:
                continue
            row = outside[0]
            local = row.start.astimezone(zone)
            span = f"{first:%H:%M}-{last:%H:%M}"
            where = (f"at {row.start:%H:%M} in {client.timezone} is at {local:%H:%M} in {zones[side]} for the agency"
                     if side == "agency" and zones["agency"] != client.timezone else f"at {local:%H:%M} ({zones[side]})")
            message = (f"{key} ({row.title}) {where}, outside the {side}'s working hours {span} "
                       f"({len(outside)} of {len(rows)} occurrences, the first on {row.date})")
            both = _shared_hours(row.date, client.timezone, zones["agency"], hours)
            inside = (f"between {both[0]:%H:%M} and {both[1]:%H:%M} ({client.timezone}), inside both sides' working hours"
                      if both else "(the two sides' working hours do not overlap on that day)")
            params: dict[str, Any] = {"item": row.title, "time": local.time(), "zone": zone, "start": first, "end": last,
                                      "first": row.date, "client_zone": ZoneInfo(client.timezone), "occurrences": len(outside)}
            if specs.get(key, {}).get("time", "meeting") == "meeting":
                fix = f"set communication.meeting_time {inside}, or set communication.working_hours to the hours each side works"
                field = "communication.meeting_time"
                variant = f"meeting_{side}" if both else f"meeting_{side}_apart"
                if both:
                    params.update(both_start=both[0], both_end=both[1])
            else:
                fix = (f"its time comes from the cadence catalog (preset {comm.preset!r}): in a templates folder's "
                       f"catalogs/cadences.yaml, give it a time {inside}; or set communication.working_hours to the hours "
                       "each side works")
                field = "communication.working_hours"
                variant = f"catalog_{side}"
            found.append(Finding(message, field, fix, "warning", code="outside_working_hours", params={"variant": variant, **params}))
    collisions: dict[str, list[Any]] = {}
    for move in plan.moves:
        if move.rule == "overlap":
            collisions.setdefault(move.item.split("-")[0], []).append(move)
    for key, moves in collisions.items():
        if len(moves) >= 3:  # a rhythm that clashes by design, not a one-off
            days = [m.original for m in moves]
            found.append(Finding(f"{key} overlaps another item on {len(days)} days ({', '.join(map(str, days[:3]))}, ...), so it "
                                 "is moved or skipped each time (the calendar's moved table lists them)",
                                 "communication.meeting_time", f"choose a meeting_day or meeting_time that leaves {key} free",
                                 "warning", code="item_overlaps", params={"item": moves[0].title, "count": len(days), "days": days[:3]}))
    if plan.provisional_years:
        years = ", ".join(map(str, plan.provisional_years))
        found.append(Finding(f"the public holidays of {client.country} for {years} are provisional: the installed holidays "
                             f"package ({holidays.__version__}) has no official schedule of days off and make-up working days "
                             "for them yet; the calendar says so", "country",
                             "rebuild the pack once the official schedule is published and the holidays package updated",
                             "warning"))
    return found


def _shared_hours(day: dt.date, client_zone: str, agency_zone: str,
                  hours: dict[str, tuple[dt.time, dt.time]]) -> tuple[dt.time, dt.time] | None:
    """Both sides' working hours on the client's `day`, as client times, or None if they do not meet."""
    zone = ZoneInfo(client_zone)
    spans = []
    for side, side_zone in (("client", client_zone), ("agency", agency_zone)):
        first, last = hours[side]
        spans.append((dt.datetime.combine(day, first, tzinfo=ZoneInfo(side_zone)), dt.datetime.combine(day, last, tzinfo=ZoneInfo(side_zone))))
    start, end = max(s[0] for s in spans), min(s[1] for s in spans)
    if start >= end or start.astimezone(zone).date() != end.astimezone(zone).date():
        return None
    return start.astimezone(zone).time(), end.astimezone(zone).time()


def _people_problems(client: Client, templates: Templates) -> list[Finding]:
    """Where the documents would name a role instead of a person, or a person without contact
    details: role descriptions, escalation steps (left out of the documents), owners of the
    calendar's items, and the role charters. Warnings: every document still builds."""
    found: list[tuple[str, str, str]] = []
    names = ", ".join
    for index, role in enumerate(client.roles):
        if not client.people_with_role(role):
            found.append((f"roles lists {role} but no person holds it, so its role description and charter name nobody",
                          f"roles[{index}]", f"add a person with role {role} to people"))
    for step in templates.structure("cadences")["escalation"]:
        role, people = step["role"], client.people_with_role(step["role"])
        if not people:
            found.append((f"no person holds {role}, so the escalation path leaves that step out", "people",
                          f"add a person with role {role} (name, phone, e-mail) to people"))
            continue
        index = client.people.index(people[0])
        missing = [what for what, value in (("phone", people[0].phone), ("e-mail", people[0].email)) if not value]
        if missing:
            found.append((f"{people[0].name}, the escalation step {role}, has no {' or '.join(missing)}",
                          f"people[{index}]", f"give people[{index}] a {' and an '.join(missing)}"))
    cadences = templates.structure("cadences")
    preset = cadences["presets"][client.communication.preset]
    owners: dict[str, list[str]] = {}
    for spec in [*preset["cadences"], *(cadences["triggers"][t] | {"id": t} for t in preset.get("triggers", []))]:
        owners.setdefault(spec["owner"], []).append(spec["id"])
    for role, items in owners.items():
        if not client.people_with_role(role):
            found.append((f"no person holds {role}, the owner of {names(items)}, so the calendar names the role instead of a person",
                          "people", f"add a person with role {role} to people"))
    return [Finding(message, field, fix, "warning") for message, field, fix in found + charter.problems(client, templates)]


def _milestone_problems(client: Client) -> list[Finding]:
    project = client.project
    return [Finding(f"milestone {milestone.name!r} on {milestone.date} is outside the project ({project.start} to {project.end})",
                    f"project.milestones[{index}].date", "move it inside or change the project's dates",
                    code="milestone_outside_project",
                    params={"name": milestone.name, "date": milestone.date, "start": project.start, "end": project.end})
            for index, milestone in enumerate(project.milestones) if not project.start <= milestone.date <= project.end]


def _raci_problems(client: Client, templates: Templates) -> list[Finding]:
    own = client.raci is not None
    return [Finding(f"row {finding.row!r}: {finding.message}", f"raci.{finding.row}" if own else "raci",
                    finding.fix if own else f"{finding.fix}: give the client a raci matrix ({FORMAT_DOC})")
            for finding in raci.rule_breaks(client, templates)]


def _reference_problems(client: Client, templates: Templates) -> list[Finding]:
    """Catalog ids the client names that the catalogs do not have."""
    found = []
    roles = templates.structure("roles")["roles"]
    for index, role in enumerate(client.roles):
        if role not in roles:
            found.append(Finding(f"unknown role {role!r}", f"roles[{index}]", f"use one of {', '.join(roles)}",
                                 code="unknown_catalog_id", params={"value": role, "allowed": list(roles)}))
    people_roles = set(roles) | set(templates.structure("roles").get("people_roles", []))
    for index, person in enumerate(client.people):
        if person.role not in people_roles:
            found.append(Finding(f"unknown role {person.role!r}", f"people[{index}].role",
                                 f"use one of {', '.join(sorted(people_roles))}",
                                 code="unknown_catalog_id", params={"value": person.role, "allowed": sorted(people_roles)}))
    presets = templates.structure("cadences")["presets"]
    if client.communication.preset not in presets:
        found.append(Finding(f"unknown cadence preset {client.communication.preset!r}", "communication.preset",
                             f"use one of {', '.join(presets)}",
                             code="unknown_catalog_id", params={"value": client.communication.preset, "allowed": list(presets)}))
    criteria = templates.structure("criteria")["presets"]
    if client.evaluation.preset not in criteria:
        found.append(Finding(f"unknown criteria preset {client.evaluation.preset!r}", "evaluation.preset",
                             f"use one of {', '.join(criteria)}",
                             code="unknown_catalog_id", params={"value": client.evaluation.preset, "allowed": list(criteria)}))
    return found


def _evaluation_problems(client: Client, templates: Templates) -> list[Finding]:
    """The evaluations' plan: a rater group planned below its
    anonymity threshold (its answers would be withheld), no address to return forms to, a
    criteria preset the catalog lacks."""
    from pmworkbook.plan import evaluation

    found: list[tuple[str, str, str, Severity]] = []
    presets = templates.structure("criteria")["presets"]
    for subject in evaluation.subjects(client):
        who = subject.person.name if subject.person else subject.role
        if subject.preset not in presets:
            found.append((f"the evaluation of {who} uses the criteria preset {subject.preset!r}, which the criteria catalog lacks",
                          "evaluation.agency_pm_raters", f"add {subject.preset} to the criteria catalog, or set agency_pm_raters: 0",
                          "error"))
        for group, planned in subject.raters.items():
            needed = evaluation.threshold(group)
            if planned < needed:
                field = "evaluation.agency_pm_raters" if subject.role == "project_manager" else f"evaluation.raters.{group}"
                found.append((f"the evaluation of {who} plans {planned} {group} rater(s), fewer than the anonymity threshold of "
                              f"{needed}: the {group} group's answers will be withheld from the report", field,
                              f"plan at least {needed} {group} raters, or 0 for no {group} form", "warning"))
    if evaluation.subjects(client):
        if not evaluation.return_address(client):
            found.append(("the evaluation forms say when they are due but not where to send them", "evaluation.return_to",
                          "give evaluation.return_to, or the agency an e-mail", "warning"))
        if client.evaluation.due and client.evaluation.due < client.project.start:
            found.append((f"the evaluation forms are due on {client.evaluation.due}, before the project starts "
                          f"({client.project.start})", "evaluation.due", "give a date after the project's start", "warning"))
    if client.rater_groups and not client.people_with_role("client_pm") and "client_pm" not in client.roles:
        found.append(("no person holds client_pm, so the evaluation sheet of the client-side project manager names the role, "
                      "not a person", "people", "add the client-side project manager (role client_pm) to people", "warning"))
    return [Finding(*args) for args in found]
