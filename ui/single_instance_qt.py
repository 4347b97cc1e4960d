"""The single-instance channel over QtNetwork's QLocalServer: the Windows backend.

On Windows, Python's standard library has no AF_UNIX socket, and QLocalServer speaks a
named pipe there. Elsewhere ``single_instance`` uses a plain Unix socket, which spares
start-up QtNetwork (~9 ms, +6 MB RSS). Same protocol, same behaviour; the test suite
runs both backends on Linux.
"""

from __future__ import annotations

import shiboken6
from glass_updater.qt.instance_protocol import MESSAGES, TIMEOUT_S
from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

TIMEOUT_MS = int(TIMEOUT_S * 1000)


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


class QtInstanceServer(QObject):
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

