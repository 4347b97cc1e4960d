"""Resolve which proxy a request uses: explicitly, never through requests' trust_env."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable, Mapping
from urllib.parse import unquote, urlsplit

from glass_updater.errors import ConfigError
from glass_updater.request import ProxySpec, is_loopback, parse_target


def parse_proxy_url(url: str) -> ProxySpec:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ConfigError(f"proxy {url!r} is not a valid http://host:port address") from None
    if parts.scheme != "http" or not parts.hostname:
        raise ConfigError("proxy must be written as http://[user:password@]host:port")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError("proxy address must not have a path or query: http://host:port")
    return ProxySpec(
        host=parts.hostname.lower(),
        port=port or 8080,
        username=unquote(parts.username) if parts.username is not None else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def resolve_proxy(
    setting: str,
    target_url: str,
    *,
    getproxies: Callable[[], Mapping[str, str]] = urllib.request.getproxies,
    bypass: Callable[[str], object] = urllib.request.proxy_bypass,
) -> ProxySpec | None:
    """``"none"``, ``"system"`` (the OS or environment settings) or an explicit URL.

    Plain http (loopback only) never uses a proxy; the system setting never proxies
    loopback hosts; an explicit proxy applies to every https target. The result is an input
    of the request builder, so the preview shows the proxy's bytes too.
    """
    target = parse_target(target_url, purpose="feed")
    if target.scheme == "http" or setting == "none":
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
