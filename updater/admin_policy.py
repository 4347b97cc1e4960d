"""The administrator's machine-wide policy file: disable, narrow, pin, mirror, proxy.

An administrator writes one TOML file in a folder users cannot write (Linux
``/etc/glass-updater/policy.toml``, macOS ``/Library/Application Support/glass-updater/
policy.toml``, Windows ``%ProgramData%\\glass-updater\\policy.toml``). Top-level keys apply
to every product; a ``[product."<id>"]`` table overrides them for one product. Nothing the
user controls (settings, environment variables, command-line flags) can override it: the
location is fixed per OS, and only code composing an ``Updater`` may point elsewhere
(tests do, through the API).

A policy that cannot be read or parsed is never ignored: the updater fails closed (no
check, no socket) with one line naming the file. (Not to be confused with
``policy.py``, which writes the privacy statement.)
"""

from __future__ import annotations

import hashlib
import os
import sys
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from glass_updater.allowlist import Allowlist
from glass_updater.config import PROXY_MODES, PackagerConfig
from glass_updater.credentials import without_credentials
from glass_updater.errors import ConfigError, PolicyError
from glass_updater.limits import DEFAULT_LIMITS

POLICY_FILE = "policy.toml"
_KEYS: dict[str, type] = {
    "disabled": bool,
    "remove_fields": list,
    "max_version": str,
    "feed_url": str,
    "proxy": str,
    "ask_before_every_check": bool,
}
MANAGED = "Updates are managed by your administrator"


def default_policy_path(platform: str = sys.platform) -> Path:
    """The one machine-wide location for this OS; no environment variable changes it."""
    if platform == "darwin":
        return Path("/Library/Application Support/glass-updater") / POLICY_FILE
    if platform == "win32":
        return _program_data() / "glass-updater" / POLICY_FILE
    return Path("/etc/glass-updater") / POLICY_FILE


def _program_data() -> Path:  # pragma: no cover - Windows only
    """%ProgramData%, asked of the shell's folder API by platformdirs (not the environment)."""
    import platformdirs

    return Path(platformdirs.site_data_dir(appname=None, appauthor=False))


@dataclass(frozen=True)
class AdminPolicy:
    """The effective policy for one product; ``present`` is False when no file exists."""

    path: Path
    present: bool = False
    sha256: str | None = None
    error: str | None = None  # set when the file exists but cannot be used: fail closed
    disabled: bool = False
    remove_fields: tuple[str, ...] = ()
    max_version: str | None = None
    feed_url: str | None = None
    proxy: str | None = None
    ask_before_every_check: bool = False
    product_table: bool = False  # a [product."<id>"] table applied

    # ------------------------------------------------------------------ enforcement

    def refuse(self) -> None:
        """Raise PolicyError when no network check may happen at all."""
        if self.error is not None:
            raise PolicyError(self.error)
        if self.disabled:
            raise PolicyError(
                f"{MANAGED}: checking for updates is turned off on this computer "
                f"(policy {self.path}); nothing was sent"
            )

    def apply(self, config: PackagerConfig) -> PackagerConfig:
        """The packager config as the administrator narrowed or redirected it."""
        if not self.present or self.error is not None:
            return config
        changes: dict[str, object] = {}
        if self.remove_fields:
            merged = tuple(dict.fromkeys((*config.remove_fields, *self.remove_fields)))
            changes["remove_fields"] = merged
        if self.feed_url is not None:
            changes["feed_url"] = self.feed_url
        if self.proxy is not None:
            changes["proxy"] = self.proxy
        return replace(config, **changes) if changes else config  # type: ignore[arg-type]

    def changes(self) -> tuple[str, ...]:
        """What this policy changes, in plain words, for the panel, About and audit."""
        if not self.present:
            return ()
        if self.error is not None:
            return (f"cannot be used, so no check is made: {self.error}",)
        lines: list[str] = []
        if self.disabled:
            lines.append("disabled: no update check is made, not even when asked")
        if self.remove_fields:
            lines.append(f"never send: {', '.join(self.remove_fields)}")
        if self.max_version is not None:
            lines.append(f"pinned: no version above {self.max_version} is offered")
        if self.feed_url is not None:
            lines.append(f"feed from the mirror {self.feed_url} (same trusted keys)")
        if self.proxy is not None:
            shown = without_credentials(self.proxy, "<credentials redacted>")
            lines.append(f"proxy: {shown}")
        if self.ask_before_every_check:
            lines.append("asks before every check, showing the exact bytes")
        return tuple(lines) or ("present, changes nothing",)

    def summary(self) -> str:
        """One line: where, its SHA-256, what it changed."""
        if not self.present:
            return f"no administrator policy ({self.path} does not exist)"
        return (
            f"administrator policy {self.path} (SHA-256 {self.sha256}): "
            + "; ".join(self.changes())
        )

    def to_json(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "present": self.present,
            "sha256": self.sha256,
            "error": self.error,
            "changes": list(self.changes()),
        }


def govern(
    policy: AdminPolicy, config: PackagerConfig, allowlist: Allowlist
) -> tuple[AdminPolicy, PackagerConfig, Allowlist]:
    """The packager's config as the policy changes it, and the allowlist it narrows.

    A policy whose ``remove_fields`` the allowlist cannot take fails closed: it comes back
    carrying that error (no check is made until it is fixed), with the packager's own
    config; it is never silently ignored.
    """
    governed = policy.apply(config)
    try:
        return policy, governed, allowlist.narrow(governed.remove_fields)
    except ConfigError as exc:
        if not (policy.present and policy.remove_fields):
            raise
        broken = replace(
            policy,
            error=f"the administrator's update policy {policy.path} cannot be used "
            f"({exc.message}); no check is made until it is fixed (ask your administrator)",
        )
        return broken, config, allowlist.narrow(config.remove_fields)


