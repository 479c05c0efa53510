"""Evaluation: a sheet and forms per evaluated person, fillable forms filled as raters would,
collected (numbered copies sent twice, an .ods, a formula's error), and every figure of the
report compared with an independent calculation written here."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from statistics import mean

import openpyxl
import pytest
import yaml

from conftest import DEMO, DEMO_LANGUAGES, demo_client, run_cli, visible_text, write_portfolio
from pmworkbook.core.templates import BUNDLED_TEMPLATES, Templates

CLIENT = "sever-logistics"  # Russian: the report's numbers use a decimal comma
CRITERIA = yaml.safe_load((BUNDLED_TEMPLATES / "catalogs" / "criteria.yaml").read_text(encoding="utf-8"))
IDS = [c["id"] for c in CRITERIA["presets"]["client_pm"]]
WEIGHTS = {c["id"]: c["weight"] for c in CRITERIA["presets"]["client_pm"]}
NOT_OBSERVED = "Не наблюдалось"


def identity_of(path: Path) -> dict:
    return {row[0]: row[1] for row in openpyxl.load_workbook(path)["pmworkbook"].iter_rows(values_only=True)}


def fill(blank: Path, target: Path, scores: list, comments: dict[int, str] | None = None, answers: dict[int, str] | None = None,
         cells: dict[str, object] | None = None, editor: str | None = None) -> Path:
    """Fill a copy of a blank form the way a rater does in a spreadsheet program (which records
    its user's name as the workbook's last editor, if it has one)."""
    workbook = openpyxl.load_workbook(blank)
    workbook.properties.lastModifiedBy = editor
    identity = {row[0]: row[1] for row in workbook["pmworkbook"].iter_rows(values_only=True)}
    sheet = workbook.worksheets[0]
    for offset, score in enumerate(scores):
        sheet.cell(row=int(identity["first_row"]) + offset, column=4).value = score
    for offset, text in (comments or {}).items():
        cell = sheet.cell(row=int(identity["first_row"]) + offset, column=5)
        cell.value = text
        cell.data_type = "s"  # what a spreadsheet stores for text typed into a Text cell
    for offset, text in (answers or {}).items():
        cell = sheet.cell(row=int(identity["open_first_row"]) + offset, column=2)
        cell.value = text
        cell.data_type = "s"
    for coordinate, value in (cells or {}).items():
        sheet[coordinate] = value
    workbook.save(target)
    return target


def expected_weighted(scores: list) -> float:
    answered = [(WEIGHTS[c], s) for c, s in zip(IDS, scores, strict=True) if isinstance(s, int)]
    return sum(w * s for w, s in answered) / sum(w for w, _ in answered)


RATERS = {
    "self": [[5, 4, 4, 5, 4, 5]],
    "manager": [[4, 3, 4, 4, 3, 4]],
    "team": [[4, 4, 3, 5, 4, 4], [3, 4, 4, 4, 3, 3], [5, 4, 4, 4, 5, NOT_OBSERVED]],
    "client": [[2, 3, 2, 3, 2, 2], [3, 3, 3, 3, 3, 2]],  # two of three: withheld
}
FIRST_VERSION = [1, 1, 1, 1, 1, 1]  # team copy 3 first sent like this, then corrected (RATERS["team"][2])
TEAM_FORMULA_COMMENT = "=SUM(A1:A9) is what the budget sheet says"
CLIENT_SECRET_COMMENT = "Only the client said this"
CLIENT_SECRET_ANSWER = "Only the client answered this"
TEAM_ANSWER = "Clear weekly priorities"
AGENCY_PM_COMMENT = "Ольга всегда на связи"


@pytest.fixture(scope="module")
def copies(demo_packs, tmp_path_factory):
    """Numbered copies of the team's form, made by `pmworkbook forms`."""
    folder = tmp_path_factory.mktemp("copies")
    result = run_cli("forms", DEMO, "--client", CLIENT, "--subject", "client_pm", "--copies", "3", "--to", folder)
    assert result.returncode == 0, result.stdout + result.stderr
    return result, folder


