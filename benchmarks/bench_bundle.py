"""The frozen one-folder bundle: size (budget 125 MB, like ``du``: links once), what each
MB is, and frozen start-up and idle RSS against a frozen bare PySide6 tray app.

Both are built with PyInstaller in the same run: ours from build_installer.spec, the bare
app (benchmarks/bench_startup.py's BARE) with PyInstaller's defaults, as any PySide6
app would be. ``--fresh-venv`` first makes a new virtualenv, installs this project and
PyInstaller into it from the package index, and builds there (the reproducibility check).

    python benchmarks/bench_bundle.py [--fresh-venv] [runs]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_startup import BARE, ICON, measure  # noqa: E402
from benchmarks.common import Row, Stats  # noqa: E402

BUDGET = 125_000_000

# What each file is, first match wins: (label, predicate on the path inside _internal).
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("ICU (libicuuc, libicui18n; libicudata as ICU's empty stub)", "icu"),
    ("Qt libraries (PySide6-Essentials: Core, Gui, Widgets, DBus, XcbQpa, Wayland, ...)",
     "qtlib"),
    ("Qt plugins (platforms xcb/wayland/offscreen, input methods, portal theme, ...)",
     "plugins"),
    ("PySide6/shiboken6 bindings (QtCore, QtGui, QtWidgets modules)", "bindings"),
    ("cryptography (Ed25519 signature check; its Rust extension)", "cryptography"),
    ("Python runtime (libpython, stdlib zip, lib-dynload)", "python"),
    ("OpenSSL (Python's ssl and hashlib)", "openssl"),
    ("system libraries Qt links to (X11/xcb, freetype, fontconfig, glib, dbus, ...)",
     "system"),
    ("the two executables (bootloader + each one's Python modules)", "exe"),
    ("other Python packages (requests, urllib3, idna, certifi, charset_normalizer)",
     "packages"),
    ("Glass Updater's resources (icons, allowlist, demo config)", "resources"),
)


def category(rel: str) -> str:
    name = rel.rsplit("/", 1)[-1]
    if "/" not in rel and not rel.startswith("_internal"):
        return "exe"
    rel = rel.removeprefix("_internal/")
    if name.startswith("libicu"):
        return "icu"
    if rel.startswith("PySide6/Qt/lib/") or name.startswith("libQt6"):
        return "qtlib"
    if rel.startswith("PySide6/Qt/plugins/"):
        return "plugins"
    if rel.startswith(("PySide6/", "shiboken6/")) or name.startswith(("libpyside", "libshiboken")):
        return "bindings"
    if rel.startswith("cryptography") or name.startswith("_cffi_backend"):
        return "cryptography"
    if name.startswith("libpython") or rel.startswith(("python3", "base_library")):
        return "python"
    if name.startswith(("libssl", "libcrypto.")):
        return "openssl"
    if "/" not in rel and ".so" in name:
        return "system"
    if rel.startswith("glass_updater"):
        return "resources"
    return "packages"


def du_bytes(root: Path) -> int:
    """Like ``du -sb``: every file once (hard links once), a link counts as a link."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for path in [root, *root.rglob("*")]:
        info = path.lstat()
        if (info.st_dev, info.st_ino) not in seen:
            seen.add((info.st_dev, info.st_ino))
            total += info.st_size
    return total


def breakdown(root: Path) -> dict[str, int]:
    sizes = {key: 0 for _label, key in CATEGORIES}
    seen: set[tuple[int, int]] = set()
    for path in root.rglob("*"):
        info = path.lstat()
        if path.is_symlink() or not path.is_file() or (info.st_dev, info.st_ino) in seen:
            continue
        seen.add((info.st_dev, info.st_ino))
        sizes[category(str(path.relative_to(root)))] += info.st_size
    return sizes


@dataclass(frozen=True)
class Built:
    ours: Path  # dist/glass-updater
    bare: Path  # dist/bare-tray
    python: str


def build(work: Path, fresh_venv: bool) -> Built:
    python = sys.executable
    if fresh_venv:
        venv = work / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = str(venv / "bin" / "python")
        subprocess.run([python, "-m", "pip", "install", "-q", str(ROOT), "pyinstaller"],
                       check=True)
    pyinstaller = [python, "-m", "PyInstaller", "--noconfirm", "--log-level", "ERROR",
                   "--distpath", str(work / "dist"), "--workpath", str(work / "build")]
    subprocess.run([*pyinstaller, str(ROOT / "build_installer.spec")], check=True, cwd=ROOT)
    bare_script = work / "bare-tray.py"
    bare_script.write_text(BARE)
    subprocess.run([*pyinstaller, "--onedir", "--name", "bare-tray", "--specpath",
                    str(work), str(bare_script)], check=True, cwd=work)
    return Built(work / "dist" / "glass-updater", work / "dist" / "bare-tray", python)


def run(runs: int = 11, fresh_venv: bool = False) -> tuple[list[Row], dict[str, object]]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        built = build(work, fresh_venv)
        ours_bytes, bare_bytes = du_bytes(built.ours), du_bytes(built.bare)
        parts = breakdown(built.ours)
        state = work / "state"
        rows = [Row("one-folder bundle (du, links once)" + (", fresh venv" if fresh_venv else ""),
                    BUDGET, "absolute", Stats((float(ours_bytes),)), None, "MB", 1e-6, 1,
                    note=f"bare PySide6 app with PyInstaller defaults: {bare_bytes / 1e6:.1f} MB")]
        rows += measure(
            lambda ms: [str(built.ours / "glass-updater"), "--state-dir", str(state),
                        "--selftest-quit-after-ms", str(ms)],
            lambda ms: [str(built.bare / "bare-tray"), str(ms), str(ICON)],
            runs, label=" (frozen)",
        )
    return rows, {"bundle_bytes": ours_bytes, "bare_bundle_bytes": bare_bytes,
                  "breakdown": parts}


def table(parts: dict[str, int]) -> str:
    lines = ["| what | MB |", "|---|---:|"]
    for label, key in CATEGORIES:
        lines.append(f"| {label} | {parts.get(key, 0) / 1e6:.1f} |")
    lines.append(f"| **total (files, links once)** | **{sum(parts.values()) / 1e6:.1f}** |")
    return "\n".join(lines)


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rows, extra = run(int(args[0]) if args else 11, "--fresh-venv" in sys.argv)
    for row in rows:
        print(row.line(), row.note)
    print(table(extra["breakdown"]))  # type: ignore[arg-type]
    return 0 if all(r.within for r in rows) else 1


if __name__ == "__main__":
    if shutil.which("cc") is None:
        print("note: no C compiler, so the bundle keeps ICU's 32 MB data", file=sys.stderr)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    raise SystemExit(main())
