"""The background SHA-256: same digest as hashing inline, bounded queue, clean finish."""

from __future__ import annotations

import hashlib
import threading

from glass_updater.hashing import BackgroundSha256


def test_same_digest_as_inline_hashing_including_a_resumed_prefix() -> None:
    chunks = [bytes([i]) * (300_000 + i) for i in range(20)]
    prefix = hashlib.sha256(b"resumed prefix")
    background = BackgroundSha256(prefix.copy())
    for chunk in chunks:
        background.update(chunk)
    inline = prefix.copy()
    for chunk in chunks:
        inline.update(chunk)
    assert background.finish().hexdigest() == inline.hexdigest()
    assert background.finish().hexdigest() == inline.hexdigest()  # idempotent


def test_no_thread_until_the_first_chunk_and_none_after_finish() -> None:
    before = threading.active_count()
    background = BackgroundSha256()
    assert threading.active_count() == before
    assert background.finish().hexdigest() == hashlib.sha256().hexdigest()
    background = BackgroundSha256()
    background.update(b"x" * 4096)
    assert any(t.name == "updater-sha256" for t in threading.enumerate())
    background.finish()
    assert not any(t.name == "updater-sha256" for t in threading.enumerate())


def test_the_queue_is_bounded() -> None:
    """A slow hash holds back the receiver (memory stays flat) instead of piling up chunks."""
    gate = threading.Event()
    seen: list[int] = []

    class SlowDigest:
        def update(self, chunk: bytes) -> None:
            gate.wait()
            seen.append(len(chunk))

        def hexdigest(self) -> str:
            return str(sum(seen))

    background = BackgroundSha256(SlowDigest(), depth=2)  # type: ignore[arg-type]
    fed: list[int] = []

    def feed() -> None:
        for _ in range(6):
            background.update(b"y" * 3000)
            fed.append(1)

    feeder = threading.Thread(target=feed)
    feeder.start()
    waiting = background._queue
    with waiting.not_empty:  # notified at each put: wait until two chunks wait
        assert waiting.not_empty.wait_for(lambda: len(waiting.queue) >= 2, timeout=30)
    # The worker holds chunk 1 and two wait: the feeder is stuck at its fourth chunk.
    assert waiting.maxsize == 2 and feeder.is_alive() and len(fed) <= 3
    gate.set()
    feeder.join(timeout=30)
    assert not feeder.is_alive()
    assert background.finish().hexdigest() == str(6 * 3000)
