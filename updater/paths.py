"""Where local files live: platformdirs by default, one folder with ``--state-dir``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Paths:
    state: Path  # state.json, settings.json, locks
    log: Path  # the transmission ledger
    cache: Path  # download staging (0700)

    @classmethod
    def default(cls) -> Paths:
        import platformdirs

        return cls(
            state=Path(platformdirs.user_state_dir("glass-updater", appauthor=False)),
            log=Path(platformdirs.user_log_dir("glass-updater", appauthor=False)),
            cache=Path(platformdirs.user_cache_dir("glass-updater", appauthor=False)),
        )

    @classmethod
    def under(cls, root: Path) -> Paths:
        root = Path(root)
        return cls(state=root, log=root / "log", cache=root / "cache")

    @classmethod
    def resolve(cls, state_dir: str | os.PathLike[str] | None) -> Paths:
        return cls.under(Path(state_dir)) if state_dir else cls.default()
