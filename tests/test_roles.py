"""Role descriptions in four languages: every responsibility area, no English left in zh/pl/ru,
a broken RACI refuses that client alone, RACI advice stays out of the document (the announcement
letter and its .eml: test_letters.py)."""

from __future__ import annotations

import re

import pytest
import yaml

from conftest import DEMO, DEMO_LANGUAGES, run_cli, visible_text
from pmworkbook.core.templates import BUNDLED_TEMPLATES

POLISH_STOPWORDS = {"the", "and", "with", "for", "every", "each", "of", "is", "are", "will", "project", "meeting", "report",
                    "weekly", "daily", "team", "scope", "risk", "quality", "change", "milestone", "review", "owner", "budget"}
ALWAYS_ALLOWED = {"RACI", "KPI", "SMART", "mail", "min", "Asia", "Shanghai", "Europe", "Moscow", "Warsaw", "America", "New_York"}


def typed_values(raw: dict) -> set[str]:
    """Everything the portfolio's authors typed: names, e-mails, project names (kept as typed)."""
    values: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            values.add(node)
    walk(raw)
    return values


@pytest.mark.parametrize("client_id", DEMO_LANGUAGES)
def test_every_responsibility_area_heading_is_in_the_clients_language(demo_packs, client_id):
    language = DEMO_LANGUAGES[client_id]
    i18n = yaml.safe_load((BUNDLED_TEMPLATES / "i18n" / f"{language}.yaml").read_text(encoding="utf-8"))
    text = visible_text((demo_packs / client_id / "role_description_client_pm.html").read_text(encoding="utf-8"))
    for heading in [*i18n["role"]["areas"].values(), i18n["role"]["raci"], i18n["role"]["goals"], i18n["role"]["letter"]]:
        assert heading in text, heading


@pytest.mark.parametrize("client_id", ["acme-shop", "huaxin-retail", "sever-logistics"])
def test_no_english_leaks_into_zh_pl_ru_documents(demo_packs, demo_raw, client_id):
    language = DEMO_LANGUAGES[client_id]
    typed = typed_values(demo_raw)
    for path in (demo_packs / client_id).glob("*.html"):
        text = visible_text(path.read_text(encoding="utf-8"))
        text = re.sub(r"\S+\.(ipynb|html|pdf|ics|xlsx|eml)\b", " ", text)  # file names are names, not prose
        for value in sorted((v for v in typed if len(v) > 2), key=len, reverse=True):  # not RACI letters
            text = text.replace(value, " ")
        words = re.findall(r"[A-Za-z][A-Za-z_]+", text)
        if language == "pl":
            leaked = [w for w in words if w.lower() in POLISH_STOPWORDS]
        else:
            leaked = [w for w in words if w not in ALWAYS_ALLOWED]
        assert not leaked, (path.name, sorted(set(leaked))[:20])


def test_raci_advice_is_a_validate_warning_and_stays_out_of_the_document(demo_packs):
    # the demo's client_pm is accountable for every deliverable: advice for the consultant
    result = run_cli("validate", DEMO)
    assert result.returncode == 0, result.stdout + result.stderr
    advice = [ln for ln in result.stderr.splitlines() if "client 'acme-shop'" in ln and "field 'raci'" in ln]
    assert advice and all("warning:" in ln for ln in advice), result.stderr
    assert any("client_pm is accountable (A) for 3 of 3 deliverables" in ln for ln in advice)
    html = (demo_packs / "acme-shop" / "role_description_client_pm.html").read_text(encoding="utf-8")
    text = visible_text(html)
    assert "accountable (A)" not in text and 'class="warnings"' not in html
    assert "zatwierdza (A)" not in text  # the Polish advice the document used to show


# The announcement letter and its .eml draft: tests/test_letters.py.
