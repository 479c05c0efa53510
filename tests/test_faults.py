"""Faults during a build: a worker killed mid-build, the build itself killed, two builds into one
folder, a document whose export outlasts --timeout, more --jobs than the machine carries, and a
Dask scheduler that does not answer. Each ends with every good document built, a truthful
manifest, and no stray process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from conftest import DEMO, PMWORKBOOK, ROOT
from pmworkbook.batch import run
from pmworkbook.batch.build import BuildLocked, build, output_lock
from pmworkbook.batch.jobs import Settings
from pmworkbook.batch.run import SchedulerUnreachable
from pmworkbook.documents.kinds import DocumentKind, document_kinds


def start_build(out: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([*PMWORKBOOK, "build", str(DEMO), "--out", str(out), "--verbose", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})


def wait_for_line(process: subprocess.Popen, prefix: str, timeout: float = 120) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith(prefix):
            return line
        if not line and process.poll() is not None:
            break
    raise AssertionError(f"no line starting {prefix!r}")


def descendants(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_a_killed_worker_is_replaced_and_every_document_is_built(tmp_path):
    out = tmp_path / "out"
    process = start_build(out, "--jobs", "2", "--formats", "html")
    wait_for_line(process, "[1/")
    workers = [p for p in descendants(process.pid) if "multiprocessing" in " ".join(p.cmdline())]
    assert workers, "the build has worker processes"
    workers[0].send_signal(signal.SIGKILL)  # as the out-of-memory killer would
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stdout + stderr
    documents = manifest(out)["documents"]
    assert len(documents) == 14 and all(d["status"] == "ok" for d in documents), documents
    assert "Traceback" not in stderr


def test_killing_the_build_leaves_no_worker_or_kernel_behind(tmp_path):
    process = start_build(tmp_path / "out", "--jobs", "2", "--formats", "html")
    wait_for_line(process, "[1/")
    children = descendants(process.pid)
    assert any("ipykernel" in " ".join(p.cmdline()) for p in children), "workers have started their kernels"
    process.kill()
    process.communicate()
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, [p.cmdline() for p in alive]


def test_a_second_build_into_the_same_folder_waits_or_exits_with_no_wait(tmp_path):
    out = tmp_path / "out"
    with output_lock(out, wait=False, report=print):  # a build is running there
        with pytest.raises(BuildLocked), output_lock(out, wait=False, report=print):
            pass
        refused = subprocess.run([*PMWORKBOOK, "build", str(DEMO), "--out", str(out), "--no-wait"], cwd=ROOT,
                                 capture_output=True, text=True, timeout=120)
        assert refused.returncode == 2
        assert refused.stderr.strip().startswith("pmworkbook:") and "another build" in refused.stderr
        assert "Traceback" not in refused.stderr and not (out / "manifest.json").exists()
        waiting = start_build(out, "--clients", "sever-logistics", "--formats", "html")
        assert "Waiting for the other build" in wait_for_line(waiting, "Waiting")
        time.sleep(1)
        assert waiting.poll() is None and not (out / "manifest.json").exists()  # still waiting, nothing written
    stdout, stderr = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, stdout + stderr
    assert {d["status"] for d in manifest(out)["documents"]} == {"ok"}


def test_the_time_limit_covers_the_export_not_only_the_notebook(tmp_path):
    # A notebook that runs in a moment but whose page is long: the PDF takes far longer than 2 s.
    notebook = new_notebook(cells=[
        new_code_cell('client = None\noutput_dir = ""\ntemplates = ""', metadata={"tags": ["parameters"]}),
        new_code_cell("from IPython.display import HTML\n"
                      "HTML('<table>' + ''.join(f'<tr><td>{n}</td><td>' + 'word ' * 40 + '</td></tr>' for n in range(6000)) + '</table>')"),
    ])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "long.ipynb"
    nbformat.write(notebook, path)
    kind = DocumentKind(name="long_table", notebook=path, title_key="documents.pack", order=99)
    document_kinds.register(kind)
    started = time.monotonic()
    try:
        outcome = build(DEMO, Settings(out=tmp_path / "out", formats=("pdf",), timeout=2), clients=["sever-logistics"],
                        jobs=1, progress="quiet", report=lambda line: None)
    finally:
        document_kinds.unregister(kind.name)
    results = {r.kind: r for r in outcome.results}
    assert results["long_table"].status == "failed"
    assert "time limit of 2 s" in results["long_table"].error and "export" in results["long_table"].error
    assert {r.status for name, r in results.items() if name != "long_table"} == {"ok"}
    assert time.monotonic() - started < 60


def test_more_jobs_than_the_machine_carries_are_capped_with_a_message(tmp_path):
    lines: list[str] = []
    outcome = build(DEMO, Settings(out=tmp_path / "out", formats=("html",)), clients=["sever-logistics"], jobs=64,
                    progress="quiet", report=lines.append)
    assert {r.status for r in outcome.results} == {"ok"}
    capped = [line for line in lines if line.startswith("--jobs 64: using")]
    assert capped and f"{os.cpu_count()} core(s)" in capped[0]


def test_an_unreachable_dask_scheduler_is_one_line_naming_the_address(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "DASK_CONNECT_TIMEOUT", 2)
    with pytest.raises(SchedulerUnreachable, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9 \(--dask\)"):
        build(DEMO, Settings(out=tmp_path / "out", formats=("html",)), clients=["sever-logistics"],
              dask_address="tcp://127.0.0.1:9", progress="quiet", report=lambda line: None)
