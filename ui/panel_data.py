"""What the payload panel reads, in one snapshot: the next requests, the ledger, the settings.

``read_panel_data`` runs on the background runner (it reads disk and builds requests); the
panel only shows the ``PanelData`` it returns. Nothing here opens a connection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from glass_updater.admin_policy import AdminPolicy
from glass_updater.allowlist import Allowlist
from glass_updater.errors import UpdaterError
from glass_updater.ledger import Ledger, LedgerEntry
from glass_updater.model import Asset
from glass_updater.settings import SettingsStore
from glass_updater.wire_types import OutboundRequest


class PanelSource(Protocol):
    """What the panel reads: the Updater façade satisfies it."""

    allowlist: Allowlist
    ledger: Ledger
    settings: SettingsStore

    def preview(self) -> OutboundRequest: ...

    def preview_download(self, asset: Asset) -> OutboundRequest: ...


@dataclass(frozen=True)
class PanelData:
    preview: OutboundRequest | None
    preview_error: str | None
    entries: tuple[LedgerEntry, ...]
    ask_before_check: bool
    allowlist_sha256: str
    admin_policy: str = ""  # the administrator's policy: path, SHA-256, what it changed
    policy_forces_ask: bool = False
    download_preview: OutboundRequest | None = None  # the offered update's download request
    download_version: str = ""


def _policy_fields(source: object) -> tuple[str, bool]:
    """The administrator's policy as the panel shows it (sources without one show none)."""
    policy = getattr(source, "policy", None)
    if not isinstance(policy, AdminPolicy):
        return "", False
    return policy.summary(), policy.ask_before_every_check


def read_panel_data(
    source: Callable[[], PanelSource], offered: Asset | None, version: str
) -> PanelData:
    """Everything the panel shows; a failure to build a request is shown, never raised."""
    try:
        found = source()
    except UpdaterError as exc:  # e.g. an invalid packager config: nothing to show
        return PanelData(None, str(exc), (), False, "?")
    preview: OutboundRequest | None = None
    error: str | None = None
    try:
        preview = found.preview()
    except UpdaterError as exc:
        error = str(exc)
    download: OutboundRequest | None = None
    if offered is not None:
        try:
            download = found.preview_download(offered)
        except UpdaterError:
            download = None
    return PanelData(
        preview=preview,
        preview_error=error,
        entries=tuple(found.ledger.entries()),
        ask_before_check=found.settings.load().ask_before_check,
        allowlist_sha256=found.allowlist.sha256,
        admin_policy=_policy_fields(found)[0],
        policy_forces_ask=_policy_fields(found)[1],
        download_preview=download,
        download_version=version,
    )
