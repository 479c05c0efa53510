"""Serving the two apps: `make workshop` and `make rate` (Voila: the notebook as a page, no code) and
`make lab` (JupyterLab, for consultants who edit). Each serves one folder, the *root*, whose `outputs/`
are reachable from the page, so that the links "Build pack" shows open in both modes.

The kernel learns where it runs from environment variables that the server passes on:
PMWORKBOOK_PORTFOLIO, PMWORKBOOK_OUT, PMWORKBOOK_RESPONSES (the notebook's empty parameters),
PMWORKBOOK_ROOT (the served folder) and PMWORKBOOK_FILES_URL (the URL that serves it).

    python -m pmworkbook.apps.server workshop|rate|lab [--root DIR] [--portfolio FILE] [--port N] [--no-browser]
                                     [--language en|zh|pl|ru]

The apps speak each client's language (and offer the others). JupyterLab's own menus and dialogs
follow its language packs (zh-CN, pl-PL and ru-RU are dependencies): `--language` opens the Lab in
that language, and without it a portfolio whose clients all share one language opens it in theirs.
Either is only the Lab's default: a language picked under Settings → Language is kept.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from pmworkbook.core.templates import DEMO_PORTFOLIO, NOTEBOOKS_DIR

APPS = {"workshop": "workshop.ipynb", "rate": "evaluation_form.ipynb"}
# The locale of JupyterLab's language pack for each language of the documents.
LAB_LOCALES = {"en": "en", "zh": "zh_CN", "pl": "pl_PL", "ru": "ru_RU"}
TRANSLATION_PLUGIN = "@jupyterlab/translation-extension:plugin"
NOTIFICATION_PLUGIN = "@jupyterlab/apputils-extension:notification"
# The files of a pack that a page links to; only these may be fetched from the app's server, never
# the executed notebooks, the portfolio or code.
LINKED_SUFFIXES = (".pdf", ".html", ".ics", ".xlsx", ".eml", ".png", ".svg")
SERVED_FILES = r"outputs/.*\.(" + "|".join(suffix[1:] for suffix in LINKED_SUFFIXES) + ")"


def setting(name: str, given: str | None = None, default: str | Path | None = None) -> str | None:
    """A notebook parameter: the value given, else the server's PMWORKBOOK_<NAME>, else the default."""
    if given:
        return str(given)
    value = os.environ.get(f"PMWORKBOOK_{name.upper()}")
    return value or (str(default) if default is not None else None)


def query(name: str) -> str | None:
    """A value from the page's address (Voila passes it to the kernel): ?client=harbor-health."""
    values = parse_qs(os.environ.get("QUERY_STRING", "")).get(name)
    return values[0] if values else None


def file_url(path: Path) -> str | None:
    """The URL under which the served page reaches `path`, or None when it lies outside the served root."""
    root, prefix = os.environ.get("PMWORKBOOK_ROOT"), os.environ.get("PMWORKBOOK_FILES_URL")
    if not root or prefix is None:
        return None
    try:
        relative = Path(path).resolve().relative_to(Path(root).resolve())
    except ValueError:
        return None
    return prefix + quote(relative.as_posix())


def in_voila() -> bool:
    return os.environ.get("SERVER_SOFTWARE", "").startswith("voila")


def notebook_in(root: Path, name: str) -> Path:
    """The app's notebook at a path under `root` (a server serves nothing outside its root): the bundled
    one when it lies there (a clone of the repository), else a copy in root/pmworkbook-apps/."""
    bundled = NOTEBOOKS_DIR / name
    try:
        bundled.resolve().relative_to(root.resolve())
        return bundled
    except ValueError:
        copy = root / "pmworkbook-apps" / name
        copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(bundled, copy)
        return copy


def environment(root: Path, files_url: str, portfolio: str | None, out: Path, responses: Path) -> dict[str, str]:
    return {**os.environ, "PMWORKBOOK_ROOT": str(root), "PMWORKBOOK_FILES_URL": files_url,
            "PMWORKBOOK_PORTFOLIO": str(Path(portfolio).resolve()) if portfolio else str(DEMO_PORTFOLIO),
            "PMWORKBOOK_OUT": str(out), "PMWORKBOOK_RESPONSES": str(responses)}


