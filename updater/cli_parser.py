"""The command line's grammar: commands, their flags and help (docs/cli.md lists them)."""

from __future__ import annotations

import argparse
from pathlib import Path

from glass_updater.meta import package_version

LOG_FORMATS = ("text", "json", "har", "http")


def path_arg(text: str) -> Path:
    """A path argument; an empty one would silently mean the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path; give a file or folder name")
    return Path(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="updater",
        description="Glass Updater: check for updates, sending only product and version.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(
        name: str, help_: str, *, state: bool = True, json_: bool = True
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument(
            "--config", type=path_arg, help="packager config (TOML); default: bundled demo"
        )
        if state:
            p.add_argument("--state-dir", type=path_arg, help="keep state, log and downloads here")
        if json_:
            p.add_argument("--json", action="store_true", help="print one JSON object")
        return p

    add("preview", "show the exact bytes a check would send; sends nothing", json_=True)
    add("check", "check for updates (sends product and version only)")
    dl = add("download", "check, then download and verify the update")
    dl.add_argument("--dest", type=path_arg, help="also copy the verified file into this folder")
    add("install", "check, download, verify, then hand off to the installer")
    imp = add("import", "install from an offline bundle (.glassbundle); opens no connection")
    imp.add_argument("file", type=Path, help="the bundle made by `updater-publish bundle`")
    imp.add_argument("--install", action="store_true",
                     help="hand the verified file to the installer")
    log = add("log", "show the history of everything sent")
    log.add_argument(
        "--limit", type=int, default=None,
        help="only the last N exchanges (text: 20 unless given; exports: all)",
    )
    log.add_argument(
        "--format", choices=LOG_FORMATS, default=None,
        help="text (default), json (the records), har (HAR 1.2), http (.http for runners)",
    )
    log.add_argument("--out", type=Path, help="write to this file instead of standard output")
    audit = add("audit", "print what this software can send, from the allowlist", state=False,
                json_=False)
    audit.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    return parser
