"""Child process for the kill test: downloads (drop at 50 %, then resume) and SIGKILLs
itself at the Nth time it reaches a named write point.

Run as ``python -m tests.updater.download.crash_child STAGING POINT N``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from pathlib import Path

from glass_updater.errors import TransportError

from tests.doubles import MockTransport
from tests.updater.download.fakes import (
    content_of,
    honest,
    make_asset,
    make_downloader,
    make_release,
)

SIZE = 40 * 1024


def main() -> int:
    staging, point, nth = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    seen = [0]

    def checkpoint(name: str) -> None:
        if name == point:
            seen[0] += 1
            if seen[0] == nth:
                os.kill(os.getpid(), signal.SIGKILL)

    content = content_of(SIZE)
    asset = make_asset(content)
    transport = MockTransport(honest(content, drop_at={0: SIZE // 2}))
    downloader = make_downloader(transport, staging, checkpoint=checkpoint)
    with contextlib.suppress(TransportError):
        downloader.download(make_release(asset), asset, on_progress=lambda p: None)
    downloader.download(make_release(asset), asset, on_progress=lambda p: None)
    return 3  # reached only when the named point never came


if __name__ == "__main__":
    sys.exit(main())
