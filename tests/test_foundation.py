"""The foundation of the new layout, end to end: the registry of document kinds is the one table a
build reads, notebooks take the client's data and nothing else, a broken client is refused alone
(by `validate` and `build` alike), files keep sensible permissions, and the package builds packs
from a plain (non-editable) install."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import DEMO, ROOT, run_cli, visible_text, write_portfolio
from pmworkbook.batch.build import build
from pmworkbook.batch.jobs import Settings, plan_jobs
from pmworkbook.core.templates import Templates
from pmworkbook.documents.kinds import DocumentKind, document_kinds
from pmworkbook.plan.validation import validate
from pmworkbook.portfolio.edits import update_client

KINDS = list(document_kinds)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under `folder`: its content and when it was last written."""
    return {str(p.relative_to(folder)): (sha(p), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()}


def demo_client(client_id: str):
    return validate(DEMO, Templates.get()).require().client(client_id)


def html_outputs(notebook) -> str:
    return "".join(o.get("data", {}).get("text/html", "") for c in notebook.cells for o in c.get("outputs", []))


# -- 1. the registry is the one table a build reads

KERNELSPEC = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}


def toy_notebook(path: Path) -> Path:
    notebook = nbformat.v4.new_notebook(metadata=KERNELSPEC)
    parameters = nbformat.v4.new_code_cell('client = None\noutput_dir = ""\ntemplates = ""')
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, nbformat.v4.new_code_cell(
        "from pathlib import Path\n"
        "from IPython.display import HTML\n"
        "Path(output_dir, 'hello.txt').write_text('hello ' + client['id'], encoding='utf-8')\n"
        "HTML('<p class=\"toy\">Hello, ' + client['name'] + '</p>')"
    )]
    nbformat.write(notebook, path)
    return path


def test_a_kind_registered_in_one_place_is_built_into_the_pack_and_manifest(tmp_path):
    # The notebook lives outside the package and the kind is registered in this process only: the
    # spawned workers get its notebook path and side-file patterns from the job.
    toy = DocumentKind(name="toy_hello", notebook=toy_notebook(tmp_path / "toy_hello.ipynb"), side_files=("hello.txt",),
                       title_key="documents.pack", order=99)
    out = tmp_path / "out"
    document_kinds.register(toy)
    try:
        expected_kinds = {kind.name for kind in document_kinds.in_pack()}
        outcome = build(DEMO, Settings(out=out, formats=("html",)), clients=["sever-logistics"], jobs=2,
                        progress="quiet", report=lambda line: None)
    finally:
        document_kinds.unregister(toy.name)
    assert "toy_hello" not in {kind.name for kind in document_kinds}
    assert not outcome.failed, [(r.name, r.error) for r in outcome.failed]

    folder = out / "sever-logistics"
    name = demo_client("sever-logistics").name
    assert f"Hello, {name}" in visible_text((folder / "toy_hello.html").read_text(encoding="utf-8"))
    assert (folder / "hello.txt").read_text(encoding="utf-8") == "hello sever-logistics"
    assert not (folder / "toy_hello.pdf").exists()  # --formats html

    documents = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["documents"]
    assert {d["kind"] for d in documents} == expected_kinds  # the toy beside the registered kinds, nothing else
    entry = next(d for d in documents if d["name"] == "toy_hello")
    assert entry["client_id"] == "sever-logistics" and entry["kind"] == "toy_hello" and entry["variant"] is None
    assert entry["status"] == "ok" and not entry["stale"]
    files = {f["name"]: f["sha256"] for f in entry["files"]}
    assert set(files) == {"toy_hello.ipynb", "toy_hello.html", "hello.txt"}
    for file_name, digest in files.items():
        assert sha(folder / file_name) == digest, file_name


# -- 2 and 3, the notebooks' parameters and a notebook run with and without client data, are in
# test_notebooks.py.

# -- 4 and 5. a broken client is refused alone, by build and validate alike

BROKEN = "acme-shop"
BROKEN_ROW = "Prototyp"


def break_raci(raw: dict) -> dict:
    """Two roles accountable (A) for one deliverable of acme-shop's RACI matrix."""
    raw = copy.deepcopy(raw)
    client = next(c for c in raw["clients"] if c["id"] == BROKEN)
    row = client["raci"][BROKEN_ROW]
    assert list(row.values()).count("A") == 1
    row["account_manager"] = "A"  # beside client_pm
    return raw


