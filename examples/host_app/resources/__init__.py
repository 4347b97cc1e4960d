"""Host App's own resources (a package named ``resources``, like many Qt apps have)."""

from pathlib import Path

HERE = Path(__file__).resolve().parent
NAME = "Host App"
# The packager config's [product] version must say the same (the release build writes both).
VERSION = (HERE / "version.txt").read_text(encoding="utf-8").strip()


def about_text() -> str:
    return (HERE / "about.txt").read_text(encoding="utf-8")
