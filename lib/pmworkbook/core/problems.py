"""Problems as values: each names where it is (file, client, field), what is wrong and how to fix
it. Validation returns them; the command line prints them and chooses the exit status, the
workshop shows each next to its field. Nothing routes on the wording of a message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]

# Where users read the portfolio format; error messages point there.
FORMAT_DOC = "docs/portfolio.md"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where (file, client, field), what, and what would be right.

    `client` is how the user finds the client (``client 'acme-shop'``, ``row 3``); `client_id` is
    its id where it has one, for code that sorts problems by client."""

    file: str
    message: str
    client: str | None = None
    field: str | None = None
    fix: str | None = None
    severity: Severity = "error"
    client_id: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.client:
            where.append(self.client)
        if self.field:
            where.append(f"field '{self.field}'")
        text = f"{': '.join(where)}: {'warning: ' if self.severity == 'warning' else ''}{self.message}"
        if self.fix:
            text += f"; {self.fix}"
        return text


class PortfolioError(Exception):
    """The portfolio cannot be used as it is; `problems` lists everything found at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class MissingClientData(Exception):
    """A document notebook was run without the client's data."""


class DocumentError(Exception):
    """A document cannot be built from its data. Validation finds these first; this is the guard."""
