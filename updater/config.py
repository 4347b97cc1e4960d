"""The packager config: a TOML file or the same tables as Python values (docs/config.md)."""

from __future__ import annotations

import os
import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from glass_updater.errors import ConfigError
from glass_updater.paths import product_id_problem

CHANNELS = ("stable", "beta")
PROXY_MODES = ("system", "none")
INSTALL_KINDS = ("appimage", "tar.gz", "deb", "rpm", "exe", "msi", "dmg", "pkg")
COMMAND_PLACEHOLDERS = ("file", "pid", "app_dir", "version")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class PackagerConfig:
    product_id: str
    product_name: str
    version: str
    feed_url: str
    trusted_keys: tuple[str, ...]
    channel: str = "stable"
    ca_file: Path | None = None
    proxy: str = "system"  # "system" | "none" | "http://[user:pass@]host:port"
    remove_fields: tuple[str, ...] = ()
    redirect_hosts: tuple[str, ...] = ()  # other hosts a feed or asset may redirect to
    platform: str = field(default_factory=lambda: current_platform())
    os_version: str = field(default_factory=lambda: current_os_version())
    install_command: tuple[str, ...] = ()  # e.g. ("/opt/x/install", "{file}"); no shell
    install_kind: str = ""  # "" = detected; else one of INSTALL_KINDS
    app_dir: Path | None = None  # the unpacked tar.gz folder that an update swaps
    source: Path | None = None  # the file it was read from


def current_platform() -> str:
    """``linux-x86_64``, ``windows-x86_64``, ``macos-arm64``: the feed's platform names."""
    system = {"linux": "linux", "win32": "windows", "darwin": "macos"}.get(sys.platform, "")
    machine = _machine().lower()
    arch = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "arm64", "aarch64": "arm64"}.get(
        machine, machine
    )
    return f"{system or sys.platform}-{arch}"


def _machine() -> str:
    if hasattr(os, "uname"):
        return os.uname().machine  # what platform.machine() reads, without importing it
    import platform

    return platform.machine()


def current_os_version() -> str:
    if sys.platform in ("darwin", "win32"):
        import platform

        return (platform.mac_ver()[0] if sys.platform == "darwin" else platform.version()) or "0"
    return re.match(r"[0-9.]*", os.uname().release).group(0).strip(".") or "0"  # type: ignore[union-attr]


_KEY_RE = re.compile(r"^ed25519:[A-Za-z0-9+/=_-]{40,64}$")
_SECTIONS = {
    "product": {"id", "name", "version", "platform", "os_version"},
    "feed": {"url", "trusted_keys", "channel", "ca_file", "redirect_hosts"},
    "network": {"proxy"},
    "privacy": {"remove_fields"},
    "install": {"command", "kind", "app_dir"},
}


def _need_str(table: dict[str, object], section: str, key: str, required: bool = True) -> str:
    value = table.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"config [{section}] {key} must be a non-empty string")
    return value.strip()


def _str_list(table: dict[str, object], section: str, key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"config [{section}] {key} must be a list of strings")
    return tuple(value)


def parse_config(text: str, source: Path | None = None) -> PackagerConfig:
    """A config from TOML text; ``source`` (the file) anchors a relative ``ca_file``."""
    where = str(source) if source else "config"
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where} is not valid TOML ({exc}); fix the file") from None
    return config_from_dict(doc, source)


