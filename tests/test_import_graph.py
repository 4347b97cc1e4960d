"""House rule: no import cycle anywhere in the core (``updater/``) or the Qt front end (``ui/``).

A cycle means two modules can only be understood (and loaded) together; it is how value
types end up inside behaviour modules. Every import counts: module level, inside a
function, and under ``if TYPE_CHECKING:`` (a type-only cycle is still a knot for a reader).
The graph is built from the source with ``ast``, so nothing is imported to check it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# source folder -> installed package name (pyproject [tool.setuptools.package-dir])
PACKAGES = {
    "updater": "glass_updater",
    "ui": "glass_updater.qt",
    "resources": "glass_updater.resources",
}


def _module_files(root: Path, packages: dict[str, str]) -> dict[str, Path]:
    """Installed module name -> source file, for every module of the core and the UI."""
    found: dict[str, Path] = {}
    for folder, package in packages.items():
        base = root / folder
        for path in sorted(base.rglob("*.py")):
            parts = list(path.relative_to(base).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found


def _package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _targets(module: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """Every project module ``module`` imports, with the line, wherever the import stands."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):  # walks function bodies and TYPE_CHECKING blocks too
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # a relative import, resolved against this module's package
                base = _package_of(module, path).split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            named = [f"{source}.{alias.name}" for alias in node.names]
            submodules = [name for name in named if name in known]
            if submodules:  # ``from glass_updater import safefs``: the submodule is the edge
                for name in submodules:
                    yield name, node.lineno
                if len(submodules) == len(named):
                    continue
            if source in known:
                yield source, node.lineno


def import_graph(
    root: Path = ROOT, packages: dict[str, str] = PACKAGES
) -> dict[str, dict[str, int]]:
    """module -> {imported project module: first line that imports it}."""
    known = _module_files(root, packages)
    graph: dict[str, dict[str, int]] = {}
    for module, path in known.items():
        edges: dict[str, int] = {}
        for target, line in _targets(module, path, known):
            if target != module:
                edges.setdefault(target, line)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each as one
    concrete circle through them, so a failure names the modules to untangle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_circle(graph, component) for component in components]


def _circle(graph: dict[str, dict[str, int]], component: list[str]) -> list[str]:
    """A shortest circle from the component's first module back to itself (BFS)."""
    members = set(component)
    start = component[0]
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for target in sorted(graph[node]):
                if target not in members:
                    continue
                if target == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if target not in previous:
                    previous[target] = node
                    following.append(target)
        frontier = following
    return component  # unreachable for a strongly connected component


def _describe(graph: dict[str, dict[str, int]], circle: list[str]) -> str:
    hops = [f"{a} (line {graph[a][b]})" for a, b in pairwise(circle)]
    return " -> ".join([*hops, circle[-1]])


def test_no_import_cycle_in_core_or_ui() -> None:
    graph = import_graph()
    found = cycles(graph)
    assert not found, (
        "import cycles (move the shared value types into a leaf module):\n"
        + "\n".join(_describe(graph, circle) for circle in found)
    )


def test_the_graph_sees_every_kind_of_import(tmp_path: Path) -> None:
    """The checker itself: a circle closed only by a function-level import, a
    ``TYPE_CHECKING`` one and a ``from package import module`` one is found and named, so
    the rule cannot pass by not looking."""
    pkg = tmp_path / "core"
    pkg.mkdir()
    (pkg / "__init__.py").write_text('"""A package."""\n')
    (pkg / "a.py").write_text("def f():\n    from demo.b import thing\n")
    (pkg / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from demo import c\n"
    )
    (pkg / "c.py").write_text("import demo.a as a\n")
    (pkg / "d.py").write_text("from demo.a import f\n")  # into the circle, not part of it
    graph = import_graph(tmp_path, {"core": "demo"})
    assert cycles(graph) == [["demo.a", "demo.b", "demo.c", "demo.a"]]
    assert _describe(graph, cycles(graph)[0]) == (
        "demo.a (line 2) -> demo.b (line 3) -> demo.c (line 1) -> demo.a"
    )
    (pkg / "c.py").write_text("import os\n")  # the circle opened: no cycle left
    assert cycles(import_graph(tmp_path, {"core": "demo"})) == []


# Modules of plain values that others name: they import nothing of the project, so any
# module may use them without pulling in behaviour (or closing a circle).
LEAVES = (
    "glass_updater.wire_types",  # requests, exchanges, the cancel token
    "glass_updater.reasons",  # why a check offers what it offers, and its words
    "glass_updater.qt.instance_protocol",  # the single-instance words
    "glass_updater.printable",  # the one sanitizer
)


def test_value_type_modules_are_leaves() -> None:
    graph = import_graph()
    assert {leaf: sorted(graph[leaf]) for leaf in LEAVES} == {leaf: [] for leaf in LEAVES}
    # The errors module names the exchange type and the sanitizer, nothing else.
    assert set(graph["glass_updater.errors"]) == {
        "glass_updater.wire_types", "glass_updater.printable"
    }
