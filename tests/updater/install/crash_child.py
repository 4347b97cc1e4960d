"""Child process for the install kill test: replaces an AppImage and SIGKILLs itself at
a named write point. Run as ``python -m tests.updater.install.crash_child STAGED APP POINT``.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from glass_updater.install import AppImageInstaller
from glass_updater.model import Asset, Release, VerifiedFile


class NoLaunch:
    def launch(self, argv: Sequence[str], *, detached: bool) -> None:
        """Nothing to start: the kill happens before, or the test only checks files."""


class Host:
    def can_shut_down(self) -> bool:
        return True

    def request_shutdown(self) -> None:
        """The child exits by itself."""


def main() -> int:
    staged, app, point = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    data = staged.read_bytes()
    asset = Asset("linux-x86_64", "appimage", "https://dl.example/a", len(data),
                  hashlib.sha256(data).hexdigest())
    release = Release("1.4.0", "stable", datetime(2026, 11, 20, tzinfo=UTC), False, (), "", ())

    def checkpoint(name: str) -> None:
        if name == point:
            os.kill(os.getpid(), signal.SIGKILL)

    installer = AppImageInstaller(app, NoLaunch(), checkpoint)
    installer.install(VerifiedFile(staged, asset, release), Host())
    return 3


if __name__ == "__main__":
    sys.exit(main())
