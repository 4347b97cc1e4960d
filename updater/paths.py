"""Where local files live: one folder per product, so products on one machine never meet.

Default: ``<platformdirs state|log|cache dir>/glass-updater/<product id>/``. With
``--state-dir D`` everything of one product lives under ``D`` (the caller chose the root,
so the product id is not appended: one state dir is one product's).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

APP_DIR = "glass-updater"
# A product id is a folder name on every platform: ASCII letters, digits, ".", "_", "-",
# starting with a letter or digit, no trailing dot (Windows drops it), no device names.
_PRODUCT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)


def product_id_problem(product_id: str) -> str | None:
    """Why ``product_id`` cannot name a folder, or None when it can."""
    if not _PRODUCT_ID.match(product_id):
        return (
            "must be 1-64 ASCII letters, digits, '.', '_' or '-', starting with a letter or "
            "digit"
        )
    if product_id.endswith("."):
        return "must not end with '.'"
    if product_id.split(".")[0].lower() in _WINDOWS_DEVICES:
        return "must not be a Windows device name (con, nul, com1, ...)"
    return None


@dataclass(frozen=True)
class Paths:
    state: Path  # state.json, settings.json, locks
    log: Path  # the transmission ledger
    cache: Path  # download staging (0700)

    @classmethod
    def default(cls, product_id: str) -> Paths:
        """The per-user folders of ONE product."""
        problem = product_id_problem(product_id)
        if problem is not None:
            raise ValueError(f"product id {product_id!r} {problem}")
        import platformdirs

        # platformdirs appends ``version`` as one more folder after the app name, in each
        # platform's own layout (Linux: ~/.local/state/glass-updater/<id>/log).
        return cls(
            state=Path(platformdirs.user_state_dir(APP_DIR, False, product_id)),
            log=Path(platformdirs.user_log_dir(APP_DIR, False, product_id)),
            cache=Path(platformdirs.user_cache_dir(APP_DIR, False, product_id)),
        )

    @classmethod
    def under(cls, root: Path) -> Paths:
        """Everything of one product under ``root`` (``--state-dir``)."""
        root = Path(root)
        return cls(state=root, log=root / "log", cache=root / "cache")

    @classmethod
    def resolve(cls, state_dir: str | os.PathLike[str] | None, product_id: str) -> Paths:
        return cls.under(Path(state_dir)) if state_dir else cls.default(product_id)
