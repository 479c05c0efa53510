"""pyproject.toml and environment.yml list the same dependencies."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import ROOT


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
