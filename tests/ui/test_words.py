"""The copy deck (glass_updater.qt.words): one home for the UI's sentences.

The words themselves are pinned where they are shown (the dialog, panel and screenshot
tests); here, that the deck stays the one home and its tables cover what they key on.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path

from glass_updater.errors import Cause
from glass_updater.model import InstallEffect
from glass_updater.qt import words as W

UI = Path(__file__).resolve().parents[2] / "ui"
ERROR_FIELDS = {"failed", "host", "server", "Server", "status", "missing", "in_settings",
                "product"}


def _fields(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}


def test_every_cause_a_person_can_see_has_its_row() -> None:
    """A cancel is never shown (the user asked for it); an unknown cause gets the catch-all."""
    shown = {c.value for c in Cause} - {Cause.CANCELLED.value, Cause.UNKNOWN.value}
    assert set(W.ERRORS) == shown


def test_error_rows_use_only_the_fields_describe_fills() -> None:
    for cause, (title, sentence, advice, retry, warning) in W.ERRORS.items():
        for template in (title, sentence, advice):
            assert _fields(template) <= ERROR_FIELDS, (cause, template)
        assert isinstance(retry, bool) and isinstance(warning, bool)


def test_every_install_effect_has_its_words() -> None:
    assert set(W.INSTALL_WORDS) == {e.value for e in InstallEffect}


def test_the_deck_imports_nothing() -> None:
    """A host app's controller loads the deck at no cost: no core, no Qt."""
    tree = ast.parse((UI / "words.py").read_text())
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert [n.module for n in imports if isinstance(n, ast.ImportFrom)] == ["__future__"]


def test_no_sentence_is_written_at_a_tr_call_outside_the_deck() -> None:
    """Every ``tr(...)`` in ui/ shows a deck entry, never a literal of its own."""
    literals = []
    for path in sorted(UI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute | ast.Name)
                and getattr(node.func, "attr", getattr(node.func, "id", "")) == "tr"
                and any(isinstance(a, ast.Constant) for a in node.args)
            ):
                literals.append(f"{path.name}:{node.lineno}")
    assert literals == []
