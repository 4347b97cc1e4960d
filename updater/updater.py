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

from glass_updater.admin_policy import AdminPolicy, default_policy_path, load_policy
from glass_updater.allowlist import Allowlist, load_allowlist
from glass_updater.atomic import sweep_temps
from glass_updater.config import PackagerConfig
from glass_updater.errors import (
    Cancelled,
    ConfigError,
    ExchangeError,
    FeedError,
    InternalError,
    TransportError,
    UpdaterError,
    server_text,
    storage_error,
)
from glass_updater.ledger import Ledger, LedgerEntry
from glass_updater.limits import DEFAULT_LIMITS, Limits
from glass_updater.model import (
    Asset,
    CheckResult,
    CheckStatus,
    Feed,
    InstallEffect,
    Progress,
    Release,
    VerifiedFile,
)
from glass_updater.outcome import Outcome
from glass_updater.paths import Paths
from glass_updater.proxy import resolve_proxy
from glass_updater.request import parse_target
from glass_updater.settings import SettingsStore, UserSettings
from glass_updater.transport.base import Transport
from glass_updater.wire_types import CancelToken, Exchange, OutboundRequest, ProxySpec

if TYPE_CHECKING:
    from glass_updater.client import Client
    from glass_updater.install import HostApp, Launcher
    from glass_updater.preflight import InstallPlan
    from glass_updater.state import LocalState, StateStore


