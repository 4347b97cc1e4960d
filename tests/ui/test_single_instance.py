"""The single-instance channel, both backends: the stdlib Unix socket and QLocalServer.

Linux uses the Unix socket; Windows uses QLocalServer (a named pipe there). Both run here
so the Windows backend's protocol stays tested. Clients are processes, as a second launch
is, while the test serves the event loop as the running app would.
"""

from __future__ import annotations

import _socket
import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from glass_updater.qt import single_instance
from glass_updater.qt.instance_protocol import MESSAGES
from glass_updater.qt.single_instance import InstanceServer, server_name
from glass_updater.qt.single_instance_qt import QtInstanceServer
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

TIMEOUT = 10_000


@dataclass(frozen=True)
class Backend:
    make_server: Callable[[str], QObject]
    module: str  # where the client's send_to_running lives


BACKENDS = {
    "unix": Backend(InstanceServer, "glass_updater.qt.single_instance"),
    "qt": Backend(QtInstanceServer, "glass_updater.qt.single_instance_qt"),
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest) -> Backend:
    return BACKENDS[request.param]


@pytest.fixture
def name() -> str:
    path = server_name("demo-app")
    assert path.startswith(os.environ["XDG_RUNTIME_DIR"])
    return path


@pytest.fixture
def served(backend: Backend, name: str) -> Iterator[QObject]:
    server = backend.make_server(name)
    assert server.listen()  # type: ignore[attr-defined]
    yield server
    server.close()  # type: ignore[attr-defined]


CLIENT = """
import sys
from PySide6.QtCore import QCoreApplication
from {module} import send_to_running
app = QCoreApplication(sys.argv[:1])
sys.exit(0 if send_to_running(sys.argv[1], sys.argv[2]) else 1)
"""


def start_client(backend: Backend, name: str, message: str) -> subprocess.Popen[bytes]:
    """A second launch, as a process (QLocalSocket cannot block on a Python thread)."""
    return subprocess.Popen([sys.executable, "-c", CLIENT.format(module=backend.module),
                             name, message])


def send(qtbot: QtBot, backend: Backend, name: str, message: str) -> bool:
    """What a second launch does, while this process serves the event loop."""
    client = start_client(backend, name, message)
    qtbot.waitUntil(lambda: client.poll() is not None, timeout=TIMEOUT)
    return client.returncode == 0


def test_a_request_is_forwarded_and_answered(qtbot: QtBot, backend: Backend, name: str,
                                             served: QObject) -> None:
    with qtbot.waitSignal(served.message, timeout=TIMEOUT) as got:  # type: ignore[attr-defined]
        client = start_client(backend, name, "check")
    qtbot.waitUntil(lambda: client.poll() is not None, timeout=TIMEOUT)
    assert got.args == ["check"]
    assert client.returncode == 0


def test_an_unknown_word_is_refused_and_not_forwarded(qtbot: QtBot, backend: Backend,
                                                      name: str, served: QObject) -> None:
    seen: list[str] = []
    served.message.connect(seen.append)  # type: ignore[attr-defined]
    assert send(qtbot, backend, name, "rm-rf") is False
    assert send(qtbot, backend, name, "quit") is True
    assert seen == ["quit"]


def test_nobody_listening_means_false(qtbot: QtBot, backend: Backend, name: str) -> None:
    assert send(qtbot, backend, name, "check") is False


def test_a_live_instance_keeps_its_name(name: str) -> None:
    """Unix backend only: QLocalServer would take a live name over (main() asks first)."""
    first = InstanceServer(name)
    assert first.listen()
    second = InstanceServer(name)
    assert second.listen() is False
    assert single_instance.is_listening(name)
    first.close()


def test_a_stale_socket_is_replaced(qtbot: QtBot, backend: Backend, name: str) -> None:
    stale = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    stale.bind(name)  # bound, never listening, then closed: what a killed app leaves
    stale.close()
    server = backend.make_server(name)
    try:
        assert server.listen()  # type: ignore[attr-defined]
        assert send(qtbot, backend, name, "activate") is True
    finally:
        server.close()  # type: ignore[attr-defined]


def test_unix_socket_is_private_and_removed_on_close(name: str) -> None:
    server = InstanceServer(name)
    assert server.listen()
    try:
        info = os.lstat(name)
        assert stat.S_ISSOCK(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o600
    finally:
        server.close()
    assert not Path(name).exists()


def test_unix_close_leaves_a_successors_socket_alone(name: str) -> None:
    server = InstanceServer(name)
    assert server.listen()
    os.unlink(name)  # e.g. removed by hand, and a new instance took the name
    successor = InstanceServer(name)
    assert successor.listen()
    server.close()
    assert Path(name).exists()
    successor.close()


def test_silent_and_flooding_clients_do_not_block_a_real_request(qtbot: QtBot,
                                                                 name: str) -> None:
    server = InstanceServer(name)
    assert server.listen()
    silent = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    flood = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        silent.connect(name)
        flood.connect(name)
        flood.sendall(b"x" * 4096)  # no newline, ever
        qtbot.waitUntil(lambda: hung_up(flood), timeout=TIMEOUT)
        with qtbot.waitSignal(server.message, timeout=TIMEOUT) as got:
            client = start_client(BACKENDS["unix"], name, "settings")
        qtbot.waitUntil(lambda: client.poll() is not None, timeout=TIMEOUT)
        assert got.args == ["settings"] and client.returncode == 0
    finally:
        silent.close()
        flood.close()
        server.close()


def hung_up(sock: _socket.socket) -> bool:
    """The server closed this connection (end of stream, or reset)."""
    try:
        return sock.recv(1, _socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="needs root to make a file owned by another user")
def test_another_users_socket_is_neither_trusted_nor_removed(name: str) -> None:
    squatter = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    squatter.bind(name)
    squatter.listen(1)
    os.chown(name, 4242, -1)
    try:
        assert single_instance.send_to_running(name, "check") is False
        server = InstanceServer(name)
        assert server.listen() is False
        assert Path(name).exists()
    finally:
        squatter.close()


# ---------------------------------------------------------------- what a forwarded word does


def test_every_word_but_activate_names_a_menu_item(make_app) -> None:  # type: ignore[no-untyped-def]
    """handle_message picks menu items by name: a word without one would do nothing."""
    app = make_app()
    assert set(MESSAGES) - {"activate"} <= set(app.controller.actions_)


@pytest.mark.parametrize("word", [w for w in MESSAGES if w not in ("activate", "quit")])
def test_a_forwarded_word_picks_the_menu_item_of_that_name(
    qtbot: QtBot, make_app, word: str  # type: ignore[no-untyped-def]
) -> None:
    app = make_app()
    with qtbot.waitSignal(app.controller.actions_[word].triggered, timeout=TIMEOUT):
        app.controller.handle_message(word)
    expected = {"check": app.driver.finished, "payload": app.controller.panel_loaded}
    if word in expected:  # and the item did its job: a check ran, the panel filled
        with qtbot.waitSignal(expected[word], timeout=TIMEOUT):
            pass
    else:
        qtbot.waitUntil(lambda: word in app.controller.windows, timeout=TIMEOUT)
