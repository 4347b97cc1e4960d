"""Build outbound requests from the allowlist: a pure function, no I/O.

The exact bytes each request will put on the wire are computed here, once. The transport
later refuses to write any byte that differs from them, so what the payload panel shows
before sending is what is sent.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from urllib.parse import SplitResult, urlsplit

from glass_updater.allowlist import AllowedField, Allowlist
from glass_updater.errors import ConfigError, RequestRefused
from glass_updater.limits import DEFAULT_LIMITS
from glass_updater.wire_types import (
    Channel,
    OutboundRequest,
    ProxySpec,
    RequestKind,
    SentField,
    Target,
    Transmission,
    Where,
)

_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]+")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def one_line(value: str, limit: int = 80) -> str:
    """A value for a one-line message: quoted, escaped and cut short."""
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def parse_target(url: str, *, purpose: str) -> Target:
    """Validate a URL for sending: https (http only for loopback), no userinfo or fragment."""
    if not isinstance(url, str) or not url or len(url) > DEFAULT_LIMITS.max_url_chars:
        raise RequestRefused("url", f"{purpose} URL is empty or too long; nothing was sent")
    if not _VISIBLE_ASCII.fullmatch(url):
        raise RequestRefused(
            "url",
            f"{purpose} URL {one_line(url)} contains spaces, control or non-ASCII characters; "
            "nothing was sent",
        )
    try:
        parts: SplitResult = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise RequestRefused("url", f"{purpose} URL {one_line(url)} is invalid ({exc})") from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in ("https", "http"):
        raise RequestRefused(
            "url", f"{purpose} URL {one_line(url)} must use https://; nothing was sent"
        )
    if not host:
        raise RequestRefused("url", f"{purpose} URL {one_line(url)} has no host name")
    if scheme == "http" and not is_loopback(host):
        raise RequestRefused(
            "url",
            f"{purpose} URL {one_line(url)} uses plain http://, which is allowed only for "
            "127.0.0.1/localhost; use https://",
        )
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise RequestRefused(
            "url", f"{purpose} URL must not contain a user name or password; remove them"
        )
    if parts.fragment or "#" in url:
        raise RequestRefused("url", f"{purpose} URL must not contain a #fragment; remove it")
    if "[" in parts.netloc:
        raise RequestRefused("url", f"{purpose} URL: IPv6 literal hosts are not supported")
    default = 443 if scheme == "https" else 80
    return Target(
        scheme=scheme,
        host=host,
        port=port if port is not None else default,
        path=parts.path or "/",
        query=parts.query,
    )


def _check(field: AllowedField, value: str) -> str:
    if not isinstance(value, str) or not field.accepts(value):
        raise RequestRefused(
            field.name,
            f"refusing to send {field.name} = {one_line(str(value))}: it must "
            f"{field.describe_rule()} (see resources/allowlist.toml); nothing was sent",
        )
    return value


def _sent(field: AllowedField, value: str) -> SentField:
    return SentField(field.name, field.where, field.key, value, field.purpose)


def _is_variable(field: AllowedField) -> bool:
    """Fields whose value a caller supplies: query parameters and patterned headers."""
    if field.where is Where.QUERY:
        return True
    return (
        field.where is Where.HEADER
        and field.value is None
        and (field.key or "").lower() != "host"
    )


def _line(key: str, value: str) -> bytes:
    return f"{key}: {value}\r\n".encode("ascii")


def build_request(
    allowlist: Allowlist,
    kind: RequestKind,
    url: str | Target,
    values: Mapping[str, str],
    *,
    proxy: ProxySpec | None,
    max_body: int,
) -> OutboundRequest:
    """Assemble a GET from allowlisted field values; anything else is refused by name.

    ``url`` is a URL, or a ``Target`` a caller already parsed (so it is parsed once).
    ``values`` holds the variable fields (query parameters, Range...). Fixed-value fields,
    the path and the Host header come from the allowlist and the URL. A value for a field
    the packager removed is dropped; a value for a field the allowlist does not know is
    refused.
    """
    if kind is RequestKind.PROXY:
        raise ValueError("proxy fields are added by the builder, not requested")
    target = url if isinstance(url, Target) else parse_target(url, purpose=kind.value)
    allowed = allowlist.for_request(kind)
    by_name = {f.name: f for f in allowed}
    removed = set(allowlist.removed)
    for name in values:
        if name not in by_name and name not in removed:
            raise RequestRefused(
                name,
                f"refusing to send field {name!r}: it is not in the allowlist for "
                f"{kind.value} requests; nothing was sent",
            )
        field = by_name.get(name)
        if field is not None and not _is_variable(field):
            # Fixed values, the path and Host come from the allowlist and URL only; a
            # caller trying to set them is a bug, not something to ignore silently.
            raise RequestRefused(
                name,
                f"refusing to set field {name!r}: its value is fixed by the allowlist or "
                "the URL; nothing was sent",
            )
    fields: list[SentField] = []
    query_parts: list[str] = []
    headers: list[tuple[str, str]] = []
    path_field = next((f for f in allowed if f.where is Where.PATH), None)
    if path_field is None:
        raise ConfigError(f"allowlist has no path field for {kind.value} requests")
    fields.append(_sent(path_field, _check(path_field, target.path)))
    raw_query_field = next((f for f in allowed if f.where is Where.QUERY_STRING), None)
    if target.query:
        if raw_query_field is None:
            raise RequestRefused(
                "query",
                f"{kind.value} URL must not carry its own query string "
                f"({one_line(target.query)}); nothing was sent",
            )
        fields.append(_sent(raw_query_field, _check(raw_query_field, target.query)))
        query_parts.append(target.query)
    for field in allowed:
        if field.where is Where.QUERY and field.name in values:
            value = _check(field, values[field.name])
            assert field.key is not None
            query_parts.append(f"{field.key}={value}")
            fields.append(_sent(field, value))
    for field in allowed:
        if field.where is not Where.HEADER:
            continue
        assert field.key is not None
        if field.key.lower() == "host":
            value = _check(field, target.authority)
        elif field.value is not None:
            value = field.value
        elif field.name in values:
            value = _check(field, values[field.name])
        else:
            continue
        headers.append((field.key, value))
        fields.append(_sent(field, value))
    full_target = Target(
        target.scheme, target.host, target.port, target.path, "&".join(query_parts)
    )
    head = f"GET {full_target.origin_form} HTTP/1.1\r\n".encode("ascii")
    head += b"".join(_line(k, v) for k, v in headers) + b"\r\n"
    transmissions: list[Transmission] = []
    if full_target.scheme == "http" and (proxy is None or not proxy.is_socks):
        # Plain http is loopback only, and loopback never goes through an HTTP proxy (an
        # explicitly configured SOCKS5 proxy carries it, as it carries everything).
        proxy = None
    if proxy is not None:
        make = _socks_bytes if proxy.is_socks else _connect_bytes
        connect, proxy_fields = make(allowlist, full_target, proxy)
        transmissions.append(Transmission(Channel.PROXY, connect))
        fields.extend(proxy_fields)
    channel = Channel.PLAIN if full_target.scheme == "http" else Channel.TLS
    transmissions.append(Transmission(channel, head))
    return OutboundRequest(
        kind=kind,
        method="GET",
        target=full_target,
        headers=tuple(headers),
        fields=tuple(fields),
        proxy=proxy,
        transmissions=tuple(transmissions),
        max_body=max_body,
        values=tuple(values.items()),
    )


def _connect_bytes(
    allowlist: Allowlist, target: Target, proxy: ProxySpec
) -> tuple[bytes, list[SentField]]:
    """The CONNECT request, written by the transport itself so it is the same everywhere."""
    by_name = {f.name: f for f in allowlist.for_request(RequestKind.PROXY)}
    authority = f"{target.host}:{target.port}"
    fields = [_sent(by_name["proxy_connect"], _check(by_name["proxy_connect"], authority))]
    lines = [f"CONNECT {authority} HTTP/1.1\r\n".encode("ascii")]
    host_field = by_name["proxy_host"]
    lines.append(_line("Host", _check(host_field, authority)))
    fields.append(_sent(host_field, authority))
    auth = proxy.authorization()
    if auth is not None:
        auth_field = by_name.get("proxy_authorization")
        if auth_field is None:
            raise RequestRefused(
                "proxy_authorization",
                "proxy credentials are configured but the allowlist does not permit sending "
                "them; remove them from the proxy setting",
            )
        lines.append(_line("Proxy-Authorization", _check(auth_field, auth)))
        fields.append(_sent(auth_field, auth))
    return b"".join(lines) + b"\r\n", fields


def _proxy_field(by_name: Mapping[str, AllowedField], name: str, why: str) -> AllowedField:
    field = by_name.get(name)
    if field is None:
        raise RequestRefused(
            name,
            f"{why}, but the allowlist does not permit sending {name}; change the proxy "
            "setting",
        )
    return field


def _socks_bytes(
    allowlist: Allowlist, target: Target, proxy: ProxySpec
) -> tuple[bytes, list[SentField]]:
    """The SOCKS5 greeting, optional RFC 1929 credentials and CONNECT by host name.

    The update host travels as a name (ATYP 3), so the proxy resolves it and this computer
    never does; the bytes are fixed here, before any socket, like the HTTP CONNECT.
    """
    import glass_updater.socks as socks

    by_name = {f.name: f for f in allowlist.for_request(RequestKind.PROXY)}
    with_credentials = proxy.username is not None
    greeting = _proxy_field(by_name, "socks_greeting", "a SOCKS5 proxy is configured")
    fields = [_sent(greeting, _check(greeting, socks.greeting_text(with_credentials)))]
    if with_credentials:
        why = "SOCKS5 proxy credentials are configured"
        user = _proxy_field(by_name, "socks_username", why)
        word = _proxy_field(by_name, "socks_password", why)
        for field, value in ((user, proxy.username or ""), (word, proxy.password or "")):
            if not field.accepts(value):  # never echo a credential in a message
                raise RequestRefused(
                    field.name,
                    f"the SOCKS5 proxy {field.name.split('_')[1]} must {field.describe_rule()} "
                    "(printable ASCII, at most 255 characters); nothing was sent",
                )
            fields.append(_sent(field, value))
    connect = _proxy_field(by_name, "socks_connect", "a SOCKS5 proxy is configured")
    authority = f"{target.host}:{target.port}"
    fields.append(_sent(connect, _check(connect, authority)))
    steps = socks.handshake(target.host, target.port, proxy.username, proxy.password)
    return steps.data, fields


def build_check_request(
    allowlist: Allowlist,
    *,
    feed_url: str | Target,
    product: str,
    version: str,
    proxy: ProxySpec | None,
    max_body: int,
) -> OutboundRequest:
    """The update check: the feed URL plus product and version, nothing else."""
    return build_request(
        allowlist,
        RequestKind.CHECK,
        feed_url,
        {"product": product, "version": version},
        proxy=proxy,
        max_body=max_body,
    )


def resume_values(resume_from: int | None, if_range: str | None) -> dict[str, str]:
    """Range and If-Range for a download resumed at byte ``resume_from`` (none from 0)."""
    values: dict[str, str] = {}
    if resume_from:
        values["range"] = f"bytes={resume_from}-"
        if if_range is not None:
            values["if_range"] = if_range
    return values


def build_download_request(
    allowlist: Allowlist,
    *,
    url: str | Target,
    proxy: ProxySpec | None,
    max_body: int,
    resume_from: int | None = None,
    if_range: str | None = None,
) -> OutboundRequest:
    """Fetch a signed asset; Range and If-Range appear only when resuming."""
    return build_request(
        allowlist,
        RequestKind.DOWNLOAD,
        url,
        resume_values(resume_from, if_range),
        proxy=proxy,
        max_body=max_body,
    )
