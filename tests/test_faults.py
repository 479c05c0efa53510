"""Faults during a build: a worker killed mid-build, the build itself killed, two builds into one
folder, a document whose export outlasts --timeout, more --jobs than the machine carries, a Dask
scheduler that does not answer, a disk that fills up. Each ends with every good document built
or its client's previous pack whole, a truthful manifest and index (or a message that says the
index is stale, and why), and no stray process."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from conftest import DEMO, PMWORKBOOK, ROOT, toy_kind
from pmworkbook.batch import run
from pmworkbook.batch.build import RESERVE, BuildLocked, build, output_lock
from pmworkbook.batch.jobs import Settings, plan_jobs
from pmworkbook.batch.run import SchedulerUnreachable
from pmworkbook.batch.worker import run_job
from pmworkbook.core.files import SpaceReserve
from pmworkbook.core.templates import Templates
from pmworkbook.plan.validation import validate

pytestmark = pytest.mark.slow  # about a minute: `make test-slow`, and CI


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
    workers = [p for p in descendants(process.pid) if "spawn_main" in " ".join(p.cmdline())]  # not the resource tracker
    assert workers, "the build has worker processes"
    workers[0].send_signal(signal.SIGKILL)  # as the out-of-memory killer would
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stdout + stderr
    documents = manifest(out)["documents"]
    planned = len(plan_jobs(validate(DEMO, Templates.get()).require().clients, Settings()))
    assert len(documents) == planned and all(d["status"] == "ok" for d in documents), documents
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
    kind = toy_kind(tmp_path, "long_table", "from IPython.display import HTML\n"
                    "HTML('<table>' + ''.join(f'<tr><td>{n}</td><td>' + 'word ' * 40 + '</td></tr>' for n in range(6000)) + '</table>')")
    client = validate(DEMO, Templates.get()).require().client("sever-logistics")
    [job] = plan_jobs([client], Settings(out=tmp_path / "out", formats=("pdf",), timeout=2), [kind])
    started = time.monotonic()
    result = run_job(job)  # in this process's main thread, as in a local worker
    assert result.status == "failed"
    assert "time limit of 2 s" in result.error and "export" in result.error, result.error
    assert time.monotonic() - started < 20
    assert not list((tmp_path / "out").rglob("*.pdf"))
    # Only the error notebook is left in its staging folder, for the build to move into the pack.
    assert [p.name for p in job.staging_dir.iterdir()] == ["long_table.failed.ipynb"]


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


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MiB file system of its own (tmpfs), to fill up or make read-only."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def build_cli(out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*PMWORKBOOK, "build", str(DEMO), "--out", str(out), "--clients", "sever-logistics",
                           "--formats", "html", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def fill(disk: Path, leave: int = 0) -> None:
    """Fill the file system, leaving about `leave` bytes free."""
    with (disk / "filler").open("ab") as handle:
        for size in (1 << 16, 1 << 12, 1):
            with contextlib.suppress(OSError):
                while shutil.disk_usage(disk).free - size >= leave:
                    handle.write(b"\0" * size)
                    handle.flush()


def pack(out: Path, client_id: str = "sever-logistics") -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (out / client_id).iterdir()}


def assert_pack_unchanged(before: dict[str, bytes], after: dict[str, bytes]) -> None:
    """The previous pack byte for byte, cover page included; at most error notebooks beside it."""
    assert all(after.get(name) == data for name, data in before.items()), [n for n in before if after.get(n) != before[n]]
    assert all(name.endswith(".failed.ipynb") for name in set(after) - set(before)), set(after) - set(before)


def assert_nothing_left_over(out: Path) -> None:
    assert not list(out.rglob("*.partial*")) and not (out / ".staging").exists() and not (out / RESERVE).exists()


def test_a_full_disk_fails_the_client_keeps_its_previous_pack_and_the_index_says_so(small_disk):
    out = small_disk / "out"
    first = build_cli(out)
    assert first.returncode == 0, first.stdout + first.stderr
    before = pack(out)
    fill(small_disk, leave=100_000)  # too little for a calendar's notebook and page
    second = build_cli(out, "--force")
    assert second.returncode == 1 and "Traceback" not in second.stderr, second.stdout + second.stderr
    assert "No space left on device" in second.stdout
    assert "not updated: sever-logistics: its previous pack kept whole" in second.stdout
    assert_pack_unchanged(before, pack(out))
    documents = manifest(out)["documents"]
    failed = [d for d in documents if d["status"] == "failed"]
    assert failed and all("No space left on device" in d["error"] for d in failed)
    assert all(d["status"] in ("failed", "held") for d in documents)  # none is reported as built
    for entry in documents:
        if entry["status"] == "held":
            assert entry["error"].startswith("not updated: ") and entry["error"].endswith(" failed")
            assert entry["files"] and all(before[f["name"]] and (out / "sever-logistics" / f["name"]).exists()
                                          for f in entry["files"])
    index = (out / "index.html").read_text(encoding="utf-8")  # written in the space held for it
    assert "Packs not updated" in index and "No space left on device" in index
    assert "stale" not in second.stderr
    assert_nothing_left_over(out)


HOG = """\
import os
path = os.environ.get("PMWORKBOOK_TEST_HOG")
if path:  # another program fills the disk while the build runs
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    for size in (1 << 16, 1 << 12, 1):
        try:
            while True:
                os.write(fd, b"x" * size)
        except OSError:
            pass
    os.close(fd)
