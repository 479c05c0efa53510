"""The RACI matrix of an engagement: deliverables × roles, and its rules (exactly one A per row,
at least one R, known roles and letters). A client without its own `raci` gets a default that
keeps the rules for any combination of roles. Broken rules are validation errors; a client's own
matrix that holds but could be better (one role accountable for most rows, many consulted) gets
advice for the consultant in `validate`, never a line in the client's document."""

from __future__ import annotations

from dataclasses import dataclass

from pmworkbook.core.problems import DocumentError
from pmworkbook.core.templates import Templates
from pmworkbook.portfolio.model import Client

LETTERS = ("R", "A", "C", "I")


@dataclass
class RaciMatrix:
    roles: list[str]
    rows: dict[str, dict[str, str]]  # deliverable -> role -> letter


@dataclass(frozen=True)
class RaciFinding:
    """A broken rule or a piece of advice about one row (or the whole matrix when row is None)."""

    row: str | None
    message: str
    fix: str


def present_roles(client: Client, templates: Templates) -> list[str]:
    """The catalog roles a client has: listed in its `roles` or held by one of its people."""
    return [role for role in templates.structure("roles")["roles"] if role in client.roles or client.people_with_role(role)]


def default_letters(roles: list[str], templates: Templates) -> dict[str, str]:
    """The default letter of each role for every deliverable: exactly one A (the client's side,
    which accepts) and one R (the agency's side, which delivers) whatever the roles, following
    `default_raci` of the role catalog; the other roles their own `raci` letter."""
    if not roles:
        return {}
    structure = templates.structure("roles")
    specs = structure["roles"]
    orders = structure.get("default_raci") or {  # a team's role catalog without one: its own letters
        "accountable": [r for r in specs if specs[r]["raci"] == "A"] + ["sponsor"],
        "responsible": [r for r in specs if specs[r]["raci"] == "R"] + list(specs),
    }
    accountable, fallback = orders["accountable"], orders["accountable"][-1]
    a_role = next((r for r in accountable if r in roles), fallback)
    r_role = next((r for r in orders["responsible"] if r in roles and r != a_role), None)
    if r_role is None:  # the accountable role is the only one: it does the work, the next one accepts it
        r_role = a_role
        a_role = next((r for r in accountable[accountable.index(a_role) + 1:]), fallback)
    # The sponsor, when it is the A without being one of the roles, comes first: the client's side.
    letters = {a_role: "A"} | {role: specs[role]["raci"] if specs[role]["raci"] in ("C", "I") else "I" for role in roles}
    letters.update({a_role: "A", r_role: "R"})
    return letters


def matrix_for(client: Client, templates: Templates) -> dict[str, dict[str, str]]:
    """The client's own `raci`, or the default letters for each deliverable (no rows when the
    client has none of the catalog's roles: no document shows a matrix then)."""
    if client.raci is not None:
        return {row: dict(cells) for row, cells in client.raci.items()}
    letters = default_letters(present_roles(client, templates), templates)
    if not letters:
        return {}
    deliverables = client.project.deliverables or [m.name for m in client.project.milestones]
    return {row: dict(letters) for row in deliverables}


def rule_breaks(client: Client, templates: Templates) -> list[RaciFinding]:
    """Every broken rule of the client's matrix, one finding each."""
    rows = matrix_for(client, templates)
    structure = templates.structure("roles")
    known_roles = set(structure["roles"]) | set(structure.get("people_roles", [])) | {p.role for p in client.people}
    found = []
    for row, cells in rows.items():
        for role, letter in cells.items():
            if role not in known_roles:
                found.append(RaciFinding(row, f"unknown role {role!r}", f"use one of {', '.join(sorted(known_roles))}"))
            if letter not in LETTERS:
                found.append(RaciFinding(row, f"role {role!r} has {letter!r}", "give exactly one of R, A, C, I"))
        accountable = [role for role, letter in cells.items() if letter == "A"]
        if len(accountable) != 1:
            found.append(RaciFinding(row, f"{len(accountable)} roles are A ({', '.join(accountable) or 'none'})",
                                     "make exactly one role accountable (A)"))
        if not any(letter == "R" for letter in cells.values()):
            found.append(RaciFinding(row, "no role is R", "make at least one role responsible (R)"))
    return found


def advice(client: Client, templates: Templates) -> list[RaciFinding]:
    """What a consultant may want to change in the client's own matrix that keeps the rules. The
    default matrix gets none: one accountable role in every row is its design, not a slip."""
    if client.raci is None:
        return []
    rows = matrix_for(client, templates)
    found = []
    for role in dict.fromkeys(role for cells in rows.values() for role in cells):
        count = sum(1 for cells in rows.values() if cells.get(role) == "A")
        if count > len(rows) / 2 and len(rows) > 2:
            found.append(RaciFinding(None, f"{role} is accountable (A) for {count} of {len(rows)} deliverables",
                                     "consider sharing accountability"))
    for row, cells in rows.items():
        consulted = sum(1 for letter in cells.values() if letter == "C")
        if consulted > 3:
            found.append(RaciFinding(row, f"{consulted} roles are consulted (C)", "consider informing some of them instead"))
    return found


def check(client: Client, templates: Templates) -> RaciMatrix:
    """The matrix a document shows; DocumentError if it breaks a rule (validation reports those first)."""
    breaks = rule_breaks(client, templates)
    if breaks:
        raise DocumentError(f"client '{client.id}', field 'raci': " + "; ".join(f"row {b.row!r}: {b.message}" for b in breaks))
    rows = matrix_for(client, templates)
    return RaciMatrix(list(dict.fromkeys(role for cells in rows.values() for role in cells)), rows)
