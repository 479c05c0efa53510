"""The RACI matrix of an engagement: deliverables × roles, checked before it is shown."""

from __future__ import annotations

from dataclasses import dataclass

from pmworkbook import catalogs
from pmworkbook.errors import DocumentError
from pmworkbook.portfolio import Client


@dataclass
class RaciMatrix:
    roles: list[str]
    rows: dict[str, dict[str, str]]  # deliverable -> role -> letter
    warnings: list[tuple[str, dict]]  # (catalog key, values)


def matrix_for(client: Client) -> dict[str, dict[str, str]]:
    """The client's own `raci`, or the catalog's default letters for each deliverable."""
    if client.raci is not None:
        return {row: dict(cells) for row, cells in client.raci.items()}
    defaults = catalogs.structure("roles")["roles"]
    present = [role for role in defaults if role in client.roles or client.people_with_role(role)]
    deliverables = client.project.deliverables or [m.name for m in client.project.milestones]
    return {row: {role: defaults[role]["raci"] for role in present} for row in deliverables}


def check(client: Client) -> RaciMatrix:
    """Validate the matrix: one A per row, at least one R, known roles; raise naming each broken row."""
    rows = matrix_for(client)
    structure = catalogs.structure("roles")
    known_roles = set(structure["roles"]) | set(structure.get("people_roles", [])) | {p.role for p in client.people}
    errors = []
    for row, cells in rows.items():
        for role, letter in cells.items():
            if role not in known_roles:
                errors.append(f"row {row!r}: unknown role {role!r} (known: {', '.join(sorted(known_roles))})")
            if letter not in ("R", "A", "C", "I"):
                errors.append(f"row {row!r}: role {role!r} has {letter!r}; give exactly one of R, A, C, I")
        accountable = [role for role, letter in cells.items() if letter == "A"]
        if len(accountable) != 1:
            errors.append(f"row {row!r}: {len(accountable)} roles are A ({', '.join(accountable) or 'none'}); exactly one must be accountable")
        if not any(letter == "R" for letter in cells.values()):
            errors.append(f"row {row!r}: no role is R; at least one must be responsible")
    if errors:
        raise DocumentError(f"client '{client.id}', field 'raci': " + "; ".join(errors))
    roles = list(dict.fromkeys(role for cells in rows.values() for role in cells))
    warnings = []
    for role in roles:
        count = sum(1 for cells in rows.values() if cells.get(role) == "A")
        if count > len(rows) / 2 and len(rows) > 2:
            warnings.append(("role.raci_warning_many_a", {"role": role, "count": count, "total": len(rows)}))
    for row, cells in rows.items():
        consulted = sum(1 for letter in cells.values() if letter == "C")
        if consulted > 3:
            warnings.append(("role.raci_warning_many_c", {"row": row, "count": consulted}))
    return RaciMatrix(roles, rows, warnings)