STALE_TEMP_AGE = 60.0  # seconds


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
        self.policy: AdminPolicy = load_policy(
            policy_path or default_policy_path(), config.product_id
        )
        self.config = config = self.policy.apply(config)
        self.paths = paths
        self.limits = limits
        base = allowlist or load_allowlist()
        try:
            self.allowlist = base.narrow(config.remove_fields)
        except ConfigError as exc:
            if self.policy.present and self.policy.remove_fields:
                # The administrator's list is wrong: fail closed, never ignore it.
                self.policy = replace(
                    self.policy,
                    error=f"the administrator's update policy {self.policy.path} cannot be "
                    f"used ({exc.message}); no check is made until it is fixed "
                    "(ask your administrator)",
                )
                self.config = config = self.packager_config
                self.allowlist = base.narrow(config.remove_fields)
            else:
                raise
        self.ledger = Ledger(paths.log, limits)
        self.settings = SettingsStore(paths.state / "settings.json")
        self._transport = transport
        self._clock = clock
        self._launcher = launcher  # None: the real process launcher
        # Write-ahead ledger ids of the requests of the running check or download.
        self._pending: list[tuple[OutboundRequest, str]] = []
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
        return self._channel(self.user_settings())

    def _channel(self, settings: UserSettings) -> str:
        return settings.channel or self.config.channel

    def proxy_for(self, url: str) -> ProxySpec | None:
        """The proxy a request to ``url`` would go through now."""
        target = parse_target(url, purpose="feed")
        return resolve_proxy(self._proxy_setting(self.user_settings()), target)

    def _proxy_setting(self, settings: UserSettings) -> str:
        """The administrator's proxy wins; then the user's setting; then the packager's."""
        return self.policy.proxy or settings.proxy or self.config.proxy

    def _client(
        self,
        settings: UserSettings,
        *,
        extra_hosts: tuple[str, ...] = (),
        on_exchange: Callable[[Exchange], None] | None = None,
    ) -> Client:
        """The client of one operation, with the settings read once at its start."""
        from glass_updater.client import Client

        return Client(
            self.allowlist,
            transport=lambda: self.transport,
            proxy=self._proxy_setting(settings),
            allowed_hosts=frozenset((*self.config.redirect_hosts, *extra_hosts)),
            max_redirects=self.limits.max_redirects,
            on_sending=self._write_ahead,
            on_exchange=on_exchange,
        )

    def now(self) -> datetime:
        return self._clock()

    def exclusive(self, name: str) -> contextlib.AbstractContextManager[None]:
        """The named lock (``"check"`` guards the rollback floor), across processes."""
        return self._exclusive(name)

    @contextlib.contextmanager
    def _exclusive(self, name: str) -> Iterator[None]:
        from glass_updater.locks import FileLock
        from glass_updater.safefs import ensure_dir

        ensure_dir(self.paths.state)
        with FileLock(self.paths.state / f"{name}.lock"):
            yield

    # ------------------------------------------------------------------ check

    def preview(self) -> OutboundRequest:
        """The exact request a check would send now. Pure: opens nothing."""
        self.policy.refuse()
        client = self._client(self.user_settings())
        return client.check_request(self.config, max_body=self.limits.max_feed_bytes)

    def check(
        self, cancel: CancelToken | None = None, request: OutboundRequest | None = None
    ) -> CheckResult:
        """Fetch, verify and decide (see ``check_outcome``); a failure is raised."""
        return self.check_outcome(cancel, request).unwrap()

    def check_outcome(
        self, cancel: CancelToken | None = None, request: OutboundRequest | None = None
    ) -> Outcome[CheckResult]:
        """Fetch, verify and decide. Local state changes only after the feed is trusted.

        ``request`` lets a front end send exactly the preview the user approved. A failure
        is returned, not raised, with the records of what was sent before it.
        """
        entries: list[LedgerEntry] = []
        try:
            result = self._check(cancel, request, entries)
        except UpdaterError as exc:
            return Outcome(None, exc, tuple(entries))
        return Outcome(result, None, result.entries)

    def _check(
        self,
        cancel: CancelToken | None,
        request: OutboundRequest | None,
        entries: list[LedgerEntry],
    ) -> CheckResult:
        """The check itself; ``entries`` receives its records, also when it fails."""
        from glass_updater.feed import verify_feed
        from glass_updater.history import (
            missed_releases,
            replacement_for_withdrawn,
            withdrawal_of,
        )
        from glass_updater.preflight import wanted_kinds
        from glass_updater.versions import select_update

        self.policy.refuse()  # before anything else: no lock, no socket, no lookup
        settings = self.user_settings()  # read once: the whole check uses this snapshot
        channel = self._channel(settings)
        exchanges: list[Exchange] = []
        client = self._client(settings, on_exchange=exchanges.append)
        request = request or client.check_request(
            self.config, max_body=self.limits.max_feed_bytes
        )
        self._pending = []
        try:
            try:
                with self._exclusive("check"):
                    # Temps a killed process left (threat 36); the grace period spares a
                    # settings save that another process may be doing right now.
                    sweep_temps(self.paths.state, older_than=STALE_TEMP_AGE)
                    # Read first: a planted state file is refused before anything is sent.
                    state = self.state.load()
                    final = client.send(request, cancel=cancel)
                    _require_ok(final, "update feed")
                    feed = verify_feed(
                        final.body,
                        trusted_keys=self.config.trusted_keys,
                        product=self.config.product_id,
                        now=self._clock(),
                        floor=self.state.floor(state),
                        limits=self.limits,
                    )
                    allowed = self.pinned(feed)  # the administrator's max_version
                    selection = select_update(
                        allowed,
                        current_version=self.config.version,
                        channel=channel,
                        platform=self.config.platform,
                        os_name=self.config.platform.split("-", 1)[0],
                        os_version=self.config.os_version,
                        skipped_version=None,  # every check is asked for: show it, marked
                        kinds=wanted_kinds(self.config),
                    )
                    withdrawal = withdrawal_of(feed, self.config.version)
                    replaced = withdrawal is not None and selection.release is None
                    if withdrawal is not None and replaced:
                        selection = replacement_for_withdrawn(
                            allowed,
                            withdrawal,
                            channel=channel,
                            platform=self.config.platform,
                            os_name=self.config.platform.split("-", 1)[0],
                            os_version=self.config.os_version,
                            skipped_version=None,  # shown, marked, like any other
                            kinds=wanted_kinds(self.config),
                        ).selection
                    skipped = is_skipped(selection.release, state.skipped_version)
                    if skipped:
                        selection = replace(
                            selection, reason=f"{selection.reason}; you skipped this version"
                        )
                    # The record first, then the state: if the log cannot be written the
                    # check fails as a whole and the rollback floor stays where it was.
                    entries.extend(self._record(
                        exchanges, f"accepted feed serial {feed.serial}: {selection.reason}"
                    ))
                    new_state = replace(state, last_serial=feed.serial, last_digest=feed.digest)
                    if new_state != state:
                        self.state.save(new_state)
            except OSError as exc:
                raise storage_error(exc, "the updater's local files") from exc
        except UpdaterError as exc:
            failed = exc.exchange if isinstance(exc, ExchangeError) else None
            if failed is not None and failed not in exchanges:
                exchanges.append(failed)
            if not entries:  # else: recorded as accepted, then the state could not be saved
                entries.extend(self._record_failure(exc, exchanges))
            raise
        available = selection.release is not None
        status = CheckStatus.UPDATE_AVAILABLE if available else CheckStatus.UP_TO_DATE
        missed: tuple[Release, ...] = ()
        if selection.release is not None:
            missed = missed_releases(
                allowed,
                current_version=self.config.version,
                offered=selection.release,
                channel=channel,
                platform=self.config.platform,
            )
        if withdrawal is not None and not replaced and selection.release is not None:
            # A newer good release exists: still say why the installed one was pulled.
            selection = replace(
                selection,
                reason=f"{selection.reason}; your version {withdrawal.version} was withdrawn "
                f"by the publisher: {withdrawal.reason}",
            )
        reason = selection.reason
        if not available and self.pinned(feed) != feed:
            reason += f" (your administrator allows versions up to {self.policy.max_version})"
        return CheckResult(
            status=status,
            current_version=self.config.version,
            reason=reason,
            release=selection.release,
            asset=selection.asset,
            feed_serial=feed.serial,
            skipped=skipped,
            entries=tuple(entries),
            missed=missed,
            withdrawn=withdrawal,
            install_problem=self.install_problem(selection.release, selection.asset),
        )

    def install_problem(self, release: Release | None, asset: Asset | None) -> str:
        """The preflight's refusal of ``asset`` here, "" if it can be installed. Pure, cheap:
        no network, nothing written, so a front end can say it before offering a download.
        """
        from glass_updater.errors import InstallError

        if asset is None:
            return ""
        try:
            self.preflight(asset, release)
        except InstallError as exc:
            return str(exc)
        return ""

    def pinned(self, feed: Feed) -> Feed:
        """The feed without releases above the administrator's ``max_version``."""
        pin = self.policy.max_version
        if pin is None:
            return feed
        from packaging.version import Version

        limit = Version(pin)
        kept = tuple(r for r in feed.releases if Version(r.version) <= limit)
        return replace(feed, releases=kept)

    def _record_failure(self, exc: UpdaterError, exchanges: list[Exchange]) -> list[LedgerEntry]:
        """Record what was sent before a failure, with the verdict; the records, for the
        outcome.

        If the log itself cannot be written the original error still wins; its message
        says the record is missing.
        """
        try:
            return self._record(exchanges, failure_outcome(exc))
        except OSError as log_error:
            exc.note_unrecorded(log_error.strerror)
            return []

    def _write_ahead(self, request: OutboundRequest) -> None:
        """Before a request's first byte: its record (completed by ``_record``).

        If it cannot be written the request is not sent: the log must list every request
        that left the machine, even when the process is killed right after sending. The
        record is written, not fsynced (see ``Ledger.begin``): it survives any death of the
        process, not a power cut in that instant.
        """
        self._pending.append((request, self.ledger.begin(request)))

    def _record(self, exchanges: list[Exchange], outcome: str) -> list[LedgerEntry]:
        recorded = []
        for i, exchange in enumerate(exchanges):
            last = i == len(exchanges) - 1
            hop = outcome if last else hop_outcome(exchange)
            pending = next((pid for req, pid in self._pending if req is exchange.request), None)
            recorded.append(self.ledger.record(exchange, hop, pending_id=pending))
        return recorded

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
        return self._client(self.user_settings()).download_request(target, max_body=asset.size)

    def install_effect(self, asset: Asset, release: Release | None = None) -> InstallEffect:
        """What installing ``asset`` will do here, so a button can say it before it happens."""
        from glass_updater.errors import InstallError

        try:
            plan = self.preflight(asset, release)
        except InstallError:
            return InstallEffect.CANNOT_REPLACE
        if plan.kind in ("appimage", "tar.gz"):
            return InstallEffect.RESTART  # replaced in place by the helper, then started
        return InstallEffect.OPEN_INSTALLER

    def _update_state(self, change: Callable[[LocalState], LocalState]) -> None:
        """Read-modify-write under the check lock, so a concurrent check's newer rollback
        floor is never overwritten with an older one."""
        try:
            with self._exclusive("check"):
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
        entries: list[LedgerEntry] = []
        try:
            verified = self._download(result, on_progress, cancel, entries)
        except UpdaterError as exc:
            return Outcome(None, exc, tuple(entries))
        return Outcome(verified, None, tuple(entries))

    def _download(
        self,
        result: CheckResult,
        on_progress: Callable[[Progress], None],
        cancel: CancelToken | None,
        entries: list[LedgerEntry],
    ) -> VerifiedFile:
        """The download itself; ``entries`` receives its records, also when it fails."""
        from glass_updater.download import Downloader
        from glass_updater.safefs import ensure_dir

        self.policy.refuse()
        if result.release is None or result.asset is None:
            raise InternalError("there is no update to download; run a check first")
        asset = result.asset
        if self.preflight_downloads:
            # Before any byte: refuse what could not be installed.
            self.preflight(asset, result.release)
        target = parse_target(asset.url, purpose="asset")  # parsed once for the download
        exchanges: list[Exchange] = []
        self._pending = []
        client = self._client(
            self.user_settings(), extra_hosts=(target.host,), on_exchange=exchanges.append
        )
        downloader = Downloader(client, staging=self.paths.cache / "downloads", limits=self.limits)
        try:
            try:
                ensure_dir(self.paths.cache)
                verified = downloader.download(
                    result.release, asset, on_progress=on_progress, cancel=cancel, target=target
                )
            except OSError as exc:
                raise storage_error(exc, "the download") from exc
        except UpdaterError as exc:
            failed = exc.exchange if isinstance(exc, ExchangeError) else None
            if failed is not None and failed not in exchanges:
                exchanges.append(failed)
            entries.extend(self._record_failure(exc, exchanges))
            raise
        try:
            entries.extend(self._record(
                exchanges, f"verified {asset.size} bytes, SHA-256 {asset.sha256[:16]}…"
            ))
        except OSError as exc:
            raise storage_error(exc, "the transmission log") from exc
        return verified

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
        from glass_updater.preflight import offered_kinds, preflight

        return preflight(
            self.config, asset, offered=offered_kinds(release, self.config.platform)
        )

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


