"""Where the project's notebooks, templates and examples live.

The package is installed editable from the repository, so they sit beside `lib/`. A team can
point at its own templates folder with ``PMWORKBOOK_TEMPLATES`` or ``--templates``.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("PMWORKBOOK_HOME", Path(__file__).resolve().parents[2]))
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
EXAMPLES_DIR = PROJECT_ROOT / "examples"
DEMO_PORTFOLIO = EXAMPLES_DIR / "demo-portfolio.yaml"
DEFAULT_TEMPLATES_DIR = PROJECT_ROOT / "templates"


def templates_dir() -> Path:
    """The active templates folder: the team's own if set, else the bundled one."""
    return Path(os.environ.get("PMWORKBOOK_TEMPLATES", DEFAULT_TEMPLATES_DIR))


def document_css_path() -> Path:
    """The stylesheet of every document page, in HTML and PDF."""
    return templates_dir() / "css" / "document.css"
