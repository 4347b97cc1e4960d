"""Child process for the helper kill test: runs the install helper on a spec and SIGKILLs
itself at a named point. Run as
``python -m tests.updater.install.crash_helper_child SPEC_JSON POINT``.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence

from glass_updater.handoff import HandoffSpec
from glass_updater.helper import Helper


class NoRunner:
    """Nothing is installed by path or relaunched here: the kill comes first."""

    def run(self, argv: Sequence[str]) -> int:
        raise AssertionError("not reached")

    def start(self, argv: Sequence[str]) -> object:
        raise AssertionError("not reached")


def main() -> int:
    spec, point = HandoffSpec.from_json(sys.argv[1]), sys.argv[2]

    def checkpoint(name: str) -> None:
        if name == point:
            os.kill(os.getpid(), signal.SIGKILL)

    Helper(spec, NoRunner(), checkpoint).run()  # type: ignore[arg-type]
    return 3


if __name__ == "__main__":
    sys.exit(main())
