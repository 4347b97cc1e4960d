"""Platform and kind of a built file, from its name (the publisher's flags override).

The platform names are the client's own (``linux-x86_64``, ``windows-arm64``,
``macos-arm64``); a macOS build named ``universal`` is listed once per Mac architecture.
"""

from __future__ import annotations

import re

from glass_updater.errors import ConfigError

# (suffix, kind, operating system or None when the name must say)
_KINDS: tuple[tuple[str, str, str | None], ...] = (
    (".appimage", "appimage", "linux"),
    (".deb", "deb", "linux"),
    (".rpm", "rpm", "linux"),
    (".tar.gz", "tar.gz", None),
    (".tgz", "tar.gz", None),
    (".exe", "exe", "windows"),
    (".msi", "msi", "windows"),
    (".dmg", "dmg", "macos"),
    (".pkg", "pkg", "macos"),
    (".zip", "zip", None),
)
_ARCH = re.compile(
    r"(?<![a-z0-9])(x86_64|x86-64|amd64|x64|win64|aarch64|arm64|i[3-6]86|win32|armhf|armv7l?"
    r"|universal)(?![a-z0-9])"
)
_ARCH_NAMES = {
    "x86_64": "x86_64", "x86-64": "x86_64", "amd64": "x86_64", "x64": "x86_64",
    "win64": "x86_64", "aarch64": "arm64", "arm64": "arm64", "i386": "x86", "i486": "x86",
    "i586": "x86", "i686": "x86", "win32": "x86", "armhf": "armv7", "armv7": "armv7",
    "armv7l": "armv7", "universal": "universal",
}
_OS_WORDS = (
    ("macos", re.compile(r"(?<![a-z0-9])(mac|macos|macosx|osx|darwin)(?![a-z0-9])")),
    ("windows", re.compile(r"(?<![a-z0-9])(win|windows)(?![a-z0-9])")),
    ("linux", re.compile(r"(?<![a-z0-9])(linux)(?![a-z0-9])")),
)
MAC_ARCHES = ("arm64", "x86_64")


def infer_kind(name: str) -> tuple[str, str | None] | None:
    """(kind, operating system or None) from the file name's suffix."""
    lower = name.lower()
    for suffix, kind, os_name in _KINDS:
        if lower.endswith(suffix) and len(lower) > len(suffix):
            return kind, os_name
    return None


def infer_platforms(
    name: str, *, platform: str | None = None, kind: str | None = None
) -> tuple[tuple[str, ...], str]:
    """The platforms (usually one) and the kind a file is published for.

    Refuses, in one line that says which flag to pass, when the name does not tell.
    """
    guessed = infer_kind(name)
    if kind is None:
        if guessed is None:
            raise ConfigError(
                f"cannot tell what kind of installer {name} is (known: AppImage, .deb, .rpm, "
                ".tar.gz, .exe, .msi, .dmg, .pkg, .zip); pass --kind"
            )
        kind = guessed[0]
    if platform is not None:
        return (platform,), kind
    lower = name.lower()
    os_name = guessed[1] if guessed is not None else None
    if os_name is None:
        os_name = next((os_ for os_, word in _OS_WORDS if word.search(lower)), None)
    if os_name is None and kind == "tar.gz":
        os_name = "linux"  # the usual meaning of a bare tarball; --platform overrides
    if os_name is None:
        raise ConfigError(
            f"cannot tell the operating system of {name}; put linux, macos or windows in "
            "its name or pass --platform (e.g. linux-x86_64)"
        )
    found = {_ARCH_NAMES[m] for m in _ARCH.findall(lower)}
    if len(found) != 1:
        raise ConfigError(
            f"cannot tell the architecture of {name}"
            f"{' (it names ' + ', '.join(sorted(found)) + ')' if found else ''}; put one of "
            "x86_64, arm64 (or universal for macOS) in its name or pass --platform "
            f"(e.g. {os_name}-x86_64)"
        )
    arch = found.pop()
    if arch == "universal":
        if os_name != "macos":
            raise ConfigError(
                f"{name} says universal, which only macOS builds are; pass --platform"
            )
        return tuple(f"macos-{a}" for a in MAC_ARCHES), kind
    return (f"{os_name}-{arch}",), kind
