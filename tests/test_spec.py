"""build_installer.spec lists no module by hand: its hidden imports are generated from the
source tree, so a new module (imported lazily or not) is bundled without a spec edit.

The slow bundle test (tests/e2e/test_bundle.py) checks the built executables; this one
runs the spec's generator alone, in a second.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

from tests.e2e.test_bundle import source_modules

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "build_installer.spec"


def spec_hidden_imports(excludes: list[str]) -> dict[str, list[str]]:
    """Run the spec's ``submodules`` and its ``hidden``/``hidden_gui`` assignments."""
    from scripts.namespace_links import lay_out

    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    wanted = [
        node for node in tree.body
        if (isinstance(node, ast.FunctionDef) and node.name == "submodules")
        or (isinstance(node, ast.Assign)
            and {getattr(t, "id", "") for t in node.targets} & {"hidden", "hidden_gui"})
    ]
    assert len(wanted) == 3, "the spec no longer generates hidden and hidden_gui"
    scope: dict[str, object] = {
        "os": os, "Path": Path, "NAMESPACE": lay_out(ROOT), "excludes": excludes,
    }
    exec(compile(ast.Module(body=wanted, type_ignores=[]), str(SPEC), "exec"), scope)
    return {"updater": scope["hidden"], "glass-updater": scope["hidden_gui"]}  # type: ignore[dict-item]


def test_spec_hidden_imports_are_every_module_of_the_tree() -> None:
    hidden = spec_hidden_imports(["PySide6.QtNetwork", "glass_updater.qt.single_instance_qt"])
    core = source_modules("updater") + source_modules("resources")
    assert sorted(hidden["updater"]) == sorted(core)
    assert sorted(hidden["glass-updater"]) == sorted(core + source_modules("ui"))
    assert "glass_updater.transport.http" in hidden["updater"]  # imported lazily
    assert not [m for m in hidden["glass-updater"] if m.startswith("glass_updater.publish")]