def problem_lines(stderr: str, client_id: str, field: str) -> list[str]:
    return [line for line in stderr.splitlines() if f"'{client_id}'" in line and f"'{field}'" in line]


@pytest.fixture(scope="module")
def refused_build(tmp_path_factory, demo_raw):
    """A good build of the demo, then a build of the same portfolio with acme-shop's RACI broken,
    both under umask 022 (which the commands, their workers and kernels inherit)."""
    folder = tmp_path_factory.mktemp("refused")
    good = write_portfolio(folder / "good.yaml", demo_raw)
    broken = write_portfolio(folder / "broken.yaml", break_raci(demo_raw))
    out = folder / "out"
    umask = os.umask(0o022)
    try:
        first = run_cli("build", good, "--out", out, "--formats", "html", "--jobs", "2")
        assert first.returncode == 0, first.stdout + first.stderr
        before = snapshot(out)
        # --force: the other clients' documents are really built again, not just reused.
        second = run_cli("build", broken, "--out", out, "--formats", "html", "--jobs", "2", "--force")
    finally:
        os.umask(umask)
    return {"broken": broken, "out": out, "before": before, "after": snapshot(out), "result": second}


def test_build_refuses_the_broken_client_alone_and_keeps_its_previous_pack(refused_build, demo_raw):
    result, out, before, after = (refused_build[k] for k in ("result", "out", "before", "after"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr

    # Its previous pack is left exactly as it was; every other client's was written again.
    mine = {name for name in before if name.startswith(f"{BROKEN}/")}
    assert mine and {name: after[name] for name in mine} == {name: before[name] for name in mine}
    others = {name for name in before if "/" in name and name not in mine}
    assert others and all(after[name][1] != before[name][1] for name in others)

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert list(manifest["refused"]) == [BROKEN]
    for entry in manifest["documents"]:
        assert entry["status"] == "ok", entry
        assert entry["stale"] is (entry["client_id"] == BROKEN), entry
        for file in entry["files"]:  # stale or not, the manifest describes the files on disk
            assert sha(out / entry["client_id"] / file["name"]) == file["sha256"]
    assert {e["client_id"] for e in manifest["documents"]} == {c["id"] for c in demo_raw["clients"]}

    # The index lists it as refused, with its problem, and marks its documents stale.
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count('<ul class="refused">') == 1
    refused_list = index.split('<ul class="refused">')[1].split("<table")[0]
    assert BROKEN in refused_list and f"raci.{BROKEN_ROW}" in refused_list
    assert not any(c["id"] in refused_list for c in demo_raw["clients"] if c["id"] != BROKEN)
    stale = sum(1 for e in manifest["documents"] if e["client_id"] == BROKEN)
    assert index.count("(stale: client refused)") == stale

    # The command names the client, the field and the problem on one line.
    lines = problem_lines(result.stderr, BROKEN, f"raci.{BROKEN_ROW}")
    assert len(lines) == 1 and "client_pm" in lines[0] and "account_manager" in lines[0], result.stderr


def test_strict_build_of_the_broken_portfolio_builds_nothing(refused_build):
    out = refused_build["out"]
    before = snapshot(out)
    result = run_cli("build", refused_build["broken"], "--out", out, "--formats", "html", "--strict", "--force")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and problem_lines(result.stderr, BROKEN, f"raci.{BROKEN_ROW}")
    assert snapshot(out) == before


def test_validate_names_the_same_problem_as_build(refused_build):
    result = run_cli("validate", refused_build["broken"])
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    built = problem_lines(refused_build["result"].stderr, BROKEN, f"raci.{BROKEN_ROW}")
    assert built and problem_lines(result.stderr, BROKEN, f"raci.{BROKEN_ROW}") == built


def test_validate_reports_a_duplicate_id_beside_another_clients_error(tmp_path, demo_raw):
    raw = copy.deepcopy(demo_raw)
    clients = {c["id"]: c for c in raw["clients"]}
    clients["huaxin-retail"]["communication"]["preset"] = "no-such-preset"
    clients["harbor-health"]["id"] = "sever-logistics"
    result = run_cli("validate", write_portfolio(tmp_path / "two-problems.yaml", raw))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    preset = problem_lines(result.stderr, "huaxin-retail", "communication.preset")
    assert len(preset) == 1 and "no-such-preset" in preset[0]
    duplicate = problem_lines(result.stderr, "sever-logistics", "id")
    assert len(duplicate) == 2 and all("duplicate" in line for line in duplicate)  # both entries: which one is meant?


# -- 6. permissions

def test_build_outputs_get_the_umasks_mode_and_a_saved_portfolio_keeps_its_own(refused_build, tmp_path):
    # The builds of refused_build ran under umask 022: every file they wrote (documents, side files,
    # pack pages, and the manifest and index rewritten when a client was refused) is 0644. PDFs are
    # written through the same atomic_path as the pages, so HTML alone covers that path.
    out = refused_build["out"]
    written = [p for p in out.rglob("*") if p.is_file()]
    assert {p.suffix for p in written} >= {".ipynb", ".html", ".ics", ".xlsx", ".eml", ".json"}
    modes = {str(p.relative_to(out)): oct(stat.S_IMODE(p.stat().st_mode)) for p in written}
    assert set(modes.values()) == {"0o644"}, modes

    portfolio = shutil.copy(DEMO, tmp_path / "portfolio.yaml")
    os.chmod(portfolio, 0o640)
    umask = os.umask(0o022)
    try:
        update_client(portfolio, "sever-logistics", {"communication.meeting_day": "WE"})
    finally:
        os.umask(umask)
    assert stat.S_IMODE(os.stat(portfolio).st_mode) == 0o640
    saved = yaml.safe_load(Path(portfolio).read_text(encoding="utf-8"))
    assert next(c for c in saved["clients"] if c["id"] == "sever-logistics")["communication"]["meeting_day"] == "WE"


# -- 7. a plain install: the package's data files are in the wheel and found there

@pytest.mark.slow  # builds a wheel: `make test-slow`, and CI
def test_a_wheel_installed_away_from_the_source_tree_builds_a_pack(tmp_path):
    # Build the wheel from a copy, so that no build/ or egg-info lands in the working tree.
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".ipynb_checkpoints")
    shutil.copytree(ROOT / "lib", source / "lib", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", tmp_path / "dist", source], check=True, timeout=300)
    wheel = next((tmp_path / "dist").glob("pmworkbook-*.whl"))
    site = tmp_path / "site"
    subprocess.run([*pip, "install", "--no-deps", "--target", site, wheel], check=True, timeout=300)

    # The venv's dependencies, but pmworkbook from the wheel: PYTHONPATH comes before the editable
    # install's path (which stays on sys.path, so every path the package uses is checked to be the
    # wheel's), and the kernels the workers start inherit it. Run from a folder outside the repo.
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONWARNINGS": "ignore"}
    env.pop("JPY_SESSION_NAME", None)
    work = tmp_path / "elsewhere"
    work.mkdir()
    probe = nbformat.v4.new_notebook(metadata=KERNELSPEC,
                                     cells=[nbformat.v4.new_code_cell("import pmworkbook; print(pmworkbook.__file__)")])
    nbformat.write(probe, work / "probe.ipynb")
    check = (
        "import papermill, pmworkbook\n"
        "from pmworkbook.core.templates import NOTEBOOKS_DIR, BUNDLED_TEMPLATES, DEMO_PORTFOLIO\n"
        "print(pmworkbook.__file__, NOTEBOOKS_DIR, BUNDLED_TEMPLATES, DEMO_PORTFOLIO, sep='\\n')\n"
        "nb = papermill.execute_notebook('probe.ipynb', 'probe.out.ipynb', kernel_name='python3',"
        " engine_name='pmworkbook', progress_bar=False)\n"
        "print(nb.cells[0].outputs[0].text.strip())\n"
    )
    found = subprocess.run([sys.executable, "-c", check], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert found.returncode == 0, found.stderr
    paths = [Path(line) for line in found.stdout.splitlines()]  # here, then in the warm kernel
    assert len(paths) == 5 and all(path.is_relative_to(site / "pmworkbook") for path in paths), found.stdout

    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "pmworkbook", "build", "--clients", "sever-logistics", "--formats", "html",
                             "--out", out], cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    built = {d["name"] for d in manifest["documents"] if d["status"] == "ok"}
    assert built == {job.name for job in plan_jobs([demo_client("sever-logistics")], Settings(out=out))}
    name = demo_client("sever-logistics").name
    assert name in visible_text((out / "sever-logistics" / "communication_calendar.html").read_text(encoding="utf-8"))
    assert not (work / "outputs").exists() and (out / "index.html").exists()
