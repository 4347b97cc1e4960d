"""Errors in words a person understands: one sentence naming the real cause, advice once.

Pure (no Qt): the core's typed error and its ``Cause`` pick the sentence; the technical
one-line message goes to Details. Advice names a menu item only when the front end has
it (``settings_label`` is None in a host app without an update-settings menu item).
"""

from __future__ import annotations

from dataclasses import dataclass

from glass_updater.errors import Cause, TransportError, UpdaterError


@dataclass(frozen=True)
class ErrorWords:
    title: str  # the window title
    sentence: str  # one plain sentence: what happened, naming the real cause
    advice: str  # what the user can do, said once
    details: str  # the technical text, for Details
    retry: bool  # whether Try Again can help
    warning: bool = False  # a warning, not a failure (stale information, busy)


def _status(error: UpdaterError) -> str:
    exchange = error.exchange if isinstance(error, TransportError) else None
    if exchange is None or exchange.status is None:
        return ""
    reason = "".join(c for c in exchange.reason if " " <= c <= "~")[:40].strip()
    return f"{exchange.status} {reason}".strip()


def _is_download(error: UpdaterError) -> bool:
    exchange = error.exchange if isinstance(error, TransportError) else None
    return exchange is not None and exchange.request.kind.value == "download"


def describe(
    error: UpdaterError, product: str, settings_label: str | None = "Settings…"
) -> ErrorWords:
    """The words for ``error``; ``settings_label`` is the host's settings menu item or None."""
    cause = error.cause
    host = error.host or "the update server"
    server = f"the update server {error.host}" if error.host else "the update server"
    if _is_download(error):
        server = f"the download server {error.host}" if error.host else "the download server"
    status = _status(error)
    in_settings = f" in {settings_label}" if settings_label else ""
    details = error.message[:1].upper() + error.message[1:]
    failed = "Download failed" if _is_download(error) else "Could not check for updates"

    def words(
        title: str, sentence: str, advice: str, retry: bool, warning: bool = False
    ) -> ErrorWords:
        return ErrorWords(title, sentence, advice, details, retry, warning)

    if cause is Cause.PROXY:
        return words(
            failed,
            f"Your proxy {host} could not be reached or would not connect to the server.",
            f"Check that the proxy is running and that its address{in_settings} is right.",
            True,
        )
    if cause is Cause.PROXY_AUTH:
        return words(
            failed,
            f"Your proxy {host} did not accept the user name and password.",
            f"Check the proxy user name and password{in_settings}.",
            False,
        )
    if cause is Cause.DNS:
        return words(
            failed,
            f"The address of {host} could not be found.",
            "Check that this computer is online. If it is, the address may be wrong: "
            "tell the publisher.",
            True,
        )
    if cause is Cause.REFUSED:
        return words(
            failed,
            f"{server[:1].upper() + server[1:]} refused the connection.",
            "The server may be down for a while. Try again later.",
            True,
        )
    if cause is Cause.OFFLINE:
        return words(
            failed,
            "This computer could not reach the network.",
            "Check that this computer is online, then try again.",
            True,
        )
    if cause is Cause.TIMEOUT:
        return words(
            failed,
            f"{server[:1].upper() + server[1:]} did not answer in time.",
            "The network or the server may be slow. Try again in a moment.",
            True,
        )
    if cause is Cause.SLOW:
        return words(
            failed,
            f"The answer from {server} came too slowly and was stopped.",
            "Try again when the connection is better.",
            True,
        )
    if cause is Cause.CONNECTION_LOST:
        return words(
            failed,
            f"The connection to {server} broke before the answer was complete.",
            "Try again.",
            True,
        )
    if cause is Cause.HTTP_NOT_FOUND:
        what = "The update file" if _is_download(error) else "The update information"
        return words(
            failed,
            f"{what} was not found on {server} ({status}).",
            "Trying again will not help; tell the publisher.",
            False,
        )
    if cause is Cause.HTTP_SERVER:
        return words(
            failed,
            f"{server[:1].upper() + server[1:]} had a problem of its own ({status}).",
            "This is on the server's side. Try again later.",
            True,
        )
    if cause is Cause.HTTP_STATUS:
        return words(
            failed,
            f"{server[:1].upper() + server[1:]} gave an unexpected answer ({status}).",
            "If it happens again, tell the publisher.",
            True,
        )
    if cause is Cause.CERTIFICATE:
        return words(
            failed,
            f"The security certificate of {host} is not valid, so nothing was sent.",
            "On a network that inspects secure traffic (some workplaces, hotels), ask its "
            "administrator; otherwise tell the publisher.",
            False,
        )
    if cause is Cause.TLS:
        return words(
            failed,
            f"A secure connection to {host} could not be set up, so nothing was sent.",
            "Try again later; if it persists, tell the publisher.",
            True,
        )
    if cause is Cause.TOO_LARGE:
        return words(
            failed,
            f"{server[:1].upper() + server[1:]} sent more data than allowed, so it was stopped.",
            "Tell the publisher; trying again will not help.",
            False,
        )
    if cause is Cause.REDIRECT:
        return words(
            failed,
            f"{server[:1].upper() + server[1:]} sent the updater somewhere it may not go.",
            "Nothing was requested there. Tell the publisher.",
            False,
        )
    if cause is Cause.STALE:
        return words(
            "Update information is stale",
            "The publisher's signed update information has expired, so it cannot be "
            f"relied on to update {product}.",
            "Check that this computer's date and time are right. If they are, try again "
            "later; if it persists, tell the publisher.",
            True,
            warning=True,
        )
    if cause is Cause.VERIFICATION:
        return words(
            "Download refused",
            "The download did not match what the publisher signed, so it was deleted.",
            "Nothing was installed. Try again; if it happens again, tell the publisher.",
            True,
        )
    if cause is Cause.FEED_REFUSED:
        return words(
            "Update information refused",
            "The update information failed its signature check and was refused.",
            "Nothing was downloaded or changed. Tell the publisher: the server may be "
            "misconfigured or tampered with.",
            False,
        )
    if cause is Cause.BUSY:
        return words(
            "Check in Progress",
            "Another check or download is already running.",
            "Wait for it to finish, then try again.",
            False,
            warning=True,
        )
    if cause is Cause.STORAGE:
        return words(
            "Could not save",
            "A file of the updater on this computer could not be written.",
            "Check that the disk has free space, then try again.",
            True,
        )
    if cause is Cause.POLICY:
        return words(
            "Updates are managed by your administrator",
            "Updates are managed by your administrator.",
            "Nothing was sent. Your administrator's policy decides how this computer gets "
            "updates; ask them if you need a newer version.",
            False,
            warning=True,
        )
    if cause is Cause.BUNDLE:
        return words(
            "Update file refused",
            "This file is not a complete, valid update bundle, so nothing was installed.",
            "Nothing was changed and nothing was sent. Ask whoever provided the file for a "
            "new copy.",
            False,
        )
    if cause is Cause.CONFIG:
        return words(
            "Nothing was sent",
            "The update settings are not valid, so nothing was sent.",
            f"Fix the setting named in Details{in_settings}, or tell the publisher.",
            False,
        )
    if cause is Cause.INSTALL:
        return words(
            "Could not install",
            "The update could not be installed.",
            f"{product} was left as it was. The reason is in Details.",
            False,
        )
    if cause is Cause.NETWORK:
        return words(
            failed,
            f"{server[:1].upper() + server[1:]} could not be reached.",
            "Check that this computer is online, then try again.",
            True,
        )
    return words(
        "Update failed",
        "Something went wrong, and nothing was changed.",
        "Try again; if it happens again, report the text in Details.",
        True,
    )
