"""Errors in words a person understands: one sentence naming the real cause, advice once.

Pure (no Qt): the error's ``Cause`` picks a row of the copy deck's table
(``words.ERRORS``); the technical one-line message goes to Details. Advice names a menu
item only when the front end has it (``settings_label`` is None in a host app without an
update-settings menu item).
"""

from __future__ import annotations

from dataclasses import dataclass

from glass_updater.errors import ExchangeError, UpdaterError
from glass_updater.qt import words as W


@dataclass(frozen=True)
class ErrorWords:
    title: str  # the window title
    sentence: str  # one plain sentence: what happened, naming the real cause
    advice: str  # what the user can do, said once
    details: str  # the technical text, for Details
    retry: bool  # whether Try Again can help
    warning: bool = False  # a warning, not a failure (stale information, busy)


def _status(error: UpdaterError) -> str:
    exchange = error.exchange if isinstance(error, ExchangeError) else None
    if exchange is None or exchange.status is None:
        return ""
    reason = "".join(c for c in exchange.reason if " " <= c <= "~")[:40].strip()
    return f"{exchange.status} {reason}".strip()


def _is_download(error: UpdaterError) -> bool:
    exchange = error.exchange if isinstance(error, ExchangeError) else None
    return exchange is not None and exchange.request.kind.value == "download"


def describe(
    error: UpdaterError, product: str, settings_label: str | None = "Settings…"
) -> ErrorWords:
    """The words for ``error``, from the deck's table by its cause; ``settings_label`` is
    the host's settings menu item or None."""
    host = error.host or W.UPDATE_SERVER
    download = _is_download(error)
    if download:
        server = W.NAMED_DOWNLOAD_SERVER if error.host else W.DOWNLOAD_SERVER
    else:
        server = W.NAMED_UPDATE_SERVER if error.host else W.UPDATE_SERVER
    server = server.format(host=error.host)
    fields = {
        "failed": W.FAILED_DOWNLOAD if download else W.FAILED_CHECK,
        "host": host,
        "server": server,
        "Server": server[:1].upper() + server[1:],
        "status": _status(error),
        "missing": W.MISSING_FILE if download else W.MISSING_INFORMATION,
        "in_settings": W.IN_SETTINGS.format(label=settings_label) if settings_label else "",
        "product": product,
    }
    title, sentence, advice, retry, warning = W.ERRORS.get(error.cause.value, W.ERROR_OTHERWISE)
    return ErrorWords(
        title.format(**fields),
        sentence.format(**fields),
        advice.format(**fields),
        error.message[:1].upper() + error.message[1:],  # the technical line, for Details
        retry,
        warning,
    )
