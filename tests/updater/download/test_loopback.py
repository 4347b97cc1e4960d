"""Downloader + the real HttpTransport against misbehaving servers on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from glass_updater.allowlist import load_allowlist
from glass_updater.client import Client
from glass_updater.download import Downloader
from glass_updater.errors import Cancelled, DiskFullError, TransportError, VerificationError
from glass_updater.limits import Limits
from glass_updater.model import Asset, Progress, VerifiedFile
from glass_updater.resume import PartialInfo
from glass_updater.transport.http import HttpTransport
from glass_updater.wire_types import CancelToken, Exchange

from tests.loopback import Head, LoopbackServer, Reply, ranged
from tests.updater.download.fakes import content_of, make_asset, make_release

pytestmark = pytest.mark.loopback

Plan = Callable[[Head], Reply]
CLOSE = (("Connection", "close"),)  # the fault server's answers end with the connection

SIZE = 64 * 1024
LIMITS = Limits(
    connect_timeout=5.0,
    read_timeout=5.0,
    deadline=20.0,
    download_chunk=1024 * 1024,
    progress_interval=0.0,
)


class Rig:
    """One server, one downloader, and the exchanges the ledger would have received."""

    def __init__(
        self, tmp_path: Path, plan: Plan, limits: Limits = LIMITS, staging: Path | None = None
    ) -> None:
        self.server = LoopbackServer(plan)
        self.server.start()
        self.exchanges: list[Exchange] = []
        self.staging = staging or tmp_path / "staging"
        transport = HttpTransport(limits)
        client = Client(
            load_allowlist(),
            transport=lambda: transport,
            proxy="none",
            on_exchange=self.exchanges.append,
        )
        self.downloader = Downloader(client, staging=self.staging, limits=limits)

    def asset(self, content: bytes, path: str = "/demo-app/demo-app-1.4.0.AppImage") -> Asset:
        return replace(make_asset(content), url=self.server.url(path))

    def download(
        self,
        asset: Asset,
        cancel: CancelToken | None = None,
        on_progress: object = None,
    ) -> VerifiedFile:
        report = on_progress if callable(on_progress) else (lambda p: None)
        return self.downloader.download(
            make_release(asset), asset, on_progress=report, cancel=cancel
        )

    def leftovers(self) -> list[str]:
        return sorted(
            p.name
            for p in self.staging.iterdir()
            if p.name.endswith((".part", ".part.json")) or p.name.startswith(".glass-tmp-")
        )

    def finals(self) -> list[Path]:
        dirs = [d for d in self.staging.iterdir() if d.is_dir() and d.name != ".locks"]
        return [p for d in dirs for p in d.iterdir()]

    def assert_sent_equals_read(self) -> None:
        """What the ledger records as sent is what the server read, byte for byte."""
        assert len(self.exchanges) == len(self.server.heads)
        for exchange, head in zip(self.exchanges, self.server.heads, strict=True):
            assert b"".join(t.data for t in exchange.sent) == head.raw


@pytest.fixture
def rigs(tmp_path: Path) -> Iterator[list[Rig]]:
    made: list[Rig] = []
    yield made
    for rig in made:
        rig.server.stop()


def rig_for(
    rigs: list[Rig],
    tmp_path: Path,
    plan: Plan,
    limits: Limits = LIMITS,
    staging: Path | None = None,
) -> Rig:
    rig = Rig(tmp_path, plan, limits, staging)
    rigs.append(rig)
    return rig


def test_loopback_download_records_exactly_what_the_server_read(
    tmp_path: Path, rigs: list[Rig]
) -> None:
    content = content_of(SIZE)
    rig = rig_for(rigs, tmp_path, lambda head: ranged(content, head))
    verified = rig.download(rig.asset(content))
    assert verified.path.read_bytes() == content
    rig.assert_sent_equals_read()
    assert rig.server.heads[0].get("Range") is None
    assert rig.exchanges[0].status == 200 and rig.exchanges[0].bytes_received == SIZE
    assert rig.leftovers() == []


def test_loopback_hash_mismatch_same_size_refused_and_deleted(
    tmp_path: Path, rigs: list[Rig]
) -> None:
    content = content_of(SIZE)
    wrong = content_of(SIZE, seed=7)
    rig = rig_for(rigs, tmp_path, lambda head: ranged(wrong, head))
    with pytest.raises(VerificationError, match="does not match the signed SHA-256"):
        rig.download(rig.asset(content))
    assert rig.leftovers() == [] and rig.finals() == []
    rig.assert_sent_equals_read()


def test_loopback_truncated_download_refused(tmp_path: Path, rigs: list[Rig]) -> None:
    content = content_of(SIZE)
    short = content[: SIZE * 9 // 10]

    def plan(head: Head) -> Reply:  # claims the short length, then ends
        return Reply(200, headers=(("Content-Length", str(len(short))), *CLOSE), body=short)

    rig = rig_for(rigs, tmp_path, plan)
    with pytest.raises(VerificationError, match="signed size"):
        rig.download(rig.asset(content))
    assert rig.leftovers() == [] and rig.finals() == []


def test_loopback_close_at_90_percent_leaves_no_file_to_hand_off(
    tmp_path: Path, rigs: list[Rig]
) -> None:
    content = content_of(SIZE)
    rig = rig_for(rigs, tmp_path, lambda h: ranged(content, h, truncate_at=SIZE * 9 // 10))
    with pytest.raises(TransportError, match="closed the connection"):
        rig.download(rig.asset(content))
    assert rig.finals() == []
    rig.assert_sent_equals_read()


@pytest.mark.parametrize("announce", [False, True], ids=["no-length", "length-lies"])
def test_loopback_overlong_stream_stops_at_size_plus_one(
    tmp_path: Path, rigs: list[Rig], announce: bool
) -> None:
    content = content_of(SIZE)
    endless = content + content_of(4 * SIZE, seed=4)
    headers = (("Content-Length", str(len(endless))),) if announce else ()
    rig = rig_for(
        rigs, tmp_path, lambda h: Reply(200, headers=(*headers, *CLOSE), body=endless,
                                        add_length=False)
    )
    with pytest.raises(VerificationError, match="more than the signed size"):
        rig.download(rig.asset(content))
    assert rig.exchanges[0].bytes_received <= SIZE + 1
    assert rig.leftovers() == [] and rig.finals() == []


@pytest.mark.parametrize("percent", [10, 50, 90])
def test_resume_after_drop_at_50_percent(
    tmp_path: Path, rigs: list[Rig], percent: int
) -> None:
    content = content_of(SIZE)
    cut = SIZE * percent // 100

    def plan(head: Head) -> Reply:
        return ranged(content, head, etag='"e-1"', truncate_at=cut if head.number == 0 else None)

    rig = rig_for(rigs, tmp_path, plan)
    asset = rig.asset(content)
    with pytest.raises(TransportError):
        rig.download(asset)
    info = PartialInfo.load(rig.staging / f"{asset.sha256}.part.json")
    assert info is not None and info.done == cut and info.validator == '"e-1"'
    verified = rig.download(asset)
    assert verified.path.read_bytes() == content
    assert rig.server.heads[1].get("Range") == f"bytes={cut}-"
    assert rig.server.heads[1].get("If-Range") == '"e-1"'
    assert rig.exchanges[1].status == 206 and rig.exchanges[1].bytes_received == SIZE - cut
    rig.assert_sent_equals_read()
    assert rig.leftovers() == []


@pytest.mark.parametrize("fault", ["ignores-range", "ignores-if-range", "wrong-content-range"])
def test_resume_restarts_when_server_ignores_range(
    tmp_path: Path, rigs: list[Rig], fault: str
) -> None:
    content = content_of(SIZE)
    half = SIZE // 2

    def plan(head: Head) -> Reply:
        if head.number == 0:
            return ranged(content, head, truncate_at=half)
        n = head.number
        if n == 1 and fault == "ignores-range":
            return ranged(content, head, honour_range=False)
        if n == 1 and fault == "ignores-if-range":  # redeployed: new ETag, If-Range ignored
            return ranged(content, head, etag='"v2"', honour_if_range=False)
        if n == 1:
            answer = ranged(content, head)
            bad = tuple(
                (k, f"bytes 0-{SIZE - 1}/{SIZE}" if k == "Content-Range" else v)
                for k, v in answer.headers
            )
            return replace(answer, headers=bad)
        return ranged(content, head)

    rig = rig_for(rigs, tmp_path, plan)
    asset = rig.asset(content)
    with pytest.raises(TransportError):
        rig.download(asset)
    verified = rig.download(asset)
    assert verified.path.read_bytes() == content  # never spliced
    assert [h.get("Range") for h in rig.server.heads] == [None, f"bytes={half}-", None]
    rig.assert_sent_equals_read()
    assert rig.leftovers() == []


def test_file_changed_between_attempts_is_never_spliced(tmp_path: Path, rigs: list[Rig]) -> None:
    signed = content_of(SIZE)
    replaced = content_of(SIZE, seed=8)  # the server now has another file (new ETag)

    def plan(head: Head) -> Reply:
        if head.number == 0:
            return ranged(signed, head, etag='"v1"', truncate_at=SIZE // 2)
        return ranged(replaced, head, etag='"v2"')

    rig = rig_for(rigs, tmp_path, plan)
    asset = rig.asset(signed)
    with pytest.raises(TransportError):
        rig.download(asset)
    with pytest.raises(VerificationError):
        rig.download(asset)
    assert rig.server.heads[1].get("If-Range") == '"v1"'
    assert rig.exchanges[1].status == 200  # the server saw the change and sent it whole
    assert rig.leftovers() == [] and rig.finals() == []


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (404, (), "not found on the server (HTTP 404 Not Found)"),
        (500, (), "(HTTP 500 Internal Server Error); try again later"),
        (503, (("Retry-After", "3600"),), "try again after 3600 seconds"),
    ],
)
def test_loopback_http_errors_no_retry_storm(
    tmp_path: Path,
    rigs: list[Rig],
    status: int,
    headers: tuple[tuple[str, str], ...],
    expected: str,
) -> None:
    reasons = {404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable"}
    body = b"<h1>error</h1>"
    answer = Reply(
        status, reasons[status], (*headers, ("Content-Length", str(len(body))), *CLOSE), body
    )
    rig = rig_for(rigs, tmp_path, lambda h: answer)
    with pytest.raises(TransportError) as info:
        rig.download(rig.asset(content_of(SIZE)))
    assert expected in str(info.value)
    assert len(rig.server.heads) == 1  # asked once, not retried
    assert rig.leftovers() == [] and rig.finals() == []
    rig.assert_sent_equals_read()


def test_redirect_is_followed_and_every_hop_recorded(tmp_path: Path, rigs: list[Rig]) -> None:
    content = content_of(SIZE)

    def plan(head: Head) -> Reply:
        if head.target == "/old/demo.AppImage":
            return Reply(302, "Found", (("Location", "/new/demo.AppImage"), *CLOSE),
                         add_length=False)
        return ranged(content, head)

    rig = rig_for(rigs, tmp_path, plan)
    verified = rig.download(rig.asset(content, "/old/demo.AppImage"))
    assert verified.path.read_bytes() == content
    assert [h.target for h in rig.server.heads] == ["/old/demo.AppImage", "/new/demo.AppImage"]
    assert [e.status for e in rig.exchanges] == [302, 200]
    rig.assert_sent_equals_read()


def test_cancel_during_a_slow_drip_acts_within_a_second(tmp_path: Path, rigs: list[Rig]) -> None:
    content = content_of(SIZE)
    limits = replace(LIMITS, cancel_latency=0.1, download_chunk=1024)

    def plan(head: Head) -> Reply:
        answer = ranged(content, head)
        return replace(answer, drip=0.02, piece=1024) if head.number == 0 else answer

    rig = rig_for(rigs, tmp_path, plan, limits)
    asset = rig.asset(content)
    cancel = CancelToken()
    started = threading.Event()
    outcome: list[BaseException] = []

    def on_progress(p: Progress) -> None:
        if p.done >= 4096:
            started.set()

    def run() -> None:
        try:
            rig.download(asset, cancel=cancel, on_progress=on_progress)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    assert started.wait(10)
    cancel.cancel()
    worker.join(1.0)
    assert not worker.is_alive(), "cancel did not act within a second"
    assert outcome and isinstance(outcome[0], Cancelled)
    info = PartialInfo.load(rig.staging / f"{asset.sha256}.part.json")
    assert info is not None and 4096 <= info.done < SIZE  # resumable
    verified = rig.download(asset)
    assert verified.path.read_bytes() == content
    assert rig.server.heads[1].get("Range") == f"bytes={info.done}-"


def test_drip_feed_is_aborted_by_the_minimum_throughput(tmp_path: Path, rigs: list[Rig]) -> None:
    content = content_of(SIZE)
    limits = replace(
        LIMITS, min_throughput=100_000, throughput_grace=0.3, cancel_latency=0.1, deadline=5.0
    )

    def plan(head: Head) -> Reply:
        return replace(ranged(content, head), drip=0.02, piece=64)

    rig = rig_for(rigs, tmp_path, plan, limits)
    with pytest.raises(TransportError):
        rig.download(rig.asset(content))
    assert rig.finals() == []


@pytest.mark.slow
def test_mib_scale_download_keeps_memory_flat(tmp_path: Path, rigs: list[Rig]) -> None:
    content = content_of(16 * 1024 * 1024)
    rig = rig_for(rigs, tmp_path, lambda h: ranged(content, h))
    asset = rig.asset(content)
    tracemalloc.start()
    try:
        verified = rig.download(asset)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert verified.path.stat().st_size == len(content)
    assert peak < 6 * 1024 * 1024  # a few 1 MiB chunks in flight, never the whole file


@pytest.mark.skipif(
    sys.platform != "linux" or os.geteuid() != 0, reason="needs root to mount a tiny tmpfs"
)
def test_disk_full_reports_and_cleans(tmp_path: Path, rigs: list[Rig]) -> None:
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(small)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        content = content_of(768 * 1024)

        def plan(head: Head) -> Reply:
            (small / "filler").write_bytes(bytes(512 * 1024))  # the disk fills up meanwhile
            return ranged(content, head)

        rig = rig_for(rigs, tmp_path, plan, staging=small / "staging")
        with pytest.raises(DiskFullError, match=r"not enough disk space .* \(need 1 MB"):
            rig.download(rig.asset(content))
        assert rig.leftovers() == [] and rig.finals() == []
        rig.assert_sent_equals_read()  # stopped through the transport: still in the ledger
        assert rig.exchanges[0].error is not None
    finally:
        for rig in rigs:
            rig.server.stop()
        subprocess.run(["umount", str(small)], capture_output=True, check=False)
