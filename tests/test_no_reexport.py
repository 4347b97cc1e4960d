"""House rule: a name is imported from the module that defines it (issue 11).

When a name moves (value types to ``wire_types``, errors to ``errors``, ``run_inline`` to
``driver``), its users move with it: the old home does not keep re-exporting it, or a
reader follows the import to a module that only passes the name on. Only the public
packages (``glass_updater``, ``glass_updater.qt``, ``glass_updater.transport``) gather
names from elsewhere, and a module's ``__all__`` lists only what it defines. Parsed with
``ast`` (nothing is imported), over the core, the UI and the tests.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.test_import_graph import PACKAGES, ROOT, _module_files

FACADES = frozenset({"glass_updater", "glass_updater.qt", "glass_updater.transport"})
SCANNED = ("updater", "ui", "tests", "benchmarks", "scripts")

# Offenders tolerated for a while (e.g. in a file someone else is changing): each must
# STILL be an offender (see the last test), so the list only shrinks. Empty since issue 11.
PENDING: set[str] = set()


def _defined(tree: ast.Module) -> set[str]:
    """Names a module binds itself at the top level (inside top-level if/try too)."""
    names: set[str] = set()
    todo: list[ast.stmt] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.If | ast.Try | ast.With):
            for block in ("body", "orelse", "finalbody", "handlers"):
                for child in getattr(node, block, []):
                    todo.extend(child.body if isinstance(child, ast.ExceptHandler) else [child])
    return names


def _all_names(tree: ast.Module) -> list[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            return [str(name) for name in value]
    return []


def offenders(
    root: Path = ROOT, packages: dict[str, str] = PACKAGES, facades: frozenset[str] = FACADES
) -> set[str]:
    """Every import of a name from a module that does not define it, and every ``__all__``
    entry a module does not define (the public packages excepted)."""
    modules = _module_files(root, packages)
    trees = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in modules.items()}
    defined = {name: _defined(tree) for name, tree in trees.items()}
    found: set[str] = set()
    for name, path in modules.items():
        if name in facades:
            continue
        rel = path.relative_to(root).as_posix()
        found.update(
            f"{rel}: __all__ lists {entry}"
            for entry in _all_names(trees[name])
            if entry not in defined[name]
        )
    for folder in SCANNED:
        for path in sorted((root / folder).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
            for node in ast.walk(tree):
                if not isinstance(node, ast.ImportFrom) or node.level:
                    continue
                source = node.module or ""
                if source not in modules or source in facades:
                    continue
                found.update(
                    f"{rel}: {alias.name} from {source}"
                    for alias in node.names
                    if f"{source}.{alias.name}" not in modules
                    and alias.name not in defined[source]
                )
    return found


def test_names_are_imported_from_their_home() -> None:
    new = sorted(offenders() - PENDING)
    assert not new, (
        "imported from (or listed in __all__ of) a module that does not define it; "
        "import it from its home:\n" + "\n".join(new)
    )


def test_the_pending_list_only_shrinks() -> None:
    done = sorted(PENDING - offenders())
    assert not done, f"{done} are fixed: remove them from PENDING in tests/test_no_reexport.py"


def test_the_rule_sees_a_re_export(tmp_path: Path) -> None:
    """The checker itself: a name passed on by a module that imported it is found, in an
    import and in ``__all__``; the module that defines it, a submodule and a public
    package are not."""
    core = tmp_path / "updater"
    core.mkdir()
    (core / "__init__.py").write_text("from demo.home import Thing\n__all__ = ['Thing']\n")
    (core / "home.py").write_text("class Thing:\n    pass\nif True:\n    LIMIT = 1\n")
    (core / "shim.py").write_text("from demo.home import Thing\n__all__ = ['Thing']\n")
    (core / "user.py").write_text(
        "from demo.shim import Thing\nfrom demo.home import LIMIT, Thing\nfrom demo import home\n"
        "from demo import Thing\n"
    )
    for folder in SCANNED[1:]:
        (tmp_path / folder).mkdir()
    assert offenders(tmp_path, {"updater": "demo"}, frozenset({"demo"})) == {
        "updater/shim.py: __all__ lists Thing",
        "updater/user.py: Thing from demo.shim",
    }
