"""The staging folder: where a download grows, its resume record, and its final name.

Layout (one private 0700 folder under the user cache dir)::

    <staging>/<sha256>.part          the partial file (appended to; O_NOFOLLOW, regular)
    <staging>/<sha256>.part.json     its resume record (atomic write)
    <staging>/<sha256>/<name>        the verified file (only ever a complete, checked one)
    <staging>/.locks/<sha256>.lock   one download per asset across processes

Every file here is opened through ``safefs`` (no link followed, no FIFO waited on, one
hard link, owned by this user); every folder is checked the same way before use.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from glass_updater import safefs
from glass_updater.atomic import TEMP_PREFIX, atomic_write_bytes, fsync_dir, sweep_temps
from glass_updater.digest import sha256_file
from glass_updater.errors import UpdaterError
from glass_updater.limits import DEFAULT_LIMITS
from glass_updater.locks import FileLock
from glass_updater.model import Asset
from glass_updater.resume import PartialInfo

PART_SUFFIX = ".part"
SIDECAR_SUFFIX = ".part.json"
LOCK_DIR = ".locks"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._+-]")

Checkpoint = Callable[[str], None]
PartOpener = Callable[[Path], BinaryIO]


def open_part(path: Path) -> BinaryIO:
    """Open (creating, private) the partial file for reading and writing, never via a link."""
    return os.fdopen(safefs.open_file(path, os.O_RDWR | os.O_CREAT, 0o600), "r+b")


def file_name_for(asset: Asset) -> str:
    """A safe local name from the URL's last segment (never a path, never hidden)."""
    segment = unquote(urlsplit(asset.url).path.rsplit("/", 1)[-1])
    name = _SAFE_NAME.sub("_", segment).lstrip(".")[:128]
    return name or f"download.{_SAFE_NAME.sub('_', asset.kind) or 'bin'}"


def verify_file(path: Path, asset: Asset, chunk: int = 1024 * 1024) -> bool:
    """True when ``path`` has exactly the signed size and SHA-256 (read fresh from disk).

    A planted link or special file raises UnsafeFileError rather than counting as "no".
    """
    try:
        st = safefs.lstat_regular(path)
        if st is None or st.st_size != asset.size:
            return False
        size, digest = sha256_file(path, limit=asset.size + 1, chunk=chunk)
    except OSError:  # an UnsafeFileError is no OSError: it propagates
        return False
    return size == asset.size and digest == asset.sha256


class Staging:
    """Paths and file operations of one staging folder (no network, no decisions)."""

    def __init__(self, folder: Path, checkpoint: Checkpoint, stale_age: float) -> None:
        self.folder = Path(folder)
        self.checkpoint = checkpoint
        self.stale_age = stale_age

    def part_path(self, sha256: str) -> Path:
        return self.folder / f"{sha256}{PART_SUFFIX}"

    def record_path(self, sha256: str) -> Path:
        return self.folder / f"{sha256}{SIDECAR_SUFFIX}"

    def final_path(self, asset: Asset) -> Path:
        return self.folder / asset.sha256 / file_name_for(asset)

    def lock_for(self, sha256: str) -> FileLock:
        return FileLock(
            self.folder / LOCK_DIR / f"{sha256}.lock",
            "another download of this update is in progress; wait for it to finish",
        )

    def prepare(self) -> None:
        """Create or check the staging and lock folders (0700, ours, no links)."""
        safefs.ensure_dir(self.folder)
        safefs.ensure_dir(self.folder / LOCK_DIR)

    # ------------------------------------------------------------------ the partial

    def on_disk(self, sha256: str) -> int | None:
        """Length of the partial (None when absent); a planted one is refused."""
        st = safefs.lstat_regular(self.part_path(sha256))
        return None if st is None else st.st_size

    def load_record(self, sha256: str) -> PartialInfo | None:
        data = safefs.read_file(self.record_path(sha256), DEFAULT_LIMITS.max_record_bytes)
        return None if data is None else PartialInfo.from_bytes(data)

    def write_record(self, sha256: str, info: PartialInfo) -> None:
        """Atomic, fsynced, with the temp named after the asset so the next run can remove
        a temp a killed process left, under this asset's lock, whatever its age."""
        atomic_write_bytes(
            self.record_path(sha256),
            info.to_bytes(),
            prefix=self._temp_prefix(sha256),
            ready=lambda: self.checkpoint("sidecar-temp-written"),
        )
        self.checkpoint("sidecar-written")

    def discard(self, sha256: str) -> None:
        self.discard_paths(self.record_path(sha256), self.part_path(sha256))

    @staticmethod
    def discard_paths(*paths: Path) -> None:
        """unlink removes a planted link itself, never what it points to."""
        for path in paths:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    # ------------------------------------------------------------------ the final file

    def reuse(self, asset: Asset, chunk: int) -> Path | None:
        """The verified file from an earlier run, if it is still intact; else removed."""
        final = self.final_path(asset)
        if not os.path.lexists(final):
            return None
        safefs.ensure_dir(final.parent)
        if verify_file(final, asset, chunk):
            self.discard(asset.sha256)  # a record left by a kill right after the rename
            return final
        self.discard_paths(final)
        return None

    def promote(self, asset: Asset) -> Path:
        """Rename the verified partial to its final name; the record goes last."""
        final = self.final_path(asset)
        safefs.ensure_dir(final.parent)
        os.replace(self.part_path(asset.sha256), final)
        fsync_dir(final.parent)
        fsync_dir(self.folder)
        self.checkpoint("replaced")
        self.discard_paths(self.record_path(asset.sha256))
        return final

    # ------------------------------------------------------------------ sweeping

    def sweep_stale(self, keep: str) -> None:
        """Remove partials and temps a dead or abandoned download left behind."""
        sweep_temps(self.folder, older_than=min(self.stale_age, DEFAULT_LIMITS.stale_temp_age))
        now = time.time()
        for entry in list(self.folder.iterdir()):
            name = entry.name
            if name.endswith(SIDECAR_SUFFIX):
                sha = name[: -len(SIDECAR_SUFFIX)]
            elif name.endswith(PART_SUFFIX):
                sha = name[: -len(PART_SUFFIX)]
            else:
                continue
            try:
                age = now - entry.lstat().st_mtime
            except OSError:
                continue
            if age < self.stale_age:
                continue
            if sha == keep:
                self.discard_paths(entry)
                continue
            try:
                with self.lock_for(sha):
                    self.discard_paths(entry)
            except UpdaterError:
                continue  # another process is downloading it right now

    def sweep_own_temps(self, sha256: str) -> None:
        prefix = self._temp_prefix(sha256)
        for entry in self.folder.iterdir():
            if entry.name.startswith(prefix):
                self.discard_paths(entry)

    @staticmethod
    def _temp_prefix(sha256: str) -> str:
        return f"{TEMP_PREFIX}{sha256}-"