def _fail(path: Path, digest: str | None, why: str) -> AdminPolicy:
    return AdminPolicy(
        path=path,
        present=True,
        sha256=digest,
        error=(
            f"the administrator's update policy {path} {why}; no check is made until it "
            "is fixed (ask your administrator)"
        ),
    )


def _table(raw: dict[str, object], where: str) -> dict[str, object]:
    """Validate one table's keys and types; raise ValueError with the reason."""
    for key, value in raw.items():
        expected = _KEYS.get(key)
        if expected is None:
            raise ValueError(f"has an unknown key {key!r} in {where}")
        if not isinstance(value, expected):
            raise ValueError(f"has {key} in {where} that is not {_TYPE_WORDS[expected]}")
        if key == "remove_fields" and not all(isinstance(v, str) for v in value):  # type: ignore[attr-defined]
            raise ValueError(f"has remove_fields in {where} that is not a list of field names")
    return raw


_TYPE_WORDS = {bool: "true or false", list: "a list of strings", str: "a string"}


def parse_policy(data: bytes, path: Path, product_id: str) -> AdminPolicy:
    """The effective policy for ``product_id``, or a failing one that says why."""
    digest = hashlib.sha256(data).hexdigest()
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return _fail(path, digest, f"is not valid TOML ({exc})")
    try:
        products = doc.pop("product", {})
        if not isinstance(products, dict) or not all(
            isinstance(v, dict) for v in products.values()
        ):
            raise ValueError('has a [product] entry that is not a [product."<id>"] table')
        merged = dict(_table(doc, "the global table"))
        own = products.get(product_id)
        for pid, table in products.items():
            _table(table, f'[product."{pid}"]')
        if own is not None:
            merged.update(own)
        policy = AdminPolicy(
            path=path,
            present=True,
            sha256=digest,
            disabled=bool(merged.get("disabled", False)),
            remove_fields=tuple(merged.get("remove_fields", ())),  # type: ignore[arg-type]
            max_version=_checked_version(merged.get("max_version")),
            feed_url=_checked_url(merged.get("feed_url")),
            proxy=_checked_proxy(merged.get("proxy")),
            ask_before_every_check=bool(merged.get("ask_before_every_check", False)),
            product_table=own is not None,
        )
    except (ValueError, ConfigError) as exc:
        return _fail(path, digest, str(exc))
    return policy


def _checked_version(value: object) -> str | None:
    if value is None:
        return None
    from packaging.version import InvalidVersion, Version

    try:
        Version(str(value))
    except InvalidVersion:
        raise ValueError(f"max_version {str(value)[:40]!r} is not a version number") from None
    return str(value)


def _checked_url(value: object) -> str | None:
    if value is None:
        return None
    from glass_updater.request import parse_target

    try:
        parse_target(str(value), purpose="policy feed_url")
    except ConfigError as exc:
        raise ValueError(f"feed_url is refused ({exc.message})") from None
    return str(value)


def _checked_proxy(value: object) -> str | None:
    if value is None:
        return None
    text = str(value)
    if text in PROXY_MODES:
        return text
    from glass_updater.proxy import parse_proxy_url

    try:
        parse_proxy_url(text)
    except ConfigError as exc:
        raise ValueError(f"proxy is refused ({exc.message})") from None
    return text


def _not_admin_only(path: Path, uid: int, mode: int) -> str | None:
    """Why users other than the administrator (root, or the account running this) could
    change the policy, or None."""
    trusted = {0, os.geteuid()}
    if mode & 0o020:
        return "is writable by its group (run `chmod g-w` on it)"
    if uid not in trusted:
        return f"belongs to another user (uid {uid}); it must belong to root"
    try:
        folder = os.stat(path.parent)
    except OSError as exc:
        return f"is in a folder that cannot be checked ({exc.strerror or type(exc).__name__})"
    if folder.st_mode & 0o022:
        return f"is in {path.parent}, which other users can write (run `chmod go-w` on it)"
    if folder.st_uid not in trusted:
        return f"is in {path.parent}, which belongs to another user; it must belong to root"
    return None


def load_policy(path: Path, product_id: str) -> AdminPolicy:
    """Read the policy at ``path``; a missing file means no policy, anything else fails closed."""
    try:
        with open(path, "rb") as fh:
            info = os.fstat(fh.fileno())
            mode, uid = info.st_mode, info.st_uid
            data = fh.read(DEFAULT_LIMITS.max_policy_bytes + 1)
    except FileNotFoundError:
        return AdminPolicy(path=path)
    except OSError as exc:
        return _fail(path, None, f"cannot be read ({exc.strerror or type(exc).__name__})")
    if sys.platform != "win32" and mode & 0o002:
        # Any user could rewrite it (redirect the feed, pin, disable): not the administrator's.
        return _fail(path, None, "is writable by every user (run `chmod o-w` on it)")
    if sys.platform != "win32":
        # A group member, another user owning it or its folder could rewrite it just as well.
        why = _not_admin_only(path, uid, mode)
        if why is not None:
            return _fail(path, None, why)
    if len(data) > DEFAULT_LIMITS.max_policy_bytes:
        return _fail(path, None, f"is larger than {DEFAULT_LIMITS.max_policy_bytes} bytes")
    return parse_policy(data, path, product_id)
