"""The import direction of the layout: each layer imports only from the layers before it
(core < portfolio < plan < render < documents < batch < apps < the command line), and no two
modules import each other, directly or round a loop. Read from the source with `ast`, so an
import inside a function or under `if TYPE_CHECKING:` is seen as well."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import pmworkbook

PACKAGE_DIR = Path(pmworkbook.__file__).resolve().parent
LAYERS = ("core", "portfolio", "plan", "render", "documents", "batch", "apps")
TOP = len(LAYERS)  # the package itself, cli and __main__: they may import everything


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the pmworkbook module it names
    line: int
    module_level: bool  # runs when the module is imported (not inside a function or `if TYPE_CHECKING:`)
    text: str

    def __str__(self) -> str:
        return f"{self.module} (line {self.line}: {self.text})"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE_DIR.rglob("*.py"))}


def layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else TOP


def layer_name(module: str) -> str:
    index = layer(module)
    return LAYERS[index] if index < TOP else "top"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(module: str) -> list[Import]:
    """Every pmworkbook module `module` imports, wherever the import statement stands."""
    path = MODULES[module]
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Import] = []

    def targets(node: ast.Import | ast.ImportFrom) -> list[str]:
        if isinstance(node, ast.Import):
            return [alias.name for alias in node.names]
        base = node.module or ""
        if node.level:  # relative: from . import x, from ..plan import y
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join(anchor + ([base] if base else []))
        # `from pmworkbook.render import html` imports the module pmworkbook.render.html
        named = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES]
        return named if len(named) == len(node.names) else [base, *named]

    def visit(node: ast.AST, module_level: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                for target in targets(child):
                    if target == "pmworkbook" or target.startswith("pmworkbook."):
                        found.append(Import(module, target, child.lineno, module_level,
                                            ast.get_source_segment(source, child) or ""))
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                visit(child, False)
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for statement in child.body:
                    visit(ast.Module(body=[statement], type_ignores=[]), False)
                for statement in child.orelse:
                    visit(ast.Module(body=[statement], type_ignores=[]), module_level)
            else:  # a class body, try, if, with: runs when its enclosing scope runs
                visit(child, module_level)

    visit(tree, True)
    return found


ALL_IMPORTS = [found for module in MODULES for found in imports_of(module)]


def test_every_module_is_in_a_layer():
    assert len(MODULES) > 30  # the walk found the package
    strays = [m for m in MODULES if layer(m) == TOP and m not in ("pmworkbook", "pmworkbook.cli", "pmworkbook.__main__")]
    assert not strays, f"modules outside the layers {LAYERS}: {strays}; add the folder to LAYERS in its place"


def test_imports_name_modules_that_exist():
    missing = [str(i) for i in ALL_IMPORTS if i.target not in MODULES]
    assert not missing, "imports of pmworkbook modules that do not exist:\n" + "\n".join(missing)


def test_no_module_imports_from_a_later_layer():
    upward = [f"{i} imports {i.target}: layer {layer_name(i.module)} may not import from layer {layer_name(i.target)}"
              for i in ALL_IMPORTS if layer(i.target) > layer(i.module)]
    assert not upward, f"imports against the layer order {' < '.join(LAYERS)} < top:\n" + "\n".join(upward)


def import_graph() -> dict[str, dict[str, Import]]:
    """Module -> the modules it imports when it is imported (module level, outside TYPE_CHECKING)."""
    graph: dict[str, dict[str, Import]] = {module: {} for module in MODULES}
    for found in ALL_IMPORTS:
        if found.module_level and found.target in MODULES and found.target != found.module:
            graph[found.module].setdefault(found.target, found)
    return graph


def find_cycle(graph: dict[str, dict[str, Import]]) -> list[Import] | None:
    """One cycle of the graph as the imports along it, or None if it is acyclic."""
    state: dict[str, str] = {}  # "open" while on the path, "done" after
    path: list[Import] = []

    def walk(module: str) -> list[Import] | None:
        state[module] = "open"
        for target, found in graph[module].items():
            if state.get(target) == "open":
                start = next((n for n, step in enumerate(path) if step.module == target), len(path))
                return [*path[start:], found]
            if target not in state:
                path.append(found)
                if cycle := walk(target):
                    return cycle
                path.pop()
        state[module] = "done"
        return None

    for module in graph:
        if module not in state and (cycle := walk(module)):
            return cycle
    return None


def test_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle:\n" + "\n".join(f"{step} imports {step.target}" for step in cycle)


def test_the_checks_see_a_cycle_and_an_upward_import():
    """The helpers above would catch what they are for."""
    a = Import("pmworkbook.plan.a", "pmworkbook.plan.b", 1, True, "")
    b = Import("pmworkbook.plan.b", "pmworkbook.plan.a", 1, True, "")
    assert find_cycle({"pmworkbook.plan.a": {"pmworkbook.plan.b": a}, "pmworkbook.plan.b": {"pmworkbook.plan.a": b}}) == [a, b]
    assert find_cycle({"pmworkbook.plan.a": {"pmworkbook.plan.b": a}, "pmworkbook.plan.b": {}}) is None
    assert layer("pmworkbook.batch.build") > layer("pmworkbook.documents.kinds") > layer("pmworkbook.core.files")
    assert layer("pmworkbook.cli") == layer("pmworkbook") == TOP
    # the walk sees imports inside functions and under TYPE_CHECKING, and tells them apart
    found = {(i.target, i.module_level) for i in imports_of("pmworkbook.documents.kinds")}
    assert ("pmworkbook.portfolio.model", False) in found and ("pmworkbook.core.templates", True) in found
    calendar = {(i.target, i.module_level) for i in imports_of("pmworkbook.documents.calendar")}
    assert ("pmworkbook.render.calendar_views", False) in calendar


# Each is imported first, alone, in a fresh interpreter: an import cycle that the order of the
# test suite's imports hides shows there. The engine is Papermill's entry point, which Papermill
# loads while it is itself being imported.
@pytest.mark.parametrize("module", ["pmworkbook.batch.engine", "pmworkbook.batch.worker", "pmworkbook.apps.workshop"])
def test_a_module_imports_first_in_a_fresh_interpreter(module):
    result = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"import {module} in a fresh interpreter failed:\n{result.stderr[-3000:]}"


def test_the_engine_imported_before_papermill_is_papermills_engine():
    # Papermill asks for the engine while the engine module is importing papermill; what it holds
    # in the end must be the engine class itself, not the stand-in it got then.
    code = ("import pmworkbook.batch.engine as engine, papermill.engines as engines\n"
            "assert engines.papermill_engines.get_engine('pmworkbook') is engine.WarmKernelEngine")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
