"""Batch builds: warm kernels isolate notebooks, failures stay local, a client's pack is updated
whole or not at all, an interrupted build resumes, unchanged documents are reused, and a Dask
cluster builds the same packs as local workers."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import papermill
import pytest
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_code_cell, new_notebook

from conftest import DEMO, PMWORKBOOK, ROOT, demo_client, run_cli, toy_kind, visible_text, write_portfolio
from pmworkbook.batch.engine import WarmKernel
from pmworkbook.batch.jobs import Settings, client_parameters, plan_jobs
from pmworkbook.core.templates import NOTEBOOKS_DIR
from pmworkbook.documents.kinds import DocumentKind


def document_count(*client_ids: str) -> int:
    """How many documents a build makes for these demo clients, as the registry plans them."""
    return len(plan_jobs([demo_client(c) for c in client_ids], Settings()))


def notebook(tmp_path: Path, name: str, *sources: str) -> Path:
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def run(path: Path, tmp_path: Path, engine: str = "pmworkbook", **kwargs):
    return papermill.execute_notebook(str(path), str(tmp_path / f"out-{path.name}"), kernel_name="python3",
                                      engine_name=engine, progress_bar=False, cwd=str(tmp_path), **kwargs)


def outputs(nb) -> list:
    return [o.get("data", {}).get("text/plain") or o.get("text") for c in nb.cells for o in c.get("outputs", [])]


def test_one_notebooks_state_never_reaches_the_next_on_a_warm_kernel(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    polluter = notebook(tmp_path, "polluter",
                        "import os, pandas as pd, matplotlib\nleak = 42\npd.set_option('display.max_rows', 3)\n"
                        "matplotlib.rcParams['lines.linewidth'] = 9\nos.chdir('elsewhere')\nos.getpid()")
    checker = notebook(tmp_path, "checker",
                       "import os, pandas as pd, matplotlib\nos.getpid()",
                       "print(('leak' in globals(), pd.get_option('display.max_rows'), matplotlib.rcParams['lines.linewidth'], os.getcwd()))")
    first = run(polluter, tmp_path)
    second = run(checker, tmp_path)
    assert outputs(first)[0] == outputs(second)[0], "both ran on the same (warm) kernel"
    assert outputs(second)[1] == f"(False, 60, 1.5, '{tmp_path}')\n"
    assert second.cells[0].execution_count == 1  # counts restart as on a fresh kernel


def test_a_reset_collects_the_last_notebooks_garbage_before_freezing_the_kernels_heap(tmp_path):
    # A reference cycle the first notebook leaves behind: the reset must collect it, not freeze it.
    leaver = notebook(tmp_path, "leaver",
                      "import builtins, os, weakref\nclass Node: pass\nnode = Node(); node.me = node\n"
                      "builtins._pmworkbook_probe = weakref.ref(node)\nos.getpid()")
    checker = notebook(tmp_path, "checker",
                       "import builtins, gc, os\nos.getpid()",
                       "print((builtins._pmworkbook_probe() is None, gc.get_freeze_count() > 0))")
    first, second = run(leaver, tmp_path), run(checker, tmp_path)
    assert outputs(first)[0] == outputs(second)[0], "both ran on the same (warm) kernel"
    assert outputs(second)[1] == "(True, True)\n"


def test_a_warm_kernel_talks_over_unix_sockets_in_a_folder_of_its_own(tmp_path):
    # TCP ports chosen by two workers at once can collide ("Address already in use"); sockets can't.
    WarmKernel.current().discard()
    run(notebook(tmp_path, "probe", "1 + 1"), tmp_path)
    km = WarmKernel.current().km
    assert km.transport == "ipc"
    folder = Path(km.ip).parent
    assert folder.name.startswith("pmworkbook-kernel-") and folder.stat().st_mode & 0o077 == 0  # private
    ports = {km.shell_port, km.iopub_port, km.stdin_port, km.control_port, km.hb_port}
    assert {p.name for p in folder.iterdir()} == {f"kernel-{port}" for port in ports}
    WarmKernel.current().discard()
    assert not folder.exists()


def test_a_worker_skips_the_unused_iri_grammar_and_freezes_its_heap_once():
    code = """
import gc, sys
from pmworkbook.batch import worker
worker.lean_imports()
import nbformat
nb = nbformat.v4.new_notebook(); nbformat.validate(nb)
assert sys.modules["rfc3987_syntax"] is None
worker.freeze_heap_once(); frozen = gc.get_freeze_count()
worker.freeze_heap_once()
assert frozen > 0 and gc.get_freeze_count() == frozen, (frozen, gc.get_freeze_count())
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr


