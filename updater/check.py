"""The update check: fetch the feed, verify it, decide what to offer, record what was sent.

Local state changes only after the feed is trusted, and only after its record is written:
if the log cannot be written the check fails as a whole and the rollback floor stays
where it was. The settings are read once, at the start; the client (``client.Client``)
sends the request and follows redirects, the recording (``recording.Recording``) writes
each request's record before its first byte, ``feed.verify_feed`` decides trust and
``decision.decide`` what it means here.
"""

from __future__ import annotations

from dataclasses import replace

from glass_updater.atomic import sweep_temps
from glass_updater.errors import TransportError, storage_error
from glass_updater.ledger import LedgerEntry
from glass_updater.model import CheckResult, CheckStatus
from glass_updater.operation import Facade
from glass_updater.printable import printable
from glass_updater.reasons import words
from glass_updater.recording import Recording
from glass_updater.settings import UserSettings
from glass_updater.wire_types import CancelToken, Exchange, OutboundRequest


def run_check(
    updater: Facade,
    cancel: CancelToken | None,
    request: OutboundRequest | None,
    entries: list[LedgerEntry],
    settings: UserSettings | None = None,
) -> CheckResult:
    """Fetch, verify and decide; ``entries`` receives the records, also when it fails.

    ``request`` is the preview the user approved, if a front end asked, and ``settings``
    the snapshot it was built with; else they are read and built here.
    """
    from glass_updater.decision import decide
    from glass_updater.feed import verify_feed

    updater.policy.refuse()  # before anything else: no lock, no socket, no lookup
    if settings is None:
        settings = updater.user_settings()  # read once: the whole check uses this snapshot
    recording = Recording(updater.ledger)
    client = updater.client_for(settings, recording)
    request = request or client.check_request(
        updater.config, max_body=updater.limits.max_feed_bytes
    )
    with recording.failures(entries):
        try:
            with updater.exclusive("check"):
                # Temps a killed process left (threat 36); the grace period spares a
                # settings save that another process may be doing right now.
                sweep_temps(updater.paths.state, older_than=updater.limits.stale_temp_age)
                # Read first: a planted state file is refused before anything is sent.
                state = updater.state.load()
                final = client.send(request, cancel=cancel)
                _require_ok(final, "update feed")
                feed = verify_feed(
                    final.body,
                    trusted_keys=updater.config.trusted_keys,
                    product=updater.config.product_id,
                    now=updater.now(),
                    floor=updater.state.floor(state),
                    limits=updater.limits,
                )
                decision = decide(
                    feed,
                    updater.config,
                    channel=settings.channel or updater.config.channel,
                    skipped_version=state.skipped_version,
                    max_version=updater.policy.max_version,
                )
                # The record first, then the state: if the log cannot be written the
                # check fails as a whole and the rollback floor stays where it was.
                entries.extend(recording.record(
                    f"accepted feed serial {feed.serial}: {words(decision.recorded)}"
                ))
                new_state = replace(state, last_serial=feed.serial, last_digest=feed.digest)
                if new_state != state:
                    updater.state.save(new_state)
        except OSError as exc:
            raise storage_error(exc, "the updater's local files") from exc
    available = decision.release is not None
    return CheckResult(
        status=CheckStatus.UPDATE_AVAILABLE if available else CheckStatus.UP_TO_DATE,
        current_version=updater.config.version,
        why=decision.reason,
        release=decision.release,
        asset=decision.asset,
        feed_serial=feed.serial,
        skipped=decision.skipped,
        entries=tuple(entries),
        missed=decision.missed,
        withdrawn=decision.withdrawn,
        install_problem=updater.install_problem(decision.release, decision.asset),
    )


def _require_ok(exchange: Exchange, what: str) -> None:
    if exchange.status == 200:
        return
    retry = printable(exchange.header("Retry-After") or "", ascii_only=True, limit=40)
    hint = f" (it asks to retry after {retry})" if retry else ""
    reason = printable(exchange.reason, ascii_only=True, limit=60)
    raise TransportError(
        f"the {what} server answered {exchange.status}{' ' + reason if reason else ''}{hint}; "
        "nothing was changed, try again later",
        exchange=exchange,
    )
