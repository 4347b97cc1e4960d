"""SHA-256 on its own thread, so hashing one chunk overlaps receiving and writing the next.

On loopback a verified download is bound by SHA-256 (docs/performance.md). hashlib
releases the GIL while it hashes a buffer larger than 2 KiB, as recv_into and file
writes do, so with the hash on a second thread the download costs about the larger of
hashing and receiving-plus-writing, instead of their sum. At most ``depth`` chunks wait in the
queue: memory stays flat (``depth`` x the chunk size) whatever the file size.
"""

from __future__ import annotations

import hashlib
import queue
import threading

from glass_updater.limits import DEFAULT_LIMITS


class BackgroundSha256:
    """Feeds chunks to a running SHA-256 on a worker thread; ``finish`` waits for it.

    Chunks must not change after ``update`` (``bytes`` never do). The worker starts at
    the first chunk, so an empty or refused transfer starts no thread.
    """

    def __init__(
        self,
        digest: hashlib._Hash | None = None,
        depth: int = DEFAULT_LIMITS.hash_queue_depth,
    ) -> None:
        self._digest = digest if digest is not None else hashlib.sha256()
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self._thread: threading.Thread | None = None
        self._finished = False

    def update(self, chunk: bytes) -> None:
        if self._finished:
            raise RuntimeError("update after finish")
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="updater-sha256", daemon=True
            )
            self._thread.start()
        self._queue.put(chunk)  # blocks while ``depth`` chunks wait: back-pressure

    def _run(self) -> None:
        digest = self._digest
        while True:
            chunk = self._queue.get()
            if chunk is None:
                return
            digest.update(chunk)

    def finish(self) -> hashlib._Hash:
        """Wait until every chunk given so far is hashed; the digest, for ``hexdigest``."""
        if not self._finished:
            self._finished = True
            if self._thread is not None:
                self._queue.put(None)
                self._thread.join()
        return self._digest
