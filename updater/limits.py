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
    # Feed
    max_feed_bytes: int = 1024 * 1024
    max_json_depth: int = 32
    max_releases: int = 1000
    max_assets_per_release: int = 64
    max_notes_chars: int = 100_000
    max_number_digits: int = 20
    # Download
    download_chunk: int = 1024 * 1024
    download_deadline: float = 6 * 3600.0
    max_download_bytes: int = 8 * 1024 * 1024 * 1024
    progress_interval: float = 0.1
    cancel_latency: float = 0.5  # socket poll interval so cancel acts within a second
    stale_partial_age: float = 24 * 3600.0
    # Ledger
    ledger_max_bytes: int = 4 * 1024 * 1024
    ledger_keep_files: int = 3


DEFAULT_LIMITS = Limits()
