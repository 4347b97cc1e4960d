"""The verified feed and check results, as frozen values."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from glass_updater.ledger import LedgerEntry
from glass_updater.reasons import Reason, words


@dataclass(frozen=True)
class Asset:
    platform: str  # "linux-x86_64", "windows-x86_64", "macos-arm64", ...
    kind: str  # "appimage", "exe", "msi", "dmg", "pkg", "deb", "rpm", "tar.gz", ...
    url: str  # https (http only for loopback), validated at parse
    size: int
    sha256: str  # lowercase hex


@dataclass(frozen=True)
class Release:
    version: str
    channel: str
    published: datetime
    critical: bool
    min_os: tuple[tuple[str, str], ...]  # (os name, minimum version), e.g. (("macos", "12"),)
    notes: str  # Markdown; render as inert text
    assets: tuple[Asset, ...]


@dataclass(frozen=True)
class Withdrawal:
    """A version the publisher withdrew, with their reason: never offered, users told why."""

    version: str
    reason: str  # plain text from the publisher; shown inert
    withdrawn: datetime


@dataclass(frozen=True)
class Feed:
    product: str
    serial: int
    expires: datetime
    releases: tuple[Release, ...]
    digest: str  # SHA-256 of the signed payload bytes: identifies this exact content
    keyids: tuple[str, ...] = ()  # the trusted keys whose signatures verified
    withdrawn: tuple[Withdrawal, ...] = ()  # signed withdrawals (never in ``releases``)


class CheckStatus(enum.Enum):
    UP_TO_DATE = "up-to-date"
    UPDATE_AVAILABLE = "update-available"


@dataclass(frozen=True)
class CheckResult:
    status: CheckStatus
    current_version: str
    why: Reason  # why this outcome, as data (``reasons.Why`` and its parameters)
    release: Release | None = None
    asset: Asset | None = None
    feed_serial: int | None = None
    skipped: bool = False  # the offered release is one the user chose to skip (shown anyway)
    entries: tuple[LedgerEntry, ...] = field(default=(), compare=False)  # what was sent
    # Every release the user has not installed up to the offered one, newest first (the
    # offered release included): their notes are shown, and any critical one makes the
    # update critical. Decided locally, never sent.
    missed: tuple[Release, ...] = ()
    withdrawn: Withdrawal | None = None  # the INSTALLED version was withdrawn: why
    # Why the offered asset cannot be installed HERE (the install preflight's line, for
    # the packager), decided before any byte is downloaded; "" when it can be.
    install_problem: str = ""

    @property
    def reason(self) -> str:
        """``why`` in plain words ("1.4.0 is available", "… skipped by you", ...)."""
        return words(self.why)

    @property
    def installable(self) -> bool:
        """An update is offered and this installation can install it."""
        return self.asset is not None and not self.install_problem

    @property
    def critical(self) -> bool:
        """Critical if the offered release or any release it supersedes for this user is."""
        if self.release is None:
            return False
        return self.release.critical or any(r.critical for r in self.missed)

    @property
    def goes_back(self) -> bool:
        """The offered release is OLDER than the installed one: only after a withdrawal."""
        if self.release is None or self.withdrawn is None:
            return False
        from packaging.version import InvalidVersion, Version

        try:
            return Version(self.release.version) < Version(self.current_version)
        except InvalidVersion:
            return False


class InstallEffect(enum.Enum):
    """What "Install" will really do here, so the button can say so beforehand."""

    RESTART = "restart"  # the running app is replaced and started again
    OPEN_INSTALLER = "open-installer"  # the app quits and the platform installer opens
    CANNOT_REPLACE = "cannot-replace"  # nothing can install it here: the file is kept


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    rate: float  # bytes per second, smoothed
    eta: float | None  # seconds, None while unknown


@dataclass(frozen=True)
class VerifiedFile:
    """A downloaded file whose size and SHA-256 matched the signed feed."""

    path: Path
    asset: Asset
    release: Release