@pytest.fixture(scope="module")
def collected(demo_packs, copies, tmp_path_factory):
    blanks = demo_packs / CLIENT
    _, copy_folder = copies
    inbox = tmp_path_factory.mktemp("inbox")
    for group, forms in RATERS.items():
        for number, scores in enumerate(forms, start=1):
            comments, answers = {}, {}
            if group == "team" and number == 1:
                comments, answers = {0: TEAM_FORMULA_COMMENT}, {0: TEAM_ANSWER}
            if group == "client" and number == 1:
                comments, answers = {2: CLIENT_SECRET_COMMENT}, {0: CLIENT_SECRET_ANSWER}
            blank = blanks / f"evaluation_form_client_pm_{group}.xlsx"
            if group == "team":  # the team got numbered copies: one each
                blank = copy_folder / f"evaluation_form_client_pm_team_{number:02d}.xlsx"
            if group == "team" and number == 3:  # sent once, then corrected and sent again
                first = fill(blank, inbox / "team-3.xlsx", FIRST_VERSION)
                os.utime(first, (first.stat().st_mtime - 120,) * 2)
            fill(blank, inbox / f"{group}-{number}{'-corrected' if group == 'team' and number == 3 else ''}.xlsx", scores,
                 comments, answers)
    fill(blanks / "evaluation_form_project_manager_client.xlsx", inbox / "pm-client-1.xlsx", [4, 5, 4, 3, 4, 5], {0: AGENCY_PM_COMMENT})
    # files that must be rejected, each with its reason
    fill(demo_packs / "acme-shop" / "evaluation_form_client_pm_team.xlsx", inbox / "other-client.xlsx", [5] * 6)
    shutil.copy(inbox / "team-1.xlsx", inbox / "team-1-again.xlsx")
    fill(blanks / "evaluation_form_client_pm_team.xlsx", inbox / "out-of-range.xlsx", [4, 7, 4, 4, 4, 4])
    fill(blanks / "evaluation_form_client_pm_team.xlsx", inbox / "empty.xlsx", [None] * 6)
    shutil.copy(inbox / "manager-1.xlsx", inbox / "saved-as.ods")
    first = identity_of(blanks / "evaluation_form_client_pm_team.xlsx")["first_row"]
    # A cell holding a formula whose value is an error, as a spreadsheet caches it (what a General
    # cell made of "=2+2 is ..."): openpyxl writes the formula, the cached error is put in by hand.
    errored = fill(blanks / "evaluation_form_client_pm_team.xlsx", inbox / "formula-error.xlsx", [4] * 6, cells={f"E{first}": "=2+2 is great"})
    _cache_error(errored, f"E{first}")
    out = tmp_path_factory.mktemp("collect") / "outputs"
    shutil.copytree(demo_packs / CLIENT, out / CLIENT)
    (out / CLIENT / "evaluation_responses.json").write_text("{}", encoding="utf-8")  # as an earlier version left it
    result = run_cli("collect", inbox, "--portfolio", DEMO, "--client", CLIENT, "--out", out)
    return result, out / CLIENT


def _cache_error(path: Path, coordinate: str) -> None:
    """Give the formula in `coordinate` the cached value #VALUE!, as Excel or LibreOffice saves it."""
    import zipfile

    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    sheet, count = re.subn(rf'<c r="{coordinate}"([^>]*)><f>([^<]*)</f><v\s*/?>(?:</v>)?</c>',
                           rf'<c r="{coordinate}"\1 t="e"><f>\2</f><v>#VALUE!</v></c>', sheet)
    assert count == 1, sheet[:2000]
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)


def test_collect_counts_good_forms_and_rejects_the_rest_with_reasons(collected):
    result, folder = collected
    assert result.returncode == 1, result.stdout + result.stderr
    assert "8 response(s) counted, 6 rejected, 1 replaced by a later copy" in result.stdout
    assert re.search(r"replaced team-3\.xlsx by team-3-corrected\.xlsx: copy 3 of the team form of client_pm", result.stdout)
    reasons = dict(re.findall(r"rejected (\S+): (.*)", result.stderr))
    assert "for client 'acme-shop', not 'sever-logistics'" in reasons["other-client.xlsx"]
    assert "same file as" in reasons["team-1.xlsx"] or "same file as" in reasons["team-1-again.xlsx"]
    assert "out of range" in reasons["out-of-range.xlsx"] and "7" in reasons["out-of-range.xlsx"]
    assert "empty" in reasons["empty.xlsx"]
    first = identity_of(folder / "evaluation_form_client_pm_team.xlsx")["first_row"]
    assert f"cell E{first} holds the error #VALUE!" in reasons["formula-error.xlsx"]
    assert ".ods" in reasons["saved-as.ods"]
    # The rater gets the fix in their own language (the client's), with the file type to choose.
    assert "for the rater: Форма пришла в виде файла .ods" in result.stderr and "Excel 2007–365 (.xlsx)" in result.stderr
    for name in ("evaluation_report_client_pm", "evaluation_report_project_manager"):
        assert (folder / f"{name}.html").exists() and (folder / f"{name}.pdf").exists()


