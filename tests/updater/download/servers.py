"""A raw-socket fault server for download tests, on 127.0.0.1 only.

Each connection's request head is recorded exactly as read off the socket. The answer
is decided by a ``plan`` function (request number, parsed head) -> Answer, so a test can
truncate, over-stream, serve wrong bytes, drop at any offset, honour or ignore
Range/If-Range, change the file between attempts, lie in Content-Range, drip slowly or
fail with 404/500/503. The server runs in a daemon thread and stops by itself.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

_HEAD_LIMIT = 64 * 1024
_LIFETIME = 60.0  # the server stops by itself after this long, whatever the test does


@dataclass(frozen=True)
class Head:
    raw: bytes
    target: str
    headers: dict[str, str]  # lower-cased names

    def get(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str = "OK"
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    close_after: int | None = None  # close the socket after this many body bytes
    drip: int | None = None  # send the body this many bytes at a time, paced
    drip_interval: float = 0.05


Plan = Callable[[int, Head], Answer]


def ranged(
    content: bytes,
    head: Head,
    *,
    etag: str | None = '"v1"',
    last_modified: str | None = None,
    honour_range: bool = True,
    honour_if_range: bool = True,
    close_after: int | None = None,
) -> Answer:
    """What a correct (or range-ignoring) static file server answers."""
    size = len(content)
    validators: list[tuple[str, str]] = []
    if etag is not None:
        validators.append(("ETag", etag))
    if last_modified is not None:
        validators.append(("Last-Modified", last_modified))
    rng, if_range = head.get("Range"), head.get("If-Range")
    current = {v for _, v in validators}
    fresh = if_range is None or not honour_if_range or if_range in current
    if honour_range and rng is not None and rng.startswith("bytes=") and fresh:
        start = int(rng[6:].rstrip("-"))
        headers = [
            *validators,
            ("Content-Range", f"bytes {start}-{size - 1}/{size}"),
            ("Content-Length", str(size - start)),
        ]
        return Answer(206, "Partial Content", tuple(headers), content[start:], close_after)
    headers = [*validators, ("Content-Length", str(size))]
    return Answer(200, "OK", tuple(headers), content, close_after)


@dataclass
class FaultServer:
    plan: Plan
    heads: list[Head] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _sock: socket.socket | None = None
    _thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._sock is not None
        return int(self._sock.getsockname()[1])

    def url(self, path: str = "/demo-app/demo-app-1.4.0.AppImage") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> FaultServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        sock.settimeout(0.2)
        self._sock = sock
        self._thread = threading.Thread(target=self._serve, name="fault-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._sock is not None:
            self._sock.close()  # wakes accept() at once
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _serve(self) -> None:
        assert self._sock is not None
        deadline = threading.Event()
        timer = threading.Timer(_LIFETIME, deadline.set)
        timer.daemon = True
        timer.start()
        try:
            while not self._stop.is_set() and not deadline.is_set():
                try:
                    conn, _ = self._sock.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                worker = threading.Thread(target=self._handle, args=(conn,), daemon=True)
                worker.start()
        finally:
            timer.cancel()

    def _read_head(self, conn: socket.socket) -> bytes | None:
        data = b""
        while b"\r\n\r\n" not in data and len(data) < _HEAD_LIMIT:
            chunk = conn.recv(4096)
            if not chunk:
                return None
            data += chunk
        return data

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            try:
                raw = self._read_head(conn)
                if raw is None:
                    return
                lines = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                head = Head(raw=raw, target=lines[0].split(" ")[1], headers=headers)
                number = len(self.heads)
                self.heads.append(head)
                self._answer(conn, self.plan(number, head))
            except OSError:
                return

    def _answer(self, conn: socket.socket, answer: Answer) -> None:
        head = f"HTTP/1.1 {answer.status} {answer.reason}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in answer.headers)
        head += "Connection: close\r\n\r\n"
        conn.sendall(head.encode("latin-1"))
        body = memoryview(answer.body)
        if answer.close_after is not None:
            body = body[: answer.close_after]
        step = answer.drip or 256 * 1024
        for start in range(0, len(body), step):
            if self._stop.is_set():
                return
            conn.sendall(body[start : start + step])
            if answer.drip is not None and self._stop.wait(answer.drip_interval):
                return
        if answer.close_after is not None:
            conn.shutdown(socket.SHUT_RDWR)  # an abrupt end, before Content-Length is met
