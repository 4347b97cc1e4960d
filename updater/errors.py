"""Typed errors, split by who is at fault, each with the CLI exit code it maps to.

Every message must say what happened and what the user can do about it, on one line.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from glass_updater.wire_types import Exchange


def server_text(text: str, limit: int = 60) -> str:
    """Text a server chose (reason phrase, Retry-After), made safe to show on one line.

    Only printable ASCII survives, so no carriage return, escape sequence or bidi control
    can rewrite the user's terminal or dialog; long text is cut.
    """
    kept = "".join(c for c in text if " " <= c <= "~").strip()
    return kept if len(kept) <= limit else kept[: limit - 1] + "…"


class Cause(enum.Enum):
    """The real cause of a failure, so a front end can name it in plain words.

    The message stays the technical one line (CLI, logs, a dialog's Details); the cause
    picks the sentence a person reads.
    """

    PROXY = "proxy"  # the proxy could not be reached or would not connect onwards
    PROXY_AUTH = "proxy-auth"  # the proxy wants (other) credentials: 407
    DNS = "dns"  # the server's name could not be found
    REFUSED = "refused"  # the server refused the connection (nothing listens there)
    OFFLINE = "offline"  # no route: the network is down or unreachable
    TIMEOUT = "timeout"  # no answer in time (connect, TLS, wait, deadline)
    SLOW = "slow"  # the answer came, far too slowly
    CONNECTION_LOST = "connection-lost"  # closed before the answer was complete
    HTTP_NOT_FOUND = "http-not-found"  # 404/410: nothing at that address
    HTTP_SERVER = "http-server"  # 5xx/429: the server's own trouble
    HTTP_STATUS = "http-status"  # any other unexpected status
    CERTIFICATE = "certificate"  # the server's certificate is not valid for it
    TLS = "tls"  # the secure connection failed otherwise
    TOO_LARGE = "too-large"  # more data than allowed
    REDIRECT = "redirect"  # a redirect the updater may not follow
    NETWORK = "network"  # another network failure
    FEED_REFUSED = "feed-refused"  # the feed failed its signature or trust checks
    STALE = "stale"  # the signed feed expired
    VERIFICATION = "verification"  # the download does not match the signed size/SHA-256
    CANCELLED = "cancelled"
    BUSY = "busy"
    STORAGE = "storage"
    CONFIG = "config"
    POLICY = "policy"
    BUNDLE = "bundle"  # an offline bundle file is damaged, truncated or not a bundle
    INSTALL = "install"
    UNKNOWN = "unknown"


class UpdaterError(Exception):
    """Base of every error the core raises on purpose."""

    kind = "error"
    exit_code = 1
    cause = Cause.UNKNOWN
    host = ""  # the host the failure is about, when there is one

    def __init__(self, message: str) -> None:
        # Messages often quote the network or the disk: shown, never obeyed, anywhere.
        from glass_updater.printable import printable

        message = printable(message)
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def note_unrecorded(self, why: str | None) -> None:
        """The record of what was sent before this failure could not be written: the
        message says so, since the history will not (the façade, before returning it)."""
        self.message = f"{self.message} (its record could not be written: {why})"
        self.args = (self.message,)


class ConfigError(UpdaterError):
    """The packager config, the user settings or the command line is wrong."""

    kind = "config"
    exit_code = 2
    cause = Cause.CONFIG


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

    def __init__(
        self,
        message: str,
        exchange: Exchange | None = None,
        *,
        cause: Cause | None = None,
        host: str = "",
    ) -> None:
        super().__init__(message)
        self.exchange = exchange  # what was sent before the failure, for the ledger
        self.host = host or (exchange.request.target.host if exchange is not None else "")
        if cause is not None:
            self.cause = cause
        elif type(self).cause is Cause.UNKNOWN:
            self.cause = _status_cause(exchange.status if exchange is not None else None)

    def again(self, exchange: Exchange) -> TransportError:
        """The same error (same class, cause and host) carrying ``exchange``."""
        copy = type(self)(self.message, exchange=exchange, cause=self.cause, host=self.host)
        return copy


def _status_cause(status: int | None) -> Cause:
    """The cause an HTTP status names; no status: a network failure."""
    if status is None:
        return Cause.NETWORK
    if status in (404, 410):
        return Cause.HTTP_NOT_FOUND
    if status >= 500 or status == 429:
        return Cause.HTTP_SERVER
    return Cause.HTTP_STATUS


class GateViolation(TransportError):
    """Something tried to write bytes that differ from the previewed request."""

    kind = "gate"


class Cancelled(TransportError):
    """The user cancelled; not a fault, but the operation did not complete."""

    kind = "cancelled"
    cause = Cause.CANCELLED


class FeedError(UpdaterError):
    """The server's content cannot be trusted: unsigned, bad signature, rollback, ..."""

    kind = "trust"
    exit_code = 4
    cause = Cause.FEED_REFUSED


class StaleFeedError(FeedError):
    """The feed's signature is fine but it has expired: information is stale."""

    kind = "stale"
    cause = Cause.STALE


class VerificationError(FeedError):
    """A downloaded file does not match its signed size or SHA-256."""

    kind = "verification"
    cause = Cause.VERIFICATION


class InstallError(UpdaterError):
    """Handing the verified file to the platform installer failed or was refused."""

    kind = "install"
    exit_code = 5
    cause = Cause.INSTALL


class StorageError(UpdaterError):
    """A local file (state, settings, log, download) could not be read or written."""

    kind = "storage"
    exit_code = 1
    cause = Cause.STORAGE


class DiskFullError(StorageError):
    """The disk (or the user's quota) filled up; the partial file was removed."""

    kind = "disk-full"


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
    cause = Cause.BUSY