def app_page(handler: Any, notebook: Any, cwd: str) -> Any:
    """Voila's prelaunch hook: the app shows the form only. The notebook's markdown (its title and
    "change the parameters, then run all cells") is for JupyterLab, in English, and not for a room."""
    notebook.cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    return notebook


def voila_config() -> Path:
    """A folder with a voila.py that sets the prelaunch hook (a callable cannot be given on the command line)."""
    folder = Path(tempfile.mkdtemp(prefix="pmworkbook-voila-"))
    (folder / "voila.py").write_text("from pmworkbook.apps.server import app_page\n\n"
                                     "c.VoilaConfiguration.prelaunch_hook = app_page  # noqa: F821\n", encoding="utf-8")
    return folder


def voila_command(app: str, root: Path, port: int, browser: bool) -> list[str]:
    notebook = notebook_in(root, APPS[app])
    return [sys.executable, "-m", "voila", str(notebook), f"--Voila.root_dir={root}", f"--port={port}",
            f"--Voila.config_file_paths={voila_config()}",
            "--Voila.ip=127.0.0.1", f"--VoilaConfiguration.file_allowlist={SERVED_FILES}",
            "--VoilaConfiguration.show_tracebacks=False", *([] if browser else ["--no-browser"])]


def lab_settings(language: str | None) -> Path:
    """JupyterLab's application settings folder as a copy, whose overrides make `language` the
    default of the Lab's interface language, and never ask whether to fetch Jupyter's news (a
    pop-up over the form on a first start). Overrides are defaults: a language a person picked
    under Settings → Language (a user setting) still wins, and the Lab's own files are not changed."""
    from jupyterlab.commands import get_app_dir

    app_dir = Path(get_app_dir())
    folder = Path(tempfile.mkdtemp(prefix="pmworkbook-lab-"))
    settings = folder / "settings"
    if (app_dir / "settings").is_dir():
        shutil.copytree(app_dir / "settings", settings)
    settings.mkdir(exist_ok=True)
    if (app_dir / "static").is_dir():  # the Lab reads the build's metadata beside its settings folder
        (folder / "static").symlink_to(app_dir / "static", target_is_directory=True)
    overrides = settings / "overrides.json"
    data = json.loads(overrides.read_text(encoding="utf-8")) if overrides.is_file() else {}
    data.setdefault(NOTIFICATION_PLUGIN, {}).update(fetchNews="false", checkForUpdates=False)
    if language:
        data.setdefault(TRANSLATION_PLUGIN, {})["locale"] = LAB_LOCALES[language]
    overrides.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return settings


def portfolio_language(portfolio: str | None) -> str | None:
    """The language of every client of the portfolio when they share one; None otherwise."""
    from pmworkbook.core.templates import Templates
    from pmworkbook.plan.validation import validate

    validation = validate(portfolio or DEMO_PORTFOLIO, Templates.get())
    languages = {client.language for client in validation.portfolio.clients} if validation.portfolio else set()
    return languages.pop() if len(languages) == 1 else None


def lab_command(root: Path, port: int, browser: bool, language: str | None = None) -> list[str]:
    notebooks = notebook_in(root, APPS["workshop"]).parent
    start = quote(notebooks.resolve().relative_to(root.resolve()).as_posix())
    return [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}", f"--ServerApp.port={port}",
            f"--LabApp.default_url=/lab/tree/{start}", "--LabApp.news_url=",  # no news pop-up over the form
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--LabApp.app_settings_dir={lab_settings(language)}",
            *([] if browser else ["--no-browser"]), *(["--allow-root"] if os.geteuid() == 0 else [])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pmworkbook.apps.server", description=__doc__.split("\n\n")[0])
    parser.add_argument("app", choices=[*APPS, "lab"])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the folder served; its outputs/ open from the page")
    parser.add_argument("--portfolio", help="the portfolio file; default: the bundled demo")
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--language", choices=list(LAB_LOCALES),
                        help="JupyterLab's interface language (lab only); default: the clients' language when they share one")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if args.app == "lab":
        language = args.language or portfolio_language(args.portfolio)
        command, files_url = lab_command(root, args.port or 8888, not args.no_browser, language), "/files/"
    else:
        command, files_url = voila_command(args.app, root, args.port or 8866, not args.no_browser), "/voila/files/"
    env = environment(root, files_url, args.portfolio, root / "outputs", root / "responses")
    return subprocess.call(command, env=env, cwd=root)


if __name__ == "__main__":
    raise SystemExit(main())