def test_a_document_is_the_same_on_a_warm_kernel_as_on_a_fresh_one(tmp_path):
    parameters = {"client": client_parameters(demo_client("huaxin-retail")), "output_dir": ""}
    source = NOTEBOOKS_DIR / "communication_calendar.ipynb"

    def html_of(engine, name):
        nb = papermill.execute_notebook(str(source), str(tmp_path / name), parameters=parameters, kernel_name="python3",
                                        engine_name=engine, progress_bar=False, cwd=str(NOTEBOOKS_DIR))
        return [o.get("data", {}).get("text/html") for c in nb.cells for o in c.get("outputs", [])], nb

    warm_up, _ = html_of("pmworkbook", "warm-1.ipynb")  # the kernel has now run a notebook
    warm, warm_nb = html_of("pmworkbook", "warm-2.ipynb")
    fresh, fresh_nb = html_of("nbclient", "fresh.ipynb")
    assert warm == fresh == warm_up
    assert [c.get("execution_count") for c in warm_nb.cells] == [c.get("execution_count") for c in fresh_nb.cells]


def test_a_crash_and_a_timeout_cost_only_their_own_notebook(tmp_path):
    crash = notebook(tmp_path, "crash", "import os\nos._exit(1)")
    slow = notebook(tmp_path, "slow", "import time\ntime.sleep(60)")
    fine = notebook(tmp_path, "fine", "21 * 2")
    with pytest.raises(DeadKernelError):
        run(crash, tmp_path)
    assert WarmKernel.current().km is None  # discarded, not reused
    assert outputs(run(fine, tmp_path)) == ["42"]
    started = time.monotonic()
    with pytest.raises(CellTimeoutError):
        run(slow, tmp_path, execution_timeout=3)
    assert time.monotonic() - started < 30
    assert outputs(run(fine, tmp_path)) == ["42"]


def test_a_refused_client_and_a_failed_document_cost_only_their_own_client(tmp_path, demo_raw):
    raw = copy.deepcopy(demo_raw)
    poisoned = next(c for c in raw["clients"] if c["id"] == "acme-shop")
    poisoned["raci"] = {"Koncepcja": {"client_pm": "R"}}  # no A: validation refuses this client
    path = write_portfolio(tmp_path / "poisoned.yaml", raw)
    out = tmp_path / "outputs"
    # A folder where one document's side file goes: that document cannot be moved into the pack,
    # so none of its client's is; the other clients' packs are built.
    (out / "sever-logistics" / "communication_calendar.ics").mkdir(parents=True)
    result = run_cli("build", path, "--out", out, "--jobs", "2", "--formats", "html")
    assert result.returncode == 2, result.stdout + result.stderr  # a client was refused, the others built
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    documents = manifest["documents"]
    assert {d["client_id"] for d in documents} == {"huaxin-retail", "sever-logistics", "harbor-health"}
    failed = {(d["client_id"], d["name"]) for d in documents if d["status"] == "failed"}
    assert failed == {("sever-logistics", "communication_calendar")}
    held = [d for d in documents if d["status"] == "held"]
    assert {d["client_id"] for d in held} == {"sever-logistics"} and len(held) == document_count("sever-logistics") - 1
    assert {d["error"] for d in held} == {"not updated: communication_calendar failed"} and not any(d["files"] for d in held)
    assert sum(d["status"] == "ok" for d in documents) == document_count("huaxin-retail", "harbor-health")
    assert [p.name for p in (out / "sever-logistics").iterdir()] == ["communication_calendar.ics"]  # nothing moved in
    assert "failed: sever-logistics communication_calendar: not moved into the pack:" in result.stdout
    assert "communication_calendar.ics is a folder (IsADirectoryError)" in result.stdout
    assert "not updated: sever-logistics:" in result.stdout
    assert list(manifest["refused"]) == ["acme-shop"]
    assert "make exactly one role accountable (A)" in manifest["refused"]["acme-shop"][0]
    assert "acme-shop" in result.stderr and "make exactly one role accountable (A)" in result.stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count('class="status-failed"') == 1 and "IsADirectoryError" in index
    assert "Packs not updated" in index and index.count('class="status-held"') == len(held)
    assert "Refused clients" in index and "make exactly one role accountable (A)" in index
    assert not (out / ".staging").exists()


def fragile_kind(tmp_path: Path) -> DocumentKind:
    """A document that fails for the client named in PMWORKBOOK_TEST_BREAK (read in the kernel,
    which inherits the workers' environment), and is built for the others."""
    return toy_kind(tmp_path, "fragile", "import os\nif os.environ.get('PMWORKBOOK_TEST_BREAK') == client['id']:\n"
                    "    raise ValueError('injected failure')\nfrom IPython.display import HTML\nHTML('<p>fragile</p>')")


