"""The registry of document kinds: what each kind is built from and what it writes.

The planner, the workers, the manifest, the index pages, `collect`, the bench and the tests
read this table and nothing else, so a new kind is one `register(DocumentKind(...))` plus its
notebook and templates. An agency can ship its own kinds as a package, through the entry-point
group ``pmworkbook.kinds`` (each entry point names a DocumentKind), as papermill finds engines.

This module imports nothing heavy: build workers read it, and they never load pandas or pydantic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pmworkbook.core.templates import NOTEBOOKS_DIR

if TYPE_CHECKING:
    from pmworkbook.portfolio.model import Client

FORMATS = ("html", "pdf")
# Every document notebook's parameters: the client's validated data (a JSON-ready dict), where its
# side files go, and the templates folder ("" for the bundled one).
COMMON_PARAMETERS = ("client", "output_dir", "templates")


@dataclass(frozen=True)
class DocumentKind:
    """One kind of document: a notebook Papermill runs for a client, exported to HTML and PDF."""

    name: str  # also the file name of its documents: <name>[_<variant>].{ipynb,html,pdf}
    notebook: Path
    # One document per client (None), or one per variant, e.g. per role: the variant is passed as
    # the notebook's `variant_parameter` and its title is looked up under `variant_title_key`.
    variants: Callable[[Client], list[str]] | None = None
    variant_parameter: str | None = None
    variant_title_key: str | None = None  # e.g. "role_names.{variant}"
    extra_parameters: tuple[str, ...] = ()  # passed by a command of its own (collect's `responses`)
    side_files: tuple[str, ...] = ()  # glob patterns of what the notebook writes beside it; {variant} filled in
    title_key: str = ""  # i18n key of its title; default documents.<name>
    order: int = 50  # within a client, lower first: the longest first, so no worker waits at the end for one
    in_pack: bool = True  # built by `pmworkbook build`; False: by its own command (the evaluation report)
    formats: tuple[str, ...] = FORMATS

    @property
    def parameters(self) -> tuple[str, ...]:
        """The notebook's parameters, in the order of its parameters cell."""
        own = (self.variant_parameter,) if self.variant_parameter else ()
        return COMMON_PARAMETERS + own + self.extra_parameters

    @property
    def title(self) -> str:
        return self.title_key or f"documents.{self.name}"

    def document_name(self, variant: str | None) -> str:
        return f"{self.name}_{variant}" if variant else self.name

    def variants_of(self, client: Client) -> list[str | None]:
        return list(self.variants(client)) if self.variants else [None]

    def side_file_patterns(self, variant: str | None) -> list[str]:
        return [pattern.format(variant=variant or "") for pattern in self.side_files]


@dataclass
class Registry:
    """Document kinds by name; entry points of ``pmworkbook.kinds`` are added on first use."""

    kinds: dict[str, DocumentKind] = field(default_factory=dict)
    _entry_points_loaded: bool = False

    def register(self, kind: DocumentKind) -> DocumentKind:
        self.kinds[kind.name] = kind
        return kind

    def unregister(self, name: str) -> None:
        self.kinds.pop(name, None)

    def _load_entry_points(self) -> None:
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        from importlib.metadata import entry_points

        for entry in entry_points(group="pmworkbook.kinds"):
            kind = entry.load()
            if not isinstance(kind, DocumentKind):
                raise TypeError(f"entry point {entry.name!r} of pmworkbook.kinds is not a DocumentKind")
            self.register(kind)

    def get(self, name: str) -> DocumentKind:
        self._load_entry_points()
        try:
            return self.kinds[name]
        except KeyError:
            raise KeyError(f"unknown document kind {name!r}; known: {', '.join(self.kinds)}") from None

    def __iter__(self) -> Iterator[DocumentKind]:
        self._load_entry_points()
        return iter(sorted(self.kinds.values(), key=lambda kind: (kind.order, kind.name)))

    def in_pack(self) -> list[DocumentKind]:
        return [kind for kind in self if kind.in_pack]


def _roles(client: Client) -> list[str]:
    return list(client.roles)


def _evaluated(client: Client) -> list[str]:
    """One evaluation per evaluated person: the client-side PM, each agency PM (plan.evaluation)."""
    from pmworkbook.plan.evaluation import subjects

    return [subject.key for subject in subjects(client)]


def _last_completed_week(client: Client) -> list[str]:
    """The weekly status report's default week, the last completed one; `pmworkbook status --week`
    builds the week it is given instead (pmworkbook.batch.status)."""
    from pmworkbook.plan.status import choose_week

    return [str(choose_week(None, None)[0])]


document_kinds = Registry()
register = document_kinds.register

register(DocumentKind(
    name="communication_calendar", notebook=NOTEBOOKS_DIR / "communication_calendar.ipynb",
    side_files=("communication_calendar.ics",), order=10,
))
register(DocumentKind(
    name="role_description", notebook=NOTEBOOKS_DIR / "role_description.ipynb",
    variants=_roles, variant_parameter="role_id", variant_title_key="role_names.{variant}",
    side_files=("announcement_{variant}.eml",), order=20,
))
register(DocumentKind(
    name="evaluation_sheet", notebook=NOTEBOOKS_DIR / "evaluation_sheet.ipynb",
    variants=_evaluated, variant_parameter="subject", variant_title_key="role_names.{variant}",
    side_files=("evaluation_form_{variant}_*.xlsx",), order=30,
))
register(DocumentKind(
    name="evaluation_report", notebook=NOTEBOOKS_DIR / "evaluation_report.ipynb",
    variants=_evaluated, variant_parameter="subject", variant_title_key="role_names.{variant}",
    extra_parameters=("responses",), in_pack=False, order=40,
))
register(DocumentKind(
    name="service_log", notebook=NOTEBOOKS_DIR / "service_log.ipynb",
    side_files=("service_log.xlsx",), order=35,
))
register(DocumentKind(
    name="status_report", notebook=NOTEBOOKS_DIR / "status_report.ipynb",
    variants=_last_completed_week, variant_parameter="week",
    extra_parameters=("as_of", "inputs"), side_files=("status_{variant}.json",), in_pack=False, order=60,
))
