"""Downloader against a fake Transport: verification, resume, restart, cleanup, errors."""

from __future__ import annotations

import errno
import json
import os
import stat
import threading
import time
from pathlib import Path
from typing import BinaryIO

import pytest
from glass_updater.download_failures import MISMATCH_MESSAGE
from glass_updater.errors import (
    BusyError,
    Cancelled,
    DiskFullError,
    StorageError,
    TransportError,
    VerificationError,
)
from glass_updater.limits import Limits
from glass_updater.locks import FileLock
from glass_updater.model import Progress
from glass_updater.resume import PartialInfo
from glass_updater.staging import file_name_for, open_part
from glass_updater.wire_types import CancelToken, Exchange

from tests.doubles import MockTransport, Response, numbered
from tests.updater.download.fakes import (
    URL,
    content_of,
    header,
    honest,
    make_asset,
    make_downloader,
    make_release,
)

SIZE = 40 * 1024


def leftovers(staging: Path) -> list[str]:
    """Partial files, sidecars and temps; a clean staging folder has none."""
    return sorted(
        p.name
        for p in staging.iterdir()
        if p.name.endswith((".part", ".part.json")) or p.name.startswith(".glass-tmp-")
    )


def finals(staging: Path) -> list[Path]:
    folders = [d for d in staging.iterdir() if d.is_dir() and d.name != ".locks"]
    return sorted(p for d in folders for p in d.iterdir())


def test_download_verifies_and_stages_privately(tmp_path: Path) -> None:
    content = content_of(SIZE)
    asset = make_asset(content)
    transport = MockTransport(honest(content))
    exchanges: list[Exchange] = []
    progress: list[Progress] = []
    staging = tmp_path / "staging"
    verified = make_downloader(transport, staging, exchanges).download(
        make_release(asset), asset, on_progress=progress.append
    )
    assert verified.path == staging / asset.sha256 / "demo-app-1.4.0.AppImage"
    assert verified.path.read_bytes() == content
    assert stat.S_IMODE(staging.stat().st_mode) == 0o700
    assert stat.S_IMODE(verified.path.parent.stat().st_mode) == 0o700
    assert leftovers(staging) == []
    assert [e.request for e in exchanges] == transport.requests
    assert header(transport.requests[0], "Range") is None
    assert header(transport.requests[0], "If-Range") is None
    assert progress[0].done == 0 and progress[-1].done == SIZE
    assert all(p.total == SIZE for p in progress)
    assert [p.done for p in progress] == sorted(p.done for p in progress)


def test_download_request_is_built_from_the_allowlist(tmp_path: Path) -> None:
    content = content_of(1000)
    asset = make_asset(content)
    transport = MockTransport(honest(content))
    make_downloader(transport, tmp_path).download(
        make_release(asset), asset, on_progress=lambda p: None
    )
    request = transport.requests[0]
    assert request.request_bytes == (
        b"GET /demo-app/demo-app-1.4.0.AppImage HTTP/1.1\r\n"
        b"Host: 127.0.0.1:8765\r\n"
        b"User-Agent: glass-updater\r\n"
        b"Accept: application/octet-stream\r\n"
        b"Accept-Encoding: identity\r\n"
        b"Connection: close\r\n\r\n"
    )
    assert request.max_body == asset.size


def test_hash_mismatch_same_size_refused_and_deleted(tmp_path: Path) -> None:
    content = content_of(SIZE)
    asset = make_asset(content)
    evil = content_of(SIZE, seed=2)
    transport = MockTransport(honest(evil))
    with pytest.raises(VerificationError) as info:
        make_downloader(transport, tmp_path).download(
            make_release(asset), asset, on_progress=lambda p: None
        )
    assert str(info.value) == MISMATCH_MESSAGE
    assert leftovers(tmp_path) == [] and finals(tmp_path) == []


def test_genuine_older_installer_refused(tmp_path: Path) -> None:
    asset = make_asset(content_of(SIZE))
    older = content_of(SIZE - 100, seed=9)  # a real, older build: shorter and different
    transport = MockTransport(honest(older))
    with pytest.raises(VerificationError, match="signed size"):
        make_downloader(transport, tmp_path).download(
            make_release(asset), asset, on_progress=lambda p: None
        )
    assert leftovers(tmp_path) == [] and finals(tmp_path) == []


