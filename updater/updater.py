"""The façade: check(), download(), install(), with every collaborator passed in.

Composition, not inheritance: the CLI and the tray app each build one ``Updater`` with a
real transport; tests build it with the feed simulator. Heavy modules (requests,
cryptography) are imported at the first check so the tray app starts lean.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from glass_updater.admin_policy import AdminPolicy, default_policy_path, govern, load_policy
from glass_updater.allowlist import Allowlist, load_allowlist
from glass_updater.config import PackagerConfig
from glass_updater.errors import (
    UpdaterError,
    storage_error,
)
from glass_updater.ledger import Ledger, LedgerEntry
from glass_updater.limits import DEFAULT_LIMITS, Limits
from glass_updater.model import (
    Asset,
    CheckResult,
    Feed,
    InstallEffect,
    Progress,
    Release,
    VerifiedFile,
)
from glass_updater.outcome import Outcome
from glass_updater.paths import Paths
from glass_updater.proxy import resolve_proxy
from glass_updater.recording import Recording
from glass_updater.request import parse_target
from glass_updater.settings import SettingsStore, UserSettings
from glass_updater.transport.base import Transport
from glass_updater.wire_types import CancelToken, OutboundRequest, ProxySpec

if TYPE_CHECKING:
    from glass_updater.client import Client
    from glass_updater.install import HostApp, Launcher
    from glass_updater.preflight import InstallPlan
    from glass_updater.state import LocalState, StateStore


def utcnow() -> datetime:
    return datetime.now(UTC)


class Updater:
    def __init__(
        self,
        config: PackagerConfig,
        *,
        paths: Paths,
        transport: Transport | None = None,
        allowlist: Allowlist | None = None,
        limits: Limits = DEFAULT_LIMITS,
        clock: Callable[[], datetime] = utcnow,
        launcher: Launcher | None = None,
        policy_path: Path | None = None,
        preflight_downloads: bool = True,
    ) -> None:
        """``policy_path`` exists for tests and embedders' own tests; the CLI and the tray
        app always use the machine-wide location (``default_policy_path()``)."""
        self.packager_config = config
        policy = load_policy(policy_path or default_policy_path(), config.product_id)
        self.policy: AdminPolicy
        self.policy, self.config, self.allowlist = govern(
            policy, config, allowlist or load_allowlist()
        )
        self.paths = paths
        self.limits = limits
        self.ledger = Ledger(paths.log, limits)
        self.settings = SettingsStore(paths.state / "settings.json")
        self._transport = transport
        self._clock = clock
        self._launcher = launcher  # None: the real process launcher
        # False only for a plain "fetch the file" (``updater download --dest``).
        self.preflight_downloads = preflight_downloads

    # ------------------------------------------------------------------ wiring

    @property
    def state(self) -> StateStore:
        from glass_updater.state import StateStore

        return StateStore(self.paths.state / "state.json")

    @property
    def transport(self) -> Transport:
        if self._transport is None:
            from glass_updater.transport.http import HttpTransport

            self._transport = HttpTransport(self.limits, ca_file=self.config.ca_file)
        return self._transport

    def user_settings(self) -> UserSettings:
        """The user's choices, with what the administrator's policy imposes on top."""
        settings = self.settings.load()
        if self.policy.ask_before_every_check and not settings.ask_before_check:
            settings = replace(settings, ask_before_check=True)
        return settings

    def channel(self) -> str:
        return self.user_settings().channel or self.config.channel

    def proxy_for(self, url: str, settings: UserSettings | None = None) -> ProxySpec | None:
        """The proxy a request to ``url`` would go through now (with ``settings``)."""
        setting = self._proxy_setting(settings or self.user_settings())
        return resolve_proxy(setting, parse_target(url, purpose="feed"))

    def _proxy_setting(self, settings: UserSettings) -> str:
        """The administrator's proxy wins; then the user's setting; then the packager's."""
        return self.policy.proxy or settings.proxy or self.config.proxy

    def client_for(
        self,
        settings: UserSettings,
        recording: Recording | None = None,
        *,
        extra_hosts: tuple[str, ...] = (),
    ) -> Client:
        """The client of one operation, with the settings read once at its start;
        ``recording`` (the ledger's hooks) for one that sends."""
        from glass_updater.client import Client

        return Client(
            self.allowlist,
            transport=lambda: self.transport,
            proxy=self._proxy_setting(settings),
            allowed_hosts=frozenset((*self.config.redirect_hosts, *extra_hosts)),
            max_redirects=self.limits.max_redirects,
            on_sending=recording.sending if recording is not None else None,
            on_exchange=recording.exchanged if recording is not None else None,
        )

    def now(self) -> datetime:
        return self._clock()

    @contextlib.contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """The named lock (``"check"`` guards the rollback floor), across processes."""
        from glass_updater.locks import FileLock
        from glass_updater.safefs import ensure_dir

        ensure_dir(self.paths.state)
        with FileLock(self.paths.state / f"{name}.lock"):
            yield

    # ------------------------------------------------------------------ check

    def preview(self, settings: UserSettings | None = None) -> OutboundRequest:
        """The exact request a check would send now. Pure: opens nothing."""
        self.policy.refuse()
        client = self.client_for(settings or self.user_settings())
        return client.check_request(self.config, max_body=self.limits.max_feed_bytes)

    def check(
        self, cancel: CancelToken | None = None, request: OutboundRequest | None = None
    ) -> CheckResult:
        """Fetch, verify and decide (see ``check_outcome``); a failure is raised."""
        return self.check_outcome(cancel, request).unwrap()

    def check_outcome(
        self,
        cancel: CancelToken | None = None,
        request: OutboundRequest | None = None,
        settings: UserSettings | None = None,
    ) -> Outcome[CheckResult]:
        """Fetch, verify and decide. Local state changes only after the feed is trusted.

        ``request`` lets a front end send exactly the preview the user approved, and
        ``settings`` the snapshot it was built with (else they are read once, here). A
        failure is returned, not raised, with the records of what was sent before it.
        """
        from glass_updater.check import run_check

        entries: list[LedgerEntry] = []
        try:
            result = run_check(self, cancel, request, entries, settings)
        except UpdaterError as exc:
            return Outcome(None, exc, tuple(entries))
        return Outcome(result, None, result.entries)

    def install_problem(self, release: Release | None, asset: Asset | None) -> str:
        """The preflight's refusal of ``asset`` here, "" if it can be installed. Pure, cheap:
        no network, nothing written, so a front end can say it before offering a download.
        """
        from glass_updater.preflight import install_problem

        return install_problem(self.config, release, asset)

    def pinned(self, feed: Feed) -> Feed:
        """The feed without releases above the administrator's ``max_version``."""
        from glass_updater.decision import pinned

        return pinned(feed, self.policy.max_version)

    # ------------------------------------------------------------------ local choices

    def skip_version(self, version: str) -> None:
        """Never offer this version again (a newer one still is). Local only."""
        self._update_state(lambda state: replace(state, skipped_version=version))

    def unskip(self) -> None:
        """Stop skipping: the skipped version is offered like any other again. Local only."""
        self._update_state(lambda state: replace(state, skipped_version=None))

    def skipped_version(self) -> str | None:
        """The version the user chose to skip, if any (read from local state)."""
        try:
            return self.state.load().skipped_version
        except OSError as exc:
            raise storage_error(exc, "the updater's local state") from exc

    def preview_download(self, asset: Asset) -> OutboundRequest:
        """The exact request a download of ``asset`` would send first. Pure: opens nothing.

        A download that resumes a partial file adds Range and If-Range to it.
        """
        target = parse_target(asset.url, purpose="asset")
        return self.client_for(self.user_settings()).download_request(target, max_body=asset.size)

    def install_effect(self, asset: Asset, release: Release | None = None) -> InstallEffect:
        """What installing ``asset`` will do here, so a button can say it before it happens."""
        from glass_updater.preflight import install_effect

        return install_effect(self.config, asset, release)

    def _update_state(self, change: Callable[[LocalState], LocalState]) -> None:
        """Read-modify-write under the check lock, so a concurrent check's newer rollback
        floor is never overwritten with an older one."""
        try:
            with self.exclusive("check"):
                state = self.state.load()
                self.state.save(change(state))
        except OSError as exc:
            raise storage_error(exc, "the updater's local state") from exc

    # ------------------------------------------------------------------ download, install

    def download(
        self,
        result: CheckResult,
        on_progress: Callable[[Progress], None],
        cancel: CancelToken | None = None,
    ) -> VerifiedFile:
        """Fetch and verify ``result``'s asset (see ``download_outcome``); a failure is raised."""
        return self.download_outcome(result, on_progress, cancel).unwrap()

    def download_outcome(
        self,
        result: CheckResult,
        on_progress: Callable[[Progress], None],
        cancel: CancelToken | None = None,
    ) -> Outcome[VerifiedFile]:
        """Fetch and verify ``result``'s asset, resuming a partial file. A failure is
        returned, not raised, with the records of what was sent before it."""
        from glass_updater.download import run_download

        entries: list[LedgerEntry] = []
        try:
            verified = run_download(self, result, on_progress, cancel, entries)
        except UpdaterError as exc:
            return Outcome(None, exc, tuple(entries))
        return Outcome(verified, None, tuple(entries))

    def import_bundle(self, path: Path) -> tuple[CheckResult, VerifiedFile | None]:
        """Verify an offline bundle by the online rules and keep its update; no socket.

        Works when the administrator disabled network checks (an import opens none), but
        not when the policy cannot be read.
        """
        from glass_updater.offline import import_bundle

        return import_bundle(self, Path(path))

    def preflight(self, asset: Asset, release: Release | None = None) -> InstallPlan:
        """Can this installation be updated with ``asset``? InstallError says what to change.

        With ``release`` the advice names only kinds it offers for this platform.
        """
        from glass_updater.preflight import plan_for

        return plan_for(self.config, asset, release)

    def install(self, verified: VerifiedFile, host: HostApp) -> None:
        """Start the install helper and ask the host to quit; the helper does the rest."""
        from glass_updater.install import SubprocessLauncher, hand_off

        plan = self.preflight(verified.asset, verified.release)
        hand_off(
            verified,
            host,
            plan,
            launcher=self._launcher if self._launcher is not None else SubprocessLauncher(),
            report=self.install_report_path,
            workdir=self.paths.cache / "handoff",
        )

    @property
    def install_report_path(self) -> Path:
        return self.paths.state / "install-report.json"

    def last_install_report(self) -> dict[str, object] | None:
        """What the install helper reported last (status, message, version), or None."""
        from glass_updater.install import read_report

        return read_report(self.install_report_path)
