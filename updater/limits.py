"""Every numeric limit of the client in one place (as python-tuf's UpdaterConfig)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    # Network
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 60.0  # whole check, seconds
    min_throughput: int = 1024  # bytes/s averaged after the grace period
    throughput_grace: float = 5.0  # seconds before min_throughput applies
    max_redirects: int = 5
    max_header_bytes: int = 64 * 1024
    error_body_cap: int = 64 * 1024  # a non-2xx body is kept (for the log) up to this size
    buffer_chunk: int = 64 * 1024  # read size for a body kept in memory (feed, error page)
    max_url_chars: int = 2048  # a longer URL (config, feed, redirect) is refused
    # Feed
    max_feed_bytes: int = 1024 * 1024
    max_json_depth: int = 32
    max_releases: int = 1000
    max_assets_per_release: int = 64
    max_notes_chars: int = 100_000  # longer notes make the feed malformed (refused)
    # What a dialog shows of notes before "(shortened)": a feed may carry a long changelog,
    # but rendering 100,000 characters of Markdown stalls the dialog and no one reads it.
    shown_notes_chars: int = 20_000
    max_reason_chars: int = 1000  # a withdrawal's reason, shown verbatim on one line
    max_signatures: int = 16  # signatures on one feed envelope
    max_number_digits: int = 20
    # Download
    download_chunk: int = 1024 * 1024
    download_deadline: float = 6 * 3600.0
    max_download_bytes: int = 8 * 1024 * 1024 * 1024
    progress_interval: float = 0.1
    cancel_latency: float = 0.5  # socket poll interval so cancel acts within a second
    stale_partial_age: float = 24 * 3600.0
    max_record_bytes: int = 4096  # a partial download's resume record
    # Local files
    stale_temp_age: float = 60.0  # an atomic-write temp older than this belongs to a dead process
    max_settings_bytes: int = 64 * 1024
    max_state_bytes: int = 64 * 1024
    max_policy_bytes: int = 256 * 1024
    max_bundle_manifest_bytes: int = 4096  # an offline bundle's manifest.json
    max_bundle_members: int = 66  # files in an offline bundle (feed, manifest, 64 assets)
    file_chunk: int = 1024 * 1024  # read size when hashing or copying a local file
    hash_queue_depth: int = 3  # chunks waiting for the hashing thread: 3 MiB of 1 MiB chunks
    # Install
    install_wait: float = 120.0  # how long the install helper waits for the app to quit
    start_grace: float = 10.0  # a relaunched version that lives this long has "started"
    # Ledger
    ledger_max_bytes: int = 4 * 1024 * 1024
    ledger_keep_files: int = 3


DEFAULT_LIMITS = Limits()