def test_a_failed_document_leaves_its_clients_previous_pack_whole_and_the_index_says_why(tmp_path, monkeypatch):
    from pmworkbook.batch.build import build
    from pmworkbook.documents.kinds import document_kinds

    kind = fragile_kind(tmp_path)
    monkeypatch.setitem(document_kinds.kinds, kind.name, kind)
    kinds = [document_kinds.get("communication_calendar"), document_kinds.get("role_description"), kind]
    monkeypatch.setattr(document_kinds, "in_pack", lambda: kinds)
    out = tmp_path / "out"
    settings = Settings(out=out, formats=("html",))
    clients = ["sever-logistics", "harbor-health"]

    def run_build(**options):
        lines: list[str] = []
        return build(DEMO, settings, clients=clients, jobs=2, progress="quiet", report=lines.append, **options), lines

    first, _ = run_build()
    assert {r.status for r in first.results} == {"ok"}
    pack = out / "sever-logistics"
    before = {p.name: p.read_bytes() for p in pack.iterdir()}
    entries = {d["name"]: d for d in json.loads((out / "manifest.json").read_text())["documents"]
               if d["client_id"] == "sever-logistics"}

    monkeypatch.setenv("PMWORKBOOK_TEST_BREAK", "sever-logistics")
    second, lines = run_build(force=True)
    statuses = {(r.client_id, r.name): r.status for r in second.results}
    assert statuses[("sever-logistics", "fragile")] == "failed"
    assert {s for (c, n), s in statuses.items() if c == "sever-logistics" and n != "fragile"} == {"held"}
    assert {s for (c, _), s in statuses.items() if c == "harbor-health"} == {"ok"}  # another client is not held back
    after = {p.name: p.read_bytes() for p in pack.iterdir()}
    assert set(after) == set(before) | {"fragile.failed.ipynb"}  # the error notebook, to open
    assert all(after[name] == data for name, data in before.items())  # the previous pack, cover page included
    manifest = json.loads((out / "manifest.json").read_text())
    for entry in manifest["documents"]:
        if entry["client_id"] == "sever-logistics" and entry["name"] != "fragile":
            # the previous build's entry, the pack holds its files; marked held, with the reason
            assert entry["status"] == "held" and entry["error"] == "not updated: fragile failed", entry
            assert entry["files"] == entries[entry["name"]]["files"]
            assert entry["fingerprint"] == entries[entry["name"]]["fingerprint"]
    assert any(line.startswith("  failed: sever-logistics fragile: ValueError: injected failure") for line in lines), lines
    assert any(line.startswith("  not updated: sever-logistics:") and "(fragile failed)" in line for line in lines), lines
    index = visible_text((out / "index.html").read_text(encoding="utf-8"))
    assert "Packs not updated" in index and "not updated: fragile failed" in index and "previous version kept" in index

    # Fixed: the held documents are the previous build's, unchanged since, so they are reused; the
    # failed one is built, and the pack is complete again.
    monkeypatch.delenv("PMWORKBOOK_TEST_BREAK")
    third, lines = run_build()
    mine = {r.name: r for r in third.results if r.client_id == "sever-logistics"}
    assert mine["fragile"].status == "ok" and not mine["fragile"].reused
    assert all(r.status == "ok" and r.reused for name, r in mine.items() if name != "fragile")
    assert not (pack / "fragile.failed.ipynb").exists() and (pack / "fragile.html").exists()
    assert "Packs not updated" not in (out / "index.html").read_text(encoding="utf-8")
    assert not (out / ".staging").exists()


def test_a_commit_cut_short_is_finished_by_the_next_run(tmp_path):
    from pmworkbook.batch.packs import COMMITTING, recover

    out = tmp_path / "out"
    (out / "acme-shop").mkdir(parents=True)
    (out / "acme-shop" / "a.html").write_text("old a")
    (out / "acme-shop" / "b.html").write_text("new b")  # moved in before the build was killed
    (out / "acme-shop" / "a.failed.ipynb").write_text("an earlier failure")
    marked = out / ".staging" / f"acme-shop{COMMITTING}"
    (marked / "a").mkdir(parents=True)
    (marked / "a" / "a.html").write_text("new a")
    (marked / "index.html").write_text("new cover")
    (out / ".staging" / "harbor-health" / "x").mkdir(parents=True)  # staged, never committed
    (out / ".staging" / "harbor-health" / "x" / "x.html").write_text("dropped")
    recover(out, report=print)
    assert {p.name: p.read_text() for p in (out / "acme-shop").iterdir()} == {
        "a.html": "new a", "b.html": "new b", "index.html": "new cover"}
    assert not (out / ".staging").exists() and not (out / "harbor-health").exists()


def test_ctrl_c_during_a_commit_takes_effect_after_it():
    from pmworkbook.batch.packs import signals_deferred

    steps = []
    with pytest.raises(KeyboardInterrupt), signals_deferred():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        steps.append("moved in")  # the rest of the commit still runs
    assert steps == ["moved in"]


