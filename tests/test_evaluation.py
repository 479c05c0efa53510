"""Evaluation: fillable forms filled as raters would, collected, and every figure of the report
compared with an independent calculation written here."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from statistics import mean

import openpyxl
import pytest
import yaml

from conftest import DEMO, run_cli
from pmworkbook.core.templates import BUNDLED_TEMPLATES

CLIENT = "sever-logistics"  # Russian: the report's numbers use a decimal comma
CRITERIA = yaml.safe_load((BUNDLED_TEMPLATES / "catalogs" / "criteria.yaml").read_text(encoding="utf-8"))
IDS = [c["id"] for c in CRITERIA["presets"]["client_pm"]]
WEIGHTS = {c["id"]: c["weight"] for c in CRITERIA["presets"]["client_pm"]}
NOT_OBSERVED = "Не наблюдалось"


def fill(blank: Path, target: Path, scores: list, comments: dict[int, str] | None = None) -> Path:
    """Fill a copy of a blank form the way a rater does in a spreadsheet program."""
    workbook = openpyxl.load_workbook(blank)
    identity = {row[0]: row[1] for row in workbook["pmworkbook"].iter_rows(values_only=True)}
    sheet = workbook.worksheets[0]
    for offset, score in enumerate(scores):
        sheet.cell(row=int(identity["first_row"]) + offset, column=4).value = score
    for offset, text in (comments or {}).items():
        cell = sheet.cell(row=int(identity["first_row"]) + offset, column=5)
        cell.value = text
        cell.data_type = "s"  # what a spreadsheet stores for typed text
    workbook.save(target)
    return target


def expected_weighted(scores: list) -> float:
    answered = [(WEIGHTS[c], s) for c, s in zip(IDS, scores, strict=True) if isinstance(s, int)]
    return sum(w * s for w, s in answered) / sum(w for w, _ in answered)


RATERS = {
    "self": [[5, 4, 4, 5, 4, 5]],
    "manager": [[4, 3, 4, 4, 3, 4]],
    "team": [[4, 4, 3, 5, 4, 4], [3, NOT_OBSERVED, 4, 4, 3, 3], [5, 4, 4, 4, 5, 4]],
    "client": [[2, 3, 2, 3, 2, 2], [3, 3, 3, 3, 3, 2]],  # two of three: withheld
}
TEAM_FORMULA_COMMENT = "=SUM(A1:A9) is what the budget sheet says"
CLIENT_SECRET_COMMENT = "Only the client said this"


@pytest.fixture(scope="module")
def collected(demo_packs, tmp_path_factory):
    blanks = demo_packs / CLIENT
    inbox = tmp_path_factory.mktemp("inbox")
    for group, forms in RATERS.items():
        for number, scores in enumerate(forms, start=1):
            comments = {}
            if group == "team" and number == 1:
                comments = {0: TEAM_FORMULA_COMMENT}
            if group == "client" and number == 1:
                comments = {2: CLIENT_SECRET_COMMENT}
            fill(blanks / f"evaluation_form_{group}.xlsx", inbox / f"{group}-{number}.xlsx", scores, comments)
    # files that must be rejected, each with its reason
    fill(demo_packs / "acme-shop" / "evaluation_form_team.xlsx", inbox / "other-client.xlsx", [5] * 6)
    shutil.copy(inbox / "team-1.xlsx", inbox / "team-1-again.xlsx")
    fill(blanks / "evaluation_form_team.xlsx", inbox / "out-of-range.xlsx", [4, 7, 4, 4, 4, 4])
    fill(blanks / "evaluation_form_team.xlsx", inbox / "empty.xlsx", [None] * 6)
    out = tmp_path_factory.mktemp("collect") / "outputs"
    result = run_cli("collect", inbox, "--portfolio", DEMO, "--client", CLIENT, "--out", out)
    return result, out / CLIENT


def test_collect_counts_good_forms_and_rejects_the_rest_with_reasons(collected):
    result, folder = collected
    assert result.returncode == 1, result.stdout + result.stderr
    assert "7 response(s) counted, 4 rejected" in result.stdout
    reasons = dict(re.findall(r"rejected (\S+): (.*)", result.stderr))
    assert "for client 'acme-shop', not 'sever-logistics'" in reasons["other-client.xlsx"]
    assert "same file as" in reasons["team-1.xlsx"] or "same file as" in reasons["team-1-again.xlsx"]
    assert "out of range" in reasons["out-of-range.xlsx"] and "7" in reasons["out-of-range.xlsx"]
    assert "empty" in reasons["empty.xlsx"]
    assert (folder / "evaluation_report.html").exists() and (folder / "evaluation_report.pdf").exists()


def test_every_figure_matches_an_independent_calculation(collected):
    _, folder = collected
    from pmworkbook.core.templates import Templates
    from pmworkbook.plan.evaluation import criteria_for
    from pmworkbook.plan.responses import Collected
    from pmworkbook.plan.scoring import score
    from pmworkbook.plan.validation import validate

    templates = Templates.get()
    data = Collected.from_json((folder / "evaluation_responses.json").read_text(encoding="utf-8"))
    client = validate(DEMO, templates).require().client(CLIENT)
    report = score(data.responses, criteria_for(client, templates), templates.structure("criteria")["bands"])

    per_rater = {group: [expected_weighted(s) for s in forms] for group, forms in RATERS.items()}
    others = per_rater["manager"] + per_rater["team"] + per_rater["client"]  # withheld client counts here
    assert report.overall == pytest.approx(mean(others))
    assert report.self_score == pytest.approx(per_rater["self"][0])
    assert report.gap == pytest.approx(per_rater["self"][0] - mean(others))
    groups = {g.group: g for g in report.groups}
    assert groups["team"].shown and groups["team"].score == pytest.approx(mean(per_rater["team"]))
    assert groups["manager"].score == pytest.approx(per_rater["manager"][0])
    assert not groups["client"].shown and groups["client"].score is None and groups["client"].responses == 2
    # "not observed" is left out of the criterion's mean, not counted as zero
    budget_values = [forms[1] for g in ("manager", "team", "client") for forms in RATERS[g] if isinstance(forms[1], int)]
    assert report.criteria["budget_control"] == pytest.approx(mean(budget_values))
    assert report.criteria_counts["budget_control"] == 5
    assert report.band == next(b["id"] for b in CRITERIA["bands"] if mean(others) >= b["min"])


def ru(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def test_the_report_shows_the_figures_withholds_the_small_group_and_keeps_comments_literal(collected):
    _, folder = collected
    html = (folder / "evaluation_report.html").read_text(encoding="utf-8")
    per_rater = {group: [expected_weighted(s) for s in forms] for group, forms in RATERS.items()}
    others = mean(per_rater["manager"] + per_rater["team"] + per_rater["client"])
    assert ru(others) in html
    assert ru(mean(per_rater["team"])) in html
    assert ru(per_rater["self"][0] - others) in html
    assert "Скрыто (недостаточно ответов: меньше 3)" in html
    assert CLIENT_SECRET_COMMENT not in html
    assert TEAM_FORMULA_COMMENT in html
    assert html.count('src="data:image/png;base64,') >= 2  # the bar and radar charts, embedded and static


def test_the_russian_report_pdf_has_its_text(collected):
    _, folder = collected
    text = subprocess.run(["pdftotext", "-layout", str(folder / "evaluation_report.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "Отчёт об оценке" in text and "Общий балл" in text and "Страница 1 из" in text
    manifest = json.loads((folder.parent / "manifest.json").read_text(encoding="utf-8"))
    assert any(d["name"] == "evaluation_report" and d["status"] == "ok" for d in manifest["documents"])


def test_blank_forms_have_dropdowns_identity_and_protection(demo_packs):
    workbook = openpyxl.load_workbook(demo_packs / CLIENT / "evaluation_form_team.xlsx")
    sheet = workbook.worksheets[0]
    assert sheet.protection.sheet
    assert workbook["pmworkbook"].sheet_state == "veryHidden"
    identity = {row[0]: row[1] for row in workbook["pmworkbook"].iter_rows(values_only=True)}
    assert identity["client_id"] == CLIENT and identity["rater_group"] == "team" and identity["preset"] == "client_pm"
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 1 and NOT_OBSERVED in validations[0].formula1 and '"1,2,3,4,5,' in validations[0].formula1
    first = int(identity["first_row"])
    covered = {cell for cell_range in validations[0].sqref.ranges for row in cell_range.rows for cell in row}
    assert covered == {(first + i, 4) for i in range(len(IDS))}
    assert not sheet.cell(row=first, column=4).protection.locked and sheet.cell(row=first, column=1).protection.locked


@pytest.mark.parametrize("preset", ["client_pm", "pm_by_client", "account_team"])
def test_every_preset_has_text_and_anchors_in_every_language(preset):
    for language in ("en", "zh", "pl", "ru"):
        text = yaml.safe_load((BUNDLED_TEMPLATES / "catalogs" / f"criteria.{language}.yaml").read_text(encoding="utf-8"))
        for criterion in CRITERIA["presets"][preset]:
            entry = text["criteria"][criterion["id"]]
            assert entry["name"] and entry["description"] and len(entry["anchors"]) == 5
