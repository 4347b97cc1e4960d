"""What a failed download tells the user: one sentence per way it can fail.

Each names the file (or the download folder) and says what to do. ``Downloader`` and
``Transfer`` raise these, never a bare OSError or a status code.
"""

from __future__ import annotations

import errno
from pathlib import Path

from glass_updater.errors import (
    DiskFullError,
    StorageError,
    TransportError,
    VerificationError,
)
from glass_updater.model import Asset
from glass_updater.printable import printable
from glass_updater.staging import file_name_for
from glass_updater.wire_types import Exchange

_MB = 1024 * 1024

MISMATCH_MESSAGE = (
    "downloaded file does not match the signed SHA-256; it was deleted. "
    "Try again later or contact the publisher"
)


def status_error(exchange: Exchange, asset: Asset) -> TransportError:
    """The answer was an HTTP error (404, 5xx, 429...): what it was and what to do."""
    status = exchange.status
    reason = printable(exchange.reason, ascii_only=True, limit=60)
    what = f"HTTP {status}{' ' + reason if reason else ''}"
    name = file_name_for(asset)
    if status in (404, 410):
        msg = f"the update file {name} was not found on the server ({what}); "
        msg += "try again later or contact the publisher"
    elif (status is not None and 500 <= status <= 599) or status == 429:
        msg = f"the download server could not send {name} ({what})"
        retry = exchange.header("Retry-After")
        if retry is not None:
            shown = printable(retry, ascii_only=True, limit=40)
            unit = " seconds" if shown.isascii() and shown.isdigit() else ""
            msg += f"; it asks to try again after {shown}{unit}"
        else:
            msg += "; try again later"
    else:
        msg = f"the download server answered {what} for {name}; "
        msg += "try again later or contact the publisher"
    return TransportError(msg, exchange=exchange)


def disk_full(asset: Asset, need: int, folder: Path) -> DiskFullError:
    mb = max(1, -(-need // _MB))
    return DiskFullError(
        f"not enough disk space to download {file_name_for(asset)} (need {mb} MB in "
        f"{folder}); free some space and try again"
    )


def write_failure(asset: Asset, exc: BaseException, folder: Path) -> StorageError:
    """The download could not be written (a full disk says so)."""
    if isinstance(exc, OSError) and is_full(exc):
        return disk_full(asset, asset.size, folder)
    why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return StorageError(
        f"could not write the download to {folder} ({why}); "
        "check that the folder is writable and try again"
    )


def mismatch_error(asset: Asset, total: int) -> VerificationError:
    """The bytes are complete but not the signed file (size or SHA-256)."""
    if total != asset.size:
        return VerificationError(
            f"downloaded file is {total} bytes but the signed size is {asset.size}; it was "
            "deleted. Try again later or contact the publisher"
        )
    return VerificationError(MISMATCH_MESSAGE)


def overlong_error(asset: Asset) -> VerificationError:
    return VerificationError(
        f"the server sent more than the signed size of {file_name_for(asset)} "
        f"({asset.size} bytes); the file was deleted. Try again later or contact the "
        "publisher"
    )


def is_full(exc: OSError) -> bool:
    return exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
