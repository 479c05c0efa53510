"""pyproject.toml and environment.yml list the same dependencies; the package ships its data
(templates, notebooks, the demo); the virtual environment is made on the system's own Python when
it is new enough."""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
import yaml

from conftest import ROOT
from pmworkbook.core.templates import PACKAGE_DIR


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_mirrors_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    optional = [r for group in project["optional-dependencies"].values() for r in group]
    wanted = {_name(r): r for r in project["dependencies"] + optional}
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = {_name(d): d for d in environment["dependencies"] if isinstance(d, str)}
    conda_only = {"python", "pip", "poppler"}  # the interpreter, pip, and a system tool the tests use
    assert set(wanted) == set(conda) - conda_only
    for name, requirement in wanted.items():
        assert requirement.replace(" ", "") == conda[name].replace(" ", ""), name


def test_the_package_data_globs_ship_every_data_file_of_the_package():
    # An editable install reads lib/ directly: only these globs decide what a wheel holds.
    package = ROOT / "lib" / "pmworkbook"
    assert PACKAGE_DIR.resolve() == package.resolve()  # the package's data is read from here
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]["pmworkbook"]
    shipped = {Path(p) for pattern in patterns for p in glob.glob(pattern, root_dir=package, recursive=True)
               if (package / p).is_file()}  # as setuptools expands them
    data = {p.relative_to(package) for p in package.rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}
    assert {p.parts[0] for p in data} >= {"templates", "notebooks", "examples"}
    assert data - shipped == set()


def _version(python: str) -> tuple[int, int]:
    out = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True, text=True, check=True)
    major, minor = out.stdout.split()
    return int(major), int(minor)


def test_the_venv_interpreter_is_the_systems_python3_when_it_is_310_or_newer():
    chosen = subprocess.run([ROOT / "scripts" / "venv-python.sh"], capture_output=True, text=True, check=True).stdout.strip()
    system = Path("/usr/bin/python3")
    if system.exists() and _version(str(system)) >= (3, 10):
        assert chosen == str(system)
    assert _version(chosen) >= (3, 10)
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip("not running in the project's .venv (make test)")
    # make test ran these tests in the venv that scripts/venv.sh made on that interpreter.
    assert os.path.realpath(sys._base_executable) == os.path.realpath(chosen)
