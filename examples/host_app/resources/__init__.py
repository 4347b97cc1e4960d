"""Host App's own resources (a package named ``resources``, like many Qt apps have)."""

from pathlib import Path

HERE = Path(__file__).resolve().parent


def about_text() -> str:
    return (HERE / "about.txt").read_text(encoding="utf-8")
