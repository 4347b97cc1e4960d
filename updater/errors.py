"""Typed errors, split by who is at fault, each with the CLI exit code it maps to.

Every message must say what happened and what the user can do about it, on one line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from glass_updater.ledger import LedgerEntry
    from glass_updater.transport.base import Exchange


def server_text(text: str, limit: int = 60) -> str:
    """Text a server chose (reason phrase, Retry-After), made safe to show on one line.

    Only printable ASCII survives, so no carriage return, escape sequence or bidi control
    can rewrite the user's terminal or dialog; long text is cut.
    """
    kept = "".join(c for c in text if " " <= c <= "~").strip()
    return kept if len(kept) <= limit else kept[: limit - 1] + "…"


class UpdaterError(Exception):
    """Base of every error the core raises on purpose."""

    kind = "error"
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        # Ledger records of what was sent before the failure, set by the Updater façade
        # so every error can link to "What was sent".
        self.entries: tuple[LedgerEntry, ...] = ()

    def __str__(self) -> str:
        return self.message


class ConfigError(UpdaterError):
    """The packager config, the user settings or the command line is wrong."""

    kind = "config"
    exit_code = 2


class RequestRefused(ConfigError):
    """A request would carry a field or value outside the allowlist; nothing was sent."""

    kind = "refused"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class TransportError(UpdaterError):
    """The network failed: TLS, timeout, size cap, HTTP status, refused redirect."""

    kind = "network"
    exit_code = 3

    def __init__(self, message: str, exchange: Exchange | None = None) -> None:
        super().__init__(message)
        self.exchange = exchange  # what was sent before the failure, for the ledger


class GateViolation(TransportError):
    """Something tried to write bytes that differ from the previewed request."""

    kind = "gate"


class Cancelled(TransportError):
    """The user cancelled; not a fault, but the operation did not complete."""

    kind = "cancelled"


class FeedError(UpdaterError):
    """The server's content cannot be trusted: unsigned, bad signature, rollback, ..."""

    kind = "trust"
    exit_code = 4


class StaleFeedError(FeedError):
    """The feed's signature is fine but it has expired: information is stale."""

    kind = "stale"


class VerificationError(FeedError):
    """A downloaded file does not match its signed size or SHA-256."""

    kind = "verification"


class InstallError(UpdaterError):
    """Handing the verified file to the platform installer failed or was refused."""

    kind = "install"
    exit_code = 5


class StorageError(UpdaterError):
    """A local file (state, settings, log, download) could not be read or written."""

    kind = "storage"
    exit_code = 1


def storage_error(exc: OSError, what: str) -> StorageError:
    """One line for a local I/O failure: which file or folder, why, and what to do."""
    path = exc.filename2 or exc.filename  # for a rename, the target is the file that matters
    where = f" ({path})" if path else ""
    reason = exc.strerror or exc.__class__.__name__
    return StorageError(
        f"could not write {what}{where}: {reason}; check that the folder is writable "
        "and the disk has free space"
    )


class BusyError(UpdaterError):
    """Another check or download is already running (this or another process)."""

    kind = "busy"
    exit_code = 1
