"""The notebooks ship in the package, thin and committed clean; Papermill runs them with the
client's data as their `client` parameter (see test_build for the demo)."""

from __future__ import annotations

import ast

import nbformat
import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from conftest import demo_client
from pmworkbook.batch.jobs import client_parameters
from pmworkbook.core.templates import NOTEBOOKS_DIR
from pmworkbook.documents.kinds import document_kinds

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
KINDS = list(document_kinds)


def parameters_cell(notebook) -> nbformat.NotebookNode:
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    return tagged[0]


def test_every_document_kind_has_its_notebook_in_the_package():
    assert KINDS and {kind.notebook for kind in KINDS} <= set(NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_are_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_have_a_parameters_cell_and_hold_no_logic(path):
    notebook = nbformat.read(path, as_version=4)
    tagged = parameters_cell(notebook)
    code = [c.source for c in notebook.cells if c.cell_type == "code" and c is not tagged]
    # Thin: no function, class or loop definitions; the library does the work.
    assert not any(keyword in source for source in code for keyword in ("def ", "class ", "for ", "while "))


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_a_document_notebook_declares_exactly_its_kinds_parameters(kind):
    # The build passes kind.parameters: a name missing from the cell would be injected unseen.
    cell = parameters_cell(nbformat.read(kind.notebook, as_version=4))
    names = [target.id for node in ast.parse(cell.source).body if isinstance(node, ast.Assign) for target in node.targets]
    assert tuple(names) == kind.parameters
    assert names[:3] == ["client", "output_dir", "templates"]


def test_papermill_runs_the_calendar_notebook_for_another_client(tmp_path):
    output = tmp_path / "calendar.ipynb"
    client = client_parameters(demo_client("sever-logistics"))
    notebook = papermill.execute_notebook(
        str(NOTEBOOKS_DIR / "communication_calendar.ipynb"), str(output),
        parameters={"client": client, "output_dir": str(tmp_path)},
        kernel_name="python3", progress_bar=False, cwd=str(NOTEBOOKS_DIR))
    html = "".join(o.get("data", {}).get("text/html", "") for c in notebook.cells for o in c.get("outputs", []))
    assert "Календарь коммуникаций" in html and "Еженедельная статус-встреча" in html
    assert (tmp_path / "communication_calendar.ics").exists()


def test_papermill_without_the_clients_data_fails_instead_of_showing_the_demo(tmp_path, monkeypatch):
    # Only a person who opened the notebook in Jupyter (which names its session) gets the demo client.
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    with pytest.raises(PapermillExecutionError) as failure:
        papermill.execute_notebook(str(NOTEBOOKS_DIR / "evaluation_sheet.ipynb"), str(tmp_path / "sheet.ipynb"),
                                   kernel_name="python3", progress_bar=False, cwd=str(NOTEBOOKS_DIR))
    assert failure.value.ename == "MissingClientData"
    monkeypatch.setenv("JPY_SESSION_NAME", "evaluation_sheet.ipynb")
    notebook = papermill.execute_notebook(str(NOTEBOOKS_DIR / "evaluation_sheet.ipynb"), str(tmp_path / "demo.ipynb"),
                                          kernel_name="python3", progress_bar=False, cwd=str(NOTEBOOKS_DIR))
    html = "".join(o.get("data", {}).get("text/html", "") for c in notebook.cells for o in c.get("outputs", []))
    assert "ACME Sp. z o.o." in html
