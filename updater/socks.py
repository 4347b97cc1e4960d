"""SOCKS5 (RFC 1928) with the host name resolved by the proxy, and RFC 1929 credentials.

Pure byte layout, no I/O: the request builder calls ``handshake`` to compute the exact
bytes sent to the proxy before any socket exists (so the gate compares them like the
HTTP ``CONNECT``), the route splits them with ``split`` to wait for each answer, and the
ledger, CLI and panel hide the credentials with ``credential_span``.

Only ``socks5h`` exists here: the CONNECT always carries the update host as a domain
name (ATYP 3), so this computer never looks the name up. ``socks5://`` would resolve it
locally, and is refused where proxies are parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION = 0x05
NO_AUTH = 0x00
USER_PASS = 0x02
NO_ACCEPTABLE = 0xFF
CMD_CONNECT = 0x01
ATYP_IPV4, ATYP_DOMAIN, ATYP_IPV6 = 0x01, 0x03, 0x04

REPLIES = {
    1: "general failure",
    2: "connection not allowed by its rules",
    3: "network unreachable",
    4: "host unreachable",
    5: "connection refused by the update server",
    6: "TTL expired",
    7: "command not supported",
    8: "address type not supported (it may not resolve names itself)",
}


@dataclass(frozen=True)
class Handshake:
    """The bytes written to a SOCKS5 proxy, in order, each followed by the proxy's answer."""

    greeting: bytes
    auth: bytes | None
    connect: bytes

    @property
    def data(self) -> bytes:
        return self.greeting + (self.auth or b"") + self.connect


def greeting_text(with_credentials: bool) -> str:
    """The greeting as the allowlist spells it: version 5, one method."""
    return f"05 01 {USER_PASS if with_credentials else NO_AUTH:02x}"


def handshake(host: str, port: int, username: str | None, password: str | None) -> Handshake:
    greeting = bytes.fromhex(greeting_text(username is not None))
    auth = None
    if username is not None:
        auth = _login_message(username.encode("ascii"), (password or "").encode("ascii"))
    name = host.encode("ascii")
    connect = (
        bytes([VERSION, CMD_CONNECT, 0x00, ATYP_DOMAIN, len(name)])
        + name
        + port.to_bytes(2, "big")
    )
    return Handshake(greeting, auth, connect)


# ---------------------------------------------------------------------- RFC 1929 login
# The one encoder and the one parser of ``01 ULEN USER PLEN PASS`` (after the greeting):
# the wire splits with it, the ledger redacts, the panel masks and the CLI describes.

_LOGIN_AT = 3  # the login message follows the three-byte greeting


def _login_message(user: bytes, word: bytes) -> bytes:
    return bytes([0x01, len(user)]) + user + bytes([len(word)]) + word


@dataclass(frozen=True)
class _Login:
    """Where the login message's parts sit in handshake bytes (cut short at the end)."""

    user: slice
    password: slice
    end: int  # just past the password: where the CONNECT begins


def _login(data: bytes) -> _Login | None:
    """The login in handshake bytes whose greeting offers user name and password; None
    when there is none or it is cut short before the password's length."""
    if data[2:3] != bytes([USER_PASS]) or len(data) < _LOGIN_AT + 2:
        return None
    ulen = data[_LOGIN_AT + 1]
    user_at = _LOGIN_AT + 2
    if len(data) < user_at + ulen + 1:
        return None
    plen = data[user_at + ulen]
    word_at = user_at + ulen + 1
    end = min(word_at + plen, len(data))
    return _Login(slice(user_at, user_at + ulen), slice(word_at, end), end)


def split(data: bytes) -> Handshake:
    """The three parts of bytes made by ``handshake`` (the wire sends them one by one)."""
    login = _login(data)
    if login is None:
        return Handshake(data[:_LOGIN_AT], None, data[_LOGIN_AT:])
    return Handshake(data[:_LOGIN_AT], data[_LOGIN_AT : login.end], data[login.end :])


def looks_like_socks(data: bytes) -> bool:
    return len(data) >= 3 and data[0] == VERSION and data[1] == 0x01 and data[2] in (0, 2)


def credential_span(data: bytes) -> tuple[int, int] | None:
    """Where user name and password sit in handshake bytes (from their lengths on), else
    None."""
    if not looks_like_socks(data) or data[_LOGIN_AT : _LOGIN_AT + 1] != b"\x01":
        return None
    login = _login(data)
    return None if login is None else (_LOGIN_AT + 1, login.end)


def redact(data: bytes) -> bytes:
    """Replace the RFC 1929 message body with a marker that gives only its length."""
    span = credential_span(data)
    if span is None:
        return data
    start, end = span
    return data[:start] + b"<redacted %d bytes>" % (end - start) + data[end:]


def mask(data: bytes) -> bytes:
    """The same bytes with user name and password replaced by ``*`` (same length)."""
    login = _login(data) if credential_span(data) is not None else None
    if login is None:
        return data
    masked = bytearray(data)
    for part in (login.user, login.password):
        masked[part] = b"*" * len(data[part])
    return bytes(masked)


def reply_length(head: bytes) -> int:
    """Total length of a CONNECT reply, from its first five bytes."""
    atyp = head[3]
    if atyp == ATYP_IPV4:
        return 4 + 4 + 2
    if atyp == ATYP_IPV6:
        return 4 + 16 + 2
    if atyp == ATYP_DOMAIN:
        return 4 + 1 + head[4] + 2
    raise ValueError(f"unknown address type {atyp}")


_REDACTED = re.compile(rb"\x01<redacted (\d+) bytes>")


def describe(data: bytes) -> str:
    """The handshake in words, for the panel and the CLI (credentials as given: masked,
    redacted or not)."""
    try:
        greeting, rest = data[:3], data[3:]
        methods = {NO_AUTH: "no login", USER_PASS: "user name and password"}
        lines = [
            f"SOCKS5 greeting: version {greeting[0]}, one way to log in: "
            f"{methods.get(greeting[2], hex(greeting[2]))}"
        ]
        if greeting[2] == USER_PASS:
            redacted = _REDACTED.match(rest)
            login = _login(data)
            if redacted is not None:
                lines.append("RFC 1929 login (to the proxy only): user name and password "
                             "redacted")
                rest = rest[redacted.end():]
            elif login is None:
                raise IndexError("the login is cut short")
            else:
                user = data[login.user].decode("ascii", "replace")
                word = data[login.password].decode("ascii", "replace")
                lines.append(
                    f"RFC 1929 login (to the proxy only): user {user!r}, password {word!r}"
                )
                rest = data[login.end :]
        if rest[:4] == bytes([VERSION, CMD_CONNECT, 0, ATYP_DOMAIN]):
            size = rest[4]
            name = rest[5 : 5 + size].decode("ascii", "replace")
            port = int.from_bytes(rest[5 + size : 7 + size], "big")
            lines.append(
                f"CONNECT to {name} port {port}, by name: the proxy looks the name up, "
                "this computer does not"
            )
        return "\n".join(lines)
    except (IndexError, ValueError):
        return "SOCKS5 handshake (could not be decoded)"
