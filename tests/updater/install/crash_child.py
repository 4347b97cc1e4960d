"""Child process for the install kill test: replaces an AppImage (as the helper does) and
SIGKILLs itself at a named write point.
Run as ``python -m tests.updater.install.crash_child STAGED APP POINT``.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sys
from pathlib import Path

from glass_updater.handlers import replace_appimage


def main() -> int:
    staged, app, point = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    data = staged.read_bytes()

    def checkpoint(name: str) -> None:
        if name == point:
            os.kill(os.getpid(), signal.SIGKILL)

    replace_appimage(staged, len(data), hashlib.sha256(data).hexdigest(), app, checkpoint)
    return 3


if __name__ == "__main__":
    sys.exit(main())
