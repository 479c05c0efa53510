"""Planning a build: one job per client × document, from the registry of document kinds, each
carrying everything its worker needs (the client's validated data, the notebook, the settings),
so that workers read neither the portfolio nor the registry, and a portfolio edited during a
build changes the next build only."""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmworkbook.core.templates import PACKAGE_DIR, Templates
from pmworkbook.core.version import __version__
from pmworkbook.documents.kinds import FORMATS, DocumentKind, document_kinds

if TYPE_CHECKING:  # workers unpickle jobs; they never need pydantic's models
    from pmworkbook.portfolio.model import Client

# Where workers write: <out>/.staging/<client>/<document>/. Only the build process moves files from
# there into a pack (pmworkbook.batch.packs). A client id never begins with a dot.
STAGING = ".staging"


@dataclass(frozen=True)
class Settings:
    """What the command line chose for a build: where packs go, which formats, which templates."""

    out: Path = Path("outputs")
    formats: tuple[str, ...] = FORMATS
    templates_folder: Path | None = None  # a team's own templates over the bundled ones
    timeout: int | None = None  # seconds a document may take

    @property
    def templates(self) -> Templates:
        return Templates.get(self.templates_folder)


@dataclass
class Job:
    """One document of one client's pack."""

    client_id: str
    client_name: str
    language: str
    kind: str
    variant: str | None
    notebook: str
    title: str  # the document's title in the client's language
    side_files: tuple[str, ...]  # glob patterns of the files its notebook writes beside it
    parameters: dict[str, Any]  # the notebook's parameters: the client's data among them
    out_dir: str
    settings: Settings
    fingerprint: str = ""  # of every input: rebuilt only when it changes

    @property
    def name(self) -> str:
        return f"{self.kind}_{self.variant}" if self.variant else self.kind

    @property
    def staging_dir(self) -> Path:
        """The folder its worker writes the document's files to: in the output folder, so that moving
        them into the pack is a rename."""
        return Path(self.out_dir).parent / STAGING / self.client_id / self.name


@dataclass
class Result:
    client_id: str
    name: str
    kind: str
    status: str  # "ok", "failed", or "held": built, but not moved into the pack because another of its client's failed
    seconds: float
    files: list[dict[str, str]] = field(default_factory=list)
    error: str = ""
    variant: str | None = None
    fingerprint: str = ""
    reused: bool = False
    stale: bool = False  # an earlier build's document whose client was refused this time

    @classmethod
    def failure(cls, job: Job, error: str, seconds: float = 0.0, files: list[dict[str, str]] | None = None) -> Result:
        return cls(job.client_id, job.name, job.kind, "failed", seconds, files or [], error=error, variant=job.variant,
                   fingerprint=job.fingerprint)


def package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {"pmworkbook": __version__, "python": sys.version.split()[0]}
    for name in ("papermill", "nbconvert", "nbclient", "weasyprint", "holidays", "icalendar", "babel", "openpyxl", "pandas"):
        with contextlib.suppress(PackageNotFoundError):
            versions[name] = version(name)
    return versions


@lru_cache(maxsize=4)
def _code_digest(templates: Templates) -> str:
    """What every document depends on besides its client: templates, the library, tool versions."""
    digest = hashlib.sha256(templates.digest().encode())
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
        digest.update(path.read_bytes())
    digest.update(json.dumps(package_versions(), sort_keys=True).encode())
    return digest.hexdigest()


def fingerprint(kind: DocumentKind, parameters: dict[str, Any], settings: Settings) -> str:
    """Of exactly what the document is built from: its parameters (the client's data), its
    notebook, the templates and library, and the formats."""
    digest = hashlib.sha256()
    digest.update(json.dumps({k: v for k, v in parameters.items() if k != "output_dir"}, sort_keys=True, default=str).encode())
    digest.update(kind.notebook.read_bytes())
    digest.update(_code_digest(settings.templates).encode())
    digest.update(",".join(settings.formats).encode())
    return digest.hexdigest()


def client_parameters(client: Client) -> dict[str, Any]:
    """The client's validated data as a notebook parameter: plain JSON (Papermill writes it into
    the notebook as a Python literal, so the kept .ipynb shows what made the document)."""
    return client.model_dump(mode="json", exclude_defaults=False)


def plan_jobs(clients: list[Client], settings: Settings, kinds: list[DocumentKind] | None = None,
              extra: dict[str, Any] | None = None) -> list[Job]:
    """A job per client × document kind (× variant), the longest kinds of each client first."""
    kinds = kinds if kinds is not None else document_kinds.in_pack()
    templates = settings.templates
    jobs = []
    for client in clients:
        out_dir = (settings.out / client.id).resolve()
        data = client_parameters(client)
        for kind in kinds:
            for variant in kind.variants_of(client):
                parameters: dict[str, Any] = {"client": data, "output_dir": str(out_dir),
                                              "templates": str(settings.templates_folder or "")}
                if kind.variant_parameter:
                    parameters[kind.variant_parameter] = variant
                parameters.update(extra or {})
                jobs.append(Job(
                    client_id=client.id, client_name=client.name, language=client.language, kind=kind.name,
                    variant=variant, notebook=str(kind.notebook),
                    title=templates.text("i18n", client.language)[kind.title],
                    side_files=tuple(kind.side_file_patterns(variant)), parameters=parameters, out_dir=str(out_dir),
                    settings=settings, fingerprint=fingerprint(kind, parameters, settings),
                ))
    return jobs
