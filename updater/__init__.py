"""Glass Updater: a software-update client that sends only allowlisted fields.

The public API is ``__all__`` below (docs/packagers.md); everything else is internal.
Names load on first use (PEP 562), so ``import glass_updater`` costs almost nothing and
nothing that can open a socket is imported before a host app's first check. This package
never imports Qt; the Qt front end is ``glass_updater.qt``.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from glass_updater.config import PackagerConfig, config_from_dict, load_config, parse_config
    from glass_updater.driver import UpdateChoice, UserDriver
    from glass_updater.errors import (
        EXIT_CODES,
        BusyError,
        Cancelled,
        ConfigError,
        FeedError,
        InstallError,
        InternalError,
        RequestRefused,
        StaleFeedError,
        StorageError,
        TransportError,
        UpdaterError,
        VerificationError,
    )
    from glass_updater.flow import UpdateFlow
    from glass_updater.install import HostApp, default_relaunch_argv
    from glass_updater.model import Asset, CheckResult, CheckStatus, Progress, Release, VerifiedFile
    from glass_updater.outcome import Outcome
    from glass_updater.paths import Paths
    from glass_updater.reasons import Reason, Why
    from glass_updater.updater import Updater

# name -> the module that defines it
_EXPORTS: dict[str, str] = {
    # configuration
    "PackagerConfig": "config",
    "load_config": "config",
    "parse_config": "config",
    "config_from_dict": "config",
    "Paths": "paths",
    # the façade and the flow a front end drives
    "Updater": "updater",
    "UpdateFlow": "flow",
    "UserDriver": "driver",
    "UpdateChoice": "driver",
    "HostApp": "install",
    "default_relaunch_argv": "install",
    # results
    "CheckResult": "model",
    "CheckStatus": "model",
    "Release": "model",
    "Asset": "model",
    "Progress": "model",
    "VerifiedFile": "model",
    "Outcome": "outcome",
    "Reason": "reasons",
    "Why": "reasons",
    # errors (each carries .kind, .message and .exit_code) and the kind -> exit code table
    "UpdaterError": "errors",
    "ConfigError": "errors",
    "RequestRefused": "errors",
    "TransportError": "errors",
    "Cancelled": "errors",
    "InternalError": "errors",
    "EXIT_CODES": "errors",
    "FeedError": "errors",
    "StaleFeedError": "errors",
    "VerificationError": "errors",
    "InstallError": "errors",
    "StorageError": "errors",
    "BusyError": "errors",
}

__all__ = [
    "EXIT_CODES",
    "Asset",
    "BusyError",
    "Cancelled",
    "CheckResult",
    "CheckStatus",
    "ConfigError",
    "FeedError",
    "HostApp",
    "InstallError",
    "InternalError",
    "Outcome",
    "PackagerConfig",
    "Paths",
    "Progress",
    "Reason",
    "Release",
    "RequestRefused",
    "StaleFeedError",
    "StorageError",
    "TransportError",
    "UpdateChoice",
    "UpdateFlow",
    "Updater",
    "UpdaterError",
    "UserDriver",
    "VerificationError",
    "VerifiedFile",
    "Why",
    "__version__",
    "config_from_dict",
    "default_relaunch_argv",
    "load_config",
    "parse_config",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from glass_updater.meta import package_version

        version = globals()["__version__"] = package_version()
        return version
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'glass_updater' has no attribute {name!r}")
    value = getattr(import_module(f"glass_updater.{module}"), name)
    globals()[name] = value  # the next access is a plain lookup
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