def failure_outcome(exc: UpdaterError) -> str:
    """The history's words for a failed exchange: whose doing it was, exactly."""
    if isinstance(exc, Cancelled):
        detail = exc.message
        plain = detail in ("cancelled; the connection was closed", "cancelled")
        return "cancelled by you" if plain else f"cancelled by you: {detail}"
    if isinstance(exc, FeedError):
        return f"refused: {exc}"  # the answer came, and the client would not trust it
    return f"failed: {exc}"


def hop_outcome(exchange: Exchange) -> str:
    """The history's words for an exchange that another one followed."""
    from urllib.parse import urlsplit

    status = exchange.status
    if status in (301, 302, 303, 307, 308):
        location = exchange.header("Location") or ""
        host = urlsplit(location).hostname if "://" in location else None
        return f"redirected ({status})" + (f" to {host}" if host else "")
    asked_range = b"\r\nrange:" in exchange.request.request_bytes.lower()
    if asked_range and status == 200:
        return "server ignored resume (200); downloaded again from the start"
    if asked_range and status == 416:
        return "resume not possible (416); downloaded again from the start"
    if exchange.error:
        return f"failed: {exchange.error}; tried again"
    return f"answered {status}; tried again"


def is_skipped(release: Release | None, skipped_version: str | None) -> bool:
    """True when ``release`` is the skipped version or older (a damaged setting: False)."""
    from packaging.version import InvalidVersion, Version

    if release is None or not skipped_version:
        return False
    try:
        return Version(release.version) <= Version(skipped_version)
    except InvalidVersion:
        return False


def _require_ok(exchange: Exchange, what: str) -> None:
    if exchange.status == 200:
        return
    retry = server_text(exchange.header("Retry-After") or "", 40)
    hint = f" (it asks to retry after {retry})" if retry else ""
    reason = server_text(exchange.reason)
    raise TransportError(
        f"the {what} server answered {exchange.status}{' ' + reason if reason else ''}{hint}; "
        "nothing was changed, try again later",
        exchange=exchange,
    )
