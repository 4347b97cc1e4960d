"""The version, read from the installed package metadata: pyproject.toml is its one source."""

from __future__ import annotations

DISTRIBUTION = "glass-updater"


def package_version() -> str:
    """pyproject's ``version``; ``unknown`` only when run from a source tree that was
    never installed."""
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"
