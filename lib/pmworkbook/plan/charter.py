"""The role charter of a role description: version and date, the holder, whom the holder reports
to, the deputy, the share of working time and the budget approval limit, and who signs it.

Each value comes from the role's entry under the client's `charter.roles`, else the client's
`charter`, else the role catalog's `charter` defaults (the project's start for the date, a share
of the budget for the approval limit). What cannot be resolved to a person is printed as it is
and reported by `problems` as a `validate` warning; it never stops a document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pmworkbook.core.templates import Templates
from pmworkbook.portfolio.model import Client, Person


@dataclass(frozen=True)
class Party:
    """Someone the charter names: a role (with the person holding it, if any) or a typed name."""

    role_id: str | None  # a catalog or people role; None for a name that is not one of the client's people
    person: Person | None
    typed: str = ""  # the portfolio's text when it names neither a role nor a person


@dataclass(frozen=True)
class ResolvedCharter:
    role_id: str
    version: str
    date: dt.date
    holder: Person | None
    reports_to: Party | None  # None: the role catalog names no reporting line (the agency's management)
    deputy: Party | None  # None: to be agreed
    time_allocation: int
    approval_limit: Decimal | None  # None: no budget to take a share of
    currency: str | None
    sponsor: Person | None


def _value(client: Client, role_id: str, name: str) -> Any:
    own = client.charter.roles.get(role_id)
    if own is not None and getattr(own, name) is not None:
        return getattr(own, name)
    return getattr(client.charter, name)


def _source(client: Client, role_id: str, name: str) -> str:
    """The portfolio field a value came from, for `validate`'s messages."""
    own = client.charter.roles.get(role_id)
    if own is not None and getattr(own, name) is not None:
        return f"charter.roles.{role_id}.{name}"
    return f"charter.{name}"


def _role_ids(templates: Templates) -> set[str]:
    structure = templates.structure("roles")
    return set(structure["roles"]) | set(structure.get("people_roles", []))


def resolve_party(client: Client, text: str | None, templates: Templates) -> Party | None:
    """A role id or a person's name as the charter names them."""
    if text is None:
        return None
    if text in _role_ids(templates):
        people = client.people_with_role(text)
        return Party(text, people[0] if people else None)
    person = next((p for p in client.people if p.name.casefold() == text.strip().casefold()), None)
    if person is not None:
        return Party(person.role, person)
    return Party(None, None, text)


def _default_party(client: Client, roles: list[str]) -> Party | None:
    """The first of the catalog's roles that a person holds; else the first role, unfilled."""
    for role in roles:
        if people := client.people_with_role(role):
            return Party(role, people[0])
    return Party(roles[0], None) if roles else None


def charter_for(client: Client, role_id: str, templates: Templates) -> ResolvedCharter:
    defaults = templates.structure("roles")["roles"][role_id].get("charter") or {}
    holders = client.people_with_role(role_id)
    sponsors = client.people_with_role("sponsor")
    holder = holders[0] if holders else None
    reports_to = _value(client, role_id, "reports_to")
    deputy = _value(client, role_id, "deputy")
    if deputy is not None:
        deputy_party = resolve_party(client, deputy, templates)
    else:  # the catalog's deputy: someone on the role's side holding one of its roles, never the holder; else to be agreed
        side = templates.structure("roles")["roles"][role_id].get("side")
        deputy_party = next((Party(role, person) for role in defaults.get("deputy", []) for person in client.people_with_role(role)
                             if person != holder and person.side == (side or person.side)), None)
    budget = client.project.budget
    limit = _value(client, role_id, "approval_limit")
    if limit is None and budget is not None:
        share = Decimal(str(defaults.get("approval_share", 0)))
        limit = (budget.amount * share).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return ResolvedCharter(
        role_id=role_id,
        version=_value(client, role_id, "version") or "1.0",
        date=_value(client, role_id, "date") or client.project.start,
        holder=holder,
        reports_to=resolve_party(client, reports_to, templates) if reports_to else _default_party(client, defaults.get("reports_to", [])),
        deputy=deputy_party,
        time_allocation=_value(client, role_id, "time_allocation") or int(defaults.get("time_allocation", 100)),
        approval_limit=limit,
        currency=budget.currency if budget else None,
        sponsor=sponsors[0] if sponsors else None,
    )


def problems(client: Client, templates: Templates) -> list[tuple[str, str, str]]:
    """What the consultant should fix in the client's charters, as (message, field, fix): all of it
    is printed somehow, so these are warnings."""
    found = []
    catalog = templates.structure("roles")["roles"]
    for role_id in client.charter.roles:
        if role_id not in catalog:
            found.append((f"charter for {role_id!r}, which is not a role with a role description", f"charter.roles.{role_id}",
                          f"use one of {', '.join(catalog)}"))
        elif role_id not in client.roles:
            found.append((f"charter for {role_id!r}, but roles does not list it, so no role description shows it",
                          f"charter.roles.{role_id}", f"add {role_id} to roles or remove this entry"))
    for role_id in (r for r in client.roles if r in catalog):
        charter = charter_for(client, role_id, templates)
        for name in ("reports_to", "deputy"):
            party = getattr(charter, name)
            label = name.replace("_", " ")
            if party is not None and party.typed:
                found.append((f"the {label} of {role_id}, {party.typed!r}, is neither a role id nor one of the client's people, "
                              "so the charter prints it without contact details", _source(client, role_id, name),
                              "give a role id or the name of a person listed under people"))
            elif party is not None and party.person is None:
                found.append((f"the {label} of {role_id} is the role {party.role_id}, which no person holds, so the charter "
                              "names the role only", _source(client, role_id, name),
                              f"add a person with role {party.role_id} to people, or name a person in {_source(client, role_id, name)}"))
            elif party is not None and charter.holder is not None and party.person == charter.holder:
                found.append((f"the {label} of {role_id} is its own holder, {charter.holder.name}", _source(client, role_id, name),
                              "name someone else"))
        if charter.deputy is None:
            found.append((f"no deputy for {role_id} (none of the people holds a role that deputises for it), so the charter "
                          "says 'to be agreed'", f"charter.roles.{role_id}.deputy",
                          f"name one: charter: {{roles: {{{role_id}: {{deputy: <a person's name>}}}}}}"))
        explicit = _value(client, role_id, "approval_limit") is not None
        budget = client.project.budget
        if explicit and budget is None:
            found.append((f"an approval limit for {role_id} but no project budget, so the limit has no currency",
                          _source(client, role_id, "approval_limit"), "give project.budget (amount and currency)"))
        elif explicit and budget is not None and charter.approval_limit is not None and charter.approval_limit > budget.amount:
            found.append((f"the approval limit of {role_id} ({charter.approval_limit}) is above the whole budget ({budget.amount})",
                          _source(client, role_id, "approval_limit"), "give a limit within the budget"))
        if charter.date > client.project.end:
            found.append((f"the charter of {role_id} is dated {charter.date}, after the project's end",
                          _source(client, role_id, "date"), "date it within the project"))
    return found