def test_truncated_download_refused(tmp_path: Path) -> None:
    content = content_of(SIZE)
    asset = make_asset(content)
    short = content[: SIZE * 9 // 10]
    lying = Response(200, (("Content-Length", str(len(short))),), short)
    transport = MockTransport(lambda r: lying)
    with pytest.raises(VerificationError, match=f"{len(short)} bytes but the signed size is"):
        make_downloader(transport, tmp_path).download(
            make_release(asset), asset, on_progress=lambda p: None
        )
    assert leftovers(tmp_path) == [] and finals(tmp_path) == []


def test_connection_closed_at_90_percent_is_not_a_download(tmp_path: Path) -> None:
    content = content_of(SIZE)
    asset = make_asset(content)
    transport = MockTransport(honest(content, drop_at={0: SIZE * 9 // 10}))
    with pytest.raises(TransportError, match="closed"):
        make_downloader(transport, tmp_path).download(
            make_release(asset), asset, on_progress=lambda p: None
        )
    assert finals(tmp_path) == []  # no handoff possible; only a resumable partial remains
    info = PartialInfo.load(tmp_path / f"{asset.sha256}.part.json")
    assert info is not None and info.done == SIZE * 9 // 10


def test_overlong_stream_stops_at_size_plus_one(tmp_path: Path) -> None:
    content = content_of(SIZE)
    asset = make_asset(content)
    endless = content + content_of(SIZE, seed=3)
    transport = MockTransport(lambda r: Response(200, (), endless))
    exchanges: list[Exchange] = []
    with pytest.raises(VerificationError, match="more than the signed size"):
        make_downloader(transport, tmp_path, exchanges).download(
            make_release(asset), asset, on_progress=lambda p: None
        )
    assert transport.requests[0].max_body == SIZE
    assert exchanges[0].bytes_received <= SIZE + 1
    assert leftovers(tmp_path) == [] and finals(tmp_path) == []


def test_resume_after_drop_at_50_percent(tmp_path: Path) -> None:
    content = content_of(SIZE)
    asset = make_asset(content)
    half = SIZE // 2
    transport = MockTransport(honest(content, etag='"abc-1"', drop_at={0: half}))
    downloader = make_downloader(transport, tmp_path)
    with pytest.raises(TransportError):
        downloader.download(make_release(asset), asset, on_progress=lambda p: None)
    sidecar = json.loads((tmp_path / f"{asset.sha256}.part.json").read_bytes())
    assert sidecar == {
        "url": URL,
        "size": SIZE,
        "sha256": asset.sha256,
        "validator": '"abc-1"',
        "bytes": half,
    }
    progress: list[Progress] = []
    verified = downloader.download(make_release(asset), asset, on_progress=progress.append)
    assert verified.path.read_bytes() == content
    second = transport.requests[1]
    assert header(second, "Range") == f"bytes={half}-"
    assert header(second, "If-Range") == '"abc-1"'
    assert b"Range: bytes=20480-\r\nIf-Range: \"abc-1\"\r\n" in second.request_bytes
    assert second.max_body == SIZE - half
    assert progress[0].done == half and progress[-1].done == SIZE
    assert leftovers(tmp_path) == []


def test_resume_uses_last_modified_when_there_is_no_etag(tmp_path: Path) -> None:
    content = content_of(SIZE)
    asset = make_asset(content)
    stamp = "Tue, 24 Nov 2026 10:00:00 GMT"

    def respond(request: object, n: int) -> Response:
        if n == 0:
            return Response(200, (("Last-Modified", stamp),), content, drop_after=1000)
        rng = f"bytes 1000-{SIZE - 1}/{SIZE}"
        return Response(206, (("Last-Modified", stamp), ("Content-Range", rng)), content[1000:])

    transport = MockTransport(numbered(respond))  # type: ignore[arg-type]
    downloader = make_downloader(transport, tmp_path)
    with pytest.raises(TransportError):
        downloader.download(make_release(asset), asset, on_progress=lambda p: None)
    assert downloader.download(make_release(asset), asset, on_progress=lambda p: None)
    assert header(transport.requests[1], "If-Range") == stamp


@pytest.mark.parametrize(
    "answer",
    ["ignores-range", "wrong-start", "wrong-total", "new-etag", "range-not-satisfiable"],
)
def test_resume_restarts_when_server_ignores_range(tmp_path: Path, answer: str) -> None:
    old = content_of(SIZE, seed=5)
    content = content_of(SIZE)
    asset = make_asset(content)
    half = SIZE // 2

    def respond(request: object, n: int) -> Response:
        if n == 0:  # the first attempt drops half way, leaving a resumable partial
            return Response(200, (("ETag", '"v1"'),), content, drop_after=half)
        if n == 1:
            rest = content[half:]
            cr = {
                "wrong-start": f"bytes {half - 10}-{SIZE - 1}/{SIZE}",
                "wrong-total": f"bytes {half}-{SIZE - 1}/{SIZE + 5}",
            }
            if answer == "ignores-range":
                return Response(200, (("ETag", '"v1"'),), content)
            if answer == "new-etag":
                rng = f"bytes {half}-{SIZE - 1}/{SIZE}"
                return Response(206, (("ETag", '"v2"'), ("Content-Range", rng)), old[half:])
            if answer == "range-not-satisfiable":
                return Response(416, (("Content-Range", f"bytes */{SIZE}"),), b"")
            return Response(206, (("ETag", '"v1"'), ("Content-Range", cr[answer])), rest)
        return Response(200, (("ETag", '"v1"'),), content)

    transport = MockTransport(numbered(respond))  # type: ignore[arg-type]
    downloader = make_downloader(transport, tmp_path)
    with pytest.raises(TransportError):
        downloader.download(make_release(asset), asset, on_progress=lambda p: None)
    verified = downloader.download(make_release(asset), asset, on_progress=lambda p: None)
    assert verified.path.read_bytes() == content  # never spliced
    assert len(transport.requests) == 3
    assert header(transport.requests[1], "Range") == f"bytes={half}-"
    assert header(transport.requests[2], "Range") is None  # restarted from zero
    assert header(transport.requests[2], "If-Range") is None
    assert leftovers(tmp_path) == []


def test_poisoned_partial_deleted(tmp_path: Path) -> None:
    content = content_of(SIZE)
    asset = make_asset(content)
    transport = MockTransport(honest(content))
    downloader = make_downloader(transport, tmp_path)
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / f"{asset.sha256}.part").write_bytes(b"\x00" * 1000)  # planted by an attacker
    info = PartialInfo(URL, SIZE, asset.sha256, '"v1"', 1000)
    (tmp_path / f"{asset.sha256}.part.json").write_bytes(info.to_bytes())
    with pytest.raises(VerificationError, match="does not match the signed SHA-256"):
        downloader.download(make_release(asset), asset, on_progress=lambda p: None)
    assert header(transport.requests[0], "Range") == "bytes=1000-"
    assert leftovers(tmp_path) == [] and finals(tmp_path) == []
    verified = downloader.download(make_release(asset), asset, on_progress=lambda p: None)
    assert header(transport.requests[1], "Range") is None  # the next try is clean
    assert verified.path.read_bytes() == content


@pytest.mark.parametrize(
    "sidecar",
    [
        b"not json",
        b'{"url": "x"}',
        PartialInfo("http://127.0.0.1:1/other", SIZE, "0" * 64, '"v1"', 100).to_bytes(),
        PartialInfo(URL, SIZE + 1, "0" * 64, '"v1"', 100).to_bytes(),
        PartialInfo(URL, SIZE, "0" * 64, "W/\"weak\"", 100).to_bytes(),
    ],
    ids=["garbage", "incomplete", "other-url", "other-size", "weak-etag"],
)
def test_unusable_partial_is_discarded_not_resumed(tmp_path: Path, sidecar: bytes) -> None:
    content = content_of(SIZE)
    asset = make_asset(content)
    (tmp_path / f"{asset.sha256}.part").write_bytes(content[:100])
    fixed = sidecar.replace(b"0" * 64, asset.sha256.encode())
    (tmp_path / f"{asset.sha256}.part.json").write_bytes(fixed)
    transport = MockTransport(honest(content))
    make_downloader(transport, tmp_path).download(
        make_release(asset), asset, on_progress=lambda p: None
    )
    assert header(transport.requests[0], "Range") is None
    assert leftovers(tmp_path) == []


def test_length_on_disk_is_trusted_and_the_hash_still_guards(tmp_path: Path) -> None:
    """A kill -9 cannot update the record: the bytes on disk count, the hash decides."""
    content = content_of(SIZE)
    asset = make_asset(content)
    (tmp_path / f"{asset.sha256}.part").write_bytes(content[:4000])
    info = PartialInfo(URL, SIZE, asset.sha256, '"v1"', 0)  # written when the head arrived
    (tmp_path / f"{asset.sha256}.part.json").write_bytes(info.to_bytes())
    transport = MockTransport(honest(content))
    verified = make_downloader(transport, tmp_path).download(
        make_release(asset), asset, on_progress=lambda p: None
    )
    assert header(transport.requests[0], "Range") == "bytes=4000-"
    assert verified.path.read_bytes() == content


def test_poisoned_tail_on_disk_is_caught_by_the_hash_and_the_next_try_is_clean(
    tmp_path: Path,
) -> None:
    content = content_of(SIZE)
    asset = make_asset(content)
    (tmp_path / f"{asset.sha256}.part").write_bytes(content[:1000] + b"\xff" * 3000)
    info = PartialInfo(URL, SIZE, asset.sha256, '"v1"', 1000)
    (tmp_path / f"{asset.sha256}.part.json").write_bytes(info.to_bytes())
    transport = MockTransport(honest(content))
    downloader = make_downloader(transport, tmp_path)
    with pytest.raises(VerificationError):
        downloader.download(make_release(asset), asset, on_progress=lambda p: None)
    assert header(transport.requests[0], "Range") == "bytes=4000-"
    assert leftovers(tmp_path) == []
    verified = downloader.download(make_release(asset), asset, on_progress=lambda p: None)
    assert header(transport.requests[1], "Range") is None
    assert verified.path.read_bytes() == content


class _FullDisk:
    """A file wrapper that fails with ENOSPC once ``room`` bytes have been written."""

    def __init__(self, path: Path, room: int, code: int) -> None:
        self.fh = open_part(path)
        self.room = room
        self.code = code

    def write(self, data: bytes) -> int:
        if len(data) > self.room:
            raise OSError(self.code, os.strerror(self.code))
        self.room -= len(data)
        return self.fh.write(data)

    def __getattr__(self, name: str) -> object:
        return getattr(self.fh, name)

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.fh.close()


FULL_CODES = [errno.ENOSPC, *([errno.EDQUOT] if hasattr(errno, "EDQUOT") else [])]


@pytest.mark.parametrize("code", FULL_CODES)
def test_disk_full_reports_and_cleans(tmp_path: Path, code: int) -> None:
    content = content_of(3 * 1024 * 1024 + 17)
    asset = make_asset(content)
    transport = MockTransport(honest(content), chunk=64 * 1024)

    def opener(path: Path) -> BinaryIO:
        return _FullDisk(path, room=SIZE, code=code)  # type: ignore[return-value]

    exchanges: list[Exchange] = []
    downloader = make_downloader(transport, tmp_path, exchanges, opener=opener)
    with pytest.raises(DiskFullError) as info:
        downloader.download(make_release(asset), asset, on_progress=lambda p: None)
    assert str(info.value).startswith(
        f"not enough disk space to download {file_name_for(asset)} (need 4 MB"
    )
    assert str(info.value).endswith("free some space and try again")
    assert leftovers(tmp_path) == [] and finals(tmp_path) == []
    assert len(transport.requests) == 1
    # The transfer was stopped through the transport, so the ledger still gets it.
    assert [e.request for e in exchanges] == transport.requests
    assert exchanges[0].bytes_received < asset.size


def test_not_enough_free_space_is_refused_before_sending(tmp_path: Path) -> None:
    asset = make_asset(b"x")
    huge = type(asset)(asset.platform, asset.kind, asset.url, 2**60, asset.sha256)
    transport = MockTransport(honest(b"x"))
    limits = Limits(max_download_bytes=2**62)
    with pytest.raises(DiskFullError, match="not enough disk space"):
        make_downloader(transport, tmp_path, limits=limits).download(
            make_release(huge), huge, on_progress=lambda p: None
        )
    assert transport.requests == []


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (404, (), "was not found on the server (HTTP 404 Not Found)"),
        (500, (), "could not send demo-app-1.4.0.AppImage (HTTP 500 Not Found); try again later"),
        (503, (("Retry-After", "120"),), "it asks to try again after 120 seconds"),
        (
            503,
            (("Retry-After", "Wed, 25 Nov 2026 10:00:00 GMT"),),
            "try again after Wed, 25 Nov 2026 10:00:00 GMT",
        ),
    ],
)
def test_http_errors_are_clear_and_never_retried(
    tmp_path: Path, status: int, headers: tuple[tuple[str, str], ...], expected: str
) -> None:
    asset = make_asset(content_of(SIZE))
    reply = Response(status, headers, b"<html>oops</html>", reason="Not Found")
    transport = MockTransport(lambda r: reply)
    exchanges: list[Exchange] = []
    with pytest.raises(TransportError) as info:
        make_downloader(transport, tmp_path, exchanges).download(
            make_release(asset), asset, on_progress=lambda p: None
        )
    assert expected in str(info.value)
    assert "\n" not in str(info.value)
    assert info.value.exchange is not None and info.value.exchange.status == status
    assert len(transport.requests) == 1 and len(exchanges) == 1  # no retry storm
    assert leftovers(tmp_path) == [] and finals(tmp_path) == []


def test_http_error_during_resume_keeps_the_partial(tmp_path: Path) -> None:
    content = content_of(SIZE)
    asset = make_asset(content)

    def respond(request: object, n: int) -> Response:
        if n == 0:
            return Response(200, (("ETag", '"v1"'),), content, drop_after=5000)
        if n == 1:
            return Response(503, (("Retry-After", "5"),), b"busy " * 50)
        return honest(content)(request)  # type: ignore[arg-type]

    transport = MockTransport(numbered(respond))  # type: ignore[arg-type]
    downloader = make_downloader(transport, tmp_path)
    for _ in range(2):
        with pytest.raises(TransportError):
            downloader.download(make_release(asset), asset, on_progress=lambda p: None)
    verified = downloader.download(make_release(asset), asset, on_progress=lambda p: None)
    assert header(transport.requests[2], "Range") == "bytes=5000-"
    assert verified.path.read_bytes() == content


def test_cancel_leaves_resumable_partial(tmp_path: Path) -> None:
    content = content_of(SIZE)
    asset = make_asset(content)
    transport = MockTransport(honest(content))
    cancel = CancelToken()

    def on_progress(p: Progress) -> None:
        if p.done >= 10_000:
            cancel.cancel()

    downloader = make_downloader(transport, tmp_path)
    with pytest.raises(Cancelled):
        downloader.download(make_release(asset), asset, on_progress=on_progress, cancel=cancel)
    info = PartialInfo.load(tmp_path / f"{asset.sha256}.part.json")
    assert info is not None and info.validator == '"v1"' and 10_000 <= info.done < SIZE
    assert (tmp_path / f"{asset.sha256}.part").stat().st_size == info.done
    verified = downloader.download(make_release(asset), asset, on_progress=lambda p: None)
    assert header(transport.requests[1], "Range") == f"bytes={info.done}-"
    assert verified.path.read_bytes() == content


def test_cancel_before_any_byte_leaves_nothing(tmp_path: Path) -> None:
    asset = make_asset(content_of(SIZE))
    cancel = CancelToken()
    cancel.cancel()
    transport = MockTransport(honest(content_of(SIZE)))
    with pytest.raises(Cancelled):
        make_downloader(transport, tmp_path).download(
            make_release(asset), asset, on_progress=lambda p: None, cancel=cancel
        )
    assert leftovers(tmp_path) == [] and finals(tmp_path) == []


def test_verified_download_is_reused_without_network(tmp_path: Path) -> None:
    content = content_of(SIZE)
    asset = make_asset(content)
    transport = MockTransport(honest(content))
    downloader = make_downloader(transport, tmp_path)
    first = downloader.download(make_release(asset), asset, on_progress=lambda p: None)
    progress: list[Progress] = []
    again = downloader.download(make_release(asset), asset, on_progress=progress.append)
    assert again.path == first.path
    assert len(transport.requests) == 1
    assert progress == [Progress(SIZE, SIZE, 0.0, 0.0)]


def test_damaged_staged_file_is_downloaded_again(tmp_path: Path) -> None:
    content = content_of(SIZE)
    asset = make_asset(content)
    transport = MockTransport(honest(content))
    downloader = make_downloader(transport, tmp_path)
    first = downloader.download(make_release(asset), asset, on_progress=lambda p: None)
    first.path.write_bytes(b"tampered" + content[8:])
    again = downloader.download(make_release(asset), asset, on_progress=lambda p: None)
    assert again.path.read_bytes() == content
    assert len(transport.requests) == 2


def test_second_download_is_busy(tmp_path: Path) -> None:
    content = content_of(SIZE)
    asset = make_asset(content)
    transport = MockTransport(honest(content))
    entered, release = threading.Event(), threading.Event()

    def hold(received: int) -> None:
        if received == 1024:
            entered.set()
            assert release.wait(10)

    transport.on_chunk = hold
    downloader = make_downloader(transport, tmp_path)
    result: list[object] = []
    worker = threading.Thread(
        target=lambda: result.append(
            downloader.download(make_release(asset), asset, on_progress=lambda p: None)
        ),
        daemon=True,
    )
    worker.start()
    assert entered.wait(10)
    other = make_downloader(MockTransport(honest(content)), tmp_path)
    with pytest.raises(BusyError, match="in progress"):
        other.download(make_release(asset), asset, on_progress=lambda p: None)
    assert len(transport.requests) == 1
    release.set()
    worker.join(10)
    assert result and (tmp_path / asset.sha256 / file_name_for(asset)).read_bytes() == content


def test_lock_held_by_another_holder_refuses_at_once(tmp_path: Path) -> None:
    asset = make_asset(content_of(10))
    transport = MockTransport(honest(content_of(10)))
    downloader = make_downloader(transport, tmp_path)
    downloader.download(make_release(asset), asset, on_progress=lambda p: None)
    (tmp_path / asset.sha256 / file_name_for(asset)).unlink()
    with FileLock(tmp_path / ".locks" / f"{asset.sha256}.lock"), pytest.raises(BusyError):
        downloader.download(make_release(asset), asset, on_progress=lambda p: None)
    assert len(transport.requests) == 1


def test_stale_partials_and_temps_are_swept(tmp_path: Path) -> None:
    content = content_of(100)
    asset = make_asset(content)
    old = time.time() - 3 * 24 * 3600
    stale = [tmp_path / f"{'a' * 64}.part", tmp_path / f"{'a' * 64}.part.json"]
    stale.append(tmp_path / ".glass-tmp-abandoned")
    fresh = tmp_path / f"{'b' * 64}.part"
    for path in [*stale, fresh]:
        path.write_bytes(b"junk")
    for path in stale:
        os.utime(path, (old, old))
    make_downloader(MockTransport(honest(content)), tmp_path).download(
        make_release(asset), asset, on_progress=lambda p: None
    )
    assert [p for p in stale if p.exists()] == []
    assert fresh.exists()  # someone else's download in progress is left alone


def test_stale_partial_of_a_running_download_is_kept(tmp_path: Path) -> None:
    content = content_of(100)
    asset = make_asset(content)
    other = "c" * 64
    busy_part = tmp_path / f"{other}.part"
    tmp_path.joinpath(".locks").mkdir(parents=True)
    busy_part.write_bytes(b"junk")
    old = time.time() - 3 * 24 * 3600
    os.utime(busy_part, (old, old))
    with FileLock(tmp_path / ".locks" / f"{other}.lock"):
        make_downloader(MockTransport(honest(content)), tmp_path).download(
            make_release(asset), asset, on_progress=lambda p: None
        )
    assert busy_part.exists()


def test_progress_is_throttled_with_smoothed_rate_and_eta(tmp_path: Path) -> None:
    content = content_of(SIZE)
    asset = make_asset(content)
    now = [0.0]

    def clock() -> float:
        now[0] += 0.01  # 1 KiB chunks every 10 ms: 100 KiB/s
        return now[0]

    progress: list[Progress] = []
    limits = Limits(download_chunk=4096, progress_interval=0.1)
    make_downloader(MockTransport(honest(content)), tmp_path, limits=limits, clock=clock).download(
        make_release(asset), asset, on_progress=progress.append
    )
    assert 3 <= len(progress) <= SIZE // 1024 // 10 + 3  # about one per 100 ms, not per chunk
    middle = progress[len(progress) // 2]
    assert middle.rate == pytest.approx(1024 / 0.01, rel=0.2)
    assert middle.eta == pytest.approx((SIZE - middle.done) / middle.rate)
    assert progress[-1].done == SIZE and progress[-1].eta == 0.0


@pytest.mark.parametrize("sha", ["", "../../etc", "A" * 64, "0" * 63])
def test_asset_with_invalid_hash_is_refused_before_any_request(tmp_path: Path, sha: str) -> None:
    asset = make_asset(b"abc")
    bad = type(asset)(asset.platform, asset.kind, asset.url, asset.size, sha)
    transport = MockTransport(honest(b"abc"))
    with pytest.raises(VerificationError):
        make_downloader(transport, tmp_path).download(
            make_release(bad), bad, on_progress=lambda p: None
        )
    assert transport.requests == []


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://h.example/a/demo-1.4.0.AppImage", "demo-1.4.0.AppImage"),
        ("https://h.example/a/..%2F..%2Fetc%2Fpasswd", "_.._etc_passwd"),
        ("https://h.example/a/.hidden", "hidden"),
        ("https://h.example/", "download.appimage"),
        ("https://h.example/a/my%20app.deb", "my_app.deb"),
    ],
)
def test_file_name_never_escapes_the_staging_folder(url: str, name: str) -> None:
    assert file_name_for(make_asset(b"x", url=url)) == name


