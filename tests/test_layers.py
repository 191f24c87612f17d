"""The package's layers import one way, lazy imports included, and no module imports itself round a cycle.

Layers, lowest first (docs/decisions.md, "Layers"):
core (text, errors, steps, the policy call, the usage records, ...) → state → judge → serving and tools →
nodes → graphs → app (runner, run folder and record, CLI, viewer, eval, benchmarks).
A module may import its own layer and the layers below it. Every `import` statement counts, inside
functions too; only `if TYPE_CHECKING:` blocks do not, since they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
# The clone is the package folder: `stepresearch.X.Y` is the file X/Y.py (docs/decisions.md, "Layout").
PACKAGES = ("core", "state", "judge", "serving", "tools", "nodes", "graphs", "app", "eval", "benchmarks")
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("core", ("stepresearch.core",)),
    ("state", ("stepresearch.state",)),
    ("judge", ("stepresearch.judge",)),
    ("serving and tools", ("stepresearch.serving", "stepresearch.tools")),
    ("nodes", ("stepresearch.nodes",)),
    ("graphs", ("stepresearch.graphs",)),
    ("app", ("stepresearch.app", "stepresearch.eval", "stepresearch.benchmarks", "stepresearch")),
]
# In the cycle check each module of these packages is a node of its own; any other package is one node.
ONE_NODE_PER_MODULE = ("stepresearch.core", "stepresearch.app")


def module_name(path: Path) -> str:
    """The module a file is, from its path alone."""
    parts = [p for p in path.relative_to(ROOT).with_suffix("").parts if p != "__init__"]
    return ".".join(["stepresearch", *parts])


def modules() -> dict[str, Path]:
    found = {"stepresearch": ROOT / "__init__.py", "stepresearch.__main__": ROOT / "__main__.py"}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found[module_name(path)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every stepresearch module `name` imports at run time, resolved to the modules that exist."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {id(n) for node in ast.walk(tree) if _is_type_checking(node) for n in ast.walk(node)}
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names if alias.name.startswith("stepresearch")}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base) if node.level else node.module or ""
            if not module.startswith("stepresearch"):
                continue
            named = [f"{module}.{alias.name}" for alias in node.names if f"{module}.{alias.name}" in known]
            out |= set(named) if named else {module}
    return {m for m in out if m in known and m != name}


def layer_of(module: str) -> int:
    best = (-1, -1)
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best[1]:
                best = (index, len(prefix))
    return best[0]


def test_every_import_goes_to_the_same_layer_or_below():
    known = modules()
    upward = [
        f"{name} ({LAYERS[layer_of(name)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for name, path in sorted(known.items())
        for target in sorted(imports_of(name, path, known))
        if target != "stepresearch" and layer_of(target) > layer_of(name)
    ]
    assert not upward, "imports that go up a layer:\n" + "\n".join(upward)


def test_no_import_cycle_between_packages_or_app_modules():
    """Each subpackage is one node, and each module of the core and the app one node of its own."""
    known = modules()

    def unit(module: str) -> str:
        parts = module.split(".")
        keep = 3 if ".".join(parts[:2]) in ONE_NODE_PER_MODULE else 2
        return ".".join(parts[:keep])

    graph = nx.DiGraph()
    for name, path in known.items():
        for target in imports_of(name, path, known):
            if target != "stepresearch" and unit(name) != unit(target) and not name.endswith("__init__"):
                graph.add_edge(unit(name), unit(target))
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join([*c, c[0]]) for c in cycles)


def test_the_checker_sees_a_lazy_import_and_skips_a_type_only_one(tmp_path):
    """The checks above can fail: an import inside a function is seen, one under TYPE_CHECKING is not."""
    source = tmp_path / "probe.py"
    source.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from stepresearch.tools import SearchHit\n"
        "def f():\n    from stepresearch.app.cli import main\n",
        encoding="utf-8",
    )
    known = {"stepresearch.app.cli": Path(), "stepresearch.tools": Path(), "stepresearch.core.text": source}
    assert imports_of("stepresearch.core.text", source, known) == {"stepresearch.app.cli"}
    assert layer_of("stepresearch.core.text") == 0 and layer_of("stepresearch.app.cli") == len(LAYERS) - 1


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def test_every_module_is_found_at_the_path_its_name_says():
    """From the files alone: the install maps the package to the clone and nothing else, every listed package
    is the folder its name says, and every folder of Python files under them is listed (so ships)."""
    tomllib = pytest.importorskip("tomllib", reason="tomllib, to read pyproject.toml, is Python 3.11+")

    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert setuptools["package-dir"] == {"stepresearch": "."}
    listed = set(setuptools["packages"])
    for package in listed:
        folder = ROOT.joinpath(*package.split(".")[1:])
        assert (folder / "__init__.py").is_file() or package.endswith((".data", ".sets")), package
    folders = {module_name(p.parent / "__init__.py") for name, p in modules().items() if p.name == "__init__.py"}
    assert folders <= listed, f"packages that would not ship: {sorted(folders - listed)}"
    assert not (ROOT / "src").exists(), "a second tree: src/"
