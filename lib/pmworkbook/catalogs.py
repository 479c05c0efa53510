"""Content catalogs in the templates folder: client-facing text per language, structure shared.

    templates/i18n/<lang>.yaml          headings, labels and sentences of the documents
    templates/catalogs/<name>.yaml      structure shared by all languages (ids, weights, rules)
    templates/catalogs/<name>.<lang>.yaml   the text of that structure in one language

Text is never taken from another language: a missing key is an error, and a test keeps the
four languages' keys identical.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from pmworkbook.errors import Problem
from pmworkbook.paths import templates_dir

if TYPE_CHECKING:
    from pmworkbook.portfolio import Client


@lru_cache(maxsize=64)
def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def structure(name: str) -> dict[str, Any]:
    """The language-neutral part of catalog `name` (roles, cadences, criteria)."""
    return _load(templates_dir() / "catalogs" / f"{name}.yaml")


def text(name: str, language: str) -> "Texts":
    """The text of catalog `name` in `language`; `name` 'i18n' is the documents' own strings."""
    base = templates_dir()
    path = base / "i18n" / f"{language}.yaml" if name == "i18n" else base / "catalogs" / f"{name}.{language}.yaml"
    return Texts(_load(path), str(path))


class Texts:
    """Nested catalog text looked up by dotted keys: ``texts["calendar.title"]``."""

    def __init__(self, data: dict[str, Any], source: str):
        self.data = data
        self.source = source

    def __getitem__(self, key: str) -> Any:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"{self.source}: no entry {key!r}; add it to this catalog (and to every other language)")
            node = node[part]
        return node

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def format(self, key: str, **values: Any) -> str:
        return str(self[key]).format(**values)

    def __call__(self, key: str, **values: Any) -> str:
        return self.format(key, **values)


def check_client_references(client: "Client", source: str, label: str) -> list[Problem]:
    """Problems with catalog ids a client names: roles, cadence preset, criteria preset."""
    problems = []
    roles = structure("roles")["roles"]
    for index, role in enumerate(client.roles):
        if role not in roles:
            problems.append(Problem(source, f"unknown role {role!r}", client=label, field=f"roles[{index}]",
                                    fix=f"use one of {', '.join(roles)}"))
    people_roles = set(roles) | set(structure("roles").get("people_roles", []))
    for index, person in enumerate(client.people):
        if person.role not in people_roles:
            problems.append(Problem(source, f"unknown role {person.role!r}", client=label, field=f"people[{index}].role",
                                    fix=f"use one of {', '.join(sorted(people_roles))}"))
    presets = structure("cadences")["presets"]
    if client.communication.preset not in presets:
        problems.append(Problem(source, f"unknown cadence preset {client.communication.preset!r}", client=label,
                                field="communication.preset", fix=f"use one of {', '.join(presets)}"))
    criteria = structure("criteria")["presets"]
    if client.evaluation.preset not in criteria:
        problems.append(Problem(source, f"unknown criteria preset {client.evaluation.preset!r}", client=label,
                                field="evaluation.preset", fix=f"use one of {', '.join(criteria)}"))
    return problems


def document_title(kind: str, language: str) -> str:
    """The title of a document kind in a language (here, not in `documents`: build workers
    need it without loading what the documents themselves import)."""
    return text("i18n", language)[f"documents.{kind}"]