def test_a_resume_answered_from_zero_restarts_at_the_head_and_never_splices(
    tmp_path: Path,
) -> None:
    content = content_of(SIZE)
    asset = make_asset(content)
    half = SIZE // 2

    def respond(request: object, n: int) -> Response:
        if n == 0:
            return Response(200, (("ETag", '"v1"'),), content, drop_after=half)
        return Response(200, (("ETag", '"v1"'),), content)  # ignores Range: bytes from zero

    transport = MockTransport(numbered(respond))  # type: ignore[arg-type]
    downloader = make_downloader(transport, tmp_path)
    with pytest.raises(TransportError):
        downloader.download(make_release(asset), asset, on_progress=lambda p: None)
    cancel = CancelToken()
    transport.on_chunk = lambda received: cancel.cancel() if received >= 3072 else None
    with pytest.raises(Cancelled):
        downloader.download(make_release(asset), asset, on_progress=lambda p: None, cancel=cancel)
    info = PartialInfo.load(tmp_path / f"{asset.sha256}.part.json")
    part = tmp_path / f"{asset.sha256}.part"
    # The 200 was refused at its head (no byte of it written after the old prefix); the
    # fresh request from zero was then cancelled: its bytes, from zero, are what is kept.
    assert header(transport.requests[1], "Range") == f"bytes={half}-"
    assert header(transport.requests[2], "Range") is None
    assert info is not None and info.done == 3072
    assert part.read_bytes() == content[:3072]


