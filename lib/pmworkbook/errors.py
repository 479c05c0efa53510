"""Errors that carry every problem found, each naming where it is and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where (file, client, field), what, and what would be right."""

    file: str
    message: str
    client: str | None = None
    field: str | None = None
    fix: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.client:
            where.append(self.client)
        if self.field:
            where.append(f"field '{self.field}'")
        text = f"{': '.join(where)}: {self.message}"
        if self.fix:
            text += f"; {self.fix}"
        return text


class PortfolioError(Exception):
    """The portfolio cannot be used as it is; `problems` lists everything found at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class DocumentError(Exception):
    """A document cannot be built from otherwise valid data (for example a broken RACI matrix)."""
