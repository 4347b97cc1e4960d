"""Every error class of the core, split by who is at fault, and the one table of exit codes.

Every message must say what happened and what the user can do about it, on one line.
The roots say whose doing a failure is: the configuration (``ConfigError``), the network
(``TransportError``), the user (``Cancelled``), the publisher's content (``FeedError``),
the platform installer (``InstallError``), this computer's disk (``StorageError``), or a
fault of the updater itself (``InternalError``, which a gate violation is: never shown as
"the server could not be reached"). Errors carry no ledger records: the façade returns
them beside the error (``glass_updater.outcome``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from glass_updater.wire_types import Exchange


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


# kind -> exit code of ``updater``: the one table (docs/cli.md, "Error kinds"). A class
# names its kind; its ``exit_code`` is read from here when the class is made, so a new kind
# without a row fails at import.
EXIT_CODES: Mapping[str, int] = MappingProxyType({
    "error": 1,  # unexpected: a fault of the updater (please report it)
    "storage": 1,
    "disk-full": 1,
    "unsafe-file": 1,
    "busy": 1,
    "local": 1,
    "config": 2,
    "refused": 2,
    "policy": 2,
    "network": 3,
    "gate": 3,
    "cancelled": 3,
    "trust": 4,
    "malformed": 4,
    "unsigned": 4,
    "untrusted-key": 4,
    "bad-signature": 4,
    "wrong-product": 4,
    "rollback": 4,
    "equivocation": 4,
    "stale": 4,
    "verification": 4,
    "bundle": 4,
    "install": 5,
})


class UpdaterError(Exception):
    """Base of every error the core raises on purpose."""

    kind: ClassVar[str] = "error"
    exit_code: ClassVar[int] = EXIT_CODES["error"]
    cause: Cause = Cause.UNKNOWN
    host = ""  # the host the failure is about, when there is one

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__module__.startswith("glass_updater."):
            # An embedder's own subclass: its own exit code, else its kind's, else its
            # parent's; never refused at import.
            if "exit_code" not in vars(cls) and cls.kind in EXIT_CODES:
                cls.exit_code = EXIT_CODES[cls.kind]
            return
        if "exit_code" in vars(cls):
            raise TypeError(f"{cls.__name__}: exit codes live in errors.EXIT_CODES")
        if cls.kind not in EXIT_CODES:
            raise TypeError(f"{cls.__name__}: kind {cls.kind!r} has no row in EXIT_CODES")
        cls.exit_code = EXIT_CODES[cls.kind]

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


# ---------------------------------------------------------------- configuration


class ConfigError(UpdaterError):
    """The packager config, the user settings or the command line is wrong."""

    kind = "config"
    cause = Cause.CONFIG


class RequestRefused(ConfigError):
    """A request would carry a field or value outside the allowlist; nothing was sent."""

    kind = "refused"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class PolicyError(ConfigError):
    """The administrator's policy forbids this, or cannot be used: nothing was sent."""

    kind = "policy"
    cause = Cause.POLICY


# ---------------------------------------------------------------- during an exchange


class ExchangeError(UpdaterError):
    """A failure while a request was on its way: carries what was sent before it.

    Not a root of its own: the transport and the client catch it to attach or report the
    exchange; front ends decide by the roots below it (network, cancel, internal).
    """

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

    def again(self, exchange: Exchange) -> ExchangeError:
        """The same error (same class, cause and host) carrying ``exchange``."""
        return type(self)(self.message, exchange=exchange, cause=self.cause, host=self.host)


class TransportError(ExchangeError):
    """The network failed: TLS, timeout, size cap, HTTP status, refused redirect."""

    kind = "network"

    def __init__(
        self,
        message: str,
        exchange: Exchange | None = None,
        *,
        cause: Cause | None = None,
        host: str = "",
    ) -> None:
        super().__init__(message, exchange, cause=cause, host=host)
        if cause is None and type(self).cause is Cause.UNKNOWN:
            self.cause = _status_cause(exchange.status if exchange is not None else None)