def test_unusable_staging_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "staging"
    blocker.write_bytes(b"a file where the folder should be")
    asset = make_asset(content_of(100))
    transport = MockTransport(honest(content_of(100)))
    with pytest.raises(StorageError, match="cannot use the download folder"):
        make_downloader(transport, blocker).download(
            make_release(asset), asset, on_progress=lambda p: None
        )
    assert transport.requests == []


def test_existing_staging_folder_is_made_private(tmp_path: Path) -> None:
    staging = tmp_path / "staging"
    staging.mkdir(mode=0o755)
    staging.chmod(0o755)
    content = content_of(100)
    asset = make_asset(content)
    make_downloader(MockTransport(honest(content)), staging).download(
        make_release(asset), asset, on_progress=lambda p: None
    )
    assert stat.S_IMODE(staging.stat().st_mode) == 0o700


def test_disk_full_with_a_transport_that_ignores_the_abort(tmp_path: Path) -> None:
    content = content_of(SIZE)
    asset = make_asset(content)
    transport = MockTransport(honest(content))
    transport.honours_cancel = False
    written: list[int] = []
    transport.on_chunk = written.append

    def opener(path: Path) -> BinaryIO:
        return _FullDisk(path, room=4096, code=errno.ENOSPC)  # type: ignore[return-value]

    with pytest.raises(DiskFullError):
        make_downloader(transport, tmp_path, opener=opener).download(
            make_release(asset), asset, on_progress=lambda p: None
        )
    assert written == [1024, 2048, 3072, 4096, 5120]  # the 5th failed, the 6th was refused
    assert leftovers(tmp_path) == []
