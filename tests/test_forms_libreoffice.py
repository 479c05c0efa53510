"""A rater fills the .xlsx form in LibreOffice (headless, driven over UNO) and saves it; what
they typed is collected as they typed it. Typing goes through the dispatcher's EnterString, the
command LibreOffice's macro recorder records for typing into a cell and pressing Enter: the
cell's own input handling, which makes "=2+2 ..." a formula unless the cell is formatted Text.
The same typing into a copy of the form whose comment cell is not Text gives a formula and its
error, which collect refuses, naming the cell: the Text format is what keeps the comment.

Needs Debian's libreoffice-calc-nogui and python3-uno (scripts/system-packages.sh test); UNO runs
in the system's python3, which has the uno module, not in the venv."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from conftest import demo_client
from pmworkbook.core.templates import Templates
from pmworkbook.plan.evaluation import criteria_for, subject
from pmworkbook.plan.responses import FormError, collect, read_xlsx
from pmworkbook.render.xlsx import write_form

SYSTEM_PYTHON = "/usr/bin/python3"
HAS_OFFICE = shutil.which("soffice") is not None and subprocess.run(
    [SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode == 0 if Path(SYSTEM_PYTHON).exists() else False
pytestmark = pytest.mark.skipif(not HAS_OFFICE and not os.environ.get("CI"),
                                reason="LibreOffice (libreoffice-calc-nogui, python3-uno) is not installed (make test installs it)")

CLIENT = "acme-shop"  # Polish: the rater's message about an .ods is in Polish
TYPED_COMMENT = "=2+2 to za mało, harmonogram się rozjechał"
TYPED_ANSWER = "=SUM(A1:A3) – jasne priorytety co tydzień"

# Runs in the system's python3: starts LibreOffice with a private profile, then for each action
# loads a file hidden, types into cells as a person would, and stores it under other formats.
DRIVER = r'''
import json, os, subprocess, sys, tempfile, time
import uno
from com.sun.star.beans import PropertyValue

def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

actions = json.loads(sys.argv[1])
profile = tempfile.mkdtemp(prefix="pmw-lo-")
pipe = "pmw%d" % os.getpid()
office = subprocess.Popen(["soffice", "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
                           "-env:UserInstallation=" + uno.systemPathToFileUrl(profile), "--accept=pipe,name=%s;urp;" % pipe],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
resolver = uno.getComponentContext().ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver",
                                                                              uno.getComponentContext())
for _ in range(300):
    try:
        ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
        break
    except Exception:
        time.sleep(0.1)
desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
dispatcher = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
typed = []
try:
    for action in actions:
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(action["in"]), "_blank", 0, (prop("Hidden", True),))
        frame = doc.getCurrentController().getFrame()
        sheet = doc.getSheets().getByIndex(0)
        for cell, text in action.get("type", []):
            dispatcher.executeDispatch(frame, ".uno:GoToCell", "", 0, (prop("ToPoint", cell),))
            dispatcher.executeDispatch(frame, ".uno:EnterString", "", 0, (prop("StringName", text),))
            target = sheet.getCellRangeByName(cell)
            typed.append({"file": os.path.basename(action["in"]), "cell": cell, "type": target.getType().value,
                          "shown": target.getString()})
        for out, filter_name in action["save"]:
            doc.storeToURL(uno.systemPathToFileUrl(out), (prop("FilterName", filter_name),))
        try:
            doc.close(True)
        except Exception:  # LibreOffice 7.4 may crash closing a document it has just saved as .ods
            if action is not actions[-1]:
                raise
finally:
    try:
        desktop.terminate()
    except Exception:
        office.kill()
    office.wait(timeout=60)
print(json.dumps(typed, ensure_ascii=False))
'''


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """A blank team form, the same form with a comment cell not formatted as Text, both typed into
    in LibreOffice and saved as .xlsx (and .ods), and the blank one printed to PDF."""
    folder = tmp_path_factory.mktemp("libreoffice")
    client, templates = demo_client(CLIENT), Templates.get()
    blank = write_form(client, subject(client, "client_pm"), "team", folder, templates)
    workbook = openpyxl.load_workbook(blank)
    identity = {row[0]: row[1] for row in workbook["pmworkbook"].iter_rows(values_only=True)}
    first, open_first = int(identity["first_row"]), int(identity["open_first_row"])
    workbook.worksheets[0][f"E{first}"].number_format = "General"  # what the form had before
    general = folder / "general.xlsx"
    workbook.save(general)
    typing = [[f"D{first}", "4"], [f"E{first}", TYPED_COMMENT], [f"D{first + 1}", "Nie zaobserwowano"],
              [f"D{first + 2}", "5"], [f"B{open_first}", TYPED_ANSWER]]
    actions = [
        {"in": str(blank), "save": [[str(folder / "printed.pdf"), "calc_pdf_Export"]]},
        {"in": str(blank), "type": typing, "save": [[str(folder / "filled.xlsx"), "Calc MS Excel 2007 XML"]]},
        {"in": str(general), "type": typing[:2], "save": [[str(folder / "general-filled.xlsx"), "Calc MS Excel 2007 XML"]]},
        {"in": str(folder / "filled.xlsx"), "save": [[str(folder / "filled.ods"), "calc8"]]},  # last: see the driver
    ]
    driver = folder / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    run = subprocess.run([SYSTEM_PYTHON, str(driver), json.dumps(actions)], capture_output=True, text=True, timeout=180,
                         cwd=folder)
    assert run.returncode == 0, run.stdout + run.stderr
    return {"folder": folder, "typed": json.loads(run.stdout), "first": first, "open_first": open_first,
            "client": client, "templates": templates}


def test_a_comment_typed_with_an_equals_sign_is_collected_as_text(office):
    folder, first = office["folder"], office["first"]
    typed = {(t["file"], t["cell"]): t for t in office["typed"]}
    assert typed[("evaluation_form_client_pm_team.xlsx", f"E{first}")]["type"] == "TEXT"
    response = read_xlsx(folder / "filled.xlsx", office["client"], office["templates"])
    ids = [c["id"] for c in criteria_for(office["client"], office["templates"])]
    assert response.comments == {ids[0]: TYPED_COMMENT}
    assert response.open_answers == {"strengths": TYPED_ANSWER}
    assert response.scores == {ids[0]: 4, ids[1]: None, ids[2]: 5}  # "Nie zaobserwowano" is not observed, not 0


def test_without_the_text_format_the_same_typing_is_a_formula_and_collect_names_the_cell(office):
    folder, first = office["folder"], office["first"]
    typed = {(t["file"], t["cell"]): t for t in office["typed"]}
    assert typed[("general.xlsx", f"E{first}")]["type"] == "FORMULA"  # LibreOffice shows Err:509 there
    with pytest.raises(FormError, match=rf"cell E{first} holds the error #VALUE!"):
        read_xlsx(folder / "general-filled.xlsx", office["client"], office["templates"])


def test_a_form_saved_as_ods_is_rejected_with_the_fix_in_the_raters_language(office, tmp_path):
    shutil.copy(office["folder"] / "filled.ods", tmp_path / "ocena.ods")
    collected = collect(tmp_path, office["client"], office["templates"])
    [rejection] = collected.rejected
    assert rejection.file == "ocena.ods" and not collected.responses
    assert rejection.rater_message.startswith("Formularz dotarł jako plik .ods")
    assert "Zapisz jako" in rejection.rater_message and "Excel 2007–365 (.xlsx)" in rejection.rater_message


def test_printed_the_form_is_a4_landscape_with_each_criterion_whole_on_a_page(office):
    pdf = office["folder"] / "printed.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "841.89 x 595.3" in info  # A4 landscape
    pages = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    assert 2 <= len(pages) <= 4
    for criterion in criteria_for(office["client"], office["templates"]):
        holding = [p for p in pages if criterion["name"] in p]
        assert len(holding) == 1, criterion["name"]
        first_words = " ".join(criterion["anchors"][4].split()[:2])
        assert f"5: {first_words}" in holding[0] and f"1: {criterion['anchors'][0].split()[0]}" in holding[0]
    assert all("Kryterium" in page for page in pages)  # the table's header on every page
    assert "Strona 1 z" in pages[0]
