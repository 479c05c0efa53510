"""Throughput of pmworkbook against plain Papermill + nbconvert, measured side by side.

    python bench/throughput.py --clients 20 [--jobs 2] [--plain-clients 3]

Builds N synthetic clients (the demo's four, repeated under new ids: demo-sized packs) three ways,
the same documents each (those of the registry of document kinds), each notebook given the client's
validated data as its `client` parameter:
  (a) plain: a script calling the `papermill` command (the parameters as YAML), `jupyter nbconvert
      --to html --no-input` and the `weasyprint` command for every document, one after another;
  (b) api:   Papermill's Python API in a process pool, a reused HTMLExporter and WeasyPrint
      in-process (a fresh kernel per notebook, as Papermill does);
  (c) pmworkbook build --force (warm kernels, in-process export).
Prints packs per minute, the ratios c/a and c/b, peak memory per worker, and (c) for N and 2N.
The plain way is slow; it runs on --plain-clients clients (default 3) and is scaled per pack.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from pmworkbook.core.templates import DEMO_PORTFOLIO, NOTEBOOKS_DIR

BIN = Path(sys.executable).parent


def synthetic_portfolio(clients: int, folder: Path) -> Path:
    raw = yaml.safe_load(DEMO_PORTFOLIO.read_text(encoding="utf-8"))
    base = raw["clients"]
    raw["clients"] = []
    for n in range(clients):
        client = json.loads(json.dumps(base[n % len(base)], default=str))
        client["id"] = f"client-{n:04d}"
        client["name"] = f"{client['name']} #{n}"
        raw["clients"].append(client)
    path = folder / f"portfolio-{clients}.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def documents(portfolio: Path):
    """(client, notebook, document name, notebook parameters) of every document `pmworkbook build`
    makes, from the registry of document kinds; the client's data is the `client` parameter, as in
    the build. The portfolio is validated once here, as the build's planner does."""
    from pmworkbook.batch.jobs import client_parameters
    from pmworkbook.core.templates import Templates
    from pmworkbook.documents.kinds import document_kinds
    from pmworkbook.plan.validation import validate

    for client in validate(portfolio, Templates.get()).require().clients:
        data = client_parameters(client)
        for kind in document_kinds.in_pack():
            for variant in kind.variants_of(client):
                parameters = {"client": data, **({kind.variant_parameter: variant} if kind.variant_parameter else {})}
                yield client, kind.notebook, kind.document_name(variant), parameters


# ------------------------------------------------------------------------- the three ways


def way_plain(portfolio: Path, out: Path, jobs: int) -> None:
    for client, source, name, parameters in documents(portfolio):
        folder = out / client.id
        folder.mkdir(parents=True, exist_ok=True)
        notebook = folder / f"{name}.ipynb"
        # The client's data is a mapping: the command takes it as YAML (JSON is YAML).
        params = json.dumps({**parameters, "output_dir": str(folder)}, ensure_ascii=False)
        subprocess.run([BIN / "papermill", source, notebook, "-y", params, "--cwd", NOTEBOOKS_DIR, "--no-progress-bar"],
                       check=True, capture_output=True)
        subprocess.run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", notebook], check=True, capture_output=True)
        subprocess.run([BIN / "weasyprint", folder / f"{name}.html", folder / f"{name}.pdf"], check=True, capture_output=True)


_EXPORTER = None


def _api_document(args) -> None:
    """One document with Papermill's API; the exporter is reused within the worker."""
    global _EXPORTER
    import papermill
    from nbconvert import HTMLExporter
    from weasyprint import HTML

    source, name, parameters, folder = args
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    nb = papermill.execute_notebook(source, str(folder / f"{name}.ipynb"),
                                    parameters={**parameters, "output_dir": str(folder)},
                                    progress_bar=False, cwd=str(NOTEBOOKS_DIR))
    if _EXPORTER is None:
        _EXPORTER = HTMLExporter(exclude_input=True)
    html, _ = _EXPORTER.from_notebook_node(nb)
    (folder / f"{name}.html").write_text(html, encoding="utf-8")
    HTML(string=html).write_pdf(folder / f"{name}.pdf")


def way_api(portfolio: Path, out: Path, jobs: int) -> None:
    import concurrent.futures
    import multiprocessing

    work = [(str(source), name, parameters, str(out / client.id)) for client, source, name, parameters in documents(portfolio)]
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_api_document, work))


def way_pmworkbook(portfolio: Path, out: Path, jobs: int) -> None:
    subprocess.run([BIN / "pmworkbook", "build", portfolio, "--out", out, "--jobs", str(jobs), "--force", "--quiet"],
                   check=True, capture_output=True)


WAYS = {"plain": way_plain, "api": way_api, "pmworkbook": way_pmworkbook}


def measure(way: str, clients: int, jobs: int, folder: Path) -> dict:
    """Run one way in its own process, so that its peak memory is its own."""
    result = subprocess.run([sys.executable, __file__, "--run", way, "--clients", str(clients), "--jobs", str(jobs),
                             "--folder", str(folder)], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{way} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_one(way: str, clients: int, jobs: int, folder: Path) -> None:
    portfolio = synthetic_portfolio(clients, folder)
    out = folder / f"out-{way}-{clients}"
    started = time.perf_counter()
    WAYS[way](portfolio, out, jobs)
    seconds = time.perf_counter() - started
    # ru_maxrss of the children: the largest single worker (or kernel) process, in KiB on Linux.
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"way": way, "clients": clients, "seconds": seconds, "peak_worker_mib": peak_mib,
                      "packs_per_minute": clients / seconds * 60}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--plain-clients", type=int, default=3)
    parser.add_argument("--run", choices=WAYS, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        return run_one(args.run, args.clients, args.jobs, args.folder)

    with tempfile.TemporaryDirectory(prefix="pmworkbook-bench-") as tmp:
        folder = Path(tmp)
        print(f"pmworkbook throughput: {args.clients} clients, {args.jobs} worker(s), {os.cpu_count()} core(s)", flush=True)
        a = measure("plain", args.plain_clients, args.jobs, folder)
        print(f"(a) plain papermill + nbconvert + weasyprint commands: {a['packs_per_minute']:6.1f} packs/min "
              f"({a['seconds']:.1f}s for {a['clients']} clients; peak {a['peak_worker_mib']:.0f} MiB per process)", flush=True)
        b = measure("api", args.clients, args.jobs, folder)
        print(f"(b) Papermill API in a pool, reused exporter:          {b['packs_per_minute']:6.1f} packs/min "
              f"({b['seconds']:.1f}s for {b['clients']} clients; peak {b['peak_worker_mib']:.0f} MiB per worker)", flush=True)
        c = measure("pmworkbook", args.clients, args.jobs, folder)
        print(f"(c) pmworkbook build:                                   {c['packs_per_minute']:6.1f} packs/min "
              f"({c['seconds']:.1f}s for {c['clients']} clients; peak {c['peak_worker_mib']:.0f} MiB per worker)", flush=True)
        c2 = measure("pmworkbook", 2 * args.clients, args.jobs, folder)
        print(f"    pmworkbook build, 2N = {2 * args.clients} clients:               {c2['seconds']:.1f}s "
              f"({c2['seconds'] / c['seconds']:.2f}x the time for N)")
        print(f"ratios: c/a = {c['packs_per_minute'] / a['packs_per_minute']:.1f}, c/b = {c['packs_per_minute'] / b['packs_per_minute']:.1f}")


if __name__ == "__main__":
    main()
