"""Evaluation criteria in the client's language, rater groups' anonymity thresholds, and what
identifies a returned form."""

from __future__ import annotations

from typing import Any

from pmworkbook.core.templates import Templates
from pmworkbook.portfolio.model import Client

# A group with fewer responses than this shows neither scores nor comments (anonymity).
ANONYMITY_THRESHOLDS = {"self": 1, "manager": 1, "team": 3, "client": 3}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORM_ID_SHEET = "pmworkbook"


def threshold(group: str) -> int:
    return ANONYMITY_THRESHOLDS[group]


def criteria_for(client: Client, templates: Templates) -> list[dict[str, Any]]:
    """The preset's criteria with their text in the client's language and weights as shares of 1."""
    structure = templates.structure("criteria")
    text = templates.text("criteria", client.language)
    preset = structure["presets"][client.evaluation.preset]
    total = sum(c["weight"] for c in preset)
    return [{
        "id": c["id"], "section": text[f"sections.{c['section']}"], "weight": c["weight"] / total,
        "name": text[f"criteria.{c['id']}.name"], "description": text[f"criteria.{c['id']}.description"],
        "anchors": list(text[f"criteria.{c['id']}.anchors"]),
    } for c in preset]