def _status_cause(status: int | None) -> Cause:
    """The cause an HTTP status names; no status: a network failure."""
    if status is None:
        return Cause.NETWORK
    if status in (404, 410):
        return Cause.HTTP_NOT_FOUND
    if status >= 500 or status == 429:
        return Cause.HTTP_SERVER
    return Cause.HTTP_STATUS


class Overflow(TransportError):
    """The server sent more body than the signed size allows (a download sink's abort)."""


class DiskWriteFailed(TransportError):
    """Writing to the local disk failed mid-transfer; the download sink keeps the OSError."""


class Cancelled(ExchangeError):
    """The user cancelled; not a fault, but the operation did not complete."""

    kind = "cancelled"
    cause = Cause.CANCELLED


# ---------------------------------------------------------------- the updater's own faults


class InternalError(UpdaterError):
    """A fault of the updater itself (a bug, a broken invariant): never the network's or
    the user's; the words say to report it."""


class GateViolation(InternalError, ExchangeError):
    """Something tried to write bytes that differ from the previewed request."""

    kind = "gate"


class UnannouncedConnection(GateViolation, ConnectionRefusedError):
    """A connect the transport did not announce happened while the tripwire was armed.

    It is also a ConnectionRefusedError, so library code that opened the socket treats
    it as a failed connection and closes the socket cleanly.
    """


# ---------------------------------------------------------------- the publisher's content


class FeedError(UpdaterError):
    """The server's content cannot be trusted: unsigned, bad signature, rollback, ..."""

    kind = "trust"
    cause = Cause.FEED_REFUSED


class MalformedFeedError(FeedError):
    """The feed is not a well-formed envelope or payload."""

    kind = "malformed"


class UnsignedError(FeedError):
    """The feed carries no signature at all."""

    kind = "unsigned"


class UntrustedKeyError(FeedError):
    """The feed is signed, but only by keys this app does not trust."""

    kind = "untrusted-key"


class BadSignatureError(FeedError):
    """A trusted key's signature does not match the bytes received."""

    kind = "bad-signature"


class WrongProductError(FeedError):
    """A genuine feed, but for another product (mix-and-match)."""

    kind = "wrong-product"


class RollbackError(FeedError):
    """The feed is older than one this app already accepted (replay of an old feed)."""

    kind = "rollback"


class ReplayError(FeedError):
    """Same serial as the accepted feed but different content: the publisher equivocates."""

    kind = "equivocation"


class StaleFeedError(FeedError):
    """The feed's signature is fine but it has expired: information is stale."""

    kind = "stale"
    cause = Cause.STALE


class VerificationError(FeedError):
    """A downloaded file does not match its signed size or SHA-256."""

    kind = "verification"
    cause = Cause.VERIFICATION


class BundleError(FeedError):
    """The bundle is not a valid, complete bundle: refused like a forged feed (exit 4)."""

    kind = "bundle"
    cause = Cause.BUNDLE


# ---------------------------------------------------------------- installing


class InstallError(UpdaterError):
    """Handing the verified file to the platform installer failed or was refused."""

    kind = "install"
    cause = Cause.INSTALL


# ---------------------------------------------------------------- this computer


class StorageError(UpdaterError):
    """A local file (state, settings, log, download) could not be read or written."""

    kind = "storage"
    cause = Cause.STORAGE


class DiskFullError(StorageError):
    """The disk (or the user's quota) filled up; the partial file was removed."""

    kind = "disk-full"


class UnsafeFileError(StorageError):
    """A local file or folder is not what the updater made: refused, nothing written."""

    kind = "unsafe-file"


class BundleUnreadable(UpdaterError):
    """The bundle file itself cannot be opened: a local problem (exit 1)."""

    kind = "local"
    cause = Cause.BUNDLE


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
    cause = Cause.BUSY
