"""One tray app per user and product: a second launch forwards its request and exits.

The channel is a Unix socket from Python's standard library, watched by a QSocketNotifier
in Qt's event loop: QtNetwork (~9 ms and +6 MB at start-up) is not needed for it. The
socket lives in the user's runtime directory (0700), named after the product and the
user, and is itself 0600, so another user cannot talk to it. Messages are one ASCII word
per line (``activate``, ``check``, ``quit``, ...); the answer is ``ok`` or ``unknown``.

Windows has no AF_UNIX in Python's standard library: there ``single_instance_qt`` (a
named pipe through QLocalServer) does the same job.

``_socket`` is the C module behind ``socket``: using it directly skips ``socket.py``'s
enum conversions (~2 ms) and keeps ``socket`` itself, which every network client imports,
out of ``sys.modules`` until the first check, where a test can see it.
"""

from __future__ import annotations

import _socket
import contextlib
import errno
import os
import re
import stat
import sys
from typing import TYPE_CHECKING

from glass_updater.qt.instance_protocol import MAX_LINE, MESSAGES, TIMEOUT_S
from PySide6.QtCore import QObject, QSocketNotifier, Signal

if TYPE_CHECKING:
    from glass_updater.qt.single_instance_qt import QtInstanceServer

MAX_CLIENTS = 8  # a client that connects and says nothing cannot pile up sockets

UNIX = hasattr(_socket, "AF_UNIX") and sys.platform != "win32"


def server_name(product_id: str) -> str:
    """A per-user socket path under the runtime dir (a named pipe's name on Windows)."""
    product = re.sub(r"[^a-z0-9._-]", "_", product_id.lower())[:40]
    if not UNIX:
        import getpass
        import hashlib

        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "user"
        return f"glass-updater-{product}-{hashlib.sha256(user.encode()).hexdigest()[:12]}"
    runtime = os.environ.get("XDG_RUNTIME_DIR") or os.environ.get("TMPDIR") or "/tmp"
    return os.path.join(runtime, f"glass-updater-{product}-{os.getuid()}.sock")


def _ours(path: str) -> bool:
    """A socket that this user owns: the only kind we talk to or replace.

    In a shared folder such as /tmp another user could create the name first; we then
    neither send them our request nor delete their file.
    """
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISSOCK(info.st_mode) and info.st_uid == os.getuid()


def send_to_running(name: str, message: str) -> bool:
    """Deliver ``message`` to a running instance; False when none is listening."""
    if not UNIX:
        from glass_updater.qt import single_instance_qt

        return single_instance_qt.send_to_running(name, message)
    if not _ours(name):
        return False
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(TIMEOUT_S)
        sock.connect(name)
        sock.sendall(message.encode("ascii") + b"\n")
        reply = b""
        while b"\n" not in reply and len(reply) < MAX_LINE:
            chunk = sock.recv(MAX_LINE)
            if not chunk:
                break
            reply += chunk
        return reply.startswith(b"ok\n")
    except OSError:  # refused (stale file), timed out, reset: nobody is serving
        return False
    finally:
        sock.close()


def is_listening(name: str) -> bool:
    """Whether a live instance accepts connections on ``name`` (a stale file does not)."""
    if not UNIX:
        from glass_updater.qt import single_instance_qt

        return single_instance_qt.is_listening(name)
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(TIMEOUT_S)
        sock.connect(name)
        return True
    except OSError:
        return False
    finally:
        sock.close()


class _Client:
    """One connection from a later launch: its socket, its notifier, what it sent so far."""

    def __init__(self, sock: _socket.socket, notifier: QSocketNotifier) -> None:
        self.sock = sock
        self.notifier = notifier
        self.buffer = b""


class InstanceServer(QObject):
    """Listens for later launches; ``message`` carries each request to the app."""

    message = Signal(str)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._qt: QtInstanceServer | None = None
        self._sock: _socket.socket | None = None
        self._notifier: QSocketNotifier | None = None
        self._inode: tuple[int, int] | None = None
        self._clients: list[_Client] = []
        self.error = ""  # why ``listen`` failed, in one line, when it did
        if not UNIX:
            from glass_updater.qt.single_instance_qt import QtInstanceServer

            server = QtInstanceServer(name, self)
            server.message.connect(self.message)
            self._qt = server

    def listen(self) -> bool:
        """Take the name; a stale socket left by a crash is removed first."""
        if self._qt is not None:
            return self._qt.listen()
        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            self._bind(sock)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or is_listening(self.name) or not _ours(self.name):
                sock.close()
                self.error = self._explain(exc)
                return False  # a live instance (or another user's file): never take it
            try:
                os.unlink(self.name)
                self._bind(sock)
            except OSError as again:
                sock.close()
                self.error = self._explain(again)
                return False
        self._sock = sock
        self._notifier = QSocketNotifier(sock.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._accept)
        return True

    def _explain(self, exc: OSError) -> str:
        if exc.errno == errno.EADDRINUSE and not _ours(self.name):
            return (f"{self.name} belongs to another user; set XDG_RUNTIME_DIR to your own "
                    "private folder")
        return (f"cannot open the single-instance socket {self.name} "
                f"({exc.strerror or exc}); set XDG_RUNTIME_DIR to a short private folder")

    def _bind(self, sock: _socket.socket) -> None:
        sock.bind(self.name)
        # Nobody can connect before listen(), so the mode is right before anyone can.
        os.chmod(self.name, 0o600)
        info = os.lstat(self.name)
        self._inode = (info.st_dev, info.st_ino)
        sock.listen(MAX_CLIENTS)
        sock.setblocking(False)

    def _accept(self) -> None:
        assert self._sock is not None
        while True:
            try:
                # The C socket's accept (typeshed lists only socket.socket's): an fd.
                fd, _ = self._sock._accept()  # type: ignore[attr-defined]
            except OSError:  # BlockingIOError: no more pending; anything else: try later
                return
            client_sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM, fileno=fd)
            client_sock.setblocking(False)
            if len(self._clients) >= MAX_CLIENTS:
                self._drop(self._clients[0])
            notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read, self)
            client = _Client(client_sock, notifier)
            notifier.activated.connect(lambda *_a, c=client: self._read(c))
            self._clients.append(client)

    def _read(self, client: _Client) -> None:
        try:
            data = client.sock.recv(MAX_LINE)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._drop(client)
            return
        client.buffer += data
        while b"\n" in client.buffer:
            line, client.buffer = client.buffer.split(b"\n", 1)
            word = line.strip().decode("ascii", "replace")[:32]
            known = word in MESSAGES
            with contextlib.suppress(OSError):  # the client left without waiting
                client.sock.send(b"ok\n" if known else b"unknown\n")
            if known:
                self.message.emit(word)
        if len(client.buffer) > MAX_LINE:
            self._drop(client)

    def _drop(self, client: _Client) -> None:
        if client in self._clients:
            self._clients.remove(client)
        client.notifier.setEnabled(False)
        client.notifier.activated.disconnect()  # its slot holds the client: break the cycle
        client.notifier.deleteLater()
        client.sock.close()

    def close(self) -> None:
        """Stop listening and remove the socket file, if it is still ours."""
        if self._qt is not None:
            self._qt.close()
            return
        for client in list(self._clients):
            self._drop(client)
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
            try:
                info = os.lstat(self.name)
                if (info.st_dev, info.st_ino) == self._inode:
                    os.unlink(self.name)
            except OSError:
                pass
