"""Resolve which proxy a request uses: explicitly, never through requests' trust_env."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable, Mapping
from urllib.parse import unquote, urlsplit

from glass_updater.credentials import without_credentials
from glass_updater.errors import ConfigError
from glass_updater.request import is_loopback
from glass_updater.wire_types import ProxySpec, Target

DNS_LEAK = (
    "socks5:// would look the update server's name up on this computer, which tells your "
    "DNS resolver (and anyone watching it) that you check for updates; use socks5h://"
    "host:port instead (the proxy resolves the name; Tor's SOCKS port supports it)"
)
_DEFAULT_PORT = {"http": 8080, "socks5h": 1080}


def parse_proxy_url(url: str) -> ProxySpec:
    """``http://[user:pass@]host:port`` or ``socks5h://[user:pass@]host:port``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        shown = without_credentials(url)
        raise ConfigError(f"proxy {shown!r} is not a valid host:port address") from None
    scheme = parts.scheme.lower()
    if scheme in ("socks5", "socks", "socks4", "socks4a"):
        raise ConfigError(f"proxy {scheme}:// is refused: " + DNS_LEAK)
    if scheme not in _DEFAULT_PORT or not parts.hostname:
        raise ConfigError(
            "proxy must be written as http://[user:password@]host:port or "
            "socks5h://[user:password@]host:port"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError(f"proxy address must not have a path or query: {scheme}://host:port")
    return ProxySpec(
        host=parts.hostname.lower(),
        port=port or _DEFAULT_PORT[scheme],
        username=unquote(parts.username) if parts.username is not None else None,
        password=unquote(parts.password) if parts.password is not None else None,
        scheme=scheme,
    )


def resolve_proxy(
    setting: str,
    target: Target,
    *,
    getproxies: Callable[[], Mapping[str, str]] = urllib.request.getproxies,
    bypass: Callable[[str], object] = urllib.request.proxy_bypass,
) -> ProxySpec | None:
    """``"none"``, ``"system"`` (the OS or environment settings) or an explicit URL.

    Plain http (loopback only) never uses a proxy; the system setting never proxies
    loopback hosts; an explicit proxy applies to every https target. The result is an input
    of the request builder, so the preview shows the proxy's bytes too.
    """
    if setting == "none":
        return None
    if target.scheme == "http":
        # Plain http (loopback only) skips HTTP proxies; an explicit SOCKS5 proxy carries
        # every connection, so routing through Tor never has an exception.
        if setting.lower().startswith("socks5h://"):
            return parse_proxy_url(setting)
        return None
    if setting == "system":
        if is_loopback(target.host):
            return None
        proxies = getproxies()
        chosen = proxies.get("https") or proxies.get("all")
        if not chosen or bypass(target.host):
            return None
        if "://" not in chosen:
            chosen = "http://" + chosen
        return parse_proxy_url(chosen)
    return parse_proxy_url(setting)  # an explicit proxy applies to every https target
