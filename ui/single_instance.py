"""One tray app per user and product: a second launch forwards its request and exits.

The local socket lives in the user's runtime directory (0700), named after the product
and the user, so another user cannot talk to it. Messages are one ASCII word per line:
``activate``, ``check`` or ``quit``.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import tempfile
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

MESSAGES = ("activate", "check", "quit", "payload", "settings", "about")
TIMEOUT_MS = 2000


def server_name(product_id: str) -> str:
    """A per-user socket path under the runtime dir (a plain pipe name on Windows)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    tag = hashlib.sha256(user.encode()).hexdigest()[:12]
    product = re.sub(r"[^a-z0-9._-]", "_", product_id.lower())[:40]
    name = f"glass-updater-{product}-{tag}"
    if os.name == "nt":
        return name
    runtime = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    return str(Path(runtime) / f"{name}.sock")


def send_to_running(name: str, message: str) -> bool:
    """Deliver ``message`` to a running instance; False when none is listening."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(TIMEOUT_MS):
        return False
    socket.write(message.encode("ascii") + b"\n")
    socket.flush()
    while socket.bytesToWrite() > 0:
        if not socket.waitForBytesWritten(TIMEOUT_MS):
            return False
    ok = socket.waitForReadyRead(TIMEOUT_MS) and bytes(socket.readAll().data()).startswith(b"ok")
    socket.disconnectFromServer()
    return ok


def is_listening(name: str) -> bool:
    socket = QLocalSocket()
    socket.connectToServer(name)
    alive = socket.waitForConnected(TIMEOUT_MS)
    socket.abort()
    return bool(alive)


class InstanceServer(QObject):
    """Listens for later launches; ``message`` carries each request to the app."""

    message = Signal(str)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        self._clients: list[QLocalSocket] = []

    def listen(self) -> bool:
        """Take the name; a stale socket left by a crash is removed first."""
        if self.server.listen(self.name):
            return True
        if is_listening(self.name):
            return False  # another instance really is there: never take its name
        QLocalServer.removeServer(self.name)
        return bool(self.server.listen(self.name))

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            client = self.server.nextPendingConnection()
            self._clients.append(client)
            client.readyRead.connect(lambda c=client: self._read(c))
            client.disconnected.connect(lambda c=client: self._forget(c))

    def _read(self, client: QLocalSocket) -> None:
        while client.canReadLine():
            word = bytes(client.readLine().data()).strip().decode("ascii", "replace")[:32]
            if word in MESSAGES:
                client.write(b"ok\n")
                client.flush()
                self.message.emit(word)
            else:
                client.write(b"unknown\n")

    def _forget(self, client: QLocalSocket) -> None:
        if client in self._clients:
            self._clients.remove(client)
        if shiboken6.isValid(client):  # at shutdown Qt may already have deleted it
            client.deleteLater()

    def close(self) -> None:
        for client in self._clients:
            if shiboken6.isValid(client):
                client.disconnected.disconnect()
        self._clients.clear()
        self.server.close()

