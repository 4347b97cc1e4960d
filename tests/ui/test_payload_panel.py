"""What Is Sent…: the preview is the request builder's bytes; history is the transport's."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from glass_updater.qt import words as W
from glass_updater.qt.payload_panel import PayloadPanel
from glass_updater.settings import UserSettings
from pytestqt.qtbot import QtBot

from tests.doubles import MockTransport, no_network
from tests.sim import FEED_PATH
from tests.ui.conftest import AppHarness
from tests.ui.test_check_flow import TIMEOUT, click_check
from tests.updater.test_export import validate_har


def open_panel(qtbot: QtBot, app: AppHarness, entry_id: str | None = None) -> PayloadPanel:
    with qtbot.waitSignal(app.controller.panel_loaded, timeout=TIMEOUT):
        app.controller.show_payload(entry_id)
    panel = app.controller.panel
    assert panel is not None and panel.isVisible()
    return panel


def test_panel_preview_is_exact_and_sends_nothing(qtbot: QtBot, make_app) -> None:
    transport = MockTransport(no_network)
    app = make_app(transport=transport)
    panel = open_panel(qtbot, app)
    preview = app.updater.preview()
    shown = panel.preview_tab.preview_bytes
    assert shown.shown_bytes() == tuple(t.data for t in preview.transmissions)
    assert panel.preview_tab.preview_bytes.views[0].text.toPlainText().startswith(
        "GET /demo-app/feed.json?product=demo-app&version=1.0.0 HTTP/1.1\\r\\n"
    )
    assert shown.views[0].hex.toPlainText().startswith("00000000  47 45 54 20")
    rows = {
        panel.preview_tab.fields.item(r, 0).text(): panel.preview_tab.fields.item(r, 2).text()
        for r in range(panel.preview_tab.fields.rowCount())
    }
    assert rows["product"] == "demo-app" and rows["version"] == "1.0.0"
    assert rows == {f.name: f.value for f in preview.fields}
    assert panel.preview_tab.fields.item(0, 3).text() == preview.fields[0].purpose
    assert app.updater.allowlist.sha256 in panel.preview_tab.allowlist_label.text()
    assert panel.history_tab.entries == ()
    assert "No request has been sent" in panel.history_tab.entry_summary.text()
    assert transport.calls == 0


def test_export_buttons_show_the_decks_words(qtbot: QtBot, make_app) -> None:
    """The three export buttons, and their names for screen readers, come from the deck."""
    panel = open_panel(qtbot, make_app(transport=MockTransport(no_network)))
    buttons = panel.history_tab.export_buttons
    assert {fmt: (b.text(), b.accessibleName()) for fmt, b in buttons.items()} == {
        "har": (W.EXPORT_HAR_BUTTON, W.EXPORT_HAR_NAME),
        "http": (W.EXPORT_HTTP_BUTTON, W.EXPORT_HTTP_NAME),
        "json": (W.EXPORT_JSON_BUTTON, W.EXPORT_JSON_NAME),
    }
    assert [b.text() for b in buttons.values()] == [
        "Export HAR…", "Export .http…", "Export JSON…"
    ]
    assert [b.accessibleName() for b in buttons.values()] == [
        "Export HAR", "Export .http", "Export JSON"
    ]


def test_panel_history_equals_transport_bytes(qtbot: QtBot, make_app) -> None:
    app = make_app()
    app.sim.add_release("1.0.0")
    click_check(qtbot, app, "up-to-date")
    panel = open_panel(qtbot, app)
    panel.tabs.setCurrentIndex(1)
    assert len(panel.history_tab.entries) == 1
    assert panel.history_tab.entry_bytes.shown_bytes() == tuple(
        t.data for t in app.sim.requests[0].transmissions
    )
    assert "accepted feed serial 1" in panel.history_tab.history.item(0, 6).text()
    assert panel.history_tab.history.item(0, 3).text() == "200 OK"


@pytest.mark.loopback
@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_panel_bytes_equal_what_the_server_read(
    qtbot: QtBot, make_app, sim, tmp_path: Path, tls: bool
) -> None:
    from glass_updater.transport.http import HttpTransport

    from tests.loopback import LoopbackServer, Reply, TestCA

    sim.add_release("1.0.0")
    ca = TestCA(tmp_path / "ca") if tls else None
    reply = Reply(headers=(("Content-Type", "application/json"),), body=sim.feed_bytes())
    context = ca.server_context() if ca else None
    with LoopbackServer(reply, tls=context) as server:
        transport = HttpTransport(ca_file=ca.ca_pem if ca else None)
        app = make_app(transport=transport, feed_url=server.url(FEED_PATH))
        click_check(qtbot, app, "up-to-date")
        read = server.wait_connections(1)
    panel = open_panel(qtbot, app)
    assert len(read) == 1 and read[0].startswith(b"GET /demo-app/feed.json?product=demo-app")
    assert panel.history_tab.entry_bytes.shown_bytes() == (read[0],)
    assert panel.preview_tab.preview_bytes.shown_bytes() == (read[0],)


def test_proxy_credentials_not_displayed(qtbot: QtBot, make_app) -> None:
    app = make_app(transport=MockTransport(no_network))
    app.updater.settings.save(UserSettings(proxy="http://alice:s3cret@proxy.local:3128"))
    panel = open_panel(qtbot, app)
    labels = [t.channel.label for t in app.updater.preview().transmissions]
    assert labels == ["to your proxy, in clear", "to the update server, inside TLS"]
    shown = panel.preview_tab.preview_intro.text() + "".join(
        panel.preview_tab.fields.item(r, c).text()
        for r in range(panel.preview_tab.fields.rowCount())
        for c in range(4)
    )
    assert "proxy.local:3128" in shown
    assert "s3cret" not in shown and "alice" not in shown
    token = base64.b64encode(b"alice:s3cret").decode()
    assert token not in shown
    # The CONNECT bytes are kept exactly as they go to the proxy (and only there) ...
    assert token.encode() in panel.preview_tab.preview_bytes.shown_bytes()[0]
    assert token.encode() not in panel.preview_tab.preview_bytes.shown_bytes()[1]
    # ... but the credentials are masked on screen until the user asks to see them.
    connect = panel.preview_tab.preview_bytes.views[0]
    assert connect.reveal.isVisibleTo(panel) and not connect.reveal.isChecked()
    assert token not in connect.text.toPlainText()
    assert "Proxy-Authorization: " + "*" * len("Basic " + token) in connect.text.toPlainText()
    assert "Host: proxy.local" not in connect.text.toPlainText()  # CONNECT names the server
    connect.reveal.setChecked(True)
    assert token in connect.text.toPlainText()
    assert not panel.preview_tab.preview_bytes.views[1].reveal.isVisibleTo(panel)


def test_ask_before_check_checkbox_persists(qtbot: QtBot, make_app) -> None:
    app = make_app(transport=MockTransport(no_network))
    panel = open_panel(qtbot, app)
    assert not panel.preview_tab.ask.isChecked()
    with qtbot.waitSignal(panel.settings_saved, timeout=TIMEOUT):
        panel.preview_tab.ask.setChecked(True)
    assert app.updater.settings.load().ask_before_check is True


def test_export_har_from_panel_carries_same_bytes(
    qtbot: QtBot, make_app, tmp_path: Path
) -> None:
    app = make_app()
    app.sim.add_release("1.0.0")
    click_check(qtbot, app, "up-to-date")
    panel = open_panel(qtbot, app)
    out = tmp_path / "history.har"
    with qtbot.waitSignal(panel.exported, timeout=TIMEOUT) as blocker:
        panel.export_to("har", out)
    assert blocker.args == [str(out), ""]
    doc = json.loads(out.read_bytes())
    validate_har(doc)
    sent = [base64.b64decode(s["b64"]) for s in doc["log"]["entries"][0]["_glass_sent"]]
    assert sent == [t.data for t in app.sim.requests[0].transmissions]
    raw = tmp_path / "history.http"
    with qtbot.waitSignal(panel.exported, timeout=TIMEOUT):
        panel.export_to("http", raw)
    assert (  # the .http form runners read: absolute https URL, headers as sent
        b"GET https://updates.example.com/demo-app/feed.json?product=demo-app&version=1.0.0"
        b" HTTP/1.1\nHost: updates.example.com\n" in raw.read_bytes()
    )


def test_compare_with_previous_shows_the_difference(qtbot: QtBot, make_app, sim) -> None:
    sim.add_release("1.0.0")
    old = make_app()
    click_check(qtbot, old, "up-to-date")
    new = make_app(version="1.1.0")  # same state folder, so the same history
    click_check(qtbot, new, "up-to-date")
    panel = open_panel(qtbot, new)
    panel.history_tab.history.selectRow(0)
    assert panel.history_tab.compare.isEnabled()
    diff = panel.history_tab.compare_text()
    assert "-GET /demo-app/feed.json?product=demo-app&version=1.0.0" in diff
    assert "+GET /demo-app/feed.json?product=demo-app&version=1.1.0" in diff
    dialog = panel.history_tab.show_compare()
    assert dialog is not None and dialog.isVisible()
    dialog.close()


def test_open_panel_refreshes_after_a_check(qtbot: QtBot, make_app) -> None:
    app = make_app()
    app.sim.add_release("1.0.0")
    panel = open_panel(qtbot, app)
    assert panel.history_tab.entries == ()
    click_check(qtbot, app, "up-to-date")
    # The open panel follows the flow (it may refresh at each step): wait for the record.
    qtbot.waitUntil(lambda: len(panel.history_tab.entries) == 1, timeout=TIMEOUT)
    sent = app.sim.requests[0].transmissions[0].data
    assert panel.history_tab.entry_bytes.shown_bytes() == (sent,)


def test_panel_signals_arrive_on_the_gui_thread(qtbot: QtBot, make_app) -> None:
    import threading

    app = make_app(transport=MockTransport(no_network))
    threads: list[threading.Thread] = []
    app.controller.panel_loaded.connect(lambda: threads.append(threading.current_thread()))
    open_panel(qtbot, app)
    settings_saved = []
    from tests.ui.test_settings_about import open_settings

    dialog = open_settings(qtbot, app)
    dialog.saved.connect(lambda s: settings_saved.append(s))
    with qtbot.waitSignal(app.controller.panel_loaded, timeout=TIMEOUT):
        dialog.apply()  # saving settings refreshes an open panel
    assert settings_saved
    assert threads and all(t is threading.main_thread() for t in threads)


def test_escape_closes_the_panel(qtbot: QtBot, make_app) -> None:
    from PySide6.QtCore import Qt

    app = make_app(transport=MockTransport(no_network))
    panel = open_panel(qtbot, app)
    panel.activateWindow()
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_Escape)
    assert not panel.isVisible()


def test_panel_tables_read_by_rows(qtbot: QtBot, make_app) -> None:
    """Both tabs' tables (one helper, ``widgets.row_table``): headings, name, no row
    numbers, whole-row selection, Tab leaves the table, each column sized as before."""
    from PySide6.QtWidgets import QAbstractItemView, QHeaderView

    app = make_app(transport=MockTransport(no_network))
    panel = open_panel(qtbot, app)
    fit, stretch = QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch
    interactive = QHeaderView.ResizeMode.Interactive
    expected = {
        panel.preview_tab.fields: (
            "Fields of the next request and their purpose",
            [("Field", fit), ("Where", fit), ("Value", fit), ("Purpose", stretch)],
        ),
        panel.history_tab.history: (
            "History of requests sent",
            [
                ("Time", fit),
                ("Kind", fit),
                ("URL", interactive),
                ("Status", fit),
                ("Received", fit),
                ("Duration", fit),
                ("Outcome", stretch),
            ],
        ),
    }
    for table, (name, columns) in expected.items():
        header = table.horizontalHeader()
        assert table.accessibleName() == name
        assert [
            (table.horizontalHeaderItem(c).text(), header.sectionResizeMode(c))
            for c in range(table.columnCount())
        ] == columns
        assert not table.verticalHeader().isVisible()
        assert table.selectionBehavior() == QAbstractItemView.SelectionBehavior.SelectRows
        assert not table.tabKeyNavigation()
    history = panel.history_tab.history
    assert history.selectionMode() == QAbstractItemView.SelectionMode.SingleSelection
    assert panel.preview_tab.fields.selectionMode() == (
        QAbstractItemView.SelectionMode.ExtendedSelection
    )
    assert history.horizontalHeader().minimumSectionSize() == 40
