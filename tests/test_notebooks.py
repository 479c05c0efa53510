"""The notebooks are thin and committed clean; Papermill runs them (see test_build for the demo)."""

from __future__ import annotations

import nbformat
import papermill
import pytest

from conftest import DEMO, ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_are_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_have_a_parameters_cell_and_hold_no_logic(path):
    notebook = nbformat.read(path, as_version=4)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    code = [c.source for c in notebook.cells if c.cell_type == "code" and c is not tagged[0]]
    # Thin: no function, class or loop definitions; the library does the work.
    assert not any(keyword in source for source in code for keyword in ("def ", "class ", "for ", "while "))


def test_papermill_runs_the_calendar_notebook_for_another_client(tmp_path):
    output = tmp_path / "calendar.ipynb"
    notebook = papermill.execute_notebook(
        str(ROOT / "notebooks" / "communication_calendar.ipynb"), str(output),
        parameters={"portfolio": str(DEMO), "client_id": "sever-logistics", "output_dir": str(tmp_path)},
        kernel_name="python3", progress_bar=False, cwd=str(ROOT / "notebooks"))
    html = "".join(o.get("data", {}).get("text/html", "") for c in notebook.cells for o in c.get("outputs", []))
    assert "Календарь коммуникаций" in html and "Еженедельная статус-встреча" in html
    assert (tmp_path / "communication_calendar.ics").exists()