"""


def test_a_disk_filled_to_the_last_byte_during_a_build_still_gets_an_index_that_says_so(small_disk, tmp_path, monkeypatch,
                                                                                       capsys):
    from pmworkbook.cli import main
    from pmworkbook.documents.kinds import document_kinds

    hog = toy_kind(tmp_path, "hog", HOG, order=1)  # first
    monkeypatch.setitem(document_kinds.kinds, hog.name, hog)
    kinds = [hog, document_kinds.get("communication_calendar"), document_kinds.get("service_log")]
    monkeypatch.setattr(document_kinds, "in_pack", lambda: kinds)
    out = small_disk / "out"
    arguments = ["build", str(DEMO), "--out", str(out), "--clients", "sever-logistics", "--formats", "html", "--jobs", "1"]
    assert main(arguments) == 0, capsys.readouterr()
    before = pack(out)
    monkeypatch.setenv("PMWORKBOOK_TEST_HOG", str(small_disk / "hog"))
    free_at_release: list[int] = []
    release = SpaceReserve.release
    monkeypatch.setattr(SpaceReserve, "release", lambda self: free_at_release.append(shutil.disk_usage(small_disk).free)
                        or release(self))
    capsys.readouterr()
    assert main([*arguments, "--force"]) == 1
    captured = capsys.readouterr()
    assert free_at_release == [0]  # not a byte left but the space held for the manifest and index
    assert "Traceback" not in captured.err and "stale" not in captured.err, captured.err
    assert_pack_unchanged(before, pack(out))
    statuses = {d["name"]: (d["status"], d["error"]) for d in manifest(out)["documents"]}
    assert {status for status, _ in statuses.values()} <= {"failed", "held"}
    assert any("No space left on device" in error for _, error in statuses.values()), statuses
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Packs not updated" in index and "No space left on device" in index
    assert_nothing_left_over(out)


def test_a_disk_full_before_the_build_says_on_stderr_that_the_index_is_stale(small_disk):
    out = small_disk / "out"
    assert build_cli(out).returncode == 0
    before, index = pack(out), (out / "index.html").read_bytes()
    fill(small_disk)  # not a byte left, for documents or for the space held for the index
    result = build_cli(out, "--force")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stdout + result.stderr
    stale = [line for line in result.stderr.splitlines() if "stale" in line]
    assert len(stale) == 1, result.stderr
    assert stale[0] == (f"pmworkbook: {out / 'index.html'} and manifest.json are stale (they show an earlier run): this run "
                        f"could not write them (No space left on device); make room in {out} and run the same command again")
    assert (out / "index.html").read_bytes() == index
    assert_pack_unchanged(before, pack(out))
    assert_nothing_left_over(out)


def test_a_read_only_output_folder_is_one_line_and_exit_2(small_disk):
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    result = build_cli(small_disk / "out")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().startswith(f"pmworkbook: {small_disk / 'out'}: cannot write there")


def test_clients_removed_from_the_portfolio_are_orphaned_then_pruned(tmp_path, demo_raw):
    from conftest import write_portfolio

    out = tmp_path / "out"
    both = dict(demo_raw, clients=[c for c in demo_raw["clients"] if c["id"] in ("sever-logistics", "harbor-health")])
    one = dict(demo_raw, clients=[c for c in demo_raw["clients"] if c["id"] == "sever-logistics"])
    common = ["--formats", "html", "--out", str(out)]
    assert subprocess.run([*PMWORKBOOK, "build", str(write_portfolio(tmp_path / "both.yaml", both)), *common],
                          cwd=ROOT, capture_output=True, timeout=300).returncode == 0
    single = write_portfolio(tmp_path / "one.yaml", one)
    assert subprocess.run([*PMWORKBOOK, "build", str(single), *common], cwd=ROOT, capture_output=True, timeout=300).returncode == 0
    data = manifest(out)
    assert data["orphaned"] == ["harbor-health"] and (out / "harbor-health").is_dir()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Orphaned folders" in index and "Harbor Health Inc." not in index  # no longer listed as a current pack
    assert subprocess.run([*PMWORKBOOK, "build", str(single), *common, "--prune"], cwd=ROOT, capture_output=True,
                          timeout=300).returncode == 0
    data = manifest(out)
    assert data["orphaned"] == [] and not (out / "harbor-health").exists()
    assert {d["client_id"] for d in data["documents"]} == {"sever-logistics"}


def test_a_portfolio_edited_during_a_build_changes_the_next_build_only(tmp_path, demo_raw):
    from conftest import write_portfolio

    path = write_portfolio(tmp_path / "portfolio.yaml", demo_raw)
    out = tmp_path / "out"
    process = subprocess.Popen([*PMWORKBOOK, "build", str(path), "--out", str(out), "--formats", "html", "--verbose",
                                "--jobs", "2"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_line(process, "[1/")
    path.write_text("clients: [not, a, portfolio\n", encoding="utf-8")  # broken mid-build
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stdout + stderr
    assert {d["status"] for d in manifest(out)["documents"]} == {"ok"}