def _complete(path: Path) -> bool:
    if path.suffix == ".pdf":
        return subprocess.run(["pdfinfo", str(path)], capture_output=True).returncode == 0
    if path.suffix == ".html":
        return path.read_text(encoding="utf-8").rstrip().endswith("</html>")
    if path.suffix == ".ipynb":
        nbformat.read(path, as_version=4)
    return True


def test_a_killed_build_leaves_no_partial_file_and_the_next_run_resumes(tmp_path):
    out = tmp_path / "outputs"
    process = subprocess.Popen([*PMWORKBOOK, "build", str(DEMO), "--out", str(out), "--jobs", "2", "--verbose"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.monotonic() + 240
    committed: list[Path] = []
    while time.monotonic() < deadline:  # a client's pack moved in (its cover page comes last), then a document of another
        line = process.stdout.readline()
        if committed and " ok (" in line:
            break
        committed = committed or list(out.glob("*/index.html"))
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group, mid-build
    tail = process.communicate(timeout=120)[0]
    assert process.returncode == 130, tail
    assert "Interrupted" in tail
    assert not list(out.rglob("*.partial*")), list(out.rglob("*.partial*"))
    assert not (out / ".staging").exists()  # what was staged for a client not yet complete is dropped
    for path in out.rglob("*"):
        if path.is_file():
            assert _complete(path), path
    documents = json.loads((out / "manifest.json").read_text())["documents"]
    built = [d for d in documents if d["status"] == "ok"]
    packs = {d["client_id"] for d in built}
    assert packs and all(len([d for d in built if d["client_id"] == c]) == document_count(c) for c in packs)  # whole packs
    assert {p.parent.name for p in out.glob("*/index.html")} == packs
    result = run_cli("build", DEMO, "--out", out, "--jobs", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    reused = int(re.search(r"Done: \d+ built, (\d+) reused", result.stdout)[1])
    assert reused == len(built)  # every document in a pack; a client's staged documents were built again
    assert "0 failed" in result.stdout


def test_a_rerun_rebuilds_only_the_client_that_changed(demo_packs, tmp_path, demo_raw):
    out = tmp_path / "outputs"
    shutil.copytree(demo_packs, out)
    raw = copy.deepcopy(demo_raw)
    changed = next(c for c in raw["clients"] if c["id"] == "harbor-health")
    changed["communication"]["meeting_time"] = "11:00"
    path = write_portfolio(tmp_path / "portfolio.yaml", raw)
    result = run_cli("build", path, "--out", out, "--jobs", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    harbor_documents = document_count("harbor-health")  # every one of its documents depends on its data
    total = len(json.loads((demo_packs / "manifest.json").read_text())["documents"])
    assert f"{harbor_documents} built, {total - harbor_documents} reused, 0 failed" in result.stdout
    assert "11:00" in (out / "harbor-health" / "communication_calendar.html").read_text(encoding="utf-8")
    forced = run_cli("build", path, "--out", out, "--jobs", "2", "--force", "--clients", "acme-shop")
    assert f"{document_count('acme-shop')} built, 0 reused" in forced.stdout


def test_a_dask_cluster_builds_the_same_pack_as_local_workers(tmp_path):
    from distributed import LocalCluster

    local = tmp_path / "local"
    assert run_cli("build", DEMO, "--out", local, "--clients", "sever-logistics", "--formats", "html").returncode == 0
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = tmp_path / "dask"
        result = run_cli("build", DEMO, "--out", remote, "--clients", "sever-logistics", "--formats", "html",
                         "--dask", cluster.scheduler_address)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Dask at tcp://" in result.stdout
    local_files = sorted(p.name for p in (local / "sever-logistics").iterdir())
    assert local_files == sorted(p.name for p in (remote / "sever-logistics").iterdir())
    for name in local_files:
        if name.endswith(".html"):
            assert (local / "sever-logistics" / name).read_text() == (remote / "sever-logistics" / name).read_text()


def test_a_terminal_gets_a_progress_bar_with_eta_and_quiet_prints_only_the_summary(tmp_path):
    import pty

    out = tmp_path / "outputs"
    leader, follower = pty.openpty()
    process = subprocess.Popen([*PMWORKBOOK, "build", str(DEMO), "--out", str(out), "--clients", "harbor-health",
                                "--formats", "html"], cwd=ROOT, stdout=follower, stderr=subprocess.DEVNULL)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert process.wait(timeout=300) == 0
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert "ETA" in screen and "\r" in screen and "harbor-health" in screen and "[" + "#" * 30 + "]" in screen
    quiet = run_cli("build", DEMO, "--out", out, "--clients", "harbor-health", "--formats", "html", "--force", "--quiet")
    assert quiet.returncode == 0
    assert quiet.stdout.strip().splitlines()[-1].startswith(f"Done: {document_count('harbor-health')} built, 0 reused, 0 failed")
    assert "[1/" not in quiet.stdout
