"""Proxy credentials kept out of sight: in a proxy setting shown as text, and in bytes.

The user name and password of the user's proxy go only to that proxy. Everything else
that shows them goes through here: a setting is shown without them (messages, the
settings dialog, the administrator's policy); bytes are *redacted* (a marker that gives
only their length) before they are logged, printed or exported, and *masked* (``*``, same
length) in the panel until the user asks to reveal a preview. No digest is kept: an
unsalted hash of a short password can be reversed with a word list. Light (``re`` and the
pure ``socks`` layout only), so a front end may import it at start-up.
"""

from __future__ import annotations

import re

import glass_updater.socks as socks

_BASIC = re.compile(rb"(?im)^(Proxy-Authorization: *)(\S+) +(\S+)(\r?)$")  # scheme, value
_ANY_VALUE = re.compile(rb"(?im)^(proxy-authorization:[ \t]*)([^\r\n]*)")


def without_credentials(setting: str, marker: str | None = None) -> str:
    """A proxy setting as it may be shown: ``http://user:pass@h:p`` becomes ``http://h:p``,
    or ``http://<marker>@h:p`` with a marker; "system", "none" are returned as they are."""
    scheme, sep, rest = setting.partition("://")
    if not sep:
        return setting
    host = rest.rsplit("@", 1)[-1]
    if marker is None:
        return f"{scheme}://{host}"
    return f"{scheme}://{marker}@{host}" if host != rest else setting


def redact_proxy_credentials(data: bytes) -> bytes:
    """Bytes sent to a proxy with its credentials replaced by a marker giving their length
    (the Proxy-Authorization scheme stays readable), for the log and all it feeds."""

    def mark(m: re.Match[bytes]) -> bytes:
        return m.group(1) + m.group(2) + b" <redacted %d bytes>" % len(m.group(3)) + m.group(4)

    if socks.looks_like_socks(data):
        return socks.redact(data)  # the RFC 1929 login: user name and password
    return _BASIC.sub(mark, data)


def mask_credentials(data: bytes) -> bytes:
    """The bytes with each Proxy-Authorization value, or a SOCKS5 user name and password,
    replaced by ``*`` (same length), for a panel that can reveal them."""
    if socks.looks_like_socks(data):
        return socks.mask(data)
    return _ANY_VALUE.sub(lambda m: m.group(1) + b"*" * len(m.group(2)), data)