def config_from_dict(doc: Mapping[str, object], source: Path | None = None) -> PackagerConfig:
    """A config from Python values: the TOML file's tables as dicts, checked the same way.

    ``config_from_dict({"product": {"id": "my-app", "version": "1.2.0"},
    "feed": {"url": "https://...", "trusted_keys": ["ed25519:..."]}})``
    """
    where = str(source) if source else "config"
    if not isinstance(doc, Mapping):
        raise ConfigError(f"{where}: a config is a table of tables ([product], [feed], ...)")
    tables: dict[str, dict[str, object]] = {}
    for section, value in doc.items():
        if section not in _SECTIONS:
            known = ", ".join(f"[{name}]" for name in _SECTIONS)
            raise ConfigError(
                f"{where}: unknown section [{section}]; the sections are {known}"
            )
        if not isinstance(value, Mapping):
            raise ConfigError(
                f"{where}: {section} must be a table: write [{section}] on a line of its "
                "own, then its keys"
            )
        unknown = set(value) - _SECTIONS[section]
        if unknown:
            names = ", ".join(sorted(unknown))
            raise ConfigError(f"{where}: unknown key(s) in [{section}]: {names}")
        tables[section] = dict(value)
    product = tables.get("product", {})
    feed = tables.get("feed", {})
    network = tables.get("network", {})
    privacy = tables.get("privacy", {})
    install = tables.get("install", {})
    keys = _str_list(feed, "feed", "trusted_keys")
    if not keys:
        raise ConfigError(
            f"{where}: [feed] trusted_keys is empty; add the key printed by "
            "`updater-publish keygen` (an updater with no trusted key is refused)"
        )
    for key in keys:
        if not _KEY_RE.match(key):
            raise ConfigError(f"{where}: trusted key {key[:24]!r}... is not an ed25519:… key")
    channel = _need_str(feed, "feed", "channel", required=False) or "stable"
    if channel not in CHANNELS:
        raise ConfigError(f"{where}: [feed] channel must be one of {', '.join(CHANNELS)}")
    proxy = _need_str(network, "network", "proxy", required=False) or "system"
    if proxy not in PROXY_MODES:
        from glass_updater.proxy import parse_proxy_url

        try:
            parse_proxy_url(proxy)
        except ConfigError as exc:
            raise ConfigError(
                f"{where}: [network] proxy must be \"system\", \"none\", "
                f"\"http://host:port\" or \"socks5h://host:port\" ({exc.message})"
            ) from None
    ca_txt = _need_str(feed, "feed", "ca_file", required=False)
    ca_file: Path | None = None
    if ca_txt:
        ca_file = Path(ca_txt).expanduser()
        if not ca_file.is_absolute() and source is not None:
            ca_file = source.parent / ca_file
        if not ca_file.is_file():
            raise ConfigError(f"{where}: [feed] ca_file {str(ca_file)!r} does not exist")
    command = _install_command(install, where)
    kind = _need_str(install, "install", "kind", required=False).lower()
    if kind and kind not in INSTALL_KINDS:
        raise ConfigError(
            f"{where}: [install] kind {kind!r} is not one of {', '.join(INSTALL_KINDS)}"
        )
    app_dir = _app_dir(install, where, source)
    if kind == "tar.gz" and app_dir is None and not command:
        raise ConfigError(
            f"{where}: [install] kind = \"tar.gz\" needs app_dir, the folder the archive "
            "was unpacked into"
        )
    product_id = _need_str(product, "product", "id")
    problem = product_id_problem(product_id)
    if problem is not None:
        raise ConfigError(f"{where}: [product] id {product_id!r} {problem}")
    cfg = PackagerConfig(
        product_id=product_id,
        product_name=_need_str(product, "product", "name", required=False)
        or _need_str(product, "product", "id"),
        version=_need_str(product, "product", "version"),
        feed_url=_need_str(feed, "feed", "url"),
        trusted_keys=keys,
        channel=channel,
        ca_file=ca_file,
        proxy=proxy,
        remove_fields=_str_list(privacy, "privacy", "remove_fields"),
        redirect_hosts=tuple(h.lower() for h in _str_list(feed, "feed", "redirect_hosts")),
        install_command=command,
        install_kind=kind,
        app_dir=app_dir,
        source=source,
    )
    overrides: dict[str, str] = {}
    for key in ("platform", "os_version"):
        if key in product:
            overrides[key] = _need_str(product, "product", key)
    if overrides:
        from dataclasses import replace

        cfg = replace(cfg, **overrides)  # type: ignore[arg-type]
    return cfg


def _install_command(install: dict[str, object], where: str) -> tuple[str, ...]:
    """An argv list (never a shell line) whose placeholders are all known."""
    command = _str_list(install, "install", "command")
    if not command:
        return ()
    if not command[0].strip():
        raise ConfigError(f"{where}: [install] command must start with a program")
    if not any("{file}" in part for part in command):
        raise ConfigError(f"{where}: [install] command must contain a \"{{file}}\" argument")
    for part in command:
        for name in _PLACEHOLDER.findall(part):
            if name not in COMMAND_PLACEHOLDERS:
                known = ", ".join("{" + n + "}" for n in COMMAND_PLACEHOLDERS)
                raise ConfigError(
                    f"{where}: [install] command uses {{{name}}}; the placeholders are {known}"
                )
    return command


def _app_dir(install: dict[str, object], where: str, source: Path | None) -> Path | None:
    text = _need_str(install, "install", "app_dir", required=False)
    if not text:
        return None
    path = Path(text).expanduser()
    if not path.is_absolute():
        if source is None:
            raise ConfigError(f"{where}: [install] app_dir must be an absolute path")
        path = source.parent / path
    path = Path(os.path.normpath(path))
    if path.parent == path:
        raise ConfigError(f"{where}: [install] app_dir cannot be the root folder")
    return path


def load_config(path: Path | None) -> PackagerConfig:
    """Read the packager config; without ``--config`` the bundled demo config is used."""
    if path is None:
        from glass_updater import resources  # a plain folder, also when frozen

        # A path, not importlib.resources: that costs ~3 ms of imports at start-up.
        demo = Path(resources.__file__).parent / "demo-config.toml"
        return parse_config(demo.read_text("utf-8"), None)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {str(path)!r} not found; pass --config FILE") from None
    except UnicodeDecodeError:
        raise ConfigError(
            f"config {str(path)!r} is not UTF-8 text; save it as UTF-8 TOML"
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"config {str(path)!r} is a folder; pass --config FILE") from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read config {str(path)!r}: {exc.strerror or exc}; check the file and "
            "its permissions"
        ) from None
    return parse_config(text, path)