def test_raw_responses_stay_out_of_the_pack(collected):
    _, folder = collected
    private = folder.parent / "_responses" / CLIENT / "evaluation_responses.json"
    data = json.loads(private.read_text(encoding="utf-8"))
    assert {r["file"] for r in data["responses"]} >= {"client-1.xlsx", "client-2.xlsx"}
    # Nothing handed over holds a rater's raw answers: no responses file, and the kept notebooks
    # received only the path of the private file (the client group's words appear nowhere).
    assert not (folder / "evaluation_responses.json").exists()
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".ipynb", ".html"):
            text = path.read_text(encoding="utf-8")
            assert CLIENT_SECRET_COMMENT not in text and CLIENT_SECRET_ANSWER not in text, path
            assert "client-1.xlsx" not in text, path
    notebook = json.loads((folder / "evaluation_report_client_pm.ipynb").read_text(encoding="utf-8"))
    injected = next(c for c in notebook["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
    assert str(private.resolve()) in "".join(injected["source"])


def test_every_figure_matches_an_independent_calculation(collected):
    _, folder = collected
    from pmworkbook.plan.evaluation import criteria_for
    from pmworkbook.plan.responses import Collected
    from pmworkbook.plan.scoring import score

    templates = Templates.get()
    data = Collected.from_json((folder.parent / "_responses" / CLIENT / "evaluation_responses.json").read_text(encoding="utf-8"))
    mine = data.of("client_pm")
    report = score(mine.responses, criteria_for(demo_client(CLIENT), templates), templates.structure("criteria")["bands"])

    per_rater = {group: [expected_weighted(s) for s in forms] for group, forms in RATERS.items()}
    others = per_rater["manager"] + per_rater["team"]  # the withheld client group counts nowhere
    assert report.overall == pytest.approx(mean(others))
    assert report.self_score == pytest.approx(per_rater["self"][0])
    assert report.gap == pytest.approx(per_rater["self"][0] - mean(others))
    groups = {g.group: g for g in report.groups}
    assert groups["team"].shown and groups["team"].score == pytest.approx(mean(per_rater["team"]))  # the corrected copy 3
    assert groups["team"].responses == 3
    assert groups["manager"].score == pytest.approx(per_rater["manager"][0])
    assert not groups["client"].shown and groups["client"].score is None and groups["client"].responses == 2
    budget = [forms[1] for g in ("manager", "team") for forms in RATERS[g]]
    assert report.criteria["budget_control"] == pytest.approx(mean(budget))
    assert report.criteria_counts["budget_control"] == 4
    # "not observed" is left out, not a zero: the team's proactivity rests on two answers, too few to show
    assert groups["team"].criteria["proactivity"] is None and report.criteria["proactivity"] == RATERS["manager"][0][5]
    assert report.band == next(b["id"] for b in CRITERIA["bands"] if mean(others) >= b["min"])
    assert len(mine.replaced) == 1 and {r.subject for r in data.responses} == {"client_pm", "project_manager"}


def ru(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def test_the_report_shows_the_figures_withholds_the_small_group_and_keeps_comments_literal(collected):
    _, folder = collected
    html = (folder / "evaluation_report_client_pm.html").read_text(encoding="utf-8")
    text = visible_text(html)
    per_rater = {group: [expected_weighted(s) for s in forms] for group, forms in RATERS.items()}
    others = mean(per_rater["manager"] + per_rater["team"])
    assert ru(others) in text and ru(mean(per_rater["team"])) in text
    # the gap as one whole sentence: the self-rating is above, by a decimal in the genitive singular ("балла")
    self_score = per_rater["self"][0]
    assert self_score > others
    gap = float(f"{self_score:.2f}") - float(f"{others:.2f}")
    assert f"Самооценка ({ru(self_score)}) на {ru(gap)} балла выше оценки других ({ru(others)})." in text
    assert "Ирина Смирнова" in text  # the person evaluated
    assert "Скрыто (недостаточно ответов: меньше 3)" in text
    assert CLIENT_SECRET_COMMENT not in text and CLIENT_SECRET_ANSWER not in text
    assert TEAM_FORMULA_COMMENT in text and TEAM_ANSWER in text
    replaced = Templates.get().text("i18n", "ru").format("evaluation.report.replaced", count=1)
    assert replaced.startswith("Форм, присланных повторно: 1.") and replaced in text
    assert "Анонимность" in text and "команда\u00a0—\u00a03 и заказчик\u00a0—\u00a03)" in text
    assert html.count('src="data:image/png;base64,') >= 2  # the bar and radar charts, embedded and static
    agency_pm = visible_text((folder / "evaluation_report_project_manager.html").read_text(encoding="utf-8"))
    assert "Ольга Кузнецова" in agency_pm and AGENCY_PM_COMMENT not in agency_pm  # one client rater: withheld
    assert "Профессионализм" in agency_pm and TEAM_FORMULA_COMMENT not in agency_pm


def test_the_russian_report_pdf_has_its_text(collected):
    _, folder = collected
    text = subprocess.run(["pdftotext", "-layout", str(folder / "evaluation_report_client_pm.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    text = re.sub(r"\s+", " ", text)  # layout spaces, and the no-break spaces of Russian typography
    assert "Отчёт об оценке" in text and "Общий балл" in text and "Страница 1 из" in text
    manifest = json.loads((folder.parent / "manifest.json").read_text(encoding="utf-8"))
    reports = {d["variant"] for d in manifest["documents"] if d["kind"] == "evaluation_report" and d["status"] == "ok"}
    assert reports == {"client_pm", "project_manager"}


GAP_SENTENCES = {  # (self, others) -> the sentence, in the four languages
    "huaxin-retail": {(3.0, 3.89): "自评3.00分，他评3.89分，自评比他评低0.89分。",
                      (4.5, 3.61): "自评4.50分，他评3.61分，自评比他评高0.89分。",
                      (4.004, 3.996): "自评与他评一致，均为4.00分。"},
    "acme-shop": {(3.0, 3.89): "Samoocena (3,00) jest o 0,89 punktu niższa od oceny innych (3,89).",
                  (4.5, 3.5): "Samoocena (4,50) jest o 1,00 punktu wyższa od oceny innych (3,50).",
                  (4.0, 4.0): "Samoocena pokrywa się z oceną innych (4,00)."},
    "sever-logistics": {(3.0, 3.89): "Самооценка (3,00) на 0,89 балла ниже оценки других (3,89).",
                        (4.5, 2.5): "Самооценка (4,50) на 2,00 балла выше оценки других (2,50).",
                        (4.0, 4.0): "Самооценка совпадает с оценкой других (4,00)."},
    "harbor-health": {(3.0, 3.89): "The self-rating (3.00) is 0.89 points below the rating by others (3.89).",
                      (4.0, 3.0): "The self-rating (4.00) is 1.00 points above the rating by others (3.00).",
                      (4.0, 4.0): "The self-rating is the same as the rating by others (4.00)."},
}


@pytest.mark.parametrize("client_id", DEMO_LANGUAGES)
def test_the_gap_between_self_and_others_is_a_whole_sentence_for_each_sign(client_id):
    import dataclasses

    from pmworkbook.documents.evaluation_report import EvaluationReport

    document = EvaluationReport(demo_client(client_id))
    for (own, others), sentence in GAP_SENTENCES[client_id].items():
        document.report = dataclasses.replace(document.report, self_score=own, overall=others, gap=own - others)
        assert document.gap_text() == sentence
        assert f'<p class="gap">{sentence}</p>' in str(document.summary()).replace("&#39;", "'")
    document.report = dataclasses.replace(document.report, self_score=None)
    assert document.gap_text() is None


@pytest.mark.parametrize("language,number,category", [
    # CLDR: a number written with decimals is "other" in Polish and Russian (the genitive singular:
    # 0,89 punktu, 1,00 балла) and in English unless a whole 1; whole numbers take one, few or many.
    ("pl", 0.89, "other"), ("pl", 1, "one"), ("pl", 2, "few"), ("pl", 5, "many"),
    ("ru", 0.89, "other"), ("ru", 21, "one"), ("ru", 3, "few"), ("ru", 11, "many"),
    ("en", 0.89, "other"), ("en", 1, "one"),
])
def test_babel_gives_the_plural_category_of_the_number_as_written(language, number, category):
    from decimal import Decimal

    from pmworkbook.core.i18n import Formatter

    fmt = Formatter(language, None, Templates.get())
    shown = Decimal(str(number)).quantize(Decimal("0.01")) if isinstance(number, float) else number
    assert fmt.locale.plural_form(shown) == category
    assert fmt.locale.plural_form(Decimal("1.00")) == "other"  # "1,00 punktu", "1.00 points"
    forms = Templates.get().text("i18n", language)["evaluation.report.gap_text.below"]
    digits = 2 if isinstance(number, float) else 0
    assert fmt.plural("evaluation.report.gap_text.below", number, digits=digits, self_score="a", others="b") == \
        forms[category].format(count=fmt.number(number, digits), self_score="a", others="b")


@pytest.mark.parametrize("client_id", DEMO_LANGUAGES)
def test_each_evaluated_person_has_a_sheet_and_forms_naming_them_the_deadline_and_the_address(demo_packs, client_id, demo_raw):
    from pmworkbook.plan.evaluation import due_date

    raw = next(c for c in demo_raw["clients"] if c["id"] == client_id)
    client_pm = next(p["name"] for p in raw["people"] if p["role"] == "client_pm")
    agency_pm = next(p["name"] for p in raw["people"] if p["role"] == "project_manager" and p["side"] == "agency")
    client = demo_client(client_id)
    address = (raw.get("agency") or demo_raw["defaults"]["agency"])["email"]
    from pmworkbook.core.i18n import Formatter

    due = Formatter(client.language, client.country, Templates.get()).date(due_date(client))
    folder = demo_packs / client_id
    for key, person, groups in (("client_pm", client_pm, client.rater_groups), ("project_manager", agency_pm, ["client"])):
        text = visible_text((folder / f"evaluation_sheet_{key}.html").read_text(encoding="utf-8"))
        assert person in text and due in text and address in text, key
        forms = sorted(p.name for p in folder.glob(f"evaluation_form_{key}_*.xlsx"))
        assert forms == sorted(f"evaluation_form_{key}_{g}.xlsx" for g in groups)
        for name in forms:
            identity = identity_of(folder / name)
            assert identity["subject"] == key and identity["person"] == person and not identity["token"]
            head = " ".join(str(c.value) for row in openpyxl.load_workbook(folder / name).worksheets[0].iter_rows(max_row=5) for c in row if c.value)
            assert person in head and due in head and address in head
    pm_identity = identity_of(folder / "evaluation_form_project_manager_client.xlsx")
    assert pm_identity["preset"] == "pm_by_client"


def test_the_due_date_defaults_to_ten_working_days_after_the_end_and_both_can_be_set():
    from pmworkbook.plan.evaluation import due_date, return_address

    client = demo_client(CLIENT)  # ends on Friday 28 May 2027; Russia's 12 June holiday is a Saturday in 2027
    assert client.project.end == dt.date(2027, 5, 28)
    assert due_date(client) == dt.date(2027, 6, 11)
    assert return_address(client) == "hello@studio-nord.example"
    changed = client.model_copy(update={"evaluation": client.evaluation.model_copy(
        update={"due": dt.date(2027, 7, 1), "return_to": "hr@sever.example"})})
    assert due_date(changed) == dt.date(2027, 7, 1) and return_address(changed) == "hr@sever.example"


def test_blank_forms_have_dropdowns_text_cells_identity_protection_and_a_print_layout(demo_packs):
    path = demo_packs / CLIENT / "evaluation_form_client_pm_team.xlsx"
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    assert sheet.protection.sheet and sheet.protection.formatCells  # raters cannot change a cell's format
    assert workbook["pmworkbook"].sheet_state == "veryHidden"
    identity = identity_of(path)
    assert identity["client_id"] == CLIENT and identity["rater_group"] == "team" and identity["preset"] == "client_pm"
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 1 and NOT_OBSERVED in validations[0].formula1 and '"1,2,3,4,5,' in validations[0].formula1
    first, open_first = int(identity["first_row"]), int(identity["open_first_row"])
    covered = {cell for cell_range in validations[0].sqref.ranges for row in cell_range.rows for cell in row}
    assert covered == {(first + i, 4) for i in range(len(IDS))}
    assert not sheet.cell(row=first, column=4).protection.locked and sheet.cell(row=first, column=1).protection.locked
    # What a rater types in a comment or an answer stays text ("=2+2" included): Text cells, unlocked.
    for row, column in [(first + i, 5) for i in range(len(IDS))] + [(open_first + i, 2) for i in range(5)]:
        cell = sheet.cell(row=row, column=column)
        assert cell.number_format == "@" and not cell.protection.locked, cell.coordinate
    # Printed: A4 landscape, as wide as the page, the table's header on every page, and page
    # breaks only between criteria (a row is never split), never before the first one.
    setup = sheet.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "landscape", 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == f"${first - 1}:${first - 1}"
    breaks = [b.id for b in sheet.row_breaks.brk]
    assert breaks and all(first <= b < open_first for b in breaks)


@pytest.mark.parametrize("client_id", DEMO_LANGUAGES)
def test_the_forms_two_sentences_of_guidance_are_joined_as_the_language_writes_them(demo_packs, client_id):
    text = Templates.get().text("i18n", DEMO_LANGUAGES[client_id])
    sheet = openpyxl.load_workbook(demo_packs / client_id / "evaluation_form_client_pm_team.xlsx").worksheets[0]
    separator = "" if client_id == "huaxin-retail" else " "  # Chinese sentences end with 。 and no space follows
    assert sheet["A5"].value == text["evaluation.form.choose"] + separator + text["evaluation.form.text_note"]


@pytest.mark.parametrize("preset", ["client_pm", "pm_by_client", "account_team"])
def test_every_preset_has_text_and_anchors_in_every_language(preset):
    for language in ("en", "zh", "pl", "ru"):
        text = yaml.safe_load((BUNDLED_TEMPLATES / "catalogs" / f"criteria.{language}.yaml").read_text(encoding="utf-8"))
        for criterion in CRITERIA["presets"][preset]:
            entry = text["criteria"][criterion["id"]]
            assert entry["name"] and entry["description"] and len(entry["anchors"]) == 5


def test_numbered_copies_have_tokens_of_their_own_and_never_overwrite(copies, tmp_path):
    result, folder = copies
    assert f"12 numbered form(s) in {folder}" in result.stdout
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(f"evaluation_form_client_pm_{g}_{n:02d}.xlsx" for g in ("self", "manager", "team", "client")
                           for n in (1, 2, 3))
    tokens = [identity_of(folder / name)["token"] for name in names]
    assert all(re.fullmatch(r"[0-9a-f]{16}", t) for t in tokens) and len(set(tokens)) == len(tokens)
    assert [identity_of(folder / f"evaluation_form_client_pm_team_{n:02d}.xlsx")["copy"] for n in (1, 2, 3)] == [1, 2, 3]
    # Made again, copies continue the numbering: copies already sent keep their number and token.
    from pmworkbook.batch.collect import write_copies
    from pmworkbook.batch.jobs import Settings

    write_copies(demo_client(CLIENT), tmp_path, Settings(), subject_keys=["project_manager"])  # as many as planned: 3
    first = identity_of(tmp_path / "evaluation_form_project_manager_client_01.xlsx")["token"]
    [more] = write_copies(demo_client(CLIENT), tmp_path, Settings(), copies=1, subject_keys=["project_manager"])
    assert more.name == "evaluation_form_project_manager_client_04.xlsx" and len(list(tmp_path.iterdir())) == 4
    assert identity_of(tmp_path / "evaluation_form_project_manager_client_01.xlsx")["token"] == first
    unknown = run_cli("forms", DEMO, "--client", CLIENT, "--subject", "sponsor", "--to", tmp_path)
    assert unknown.returncode == 2 and "client_pm, project_manager" in unknown.stderr


def test_two_raters_on_one_copy_token_are_a_clash_and_one_raters_correction_is_not(tmp_path):
    from pmworkbook.batch.collect import write_copies
    from pmworkbook.batch.jobs import Settings
    from pmworkbook.plan.responses import Collected, collect

    client = demo_client(CLIENT)
    blanks, inbox = tmp_path / "blanks", tmp_path / "inbox"
    inbox.mkdir()
    write_copies(client, blanks, Settings(), copies=3, subject_keys=["client_pm"])

    def team(number: int) -> Path:
        return blanks / f"evaluation_form_client_pm_team_{number:02d}.xlsx"

    # copy 01 forwarded to a colleague: two people fill the same copy, each in their own Excel
    fill(team(1), inbox / "from-olga.xlsx", [4] * 6, editor="Olga Petrova")
    fill(team(1), inbox / "from-ivan.xlsx", [2] * 6, editor="Ivan Sokolov")
    # copy 02 filled, then corrected by the same person
    first = fill(team(2), inbox / "team-2.xlsx", [1] * 6, editor="Pavel Orlov")
    os.utime(first, (first.stat().st_mtime - 120,) * 2)
    fill(team(2), inbox / "team-2-corrected.xlsx", [3] * 6, editor="pavel orlov")
    # copy 03 duplicated by hand as "copy 04" (its token with it), each filled without a user name
    shutil.copy(team(3), team(4))
    fill(team(3), inbox / team(3).name, [5] * 6)
    fill(team(4), inbox / team(4).name, [4, 4, 4, 4, 4, 3])

    collected = collect(inbox, client, Templates.get())
    assert sorted(r.file for r in collected.responses) == sorted(["from-olga.xlsx", "from-ivan.xlsx", "team-2-corrected.xlsx",
                                                                  team(3).name, team(4).name])  # both raters of a clash count
    assert [(r.file, r.by) for r in collected.replaced] == [("team-2.xlsx", "team-2-corrected.xlsx")]
    clashes = {(c.file, c.other, c.copy): c.reason for c in collected.clashes}
    assert clashes.keys() == {("from-ivan.xlsx", "from-olga.xlsx", 1), (team(4).name, team(3).name, 3)}
    assert "last saved by different people" in clashes["from-ivan.xlsx", "from-olga.xlsx", 1]
    assert "named as different copies (03 and 04)" in clashes[team(4).name, team(3).name, 3]
    # the raw responses keep the clashes, never who saved a workbook
    text = collected.to_json()
    assert Collected.from_json(text).clashes == collected.clashes and "Olga" not in text and "editor" not in text
    assert collected.of("client_pm").clashes == collected.clashes and not collected.of("project_manager").clashes


def test_validate_warns_of_a_rater_group_planned_below_its_threshold(tmp_path, demo_raw):
    raw = json.loads(json.dumps(demo_raw, default=str))
    acme = next(c for c in raw["clients"] if c["id"] == "acme-shop")
    acme["evaluation"] = {"raters": {"self": 1, "manager": 1, "team": 2, "client": 0}, "agency_pm_raters": 1}
    next(c for c in raw["clients"] if c["id"] == "harbor-health")["evaluation"]["raters"]["client"] = 2
    result = run_cli("validate", write_portfolio(tmp_path / "p.yaml", raw))
    assert result.returncode == 0, result.stderr  # warnings only
    warnings = [line for line in result.stderr.splitlines() if "'acme-shop'" in line]
    assert any("field 'evaluation.raters.team'" in w and "Anna Nowak plans 2 team rater(s), fewer than the anonymity threshold of 3"
               in w for w in warnings)
    assert any("field 'evaluation.agency_pm_raters'" in w and "Marta Wiśniewska plans 1 client rater(s)" in w for w in warnings)
    assert not any("evaluation.raters.client" in w for w in warnings)  # 0 raters: no form, nothing withheld
    harbor = [line for line in result.stderr.splitlines() if "'harbor-health'" in line and "evaluation" in line]
    assert [w for w in harbor if "field 'evaluation.raters.client'" in w and "Dana Whitfield plans 2 client" in w]
    assert not [line for line in result.stderr.splitlines() if "'sever-logistics'" in line and "evaluation" in line]


def test_validate_warns_when_forms_have_nowhere_to_go(demo_raw):
    from pmworkbook.plan.validation import validate_data

    raw = json.loads(json.dumps(demo_raw, default=str))
    raw["defaults"]["agency"].pop("email")
    validation = validate_data(raw, "p.yaml", Templates.get())
    without = {p.client_id for p in validation.warnings if p.field == "evaluation.return_to"}
    assert without == {"acme-shop", "sever-logistics", "harbor-health"}  # huaxin-retail's agency has its own e-mail
    next(c for c in raw["clients"] if c["id"] == "acme-shop")["evaluation"] = {"return_to": "hr@acme.example"}
    validation = validate_data(raw, "p.yaml", Templates.get())
    assert "acme-shop" not in {p.client_id for p in validation.warnings if p.field == "evaluation.return_to"}


ANONYMITY_MINIMUMS = {  # each group's minimum as the sentence names it, joined as the language lists things
    "acme-shop": "minimalną liczbę odpowiedzi (samoocena\u00a0–\u00a01, przełożony\u00a0–\u00a01, zespół\u00a0–\u00a03 i klient\u00a0–\u00a03).",
    "huaxin-retail": "评估人组只有在回复数达到最低要求（自评1份、上级1份、团队3份和客户3份）时才会显示。",
    "sever-logistics": "минимальное число ответов (самооценка\u00a0—\u00a01, руководитель\u00a0—\u00a01, команда\u00a0—\u00a03 и заказчик\u00a0—\u00a03).",
    "harbor-health": "minimum number of responses (1 for the self-rating, 1 for the manager, 3 for the team, and 3 for the client).",
}


@pytest.mark.parametrize("client_id", DEMO_LANGUAGES)
def test_the_anonymity_rule_names_each_groups_minimum_in_a_sentence_not_as_labels(client_id):
    from pmworkbook.documents.evaluation_report import EvaluationReport

    document = EvaluationReport(demo_client(client_id))
    assert document.subject.groups == ["self", "manager", "team", "client"]
    text = visible_text(str(document.anonymity()))
    assert ANONYMITY_MINIMUMS[client_id] in text
    # no "Label: count" inside the sentence: no rater group's label (capitalised, as a table writes it) after an opening bracket
    labels = [document.t[f"evaluation.rater_groups.{group}"] for group in document.subject.groups]
    assert not [label for label in labels if re.search(rf"[,、（(]\s*{re.escape(label)}[:：]", text)]
    # the counts go through Babel's plural forms: another threshold reads as its language writes it
    assert document.fmt.plural("evaluation.report.anonymity_minimum.team", 5) == \
        {"acme-shop": "zespół\u00a0–\u00a05", "huaxin-retail": "团队5份", "sever-logistics": "команда\u00a0—\u00a05",
         "harbor-health": "5 for the team"}[client_id]


@pytest.mark.parametrize("client_id", DEMO_LANGUAGES)
def test_scores_by_group_say_in_a_sentence_what_has_not_come_in(client_id, tmp_path):
    """No responses at all: a sentence, not a table of headers; a group without responses or below
    its minimum: a line saying so in its row, with no number of responses."""
    from pmworkbook.documents.evaluation_report import EvaluationReport
    from pmworkbook.plan.responses import Collected, Response

    t = Templates.get().text("i18n", demo_client(client_id).language)
    empty = tmp_path / "none.json"
    empty.write_text(Collected([], []).to_json(), encoding="utf-8")
    html = str(EvaluationReport(demo_client(client_id), responses=empty).by_group())
    assert "<table" not in html and t["evaluation.report.no_responses"] in visible_text(html)
    some = tmp_path / "some.json"
    some.write_text(Collected([Response("m.xlsx", "manager", dict.fromkeys(IDS, 4), {}),
                               *[Response(f"t{n}.xlsx", "team", dict.fromkeys(IDS, 3), {}) for n in (1, 2)]], []).to_json(),
                    encoding="utf-8")
    document = EvaluationReport(demo_client(client_id), responses=some)
    rows = re.findall(r"<tr>(.*?)</tr>", str(document.by_group()).split("<tbody>")[1], re.S)
    texts = [visible_text(row) for row in rows]
    assert len(rows) == 4 and all(t["evaluation.report.group_no_responses"] in texts[i] for i in (0, 3))  # self, client
    assert t["evaluation.report.withheld"].format(threshold=3) in texts[2] and "2" not in texts[2].replace("3", "")
    summary = str(document.summary())
    assert re.findall(r'class="score-value">([^<]*)<', summary)[-1] == "1"  # the manager's response only


def test_the_bands_note_gives_the_lowest_band_as_below_the_next_minimum():
    from pmworkbook.documents.evaluation_report import EvaluationReport

    expected = {
        "harbor-health": "Bands: Exceptional ≥\u00a04.50, Strong ≥\u00a03.75, Solid ≥\u00a03.00, Developing ≥\u00a02.00, "
                         "and Needs attention below 2.00.",
        "huaxin-retail": "等级划分：卓越（≥4.50）；优秀（≥3.75）；良好（≥3.00）；待提升（≥2.00）；需要关注（低于2.00）。",
        "sever-logistics": "Уровни: Исключительно ≥\u00a04,50; Очень хорошо ≥\u00a03,75; Хорошо ≥\u00a03,00; "
                           "Требует развития ≥\u00a02,00; Требует внимания\u00a0— ниже\u00a02,00.",
        "acme-shop": "Poziomy: Wyjątkowy ≥\u00a04,50; Bardzo dobry ≥\u00a03,75; Dobry ≥\u00a03,00; Wymaga rozwoju ≥\u00a02,00; "
                     "Wymaga uwagi\u00a0– poniżej\u00a02,00.",
    }
    for client_id, note in expected.items():
        document = EvaluationReport(demo_client(client_id))
        assert note in visible_text(str(document.summary())), client_id
        assert "0,00" not in note and "0.00" not in note
