"""The end user's local choices. Stored on this machine only; never sent."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path

from glass_updater import safefs
from glass_updater.atomic import atomic_write_bytes
from glass_updater.config import CHANNELS
from glass_updater.limits import DEFAULT_LIMITS


@dataclass(frozen=True)
class UserSettings:
    channel: str | None = None  # None: the packager's default channel
    proxy: str | None = None  # None: the packager's [network] proxy
    ask_before_check: bool = False  # show the exact bytes and wait for "Send"


class SettingsStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def load(self) -> UserSettings:
        """A missing or damaged file gives the defaults: settings never block a check.

        A planted link, FIFO or foreign file is refused (UnsafeFileError), never followed.
        """
        try:
            data = safefs.read_file(self.path, DEFAULT_LIMITS.max_settings_bytes)
            if data is None or len(data) > DEFAULT_LIMITS.max_settings_bytes:
                return UserSettings()
            raw = json.loads(data)
        except (OSError, ValueError, RecursionError):
            return UserSettings()
        if not isinstance(raw, dict):
            return UserSettings()
        channel = raw.get("channel")
        proxy = raw.get("proxy")
        ask = raw.get("ask_before_check")
        return UserSettings(
            channel=channel if channel in CHANNELS else None,
            proxy=proxy if isinstance(proxy, str) and proxy else None,
            ask_before_check=ask if isinstance(ask, bool) else False,
        )

    def save(self, settings: UserSettings) -> None:
        data = {f.name: getattr(settings, f.name) for f in fields(settings)}
        safefs.ensure_dir(self.path.parent)
        atomic_write_bytes(self.path, json.dumps(data, indent=2).encode() + b"\n")
