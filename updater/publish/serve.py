"""A loopback feed server for publishers, the demo and tests.

Serves a folder on 127.0.0.1 only, over HTTP or HTTPS (a development CA, written to
``cert_path`` beside the served folder so a client config can point ``ca_file`` at it, and a
server certificate it signed for 127.0.0.1/localhost; both are reused at the next start).
Supports ``Range``/``If-Range``/``ETag`` for resumable downloads, and records the raw bytes
of every request head it receives, so a test or the demo can show what really arrived.
"""

from __future__ import annotations

import contextlib
import os
import re
import ssl
import sys
import tempfile
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BufferedIOBase
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

from glass_updater.publish.devcert import ensure_certificate, tls_folder_for
from glass_updater.publish.tally import TALLY_PATH, RequestTally

HOST = "127.0.0.1"
CHUNK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class _RecordingReader:
    """Wraps the socket's read side and keeps the bytes of the request head."""

    def __init__(self, inner: BufferedIOBase) -> None:
        self._inner = inner
        self.buffer = bytearray()

    def readline(self, size: int = -1) -> bytes:
        line = self._inner.readline(size)
        self.buffer += line
        return line

    def read(self, size: int = -1) -> bytes:
        return self._inner.read(size)

    def close(self) -> None:
        self._inner.close()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "glass-dev"
    sys_version = ""
    timeout = 10.0  # a stalled client cannot hold a thread forever

    def setup(self) -> None:
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()  # here, in this thread, not in accept()
        self._recorder = _RecordingReader(self.rfile)
        self.rfile = self._recorder  # type: ignore[assignment]

    def parse_request(self) -> bool:
        ok = super().parse_request()
        self.server.owner._record(bytes(self._recorder.buffer))
        self._recorder.buffer.clear()
        return ok

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.owner.verbose:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        tally = self.server.owner.tally
        if tally is not None and urlsplit(self.path).path == TALLY_PATH:
            body = tally.to_json()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
            return
        self._serve(head=False)

    def _file(self) -> Path | None:
        root = self.server.owner.directory.resolve()
        rel = unquote(urlsplit(self.path).path).lstrip("/")
        if "\x00" in rel:
            return None
        target = (root / rel).resolve()
        if target != root and root not in target.parents:
            return None
        return target if target.is_file() else None

    def _plain(self, status: int, text: str, extra: tuple[tuple[str, str], ...] = ()) -> None:
        body = (text + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for key, value in extra:
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.close_connection = True

    def _serve(self, *, head: bool) -> None:
        path = self._file()
        if path is None:
            self._plain(404, "not found")
            return
        stat = path.stat()
        size = stat.st_size
        etag = f'"{size:x}-{stat.st_mtime_ns:x}"'
        start, end = 0, size - 1
        status = 200
        wanted = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if wanted is not None and (if_range is None or if_range.strip() == etag):
            match = _RANGE.match(wanted.strip())
            first = match.group(1) if match else ""
            last = match.group(2) if match else ""
            if match is None or (not first and not last):
                self._plain(416, "bad range", (("Content-Range", f"bytes */{size}"),))
                return
            if first:
                start = int(first)
                end = min(int(last), size - 1) if last else size - 1
            else:
                start = max(size - int(last), 0)
            if start >= size or start > end:
                self._plain(416, "range not satisfiable", (("Content-Range", f"bytes */{size}"),))
                return
            status = 206
        length = end - start + 1 if size else 0
        kind = "application/json" if path.suffix == ".json" else "application/octet-stream"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.send_header("ETag", etag)
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if head:
            return
        with path.open("rb") as fh:
            fh.seek(start)
            remaining = length
            while remaining > 0:
                chunk = fh.read(min(CHUNK, remaining))
                if not chunk:
                    break
                self.wfile.write(chunk)
                remaining -= len(chunk)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # A restart must get the same port back at once (the feed's asset URLs name it), even
    # while the last run's connections sit in TIME_WAIT. On Windows SO_REUSEADDR would let
    # another process take a bound port, so it stays off there.
    allow_reuse_address = sys.platform != "win32"

    def __init__(self, owner: FeedServer, port: int) -> None:
        self.owner = owner
        super().__init__((HOST, port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.owner.verbose:
            super().handle_error(request, client_address)


class FeedServer:
    """Serve ``directory`` on 127.0.0.1; ``with FeedServer(d) as s: s.url`` …

    ``request_log`` holds the raw head bytes (request line + headers) of every request.
    """

    def __init__(
        self,
        directory: Path,
        *,
        port: int = 0,
        tls: bool = False,
        cert_path: Path | None = None,
        cert_dir: Path | None = None,
        verbose: bool = False,
        tally: RequestTally | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.tally = tally  # counts request shapes; GET /__tally reports them
        self.tls = tls
        if cert_path is None:  # beside the served folder, never inside it (keys!)
            folder = Path(cert_dir) if cert_dir else tls_folder_for(self.directory)
            cert_path = folder / "cert.pem"
        self.cert_path = Path(cert_path)
        self.cert_created = False  # True when this start made a new CA (ca_file changed)
        self.verbose = verbose
        self._port = port
        self._log: list[bytes] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.on_request: Callable[[bytes], None] | None = None

    def _record(self, head: bytes) -> None:
        with self._lock:
            self._log.append(head)
        if self.tally is not None and not head.startswith(f"GET {TALLY_PATH}".encode()):
            shape = self.tally.add(head)
            if shape is not None:
                sys.stderr.write(
                    f"tally: new request shape #{len(self.tally.shapes())} "
                    f"sha256={shape.sha256} {shape.request_line}\n"
                )
        if self.on_request is not None:
            self.on_request(head)

    @property
    def request_log(self) -> tuple[bytes, ...]:
        with self._lock:
            return tuple(self._log)

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("server is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The base URL without a trailing slash: ``f"{server.url}/feed.json"``."""
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{HOST}:{self.port}"

    @property
    def ca_file(self) -> Path | None:
        """The certificate a client must trust (None over plain HTTP)."""
        return self.cert_path if self.tls else None

    def _context(self) -> ssl.SSLContext:
        made = ensure_certificate(self.cert_path)  # reused across restarts
        self.cert_created = made.created_ca
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        with tempfile.TemporaryDirectory(prefix="glass-serve-") as tmp:
            chain = Path(tmp) / "chain.pem"
            fd = os.open(chain, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(made.chain_pem)
            context.load_cert_chain(chain)
        return context

    def start(self) -> FeedServer:
        if self._server is not None:
            return self
        server = _Server(self, self._port)
        if self.tls:
            try:
                context = self._context()
            except BaseException:
                server.server_close()
                raise
            server.socket = context.wrap_socket(
                server.socket, server_side=True, do_handshake_on_connect=False
            )
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
            name="glass-feed-server",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with contextlib.suppress(OSError):
            self.stop()
