"""What an operation (check, download, import) needs of the façade, in one place.

``glass_updater.updater.Updater`` is the one implementation. The operations name it
through these protocols, not by import, so the façade can call them without a cycle.
``Facade`` is what they share; a download and an offline import each need a little more.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from datetime import datetime

    from glass_updater.admin_policy import AdminPolicy
    from glass_updater.client import Client
    from glass_updater.config import PackagerConfig
    from glass_updater.ledger import Ledger
    from glass_updater.limits import Limits
    from glass_updater.model import Asset, Feed, Release
    from glass_updater.paths import Paths
    from glass_updater.preflight import InstallPlan
    from glass_updater.recording import Recording
    from glass_updater.settings import UserSettings
    from glass_updater.state import StateStore


class Facade(Protocol):
    """The façade as every operation sees it: governed config, limits, files, the ledger."""

    policy: AdminPolicy
    config: PackagerConfig
    limits: Limits
    paths: Paths
    ledger: Ledger

    @property
    def state(self) -> StateStore: ...

    def user_settings(self) -> UserSettings: ...

    def client_for(
        self,
        settings: UserSettings,
        recording: Recording | None = None,
        *,
        extra_hosts: tuple[str, ...] = (),
    ) -> Client: ...

    def exclusive(self, name: str) -> contextlib.AbstractContextManager[None]: ...

    def now(self) -> datetime: ...

    def install_problem(self, release: Release | None, asset: Asset | None) -> str: ...


class DownloadFacade(Facade, Protocol):
    """A download also asks whether the asset could be installed here, before any byte."""

    preflight_downloads: bool

    def preflight(self, asset: Asset, release: Release | None = None) -> InstallPlan: ...


class ImportFacade(Facade, Protocol):
    """An offline import also applies the administrator's pin and the user's channel
    itself, since it picks the release without ``decision.decide``."""

    def pinned(self, feed: Feed) -> Feed: ...

    def channel(self) -> str: ...
