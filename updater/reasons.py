"""Why a check offers what it offers, as data, and the one place its words are written.

The core decides (``versions``, ``history``, the façade) and returns a ``Reason``: a kind
from ``Why`` with its parameters, plus the notes the façade adds (skipped by you, your
version withdrawn, the administrator's pin). Front ends, the JSON and the history read
``words(reason)``; changing a sentence happens here, for all of them at once. A leaf:
it imports nothing of the project.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Why(enum.Enum):
    """The kinds of answer a check can give."""

    AVAILABLE = "available"  # ``version`` is offered (``critical``)
    NEWEST = "newest"  # nothing newer: ``version`` is the installed one
    SKIPPED = "skipped"  # ``version`` is newer, but the user skipped it
    NEEDS_OS = "needs-os"  # ``version`` needs ``os_name`` ``minimum`` or newer
    NEEDS_OS_UNKNOWN = "needs-os-unknown"  # the same, and this OS version is unknown
    NOT_FOR_PLATFORM = "not-for-platform"  # ``version`` has no file for ``platform``
    NO_KIND = "no-kind"  # ``version`` has no file of ``kinds`` (it ``offered`` others)
    REPLACES_WITHDRAWN = "replaces-withdrawn"  # installed one withdrawn; go to ``version``
    WITHDRAWN_NO_OTHER = "withdrawn-no-other"  # installed one withdrawn; nothing to go to


@dataclass(frozen=True)
class Reason:
    """One answer and its parameters; which fields matter depends on ``why``."""

    why: Why
    version: str = ""  # the release it is about (for NEWEST: the installed version)
    critical: bool = False
    os_name: str = ""
    minimum: str = ""
    platform: str = ""
    kinds: tuple[str, ...] = ()  # the kinds this installation takes
    offered: tuple[str, ...] = ()  # the kinds the release offers for the platform
    withdrawn_version: str = ""  # a withdrawn installed version, and the publisher's reason
    withdrawn_reason: str = ""
    # Notes the façade adds after deciding, in this order.
    skipped: bool = False  # the offered release is one the user chose to skip
    installed_withdrawn: tuple[str, str] | None = None  # (version, publisher's reason)
    pinned_to: str | None = None  # nothing offered above the administrator's max_version


def words(reason: Reason) -> str:
    """The plain words, in English: the CLI, ``--json``'s ``reason``, the app, the log."""
    text = _base(reason)
    if reason.skipped:
        text += "; you skipped this version"
    if reason.installed_withdrawn is not None:
        version, why = reason.installed_withdrawn
        text += f"; your version {version} was withdrawn by the publisher: {why}"
    if reason.pinned_to is not None:
        text += f" (your administrator allows versions up to {reason.pinned_to})"
    return text


def _base(r: Reason) -> str:
    withdrawn = f"{r.withdrawn_version} was withdrawn by the publisher: {r.withdrawn_reason}"
    match r.why:
        case Why.AVAILABLE:
            return f"{r.version} is available" + (" (critical update)" if r.critical else "")
        case Why.NEWEST:
            return f"you are on the newest version ({r.version})"
        case Why.SKIPPED:
            return f"{r.version} was skipped by you"
        case Why.NEEDS_OS:
            return f"{r.version} needs {r.os_name} {r.minimum} or newer"
        case Why.NEEDS_OS_UNKNOWN:
            return (
                f"{r.version} needs {r.os_name} {r.minimum} or newer "
                "(this OS version is unknown)"
            )
        case Why.NOT_FOR_PLATFORM:
            return f"{r.version} is not available for {r.platform}"
        case Why.NO_KIND:
            return (
                f"{r.version} has no {' or '.join(r.kinds)} download for {r.platform} "
                f"(the feed offers {', '.join(r.offered)})"
            )
        case Why.REPLACES_WITHDRAWN:
            return f"{withdrawn}; {r.version} is the newest good release"
        case Why.WITHDRAWN_NO_OTHER:
            return f"{withdrawn}; no other release is available for {r.platform} yet"
